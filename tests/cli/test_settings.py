"""``[tool.trainpath]`` in the analysed project's pyproject.toml."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from trainpath.settings import Settings, load_settings

from .conftest import EXAMPLE, run_cli


def _copy(tmp_path: Path, toml: str) -> Path:
    project = tmp_path / "p"
    shutil.copytree(EXAMPLE, project)
    (project / "pyproject.toml").write_text(toml)
    return project


def _codes(project: Path) -> list[tuple[str, int, str, str]]:
    proc = run_cli("check", str(project), "--format", "json")
    return sorted((d["path"], d["line"], d["code"], d["severity"]) for d in json.loads(proc.stdout)["diagnostics"])


def test_rules_off_and_severity(tmp_path: Path):
    project = _copy(tmp_path, '[tool.trainpath.rules]\nstale-name = "off"\nmissing-script = "warning"\n')
    codes = _codes(project)
    assert not [c for c in codes if c[2] == "stale-name"]
    assert ("jobs-pitfalls.txt", 10, "missing-script", "warning") in codes


def test_stale_suffixes_and_job_globs(tmp_path: Path):
    project = _copy(tmp_path, '[tool.trainpath]\nstale-suffixes = ["_v2"]\njob-files = ["queue/*.txt"]\n')
    (project / "queue").mkdir()
    (project / "queue" / "runs.txt").write_text("[ ] python pretrain_etrm_v2.py +run_name=x\n")
    (project / "pretrain_etrm_v2.py").write_text((project / "pretrain_etrm.py").read_text())
    codes = _codes(project)
    # jobs-*.txt at the root are no longer job files; queue/runs.txt is, and `_v2` is stale now
    assert [c for c in codes if c[0].startswith("jobs-")] == []
    assert ("queue/runs.txt", 1, "stale-name", "warning") in codes


def test_model_prefix(tmp_path: Path):
    project = _copy(tmp_path, '[tool.trainpath]\nmodel-prefix = "nets."\n')
    codes = _codes(project)
    # with prefix `nets.` no model module exists: missing-module on every name link of the arch configs
    assert ("config/arch/etrm.yaml", 1, "missing-module", "error") in codes
    assert ("config/arch/etrm.yaml", 3, "missing-module", "error") in codes


def test_data_modes(tmp_path: Path):
    project = _copy(tmp_path, '[tool.trainpath.data-modes]\nencoder = ["*-aug-*"]\n')
    codes = _codes(project)
    # every data path now counts as encoder data: the embedding-mode TRM chain is flagged
    assert ("config/cfg_pretrain_arc_agi_1.yaml", 11, "data-mode-mismatch", "warning") in codes


def test_bad_settings_are_reported_and_ignored(tmp_path: Path):
    project = _copy(tmp_path, '[tool.trainpath]\nstale-suffixes = 3\nnope = 1\n[tool.trainpath.rules]\nstale-name = "loud"\n')
    proc = run_cli("check", str(project))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "trainpath: warning: [tool.trainpath] `stale-suffixes` must be a list of strings",
        "trainpath: warning: [tool.trainpath] unknown setting `nope`",
        "trainpath: warning: [tool.trainpath] rule `stale-name`: severity must be error, warning, info, hint or off",
    ]
    assert "stale-name" in proc.stdout  # defaults kept


def test_broken_toml_falls_back_to_defaults(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.trainpath\n")
    s = load_settings(tmp_path)
    assert s.stale_suffixes == Settings().stale_suffixes
    assert len(s.problems) == 1 and s.problems[0].startswith("pyproject.toml: ")


def test_editor_settings_merge_on_top():
    s = Settings().merged({"rules": {"stale-name": "off"}, "staleSuffixes": ["_x"], "modelPrefix": "m."})
    assert s.severity("stale-name") is None
    assert s.stale_suffixes == ("_x",) and s.model_prefix == "m."
    assert s.severity("missing-script").value == "error"
