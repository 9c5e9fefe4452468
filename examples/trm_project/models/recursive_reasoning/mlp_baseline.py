"""A one-shot MLP baseline: no recursion, no halting, a single forward per sample."""

from typing import Any, Dict, Optional

from pydantic import BaseModel

from models.recursive_reasoning.trm import _Module


class MLPBaselineConfig(BaseModel):
    batch_size: int
    seq_len: int
    vocab_size: int
    num_puzzle_identifiers: int
    puzzle_emb_ndim: int = 0

    hidden_size: int
    num_layers: int = 4  # hidden layers
    dropout: float = 0.0


class MLPBaseline(_Module):
    def __init__(self, config_dict: dict):
        super().__init__()
        self.config = MLPBaselineConfig(**config_dict)

    def forward(self, batch: Dict[str, Any], carry: Optional[Any] = None):
        x = batch["inputs"]
        for _layer in range(self.config.num_layers):
            x = [v * 0.5 for v in x]
        return carry, {"logits": x}

    __call__ = forward
