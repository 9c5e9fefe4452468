"""Signatures and config classes, read from class and function definitions.

``signature`` answers "what keyword arguments does this callable take" (for
``_target_`` checks): a function's own parameters, a class's ``__init__``
(its own or the nearest project base's), a dataclass's fields or a pydantic
model's fields.  ``config_class`` finds the pydantic model or dataclass a
model class builds from its config dict (``self.config = XConfig(**config_dict)``)
and lists its fields with their comments.  Whenever a base class lives outside
the project or a decorator could rewrite ``__init__``, the answer is None
(unsure) rather than a guess.
"""

from __future__ import annotations

import ast
import sys
from typing import TYPE_CHECKING

from trainpath.pyindex.summary import Parsed, char_col, comments_by_line, node_span, nodes, _dotted
from trainpath.pyindex.types import ConfigClass, Field, Param, Symbol

if TYPE_CHECKING:
    from trainpath.pyindex.index import ClassInfo, PyIndex

PYDANTIC_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel",
})
DATACLASS_DECORATORS = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
#: bases that add nothing to a constructor
TRIVIAL_BASES = frozenset({"builtins.object", "abc.ABC", "typing.Generic", "typing.Protocol"})
#: methods that build a pydantic model from a dict
_VALIDATORS = frozenset({"model_validate", "parse_obj"})


def _segment(parsed: Parsed, node: ast.AST) -> str | None:
    """``ast.get_source_segment(parsed.text, node)`` from the file's lines, split once (the text's
    line ends are all ``\\n``: :func:`~trainpath.parsing.sources.read_source` normalises them)."""
    end_lineno, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
    if end_lineno is None or end_col is None:
        return None
    lines = parsed.lines
    first, last = node.lineno - 1, end_lineno - 1  # type: ignore[attr-defined]
    head = lines[first]
    col = char_col(head, node.col_offset)  # type: ignore[attr-defined]
    if first == last:
        return head[col:char_col(head, end_col)]
    tail = lines[last]
    return "\n".join([head[col:], *lines[first + 1:last], tail[:char_col(tail, end_col)]])


def source(parsed: Parsed, node: ast.AST | None) -> str | None:
    """Source text of ``node`` (``ast.unparse`` when the segment is unavailable), interned: the
    index keeps thousands of annotations and defaults (``int``, ``16``), mostly the same few."""
    if node is None:
        return None
    return sys.intern(_segment(parsed, node) or ast.unparse(node))


def params_of(parsed: Parsed, fn: ast.FunctionDef | ast.AsyncFunctionDef, drop_first: bool) -> tuple[list[Param], bool]:
    a = fn.args
    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    out: list[Param] = []
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        if i == 0 and drop_first:
            continue
        out.append(Param(arg.arg, "positional", source(parsed, arg.annotation), source(parsed, default)))
    if a.vararg:
        out.append(Param(a.vararg.arg, "var_positional", source(parsed, a.vararg.annotation), None))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        out.append(Param(arg.arg, "keyword", source(parsed, arg.annotation), source(parsed, default)))
    if a.kwarg:
        out.append(Param(a.kwarg.arg, "var_keyword", source(parsed, a.kwarg.annotation), None))
    return out, a.kwarg is not None


def decorators(index: PyIndex, info: ClassInfo) -> list[Symbol | str | None]:
    out: list[Symbol | str | None] = []
    for d in info[2].decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        parts = _dotted(target)
        out.append(index.qualify(info[0].module, parts) if parts else None)
    return out


def class_kind(index: PyIndex, info: ClassInfo, seen: frozenset = frozenset()) -> str | None:
    """'dataclass', 'pydantic' or None."""
    if any(isinstance(d, str) and d in DATACLASS_DECORATORS for d in decorators(index, info)):
        return "dataclass"
    key = (info[0].path, info[0].span.line)
    if key in seen:
        return None
    for base in index.bases(info):
        if isinstance(base, str) and base in PYDANTIC_BASES:
            return "pydantic"
        if isinstance(base, Symbol):
            if base.name == "BaseModel" and base.module.startswith("pydantic"):
                return "pydantic"
            binfo = index.class_info(base)
            if binfo is not None and class_kind(index, binfo, seen | {key}) == "pydantic":
                return "pydantic"
    return None


def signature(index: PyIndex, sym: Symbol) -> tuple[list[Param], bool] | None:
    if sym.kind == "function":
        node = index._def_node(sym)
        parsed = index.files.parsed(sym.path)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or parsed is None:
            return None
        parent = index._def_parent(sym)
        static = any(_dotted(d)[-1:] == ("staticmethod",) for d in node.decorator_list)
        return params_of(parsed, node, drop_first=parent is not None and not static)
    info = index.class_info(sym)
    return _class_signature(index, info, set()) if info is not None else None


