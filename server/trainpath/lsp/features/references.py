"""``textDocument/references``: every config, job line and decorator that leads here.

The thing asked about is the target of the link under the cursor (``- arch:
etrm`` asks about ``config/arch/etrm.yaml``), else the config file the cursor
is in (anywhere in it), else -- in Python -- the class whose ``class`` line the
cursor is on, or the training script the cursor is in.  The answer is
``Graph.links_to``: the places whose text names it, one per place, sorted.
``includeDeclaration`` adds the target itself (a file: its first position; a
class: its name) first.
"""

from __future__ import annotations

from lsprotocol import types

from trainpath.chain.query_nav import references_at
from trainpath.lsp.convert import location
from trainpath.lsp.features.definition import cursor
from trainpath.lsp.server import TrainpathServer, server


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: TrainpathServer, params: types.ReferenceParams):
    try:
        ctx = cursor(ls, params.text_document.uri, params.position)
        if ctx is None:
            return None
        state, path, line, col = ctx
        with state.lock:
            decl, links = references_at(state.model, path, line, col)
        if decl is None:
            return None
        out = [location(l.source.path, l.source.span) for l in links]
        include = params.context is not None and params.context.include_declaration
        if include:
            out.insert(0, location(decl.path, decl.span))
        return out
    except Exception as exc:  # noqa: BLE001 - odd input must not break the editor
        ls.log(f"trainpath: references failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        return None
