"""Quick fixes: ``textDocument/codeAction`` (kind ``quickfix``) for trainpath's own diagnostics.

The client sends the diagnostics under the cursor in the request context;
each one that is trainpath's and still current (same code and range as a
finding the server holds now) gets the fixes of ``chain/query_fix.py``, the
best one marked ``isPreferred``.  A client that sends no diagnostics gets
the fixes of the findings that overlap the requested range.

Edits are plain ``changes`` (one ``TextEdit`` per fix); creating a missing
group option is a ``CreateFile`` followed by a ``TextDocumentEdit`` that
fills it, offered only to clients that announce resource operations.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from trainpath.chain.query_fix import FIXABLE, CreateFix, TextFix, fixes_for
from trainpath.findings import Finding
from trainpath.lsp.convert import path_to_uri, span_to_range
from trainpath.lsp.server import TrainpathServer, server

QUICKFIX = types.CodeActionKind.QuickFix


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[QUICKFIX], resolve_provider=False),
)
def code_action(ls: TrainpathServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    try:
        return _code_actions(ls, params)
    except Exception as exc:  # noqa: BLE001 - never fail a request on odd input
        ls.log(f"trainpath: code actions failed: {type(exc).__name__}: {exc}", types.MessageType.Error)
        return []


def _code_actions(ls: TrainpathServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    only = params.context.only
    if only and not any(QUICKFIX == k or QUICKFIX.startswith(f"{k}.") or k == "" for k in only):
        return []
    state, path = ls.state_for(params.text_document.uri)
    if state is None or path is None or state.model is None:
        return []
    can_create = _can_create_files(ls)
    actions: list[types.CodeAction] = []
    with state.lock:
        pairs = _findings_for_request(state, path, params)
        for finding, diagnostic in pairs:
            for fix in fixes_for(state.model, finding):
                if isinstance(fix, CreateFix) and not can_create:
                    continue
                actions.append(_action(fix, diagnostic))
    return actions


def _findings_for_request(state, path: Path, params: types.CodeActionParams) -> list[tuple[Finding, types.Diagnostic]]:
    """(finding, client diagnostic) pairs: the context's diagnostics that match a current finding."""
    current = [f for f in state.findings_for(path) if f.code in FIXABLE]
    ranged = [(f, span_to_range(f.path, f.span)) for f in current]
    out: list[tuple[Finding, types.Diagnostic]] = []
    ours = [d for d in params.context.diagnostics if d.source in (None, "trainpath") and d.code in FIXABLE]
    if ours:
        for diag in ours:
            for f, rng in ranged:
                if f.code == diag.code and rng == diag.range:
                    out.append((f, diag))
                    break
        return out
    if params.context.diagnostics:
        return out  # only other tools' diagnostics under the cursor
    for f, rng in ranged:
        if _overlaps(rng, params.range):
            out.append((f, _diagnostic(f, rng)))
    return out


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _diagnostic(f: Finding, rng: types.Range) -> types.Diagnostic:
    from trainpath.lsp.convert import to_diagnostic

    diag = to_diagnostic(f)
    diag.range = rng
    return diag


def _can_create_files(ls: TrainpathServer) -> bool:
    caps = ls.client_capabilities
    ws = caps.workspace if caps is not None else None
    edit = ws.workspace_edit if ws is not None else None
    ops = edit.resource_operations if edit is not None else None
    return bool(ops) and types.ResourceOperationKind.Create in ops


def _action(fix, diagnostic: types.Diagnostic) -> types.CodeAction:
    if isinstance(fix, TextFix):
        edit = types.WorkspaceEdit(changes={
            path_to_uri(fix.path): [types.TextEdit(range=span_to_range(fix.path, fix.span), new_text=fix.new_text)],
        })
    else:
        uri = path_to_uri(fix.path)
        origin = types.Position(line=0, character=0)
        edit = types.WorkspaceEdit(document_changes=[
            types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[types.TextEdit(range=types.Range(start=origin, end=origin), new_text=fix.content)],
            ),
        ])
    return types.CodeAction(
        title=fix.title,
        kind=QUICKFIX,
        diagnostics=[diagnostic],
        is_preferred=True if fix.preferred else None,
        edit=edit,
    )
