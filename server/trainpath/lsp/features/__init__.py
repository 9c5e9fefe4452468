"""One LSP feature per module; each module registers its handlers on ``trainpath.lsp.server.server``.

Features are thin: they map the cursor to a link of the chain model (or a
key of a composed config) and answer from the index, never by re-parsing.
"""

#: modules imported by ``register_features`` (order does not matter)
FEATURES: tuple[str, ...] = (
    "diagnostics",
    "definition",
    "references",
    "document_links",
    "rename",
    "symbols",
    "hover",
    "completion",
    "code_actions",
    "code_lens",
    "commands",
)
