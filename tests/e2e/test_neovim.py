"""End to end in a real editor: headless Neovim (0.7+) runs ``trainpath serve`` on a copy of the example.

One Neovim session (``nvim_driver.lua``) opens files of ``examples/trm_project``, attaches
the built-in LSP client (``vim.lsp.start_client``, the API Neovim 0.7 has), and records what
the editor sees: pushed diagnostics (``vim.diagnostic.get``), the buffer and cursor that
``vim.lsp.buf.definition()`` jumps to, the text of the hover window, and the diagnostics
after buffer edits (``nvim_buf_set_lines`` sends ``didChange``).  The tests assert on that
record.  A missing ``nvim`` is a failure, not a skip: CI installs it (``.ci/run``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXAMPLE = REPO / "examples" / "trm_project"
DRIVER = HERE / "nvim_driver.lua"
SERVER = [sys.executable, "-m", "trainpath", "serve"]
#: seconds for the whole Neovim session; it normally takes 2-4 s
SESSION_TIMEOUT = 90


def nvim_executable() -> str:
    """The ``nvim`` on PATH, or a failure that says how to get one."""
    nvim = shutil.which("nvim")
    if nvim is None:
        pytest.fail("`nvim` is not on PATH: the end-to-end editor test needs Neovim >= 0.7 "
                    "(Debian/Ubuntu: `apt-get install -y neovim`; CI's .ci/run installs it)", pytrace=False)
    return nvim


def run_nvim(script: Path, env: dict[str, str], cwd: Path, timeout: float = SESSION_TIMEOUT,
             extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run ``script`` in a clean headless Neovim; fail (never hang) when it does not quit in time."""
    args = [nvim_executable(), "--headless", "--clean", "-n", "-i", "NONE", "-u", "NONE", *extra,
            "-c", f"luafile {script}", "-c", "cquit 3"]
    try:
        return subprocess.run(args, cwd=cwd, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"headless Neovim did not finish within {timeout} s; stderr: {exc.stderr!r}", pytrace=False)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One recorded Neovim session on a private copy of the example project."""
    root = (tmp_path_factory.mktemp("nvim") / "trm_project")
    shutil.copytree(EXAMPLE, root)
    root = root.resolve()
    out = root.parent / "observed.json"
    proc = run_nvim(DRIVER, {"TRAINPATH_E2E_ROOT": str(root), "TRAINPATH_E2E_OUT": str(out),
                             "TRAINPATH_E2E_CMD": json.dumps(SERVER)}, cwd=root)
    if not out.exists():
        pytest.fail(f"Neovim wrote no observations (exit {proc.returncode}); "
                    f"stdout: {proc.stdout[-2000:]!r} stderr: {proc.stderr[-2000:]!r}", pytrace=False)
    observed = json.loads(out.read_text(encoding="utf-8"))
    observed["returncode"] = proc.returncode
    return observed


def no_error(session: dict[str, Any], step: str) -> None:
    errors = session["errors"] or {}
    assert step not in errors, f"step {step!r} failed in Neovim: {errors[step]}"


def session_root(session: dict[str, Any]) -> str:
    return session["root"]


def test_neovim_session_runs_and_stops_the_server(session):
    assert session["returncode"] == 0
    assert tuple(int(x) for x in session["nvim"].split(".")) >= (0, 7, 0)
    no_error(session, "start_client")
    no_error(session, "initialize")
    no_error(session, "shutdown")
    assert session["stopped"] is True
    assert any(line.startswith("trainpath: indexed ") for line in session["log"]), session["log"]


def test_broken_defaults_entry_shows_a_diagnostic_on_its_line(session):
    no_error(session, "diagnostics")
    assert session["diagnostics"] == [{
        "lnum": 3, "col": 10, "end_lnum": 3, "end_col": 14,
        "severity": 1, "code": "missing-default", "source": "trainpath",
        "message": "no config `arch/etmr`; did you mean `etrm`?",
    }]


def test_definition_on_arch_option_opens_the_arch_config(session):
    no_error(session, "definition_arch")
    result = session["definition_arch_result"]
    locations = result if isinstance(result, list) else [result]
    assert [loc.get("uri", loc.get("targetUri")) for loc in locations] == [
        (Path(session_root(session)) / "config/arch/etrm.yaml").as_uri()]
    assert session["definition_arch"] == {"file": "config/arch/etrm.yaml", "cursor": [1, 0]}


def test_definition_on_model_name_lands_on_the_class_line(session):
    no_error(session, "definition_class")
    result = session["definition_class_result"]
    locations = result if isinstance(result, list) else [result]
    assert [loc.get("uri", loc.get("targetUri")) for loc in locations] == [
        (Path(session_root(session)) / "models/recursive_reasoning/etrm.py").as_uri()]
    # the editor's cursor lands on the class name of `class TRMWithEncoder(_Module):` (line 25)
    assert session["definition_class"] == {"file": "models/recursive_reasoning/etrm.py", "cursor": [25, 6],
                                           "line_text": "class TRMWithEncoder(_Module):"}


def test_hover_on_halt_max_steps_shows_its_doc(session):
    no_error(session, "hover")
    result = session["hover_result"]
    assert result["range"] == {"start": {"line": 11, "character": 0}, "end": {"line": 11, "character": 14}}
    assert result["contents"]["kind"] == "markdown"
    window = session["hover_window"]  # what the user reads in the floating window
    assert window[0] == "**`halt_max_steps`** \u2014 ACT parameter"
    assert any(line.startswith("The cap on ACT steps per sample") for line in window), window
    assert any(line.startswith("Config class `TRMWithEncoderConfig.halt_max_steps`: `int` (required)")
               for line in window), window


def test_editing_arch_to_a_missing_option_raises_then_clears_a_diagnostic(session):
    no_error(session, "edit")
    assert session["edit_before"] == []
    assert session["edit_broken"] == [{
        "lnum": 3, "col": 10, "end_lnum": 3, "end_col": 19,
        "severity": 1, "code": "missing-default", "source": "trainpath",
        "message": "no config `arch/etrm_nope`; did you mean `etrm_moved`?",
    }]
    assert session["edit_fixed"] == []


# -- the documented Neovim 0.7 configuration, run for real -----------------------------------------

DOCS = REPO / "docs" / "editors.md"
SNIPPET_MARKER = "<!-- snippet: nvim-0.7"


def docs_snippet(marker: str, fence: str) -> str:
    """The first fenced ``fence`` block after ``marker`` in docs/editors.md."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(marker)
    body = text.index(f"```{fence}\n", start) + len(f"```{fence}\n")
    return text[body:text.index("\n```", body) + 1]


