"""Entry point: parses the command line and hands over to one module per command.

Each command module is imported only when used, so ``trainpath compose`` never
pays for the language server's or jedi's imports.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: one clear line, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"trainpath: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from trainpath import __version__

    parser = _Parser(prog="trainpath", description="Check the training path of a Hydra training repository.")
    parser.add_argument("--version", action="version", version=f"trainpath {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("check", help="report every broken or suspicious link in the project")
    p.add_argument("root", nargs="?", default=".", help="project root (default: current folder)")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    p.add_argument("--select", default=None, help="comma-separated rule codes to report (default: all)")
    p.add_argument("--ignore", default=None, help="comma-separated rule codes to leave out")

    p = sub.add_parser("chain", help="print each job's chain, link by link")
    p.add_argument("root", nargs="?", default=".")
    p.add_argument("--job", default=None, metavar="FILE[:LINE]", help="only the jobs of FILE (at LINE, 1-based)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    p = sub.add_parser("compose", help="compose a config as Hydra would")
    # one positional list: argparse cannot take ROOT, options, then more positionals otherwise
    p.add_argument("args", nargs="+", metavar="ROOT [OVERRIDE ...]", help="project root, then Hydra overrides")
    p.add_argument("--config-name", "-cn", required=True, dest="config_name")
    p.add_argument("--config-dir", "-cd", default=None, dest="config_dir")
    p.add_argument("--format", choices=("yaml", "json"), default="yaml")

    p = sub.add_parser("serve", help="run the language server over stdio")
    p.add_argument("--log-file", default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "compose":
        # overrides may come after the options: `compose ROOT --config-name X a=1 b=2`
        bad = [e for e in extra if e.startswith("-") and not e.startswith("--") or e.startswith("--")]
        if bad:
            parser.error(f"unrecognized arguments: {' '.join(bad)}")
        args.root, args.overrides = args.args[0], args.args[1:] + extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command != "serve":
        _batch_gc()
    try:
        if args.command == "compose":
            from trainpath.cli.compose_cmd import run
        elif args.command == "check":
            from trainpath.cli.check_cmd import run
        elif args.command == "chain":
            from trainpath.cli.chain_cmd import run
        else:
            # read `initialize` and start indexing before the language server's heavy imports
            from trainpath.lsp.early import start

            stream, early = start()
            from trainpath.lsp.server import run

            return run(args, stdin=stream, early=early)
        return run(args)
    except KeyboardInterrupt:
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # internal error: one line, never a traceback for users
        import os

        if os.environ.get("TRAINPATH_DEBUG"):
            raise
        sys.stderr.write(f"trainpath: internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_USAGE


def _batch_gc() -> None:
    """No cycle collection in a one-shot command.

    Parsing allocates millions of small objects (AST nodes, YAML nodes) that
    live until the end, and each collection rescans them: with the default
    thresholds that was about 40% of ``check``'s time on a large project.
    The analysis leaves no reference cycles behind (recursive closures are
    broken once done; ``tests/cli/test_gc.py`` keeps it so), so reference
    counting frees what it drops and memory stays what it was with the
    collector on.
    """
    import gc

    gc.disable()
