"""Bookkeeping for incremental re-checks: which chains a file change reaches, and a graph that updates in place.

Two small indexes keep a keystroke's re-check proportional to what it
touches rather than to the size of the project:

- :class:`PyDeps` — each project Python file's imports (read with a regex,
  so imports inside functions count too; nothing is executed), resolved to
  project files through the :class:`~trainpath.pyindex.PyIndex`, and their
  transitive closure.  A change to ``models/encoders/factory.py`` reaches the
  chains whose model module imports it, and no others.
- :func:`chain_python_files` / :func:`link_python_files` — the Python files a
  chain or a config's ``name:`` links rest on (scripts, model modules, the
  module a missing class was looked for in).
- the graph itself updates in place: :class:`~trainpath.chain.model.Graph`
  holds links by holder (a chain, or a config file's name links), so
  replacing one chain's links costs that chain only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from trainpath.chain.model import Chain, Link

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))",
    re.M,
)
_NAME = re.compile(r"[A-Za-z_][\w.]*")


class PyDeps:
    """Project-internal imports of Python files (direct, memoised per content; closure on demand)."""

    def __init__(self, root: Path, pyindex: Any) -> None:
        self.root = Path(root)
        self.pyindex = pyindex
        self._direct: dict[Path, tuple[str, frozenset[Path]]] = {}
        self._closure: dict[Path, frozenset[Path]] = {}

    def invalidate(self, path: Path | None = None) -> None:
        """``path`` changed (None: anything may have): forget closures, and that file's imports."""
        if path is None:
            self._direct.clear()
        else:
            self._direct.pop(Path(path), None)
        self._closure.clear()

    def direct(self, path: Path) -> frozenset[Path]:
        from trainpath.parsing.sources import read_source

        path = Path(path)
        hit = self._direct.get(path)
        if hit is not None:  # changed files are forgotten through invalidate()
            return hit[1]
        text = read_source(path).text or ""
        out: set[Path] = set()
        for m in _IMPORT.finditer(text):
            if m.group(4) is not None:  # import a.b as c, d
                for part in m.group(4).split(","):
                    name = part.strip().split(" ")[0]
                    if name:
                        self._add_module(out, name)
                continue
            level, base, names = len(m.group(1)), m.group(2), m.group(3)
            module = self._absolute(path, level, base)
            if module is None:
                continue
            if module:
                self._add_module(out, module)
            for name in _NAME.findall(names.strip("()")):
                if name != "as" and "." not in name:
                    self._add_module(out, f"{module}.{name}" if module else name)
        out.discard(path)
        result = frozenset(out)
        self._direct[path] = (text, result)
        return result

    def closure(self, path: Path) -> frozenset[Path]:
        """``path`` and every project file it imports, transitively."""
        path = Path(path)
        hit = self._closure.get(path)
        if hit is not None:
            return hit
        seen = {path}
        todo = [path]
        while todo:
            for dep in self.direct(todo.pop()):
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        result = frozenset(seen)
        self._closure[path] = result
        return result

    def closure_of(self, paths: Iterable[Path]) -> set[Path]:
        out: set[Path] = set()
        for p in paths:
            if p not in out:
                out |= self.closure(p)
        return out

    # -- helpers -------------------------------------------------------------------------
    def _absolute(self, path: Path, level: int, base: str) -> str | None:
        if level == 0:
            return base
        try:
            parts = list(path.relative_to(self.root).parts[:-1])
        except ValueError:
            return None
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
        if base:
            parts.append(base)
        return ".".join(parts)

    def _add_module(self, out: set[Path], module: str) -> None:
        pieces = module.split(".")
        for i in range(1, len(pieces) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
            found = self._file(".".join(pieces[:i]))
            if found is not None:
                out.add(found)

    def _file(self, module: str) -> Path | None:
        try:
            found = self.pyindex.module_path(module)
        except Exception:  # noqa: BLE001 - an odd name is not ours to judge
            return None
        if found is None:
            return None
        if found.is_dir():
            init = found / "__init__.py"
            return init if init.is_file() else None
        return found if found.suffix == ".py" else None


def link_python_files(link: Link, pyindex: Any) -> set[Path]:
    """Python files a link rests on: its target, and the module a missing class was looked for in."""
    out: set[Path] = set()
    if link.target is not None and link.target.path.suffix == ".py":
        out.add(link.target.path)
    module_path = link.info.get("module_path")
    if module_path is not None:
        out.add(Path(module_path))
    module = link.info.get("module")
    if module and link.target is None:
        try:
            found = pyindex.module_path(module)
        except Exception:  # noqa: BLE001
            found = None
        if found is not None and found.suffix == ".py":
            out.add(found)
    return out


def chain_python_files(chain: Chain, pyindex: Any) -> set[Path]:
    """The Python files a chain's verdicts read: its script, model, loss, evaluator and target modules."""
    out: set[Path] = set()
    script = getattr(chain, "script", None)
    if script is not None and getattr(script, "path", None) is not None:
        out.add(Path(script.path))
    for link in chain.links:
        out |= link_python_files(link, pyindex)
    if chain.model is not None and getattr(chain.model, "path", None) is not None:
        out.add(Path(chain.model.path))
    return out
