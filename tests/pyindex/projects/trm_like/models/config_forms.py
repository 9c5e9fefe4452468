from dataclasses import dataclass, field
import pydantic
from external_lib import ExternalConfig


@dataclass
class DCConfig:
    hidden: int
    # how many layers
    # (encoder only)
    layers: int = 2
    tags: list = field(default_factory=list)
    skipped: int = field(init=False, default=0)


class DCModel:
    def __init__(self, cfg: dict):
        self.cfg = DCConfig(**cfg)


class V1Config(pydantic.BaseModel):
    size: int

    class Config:
        extra = "allow"


class KwConfig(pydantic.BaseModel, extra="forbid"):
    size: int


def make_config(d):
    return KwConfig(**d)


class HelperModel:
    def __init__(self, config_dict):
        self.config = make_config(config_dict)


class Base:
    def __init__(self, config_dict):
        self.config = V1Config.model_validate(config_dict)


class Derived(Base):
    def __init__(self, config_dict):
        super().__init__(config_dict)


class Inherits(Base):
    pass


class ExtConfig(ExternalConfig):
    size: int


class ExtModel:
    def __init__(self, config_dict):
        self.config = ExtConfig(**config_dict)


class Ambiguous:
    def __init__(self, config_dict, use_v1):
        if use_v1:
            self.config = V1Config(**config_dict)
        else:
            self.config = KwConfig(**config_dict)


class Typed:
    def __init__(self, config: V1Config):
        self.config = config
