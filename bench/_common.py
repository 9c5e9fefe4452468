"""What the benchmark scripts share: measuring with bytecode, and the synthetic projects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "_generated"


def use_bytecode() -> None:
    """Measure trainpath as users run it: with its bytecode compiled.

    This workplace sets PYTHONDONTWRITEBYTECODE, which would make every measured
    process compile trainpath's modules from source (~0.1 s) while hydra-core,
    installed by pip, has its bytecode.  Compile once and let children use it.
    """
    import compileall

    import trainpath

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    compileall.compile_dir(str(Path(trainpath.__file__).parent), quiet=1)


def synthetic_project(scale: int) -> Path:
    """``bench/_generated/x<scale>``, written by ``gen_synthetic.py`` when missing (kept between runs)."""
    out = GENERATED / f"x{scale}"
    if not (out / "seeded.json").is_file():
        subprocess.run([sys.executable, str(HERE / "gen_synthetic.py"), "--scale", str(scale), "--out", str(out),
                        "--force"], check=True)
    return out.resolve()
