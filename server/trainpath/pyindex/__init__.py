"""Static Python index: resolve model classes and read facts from their code, never importing it.

``PyIndex(roots)`` finds modules by path, follows imports and re-exports with
``ast``, and answers the questions the training-path rules ask about a model
class: its constructor signature, its config class, the values it accepts for
a config key, its training forward mode and its halting behaviour.
"""

from trainpath.pyindex.index import PyIndex
from trainpath.pyindex.types import Choices, ConfigClass, Field, Halting, Param, Symbol, TrainForward

__all__ = ["Choices", "ConfigClass", "Field", "Halting", "Param", "PyIndex", "Symbol", "TrainForward"]
