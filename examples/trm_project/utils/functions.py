"""Small helpers shared by the training scripts."""

import importlib
import inspect


def load_model_class(identifier: str, prefix: str = "models."):
    """Import ``<prefix><module>`` and return its attribute ``<Class>`` for ``"module@Class"``."""
    module_path, class_name = identifier.split("@")

    # Import the module, then fetch the class from it
    module = importlib.import_module(prefix + module_path)
    cls = getattr(module, class_name)

    return cls


def get_model_source_path(identifier: str, prefix: str = "models."):
    """Where the class named by ``identifier`` is defined (used when saving checkpoints)."""
    module_path, class_name = identifier.split("@")

    module = importlib.import_module(prefix + module_path)
    return inspect.getsourcefile(module)
