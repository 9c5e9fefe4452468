from models.recursive_reasoning.etrm import ETRMConfig


class OnlineTRM:
    def __init__(self, config_dict: dict):
        self.config = ETRMConfig(**config_dict)

    def forward(self, batch, carry=None):
        if not self.training:
            return self._forward_eval(batch)
        else:
            return self._forward_train_online(batch)

    def _forward_train_online(self, batch):
        context = self.encoder(batch["demo_inputs"])
        for step in range(self.config.num_act_steps):
            carry = self.inner(carry, context)
        return carry

    def _forward_eval(self, batch):
        return None


class FixedReencode:
    def forward(self, batch):
        if self.training:
            return self._train(batch)
        return None

    def _train(self, batch):
        for step in range(self.config.num_act_steps):
            context = self.demo_encoder(batch)
        return context


class Unsure:
    def forward(self, batch):
        if self.training:
            return self._step(batch)
        return None

    def _step(self, batch):
        return batch


class NamedOnly:
    def forward(self, batch):
        if self.training:
            return self._forward_train_dynamic(batch)
        return None

    def _forward_train_dynamic(self, batch):
        return self.inner(batch)


class Dispatching:
    def forward(self, batch, carry=None):
        if self.training:
            if self.config.act_mode == "online":
                return self._forward_train_online(batch)
            elif self.config.act_mode == "original":
                return self._forward_train_original(batch, carry)
            else:
                return self._forward_train_original(batch, carry)
        return None

    def _forward_train_online(self, batch):
        for _ in range(self.config.num_act_steps):
            batch = self.inner(batch)
        return batch

    def _forward_train_original(self, batch, carry):
        halted = carry.halted
        return carry, halted


class NoForward:
    pass
