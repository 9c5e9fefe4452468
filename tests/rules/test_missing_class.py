"""``missing-class``: the module exists but defines or exports no such class or function."""

from tests.rules.conftest import ARCH_TRM, CFG, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_whole_name_with_the_nearest_class(project) -> None:
    root = project({"config/arch/trm.yaml": ARCH_TRM.replace("@TRM", "@TRN")})
    findings = check(root)
    [f] = only(findings, "missing-class")
    assert where(root, f) == ("config/arch/trm.yaml", Span(0, 6, 0, 33), "recursive_reasoning.trm@TRN")
    assert f.message == ("model `recursive_reasoning.trm@TRN`: module `models.recursive_reasoning.trm` has no class `TRN`; "
                         "did you mean `TRM`?")
    assert dict(f.data) == {"suggestion": "TRM"}
    assert [x.code for x in findings] == ["missing-class"]


def test_fires_for_a_loss_and_a_project_target(project) -> None:
    root = project({
        "config/arch/trm.yaml": ARCH_TRM.replace("losses@ACTLossHead", "losses@ACTLoss"),
        "utils/optim.py": "def make_adamw(lr: float, weight_decay: float = 0.0):\n    return (lr, weight_decay)\n",
        "config/cfg.yaml": CFG + "optimizer:\n  _target_: utils.optim.make_adam\n  lr: 0.001\n",
    })
    findings = only(check(root), "missing-class")
    assert [(where(root, f), f.message) for f in findings] == [
        (("config/arch/trm.yaml", Span(2, 8, 2, 22), "losses@ACTLoss"),
         "loss `losses@ACTLoss`: module `models.losses` has no class `ACTLoss`; did you mean `ACTLossHead`?"),
        (("config/cfg.yaml", Span(8, 12, 8, 33), "utils.optim.make_adam"),
         "target `utils.optim.make_adam`: module `utils.optim` has no `make_adam`; did you mean `make_adamw`?"),
    ]


def test_silent_on_reexported_imported_and_aliased_names(project) -> None:
    root = project({
        # the package re-exports the class; another module imports it under an alias
        "models/recursive_reasoning/__init__.py": "from models.recursive_reasoning.trm import TRM\n\n__all__ = [\"TRM\"]\n",
        "models/recursive_reasoning/alias.py": "from models.recursive_reasoning.trm import TRM as TinyModel\n",
        "config/arch/trm_pkg.yaml": ARCH_TRM.replace("recursive_reasoning.trm@TRM", "recursive_reasoning@TRM"),
        "config/arch/trm_alias.yaml": ARCH_TRM.replace("recursive_reasoning.trm@TRM", "recursive_reasoning.alias@TinyModel"),
        "utils/optim.py": "def make_adamw(lr: float, weight_decay: float = 0.0):\n    return (lr, weight_decay)\n",
        "config/cfg.yaml": CFG + "optimizer:\n  _target_: utils.optim.make_adamw\n  lr: 0.001\n",
    })
    assert check(root) == []
