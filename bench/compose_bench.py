"""Cold ``trainpath compose`` against a cold hydra-core compose, whole process, side by side.

    python bench/compose_bench.py [--runs N] [--root DIR] [--config NAME ...]

For each main config of the project (default: every top-level ``config/*.yaml`` of
``examples/trm_project``) both tools start a fresh Python process and compose the
same config:

- trainpath: ``python -m trainpath compose ROOT --config-name NAME``;
- Hydra: ``initialize_config_dir(version_base=None)`` + ``compose(NAME)`` +
  ``OmegaConf.to_yaml`` (hydra-core is only the oracle here, never a runtime import).

Runs alternate between the two tools (so background load hits both alike); the
table shows the median wall time of N runs, the median CPU time (user + sys of
the child) and the ratio.  Standard library only, apart from what the child
processes import.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import use_bytecode

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent / "examples" / "trm_project"

HYDRA_SNIPPET = """
import sys
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf
with initialize_config_dir(config_dir=sys.argv[1], version_base=None):
    cfg = compose(config_name=sys.argv[2])
sys.stdout.write(OmegaConf.to_yaml(cfg))
"""


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, child CPU seconds, exit status) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return wall, cpu, proc.returncode


def main_configs(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "config").glob("*.yaml"))


def bench(root: Path, names: list[str], runs: int) -> list[tuple[str, float, float, float, float, int]]:
    py = sys.executable
    rows = []
    for name in names:
        tp_cmd = [py, "-m", "trainpath", "compose", str(root), "--config-name", name]
        hy_cmd = [py, "-c", HYDRA_SNIPPET, str(root / "config"), name]
        timed(tp_cmd), timed(hy_cmd)  # warm the OS file cache and .pyc files: every measured run is "cold" Python
        tp, hy = [], []
        status = 0
        for _ in range(runs):
            w, c, status = timed(tp_cmd)
            tp.append((w, c))
            hy.append(timed(hy_cmd)[:2])
        rows.append((name, statistics.median(w for w, _ in tp), statistics.median(c for _, c in tp),
                     statistics.median(w for w, _ in hy), statistics.median(c for _, c in hy), status))
    return rows


def main(argv: list[str] | None = None) -> int:
    use_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per tool and config (median is shown)")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--config", action="append", default=None, help="config name (repeatable; default: all)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    names = args.config or main_configs(root)
    print(f"compose, whole process, median of {args.runs} runs ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})")
    print(f"{'config':36} {'trainpath wall':>14} {'cpu':>7} {'hydra wall':>11} {'cpu':>7} {'speed-up':>9}")
    for name, tw, tc, hw, hc, status in bench(root, names, args.runs):
        note = "" if status == 0 else "  (trainpath: findings, exit 1)"
        print(f"{name:36} {tw * 1000:11.0f} ms {tc * 1000:4.0f} ms {hw * 1000:8.0f} ms {hc * 1000:4.0f} ms"
              f" {hw / tw:8.2f}x{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
