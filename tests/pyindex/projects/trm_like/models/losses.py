from torch import nn


class ACTLossHead(nn.Module):
    def __init__(self, model, loss_type: str = "softmax_cross_entropy", **kwargs):
        super().__init__()
