"""``check`` runs without the cycle collector: what it parses must be freed by reference counting."""

from __future__ import annotations

import gc
import io
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path

from trainpath.cli.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trm_project"


def test_check_leaves_no_parsed_code_or_configs_in_reference_cycles() -> None:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        with redirect_stdout(io.StringIO()):
            assert main(["check", str(EXAMPLE), "--format", "json"]) == 1
        gc.collect()
        kinds = Counter(f"{type(o).__module__}.{type(o).__name__}" for o in gc.garbage)
        closures = sorted(o.__qualname__ for o in gc.garbage
                          if type(o).__name__ == "function" and (o.__module__ or "").startswith("trainpath"))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    parsed = {k: n for k, n in kinds.items() if k.startswith(("ast.", "trainpath.pyindex", "trainpath.parsing"))}
    assert parsed == {}
    assert closures == []
