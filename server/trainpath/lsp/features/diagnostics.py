"""Pull diagnostics: ``textDocument/diagnostic`` and ``workspace/diagnostic``.

Push (``publishDiagnostics``) is in ``server.publish`` for clients that cannot pull.
Result ids are the state's generation: an unchanged generation answers
"unchanged" without resending.
"""

from __future__ import annotations

from lsprotocol import types

from trainpath.lsp.convert import path_to_uri, to_diagnostic
from trainpath.lsp.server import TrainpathServer, server


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(identifier="trainpath", inter_file_dependencies=True, workspace_diagnostics=True),
)
def document_diagnostic(ls: TrainpathServer, params: types.DocumentDiagnosticParams):
    state, path = ls.state_for(params.text_document.uri)
    if state is None or path is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    result_id = f"{state.generation}:{len(state.findings_for(path))}"
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(
        items=[to_diagnostic(f) for f in state.findings_for(path)], result_id=result_id)


@server.feature(types.WORKSPACE_DIAGNOSTIC)
def workspace_diagnostic(ls: TrainpathServer, params: types.WorkspaceDiagnosticParams):
    ls.wait_for_index()
    previous = {p.uri: p.value for p in (params.previous_result_ids or [])}
    items = []
    for state in ls.states.values():
        for path in sorted(state.reported):
            uri = path_to_uri(path)
            result_id = f"{state.generation}:{len(state.findings_for(path))}"
            if previous.get(uri) == result_id:
                items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=None))
                continue
            items.append(types.WorkspaceFullDocumentDiagnosticReport(
                uri=uri, items=[to_diagnostic(f) for f in state.findings_for(path)], result_id=result_id, version=None))
    return types.WorkspaceDiagnosticReport(items=items)
