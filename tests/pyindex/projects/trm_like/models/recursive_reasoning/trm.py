from typing import Dict
from dataclasses import dataclass

import torch
from torch import nn
from pydantic import BaseModel

__all__ = ["TRM", "TRMConfig"]


class TRMConfig(BaseModel):
    batch_size: int
    H_cycles: int

    # Halting Q-learning config
    halt_max_steps: int
    halt_exploration_prob: float

    puzzle_emb_len: int = 16 # if non-zero, its specified to this value
    _private: int = 0


@dataclass
class TRMCarry:
    halted: torch.Tensor


class TRM(nn.Module):
    """ACT wrapper."""

    def __init__(self, config_dict: dict):
        super().__init__()
        self.config = TRMConfig(**config_dict)

    def forward(self, carry, batch):
        halted = carry.halted
        if self.training and (self.config.halt_max_steps > 1):
            explore = torch.rand(1) < self.config.halt_exploration_prob
            halted = halted | explore
        return TRMCarry(halted), {}


class Helper:
    pass
