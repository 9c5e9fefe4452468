"""``missing-act-param``: a dynamically halting model whose arch config lacks an ACT parameter."""

from tests.rules.conftest import ARCH_TRM, CFG, TRM_PY, check, where
from trainpath.parsing.positions import Span

MLP_PY = '''\
"""No recursion, no halting."""

from pydantic import BaseModel


class MLPConfig(BaseModel):
    hidden_size: int
    halt_max_steps: int = 0  # kept for checkpoint compatibility, never read


class MLP:
    def __init__(self, config_dict: dict):
        self.config = MLPConfig(**config_dict)

    def forward(self, batch, carry=None):
        return carry, batch
'''


def test_fires_at_the_model_name_for_each_missing_parameter(project) -> None:
    root = project({"config/arch/trm.yaml": ARCH_TRM.replace("halt_exploration_prob: 0.1\nhalt_max_steps: 16\n", "")})
    findings = check(root)
    assert [(where(root, f), f.message) for f in findings] == [
        (("config/arch/trm.yaml", Span(0, 6, 0, 33), "recursive_reasoning.trm@TRM"),
         "`TRM` halts dynamically (its code reads `halt_exploration_prob`), but the arch config does not set "
         "`halt_exploration_prob`"),
        (("config/arch/trm.yaml", Span(0, 6, 0, 33), "recursive_reasoning.trm@TRM"),
         "`TRM` halts dynamically (its code reads `halt_max_steps`), but the arch config does not set `halt_max_steps`"),
    ]
    assert {f.code for f in findings} == {"missing-act-param"}


def test_silent_when_set_elsewhere_defaulted_or_the_model_does_not_halt(project) -> None:
    root = project({
        # halt_max_steps comes from the main config, halt_exploration_prob from the config class's default
        "config/arch/trm.yaml": ARCH_TRM.replace("halt_exploration_prob: 0.1\nhalt_max_steps: 16\n", ""),
        "config/cfg.yaml": CFG + "arch:\n  halt_max_steps: 16\n",
        "models/recursive_reasoning/trm.py": TRM_PY.replace("halt_exploration_prob: float", "halt_exploration_prob: float = 0.0"),
        # a model with no halting at all needs neither
        "models/recursive_reasoning/mlp.py": MLP_PY,
        "config/arch/mlp.yaml": "name: recursive_reasoning.mlp@MLP\nloss:\n  name: losses@ACTLossHead\n"
                                "  loss_type: softmax_cross_entropy\nhidden_size: 64\n",
        "jobs.txt": "[ ] python pretrain.py\n[ ] python pretrain.py arch=mlp\n",
    })
    assert check(root) == []


DICT_TRM_PY = '''\
"""A model that keeps its config as a plain dict and reads the ACT keys with fallbacks."""


class DictTRM:
    def __init__(self, config_dict: dict):
        self.config = config_dict

    def forward(self, batch, carry=None):
        if self.training:
            return self._forward_train_original(batch, carry)
        return carry, batch

    def _forward_train_original(self, batch, carry):
        steps = carry.steps + 1
        halted = steps >= self.config.get("halt_max_steps", 16)
        if getattr(self.config, "halt_exploration_prob", 0.0) > 0:
            halted = halted and steps >= 2
        return carry, halted
'''

DICT_ARCH = "name: recursive_reasoning.dict_trm@DictTRM\nloss:\n  name: losses@ACTLossHead\n" \
            "  loss_type: softmax_cross_entropy\nhidden_size: 64\n"


def test_silent_when_the_code_reads_the_parameter_with_a_fallback(project) -> None:
    root = project({"models/recursive_reasoning/dict_trm.py": DICT_TRM_PY, "config/arch/dict_trm.yaml": DICT_ARCH,
                    "jobs.txt": "[ ] python pretrain.py arch=dict_trm\n"})
    assert [f for f in check(root) if f.code == "missing-act-param"] == []


def test_fires_when_one_read_has_no_fallback(project) -> None:
    root = project({"models/recursive_reasoning/dict_trm.py": DICT_TRM_PY.replace(
                        'self.config.get("halt_max_steps", 16)', 'self.config.get("halt_max_steps")'),
                    "config/arch/dict_trm.yaml": DICT_ARCH,
                    "jobs.txt": "[ ] python pretrain.py arch=dict_trm\n"})
    findings = [f for f in check(root) if f.code == "missing-act-param"]
    assert [(where(root, f), f.message) for f in findings] == [
        (("config/arch/dict_trm.yaml", Span(0, 6, 0, 42), "recursive_reasoning.dict_trm@DictTRM"),
         "`DictTRM` halts dynamically (its code reads `halt_max_steps`), but the arch config does not set "
         "`halt_max_steps`"),
    ]
