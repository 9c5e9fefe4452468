"""``trainpath compose ROOT --config-name NAME [--config-dir DIR] [OVERRIDE ...] [--format yaml|json]``."""

from __future__ import annotations

import sys
from pathlib import Path

from trainpath.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from trainpath.cli.report import text_line


#: the "file" findings about command-line overrides are reported in
COMMAND_LINE = "<overrides>"


def find_config_dir(root: Path, config_name: str) -> tuple[Path | None, str | None]:
    """The one obvious config folder under ``root``, or an explanation of why there is none."""
    from trainpath.chain.project import Project

    dirs = Project(root).config_dirs
    if len(dirs) == 1:
        return dirs[0], None
    if not dirs:
        return None, f"no config folder found under `{root}`: pass --config-dir"
    name = config_name[:-5] if config_name.endswith(".yaml") else config_name
    holding = [d for d in dirs if (d / f"{name}.yaml").is_file()]
    if len(holding) == 1:
        return holding[0], None
    listed = ", ".join(str(d.relative_to(root)) if d.is_relative_to(root) else str(d) for d in dirs)
    return None, f"several config folders ({listed}): pass --config-dir"


def run(args) -> int:
    from trainpath.findings import Finding
    from trainpath.parsing.overrides import OverrideError, parse_override
    from trainpath.parsing.positions import Span

    root = Path(args.root)
    if not root.is_dir():
        sys.stderr.write(f"trainpath: error: `{args.root}` is not a folder\n")
        return EXIT_USAGE
    if args.config_dir is not None:
        config_dir = Path(args.config_dir)
        if not config_dir.is_absolute():
            config_dir = root / config_dir
        if not config_dir.is_dir():
            sys.stderr.write(f"trainpath: error: config folder `{args.config_dir}` does not exist\n")
            return EXIT_USAGE
    else:
        config_dir, why = find_config_dir(root.resolve(), args.config_name)
        if config_dir is None:
            sys.stderr.write(f"trainpath: error: {why}\n")
            return EXIT_USAGE
    # overrides are placed on one line, as if joined by spaces, so columns point into the command line
    overrides, problems, col = [], [], 0
    for text in args.overrides:
        try:
            overrides.append(parse_override(text, 0, col))
        except OverrideError as exc:
            problems.append(f"{COMMAND_LINE}:1:{col + exc.offset + 1}: error override-syntax "
                            f"Hydra refuses the override `{text}`: {exc.message}")
        col += len(text) + 1
    if problems:
        sys.stdout.write("\n".join(problems) + "\n")
        return EXIT_FINDINGS

    from trainpath.compose import ConfigRepo, compose

    # `--config-dir` names the primary config folder; the primary's `hydra.searchpath` adds folders after it,
    # relative ones from ROOT (where the run is assumed to start)
    result = compose(ConfigRepo(config_dir.resolve()), args.config_name, overrides, cwd=root.resolve())
    errors = [f for f in result.findings if f.effective_severity.value == "error"]
    if result.config is None or errors:
        for f in sorted(result.findings, key=Finding.sort_key):
            if "override" in dict(f.data):
                code = "override-syntax" if f.code == "invalid-choice" else f.code
                f = Finding(code, f.message, Path(COMMAND_LINE), f.span or Span.point(0, 0), f.severity)
            sys.stdout.write(text_line(f, root.resolve()) + "\n")
        return EXIT_FINDINGS
    from trainpath import render

    out = render.to_json(result.config) if args.format == "json" else render.to_yaml(result.config)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return EXIT_OK
