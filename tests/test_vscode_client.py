"""The VS Code extension builds, type-checks, passes its unit tests and packages.

Runs the npm scripts of the root ``package.json`` (the extension manifest):
``npm run typecheck`` (tsc --noEmit), ``npm test`` (esbuild + ``node --test``) and
``npm run package`` (vsce), then opens the ``.vsix`` (a zip) and checks that it holds
the manifest, the bundle and the grammar but none of the TypeScript sources.
CI runs ``npm ci`` before pytest; when ``node_modules`` is missing this module runs
it itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VSIX = ROOT / "trainpath.vsix"


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH: the VS Code extension tests need Node.js 20 and npm")
    return npm


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_npm(), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"


@pytest.fixture(scope="module", autouse=True)
def node_modules() -> None:
    if not (ROOT / "node_modules" / ".package-lock.json").is_file():
        result = _run("ci", "--no-audit", "--no-fund", timeout=600)
        assert result.returncode == 0, _explain(result)


def test_typecheck() -> None:
    result = _run("run", "typecheck")
    assert result.returncode == 0, _explain(result)


def test_unit_tests() -> None:
    result = _run("test")
    assert result.returncode == 0, _explain(result)
    assert "# fail 0" in result.stdout, _explain(result)
    assert "# pass 0" not in result.stdout, _explain(result)


def test_package_contents() -> None:
    VSIX.unlink(missing_ok=True)
    result = _run("run", "package")
    assert result.returncode == 0, _explain(result)
    assert VSIX.is_file(), _explain(result)
    with zipfile.ZipFile(VSIX) as vsix:
        names = set(vsix.namelist())
        manifest = json.loads(vsix.read("extension/package.json"))
    assert {
        "extension/package.json",
        "extension/dist/extension.js",
        "extension/vscode-client/syntaxes/trainpath-jobs.tmLanguage.json",
        "extension/vscode-client/language-configuration.json",
        "extension/readme.md",
    } <= names
    assert not any(name.startswith("extension/vscode-client/src") for name in names), sorted(names)
    assert not any(name.endswith(".ts") for name in names), sorted(names)
    assert not any("node_modules" in name for name in names), sorted(names)
    assert manifest["main"] == "./dist/extension.js"
    assert manifest["contributes"]["grammars"][0]["path"] == "./vscode-client/syntaxes/trainpath-jobs.tmLanguage.json"
