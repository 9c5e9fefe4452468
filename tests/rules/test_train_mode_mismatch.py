"""``train-mode-mismatch``: the config selects one training mode and the model's training forward implements the other."""

from tests.rules.conftest import ARCH_TRM, TRM_PY, check, only, where
from trainpath.parsing.positions import Span

ONLINE_PY = '''\
"""TRM, online variant: a fixed number of ACT steps per sample."""

from pydantic import BaseModel


class TRMOnlineConfig(BaseModel):
    hidden_size: int
    puzzle_emb_ndim: int = 0
    num_act_steps: int
    act_mode: str = "online"


class TRMOnline:
    training: bool = True

    def __init__(self, config_dict: dict):
        self.config = TRMOnlineConfig(**config_dict)

    def forward(self, batch, carry=None):
        if self.training:
            return self._forward_train_online(batch)
        return self._forward_train_online(batch)

    def _forward_train_online(self, batch):
        outputs = []
        for step in range(self.config.num_act_steps):
            outputs.append(step)
        return None, outputs
'''

MLP_PY = '''\
"""No recursion, no halting."""

from pydantic import BaseModel


class MLPConfig(BaseModel):
    hidden_size: int
    act_mode: str = "fixed"


class MLP:
    def __init__(self, config_dict: dict):
        self.config = MLPConfig(**config_dict)

    def forward(self, batch, carry=None):
        return carry, batch
'''

LOSS = "loss:\n  name: losses@ACTLossHead\n  loss_type: softmax_cross_entropy\n"


def test_fires_at_num_act_steps_on_a_dynamic_model(project) -> None:
    root = project({"config/arch/trm.yaml": ARCH_TRM + "num_act_steps: 4\n"})
    findings = check(root)
    [f] = only(findings, "train-mode-mismatch")
    assert where(root, f) == ("config/arch/trm.yaml", Span(10, 0, 10, 13), "num_act_steps")
    assert f.message.startswith(
        "the config selects fixed/online (loop num_act_steps, cache the encoder) with `num_act_steps: 4`, but `TRM` "
        "trains in dynamic/original (one step per forward, carry persists, re-encode): forward() calls "
        "_forward_train_original()")
    # the key is also no field of the config class
    assert sorted(x.code for x in findings) == ["train-mode-mismatch", "unknown-model-param"]


def test_fires_at_an_act_mode_value_that_says_dynamic_on_an_online_model(project) -> None:
    root = project({"models/recursive_reasoning/online.py": ONLINE_PY,
                    "config/arch/online.yaml": f"name: recursive_reasoning.online@TRMOnline\n{LOSS}hidden_size: 64\n"
                                               "num_act_steps: 4\n",
                    "jobs.txt": "[ ] python pretrain.py arch=online +arch.act_mode=dynamic\n"})
    findings = check(root)
    [f] = only(findings, "train-mode-mismatch")
    assert where(root, f) == ("jobs.txt", Span(0, 50, 0, 57), "dynamic")
    assert f.message.startswith("the config selects dynamic/original (one step per forward, carry persists, re-encode) "
                                "with `act_mode: dynamic`, but `TRMOnline` trains in fixed/online")
    assert [x.code for x in findings] == ["train-mode-mismatch"]


def test_silent_on_matching_modes_and_on_models_that_do_not_halt(project) -> None:
    root = project({
        "models/recursive_reasoning/online.py": ONLINE_PY,
        "config/arch/online.yaml": f"name: recursive_reasoning.online@TRMOnline\n{LOSS}hidden_size: 64\n"
                                   "num_act_steps: 4\nact_mode: online\n",
        "models/recursive_reasoning/mlp.py": MLP_PY,
        "config/arch/mlp.yaml": f"name: recursive_reasoning.mlp@MLP\n{LOSS}hidden_size: 64\nact_mode: fixed\n",
        "models/recursive_reasoning/trm.py": TRM_PY.replace("    halt_exploration_prob: float\n",
                                                            "    halt_exploration_prob: float\n    act_mode: str = \"dynamic\"\n"),
        "config/arch/trm.yaml": ARCH_TRM + "act_mode: original\n",
        "jobs.txt": "[ ] python pretrain.py\n[ ] python pretrain.py arch=online\n[ ] python pretrain.py arch=mlp\n",
    })
    assert check(root) == []


def test_silent_on_a_leftover_num_act_steps_of_one(project) -> None:
    # seen in the ETRM repo the review guide comes from: `num_act_steps: 1  # Ignored in original mode` on a dynamic
    # model; a loop of one step is what dynamic mode does per forward, so it selects nothing
    model = TRM_PY.replace("    halt_exploration_prob: float\n", "    halt_exploration_prob: float\n    num_act_steps: int = 1\n")
    root = project({"models/recursive_reasoning/trm.py": model,
                    "config/arch/trm.yaml": ARCH_TRM + "num_act_steps: 1  # Ignored in original mode\n"})
    assert check(root) == []
    root = project({"models/recursive_reasoning/trm.py": model, "config/arch/trm.yaml": ARCH_TRM + "num_act_steps: 2\n"})
    assert [(f.code, where(root, f)) for f in check(root)] == [
        ("train-mode-mismatch", ("config/arch/trm.yaml", Span(10, 0, 10, 13), "num_act_steps"))]
