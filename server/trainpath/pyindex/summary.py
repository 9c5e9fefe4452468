"""Parsing Python files once, and the small per-module summaries the index keeps.

A :class:`FileCache` reads files through :func:`~trainpath.parsing.sources.read_source`,
parses each content (by hash) once, keeps only a bounded LRU of ASTs and a
small :class:`ModuleSummary` per file (top-level names, imports, ``__all__``).
A file that does not parse gives a ``python-syntax`` finding, never an
exception.  Nothing is imported or executed.

:func:`walk` and :func:`nodes` are the one way the index walks a tree: a
plain loop several times faster than :func:`ast.walk`, and a per-tree memo
so each def or class is walked once however many questions read it.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import io
import os
import re
import sys
import tokenize
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from trainpath.findings import Finding
from trainpath.interning import Interner
from trainpath.interning import spans as share_span
from trainpath.parsing.positions import Span
from trainpath.parsing.sources import read_source
from trainpath.pyindex import verified
from trainpath.pyindex.chunks import COMMENT_OR_STRING, Chunk, as_one_chunk, split_module

#: how many parsed ASTs the cache holds at once.  Building the facts of one class reads its
#: module and its bases' (a few, the same ones again and again); every fact the editor asks
#: for afterwards is remembered by the index.  A tree costs about 200 kB: 64 of them were
#: 12 MB of the language server's memory on the x100 synthetic project, for no fewer parses.
MAX_TREES = 8

_DEF_HEAD = re.compile(r"(?:async\s+)?(?:def|class)\s+")
#: the characters that matter to where a one-line def/class header ends
_HEADER_CHAR = re.compile(r"[()\[\]{}:'\"#\\]")


@dataclass(frozen=True, slots=True)
class Binding:
    """What a top-level name in a module is bound to (the first binding wins)."""

    kind: str  # 'def' | 'variable' | 'alias' | 'import_from' | 'import_module'
    def_kind: str = ""  # def: 'class' | 'function'; alias/variable: 'variable'
    span: Span | None = None
    line_span: Span | None = None
    level: int = 0  # import_from: relative level
    from_module: str = ""  # import_from: module as written; import_module: absolute module
    from_name: str = ""  # import_from: the imported attribute
    expr: tuple[str, ...] = ()  # alias: dotted parts of the value (``Alias = mod.Class``)


@dataclass(frozen=True)
class ModuleSummary:
    path: Path
    digest: str
    bindings: dict[str, Binding] = field(default_factory=dict)
    stars: tuple[tuple[int, str], ...] = ()  # (level, module) of ``from m import *``, in order
    all: tuple[str, ...] | None = None
    error: Finding | None = None  # python-syntax
    problem: Finding | None = None  # unreadable file


@dataclass(frozen=True)
class Parsed:
    """A file that parses, its top-level statements built into ``ast`` as they are asked for."""

    path: Path
    text: str
    digest: str
    lines: list[str]
    chunks: tuple[Chunk, ...]  # see :mod:`trainpath.pyindex.chunks`
    #: what the index derived from this file alone (node digests, comments, chunk lines); it lives
    #: and dies with the trees, so the LRU bounds it and a new content never sees a stale entry
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def statements_at(self, line: int) -> list[ast.stmt]:
        """The top-level statements on the lines around 0-based ``line`` (a consecutive run, in order).

        Whatever is defined on ``line`` (a def, a method, a constant) is among
        them or nested in them; only their chunk is built into ``ast``.
        """
        starts = self.memo.get("chunk_lines")
        if starts is None:
            starts = self.memo["chunk_lines"] = [c.line for c in self.chunks]
        i = bisect.bisect_right(starts, line) - 1
        return self.chunks[i].parse(self.path, self.text) if i >= 0 else []


def walk(node: ast.AST, parents: dict[int, ast.AST] | None = None) -> list[ast.AST]:
    """``list(ast.walk(node))`` (the same nodes, the same breadth-first order), about three times faster.

    :func:`ast.walk` pays for two generators per node; the facts walk every
    method of every model class, so this loop over ``_fields`` matters.  With
    ``parents``, also fills it: ``id(child)`` -> the node holding it.
    """
    out = [node]
    append = out.append
    for n in out:  # ``out`` grows while it is read: breadth first, as ast.walk
        for name in n._fields:
            value = getattr(n, name, None)
            if isinstance(value, ast.AST):
                append(value)
                if parents is not None:
                    parents[id(value)] = n
            elif type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        append(item)
                        if parents is not None:
                            parents[id(item)] = n
    return out


class NodeDigest:
    """The nodes under one def or class (itself included), walked once, handed out by type.

    Every fact (choices for each key, training forward, halting, config builds,
    string literals) reads the same methods; each used to walk them again.
    """

    __slots__ = ("order", "_by_type", "_selections", "_parents")

    def __init__(self, node: ast.AST) -> None:
        self.order = walk(node)
        self._by_type: dict[type, list[ast.AST]] = {}
        for n in self.order:
            bucket = self._by_type.get(type(n))
            if bucket is None:
                self._by_type[type(n)] = [n]
            else:
                bucket.append(n)
        self._selections: dict[tuple[type, ...], list[ast.AST]] = {}
        self._parents: dict[int, ast.AST] | None = None

    def of(self, node_type: type) -> list:
        """The nodes of exactly ``node_type``, in ``ast.walk`` order."""
        return self._by_type.get(node_type, [])

    def select(self, node_types: tuple[type, ...]) -> list:
        """The nodes of any of ``node_types`` (exact types), interleaved in ``ast.walk`` order."""
        hit = self._selections.get(node_types)
        if hit is None:
            wanted = frozenset(node_types)
            hit = self._selections[node_types] = [n for n in self.order if type(n) in wanted]
        return hit

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node holding ``node`` (None for the root); the table is built on first use."""
        if self._parents is None:
            self._parents = {}
            walk(self.order[0], self._parents)
        return self._parents.get(id(node))


