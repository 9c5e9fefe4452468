"""``missing-config``: a ``--config-name``, a decorator's ``config_name`` or ``config_path`` names nothing."""

from tests.rules.conftest import PRETRAIN, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_a_jobs_config_name_with_the_nearest_config(project) -> None:
    root = project({"config/cfg_etrm.yaml": "defaults:\n  - arch: trm\n  - _self_\n\nepochs: 5\n",
                    "jobs.txt": "[ ] python pretrain.py --config-name cfg_etrn +run_name=x\n"})
    findings = check(root)
    [f] = only(findings, "missing-config")
    assert where(root, f) == ("jobs.txt", Span(0, 37, 0, 45), "cfg_etrn")
    assert f.message == "no config `cfg_etrn` in `config`; did you mean `cfg_etrm`?"
    assert dict(f.data) == {"suggestion": "cfg_etrm"}
    assert [x.code for x in findings] == ["missing-config"]


def test_fires_at_the_decorators_config_name(project) -> None:
    root = project({"pretrain.py": PRETRAIN.replace('config_name="cfg"', 'config_name="cgf"')})
    [f] = only(check(root), "missing-config")
    assert where(root, f) == ("pretrain.py", Span(14, 47, 14, 50), "cgf")
    assert f.message.endswith("did you mean `cfg`?")


def test_fires_at_the_decorators_missing_config_folder(project) -> None:
    root = project({"pretrain.py": PRETRAIN.replace('config_path="config"', 'config_path="configs"')})
    [f] = only(check(root), "missing-config")
    assert where(root, f) == ("pretrain.py", Span(14, 25, 14, 32), "configs")
    assert f.message == "no config folder `configs`; did you mean `config`?"
    assert dict(f.data) == {"suggestion": "config"}


def test_silent_on_the_forms_hydra_accepts(project) -> None:
    root = project({"jobs.txt": (
        "[ ] python pretrain.py --config-name cfg +run_name=a\n"
        "[ ] python pretrain.py --config-name=cfg +run_name=b\n"
        "[ ] python pretrain.py -cn cfg.yaml +run_name=c\n"
        "[ ] python pretrain.py --config-name $CFG +run_name=d\n"
        # Hydra searches `--config-dir` as well
        "[ ] python pretrain.py --config-dir extra --config-name exp1\n"
        "[ ] python pretrain.py -cd $EXTRA -cn exp2\n"
    ), "extra/exp1.yaml": "defaults:\n  - arch: trm\n  - _self_\n\nlr: 0.1\n"})
    assert check(root) == []


def test_fires_when_neither_the_config_folder_nor_config_dir_has_it(project) -> None:
    root = project({"extra/exp1.yaml": "lr: 0.1\n",
                    "jobs.txt": "[ ] python pretrain.py --config-dir extra --config-name exp2\n"})
    [f] = check(root)
    assert (f.code, where(root, f)) == ("missing-config", ("jobs.txt", Span(0, 56, 0, 60), "exp2"))
