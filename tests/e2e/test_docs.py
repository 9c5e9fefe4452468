"""The CI and editor documentation holds: files parse, snippets parse, SARIF has what GitHub needs.

- ``.pre-commit-hooks.yaml`` and the example workflow ``.github/workflows/trainpath.yml`` parse
  as YAML and say what ``docs/ci.md`` says they say.
- Every YAML/TOML/JSON snippet in ``docs/ci.md`` and ``docs/editors.md`` parses; the VS Code
  settings table lists exactly the settings ``package.json`` contributes.
- ``trainpath check --format sarif`` gives a SARIF 2.1.0 log with the properties GitHub code
  scanning requires (the schema cannot be downloaded here, so this is a structural check),
  consistent with ``--format json``; the documented ``--select``/``--ignore``/exit codes hold.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from trainpath.findings import RULES

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "trm_project"
CLEAN = REPO / "tests" / "fixtures" / "clean_trm"
DOCS = REPO / "docs"


def fenced_blocks(path: Path, lang: str) -> list[str]:
    """The bodies of the ```lang fenced blocks of a Markdown file (indented fences included)."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(rf"^( *)```{lang}\n(.*?)^\1```$", text, re.S | re.M):
        indent = len(match.group(1))
        blocks.append("".join(line[indent:] for line in match.group(2).splitlines(keepends=True)))
    return blocks


def trainpath(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trainpath", *map(str, args)], capture_output=True, text=True,
                          timeout=60)


# -- pre-commit -----------------------------------------------------------------------------------

def test_pre_commit_hook_manifest():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["trainpath-check"]
    hook = hooks[0]
    assert hook["entry"] == "trainpath check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["name"] == "trainpath check"
    # the entry's program is the console script this package installs
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts
    # it runs when a file a chain can pass through changes, and not for others
    files = re.compile(hook["files"])
    for name in ("config/arch/etrm.yaml", "conf/db.yml", "pretrain.py", "jobs-etrm.txt", "scripts/launch.sh",
                 "pyproject.toml"):
        assert files.search(name), name
    for name in ("README.md", "package.json", "weights.pt", "notes.yaml.md"):
        assert not files.search(name), name


# -- GitHub Actions -------------------------------------------------------------------------------

def test_example_workflow_runs_check_and_uploads_sarif():
    workflow = yaml.safe_load((REPO / ".github/workflows/trainpath.yml").read_text(encoding="utf-8"))
    # YAML 1.1 (PyYAML) reads the key `on` as True; GitHub reads it as "on"
    triggers = workflow[True]
    assert set(triggers) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read", "security-events": "write"}
    steps = workflow["jobs"]["training-path"]["steps"]
    check = next(s for s in steps if s.get("id") == "check")
    assert check["run"] == "trainpath check . --format sarif > trainpath.sarif"
    assert check["continue-on-error"] is True
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "trainpath.sarif"
    assert upload["if"] == "always()"
    assert steps.index(check) < steps.index(upload) < len(steps) - 1
    assert steps[-1]["if"] == "steps.check.outcome == 'failure'"
    assert steps[-1]["run"].startswith("trainpath check .")


# -- snippets in the docs -------------------------------------------------------------------------

def test_ci_doc_snippets_parse():
    yamls = [yaml.safe_load(b) for b in fenced_blocks(DOCS / "ci.md", "yaml")]
    assert len(yamls) == 2
    workflow, precommit = yamls
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
               for s in workflow["jobs"]["training-path"]["steps"])
    assert precommit["repos"][0]["hooks"][0]["id"] == "trainpath-check"
    tomls = [tomllib.loads(b) for b in fenced_blocks(DOCS / "ci.md", "toml")]
    assert tomls == [{"tool": {"trainpath": {"rules": {"stale-name": "error", "missing-act-param": "off"}}}}]
    # the rule codes the docs use exist
    for code in ("stale-name", "missing-act-param", "missing-default", "missing-script"):
        assert code in RULES


def test_editors_doc_snippets_parse():
    jsons = [json.loads(b) for b in fenced_blocks(DOCS / "editors.md", "json")]
    assert len(jsons) == 2
    vscode_settings, init_options = jsons
    assert set(vscode_settings) <= set(vscode_properties())
    assert set(init_options) == {"trainpath"}
    assert set(init_options["trainpath"]) == {"rules", "jobFiles", "staleSuffixes", "modelPrefix"}
    for code in list(init_options["trainpath"]["rules"]) + list(vscode_settings["trainpath.rules"]):
        assert code in RULES
    (helix,) = [tomllib.loads(b) for b in fenced_blocks(DOCS / "editors.md", "toml")]
    server = helix["language-server"]["trainpath"]
    assert [server["command"], *server["args"]] == ["trainpath", "serve"]
    assert set(server["config"]) == {"trainpath"}
    assert {lang["name"] for lang in helix["language"] if "trainpath" in lang["language-servers"]} == {
        "yaml", "python", "bash"}
    assert len(fenced_blocks(DOCS / "editors.md", "lua")) == 2  # the 0.7 one runs in test_neovim.py


def vscode_properties() -> dict[str, Any]:
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    return manifest["contributes"]["configuration"]["properties"]


def test_editors_doc_lists_every_vscode_setting_and_command():
    full = (DOCS / "editors.md").read_text(encoding="utf-8")
    text = full[full.index("## VS Code"):full.index("## Neovim")]
    documented = set(re.findall(r"^\| `(trainpath\.[\w.]+)` \|", text, re.M))
    assert documented == set(vscode_properties())
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    for command in manifest["contributes"]["commands"]:
        assert f"**{command['title']}**" in text, command["title"]


# -- SARIF, exit codes, --select/--ignore ---------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_and_json() -> tuple[subprocess.CompletedProcess, dict, dict]:
    proc = trainpath("check", EXAMPLE, "--format", "sarif")
    as_json = trainpath("check", EXAMPLE, "--format", "json")
    return proc, json.loads(proc.stdout), json.loads(as_json.stdout)


def test_sarif_has_what_github_code_scanning_requires(sarif_and_json):
    proc, log, _ = sarif_and_json
    assert proc.returncode == 1  # the example has error findings
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "trainpath"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert sorted(rule_ids) == sorted(RULES)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"].strip()
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    assert run["results"], "the example has findings"
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert isinstance(result["message"]["text"], str) and result["message"]["text"].strip()
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith("/") and "\\" not in uri and (EXAMPLE / uri).is_file(), uri
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
        assert result["partialFingerprints"]


def test_sarif_results_match_json_findings(sarif_and_json):
    _, log, as_json = sarif_and_json
    level = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}
    from_sarif = sorted(
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"],
         r["locations"][0]["physicalLocation"]["region"]["startColumn"],
         r["ruleId"], r["level"], r["message"]["text"])
        for r in log["runs"][0]["results"])
    from_json = sorted((d["path"], d["line"], d["column"], d["code"], level[d["severity"]], d["message"])
                       for d in as_json["diagnostics"])
    assert from_sarif == from_json
    assert ("config/cfg_pitfall_missing_arch.yaml", 4, 11, "missing-default", "error",
            "no config `arch/etmr`; did you mean `etrm`?") in from_sarif


def test_documented_exit_codes_and_rule_selection():
    selected = trainpath("check", EXAMPLE, "--select", "missing-default,missing-script")
    assert selected.returncode == 1
    assert [line.split()[2] for line in selected.stdout.splitlines()] == ["missing-default", "missing-script"]
    only_warnings = trainpath("check", EXAMPLE, "--select", "stale-name")
    assert only_warnings.returncode == 0 and only_warnings.stdout.startswith("jobs-pitfalls.txt:7:12: warning stale-name")
    ignored = trainpath("check", EXAMPLE, "--ignore", "stale-name", "--format", "json")
    assert "stale-name" not in {d["code"] for d in json.loads(ignored.stdout)["diagnostics"]}
    assert trainpath("check", CLEAN).returncode == 0
    unknown = trainpath("check", EXAMPLE, "--select", "no-such-rule")
    assert unknown.returncode == 2 and "no-such-rule" in unknown.stderr
