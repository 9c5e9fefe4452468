"""The command line: ``trainpath check | chain | compose | serve`` (see shared/contract.md)."""