def _class_signature(index: PyIndex, info: ClassInfo, seen: set) -> tuple[list[Param], bool] | None:
    key = (info[0].path, info[0].span.line)
    if key in seen:
        return None
    seen.add(key)
    _, parsed, node = info
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "__init__":
            return params_of(parsed, stmt, drop_first=True)
    kind = class_kind(index, info)
    if kind is not None:
        fields = collect_fields(index, info, kind)
        if fields is None:
            return None
        pkind = "keyword" if kind == "pydantic" else "positional"
        params = [Param(f.name, pkind, f.annotation, f.default) for f in fields.values()]
        return params, kind == "pydantic" and extra_mode(index, info) != "forbid"
    if node.decorator_list:
        return None  # a decorator may write __init__ (attrs, ...): unsure
    for base in index.bases(info):
        if isinstance(base, str) and base in TRIVIAL_BASES:
            continue
        binfo = index.class_info(base) if isinstance(base, Symbol) else None
        if binfo is None:
            return None  # a base outside the project, or not a class
        return _class_signature(index, binfo, seen)
    return [], False


def _comments(parsed: Parsed) -> dict[int, str]:
    hit = parsed.memo.get("comments")
    if hit is None:
        hit = parsed.memo["comments"] = comments_by_line(parsed.text)
    return hit


def _field_comment(parsed: Parsed, stmt: ast.stmt) -> str | None:
    comments = _comments(parsed)
    end = (stmt.end_lineno or stmt.lineno) - 1
    if end in comments:
        return sys.intern(comments[end])
    above: list[str] = []
    line = stmt.lineno - 2
    while line >= 0 and parsed.lines[line].strip().startswith("#") and line in comments:
        above.append(comments[line])
        line -= 1
    return sys.intern(" ".join(reversed(above))) or None


def _is_classvar(ann: ast.expr) -> bool:
    target = ann.value if isinstance(ann, ast.Subscript) else ann
    return _dotted(target)[-1:] == ("ClassVar",)


def _init_false(value: ast.expr | None) -> bool:
    return (isinstance(value, ast.Call) and _dotted(value.func)[-1:] == ("field",)
            and any(k.arg == "init" and isinstance(k.value, ast.Constant) and k.value.value is False
                    for k in value.keywords))


def collect_fields(index: PyIndex, info: ClassInfo, kind: str, seen: frozenset = frozenset()) -> dict[str, Field] | None:
    """Fields of a dataclass / pydantic model, inherited ones first; None when a base is unknown."""
    key = (info[0].path, info[0].span.line)
    if key in seen:
        return None
    out: dict[str, Field] = {}
    for base in reversed(index.bases(info)):
        if isinstance(base, str) and (base in PYDANTIC_BASES or base in TRIVIAL_BASES):
            continue
        if isinstance(base, Symbol) and base.name == "BaseModel" and base.module.startswith("pydantic"):
            continue
        binfo = index.class_info(base) if isinstance(base, Symbol) else None
        if binfo is None:
            return None
        bkind = class_kind(index, binfo)
        if bkind is None and kind == "dataclass":
            continue  # annotations of a plain base are not dataclass fields
        inherited = collect_fields(index, binfo, kind, seen | {key})
        if inherited is None:
            return None
        out.update(inherited)
    _, parsed, node = info
    for stmt in node.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        name = stmt.target.id
        if _is_classvar(stmt.annotation):
            continue
        if kind == "pydantic" and (name.startswith("_") or name == "model_config"):
            continue
        if kind == "dataclass" and _init_false(stmt.value):
            continue
        out.pop(name, None)  # a redefinition moves to the end, like Python's field order
        out[name] = Field(name, source(parsed, stmt.annotation), source(parsed, stmt.value),
                          _field_comment(parsed, stmt), node_span(parsed.lines, stmt.target), parsed.path)
    return out


def _extra_value(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute):  # Extra.allow
        return node.attr
    return None


def extra_mode(index: PyIndex, info: ClassInfo, seen: frozenset = frozenset()) -> str | None:
    """A pydantic model's ``extra`` setting ('allow' | 'ignore' | 'forbid'), inherited; None = default."""
    key = (info[0].path, info[0].span.line)
    if key in seen:
        return None
    node = info[2]
    for kw in node.keywords:
        if kw.arg == "extra":
            return _extra_value(kw.value)
    for stmt in node.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets) and stmt.value is not None:
                v = stmt.value
                if isinstance(v, ast.Call):
                    for kw in v.keywords:
                        if kw.arg == "extra":
                            return _extra_value(kw.value)
                elif isinstance(v, ast.Dict):
                    for k, val in zip(v.keys, v.values):
                        if isinstance(k, ast.Constant) and k.value == "extra":
                            return _extra_value(val)
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":  # pydantic v1
            for inner in stmt.body:
                if (isinstance(inner, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "extra" for t in inner.targets)):
                    return _extra_value(inner.value)
    for base in index.bases(info):
        binfo = index.class_info(base) if isinstance(base, Symbol) else None
        if binfo is not None:
            found = extra_mode(index, binfo, seen | {key})
            if found is not None:
                return found
    return None


