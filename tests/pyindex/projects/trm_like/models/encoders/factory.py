from models.encoders.standard import StandardEncoder


def create_encoder(config):
    if config.encoder_type == "standard":
        return StandardEncoder(config)
    elif config.encoder_type in ("hybrid_standard", "hybrid_variational"):
        return StandardEncoder(config)
    else:
        raise ValueError(f"unknown encoder_type {config.encoder_type}")
