"""``missing-module``: a ``module@Class`` or ``_target_`` names a module with no file."""

from tests.rules.conftest import ARCH_TRM, CFG, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_whole_name_with_the_nearest_module(project) -> None:
    root = project({"config/arch/trm.yaml": ARCH_TRM.replace("recursive_reasoning.trm@", "recursive_reasoning.tmr@")})
    findings = check(root)
    [f] = only(findings, "missing-module")
    assert where(root, f) == ("config/arch/trm.yaml", Span(0, 6, 0, 33), "recursive_reasoning.tmr@TRM")
    assert f.message == ("model `recursive_reasoning.tmr@TRM`: no module `models.recursive_reasoning.tmr` "
                         "(from `recursive_reasoning.tmr` with prefix `models.`); did you mean `recursive_reasoning.trm`?")
    assert dict(f.data) == {"suggestion": "recursive_reasoning.trm"}
    assert [x.code for x in findings] == ["missing-module"]


def test_fires_for_a_project_target_and_a_loss_in_an_unused_config(project) -> None:
    root = project({
        "utils/optim.py": "def make_adamw(lr: float, weight_decay: float = 0.0):\n    return (lr, weight_decay)\n",
        "config/cfg.yaml": CFG + "optimizer:\n  _target_: utils.optm.make_adamw\n  lr: 0.001\n",
        # no job or decorator selects this arch: its names are still checked
        "config/arch/trm_other.yaml": ARCH_TRM.replace("losses@", "loss@"),
    })
    findings = only(check(root), "missing-module")
    assert [(where(root, f), f.message) for f in findings] == [
        (("config/arch/trm_other.yaml", Span(2, 8, 2, 24), "loss@ACTLossHead"),
         "loss `loss@ACTLossHead`: no module `models.loss` (from `loss` with prefix `models.`); did you mean `losses`?"),
        (("config/cfg.yaml", Span(8, 12, 8, 33), "utils.optm.make_adamw"),
         "target `utils.optm.make_adamw`: no module `utils.optm`; did you mean `utils.optim.make_adamw`?"),
    ]


def test_silent_on_third_party_targets_packages_and_interpolated_names(project) -> None:
    root = project({
        "config/cfg.yaml": CFG + "optimizer:\n  _target_: torch.optim.AdamW\n  lr: ${lr}\n"
                                 "scheduler:\n  _target_: transformers.get_cosine_schedule_with_warmup\n",
        "models/recursive_reasoning/__init__.py": "from models.recursive_reasoning.trm import TRM\n",
        "config/arch/trm_pkg.yaml": ARCH_TRM.replace("recursive_reasoning.trm@TRM", "recursive_reasoning@TRM"),
        "config/arch/trm_dyn.yaml": ARCH_TRM.replace("recursive_reasoning.trm@TRM", "${oc.env:MODEL}@TRM"),
    })
    assert only(check(root), "missing-module") == []
    assert only(check(root), "missing-class") == []


def test_fires_at_a_model_name_a_job_line_overrides(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py arch.name=recursive_reasoning.trn@TRM\n"
                                "[ ] python pretrain.py arch.name=recursive_reasoning.trm@TRM\n"})
    [f] = only(check(root), "missing-module")
    assert where(root, f) == ("jobs.txt", Span(0, 33, 0, 60), "recursive_reasoning.trn@TRM")
    assert f.message.endswith("did you mean `recursive_reasoning.trm`?")
