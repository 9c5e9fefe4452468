"""``trainpath compose``: the text Hydra (through OmegaConf) would print, and Hydra's failures as findings."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from .conftest import EXAMPLE, run_cli

CASES = [
    ("cfg_pretrain_arc_agi_1", []),
    ("cfg_pretrain_etrm_arc_agi_1", []),
    ("cfg_pretrain_etrm_arc_agi_1", ["arch.encoder_type=hybrid_standard", "+run_name=sf2", "arch.halt_max_steps=8"]),
    ("cfg_pretrain_etrm_arc_agi_1", ["arch=trm", "lr=3e-4", "++epochs=5"]),
    ("cfg_pretrain_arc_agi_1", ["arch=mlp_baseline", "~evaluators", "data_paths=[a,b]"]),
    ("cfg_pretrain_arc_agi_1.yaml", ["+arch.extra={x: 1, y: [1, 2]}", "lr=0x10", "arch.hidden_size=1_000"]),
]


def _hydra_yaml(config_dir: Path, name: str, overrides: list[str]) -> str:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    GlobalHydra.instance().clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with initialize_config_dir(config_dir=str(config_dir), version_base=None):
            cfg = compose(config_name=name, overrides=overrides)
    GlobalHydra.instance().clear()
    return OmegaConf.to_yaml(cfg)


@pytest.mark.parametrize("name,overrides", CASES)
def test_yaml_output_is_what_hydra_prints(name, overrides):
    proc = run_cli("compose", str(EXAMPLE), "--config-name", name, *overrides)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == _hydra_yaml(EXAMPLE / "config", name, overrides)


def test_json_output_and_overrides_before_options():
    proc = run_cli("compose", str(EXAMPLE), "arch=trm", "--config-name", "cfg_pretrain_arc_agi_1", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    from omegaconf import OmegaConf
    import yaml

    expected = yaml.safe_load(_hydra_yaml(EXAMPLE / "config", "cfg_pretrain_arc_agi_1", ["arch=trm"]))
    assert json.loads(proc.stdout) == expected


@pytest.mark.parametrize("overrides,line", [
    (["arch=etrm_v3"], "<overrides>:1:6: error missing-override-option no config `arch/etrm_v3`; did you mean `etrm`?"),
    (["lr=1", "nope.x=1"], "<overrides>:1:6: error unknown-override-key `nope.x=1`: the composed config has no key `nope`; to add it use `+nope.x=1`"),
    (["a=b=c"], "<overrides>:1:4: error override-syntax Hydra refuses the override `a=b=c`: unexpected '=' at column 4, expecting end of text or ','"),
])
def test_composition_errors_exit_1_with_the_finding(overrides, line):
    proc = run_cli("compose", str(EXAMPLE), "--config-name", "cfg_pretrain_etrm_arc_agi_1", *overrides)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, line + "\n", "")


def test_missing_default_points_into_the_config_file():
    proc = run_cli("compose", str(EXAMPLE), "--config-name", "cfg_pitfall_missing_arch")
    assert proc.returncode == 1
    assert proc.stdout == "config/cfg_pitfall_missing_arch.yaml:4:11: error missing-default no config `arch/etmr`; did you mean `etrm`?\n"


def test_config_dir_detection(tmp_path: Path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "a.yaml").write_text("x: 1\n")
    proc = run_cli("compose", str(tmp_path), "--config-name", "a")
    assert (proc.returncode, proc.stdout) == (0, "x: 1\n")
    # a script's decorator names another folder: that one is used
    (tmp_path / "cfgs").mkdir()
    (tmp_path / "cfgs" / "a.yaml").write_text("x: 2\n")
    (tmp_path / "train.py").write_text('import hydra\n@hydra.main(config_path="cfgs", config_name="a", version_base=None)\ndef main(cfg):\n    pass\n')
    proc = run_cli("compose", str(tmp_path), "--config-name", "a")
    assert (proc.returncode, proc.stdout) == (0, "x: 2\n")
    proc = run_cli("compose", str(tmp_path), "--config-name", "a", "--config-dir", "conf")
    assert (proc.returncode, proc.stdout) == (0, "x: 1\n")
    proc = run_cli("compose", str(tmp_path), "--config-name", "a", "--config-dir", "nope")
    assert proc.returncode == 2 and proc.stderr == "trainpath: error: config folder `nope` does not exist\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli("compose", str(empty), "--config-name", "a")
    assert proc.returncode == 2 and "no config folder found" in proc.stderr


def test_compose_imports_no_language_server_or_jedi():
    import subprocess
    import sys

    code = ("import sys; from trainpath.cli.main import main; import io, contextlib\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf): main(['compose', sys.argv[1], '--config-name', 'cfg_pretrain_arc_agi_1'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'jedi', 'omegaconf', 'hydra', 'lsprotocol')))")
    out = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_hydra_searchpath_folders_are_searched_from_root(tmp_path: Path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "a.yaml").write_text("defaults:\n  - db: x\n  - _self_\nhydra:\n  searchpath: [file://shared]\n")
    (tmp_path / "shared" / "db").mkdir(parents=True)
    (tmp_path / "shared" / "db" / "x.yaml").write_text("p: 1\n")
    (tmp_path / "shared" / "db" / "y.yaml").write_text("p: 2\n")
    proc = run_cli("compose", str(tmp_path), "--config-name", "a", "--config-dir", "conf", "db=y", "--format", "json")
    assert (proc.returncode, json.loads(proc.stdout)) == (0, {"db": {"p": 2}})
    proc = run_cli("compose", str(tmp_path), "--config-name", "a", "db=yy")
    assert (proc.returncode, proc.stdout) == (
        1, "<overrides>:1:4: error missing-override-option no config `db/yy`; did you mean `y`?\n")
