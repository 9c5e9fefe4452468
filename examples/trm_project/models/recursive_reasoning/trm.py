"""Tiny Recursive Reasoning Model with ACT (dynamic halting), embedding mode.

The example keeps the control flow of the real model and replaces the tensor
code with small stand-ins, so it reads in a minute and never needs torch.
"""

from dataclasses import dataclass
from typing import Any, Dict, Optional

from pydantic import BaseModel


class _Module:
    """Stand-in for ``torch.nn.Module``: just the ``training`` flag."""

    training: bool = True

    def train(self, mode: bool = True) -> "_Module":
        self.training = mode
        return self


@dataclass
class TinyRecursiveReasoningModel_ACTV1Carry:
    inner_carry: Any
    steps: Any
    halted: Any
    current_data: Dict[str, Any]


class TinyRecursiveReasoningModel_ACTV1Config(BaseModel):
    batch_size: int
    seq_len: int
    puzzle_emb_ndim: int = 0
    num_puzzle_identifiers: int
    vocab_size: int

    H_cycles: int
    L_cycles: int

    H_layers: int  # ignored
    L_layers: int

    # Transformer config
    hidden_size: int
    expansion: float
    num_heads: int
    pos_encodings: str

    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0

    # Halting Q-learning config
    halt_max_steps: int
    halt_exploration_prob: float

    forward_dtype: str = "bfloat16"

    # Alexia: added
    mlp_t: bool = False  # use mlp on L instead of transformer
    puzzle_emb_len: int = 16  # if non-zero, its specified to this value
    no_ACT_continue: bool = True  # No continue ACT loss, only use the sigmoid of the halt


class TinyRecursiveReasoningModel_ACTV1(_Module):
    """ACT wrapper: one recursion step per call, the carry persists between calls."""

    def __init__(self, config_dict: dict):
        super().__init__()
        self.config = TinyRecursiveReasoningModel_ACTV1Config(**config_dict)

    def initial_carry(self, batch: Dict[str, Any]) -> TinyRecursiveReasoningModel_ACTV1Carry:
        size = len(batch["inputs"])
        return TinyRecursiveReasoningModel_ACTV1Carry(
            inner_carry=[0.0] * size,
            steps=[0] * size,
            halted=[True] * size,  # default to halted: the first call resets every sample
            current_data={k: v for k, v in batch.items()},
        )

    def forward(self, batch: Dict[str, Any], carry: Optional[TinyRecursiveReasoningModel_ACTV1Carry] = None):
        if self.training:
            return self._forward_train_original(batch, carry)
        else:
            return self._forward_eval(batch)

    __call__ = forward

    def _inner(self, inner_carry: Any, data: Dict[str, Any]):
        # H_cycles x L_cycles recursion on (z_H, z_L); returns new carry, logits, (q_halt, q_continue)
        for _h in range(self.config.H_cycles):
            for _l in range(self.config.L_cycles):
                inner_carry = inner_carry + 1.0
        q_halt_logits = inner_carry - self.config.halt_max_steps
        return inner_carry, data["inputs"], (q_halt_logits, -q_halt_logits)

    def _forward_train_original(self, batch: Dict[str, Any], carry: Optional[TinyRecursiveReasoningModel_ACTV1Carry]):
        if carry is None:
            carry = self.initial_carry(batch)

        # Reset halted samples with fresh data, keep the others
        steps = [0 if h else s for h, s in zip(carry.halted, carry.steps)]
        new_inner, logits, (q_halt_logits, q_continue_logits) = self._inner(carry.inner_carry, batch)

        steps = [s + 1 for s in steps]
        is_last_step = [s >= self.config.halt_max_steps for s in steps]
        halted = [last or q > 0 for last, q in zip(is_last_step, [q_halt_logits])]

        # Exploration: force a random minimum number of steps
        if self.config.halt_exploration_prob > 0:
            min_halt_steps = [2 for _ in steps]
            halted = [h and s >= m for h, s, m in zip(halted, steps, min_halt_steps)]

        carry = TinyRecursiveReasoningModel_ACTV1Carry(new_inner, steps, halted, batch)
        return carry, {"logits": logits, "q_halt_logits": q_halt_logits, "q_continue_logits": q_continue_logits}

    def _forward_eval(self, batch: Dict[str, Any]):
        carry = self.initial_carry(batch)
        outputs: Dict[str, Any] = {}
        for _step in range(self.config.halt_max_steps):
            carry, outputs = self._forward_train_original(batch, carry)
        return carry, outputs
