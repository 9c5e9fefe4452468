"""Where the language server's memory goes: index a project in-process and account for every byte.

    python bench/memory_probe.py bench/_generated/x10 [--top 25] [--no-trace]

Builds what ``trainpath serve`` builds for a workspace folder — the same
imports (pygls, lsprotocol, every feature module), the same heap and
garbage-collector set-up, then :meth:`trainpath.lsp.state.ProjectState.build` and the
conversion of every finding to an LSP diagnostic (the first publish) —
without any LSP transport, and reports:

1. RSS (``/proc/self/status``) before indexing, after it, after publishing,
   after ``gc.collect()``, after ``malloc_trim(0)`` (glibc: give freed heap pages
   back), and after ``gc.freeze()``;
2. in a second process (``tracemalloc`` itself costs memory and time, so it
   never runs in the process whose RSS is reported): the memory allocated
   while indexing and still alive, grouped by the innermost trainpath frame
   (file:line) of each allocation, by file, and by object type;
3. what holds it: every object reachable from the state and from trainpath's
   module-level caches, attributed to the first root that reaches it (so
   the numbers add up), with its count and bytes (``sys.getsizeof``);
4. the copies: immutable values (strings, tuples, paths, frozen dataclasses
   such as spans) equal to one met before, i.e. what interning would save.

Objects that existed before indexing (imported modules and their constants)
are walked through but never counted.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
import tracemalloc
import types as pytypes
from collections import defaultdict
from pathlib import Path, PurePath

#: objects never walked into: they lead to every module of the interpreter
_OPAQUE = (pytypes.ModuleType, type, pytypes.FunctionType, pytypes.BuiltinFunctionType, pytypes.CodeType,
           pytypes.MethodType, pytypes.FrameType, pytypes.MethodWrapperType, pytypes.WrapperDescriptorType)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_like_process():
    """Import what ``trainpath serve`` imports, set up the heap and the collector as it does; returns ``ProjectState``."""
    from trainpath.lsp import heap, server
    from trainpath.lsp.state import ProjectState

    heap.share_one_heap()
    server.register_features()
    server.tune_gc()
    return ProjectState


def publish(state) -> int:
    """Convert every finding to an LSP diagnostic, as the server's first publish does; returns how many."""
    from trainpath.lsp.convert import to_diagnostic

    return sum(len([to_diagnostic(f) for f in state.findings_for(path)]) for path in sorted(state.diagnostics))


def new_project(state, max_trees: int | None):
    """The ``Project`` the state would build, its Python index keeping at most ``max_trees`` ASTs when given."""
    from trainpath.chain.project import Project

    project = Project(state.root, state.settings())
    if max_trees is not None:
        project.pyindex.files.max_trees = max_trees
    return project


def measure_rss(root: Path, max_trees: int | None) -> None:
    ProjectState = server_like_process()
    from trainpath.lsp.heap import trim_heap

    figures = {"imports (pygls, lsprotocol, trainpath)": rss_mb()}
    state = ProjectState(root)
    project = new_project(state, max_trees)
    start = time.perf_counter()
    state.build(project)
    seconds = time.perf_counter() - start
    figures["indexed"] = rss_mb()
    publish(state)
    figures["diagnostics published"] = rss_mb()
    gc.collect()
    figures["after gc.collect()"] = rss_mb()
    if trim_heap():
        figures["after malloc_trim(0)"] = rss_mb()
    gc.freeze()
    figures["after gc.freeze()"] = rss_mb()
    chains = len(state.model.chains) if state.model else 0
    print(f"RSS, {root.name}: {chains} chains, {sum(map(len, state.diagnostics.values()))} findings, "
          f"indexed in {seconds:.1f} s, {project.pyindex.files.parse_count} Python parses")
    for name, mb in figures.items():
        print(f"  {name:40} {mb:8.1f} MB")


# --------------------------------------------------------------------------- tracemalloc


def _innermost_trainpath(tb: tracemalloc.Traceback) -> str:
    """``file:line`` of the innermost trainpath frame of an allocation (else its innermost frame)."""
    for frame in reversed(tb):  # most recent call last
        if "/trainpath/" in frame.filename:
            return f"{_short(frame.filename)}:{frame.lineno}"
    frame = tb[-1]
    return f"{_short(frame.filename)}:{frame.lineno}"


def _short(filename: str) -> str:
    for marker in ("/trainpath/", "/site-packages/"):
        if marker in filename:
            return marker.strip("/") + "/" + filename.split(marker, 1)[1]
    return "stdlib/" + filename.rsplit("/", 1)[-1] if "/lib/python3" in filename else filename


def _table(title: str, rows: list[tuple[str, int, int]], top: int, total: int) -> None:
    print(f"\n{title}")
    print(f"  {'MB':>7} {'share':>6} {'count':>9}  where")
    for name, size, count in sorted(rows, key=lambda r: -r[1])[:top]:
        print(f"  {size / 2**20:7.2f} {100 * size / max(total, 1):5.1f}% {count:9d}  {name}")


