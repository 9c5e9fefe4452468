"""Demo encoders and the factory that picks one from ``config.encoder_type``.

| encoder_type        | layers | architecture                                      |
| standard            | 2      | per-demo transformer -> mean aggregation          |
| hybrid_standard     | 4      | per-demo transformer -> set transformer -> mean    |
| hybrid_variational  | 4      | per-demo transformer -> cross-attention           |
| lpn_standard        | 6      | LPN-style                                         |
| lpn_variational     | 6      | LPN variational (test-time optimisation)          |
"""

from typing import Any


class StandardEncoder:
    def __init__(self, num_layers: int = 2):
        self.num_layers = num_layers

    def __call__(self, demo_inputs: Any, demo_labels: Any) -> float:
        return 0.0


class HybridStandardEncoder(StandardEncoder):
    pass


class HybridVariationalEncoder(StandardEncoder):
    pass


class LPNStandardEncoder(StandardEncoder):
    pass


class LPNVariationalEncoder(StandardEncoder):
    pass


ENCODERS = {
    "standard": StandardEncoder,
    "hybrid_standard": HybridStandardEncoder,
    "hybrid_variational": HybridVariationalEncoder,
    "lpn_standard": LPNStandardEncoder,
    "lpn_variational": LPNVariationalEncoder,
}


def create_encoder(config: Any) -> StandardEncoder:
    """Build the demo encoder named by ``config.encoder_type`` (a KeyError for any other name)."""
    encoder_cls = ENCODERS[config.encoder_type]
    return encoder_cls(num_layers=config.encoder_num_layers)
