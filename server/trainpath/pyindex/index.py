"""The static Python index: find modules by path, resolve names, read signatures.

:class:`PyIndex` answers the questions the chain asks about Python code —
does ``models.recursive_reasoning.etrm`` exist, what is ``TRMWithEncoder``
in it, what does its constructor accept — with ``ast`` on files found by
path.  Nothing is imported.  Imports are followed the way Python would:
relative imports, ``__init__.py`` re-exports, star imports restricted by
``__all__``, ``import a.b as c``, aliases and conditional definitions (the
first binding wins).  Every lookup is cycle-safe.

The disk is looked at once per *epoch* (:meth:`PyIndex.new_epoch`, at the
start of each build): a file's stamp, a folder's listing.  Resolutions
(``resolve``, ``qualify``) are remembered until a summary may have changed
(:attr:`FileCache.generation`: a new epoch, an invalidation).  Neither holds a
syntax tree, so memory stays bounded by the file cache's LRU.

Behaviour facts (``choices``, ``train_forward``, ``halting``) live in
:mod:`trainpath.pyindex.behaviour`; config classes in
:mod:`trainpath.pyindex.classes`.
"""

from __future__ import annotations

import ast
import builtins
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from trainpath.findings import Finding
from trainpath.pyindex.summary import Binding, FileCache, ModuleSummary, Parsed, def_spans, nodes, walk, _dotted
from trainpath.pyindex.types import Choices, ConfigClass, Halting, Param, Symbol, TrainForward

ClassInfo = tuple[Symbol, Parsed, ast.ClassDef]
#: where a module is: (file or namespace directory, directories of its submodules, whether it is a file)
Located = tuple[Path | None, tuple[Path, ...], bool]


def _valid_module(module: str) -> bool:
    return bool(module) and all(p.isidentifier() for p in module.split("."))