def _sums(pairs) -> list[tuple[str, int, int]]:
    """``(key, (bytes, count))`` pairs summed per key, as table rows."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, (size, count) in pairs:
        out[key][0] += size
        out[key][1] += count
    return [(k, s, c) for k, (s, c) in out.items()]


def trace(root: Path, top: int, frames: int, max_trees: int | None) -> None:
    ProjectState = server_like_process()
    state = ProjectState(root)
    project = new_project(state, max_trees)
    before = _reachable_ids([m for m in list(sys.modules.values()) if m is not None])
    tracemalloc.start(frames)
    state.build(project)
    publish(state)
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stats = snapshot.statistics("traceback")
    total = sum(s.size for s in stats)
    print(f"tracemalloc, {root.name}: {total / 2**20:.1f} MB allocated while indexing and still alive "
          f"({sum(s.count for s in stats)} blocks)")
    by_line = [(_innermost_trainpath(s.traceback), (s.size, s.count)) for s in stats]
    _table(f"by innermost trainpath line ({frames} frames kept)", _sums(by_line), top, total)
    _table("by innermost trainpath file", _sums((k.rsplit(":", 1)[0], v) for k, v in by_line), top, total)

    counted, copies = _retained(state, before)
    walked = sum(size for size, _ in counted.values())
    _table(f"reachable objects allocated while indexing, by type ({walked / 2**20:.1f} MB by sys.getsizeof)",
           _sums((kind, v) for (_, kind), v in counted.items()), top, walked)
    _table("retained by root (each object counted under the first root that reaches it)",
           _sums((name, v) for (name, _), v in counted.items()), top * 2, walked)
    _table("retained by root and type", _sums((f"{name}  [{kind}]", v) for (name, kind), v in counted.items()),
           top * 2, walked)
    _table("equal copies of immutable values (what sharing one object per value would save), by root and type",
           _sums((f"{name}  [{kind}]", v) for (name, kind), v in copies.items()), top, walked)


def _roots(state) -> list[tuple[str, object]]:
    """Named roots, most specific first: the state's parts, then trainpath's module-level caches."""
    roots: list[tuple[str, object]] = []
    project, builder, model = state.project, state.builder, state.model
    pyindex = project.__dict__.get("pyindex") if project is not None else None
    if pyindex is not None:
        roots += [(f"pyindex.{k}", v) for k, v in sorted(vars(pyindex).items())]
    if project is not None:
        roots += [(f"project.{k}", v) for k, v in sorted(vars(project).items()) if k != "pyindex"]
    if model is not None:
        roots += [("model.name_links", model.name_links), ("model.file_findings", model.file_findings)]
        for name in ("job", "compose", "script", "findings", "links"):
            roots.append((f"chain.{name}", [getattr(c, name) for c in model.chains]))
        roots.append(("model.chains (rest)", model.chains))
    if builder is not None:
        roots += [(f"builder.{k}", v) for k, v in sorted(vars(builder).items()) if k not in ("project", "model")]
    roots += [(f"state.{k}", v) for k, v in sorted(vars(state).items())
              if k not in ("project", "builder", "model")]
    for mod_name, mod in sorted(sys.modules.items()):
        if not mod_name.startswith("trainpath") or mod is None:
            continue
        for k, v in sorted(vars(mod).items()):
            if hasattr(v, "cache_info"):  # functools.lru_cache: its cache hangs off the wrapper
                roots.append((f"{mod_name}.{k} (lru_cache)", v))
            elif not isinstance(v, _OPAQUE):
                roots.append((f"{mod_name}.{k}", v))
    return roots


def _walk(roots, seen: set[int]):
    """Every object reachable from ``roots`` not in ``seen`` (which grows); modules, classes, code are not entered."""
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        if not isinstance(obj, _OPAQUE):
            stack.extend(gc.get_referents(obj))


def _reachable_ids(roots) -> set[int]:
    seen: set[int] = set()
    for module in roots:
        for _ in _walk(list(vars(module).values()), seen):
            pass
    return seen


#: immutable value types whose equal copies could be shared (interned)
_VALUE_TYPES = (str, tuple, frozenset, bytes, PurePath)


def _retained(state, before: set[int]) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str], list[int]]]:
    """What the roots hold of the objects that did not exist before indexing, each object under its first root.

    Returns ``(root, type) -> [bytes, count]`` and, for immutable values that
    are equal to an object met earlier in the walk (interning would share
    them), ``(root, type) -> [bytes, count]`` of those copies.  An object
    reachable before indexing (``before``) is walked through, not counted.
    """
    seen: set[int] = set()
    counted: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    copies: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    values: set = set()
    for name, root in _roots(state):
        for obj in _walk([root], seen):
            if id(obj) in before:
                continue
            key = (name, type(obj).__name__)
            size = sys.getsizeof(obj)
            row = counted[key]
            row[0] += size
            row[1] += 1
            if isinstance(obj, _VALUE_TYPES) or _frozen_dataclass(obj):
                try:
                    value = (type(obj), obj)
                    if value in values:
                        copies[key][0] += size
                        copies[key][1] += 1
                    else:
                        values.add(value)
                except TypeError:  # holds something unhashable
                    pass
    return counted, copies


def _frozen_dataclass(obj: object) -> bool:
    params = getattr(type(obj), "__dataclass_params__", None)
    return params is not None and params.frozen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the project to index (e.g. bench/_generated/x10)")
    parser.add_argument("--top", type=int, default=25, help="rows per table")
    parser.add_argument("--frames", type=int, default=4, help="frames tracemalloc keeps per allocation (slower when more)")
    parser.add_argument("--max-trees", type=int, help="what-if: the Python index keeps at most this many ASTs")
    parser.add_argument("--no-trace", action="store_true", help="RSS figures only (no tracemalloc pass)")
    parser.add_argument("--trace-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.trace_only:
        trace(root, args.top, args.frames, args.max_trees)
        return 0
    measure_rss(root, args.max_trees)
    if args.no_trace:
        return 0
    sys.stdout.flush()
    child = [sys.executable, __file__, str(root), "--trace-only", "--top", str(args.top), "--frames", str(args.frames)]
    if args.max_trees is not None:
        child += ["--max-trees", str(args.max_trees)]
    return subprocess.run(child).returncode


if __name__ == "__main__":
    raise SystemExit(main())
