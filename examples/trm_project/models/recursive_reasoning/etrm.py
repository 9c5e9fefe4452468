"""ETRM: TRM whose puzzle representation comes from a demonstration encoder (encoder mode).

Dynamic halting, as in TRM: one forward per call, the carry persists, and the
demos are re-encoded on every ACT step (``_forward_train_original``).
"""

from typing import Any, Dict, Optional

from models.encoders import create_encoder
from models.recursive_reasoning.trm import (
    TinyRecursiveReasoningModel_ACTV1Carry,
    TinyRecursiveReasoningModel_ACTV1Config,
    _Module,
)


class TRMWithEncoderConfig(TinyRecursiveReasoningModel_ACTV1Config):
    # Demo encoder
    encoder_type: str = "standard"  # a key of models.encoders.factory.ENCODERS
    encoder_num_layers: int = 2
    encoder_norm_style: str = "pre"
    max_demos: int = 3  # demonstrations encoded per puzzle


class TRMWithEncoder(_Module):
    """TRM + demo encoder, trained with dynamic halting."""

    def __init__(self, config_dict: dict):
        super().__init__()
        self.config = TRMWithEncoderConfig(**config_dict)
        self.encoder = create_encoder(self.config)

    def initial_carry(self, batch: Dict[str, Any]) -> TinyRecursiveReasoningModel_ACTV1Carry:
        size = len(batch["inputs"])
        return TinyRecursiveReasoningModel_ACTV1Carry([0.0] * size, [0] * size, [True] * size, dict(batch))

    def forward(self, batch: Dict[str, Any], carry: Optional[TinyRecursiveReasoningModel_ACTV1Carry] = None):
        if self.training:
            return self._forward_train_original(batch, carry)
        else:
            return self._forward_eval(batch)

    __call__ = forward

    def _forward_train_original(self, batch: Dict[str, Any], carry: Optional[TinyRecursiveReasoningModel_ACTV1Carry]):
        if carry is None:
            carry = self.initial_carry(batch)

        # Re-encode the demonstrations on every step (gradients reach the encoder each step)
        context = self.encoder(batch["demo_inputs"], batch["demo_labels"])

        steps = [0 if h else s for h, s in zip(carry.halted, carry.steps)]
        inner = [c + context for c in carry.inner_carry]
        q_halt_logits = [c - self.config.halt_max_steps for c in inner]

        steps = [s + 1 for s in steps]
        halted = [s >= self.config.halt_max_steps or q > 0 for s, q in zip(steps, q_halt_logits)]
        if self.config.halt_exploration_prob > 0:
            halted = [h and s >= 2 for h, s in zip(halted, steps)]

        carry = TinyRecursiveReasoningModel_ACTV1Carry(inner, steps, halted, batch)
        return carry, {"logits": inner, "q_halt_logits": q_halt_logits}

    def _forward_eval(self, batch: Dict[str, Any]):
        carry = self.initial_carry(batch)
        outputs: Dict[str, Any] = {}
        for _step in range(self.config.halt_max_steps):
            carry, outputs = self._forward_train_original(batch, carry)
        return carry, outputs
