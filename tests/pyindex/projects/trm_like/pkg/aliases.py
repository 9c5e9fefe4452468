import models.recursive_reasoning.trm as trm_mod
import models.losses
from models.losses import ACTLossHead as Head
from torch.nn import Linear
from . import side_effect

TRMAlias = trm_mod.TRM
Other = Head
LossViaPackage = models.losses.ACTLossHead
Rate = 0.5

try:
    from fastlib import Thing
except ImportError:
    class Thing:
        pass

if Rate > 1:
    def pick(a, b=2):
        return a
else:
    def pick(a, b=3, *rest, flag: bool = False):
        return b


def _hidden():
    pass
