"""``trainpath check``: every fixture project gives exactly the findings its expected.json lists."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from .conftest import EXAMPLE, FIXTURES, REPO, run_cli

PROJECTS = [EXAMPLE] + sorted(p for p in FIXTURES.iterdir() if (p / "expected.json").is_file())
KEYS = ("path", "line", "column", "end_line", "end_column", "code")


def _expected(project: Path) -> list[tuple]:
    return sorted(tuple(d[k] for k in KEYS) for d in json.loads((project / "expected.json").read_text()))


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_json_findings_match_expected_exactly(project: Path):
    proc = run_cli("check", str(project), "--format", "json")
    assert proc.stderr == ""
    out = json.loads(proc.stdout)
    assert out["root"] == str(project)
    got = sorted(tuple(d[k] for k in KEYS) for d in out["diagnostics"])
    assert got == _expected(project)
    errors = any(d["severity"] == "error" for d in out["diagnostics"])
    assert proc.returncode == (1 if errors else 0)
    for d in out["diagnostics"]:
        assert set(d) == {"path", "line", "column", "end_line", "end_column", "severity", "code", "message"}
        assert d["message"]


def test_clean_projects_are_silent():
    for name in ("clean_trm", "noexec"):
        proc = run_cli("check", str(FIXTURES / name))
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_text_format_is_one_line_per_finding_with_1_based_positions():
    proc = run_cli("check", "examples/trm_project")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == len(_expected(EXAMPLE))
    pattern = re.compile(r"^[^:]+:\d+:\d+: (error|warning|info|hint) [a-z-]+ .+$")
    assert all(pattern.match(line) for line in lines), lines
    assert ("config/cfg_pitfall_missing_arch.yaml:4:11: error missing-default "
            "no config `arch/etmr`; did you mean `etrm`?") in lines
    assert any(line.startswith("jobs-pitfalls.txt:10:33: error missing-script ") and "did you mean `pretrain.py`?" in line
               for line in lines)


def test_select_and_ignore():
    proc = run_cli("check", str(EXAMPLE), "--format", "json", "--select", "missing-script,stale-name")
    codes = sorted(d["code"] for d in json.loads(proc.stdout)["diagnostics"])
    assert codes == ["missing-script", "stale-name"]
    assert proc.returncode == 1
    proc = run_cli("check", str(EXAMPLE), "--format", "json", "--select", "stale-name")
    assert [d["code"] for d in json.loads(proc.stdout)["diagnostics"]] == ["stale-name"]
    assert proc.returncode == 0  # a warning only
    proc = run_cli("check", str(EXAMPLE), "--format", "json", "--ignore", "stale-name,missing-script")
    codes = {d["code"] for d in json.loads(proc.stdout)["diagnostics"]}
    assert "stale-name" not in codes and "missing-script" not in codes and "missing-default" in codes


def test_usage_errors_exit_2_with_one_line():
    proc = run_cli("check", str(EXAMPLE), "--select", "no-such-rule")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == "trainpath: error: unknown rule code(s): no-such-rule"
    proc = run_cli("check", "/no/such/folder")
    assert proc.returncode == 2 and "is not a folder" in proc.stderr
    proc = run_cli("check", str(EXAMPLE), "--format", "xml")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_sarif_is_valid_for_code_scanning():
    proc = run_cli("check", str(EXAMPLE), "--format", "sarif")
    assert proc.returncode == 1
    log = json.loads(proc.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "trainpath"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(set(rule_ids)) == len(rule_ids)
    assert len(run["results"]) == len(_expected(EXAMPLE))
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        loc = result["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        region = loc["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
    missing = [r for r in run["results"] if r["ruleId"] == "missing-default"][0]
    assert missing["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "config/cfg_pitfall_missing_arch.yaml"
    assert missing["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 11, "endLine": 4, "endColumn": 15}


def test_default_root_is_the_current_folder():
    proc = run_cli("check", "--format", "json", cwd=FIXTURES / "broken_links")
    assert json.loads(proc.stdout)["root"] == "."
    assert sorted(tuple(d[k] for k in KEYS) for d in json.loads(proc.stdout)["diagnostics"]) == _expected(FIXTURES / "broken_links")


def test_never_runs_project_code(tmp_path: Path):
    """Every .py of the noexec project writes PWNED when imported; check and chain leave nothing behind."""
    project = tmp_path / "noexec"
    shutil.copytree(FIXTURES / "noexec", project)
    before = {p.relative_to(project) for p in project.rglob("*")}
    for args in (("check", str(project)), ("chain", str(project)), ("chain", str(project), "--format", "json"),
                 ("compose", str(project), "--config-name", "cfg_train")):
        proc = run_cli(*args, cwd=project)
        assert proc.returncode in (0, 1), proc.stderr
    after = {p.relative_to(project) for p in project.rglob("*") if "__pycache__" not in p.parts}
    assert not [p for p in after - before if "PWNED" in p.name]
    assert not list(project.rglob("PWNED*")) and not list(tmp_path.rglob("PWNED*"))


def test_symlink_loop_and_bad_files_give_findings_not_tracebacks(tmp_path: Path):
    project = tmp_path / "p"
    shutil.copytree(EXAMPLE, project)
    (project / "config" / "loop").symlink_to(project / "config", target_is_directory=True)
    (project / "config" / "arch" / "self").symlink_to(project / "config" / "arch", target_is_directory=True)
    (project / "config" / "arch" / "blob.yaml").write_bytes(b"\x00\x01\x02binary")
    (project / "config" / "arch" / "latin.yaml").write_bytes(b"name: caf\xe9\n")
    proc = run_cli("check", str(project), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    diags = json.loads(proc.stdout)["diagnostics"]
    unreadable = sorted((d["path"], d["message"]) for d in diags if d["code"] == "unreadable-file")
    assert unreadable == [("config/arch/blob.yaml", "skipped `blob.yaml`: binary file"),
                          ("config/arch/latin.yaml", "skipped `latin.yaml`: not UTF-8 (bad byte at offset 9)")]
