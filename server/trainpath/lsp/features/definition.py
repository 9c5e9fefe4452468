"""``textDocument/definition``: from every link of a training path to the next.

- a job line's script -> the script file; ``--config-name X`` and a decorator's
  ``config_name`` -> the config; ``- arch: etrm`` and a job's ``arch=etrm`` ->
  ``config/arch/etrm.yaml``;
- a job's ``arch.L_cycles=4`` -> the YAML key that sets ``arch.L_cycles`` last
  when that override is left out (the job's other overrides still apply);
- ``name: recursive_reasoning.etrm@TRMWithEncoder`` (and ``losses@X``,
  evaluator names, ``_target_``): the class part -> the class's line, a module
  segment -> that module's file;
- ``${a.b}`` / ``${.x}`` -> the key it points at;
- a key of a main config's ``arch:`` block -> the same key in the arch config.

Clients that accept ``LocationLink`` get one (with the range of the name under
the cursor); others get plain ``Location``s.  Nothing to go to -> ``None``.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from trainpath.chain.query_nav import definition_at
from trainpath.lsp.convert import path_to_uri, position_from_client, span_to_range
from trainpath.lsp.server import TrainpathServer, server


def cursor(ls: TrainpathServer, uri: str, position: types.Position):
    """(state, path, line, col) for a request, or None when no indexed project owns the document."""
    state, path = ls.state_for(uri)
    if state is None or path is None or state.model is None:
        return None
    line, col = position_from_client(path, position)
    return state, path, line, col


def supports_links(ls: TrainpathServer) -> bool:
    caps = ls.client_capabilities
    td = caps.text_document if caps else None
    definition = td.definition if td else None
    return bool(definition is not None and definition.link_support)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: TrainpathServer, params: types.DefinitionParams):
    try:
        ctx = cursor(ls, params.text_document.uri, params.position)
        if ctx is None:
            return None
        state, path, line, col = ctx
        with state.lock:
            targets = definition_at(state.model, path, line, col)
        if not targets:
            return None
        return _answer(ls, path, targets)
    except Exception as exc:  # noqa: BLE001 - odd input must not break the editor
        ls.log(f"trainpath: definition failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        return None


def _answer(ls: TrainpathServer, path: Path, targets) -> list:
    if supports_links(ls):
        return [types.LocationLink(
            target_uri=path_to_uri(t.path),
            target_range=span_to_range(t.path, t.span),
            target_selection_range=span_to_range(t.path, t.selection),
            origin_selection_range=span_to_range(path, t.origin) if t.origin is not None else None,
        ) for t in targets]
    return [types.Location(uri=path_to_uri(t.path), range=span_to_range(t.path, t.selection)) for t in targets]
