"""The language server: ``trainpath serve``.

- ``server``    -- the pygls server, its lifecycle and the registration of every feature
- ``state``     -- one :class:`~trainpath.lsp.state.ProjectState` per workspace folder:
                   the project model, its findings, and incremental re-checks
- ``convert``   -- positions (code points <-> UTF-16), URIs, findings -> diagnostics
- ``features/`` -- one LSP feature per module, each thin: it asks the chain model
"""
