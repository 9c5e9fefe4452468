"""Loss heads: wrap a model and turn its outputs into a loss and metrics."""

from typing import Any


IGNORE_LABEL_ID = -100


class ACTLossHead:
    def __init__(self, model: Any, loss_type: str):
        self.model = model
        self.loss_type = loss_type  # softmax_cross_entropy | stablemax_cross_entropy

    def __call__(self, carry: Any = None, batch: Any = None, return_keys: Any = ()):
        carry, outputs = self.model(batch, carry)
        return carry, 0.0, {}, outputs, carry is None