def nodes(parsed: Parsed, node: ast.AST) -> NodeDigest:
    """The :class:`NodeDigest` of ``node`` (a def or class of ``parsed``), computed once per tree."""
    key = ("nodes", id(node))  # the digest holds ``node`` itself, so its id stays unique
    hit = parsed.memo.get(key)
    if hit is None:
        hit = parsed.memo[key] = NodeDigest(node)
    return hit


def char_col(line_text: str, byte_col: int) -> int:
    """Turn an ``ast`` UTF-8 byte column into a code-point column."""
    if line_text.isascii():
        return byte_col
    return len(line_text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def node_span(lines: list[str], node: ast.AST) -> Span:
    """The span of an ``ast`` node (expression or statement) in code points."""
    line = node.lineno - 1  # type: ignore[attr-defined]
    end_line = (node.end_lineno or node.lineno) - 1  # type: ignore[attr-defined]
    col = char_col(_line(lines, line), node.col_offset)  # type: ignore[attr-defined]
    end_col = char_col(_line(lines, end_line), node.end_col_offset or 0)  # type: ignore[attr-defined]
    return share_span(Span(line, col, end_line, end_col))


def def_spans(lines: list[str], node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[Span, Span]:
    """(span of the name, span of the header from the keyword to its ':')."""
    return header_spans(lines, node.lineno - 1, node.col_offset, node.name)


def header_spans(lines: list[str], line: int, byte_col: int, name: str) -> tuple[Span, Span]:
    """:func:`def_spans` of the def or class ``name`` whose keyword is at (``line``, ``byte_col``)."""
    text = _line(lines, line)
    col = char_col(text, byte_col)
    m = _DEF_HEAD.match(text, col)
    if m and text.startswith(name, m.end()):
        name_span = Span.on_line(line, m.end(), m.end() + len(name))
    else:  # name on a continuation line: fall back on the keyword
        name_span = Span.on_line(line, col, col + len(text[col:].split()[0]) if text[col:].split() else col)
    return share_span(name_span), share_span(Span(line, col, *_header_end(lines, line, name_span)))


def _header_end(lines: list[str], line: int, name_span: Span) -> tuple[int, int]:
    """Position just after the ':' ending a def/class header starting on ``line``."""
    fast = _header_end_same_line(lines, name_span)
    if fast is not None:
        return fast
    it = (lines[i] + "\n" for i in range(line, len(lines)))  # lazily: headers are short, files are not
    depth = 0
    try:
        for tok in tokenize.generate_tokens(lambda: next(it, "")):
            if tok.type != tokenize.OP:
                continue
            row, tcol = tok.start[0] - 1 + line, tok.start[1]
            if (row, tcol) < (name_span.end_line, name_span.end_col):
                continue
            if tok.string in "([{":
                depth += 1
            elif tok.string in ")]}":
                depth -= 1
            elif tok.string == ":" and depth == 0:
                return row, tcol + 1
    except (tokenize.TokenError, SyntaxError):
        pass
    return name_span.end_line, len(_line(lines, name_span.end_line))


def _header_end_same_line(lines: list[str], name_span: Span) -> tuple[int, int] | None:
    """:func:`_header_end` for the common header that ends on its name's line with no string,
    comment or backslash in it (then brackets and ':' are plain characters); None otherwise."""
    text = _line(lines, name_span.end_line)
    depth = 0
    for m in _HEADER_CHAR.finditer(text, name_span.end_col):
        c = m.group()
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == ":":
            if depth == 0:
                return None if text.startswith("=", m.start() + 1) else (name_span.end_line, m.start() + 1)
        else:  # a quote, '#' or '\\'
            return None
    return None


def _line(lines: list[str], i: int) -> str:
    return lines[i] if 0 <= i < len(lines) else ""


def comments_by_line(text: str) -> dict[int, str]:
    """0-based line -> comment text (without '#' and surrounding blanks).

    ``text`` is source that parses (callers hold its AST): outside string
    literals every ``#`` starts a comment, so one regular expression finds
    them, many times faster than :mod:`tokenize` (which a lone ``\r`` still takes).
    """
    if "\r" not in text:
        return _comments_fast(text)
    return _comments_tokenize(text)


def _comments_fast(text: str) -> dict[int, str]:
    out: dict[int, str] = {}
    line, pos = 0, 0
    for m in COMMENT_OR_STRING.finditer(text):
        if m.group().startswith("#"):
            start = m.start()
            line += text.count("\n", pos, start)
            pos = start
            out[line] = m.group().lstrip("#").strip()
    return out


def _comments_tokenize(text: str) -> dict[int, str]:
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0] - 1] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def syntax_finding(path: Path, lines: list[str], exc: BaseException) -> Finding:
    """A ``python-syntax`` finding at the position Python reports."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        line = max(exc.lineno - 1, 0)
        text = _line(lines, line)
        col = min(max((exc.offset or 1) - 1, 0), len(text))
        end_line, end_col = line, col
        if exc.end_lineno and exc.end_offset and (exc.end_lineno - 1, exc.end_offset - 1) > (line, col):
            end_line = exc.end_lineno - 1
            end_col = min(exc.end_offset - 1, len(_line(lines, end_line)))
        elif col < len(text):
            end_col = col + 1
        message = f"`{path.name}` does not parse: {exc.msg} (line {exc.lineno})"
        return Finding("python-syntax", message, path, Span(line, col, end_line, end_col))
    message = f"`{path.name}` does not parse: {type(exc).__name__}"
    return Finding("python-syntax", message, path, Span.point(0, 0))


def summarise(parsed: Parsed) -> ModuleSummary:
    """Top-level bindings, star imports and ``__all__`` of one parsed module."""
    lines = parsed.lines
    bindings: dict[str, Binding] = {}
    stars: list[tuple[int, str]] = []
    all_names: list[str] | None = None

    def bind(name: str, b: Binding) -> None:
        if name not in bindings:
            bindings[name] = _share_binding(b)

    def str_list(node: ast.AST) -> list[str] | None:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return None

    def visit(body: list[ast.stmt]) -> None:
        nonlocal all_names
        for stmt in body:
            if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                span, header = def_spans(lines, stmt)
                kind = "class" if isinstance(stmt, ast.ClassDef) else "function"
                bind(stmt.name, Binding("def", kind, span, header))
            elif isinstance(stmt, ast.Import):
                for a in stmt.names:
                    if a.asname:
                        bind(a.asname, Binding("import_module", from_module=sys.intern(a.name)))
                    else:
                        top = sys.intern(a.name.split(".")[0])
                        bind(top, Binding("import_module", from_module=top))
            elif isinstance(stmt, ast.ImportFrom):
                for a in stmt.names:
                    if a.name == "*":
                        stars.append((stmt.level, stmt.module or ""))
                    else:
                        bind(a.asname or a.name, Binding("import_from", "variable", node_span(lines, a),
                                                         node_span(lines, stmt), level=stmt.level,
                                                         from_module=sys.intern(stmt.module or ""),
                                                         from_name=a.name))
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = stmt.value
                for t in targets:
                    if not isinstance(t, ast.Name):
                        continue
                    if t.id == "__all__" and value is not None:
                        found = str_list(value)
                        if found is not None:
                            all_names = found
                        continue
                    if value is None:
                        continue
                    span = node_span(lines, t)
                    parts = _dotted(value)
                    if parts:
                        bind(t.id, Binding("alias", "variable", span, node_span(lines, stmt), expr=parts))
                    else:
                        bind(t.id, Binding("variable", "variable", span, node_span(lines, stmt)))
            elif isinstance(stmt, ast.AugAssign):
                if isinstance(stmt.target, ast.Name) and stmt.target.id == "__all__":
                    found = str_list(stmt.value)
                    if found is not None:
                        all_names = (all_names or []) + found
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                f = stmt.value.func
                if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "__all__"
                        and all_names is not None and stmt.value.args):
                    arg = stmt.value.args[0]
                    if f.attr == "extend":
                        all_names = all_names + (str_list(arg) or [])
                    elif f.attr == "append" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        all_names = all_names + [arg.value]
            elif isinstance(stmt, ast.If):
                visit(stmt.body)
                visit(stmt.orelse)
            elif isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                visit(stmt.body)
                for h in stmt.handlers:
                    visit(h.body)
                visit(stmt.orelse)
                visit(stmt.finalbody)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                visit(stmt.body)

    for chunk in parsed.chunks:
        if chunk.header is not None:  # a def checked but not built: its header is all a summary needs
            name, kind, line = chunk.header
            span, header = header_spans(lines, line, 0, name)
            bind(name, Binding("def", kind, span, header))
        else:
            visit(chunk.parse(parsed.path, parsed.text))
    del visit  # a recursive closure is a reference cycle: break it so reference counting frees it
    all_ = tuple(all_names) if all_names is not None else None
    return ModuleSummary(parsed.path, parsed.digest, bindings, tuple(stars), all_)


#: the bindings of every summary: modules of a project import the same names on the same lines
_share_binding = Interner()


def _dotted(node: ast.AST) -> tuple[str, ...]:
    """``a.b.C`` -> ('a', 'b', 'C'); () for anything that is not a plain dotted name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ()
    parts.append(node.id)
    return tuple(reversed(parts))


