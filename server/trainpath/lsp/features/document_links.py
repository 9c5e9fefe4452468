"""``textDocument/documentLink``: every path-like name in a file is clickable.

A job line's script and ``--config-name``, a group override's option
(``arch=etrm``), a decorator's ``config_name``, a defaults entry's option, and
the module part of ``module@Class`` / ``_target_`` names each link to the file
they name -- also in clients that offer no definition for YAML or job files.
Names that lead nowhere (a missing script or config) get no link: their
diagnostic says why.
"""

from __future__ import annotations

from lsprotocol import types

from trainpath.chain.query_nav import document_links as links_in
from trainpath.lsp.convert import path_to_uri, span_to_range
from trainpath.lsp.server import TrainpathServer, server


def _tooltips(ls: TrainpathServer) -> bool:
    caps = ls.client_capabilities
    td = caps.text_document if caps else None
    dl = td.document_link if td else None
    return bool(dl is not None and dl.tooltip_support)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))
def document_link(ls: TrainpathServer, params: types.DocumentLinkParams):
    try:
        state, path = ls.state_for(params.text_document.uri)
        if state is None or path is None or state.model is None:
            return None
        with state.lock:
            found = links_in(state.model, path)
            project = state.project
            tips = _tooltips(ls)
            return [types.DocumentLink(range=span_to_range(path, span), target=path_to_uri(target),
                                       tooltip=project.rel(target) if tips else None) for span, target in found]
    except Exception as exc:  # noqa: BLE001 - odd input must not break the editor
        ls.log(f"trainpath: document links failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        return None
