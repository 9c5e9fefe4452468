"""``trainpath check [ROOT] [--format text|json|sarif] [--select CODES] [--ignore CODES]``."""

from __future__ import annotations

import sys
from pathlib import Path

from trainpath.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE


def _codes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [c.strip() for c in value.split(",") if c.strip()]


def analyse(root: Path, select=None, ignore=None):
    """Build the project model and run every rule: (model, findings)."""
    from trainpath.chain.build import build_project_model
    from trainpath.chain.project import Project
    from trainpath.pyindex import verified
    from trainpath.rules import run_rules

    project = Project(root)
    verified.start(project.python_files)  # the parser's checks on the other core, while configs are read
    model = build_project_model(project)
    return model, run_rules(model, select=select, ignore=ignore)


def run(args) -> int:
    from trainpath.findings import RULES

    root = Path(args.root)
    if not root.is_dir():
        sys.stderr.write(f"trainpath: error: `{args.root}` is not a folder\n")
        return EXIT_USAGE
    select, ignore = _codes(args.select), _codes(args.ignore)
    unknown = [c for c in (select or []) + (ignore or []) if c not in RULES]
    if unknown:
        sys.stderr.write(f"trainpath: error: unknown rule code(s): {', '.join(unknown)}\n")
        return EXIT_USAGE
    model, findings = analyse(root, select, ignore)
    for problem in model.project.settings.problems:
        sys.stderr.write(f"trainpath: warning: [tool.trainpath] {problem}\n")
    from trainpath.cli import report

    resolved = model.project.root
    if args.format == "json":
        sys.stdout.write(report.to_json(findings, args.root, resolved) + "\n")
    elif args.format == "sarif":
        sys.stdout.write(report.to_sarif(findings, resolved) + "\n")
    else:
        for f in findings:
            sys.stdout.write(report.text_line(f, resolved) + "\n")
    errors = any(f.effective_severity.value == "error" for f in findings)
    return EXIT_FINDINGS if errors else EXIT_OK
