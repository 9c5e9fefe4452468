"""Training scripts, read with ``ast`` only: the Hydra entry point and the model loaders.

:func:`parse_script` finds the function decorated with ``@hydra.main(...)``
(``import hydra``, ``import hydra as h``, ``from hydra import main [as m]``;
keyword or positional ``config_path, config_name, version_base``) and the
calls to the project's *model-loading helper*: a function whose ``def`` (in
the script, or in a project module it imports, found by path below the
script's folder or the project root) has a ``prefix`` parameter or calls
``importlib.import_module``.  The prefix (``"models."``) is read from the
call, else from the helper's default.  The analysed code is never imported
or executed; a file that does not parse gives one ``python-syntax`` finding.

Positions: ``ast`` columns are UTF-8 byte offsets; every span here is turned
into code-point columns (see :mod:`trainpath.parsing.positions`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from trainpath.findings import Finding
from trainpath.parsing.positions import Span
from trainpath.parsing.sources import read_source

__all__ = ["HydraMain", "LoaderCall", "ScriptInfo", "load_script", "parse_script"]

_HYDRA_PARAMS = ("config_path", "config_name", "version_base")
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_DEF_RE = re.compile(r"(?:async\s+)?def\s+")
_ARCH_RE = re.compile(r"(?<![A-Za-z0-9])arch")
_METHOD_RE = re.compile(r"^_*(?:forward|train)|forward")
_MAX_REEXPORT_DEPTH = 3


@dataclass(frozen=True)
class HydraMain:
    function: str
    function_span: Span  # the decorated def's name
    decorator_span: Span  # the whole '@hydra.main(...)', from the '@'
    config_path: str | None
    #: the argument's range whenever it is given (a string literal's range includes its quotes)
    config_path_span: Span | None
    config_path_given: bool  # False when the argument is absent
    config_name: str | None
    config_name_span: Span | None
    version_base: str | None
    dynamic: bool  # some argument is not a literal (its value is then None)
    config_dir: Path | None  # (script folder / config_path).resolve() when config_path is a str


@dataclass(frozen=True)
class LoaderCall:
    function: str  # e.g. 'load_model_class'
    arg: str  # source text of the first argument, e.g. 'config.arch.name'
    prefix: str | None  # literal prefix at the call, else the helper's default
    prefix_span: Span | None  # where that prefix literal is (in the script, or in the helper's file)
    prefix_path: Path | None  # file holding the prefix literal
    span: Span  # the call


@dataclass
class ScriptInfo:
    path: Path
    entry: HydraMain | None = None
    loader_calls: list[LoaderCall] = field(default_factory=list)
    model_prefix: str | None = None
    evaluator_prefix: str | None = None
    #: top-level functions by name, and methods named like '*forward*' / '_train*' as 'Class.method'
    functions: dict[str, Span] = field(default_factory=dict)
    #: (node, key) for every key the script reads off a config node itself: ``cfg.arch.hidden_size``,
    #: ``getattr(cfg.arch, "k", 0)``, ``hasattr(cfg.arch, "k")``, ``cfg.arch.get("k")``, ``cfg.arch["k"]``
    config_reads: frozenset[tuple[str, str]] = frozenset()
    findings: list[Finding] = field(default_factory=list)


# --------------------------------------------------------------------------- positions


class _Pos:
    """Turn ``ast`` (1-based line, UTF-8 byte column) positions into :class:`Span`s."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(text)]
        self.lines = _NEWLINE_RE.split(text)

    def col(self, lineno: int, byte_col: int) -> int:
        if not 1 <= lineno <= len(self.lines):
            return max(byte_col, 0)
        line = self.lines[lineno - 1]
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def node(self, node: ast.AST) -> Span:
        line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        end_col = col if end_col is None else end_col
        return Span(line - 1, self.col(line, col), end_line - 1, self.col(end_line, end_col))

    def offset(self, line0: int, col: int) -> int:
        return self.starts[line0] + col

    def at(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]


# --------------------------------------------------------------------------- module cache


@dataclass
class _Module:
    path: Path
    digest: bytes | None
    tree: ast.Module | None
    pos: _Pos | None


