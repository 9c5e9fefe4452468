from models.encoders.standard import StandardEncoder

POOLING = ("mean", "attention")
ENCODERS = {"standard": StandardEncoder, "lpn": StandardEncoder}


class OpenIf:
    def __init__(self, config):
        self.config = config
        if self.config.encoder_type == "standard":
            self.enc = 1
        elif "hybrid" == self.config.encoder_type:
            self.enc = 2


class ClosedElseRaise:
    def __init__(self, config):
        kind = config.encoder_type
        if kind == "standard":
            pass
        elif kind in ["hybrid_standard", "lpn_standard"]:
            pass
        else:
            raise ValueError(kind)


class DictDispatch:
    def __init__(self, config):
        self.enc = ENCODERS[config.encoder_type](config)
        self.pool = {"mean": 1, "max": 2}.get(config.pooling)


class ModuleTuple:
    def __init__(self, cfg):
        assert cfg.pooling in POOLING, "bad pooling"
        if cfg.encoder_type not in ("a", "b"):
            raise ValueError("encoder")


class Matching:
    def setup(self):
        match self.config.encoder_type:
            case "standard" | "hybrid":
                pass
            case _:
                raise NotImplementedError


class MatchingOpen:
    def setup(self):
        match self.config.encoder_type:
            case "standard":
                pass


class ByValue:
    def __init__(self, config):
        self.enc = build(config.encoder_type)


def build(kind):
    if kind == "x":
        return 1
    raise ValueError(kind)


class NoChoices:
    def __init__(self, config):
        self.size = config.hidden_size
