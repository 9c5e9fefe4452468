"""``trainpath check`` on synthetic projects at x1, x10, x100 against the parse floor and Hydra.

    python bench/check_bench.py [--scales 1 10 100] [--runs N] [--hydra-max-scale S]

Projects come from ``bench/gen_synthetic.py`` and are cached in ``bench/_generated/x<N>``
(gitignored; regenerated when missing).  For each scale, in one run, side by side:

- ``check``: ``python -m trainpath check ROOT --format json``, whole process;
- floor: a fresh process that only reads and parses the same files: every ``.yaml``
  with PyYAML's C loader, every ``.py`` with ``ast.parse`` (no trees kept);
- syntax floor: a fresh process that only runs CPython's parser (``symtable``, which builds no
  Python objects) over the Python files check's chains need (scripts and the model, loss, evaluator
  and target modules, from ``trainpath chain --format json``): the least any exact ``python-syntax`` check costs;
- Hydra: one process composing every main config (``config/*.yaml``) with
  ``initialize_config_dir(version_base=None)`` + ``compose`` + ``OmegaConf.to_yaml``,
  timed after Hydra's import: per-config median and total (a config Hydra refuses,
  such as a seeded missing default, is counted with the time it took to fail).

Each figure is the median of N runs (wall time; CPU time of the child in brackets).
Then every seeded broken link of ``seeded.json`` is looked up in check's JSON
(path, line, column, code) and found/total is printed per code.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from _common import synthetic_project, use_bytecode


FLOOR_SNIPPET = """
import ast, os, sys, yaml
root = sys.argv[1]
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(filenames):
        path = os.path.join(dirpath, name)
        if name.endswith(".yaml"):
            with open(path, encoding="utf-8") as fh:
                yaml.load(fh.read(), Loader=yaml.CSafeLoader)
        elif name.endswith(".py"):
            with open(path, encoding="utf-8") as fh:
                ast.parse(fh.read(), filename=path)
"""

SYNTAX_SNIPPET = """
import sys, symtable
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fh:
        symtable.symtable(fh.read(), path, "exec")
"""

HYDRA_SNIPPET = """
import json, os, sys, time
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf
config_dir = sys.argv[1]
out = {}
for name in sorted(f[:-5] for f in os.listdir(config_dir) if f.endswith(".yaml")):
    start = time.perf_counter()
    try:
        with initialize_config_dir(config_dir=config_dir, version_base=None):
            OmegaConf.to_yaml(compose(config_name=name))
        ok = True
    except Exception:
        ok = False
    out[name] = (time.perf_counter() - start, ok)
print(json.dumps(out))
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, child CPU seconds, stdout) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1) or proc.stderr.startswith("Traceback"):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stdout


def median_run(cmd: list[str], runs: int) -> tuple[float, float, str]:
    results = [run(cmd) for _ in range(runs)]
    return (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results), results[-1][2])


def seeded_found(root: Path, check_json: str) -> dict[str, tuple[int, int]]:
    got = {(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(check_json)["diagnostics"]}
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for s in json.loads((root / "seeded.json").read_text(encoding="utf-8")):
        total[s["code"]] += 1
        found[s["code"]] += (s["path"], s["line"], s["column"], s["code"]) in got
    return {code: (found[code], total[code]) for code in sorted(total)}


def needed_python(root: Path) -> list[str]:
    """The Python files the chains of ``root`` lead to (script, model, loss, evaluator, target links)."""
    out = subprocess.run([sys.executable, "-m", "trainpath", "chain", str(root), "--format", "json"],
                         capture_output=True, text=True).stdout
    paths = {link["path"] for chain in json.loads(out)["chains"] for link in chain["links"]
             if link["kind"] in ("script", "model", "loss", "evaluator", "target") and link["ok"]
             and link["path"].endswith(".py")}
    return sorted(str(root / p) for p in paths)


def fmt(wall: float, cpu: float) -> str:
    return f"{wall:7.2f} s ({cpu:5.2f})"


def main(argv: list[str] | None = None) -> int:
    use_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median is shown)")
    parser.add_argument("--hydra-max-scale", type=int, default=100, help="skip Hydra above this scale (slow)")
    args = parser.parse_args(argv)
    py = sys.executable
    print(f"check, whole process; median of {args.runs} runs; wall (child CPU) "
          f"[{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}]")
    print(f"{'scale':>5} {'files':>6} {'check':>18} {'floor':>18} {'check/floor':>11} {'syntax floor':>18} "
          f"{'hydra total':>12} {'per config':>10} {'configs':>7} {'check/hydra':>11}")
    found_rows = []
    for scale in args.scales:
        root = synthetic_project(scale)
        files = sum(len(f) for _, _, f in os.walk(root))
        cw, cc, out = median_run([py, "-m", "trainpath", "check", str(root), "--format", "json"], args.runs)
        fw, fc, _ = median_run([py, "-c", FLOOR_SNIPPET, str(root)], args.runs)
        needed = needed_python(root)
        sw, sc, _ = median_run([py, "-c", SYNTAX_SNIPPET, *needed], args.runs)
        syntax = f"{fmt(sw, sc)} {len(needed):>4}"
        hydra = "-"
        per = "-"
        n_cfg = "-"
        ratio = "-"
        if scale <= args.hydra_max_scale:
            totals, pers = [], []
            for _ in range(args.runs):
                times = json.loads(run([py, "-c", HYDRA_SNIPPET, str(root / "config")])[2])
                totals.append(sum(t for t, _ in times.values()))
                pers.append(statistics.median(t for t, _ in times.values()))
            total = statistics.median(totals)
            hydra, per, n_cfg = f"{total:10.2f} s", f"{statistics.median(pers) * 1000:7.1f} ms", str(len(times))
            ratio = f"{cw / total:10.2f}x"
        print(f"{scale:>5} {files:>6} {fmt(cw, cc):>18} {fmt(fw, fc):>18} {cw / fw:10.2f}x {syntax:>18} "
              f"{hydra:>12} {per:>10} {n_cfg:>7} {ratio:>11}", flush=True)
        found_rows.append((scale, seeded_found(root, out)))
    print()
    print("seeded broken links found by `check --format json` (found/total per code)")
    for scale, per_code in found_rows:
        cells = ", ".join(f"{code} {f}/{t}" for code, (f, t) in per_code.items())
        all_found = sum(f for f, _ in per_code.values())
        all_total = sum(t for _, t in per_code.values())
        print(f"x{scale}: {all_found}/{all_total}  ({cells})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
