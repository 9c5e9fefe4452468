from ..models.losses import ACTLossHead
from ...beyond import Nothing
