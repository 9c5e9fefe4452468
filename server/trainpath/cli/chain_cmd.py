"""``trainpath chain [ROOT] [--job FILE[:LINE]] [--format text|markdown|json]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from trainpath.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE


def _select(model, job_arg: str | None):
    chains = [c for c in model.chains if c.root_kind == "job"]
    if not job_arg:
        # every job line, then the entry points no job line runs (`python script.py` is a training path too)
        run = {c.script.path for c in chains if c.script is not None}
        return chains + [c for c in model.chains if c.root_kind == "script" and c.root.path not in run], None
    file_part, line = job_arg, None
    head, sep, tail = job_arg.rpartition(":")
    if sep and tail.isdigit():
        file_part, line = head, int(tail)
    target = (model.project.root / file_part).resolve() if not Path(file_part).is_absolute() else Path(file_part).resolve()
    picked = [c for c in chains if c.root.path == target]
    if not picked:
        return [], f"no job lines in `{file_part}`"
    if line is not None:
        picked = [c for c in picked if c.root.span.line + 1 <= line <= c.root.span.end_line + 1]
        if not picked:
            return [], f"no job at `{file_part}:{line}`"
    return picked, None


def run(args) -> int:
    from trainpath.chain import review
    from trainpath.cli.check_cmd import analyse

    root = Path(args.root)
    if not root.is_dir():
        sys.stderr.write(f"trainpath: error: `{args.root}` is not a folder\n")
        return EXIT_USAGE
    model, findings = analyse(root)
    chains, problem = _select(model, args.job)
    if problem:
        sys.stderr.write(f"trainpath: error: {problem}\n")
        return EXIT_USAGE
    by_place: dict = {}
    for f in findings:
        by_place.setdefault((f.path, f.span.line), []).append(f)
    rendered = [(c, review.steps(model, c, by_place)) for c in chains]
    rel = model.project.rel
    if args.format == "json":
        out = {"chains": []}
        for chain, steps in rendered:
            links = []
            for link in chain.links:
                ref = link.target or link.source
                entry = {"kind": link.kind, "name": link.name, "path": rel(ref.path) if ref else None,
                         "line": ref.span.line + 1 if ref else None, "ok": link.ok and not link.codes,
                         "codes": list(link.codes)}
                if link.source is not None:
                    entry["source"] = {"path": rel(link.source.path), "line": link.source.span.line + 1,
                                       "column": link.source.span.col + 1}
                links.append(entry)
            out["chains"].append({"job": {"path": rel(chain.root.path), "line": chain.root.span.line + 1},
                                  "ok": review.chain_ok(steps), "unchecked": review.unchecked(chain),
                                  "links": links})
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    else:
        render = review.to_markdown if args.format == "markdown" else review.to_text
        sys.stdout.write(("\n---\n\n" if args.format == "markdown" else "\n").join(render(model, c, s) for c, s in rendered))
    # like `check`: 1 when a chain shown has an error-severity finding, 0 otherwise
    settings = model.project.settings
    broken = any(settings.severity(code) is not None and settings.severity(code).value == "error"
                 for chain, steps in rendered for code in chain.codes.union(*(s.codes for s in steps)))
    return EXIT_FINDINGS if broken else EXIT_OK
