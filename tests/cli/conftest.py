"""Helpers for command-line tests: run ``trainpath`` as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "trm_project"
FIXTURES = REPO / "tests" / "fixtures"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trainpath", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=120)
