from models.encoders.factory import ENCODERS, create_encoder

__all__ = ["ENCODERS", "create_encoder"]