_MODULES: dict[Path, _Module] = {}


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _load_module(path: Path) -> _Module:
    """A project module's AST (None when missing, unreadable or not parsing); cached by content."""
    source = read_source(path) if path.is_file() else None
    if source is None or source.text is None:
        return _Module(path, None, None, None)
    digest = _digest(source.text)
    hit = _MODULES.get(path)
    if hit is not None and hit.digest == digest:
        return hit
    try:
        tree: ast.Module | None = ast.parse(source.text, filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    module = _MODULES[path] = _Module(path, digest, tree, _Pos(source.text))
    return module


# --------------------------------------------------------------------------- hydra entry point


def _literal(node: ast.AST) -> tuple[bool, str | None]:
    """(is a literal, value) for a str or None constant."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
        return True, node.value
    return False, None


def _hydra_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Local names bound to the ``hydra`` module and to ``hydra.main``."""
    modules, mains = {"hydra"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "hydra" or (a.name == "hydra.main" and a.asname):
                    modules.add(a.asname or "hydra")
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module in ("hydra", "hydra.main"):
            for a in node.names:
                if a.name == "main":
                    mains.add(a.asname or "main")
    return modules, mains


def _is_hydra_main(dec: ast.AST, modules: set[str], mains: set[str]) -> bool:
    if not isinstance(dec, ast.Call):
        return False
    f = dec.func
    if isinstance(f, ast.Name):
        return f.id in mains
    return isinstance(f, ast.Attribute) and f.attr == "main" and isinstance(f.value, ast.Name) and f.value.id in modules


def _entry(tree: ast.Module, pos: _Pos, path: Path) -> HydraMain | None:
    modules, mains = _hydra_names(tree)
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    top = [n for n in tree.body if isinstance(n, kinds)]
    seen = {id(n) for n in top}
    defs = top + [n for n in ast.walk(tree) if isinstance(n, kinds) and id(n) not in seen]
    for fn in defs:
        for dec in fn.decorator_list:
            if _is_hydra_main(dec, modules, mains):
                return _hydra_main(fn, dec, pos, path)  # type: ignore[arg-type]
    return None


def _hydra_main(fn: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, pos: _Pos, path: Path) -> HydraMain:
    given: dict[str, ast.expr] = {}
    dynamic = False
    for i, a in enumerate(call.args):
        if isinstance(a, ast.Starred):
            dynamic = True
            break
        if i < len(_HYDRA_PARAMS):
            given[_HYDRA_PARAMS[i]] = a
    for kw in call.keywords:
        if kw.arg is None:
            dynamic = True
        elif kw.arg in _HYDRA_PARAMS:
            given[kw.arg] = kw.value
    values: dict[str, str | None] = {}
    spans: dict[str, Span | None] = {}
    for name in _HYDRA_PARAMS:
        node = given.get(name)
        ok, value = _literal(node) if node is not None else (True, None)
        dynamic |= not ok
        values[name] = value
        spans[name] = pos.node(node) if node is not None else None
    config_path = values["config_path"]
    config_dir = None
    if isinstance(config_path, str) and not config_path.startswith("pkg://"):
        config_dir = (path.parent / config_path).resolve(strict=False)
    return HydraMain(
        function=fn.name,
        function_span=_name_span(fn, pos),
        decorator_span=_decorator_span(call, pos),
        config_path=config_path,
        config_path_span=spans["config_path"],
        config_path_given="config_path" in given,
        config_name=values["config_name"],
        config_name_span=spans["config_name"],
        version_base=values["version_base"],
        dynamic=dynamic,
        config_dir=config_dir,
    )


def _name_span(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, pos: _Pos) -> Span:
    """The range of the name in ``def name(`` / ``class name``."""
    line0, col = fn.lineno - 1, pos.col(fn.lineno, fn.col_offset)
    start = pos.offset(line0, col)
    rx = re.compile(r"class\s+") if isinstance(fn, ast.ClassDef) else _DEF_RE
    m = rx.match(pos.text, start)
    if m and pos.text.startswith(fn.name, m.end()):
        a = pos.at(m.end())
        return Span(a[0], a[1], a[0], a[1] + len(fn.name))
    return Span(line0, col, line0, col)


def _decorator_span(dec: ast.expr, pos: _Pos) -> Span:
    span = pos.node(dec)
    line = pos.lines[span.line] if span.line < len(pos.lines) else ""
    before = line[: span.col].rstrip()
    if before.endswith("@"):
        return Span(span.line, len(before) - 1, span.end_line, span.end_col)
    return span


# --------------------------------------------------------------------------- model-loading helpers


@dataclass(frozen=True)
class _Helper:
    name: str
    first_param: str | None
    prefix_index: int | None  # positional index of 'prefix' (None: keyword-only or absent)
    has_prefix_param: bool
    default: str | None
    default_span: Span | None
    default_path: Path | None


@functools.lru_cache(maxsize=64)  # asked once per function of a module: walk the module once
def _importlib_names(tree: ast.Module) -> tuple[frozenset[str], frozenset[str]]:
    """Local names of the ``importlib`` module and of ``import_module``."""
    mods, funcs = {"importlib"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "importlib" and a.asname:
                    mods.add(a.asname)
        elif isinstance(node, ast.ImportFrom) and node.module == "importlib" and not node.level:
            for a in node.names:
                if a.name == "import_module":
                    funcs.add(a.asname or "import_module")
    return frozenset(mods), frozenset(funcs)


def _import_module_calls(fn: ast.AST, names: tuple[frozenset[str], frozenset[str]]) -> list[ast.Call]:
    mods, funcs = names
    out = []
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if (isinstance(f, ast.Name) and (f.id in funcs or f.id == "__import__")) or (
            isinstance(f, ast.Attribute) and f.attr == "import_module" and isinstance(f.value, ast.Name)
            and f.value.id in mods
        ):  # fmt: skip
            out.append(node)
    return out


def _helper(fn: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module) -> _Helper | None:
    """A model-loading helper description when ``fn`` has a ``prefix`` parameter or calls import_module."""
    assert module.tree is not None and module.pos is not None
    a = fn.args
    positional = a.posonlyargs + a.args
    names = [p.arg for p in positional]
    calls = _import_module_calls(fn, _importlib_names(module.tree))
    has_prefix = "prefix" in names or any(p.arg == "prefix" for p in a.kwonlyargs)
    if not has_prefix and not calls:
        return None
    default_node: ast.AST | None = None
    if "prefix" in names:
        k = names.index("prefix") - (len(positional) - len(a.defaults))
        default_node = a.defaults[k] if k >= 0 else None
    elif has_prefix:
        k = [p.arg for p in a.kwonlyargs].index("prefix")
        default_node = a.kw_defaults[k]
    elif calls and calls[0].args:
        arg0 = calls[0].args[0]
        if isinstance(arg0, ast.BinOp) and isinstance(arg0.op, ast.Add):
            default_node = arg0.left
        elif isinstance(arg0, ast.JoinedStr) and arg0.values and isinstance(arg0.values[0], ast.Constant):
            prefix = arg0.values[0].value
            return _Helper(fn.name, names[0] if names else None, None, False, prefix, module.pos.node(arg0), module.path)
    default = None
    span = None
    if default_node is not None and isinstance(default_node, ast.Constant) and isinstance(default_node.value, str):
        default, span = default_node.value, module.pos.node(default_node)
    return _Helper(
        name=fn.name,
        first_param=names[0] if names else (a.kwonlyargs[0].arg if a.kwonlyargs else None),
        prefix_index=names.index("prefix") if "prefix" in names else None,
        has_prefix_param=has_prefix,
        default=default,
        default_span=span,
        default_path=module.path if span else None,
    )


#: helper descriptions of imported modules, by (path, content digest, function name)
_HELPERS: dict[tuple[Path, bytes | None, str], "_Helper | None"] = {}


class _Resolver:
    """Find helper defs by following imports to project files (by path, never importing)."""

    def __init__(self, script: Path, project_root: Path | None) -> None:
        self.script_dir = script.parent
        self.roots = [self.script_dir] + ([project_root] if project_root and project_root != self.script_dir else [])
        self.deps: dict[Path, bytes | None] = {}

    def module_file(self, module: str | None, level: int, here: Path) -> _Module | None:
        if level:
            base = here
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = self.roots
        rel = Path(*module.split(".")) if module else Path()
        for b in bases:
            for cand in ((b / rel).with_suffix(".py") if module else None, b / rel / "__init__.py"):
                if cand is None:
                    continue
                mod = _load_module(cand)
                self.deps[cand] = mod.digest
                if mod.tree is not None:
                    return mod
        return None

    def find(self, module: str | None, name: str, level: int, here: Path, depth: int = 0) -> _Helper | None:
        mod = self.module_file(module, level, here)
        if mod is None or mod.tree is None or depth > _MAX_REEXPORT_DEPTH:
            return None
        for node in mod.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                key = (mod.path, mod.digest, name)
                if key not in _HELPERS:  # every script imports the same loader: describe it once
                    if len(_HELPERS) >= 256:  # an editing session makes a version per save: stay small
                        _HELPERS.clear()
                    _HELPERS[key] = _helper(node, mod)
                return _HELPERS[key]
        for node in mod.tree.body:
            if isinstance(node, ast.ImportFrom):
                for a in node.names:
                    if (a.asname or a.name) == name:
                        return self.find(node.module, a.name, node.level, mod.path.parent, depth + 1)
        return None


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _loader_calls(tree: ast.Module, text: str, pos: _Pos, path: Path, resolver: _Resolver) -> list[LoaderCall]:
    script_mod = _Module(path, None, tree, pos)
    local: dict[str, _Helper | None] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local[node.name] = _helper(node, script_mod)
    imported: dict[str, tuple[str | None, str, int]] = {}  # local name -> (module, name, level)
    modules: dict[str, tuple[str, int]] = {}  # dotted local name -> (module, level)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.name != "*":
                    imported[a.asname or a.name] = (node.module, a.name, node.level)
        elif isinstance(node, ast.Import):
            for a in node.names:
                modules[a.asname or a.name] = (a.name, 0)
    cache: dict[str, _Helper | None] = {}

    def resolve(func: ast.AST) -> _Helper | None:
        name = _dotted(func)
        if name is None:
            return None
        if name in cache:
            return cache[name]
        helper = None
        if name in local:
            helper = local[name]
        elif name in imported:
            module, orig, level = imported[name]
            helper = resolver.find(module, orig, level, path.parent)
        elif "." in name:
            owner, attr = name.rsplit(".", 1)
            if owner in modules:
                helper = resolver.find(modules[owner][0], attr, 0, path.parent)
            elif owner in imported:  # from utils import functions; functions.load_model_class(...)
                module, orig, level = imported[owner]
                sub = f"{module}.{orig}" if module else orig
                helper = resolver.find(sub, attr, level, path.parent)
        cache[name] = helper
        return helper

    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            helper = resolve(node.func)
            if helper is not None:
                calls.append(_loader_call(node, helper, text, pos, path))
    calls.sort(key=lambda c: (c.span.line, c.span.col))
    return calls


def _segment(pos: _Pos, span: Span) -> str:
    """The source text ``span`` covers (``ast.get_source_segment`` without splitting the file again)."""
    return pos.text[pos.offset(span.line, span.col):pos.offset(span.end_line, span.end_col)]


def _loader_call(call: ast.Call, helper: _Helper, text: str, pos: _Pos, path: Path) -> LoaderCall:
    arg_node: ast.AST | None = call.args[0] if call.args and not isinstance(call.args[0], ast.Starred) else None
    prefix_node: ast.AST | None = None
    prefix_given = False
    if helper.prefix_index is not None and len(call.args) > helper.prefix_index:
        prefix_node, prefix_given = call.args[helper.prefix_index], True
    for kw in call.keywords:
        if kw.arg == helper.first_param and arg_node is None:
            arg_node = kw.value
        if kw.arg == "prefix" and helper.has_prefix_param:
            prefix_node, prefix_given = kw.value, True
        if kw.arg is None:  # **kwargs may carry the prefix
            prefix_given = True
    if any(isinstance(a, ast.Starred) for a in call.args):
        prefix_given = True
    arg = _segment(pos, pos.node(arg_node)) if arg_node is not None else ""
    if prefix_given:
        ok, value = _literal(prefix_node) if prefix_node is not None else (False, None)
        if ok and value is not None:
            prefix, span, where = value, pos.node(prefix_node), path  # type: ignore[arg-type]
        else:
            prefix, span, where = None, None, None
    else:
        prefix, span, where = helper.default, helper.default_span, helper.default_path
    return LoaderCall(helper.name, arg, prefix, span, where, pos.node(call))


# --------------------------------------------------------------------------- public API


def _functions(tree: ast.Module, pos: _Pos) -> dict[str, Span]:
    out: dict[str, Span] = {}
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.setdefault(node.name, _name_span(node, pos))
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and _METHOD_RE.search(sub.name):
                    out.setdefault(f"{node.name}.{sub.name}", _name_span(sub, pos))
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            todo.extend(getattr(node, "body", []) + getattr(node, "orelse", []) + getattr(node, "finalbody", []))
            for h in getattr(node, "handlers", []):
                todo.extend(h.body)
    return out


def _config_reads(tree: ast.Module) -> frozenset[tuple[str, str]]:
    """(node, key) pairs read as ``<expr>.<node>.<key>`` and the like (see :attr:`ScriptInfo.config_reads`)."""
    out: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value
            if isinstance(base, ast.Attribute):
                out.add((base.attr, node.attr))
        elif isinstance(node, ast.Call):
            f = node.func
            if (isinstance(f, ast.Name) and f.id in ("getattr", "hasattr") and len(node.args) >= 2
                    and isinstance(node.args[0], ast.Attribute)):
                base, key = node.args[0], node.args[1]
            elif isinstance(f, ast.Attribute) and f.attr == "get" and node.args and isinstance(f.value, ast.Attribute):
                base, key = f.value, node.args[0]
            else:
                continue
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                out.add((base.attr, key.value))
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
              and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
            out.add((node.value.attr, node.slice.value))
    return frozenset(out)


def _syntax_finding(exc: Exception, text: str, path: Path) -> Finding:
    lines = _NEWLINE_RE.split(text)
    if isinstance(exc, SyntaxError) and exc.lineno:
        line = min(max(exc.lineno, 1), len(lines)) - 1
        width = len(lines[line])
        col = min(max((exc.offset or 1) - 1, 0), width)
        end_line = (exc.end_lineno or exc.lineno) - 1
        end_col = (exc.end_offset or 0) - 1
        if end_line != line or end_col <= col:
            end_line, end_col = line, min(col + 1, width) if col < width else col
        else:
            end_col = min(end_col, width)
        span = Span(line, col, end_line, end_col)
        text_line = lines[line]
        if isinstance(exc, IndentationError) and text_line.strip():
            # the offending statement, not a column inside its indentation
            indent = len(text_line) - len(text_line.lstrip())
            span = Span(line, indent, line, len(text_line.rstrip()))
        message = f"`{path.name}` does not parse: {exc.msg} (line {exc.lineno})"
    else:
        span = Span.point(0, 0)
        message = f"`{path.name}` does not parse: {exc}"
    return Finding("python-syntax", message, path, span)


def parse_script(text: str, path: Path, project_root: Path | None = None) -> ScriptInfo:
    """Read ``text`` (the contents of ``path``) statically; never raises on bad input."""
    return _parse(text, path, project_root, _Resolver(path, project_root))


def _parse(text: str, path: Path, project_root: Path | None, resolver: _Resolver) -> ScriptInfo:
    info = ScriptInfo(path)
    try:
        tree = ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        info.findings.append(_syntax_finding(exc, text, path))
        return info
    pos = _Pos(text)
    info.entry = _entry(tree, pos, path)
    info.functions = _functions(tree, pos)
    info.config_reads = _config_reads(tree)
    info.loader_calls = _loader_calls(tree, text, pos, path, resolver)
    for call in info.loader_calls:
        if _ARCH_RE.search(call.arg):
            if info.model_prefix is None:
                info.model_prefix = call.prefix
        elif info.evaluator_prefix is None:
            info.evaluator_prefix = call.prefix
    return info


_CACHE: dict[tuple[Path, Path | None], tuple[bytes, dict[Path, bytes | None], ScriptInfo]] = {}


def load_script(path: Path, project_root: Path | None = None) -> ScriptInfo:
    """Read and parse ``path``; cached by its content and that of the helper modules it used."""
    source = read_source(path)
    if source.text is None:
        return ScriptInfo(path, findings=[source.problem] if source.problem else [])
    digest = _digest(source.text)
    key = (path, project_root)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == digest and all(_load_module(p).digest == d for p, d in hit[1].items()):
        return hit[2]
    resolver = _Resolver(path, project_root)
    info = _parse(source.text, path, project_root, resolver)
    _CACHE[key] = (digest, resolver.deps, info)
    return info
