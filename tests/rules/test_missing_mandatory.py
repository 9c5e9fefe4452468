"""``missing-mandatory``: a ``???`` value that nothing in the chain fills."""

from tests.rules.conftest import ARCH_TRM, CFG, check, only, where
from trainpath.parsing.positions import Span

MANDATORY = {"config/arch/trm.yaml": ARCH_TRM.replace("hidden_size: 512", "hidden_size: ???")}


def test_fires_at_the_marker_when_a_job_leaves_it_unset(project) -> None:
    root = project({**MANDATORY, "jobs.txt": "[ ] python pretrain.py +run_name=a\n"})
    findings = check(root)
    [f] = only(findings, "missing-mandatory")
    assert where(root, f) == ("config/arch/trm.yaml", Span(8, 13, 8, 16), "???")
    assert f.message == "`arch.hidden_size` is `???` (mandatory) and nothing in the chain sets it; pass `arch.hidden_size=…`"
    assert [x.code for x in findings] == ["missing-mandatory"]


def test_fires_for_the_decorators_config_when_no_job_composes_it(project) -> None:
    root = project({"config/cfg.yaml": CFG + "run_dir: ???\n", "jobs.txt": None})
    [f] = only(check(root), "missing-mandatory")
    assert where(root, f) == ("config/cfg.yaml", Span(7, 9, 7, 12), "???")
    assert f.message.startswith("`run_dir` is `???` (mandatory)")


def test_silent_when_a_job_a_main_config_or_a_later_default_fills_it(project) -> None:
    root = project({
        **MANDATORY,
        "config/cfg.yaml": CFG + "run_dir: ???\n",
        "config/cfg_big.yaml": "defaults:\n  - cfg\n  - _self_\n\nrun_dir: outputs/big\narch:\n  hidden_size: 1024\n",
        "jobs.txt": (
            "[ ] python pretrain.py arch.hidden_size=256 run_dir=outputs/a\n"
            "[ ] python pretrain.py --config-name cfg_big\n"
        ),
    })
    assert check(root) == []
