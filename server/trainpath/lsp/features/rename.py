"""``textDocument/prepareRename`` + ``textDocument/rename``: rename a config and every name that selects it.

Invoked on a name that selects a config file -- a defaults entry's option
(``- arch: etrm``), a job's group override (``arch=etrm``), ``--config-name``
or a decorator's ``config_name`` -- the rename is one ``WorkspaceEdit`` with
``documentChanges``: a text edit for every such name in the project (defaults
entries of every config in the folder, job lines, decorators; only the name's
last segment, so ``arch/etrm.yaml`` keeps its folder and suffix) and a
``RenameFile`` of the config itself.

Errors (an LSP ``RequestFailed`` with a message for the user): the client
cannot apply file renames in a workspace edit, the new name is empty, has a
space or a ``/`` (a rename never moves a config), is not a usable option name,
or a config of that name exists already.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from trainpath.chain.query_nav import check_new_name, rename_edits, rename_site_at
from trainpath.lsp.convert import path_to_uri, span_to_range
from trainpath.lsp.features.definition import cursor
from trainpath.lsp.server import TrainpathServer, server

NO_RESOURCE_OPS = ("trainpath: renaming a config renames its file, and this editor does not accept file renames "
                   "in a workspace edit (it lacks workspace.workspaceEdit.documentChanges and resourceOperations "
                   "'rename'); rename the file and its names by hand")


def _fail(message: str) -> JsonRpcException:
    return JsonRpcException(message=message, code=int(types.LSPErrorCodes.RequestFailed))


def supports_file_rename(ls: TrainpathServer) -> bool:
    caps = ls.client_capabilities
    ws = caps.workspace if caps else None
    edit = ws.workspace_edit if ws else None
    if edit is None or not edit.document_changes:
        return False
    return types.ResourceOperationKind.Rename in (edit.resource_operations or ())


def _site(ls: TrainpathServer, uri: str, position: types.Position):
    ctx = cursor(ls, uri, position)
    if ctx is None:
        return None, None
    state, path, line, col = ctx
    with state.lock:
        return state, rename_site_at(state.model, path, line, col)


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: TrainpathServer, params: types.PrepareRenameParams):
    try:
        state, site = _site(ls, params.text_document.uri, params.position)
    except Exception as exc:  # noqa: BLE001 - odd input must not break the editor
        ls.log(f"trainpath: prepareRename failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        return None
    if site is None:
        return None
    if not supports_file_rename(ls):
        raise _fail(NO_RESOURCE_OPS)
    return types.PrepareRenamePlaceholder(range=span_to_range(site.origin.path, site.origin.span), placeholder=site.old)


@server.feature(types.TEXT_DOCUMENT_RENAME)
def rename(ls: TrainpathServer, params: types.RenameParams):
    try:
        state, site = _site(ls, params.text_document.uri, params.position)
    except Exception as exc:  # noqa: BLE001
        ls.log(f"trainpath: rename failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        return None
    if site is None:
        return None
    if not supports_file_rename(ls):
        raise _fail(NO_RESOURCE_OPS)
    new, problem = check_new_name(site, params.new_name)
    if problem is not None:
        raise _fail(f"trainpath: cannot rename `{site.old}` to `{params.new_name}`: {problem}")
    with state.lock:
        edits = rename_edits(state.model, site, new)
    changes: list = []
    for path, items in edits.items():
        uri = path_to_uri(path)
        doc = ls.workspace.text_documents.get(uri)
        changes.append(types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=doc.version if doc else None),
            edits=[types.TextEdit(range=span_to_range(path, span), new_text=text) for span, text in items],
        ))
    changes.append(types.RenameFile(
        old_uri=path_to_uri(site.file), new_uri=path_to_uri(site.file.with_name(new + ".yaml")),
        options=types.RenameFileOptions(overwrite=False, ignore_if_exists=False),
    ))
    return types.WorkspaceEdit(document_changes=changes)
