"""ETRM, online variant: a fixed number of ACT steps per sample (fixed mode).

The training forward loops ``num_act_steps`` times over the same batch and
encodes the demos once, caching the encoder output after the first step.
"""

from typing import Any, Dict, Optional

from models.encoders import create_encoder
from models.recursive_reasoning.etrm import TRMWithEncoderConfig
from models.recursive_reasoning.trm import _Module


class TRMWithEncoderOnlineConfig(TRMWithEncoderConfig):
    num_act_steps: int  # ACT steps per sample, fixed


class TRMWithEncoderOnline(_Module):
    """TRM + demo encoder, trained with a fixed number of steps per sample."""

    def __init__(self, config_dict: dict):
        super().__init__()
        self.config = TRMWithEncoderOnlineConfig(**config_dict)
        self.encoder = create_encoder(self.config)

    def forward(self, batch: Dict[str, Any], carry: Optional[Any] = None):
        if self.training:
            return self._forward_train_online(batch)
        else:
            return self._forward_eval(batch)

    __call__ = forward

    def _forward_train_online(self, batch: Dict[str, Any]):
        context = None
        z = [0.0] * len(batch["inputs"])
        outputs = []
        for step in range(self.config.num_act_steps):
            if context is None:
                # Encode once, reuse the cached output on the following steps
                context = self.encoder(batch["demo_inputs"], batch["demo_labels"])
            z = [v + context for v in z]
            outputs.append({"step": step, "logits": z})
        return None, outputs

    def _forward_eval(self, batch: Dict[str, Any]):
        return self._forward_train_online(batch)
