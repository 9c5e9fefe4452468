"""``unknown-target-arg``: a key beside ``_target_`` that the target's signature does not accept."""

from tests.rules.conftest import CFG, check, only, where
from trainpath.parsing.positions import Span

OPTIM_PY = '''\
"""Optimizers and schedules, built from their config nodes."""

from dataclasses import dataclass

from hydra.utils import instantiate


def build(node):
    return instantiate(node)


def make_adamw(params=None, lr: float = 1e-3, weight_decay: float = 0.0):
    return (params, lr, weight_decay)


def make_lion(lr: float, **kwargs):
    return (lr, kwargs)


class Cosine:
    def __init__(self, warmup_steps: int, min_ratio: float = 0.0):
        self.warmup_steps = warmup_steps
        self.min_ratio = min_ratio


class CosineRestarts(Cosine):
    pass


@dataclass
class EMAConfig:
    rate: float
    every: int = 1


class Registry:
    def __new__(cls, *names):
        return object.__new__(cls)
'''


def test_fires_at_the_key_with_the_nearest_parameter(project) -> None:
    root = project({"utils/optim.py": OPTIM_PY,
                    "config/cfg.yaml": CFG + "optimizer:\n  _target_: utils.optim.make_adamw\n  lr: ${lr}\n"
                                             "  weight_decy: 0.1\n"})
    findings = check(root)
    [f] = only(findings, "unknown-target-arg")
    assert where(root, f) == ("config/cfg.yaml", Span(10, 2, 10, 13), "weight_decy")
    assert f.message == ("`weight_decy` is not a parameter of `utils.optim.make_adamw` (it takes `lr`, `params`, "
                         "`weight_decay`); did you mean `weight_decay`?")
    assert dict(f.data) == {"suggestion": "weight_decay"}
    assert [x.code for x in findings] == ["unknown-target-arg"]


def test_fires_for_a_class_target_in_a_nested_node(project) -> None:
    root = project({"utils/optim.py": OPTIM_PY,
                    "config/cfg.yaml": CFG + "train:\n  schedule:\n    _target_: utils.optim.Cosine\n"
                                             "    warmup_steps: 10\n    gamma: 0.5\n"})
    [f] = only(check(root), "unknown-target-arg")
    assert where(root, f) == ("config/cfg.yaml", Span(11, 4, 11, 9), "gamma")
    assert f.message == "`gamma` is not a parameter of `utils.optim.Cosine` (it takes `min_ratio`, `warmup_steps`)"


def test_fires_for_dataclass_fields_and_inherited_constructors(project) -> None:
    root = project({"utils/optim.py": OPTIM_PY,
                    "config/cfg.yaml": CFG + "ema:\n  _target_: utils.optim.EMAConfig\n  rate: 0.99\n  evry: 2\n"
                                             "sched:\n  _target_: utils.optim.CosineRestarts\n  warmup_step: 5\n"})
    findings = only(check(root), "unknown-target-arg")
    assert [(where(root, f), dict(f.data)) for f in findings] == [
        (("config/cfg.yaml", Span(10, 2, 10, 6), "evry"), {"suggestion": "every"}),
        (("config/cfg.yaml", Span(13, 2, 13, 13), "warmup_step"), {"suggestion": "warmup_steps"}),
    ]


def test_silent_on_accepted_kwargs_third_party_and_hydra_keys(project) -> None:
    root = project({
        "utils/optim.py": OPTIM_PY,
        "config/cfg.yaml": CFG + (
            "optimizer:\n  _target_: utils.optim.make_adamw\n  _partial_: true\n  lr: ${lr}\n  weight_decay: 0.1\n"
            "lion:\n  _target_: utils.optim.make_lion\n  lr: 0.1\n  betas: [0.9, 0.99]\n"
            "adam:\n  _target_: torch.optim.AdamW\n  lr: 0.1\n  fused: true\n  anything: 1\n"
            "schedule:\n  _target_: utils.optim.Cosine\n  _convert_: all\n  warmup_steps: 5\n"
            "restarts:\n  _target_: utils.optim.CosineRestarts\n  warmup_steps: 5\n"
            "ema:\n  _target_: utils.optim.EMAConfig\n  rate: 0.99\n  every: 2\n"
            # `__new__` decides what the call takes: unsure, quiet
            "registry:\n  _target_: utils.optim.Registry\n  names: [a]\n"
        ),
    })
    assert check(root) == []


def test_silent_beside_a_name_the_script_loader_builds_from_the_whole_dict(project) -> None:
    # `load_model_class(config.arch.name)(config_dict)` builds this node; Hydra never acts on `_target_`
    # by itself, so the keys beside it are not call arguments (seen in a real TinyRecursiveModels fork)
    from tests.rules.conftest import ARCH_TRM

    model = OPTIM_PY + "\n\nclass TinyModel:\n    def __init__(self, config_dict):\n        self.config = config_dict\n"
    root = project({
        "utils/optim.py": model,
        "config/arch/trm.yaml": ARCH_TRM.replace("name: recursive_reasoning.trm@TRM\n",
                                                 "name: recursive_reasoning.trm@TRM\n_target_: utils.optim.TinyModel\n"),
        # a node without `name:` is still judged
        "config/cfg.yaml": CFG + "sched:\n  _target_: utils.optim.Cosine\n  warmup_step: 5\n",
    })
    findings = check(root)
    assert [(f.code, where(root, f)) for f in findings] == [
        ("unknown-target-arg", ("config/cfg.yaml", Span(9, 2, 9, 13), "warmup_step"))]


def test_silent_where_nothing_calls_instantiate(project) -> None:
    # Hydra never acts on `_target_` by itself: with no instantiate()/call() in the project the keys are plain values
    plain = OPTIM_PY.replace("from hydra.utils import instantiate\n", "").replace("    return instantiate(node)",
                                                                                "    return node")
    cfg = CFG + "sched:\n  _target_: utils.optim.Cosine\n  warmup_step: 5\n"
    assert only(check(project({"utils/optim.py": plain, "config/cfg.yaml": cfg})), "unknown-target-arg") == []
    for call in ("import hydra\nhydra.utils.instantiate(node)\n", "from hydra.utils import call\ncall(node)\n"):
        root = project({"utils/optim.py": plain + call, "config/cfg.yaml": cfg})
        assert [where(root, f) for f in only(check(root), "unknown-target-arg")] == [
            ("config/cfg.yaml", Span(9, 2, 9, 13), "warmup_step")]