class PyIndex:
    """Static index over Python files under ``roots`` (project root first)."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots: list[Path] = [Path(r) for r in roots]
        self.files = FileCache()
        self._located: dict[str, Located] = {}
        self._facts: dict[tuple, object] = {}
        self._listings: dict[str, list[str]] = {}  # submodules(), for the current epoch
        #: resolutions (symbols and names, never trees), valid for one FileCache generation
        self._resolved: dict[tuple, object] = {}
        self._resolved_generation = -1

    # ------------------------------------------------------------------ files
    def new_epoch(self) -> None:
        """Look at the disk again: each file's stamp is checked once more, folders are listed again.

        Call it at the start of each build.  Within an epoch a file's stamp is
        checked once; a change announced with :meth:`invalidate` is seen at once.
        """
        self.files.new_epoch()
        self._listings.clear()

    def invalidate(self, path: Path | None = None) -> None:
        """Forget what is known about ``path`` (or everything)."""
        self.files.invalidate(path)
        self._located.clear()  # a file may have appeared or gone
        self._listings.clear()
        self._facts.clear()

    def _remembered(self, key: tuple, compute: Callable[[], object]) -> object:
        """``compute()``, remembered until a summary changes (a value computed while one did is not kept)."""
        generation = self.files.generation
        if self._resolved_generation != generation:
            self._resolved.clear()
            self._resolved_generation = generation
        elif key in self._resolved:
            return self._resolved[key]
        value = compute()
        if self.files.generation == generation:
            self._resolved[key] = value
        return value

    def syntax_error(self, path: Path) -> Finding | None:
        """The ``python-syntax`` finding of ``path``, or None when it parses (or cannot be read)."""
        return self.files.summary(path).error

    def read_problem(self, path: Path) -> Finding | None:
        """The ``unreadable-file`` finding of ``path`` (binary, not UTF-8, too large...), or None."""
        return self.files.summary(path).problem

    # ---------------------------------------------------------------- modules
    def _locate(self, module: str) -> Located:
        """(file or namespace dir, directories holding its submodules, whether it is a file)."""
        hit = self._located.get(module)
        if hit is not None:
            return hit
        result: Located = (None, (), False)
        if _valid_module(module):
            parent, _, name = module.rpartition(".")
            search: Sequence[Path] = self.roots if not parent else self._locate(parent)[1]
            namespace: list[Path] = []
            for d in search:
                pkg = d / name
                if (pkg / "__init__.py").is_file():
                    result = (pkg / "__init__.py", (pkg,), True)
                    break
                if (d / f"{name}.py").is_file():
                    result = (d / f"{name}.py", (), True)
                    break
                if pkg.is_dir():
                    namespace.append(pkg)
            else:
                if namespace:
                    result = (namespace[0], tuple(namespace), False)
        self._located[module] = result
        return result

    def _module_file(self, module: str) -> Path | None:
        """The module's file (a package's ``__init__.py``); None for a namespace package or no module."""
        path, _, is_file = self._locate(module)
        return path if is_file else None

    def module_path(self, module: str) -> Path | None:
        """The module's file; a package's ``__init__.py``; a namespace package's directory."""
        return self._locate(module)[0]

    def module_exists(self, module: str) -> bool:
        return self.module_path(module) is not None

    def submodules(self, package: str) -> list[str]:
        """Dotted names of the modules and packages directly under ``package`` ('' = top level).

        Listed once per epoch: a missing model module asks for its siblings, and
        a large project has hundreds of those in one folder of a thousand files.
        """
        hit = self._listings.get(package)
        if hit is None:
            hit = self._listings[package] = self._list_submodules(package)
        return list(hit)

    def _list_submodules(self, package: str) -> list[str]:
        dirs = self.roots if package == "" else self._locate(package)[1]
        found: set[str] = set()
        for d in dirs:
            try:
                with os.scandir(d) as it:
                    entries = list(it)
            except OSError:
                continue
            for e in entries:
                stem, dot, suffix = e.name.rpartition(".")
                if dot and suffix == "py" and stem.isidentifier() and stem != "__init__" and e.is_file():
                    found.add(stem)
                elif e.is_dir() and e.name.isidentifier() and e.name != "__pycache__" and _holds_python(e.path):
                    found.add(e.name)
        prefix = f"{package}." if package else ""
        return sorted(prefix + n for n in found)

    def _summary(self, module: str) -> tuple[Path, ModuleSummary] | None:
        path = self._module_file(module)
        if path is None:
            return None
        return path, self.files.summary(path)

    def _absolute(self, module: str, path: Path, level: int, name: str) -> str | None:
        """The absolute module a (possibly relative) import in ``module`` (whose file is ``path``) names."""
        if level == 0:
            return name or None
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        if not package or level - 1 >= len(package):
            return None  # relative import beyond the top-level package
        base = package[: len(package) - (level - 1)]
        full = ".".join(base + ([name] if name else []))
        return full or None

    # -------------------------------------------------------------- resolving
    def resolve(self, module: str, name: str) -> Symbol | None:
        """What ``from module import name`` gives, followed to its definition (None: not there)."""
        return self._remembered(("resolve", module, name), lambda: self._resolve(module, name, set()))  # type: ignore[return-value]

    def _resolve(self, module: str, name: str, seen: set[tuple[str, str]]) -> Symbol | None:
        if (module, name) in seen:
            return None
        seen.add((module, name))
        hit = self._summary(module)
        if hit is None:
            return None
        path, summ = hit
        b = summ.bindings.get(name)
        if b is not None:
            return self._follow(module, path, name, b, seen)
        for level, star in reversed(summ.stars):
            target = self._absolute(module, path, level, star)
            if target is None:
                continue
            if self._has_all(target):
                if name not in self._star_all(target):
                    continue
            elif name.startswith("_"):
                continue
            sym = self._resolve(target, name, seen)
            if sym is not None:
                return sym
        return None

    def _has_all(self, module: str) -> bool:
        hit = self._summary(module)
        return hit is not None and hit[1].all is not None

    def _star_all(self, module: str) -> tuple[str, ...]:
        hit = self._summary(module)
        return (hit[1].all or ()) if hit else ()

    def _follow(self, module: str, path: Path, name: str, b: Binding, seen: set) -> Symbol | None:
        if b.kind == "def":
            return Symbol(name, b.def_kind, module, path, b.span, b.line_span)  # type: ignore[arg-type]
        if b.kind == "variable":
            return Symbol(name, "variable", module, path, b.span, b.line_span)  # type: ignore[arg-type]
        if b.kind == "alias":
            sym = self._resolve_expr(module, b.expr, seen)
            return sym or Symbol(name, "variable", module, path, b.span, b.line_span)  # type: ignore[arg-type]
        if b.kind == "import_from":
            target = self._absolute(module, path, b.level, b.from_module)
            if target is None:
                return None
            target_path, _, is_file = self._locate(target)
            if is_file:
                return self._resolve(target, b.from_name, seen)
            if target_path is not None or self._locate(target.split(".")[0])[0] is not None:
                return None  # a project namespace package (only submodules there) or a missing project module
            # imported from outside the project: the name is bound, but we cannot see what it is
            return Symbol(name, "variable", module, path, b.span, b.line_span)  # type: ignore[arg-type]
        return None  # a module

    def _resolve_expr(self, module: str, parts: tuple[str, ...], seen: set) -> Symbol | None:
        """Resolve ``a.b.C`` as written in ``module`` (following module imports)."""
        if len(parts) == 1:
            return self._resolve(module, parts[0], seen)
        hit = self._summary(module)
        if hit is None:
            return None
        path, summ = hit
        b = summ.bindings.get(parts[0])
        full: list[str] | None = None
        if b is not None and b.kind == "import_module":
            full = b.from_module.split(".") + list(parts[1:])
        elif b is not None and b.kind == "import_from":
            target = self._absolute(module, path, b.level, b.from_module)
            if target is not None:
                full = target.split(".") + [b.from_name] + list(parts[1:])
        if full is None:
            return None
        found = self.resolve_dotted(".".join(full))
        return found[2] if found else None

    def resolve_dotted(self, dotted: str) -> tuple[str, str, Symbol | None] | None:
        """``pkg.mod.Class`` -> (longest existing module, attribute path, symbol); None if no module."""
        parts = dotted.split(".")
        if not _valid_module(dotted) or len(parts) < 2:
            return None
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            if self.module_exists(module):
                sym = self.resolve(module, parts[i])
                for member in parts[i + 1:]:
                    sym = self._member(sym, member)
                return module, ".".join(parts[i:]), sym
        return None

    def _member(self, sym: Symbol | None, name: str) -> Symbol | None:
        """A method or nested class defined in class ``sym``'s body."""
        info = self.class_info(sym) if sym is not None else None
        if info is None:
            return None
        _, parsed, node = info
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == name:
                span, header = def_spans(parsed.lines, stmt)
                kind = "class" if isinstance(stmt, ast.ClassDef) else "function"
                return Symbol(name, kind, info[0].module, parsed.path, span, header)
        return None

    def exported_names(self, module: str) -> list[Symbol]:
        """Classes and functions ``module`` defines or re-exports; ``name`` is the exported name."""
        out: list[Symbol] = []
        for n in self._public_names(module, set()):
            sym = self.resolve(module, n)
            if sym is not None and sym.kind in ("class", "function"):
                out.append(sym if sym.name == n else replace(sym, name=n))
        return out

    def _public_names(self, module: str, seen: set[str]) -> list[str]:
        if module in seen:
            return []
        seen.add(module)
        hit = self._summary(module)
        if hit is None:
            return []
        path, summ = hit
        if summ.all is not None:
            return list(dict.fromkeys(summ.all))
        names = [n for n, b in summ.bindings.items() if not n.startswith("_") and b.kind != "import_module"]
        for level, star in summ.stars:
            target = self._absolute(module, path, level, star)
            if target:
                names += [n for n in self._public_names(target, seen) if not n.startswith("_")]
        return list(dict.fromkeys(names))

    def qualify(self, module: str, parts: tuple[str, ...]) -> Symbol | str | None:
        """What ``a.b.C`` written in ``module`` refers to: a project Symbol, or the dotted
        name outside the project ('pydantic.BaseModel', 'builtins.object'); None if unknown."""
        return self._remembered(("qualify", module, parts), lambda: self._qualify(module, parts))  # type: ignore[return-value]

    def _qualify(self, module: str, parts: tuple[str, ...]) -> Symbol | str | None:
        hit = self._summary(module)
        if hit is None or not parts:
            return None
        path, summ = hit
        b = summ.bindings.get(parts[0])
        if b is None:
            sym = self.resolve(module, parts[0])
            if sym is not None:
                return sym if len(parts) == 1 else self._member(sym, parts[1]) if len(parts) == 2 else None
            return "builtins." + ".".join(parts) if hasattr(builtins, parts[0]) else None
        if b.kind in ("def", "variable") or (b.kind == "alias" and len(parts) == 1):
            sym = self.resolve(module, parts[0])
            if sym is not None and len(parts) == 2:
                return self._member(sym, parts[1])
            return sym if len(parts) == 1 else None
        if b.kind == "alias":
            return None
        if b.kind == "import_module":
            full = b.from_module.split(".") + list(parts[1:])
        else:
            target = self._absolute(module, path, b.level, b.from_module)
            if target is None:
                return None
            full = target.split(".") + [b.from_name] + list(parts[1:])
        dotted = ".".join(full)
        found = self.resolve_dotted(dotted)
        if found is None:
            top = self._locate(full[0])[0]
            return dotted if top is None else None
        return found[2]

    # ---------------------------------------------------------------- classes
    def class_info(self, sym: Symbol | None) -> ClassInfo | None:
        """(symbol, parsed file, ClassDef) for a class symbol."""
        if sym is None or sym.kind != "class":
            return None
        node = self._def_node(sym)
        return (sym, self.files.parsed(sym.path), node) if isinstance(node, ast.ClassDef) else None  # type: ignore[return-value]

    def _def_node(self, sym: Symbol) -> ast.AST | None:
        found = self._def_and_parent(sym)
        return found[0] if found is not None else None

    def _def_parent(self, sym: Symbol) -> ast.ClassDef | None:
        found = self._def_and_parent(sym)
        return found[1] if found is not None else None

    def _def_and_parent(self, sym: Symbol) -> tuple[ast.AST, ast.ClassDef | None] | None:
        """The def of ``sym`` and its class (a name is defined once per line: a def is a compound statement)."""
        parsed = self.files.parsed(sym.path)
        if parsed is None:
            return None
        line = sym.line_span.line
        for node, parent in _walk_defs(parsed.statements_at(line), None):
            if node.name == sym.name and node.lineno - 1 == line:
                return node, parent
        return None

    def bases(self, info: ClassInfo) -> list[Symbol | str | None]:
        """Each base of the class, qualified (see :meth:`qualify`)."""
        out: list[Symbol | str | None] = []
        for base in info[2].bases:
            if isinstance(base, ast.Subscript):  # Generic[T], BaseModel[...]
                base = base.value
            parts = _dotted(base)
            out.append(self.qualify(info[0].module, parts) if parts else None)
        return out

    def mro(self, sym: Symbol) -> list[ClassInfo]:
        """The class and its bases that live in the project, depth-first, each once."""
        out: list[ClassInfo] = []
        seen: set[tuple[Path, int]] = set()

        def visit(s: Symbol) -> None:
            info = self.class_info(s)
            if info is None or (s.path, s.span.line) in seen:
                return
            seen.add((s.path, s.span.line))
            out.append(info)
            for b in self.bases(info):
                if isinstance(b, Symbol):
                    visit(b)

        visit(sym)
        del visit  # a recursive closure is a reference cycle: break it so reference counting frees it
        return out

    def methods(self, sym: Symbol) -> dict[str, tuple[ClassInfo, ast.FunctionDef | ast.AsyncFunctionDef]]:
        """Method name -> (defining class, def), the first class in :meth:`mro` winning."""
        out: dict[str, tuple[ClassInfo, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for info in self.mro(sym):
            for stmt in info[2].body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out.setdefault(stmt.name, (info, stmt))
        return out

    # -------------------------------------------------------------- questions
    def docstring(self, sym: Symbol) -> str | None:
        def compute() -> str | None:
            node = self._def_node(sym)
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                return ast.get_docstring(node)
            return None

        return self._cached(("docstring", sym), compute)  # type: ignore[return-value]

    def signature(self, sym: Symbol) -> tuple[list[Param], bool] | None:
        """Parameters the symbol accepts when called, and whether it takes ``**kwargs``."""
        from trainpath.pyindex import classes

        return self._cached(("signature", sym), lambda: classes.signature(self, sym))  # type: ignore[return-value]

    def config_class(self, sym: Symbol) -> ConfigClass | None:
        from trainpath.pyindex import classes

        return self._cached(("config_class", sym), lambda: classes.config_class(self, sym))  # type: ignore[return-value]

    def choices(self, sym: Symbol, key: str) -> Choices | None:
        from trainpath.pyindex import behaviour

        return self._cached(("choices", sym, key), lambda: behaviour.choices(self, sym, key))  # type: ignore[return-value]

    def train_forward(self, sym: Symbol) -> TrainForward | None:
        from trainpath.pyindex import behaviour

        return self._cached(("train_forward", sym), lambda: behaviour.train_forward(self, sym))  # type: ignore[return-value]

    def halting(self, sym: Symbol) -> Halting | None:
        from trainpath.pyindex import behaviour

        return self._cached(("halting", sym), lambda: behaviour.halting(self, sym))  # type: ignore[return-value]

    def string_literals(self, sym: Symbol) -> frozenset[str]:
        """String constants in a class's own code (e.g. keys it takes from the config dict itself)."""

        def compute() -> frozenset[str]:
            info = self.class_info(sym)
            if info is None:
                return frozenset()
            _, parsed, node = info
            found: set[str] = set()
            for part in ast.iter_child_nodes(node):  # methods through their digests, which the other facts share
                if isinstance(part, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    constants = nodes(parsed, part).of(ast.Constant)
                else:
                    constants = [n for n in walk(part) if isinstance(n, ast.Constant)]
                found.update(n.value for n in constants if isinstance(n.value, str))
            return frozenset(found)

        return self._cached(("string_literals", sym), compute)  # type: ignore[return-value]

    def _cached(self, key: tuple, compute) -> object:
        # facts depend on several files: remember the digests they were computed from
        stamp = self.files.summary(key[1].path).digest
        hit = self._facts.get(key)
        if hit is not None and hit[0] == stamp:  # type: ignore[index]
            return hit[1]  # type: ignore[index]
        try:
            value = compute()
        except RecursionError:
            value = None
        self._facts[key] = (stamp, value)
        return value


def _walk_defs(body: list[ast.stmt], parent: ast.ClassDef | None) -> Iterator[tuple]:
    """Every class/function def reachable without entering a function, with its class."""
    for stmt in body:
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            yield stmt, parent
            if isinstance(stmt, ast.ClassDef):
                yield from _walk_defs(stmt.body, stmt)
        elif isinstance(stmt, ast.If):
            yield from _walk_defs(stmt.body, parent)
            yield from _walk_defs(stmt.orelse, parent)
        elif isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            yield from _walk_defs(stmt.body, parent)
            for h in stmt.handlers:
                yield from _walk_defs(h.body, parent)
            yield from _walk_defs(stmt.orelse, parent)
            yield from _walk_defs(stmt.finalbody, parent)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _walk_defs(stmt.body, parent)


def _holds_python(folder: str) -> bool:
    """Whether ``folder`` is a package or holds a ``*.py`` entry (what ``Path.glob('*.py')`` finds)."""
    if os.path.isfile(os.path.join(folder, "__init__.py")):
        return True
    try:
        with os.scandir(folder) as it:
            return any(e.name.endswith(".py") for e in it)
    except OSError:
        return False


def dotted(node: ast.AST) -> tuple[str, ...]:
    """``a.b.C`` -> ('a', 'b', 'C'); () for anything else."""
    return _dotted(node)


__all__ = ["ClassInfo", "PyIndex", "dotted"]