def config_class(index: PyIndex, sym: Symbol) -> ConfigClass | None:
    if index.class_info(sym) is None:
        return None
    found = _config_builds(index, sym, set())
    distinct = {(s.path, s.span): s for s in found}
    if len(distinct) != 1:
        return None  # none, or several candidates: unsure
    cfg = next(iter(distinct.values()))
    info = index.class_info(cfg)
    kind = class_kind(index, info) if info is not None else None
    if info is None or kind is None:
        return None
    fields = collect_fields(index, info, kind)
    if fields is None:
        return None
    allows_extra = kind == "pydantic" and extra_mode(index, info) == "allow"
    return ConfigClass(cfg.name, cfg.path, cfg.span, kind, fields, allows_extra)


def _config_builds(index: PyIndex, sym: Symbol, seen: set) -> list[Symbol]:
    """Config classes the constructor of ``sym`` builds and stores on ``self``."""
    key = (sym.path, sym.span.line)
    if key in seen:
        return []
    seen.add(key)
    init = index.methods(sym).get("__init__")
    if init is None:
        return []
    cinfo, fn = init
    module = cinfo[0].module
    locals_: dict[str, Symbol] = {}
    stored: list[tuple[str, Symbol]] = []
    digest = nodes(cinfo[1], fn)
    delegates = any(_is_super_init(call) for call in digest.of(ast.Call))
    for node in digest.of(ast.Assign):
        built = _built_config(index, module, cinfo, node.value)
        if built is None and isinstance(node.value, ast.Name):
            built = locals_.get(node.value.id)
        if built is None:
            continue
        for t in node.targets:
            if isinstance(t, ast.Name):
                locals_[t.id] = built
            elif isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                stored.append((t.attr, built))
    if stored:
        named = [s for attr, s in stored if attr in ("config", "cfg")]
        return named or [s for _, s in stored]
    if delegates and cinfo[0] == sym:
        for base in index.bases(cinfo):
            if isinstance(base, Symbol):
                return _config_builds(index, base, seen)
    elif cinfo[0] != sym:
        return _config_builds(index, cinfo[0], seen)
    return []


def _is_super_init(call: ast.Call) -> bool:
    f = call.func
    return isinstance(f, ast.Attribute) and f.attr == "__init__" and (
        isinstance(f.value, ast.Call) and _dotted(f.value.func) == ("super",) or bool(_dotted(f.value)))


def _built_config(index: PyIndex, module: str, cinfo: ClassInfo, value: ast.expr, depth: int = 0) -> Symbol | None:
    """The class ``value`` builds from a dict: ``X(**d)``, ``X.model_validate(d)``, or a helper returning one."""
    if not isinstance(value, ast.Call):
        return None
    parts = _dotted(value.func)
    if not parts:
        return None
    if any(k.arg is None for k in value.keywords):
        target = index.qualify(module, parts)
        if isinstance(target, Symbol) and target.kind == "class":
            return target
    if parts[-1] in _VALIDATORS and len(parts) >= 2:
        target = index.qualify(module, parts[:-1])
        if isinstance(target, Symbol) and target.kind == "class":
            return target
    if depth > 0:
        return None
    helper: Symbol | str | None = None
    if parts[0] == "self" and len(parts) == 2:
        found = index.methods(cinfo[0]).get(parts[1])
        if found is not None:
            return _helper_returns(index, found[0][0].module, found[0], found[0][1], found[1])
        return None
    helper = index.qualify(module, parts)
    if isinstance(helper, Symbol) and helper.kind == "function":
        node = index._def_node(helper)
        parsed = index.files.parsed(helper.path)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and parsed is not None:
            return _helper_returns(index, helper.module, cinfo, parsed, node)
    return None


def _helper_returns(index: PyIndex, module: str, cinfo: ClassInfo, parsed: Parsed,
                    fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Symbol | None:
    """The one config class the helper ``fn`` (defined in ``parsed``) returns, if it returns one."""
    found = {(s.path, s.span): s for node in nodes(parsed, fn).of(ast.Return) if node.value is not None
             for s in [_built_config(index, module, cinfo, node.value, depth=1)] if s is not None}
    return next(iter(found.values())) if len(found) == 1 else None