def test_documented_neovim_07_snippet_attaches_and_reports(tmp_path):
    root = tmp_path / "trm_project"
    shutil.copytree(EXAMPLE, root)
    (root / ".git").mkdir()  # the snippet's root marker
    root = root.resolve()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "trainpath"  # the snippet runs `trainpath serve` from PATH
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m trainpath "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    snippet = tmp_path / "init_snippet.lua"
    snippet.write_text(docs_snippet(SNIPPET_MARKER, "lua"), encoding="utf-8")
    out = tmp_path / "observed.json"
    env = {"TRAINPATH_E2E_ROOT": str(root), "TRAINPATH_E2E_OUT": str(out), "TRAINPATH_E2E_SNIPPET": str(snippet),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    # started from the project's parent: the snippet must find the root by its .git, not the cwd
    proc = run_nvim(HERE / "nvim_snippet.lua", env, cwd=tmp_path, extra=("--cmd", "filetype on"))
    assert out.exists(), f"exit {proc.returncode}; stderr: {proc.stderr[-2000:]!r}"
    observed = json.loads(out.read_text(encoding="utf-8"))
    assert proc.returncode == 0
    assert not observed["errors"], observed["errors"]
    buffers = observed["buffers"]
    assert buffers["config/cfg_pitfall_missing_arch.yaml"] == {
        "filetype": "yaml", "clients": ["trainpath"],
        "diagnostic": {"lnum": 3, "col": 10, "code": "missing-default", "severity": 1}}
    # init_options reach the server: missing-act-param is turned down to info (3)
    assert buffers["config/arch/etrm_noexplore.yaml"] == {
        "filetype": "yaml", "clients": ["trainpath"],
        "diagnostic": {"lnum": 1, "col": 6, "code": "missing-act-param", "severity": 3}}
    assert buffers["jobs-pitfalls.txt"] == {
        "filetype": "text", "clients": ["trainpath"],
        "diagnostic": {"lnum": 9, "col": 32, "code": "missing-script", "severity": 1}}
    assert buffers["pretrain_etrm.py"] == {"filetype": "python", "clients": ["trainpath"]}
    # :TrainpathChain on a job line and :TrainpathComposed on a main config open a scratch split
    chain = observed["TrainpathChain"]
    assert {k: chain[k] for k in ("new_buffer", "filetype", "buftype", "windows")} == {
        "new_buffer": True, "filetype": "markdown", "buftype": "nofile", "windows": 2}
    assert chain["lines"][0] == "**Task**: Verify the training path of `jobs-pitfalls.txt` line 4"
    assert "**Step 3**: Main config `config/cfg_pretrain_arc_agi_1.yaml` \u274c" in chain["lines"]
    composed = observed["TrainpathComposed"]
    assert {k: composed[k] for k in ("new_buffer", "filetype", "buftype", "windows")} == {
        "new_buffer": True, "filetype": "yaml", "buftype": "nofile", "windows": 2}
    assert composed["lines"][:3] == [
        "# cfg_pretrain_etrm_arc_agi_1 as composed for pretrain_etrm.py:142",
        "arch:  # config/cfg_pretrain_etrm_arc_agi_1.yaml:11",
        "  name: recursive_reasoning.etrm@TRMWithEncoder  # config/arch/etrm.yaml:1"]
    # one server for the whole project, rooted at the folder holding .git
    assert observed["clients"] == [{"name": "trainpath", "root_dir": str(root)}]
