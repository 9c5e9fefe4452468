from pydantic import ConfigDict

from models.recursive_reasoning.trm import TRMConfig, TRMCarry
from models.encoders import create_encoder


class ETRMConfig(TRMConfig):
    model_config = ConfigDict(extra="allow")

    encoder_type: str = "standard"
    num_act_steps: int = 1


class TRMWithEncoder:
    def __init__(self, config_dict: dict):
        self.config = ETRMConfig(**config_dict)
        self.encoder = create_encoder(self.config)

    def forward(self, batch, carry=None):
        if self.training:
            return self._forward_train_original(batch, carry)
        else:
            return self._forward_eval(batch)

    def _forward_train_original(self, batch, carry):
        needs_reset = carry.halted
        context = self.encoder(batch["demo_inputs"])
        halted = carry.halted
        if self.config.halt_max_steps > 1:
            halted = halted | (torch.rand(1) < self.config.halt_exploration_prob)
        return TRMCarry(halted), context

    def _forward_eval(self, batch):
        return None
