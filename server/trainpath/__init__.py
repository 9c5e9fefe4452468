"""trainpath: make a Hydra training repository's training path visible and checkable.

Layers (each a sub-package):

- ``parsing``  -- position-aware readers for YAML configs, job files and scripts
- ``compose``  -- a static, Hydra-1.3-exact config composer with provenance
- ``pyindex``  -- static (ast-only) questions about the project's Python code
- ``chain``    -- the typed graph of links job -> script -> config -> arch -> class
- ``rules``    -- one module per rule family, each turning the chain into findings
- ``lsp``      -- the language server; thin features asking the chain model
- ``cli``      -- ``trainpath check | chain | compose | serve``
"""

__version__ = "0.1.0"
