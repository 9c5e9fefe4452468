"""Pull diagnostics: ``textDocument/diagnostic`` and ``workspace/diagnostic``.

Push (``publishDiagnostics``) is in ``server.publish`` for clients that cannot
pull.  A file's result id changes exactly when its findings change
(:meth:`ProjectState.result_id`, prefixed with this server run's id), so a
client that sends the previous id back gets an "unchanged" report.  Files that
belong to no training path (a CI workflow, an unrelated script, a file outside
every workspace folder) always get an empty report.
"""

from __future__ import annotations

import os
from pathlib import Path

from lsprotocol import types

from trainpath.lsp.convert import path_to_uri, to_diagnostic
from trainpath.lsp.server import TrainpathServer, server
from trainpath.lsp.state import ProjectState

#: distinguishes this server run's result ids from an earlier run's
RUN = f"{os.getpid():x}"


def _result_id(state: ProjectState, path: Path) -> str:
    return f"{RUN}-{state.result_id(path)}"


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(identifier="trainpath", inter_file_dependencies=True, workspace_diagnostics=True),
)
def document_diagnostic(ls: TrainpathServer, params: types.DocumentDiagnosticParams):
    try:
        state, path = ls.state_for(params.text_document.uri)
    except Exception:  # noqa: BLE001 - an odd URI gets an empty report
        state, path = None, None
    if state is None or path is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    with state.lock:
        result_id = _result_id(state, path)
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        findings = state.findings_for(path)
    return types.RelatedFullDocumentDiagnosticReport(items=[to_diagnostic(f) for f in findings], result_id=result_id)


@server.feature(types.WORKSPACE_DIAGNOSTIC)
def workspace_diagnostic(ls: TrainpathServer, params: types.WorkspaceDiagnosticParams):
    ls.wait_for_index()
    previous = {p.uri: p.value for p in (params.previous_result_ids or [])}
    items: list = []
    for state in list(ls.states.values()):
        with state.lock:
            snapshot = [(path, _result_id(state, path), state.findings_for(path)) for path in sorted(state.reported)]
        for path, result_id, findings in snapshot:
            uri = path_to_uri(path)
            doc = ls.workspace.text_documents.get(uri)
            version = doc.version if doc is not None else None
            if previous.get(uri) == result_id:
                items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=version))
                continue
            items.append(types.WorkspaceFullDocumentDiagnosticReport(
                uri=uri, items=[to_diagnostic(f) for f in findings], result_id=result_id, version=version))
    return types.WorkspaceDiagnosticReport(items=items)