class FileCache:
    """Per-file summaries (kept for every file seen) and a bounded LRU of parsed trees.

    A file's stamp (mtime, size) is checked once per *epoch*, not on every
    lookup: one chain build asks for the same few thousand summaries a hundred
    thousand times, and an ``os.stat`` each time was a tenth of a check.
    :meth:`new_epoch` starts the next epoch (the chain builder calls it at the
    start of each build); :meth:`invalidate` forgets a file at once.
    """

    def __init__(self, max_trees: int = MAX_TREES) -> None:
        self.max_trees = max_trees
        self.parse_count = 0  # how many texts were parsed (tests use it)
        self._summaries: dict[Path, tuple[tuple[int, int] | None, ModuleSummary]] = {}
        self._checked: dict[Path, ModuleSummary] = {}  # summaries whose stamp was checked in this epoch
        self._trees: OrderedDict[tuple[Path, str], Parsed] = OrderedDict()
        #: bumped at each epoch and whenever a summary seen before is forgotten or replaced: what
        #: was derived from summaries (resolutions) stays valid exactly while it does not change
        self.generation = 0

    def new_epoch(self) -> None:
        """Check each file's stamp again (once) the next time its summary is asked for.

        Any summary may then change: what was derived from them is stale too.
        """
        self._checked.clear()
        self.generation += 1

    def invalidate(self, path: Path | None = None) -> None:
        self.generation += 1
        if path is None:
            self._summaries.clear()
            self._checked.clear()
            self._trees.clear()
            return
        self._summaries.pop(Path(path), None)
        self._checked.pop(Path(path), None)

    def summary(self, path: Path) -> ModuleSummary:
        hit = self._checked.get(path)
        if hit is None:
            path = Path(path)
            hit = self._checked.get(path)
            if hit is None:
                hit = self._checked[path] = self._load(path)
        return hit

    def _load(self, path: Path) -> ModuleSummary:
        """The summary of ``path``, read and parsed again only when its stamp or content changed."""
        stamp = _stamp(path)
        cached = self._summaries.get(path)
        if cached is not None and stamp is not None and cached[0] == stamp:
            return cached[1]
        if cached is not None:
            self.generation += 1  # the summary may change: conservatively, it did
        source = read_source(path)
        if source.text is None:
            summ = ModuleSummary(path, "", problem=source.problem)
            self._summaries[path] = (stamp, summ)
            return summ
        digest = hashlib.sha1(source.text.encode("utf-8")).hexdigest()
        if cached is not None and cached[1].digest == digest:
            self._summaries[path] = (stamp, cached[1])
            return cached[1]
        parsed_or_error = self._parse(path, source.text, digest)
        if isinstance(parsed_or_error, Finding):
            summ = ModuleSummary(path, digest, error=parsed_or_error)
        else:
            summ = summarise(parsed_or_error)
        self._summaries[path] = (stamp, summ)
        return summ

    def parsed(self, path: Path) -> Parsed | None:
        """The parsed file (from the LRU, or parsed again); None when it does not parse."""
        summ = self.summary(path)
        if summ.error is not None or summ.problem is not None:
            return None
        path = summ.path
        hit = self._trees.get((path, summ.digest))
        if hit is not None:
            self._trees.move_to_end((path, summ.digest))
            return hit
        source = read_source(path)
        if source.text is None:
            return None
        digest = hashlib.sha1(source.text.encode("utf-8")).hexdigest()
        if digest != summ.digest:  # changed on disk under us: refresh the summary
            self.invalidate(path)
            return self.parsed(path) if self.summary(path).digest == digest else None
        result = self._parse(path, source.text, digest)
        return result if isinstance(result, Parsed) else None

    def _parse(self, path: Path, text: str, digest: str) -> Parsed | Finding:
        lines = text.split("\n")
        self.parse_count += 1
        try:
            chunks = split_module(path, text, checked=verified.checked(digest))
        except _PARSE_ERRORS:
            chunks = None  # the file does not parse, or was split wrong: ast.parse says which
        if chunks is None:
            try:
                chunks = as_one_chunk(ast.parse(text, filename=str(path)), text)
            except _PARSE_ERRORS as exc:
                return syntax_finding(path, lines, exc)
        parsed = Parsed(path, text, digest, lines, tuple(chunks))
        self._trees[(path, digest)] = parsed
        while len(self._trees) > self.max_trees:
            self._trees.popitem(last=False)
        return parsed


#: what parsing a text may raise (a ``python-syntax`` finding)
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size
