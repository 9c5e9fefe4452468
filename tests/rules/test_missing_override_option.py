"""``missing-override-option``: a group override ``arch=foo`` names an option with no config file."""

from tests.rules.conftest import ARCH_TRM, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_option_with_the_nearest_option(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py arch=trn +run_name=x\n"})
    findings = check(root)
    [f] = only(findings, "missing-override-option")
    assert where(root, f) == ("jobs.txt", Span(0, 28, 0, 31), "trn")
    assert f.message == "no config `arch/trn`; did you mean `trm`?"
    assert [x.code for x in findings] == ["missing-override-option"]


def test_fires_for_an_appended_group(project) -> None:
    root = project({"config/logging/wandb.yaml": "project: trm\n",
                    "jobs.txt": "[ ] python pretrain.py +logging=wandbb\n"})
    [f] = only(check(root), "missing-override-option")
    assert where(root, f) == ("jobs.txt", Span(0, 32, 0, 38), "wandbb")
    assert f.message == "no config `logging/wandbb`; did you mean `wandb`?"


def test_fires_inside_a_command_kept_in_a_shell_variable(project) -> None:
    root = project({"scripts/run.sh": 'cd "$(dirname "$0")/.."\nCMD="python pretrain.py arch=trn"\n$CMD\n'})
    [f] = only(check(root), "missing-override-option")
    assert where(root, f) == ("scripts/run.sh", Span(1, 29, 1, 32), "trn")


def test_silent_on_existing_options(project) -> None:
    root = project({
        "config/arch/trm_big.yaml": ARCH_TRM.replace("hidden_size: 512", "hidden_size: 1024"),
        "config/logging/wandb.yaml": "project: trm\n",
        "jobs.txt": (
            "[ ] python pretrain.py arch=trm_big\n"
            "[ ] python pretrain.py arch=trm +logging=wandb\n"
            "[ ] python pretrain.py arch=trm_big arch.hidden_size=256\n"
            # no `metrics` group: Hydra adds a plain key `metrics: wandbb`
            "[ ] python pretrain.py +metrics=wandbb\n"
        ),
    })
    assert check(root) == []
