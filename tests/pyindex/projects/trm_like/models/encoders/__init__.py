from .factory import create_encoder
