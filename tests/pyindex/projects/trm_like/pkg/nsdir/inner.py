class InNamespace:
    """Lives in a namespace package."""
