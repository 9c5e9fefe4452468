"""Position-aware reading of Hydra YAML configs.

:func:`parse_yaml` turns the text of one config file into a :class:`YamlDoc`:

* ``value`` -- the plain Python value Hydra 1.3 / OmegaConf 2.3 would load
  (``OmegaConf.to_container(OmegaConf.load(f))``), built from the same YAML 1.1
  resolvers OmegaConf uses (its float fix included, timestamps left as strings,
  duplicate keys refused);
* ``root`` -- a tree of :class:`YMap` / :class:`YSeq` / :class:`YScalar` where
  every key and scalar carries its exact :class:`Span`, and every map entry the
  comment written above it or beside it (hover docs);
* ``header`` -- the ``# @package`` header, read exactly as Hydra reads it;
* ``findings`` -- ``yaml-syntax`` findings instead of exceptions.

The events come from libyaml (``yaml.CSafeLoader``) when it is available and the
text has no tab; on any error -- and for texts with tabs, where libyaml is more
lenient than the pure-Python parser OmegaConf uses -- the pure-Python parser
decides, so messages and positions are the ones Hydra would show.

Nothing here imports omegaconf or hydra: both are test oracles only.
"""

from __future__ import annotations

import bisect
import math
import pathlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from trainpath.findings import Finding, Severity
from trainpath.parsing.positions import Span
from trainpath.parsing.sources import read_source

__all__ = [
    "YScalar",
    "YEntry",
    "YMap",
    "YSeq",
    "YNode",
    "PackageHeader",
    "YamlDoc",
    "parse_yaml",
    "load_yaml",
]

KeyPath = tuple[Any, ...]


# --------------------------------------------------------------------------- nodes


@dataclass(eq=False)
class YScalar:
    value: Any  # constructed value (str/int/float/bool/None); '???' and '${...}' stay strings
    span: Span  # exact range of the scalar text (quoted scalars: including the quotes)
    raw: str  # the source text of the scalar
    style: str | None  # None/'' plain, "'", '"', '|', '>'


@dataclass(eq=False)
class YEntry:
    key: YScalar
    value: "YNode"
    comment: str | None = None  # comment lines above the key + trailing comment on its line


@dataclass(eq=False)
class YMap:
    entries: list[YEntry]
    span: Span

    def get(self, key: Any) -> YEntry | None:
        """The entry whose constructed key equals ``key`` (keys are unique)."""
        for entry in self.entries:
            k = entry.key.value
            if k == key and type(k) is type(key):
                return entry
        for entry in self.entries:  # 1 == 1.0 == True, as in a Python dict
            if entry.key.value == key:
                return entry
        return None


@dataclass(eq=False)
class YSeq:
    items: list["YNode"]
    span: Span


YNode = YScalar | YMap | YSeq


@dataclass(frozen=True)
class PackageHeader:
    package: str  # e.g. '_global_', 'foo.bar', '_group_' (literal in Hydra 1.3)
    span: Span  # range of the package name in the header line


@dataclass(eq=False)
class YamlDoc:
    path: Path
    text: str | None
    root: YNode | None  # None when empty or on a syntax error
    value: Any  # the plain value Hydra would load; {} for an empty file; None on error
    header: PackageHeader | None = None
    header_error: str | None = None  # a leading '# @...' comment Hydra rejects
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.effective_severity is Severity.ERROR for f in self.findings)

    def node(self, keypath: KeyPath) -> YNode | None:
        """The node at ``keypath`` (``()`` is the root)."""
        node = self.root
        for part in keypath:
            if isinstance(node, YMap):
                entry = node.get(part)
                if entry is None:
                    return None
                node = entry.value
            elif isinstance(node, YSeq) and isinstance(part, int) and not isinstance(part, bool):
                if not 0 <= part < len(node.items):
                    return None
                node = node.items[part]
            else:
                return None
        return node

    def entry(self, keypath: KeyPath) -> YEntry | None:
        """The map entry for a non-empty key path."""
        if not keypath:
            return None
        parent = self.node(keypath[:-1])
        return parent.get(keypath[-1]) if isinstance(parent, YMap) else None

    def entries(self) -> Iterator[tuple[KeyPath, YEntry]]:
        """Every map entry with its key path, depth-first, in file order."""
        if self.root is not None:
            yield from _walk_entries(self.root, ())

    def scalars(self) -> Iterator[tuple[KeyPath, YScalar]]:
        """Every scalar value (not keys) with its key path, in file order."""
        if self.root is not None:
            yield from _walk_scalars(self.root, ())

    def at(self, line: int, col: int) -> tuple[KeyPath, YScalar, str] | None:
        """The key or scalar value under a cursor: ``(keypath, scalar, 'key'|'value')``."""
        if self.root is None:
            return None
        return _find_at(self.root, (), line, col, set())


def _walk_entries(node: YNode, path: KeyPath) -> Iterator[tuple[KeyPath, YEntry]]:
    if isinstance(node, YMap):
        for entry in node.entries:
            sub = path + (entry.key.value,)
            yield sub, entry
            yield from _walk_entries(entry.value, sub)
    elif isinstance(node, YSeq):
        for i, item in enumerate(node.items):
            yield from _walk_entries(item, path + (i,))


def _walk_scalars(node: YNode, path: KeyPath) -> Iterator[tuple[KeyPath, YScalar]]:
    if isinstance(node, YScalar):
        yield path, node
    elif isinstance(node, YMap):
        for entry in node.entries:
            yield from _walk_scalars(entry.value, path + (entry.key.value,))
    else:
        for i, item in enumerate(node.items):
            yield from _walk_scalars(item, path + (i,))


def _find_at(node: YNode, path: KeyPath, line: int, col: int, seen: set[int]) -> tuple[KeyPath, YScalar, str] | None:
    if isinstance(node, YScalar):
        return (path, node, "value") if node.span.contains(line, col) else None
    if id(node) in seen:  # an alias shares its target's children: visit them once
        return None
    seen.add(id(node))
    if isinstance(node, YMap):
        for entry in node.entries:
            sub = path + (entry.key.value,)
            if entry.key.span.contains(line, col):
                return sub, entry.key, "key"
            found = _find_at(entry.value, sub, line, col, seen)
            if found:
                return found
    else:
        for i, item in enumerate(node.items):
            found = _find_at(item, path + (i,), line, col, seen)
            if found:
                return found
    return None


# --------------------------------------------------------------------------- resolving scalars


class _OmegaConfResolver(Resolver):
    """YAML 1.1 implicit resolvers as ``omegaconf._utils.get_yaml_loader`` sets them up."""


_OmegaConfResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        """^(?:
     [-+]?[0-9]+(?:_[0-9]+)*\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+)
    |\\.[0-9]+(?:_[0-9]+)*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9]+(?:_[0-9]+)*(?::[0-5]?[0-9])+\\.[0-9_]*
    |[-+]?\\.(?:inf|Inf|INF)
    |\\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _OmegaConfResolver.yaml_implicit_resolvers.items()
}

_T = "tag:yaml.org,2002:"
STR, NULL, BOOL, INT, FLOAT = _T + "str", _T + "null", _T + "bool", _T + "int", _T + "float"
MERGE, VALUE, MAP, SEQ = _T + "merge", _T + "value", _T + "map", _T + "seq"
_PATH_TAGS = {_T + "python/object/apply:pathlib.Path", _T + "python/object/apply:pathlib.PosixPath"}
_SCALAR_BUILDERS = {NULL, BOOL, INT, FLOAT, _T + "binary", _T + "timestamp"}
_CONSTRUCTOR = SafeConstructor()


def resolve_tag(value: str, implicit: tuple[bool, bool], tag: str | None) -> str:
    """The tag PyYAML's resolver gives a scalar (OmegaConf's resolver table)."""
    if tag is not None and tag != "!":
        return tag
    if implicit[0]:
        for rtag, rx in _IMPLICIT.get(value[0] if value else "", ()):
            if rx.match(value):
                return rtag
        for rtag, rx in _IMPLICIT.get(None, ()):
            if rx.match(value):
                return rtag
    return STR


class _ConstructError(Exception):
    pass


def construct_scalar(tag: str, value: str) -> Any:
    """Build a scalar exactly as PyYAML's SafeConstructor does; raise _ConstructError when OmegaConf would fail."""
    if tag == STR:
        return value
    if tag == MERGE:
        raise _ConstructError(f"`{value}` is a merge key, which is not a value (could not determine a constructor for the tag '{tag}')")
    if tag in _SCALAR_BUILDERS:
        builder = SafeConstructor.yaml_constructors[tag]
        try:
            result = builder(_CONSTRUCTOR, ScalarNode(tag, value))
        except yaml.YAMLError as exc:
            raise _ConstructError(str(getattr(exc, "problem", None) or exc)) from None
        except (ValueError, KeyError, TypeError):
            raise _ConstructError(f"`{value}` is not a valid {tag.rsplit(':', 1)[-1]}") from None
        if tag == _T + "timestamp":
            raise _ConstructError(f"Value '{type(result).__name__}' is not a supported primitive type")
        return result
    if tag == VALUE:
        raise _ConstructError(
            "a plain `=` is YAML 1.1's 'value' type, which OmegaConf cannot load "
            f"(could not determine a constructor for the tag '{tag}'); quote it: '='"
        )
    raise _ConstructError(f"could not determine a constructor for the tag '{tag}'")


# --------------------------------------------------------------------------- composing


_ALIAS = "alias"


class _Problem(Exception):
    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


class _Builder:
    """Turns parser events into Y-nodes plus their constructed values."""

    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path
        self.findings: list[Finding] = []
        self._line_starts: list[int] | None = None
        self.values: dict[int, Any] = {}  # id(node) -> constructed value
        self.tags: dict[int, str] = {}  # id(key scalar) -> resolved tag
        self.pairs: dict[int, list[tuple[YNode, YNode]]] = {}  # id(YMap) -> flattened pairs
        self.anchors: dict[str, YNode | None] = {}  # None while the anchored node is open
        self.anchor_spans: dict[str, Span] = {}
        self.scalar_nodes: list[YScalar] = []  # every scalar, keys included, for comment recovery
        self.block_scalars: set[int] = set()
        self.failed = False

    # positions ---------------------------------------------------------
    def pos(self, index: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, index) - 1
        return line, index - self._line_starts[line]

    def _skip_properties(self, start: int, end: int) -> int:
        """Index of a node's content after its ``&anchor`` / ``!tag`` properties."""
        text = self.text
        while start < end and text[start] in "&!":
            while start < end and text[start] not in " \t\n":
                start += 1
            while start < end and text[start] in " \t\n":
                start += 1
        return start

    def span(self, start_mark: Any, end_mark: Any, has_props: bool) -> tuple[Span, int, int]:
        s, e = start_mark.index, end_mark.index
        if has_props:
            s = self._skip_properties(s, e)
            line, col = self.pos(s)
        else:
            line, col = start_mark.line, start_mark.column
        return Span(line, col, end_mark.line, end_mark.column), s, e

    def problem(self, message: str, span: Span) -> None:
        self.failed = True
        self.findings.append(Finding("yaml-syntax", message, self.path, span))

    # events -------------------------------------------------------------
    def scalar(self, event: Any) -> YScalar:
        has_props = event.anchor is not None or event.tag is not None
        style = event.style
        if style in ("|", ">"):
            s = self._skip_properties(event.start_mark.index, event.end_mark.index) if has_props else event.start_mark.index
            e = s + len(self.text[s : event.end_mark.index].rstrip(" \n"))
            span = Span(*self.pos(s), *self.pos(e))
        else:
            span, s, e = self.span(event.start_mark, event.end_mark, has_props)
        tag = resolve_tag(event.value, event.implicit, event.tag)
        try:
            value = construct_scalar(tag, event.value)
        except _ConstructError as exc:
            if tag not in (VALUE, MERGE):  # fine as keys: reported when used as values
                self.problem(str(exc), span)
            value = event.value
        node = YScalar(value, span, self.text[s:e], style or None)
        self.tags[id(node)] = tag
        self.values[id(node)] = value
        self.scalar_nodes.append(node)
        if style in ("|", ">"):
            self.block_scalars.add(id(node))
        return node

    def alias(self, event: Any) -> YNode:
        span = Span(event.start_mark.line, event.start_mark.column, event.end_mark.line, event.end_mark.column)
        if event.anchor not in self.anchors:
            raise _Problem(f"found undefined alias '{event.anchor}'", span)
        target = self.anchors[event.anchor]
        if target is None:
            raise _Problem(f"alias '*{event.anchor}' refers to a node that contains it (a recursive structure)", span)
        raw = self.text[event.start_mark.index : event.end_mark.index]
        node: YNode
        if isinstance(target, YScalar):
            node = YScalar(target.value, span, raw, None)
            self.tags[id(node)] = self.tags[id(target)]
        elif isinstance(target, YMap):
            node = YMap(target.entries, span)
            self.pairs[id(node)] = self.pairs[id(target)]
        else:
            node = YSeq(target.items, span)
        self.values[id(node)] = self.values.get(id(target))
        return node

    def open_anchor(self, anchor: str | None, start_mark: Any) -> None:
        if anchor is None:
            return
        span = Span.point(start_mark.line, start_mark.column)
        if anchor in self.anchors:
            first = self.anchor_spans[anchor]
            raise _Problem(
                f"found duplicate anchor '{anchor}'; first occurrence on line {first.line + 1}", span
            )
        self.anchors[anchor] = None
        self.anchor_spans[anchor] = span

    def check_value(self, node: YNode) -> None:
        """A scalar that PyYAML accepts as a key only (`=`, `<<`) is an error as a value."""
        if isinstance(node, YScalar) and self.tags.get(id(node)) in (VALUE, MERGE):
            try:
                construct_scalar(self.tags[id(node)], node.raw)
            except _ConstructError as exc:
                self.problem(str(exc), node.span)

    def finish_map(self, ymap: YMap, pairs: list[tuple[YNode, YNode]]) -> None:
        """Duplicate check (OmegaConf), merge keys (PyYAML), then the dict."""
        seen: dict[Any, YScalar] = {}
        for key, _ in pairs:
            if isinstance(key, YScalar) and self.tags.get(id(key)) == STR:
                first = seen.get(key.value)
                if first is not None:
                    self.problem(
                        f"duplicate key `{key.value}` (already set on line {first.span.line + 1}); "
                        "OmegaConf refuses duplicate keys",
                        key.span,
                    )
                else:
                    seen[key.value] = key
        merged: list[tuple[YNode, YNode]] = []
        own: list[tuple[YNode, YNode]] = []
        for key, value in pairs:
            if isinstance(key, YScalar) and self.tags.get(id(key)) == MERGE:
                if isinstance(value, YMap):
                    merged.extend(self.pairs.get(id(value), []))
                elif isinstance(value, YSeq):
                    sub: list[list[tuple[YNode, YNode]]] = []
                    for item in value.items:
                        if not isinstance(item, YMap):
                            self.problem(
                                f"expected a mapping for merging, but found a {_kind(item)}", item.span
                            )
                            continue
                        sub.append(self.pairs.get(id(item), []))
                    for chunk in reversed(sub):
                        merged.extend(chunk)
                else:
                    self.problem(
                        f"expected a mapping or list of mappings for merging, but found a {_kind(value)}",
                        value.span,
                    )
            else:
                self.check_value(value)
                own.append((key, value))
        flat = merged + own
        self.pairs[id(ymap)] = flat
        data: dict[Any, Any] = {}
        slots: dict[Any, int] = {}
        entries: list[YEntry] = []
        for key, value in flat:
            if not isinstance(key, YScalar):
                self.problem("found unhashable key: a config key must be a scalar", key.span)
                continue
            kval = "=" if self.tags.get(id(key)) == VALUE else self.values.get(id(key))
            if kval is None:
                self.problem("a null key is not allowed (OmegaConf: Incompatible key type 'NoneType')", key.span)
                continue
            if not isinstance(kval, (str, int, float, bool, bytes)):
                self.problem(f"Incompatible key type '{type(kval).__name__}'", key.span)
                continue
            data[kval] = self.values.get(id(value))
            if kval in slots:
                old = entries[slots[kval]]
                entries[slots[kval]] = YEntry(old.key, value) if old.key is key else YEntry(key, value)
            else:
                slots[kval] = len(entries)
                entries.append(YEntry(key, value))
        ymap.entries = entries
        self.values[id(ymap)] = data


def _kind(node: YNode) -> str:
    return "scalar" if isinstance(node, YScalar) else "mapping" if isinstance(node, YMap) else "sequence"


_NOKEY = object()


def _events(text: str, pure: bool) -> Iterator[Any]:
    loader_cls = yaml.SafeLoader if pure or not getattr(yaml, "__with_libyaml__", False) else yaml.CSafeLoader
    loader = loader_cls(text)
    try:
        while loader.check_event():
            yield loader.get_event()
    finally:
        loader.dispose()


def _compose(builder: _Builder, events: Iterator[Any]) -> YNode | None:
    """Build the tree of the first document; error on a second one."""
    root: YNode | None = None
    stack: list[list[Any]] = []  # [node, start_event, pairs/items, pending key]
    documents = 0
    first_doc_span: Span | None = None

    def add(node: YNode) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        frame = stack[-1]
        if isinstance(frame[0], YSeq):
            frame[2].append(node)
        elif frame[3] is _NOKEY:
            frame[3] = node
        else:
            frame[2].append((frame[3], node))
            frame[3] = _NOKEY

    for event in events:
        cls = type(event)
        if cls is ev.ScalarEvent:
            builder.open_anchor(event.anchor, event.start_mark)
            node = builder.scalar(event)
            if event.anchor is not None:
                builder.anchors[event.anchor] = node
            add(node)
        elif cls is ev.MappingStartEvent or cls is ev.SequenceStartEvent:
            builder.open_anchor(event.anchor, event.start_mark)
            has_props = event.anchor is not None or event.tag is not None
            span, _, _ = builder.span(event.start_mark, event.end_mark, has_props)
            is_map = cls is ev.MappingStartEvent
            tag = event.tag if event.tag not in (None, "!") else (MAP if is_map else SEQ)
            if tag not in (MAP, SEQ) and tag not in _PATH_TAGS:
                builder.problem(f"could not determine a constructor for the tag '{tag}'", span)
            node = YMap([], span) if is_map else YSeq([], span)
            stack.append([node, event, [], _NOKEY, tag])
        elif cls is ev.MappingEndEvent or cls is ev.SequenceEndEvent:
            node, start, children, _, tag = stack.pop()
            if start.flow_style:
                end = event.end_mark
                node.span = Span(node.span.line, node.span.col, end.line, end.column)
            elif children:
                last = children[-1][1] if isinstance(node, YMap) else children[-1]
                node.span = Span(node.span.line, node.span.col, last.span.end_line, last.span.end_col)
            if isinstance(node, YMap):
                builder.finish_map(node, children)
            else:
                node.items = children
                for item in children:
                    builder.check_value(item)
                values = [builder.values.get(id(item)) for item in children]
                if tag in _PATH_TAGS:
                    builder.values[id(node)] = pathlib.Path(*[str(v) for v in values])
                else:
                    builder.values[id(node)] = values
            if start.anchor is not None:
                builder.anchors[start.anchor] = node
            add(node)
        elif cls is ev.AliasEvent:
            add(builder.alias(event))
        elif cls is ev.DocumentStartEvent:
            documents += 1
            if documents == 2:
                raise _Problem(
                    "expected a single document in the stream, but found another document "
                    "(Hydra config files hold one document)",
                    Span.point(event.start_mark.line, event.start_mark.column),
                )
            first_doc_span = Span.point(event.start_mark.line, event.start_mark.column)
    del first_doc_span
    return root


# --------------------------------------------------------------------------- headers


_HEADER_RX = re.compile("^\\s*#\\s*@")


def parse_header(text: str) -> tuple[PackageHeader | None, str | None, set[int]]:
    """Hydra's ``ConfigSource._get_header_dict`` on the first 512 characters, with positions.

    Returns the package header, the error Hydra would raise, and the lines read as header lines.
    """
    header: PackageHeader | None = None
    lines: set[int] = set()
    offset = 0
    head = text[:512]
    for piece in head.splitlines(keepends=True):
        start = offset
        offset += len(piece)
        line = piece.strip()
        if not line:
            continue
        if not _HEADER_RX.match(line):
            break
        line_no = text.count("\n", 0, start)
        lines.add(line_no)
        body = line.lstrip("#").strip()
        splits = [s for s in body.split(" ") if s]
        if len(splits) < 2:
            return None, f"Expected header format: KEY VALUE, got '{body}'", lines
        if len(splits) > 2:
            return None, f"Too many components in '{body}'", lines
        key, val = splits[0].strip(), splits[1].strip()
        if key == "@package":
            val_at = piece.index(val, piece.index("@") + len(splits[0]))
            col = start - (text.rfind("\n", 0, start) + 1) + val_at
            header = PackageHeader(val, Span(line_no, col, line_no, col + len(val)))
    return header, None, lines


# --------------------------------------------------------------------------- comments


_PACKAGE_COMMENT = re.compile(r"^\s*#\s*@package\b")


def _attach_comments(builder: _Builder, root: YNode, header_lines: set[int]) -> None:
    text = builder.text
    if "#" not in text:
        return
    lines = text.split("\n")
    hash_lines = {i for i, line in enumerate(lines) if "#" in line}
    # parts of lines covered by scalars (a '#' there is text, not a comment)
    covered: dict[int, list[tuple[int, int]]] = {}
    inside: set[int] = set()
    for node in builder.scalar_nodes:
        sp = node.span
        if sp.line == sp.end_line:
            if sp.line in hash_lines:
                covered.setdefault(sp.line, []).append((sp.col, sp.end_col))
            continue
        if id(node) in builder.block_scalars:
            head_end = sp.col + len(lines[sp.line][sp.col :].split(" ", 1)[0].split("\t", 1)[0])
            covered.setdefault(sp.line, []).append((sp.col, head_end))
        else:
            covered.setdefault(sp.line, []).append((sp.col, 1 << 30))
            covered.setdefault(sp.end_line, []).append((0, sp.end_col))
        inside.update(range(sp.line + 1, sp.end_line + (1 if id(node) in builder.block_scalars else 0)))

    def trailing(line_no: int, after: int) -> str | None:
        if line_no not in hash_lines or line_no in inside:
            return None
        line = lines[line_no]
        spans = covered.get(line_no, ())
        i = line.find("#", after)
        while i >= 0:
            if (i == 0 or line[i - 1] in " \t") and not any(a <= i < b for a, b in spans):
                return line[i:]
            i = line.find("#", i + 1)
        return None

    def is_comment_line(line_no: int) -> bool:
        return line_no in hash_lines and line_no not in inside and lines[line_no].lstrip().startswith("#")

    def clean(comment: str) -> str:
        body = comment.strip()[1:]
        return (body[1:] if body.startswith(" ") else body).rstrip()

    claimed: set[int] = set()
    for _, entry in _walk_entries(root, ()):
        key = entry.key
        line_no = key.span.line
        if line_no in claimed or line_no >= len(lines):
            continue
        prefix = lines[line_no][: key.span.col]
        if prefix.strip(" -?"):
            continue  # not the first key on its line
        claimed.add(line_no)
        parts: list[str] = []
        above = line_no - 1
        while above >= 0 and is_comment_line(above):
            above -= 1
        for i in range(above + 1, line_no):
            if i in header_lines or _PACKAGE_COMMENT.match(lines[i]):
                continue
            parts.append(clean(lines[i]))
        tail = trailing(line_no, key.span.end_col)
        if tail is not None:
            parts.append(clean(tail))
        entry.comment = "\n".join(parts) if parts else None


# --------------------------------------------------------------------------- entry points


def _syntax_finding(path: Path, text: str, exc: yaml.YAMLError) -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    problem = problem.splitlines()[0] if problem else "invalid YAML"
    line, col = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.split("\n")
    line_text = lines[line] if line < len(lines) else ""
    if col < len(line_text) and line_text[col] == "\t":
        if line_text[:col].strip(" \t") == "":
            message = "a tab is used for indentation: YAML allows only spaces there"
        else:
            message = "a tab separates tokens here: Hydra's YAML reader (PyYAML) allows only spaces"
        return Finding("yaml-syntax", f"{message} ({problem})", path, Span.on_line(line, col, col + 1))
    end = col + 1 if col < len(line_text) else col
    return Finding("yaml-syntax", f"YAML syntax error: {problem}", path, Span(line, col, line, end))


def parse_yaml(text: str, path: Path) -> YamlDoc:
    """Parse one config file's text; never raises."""
    doc, value, failed = _parse(text, Path(path))
    if not failed:
        doc.value = _as_loaded(doc, value)
    return doc


def _parse(text: str, path: Path) -> tuple[YamlDoc, Any, bool]:
    """The document, the constructed value of its root, and whether an error was found."""
    header, header_error, header_lines = parse_header(text)
    doc = YamlDoc(path, text, None, None, header, header_error, [])
    use_pure = "\t" in text or not getattr(yaml, "__with_libyaml__", False)
    builder = _Builder(text, path)
    try:
        try:
            root = _compose(builder, _events(text, use_pure))
        except yaml.YAMLError:
            if use_pure:
                raise
            builder = _Builder(text, path)  # let the parser Hydra uses decide, in its own words
            root = _compose(builder, _events(text, True))
    except yaml.YAMLError as exc:
        doc.findings.append(_syntax_finding(path, text, exc))
        return doc, None, True
    except _Problem as problem:
        doc.findings.append(Finding("yaml-syntax", problem.message, path, problem.span))
        return doc, None, True
    except RecursionError:
        doc.findings.append(Finding("yaml-syntax", "the YAML nests too deeply", path, Span.point(0, 0)))
        return doc, None, True
    doc.root = root
    if root is not None:
        builder.check_value(root)
        _attach_comments(builder, root, header_lines)
    doc.findings.extend(builder.findings)
    value = builder.values.get(id(root)) if root is not None else None
    return doc, value, builder.failed


def _as_loaded(doc: YamlDoc, value: Any) -> Any:
    """What ``OmegaConf.load`` makes of the document's value (None after a finding)."""
    if value is None:
        return {}
    if isinstance(value, (dict, list)):
        return value
    span = doc.root.span if doc.root is not None else Span.point(0, 0)
    if isinstance(value, str):
        # OmegaConf.create(str) parses the string again: a plain string becomes {string: None}
        again, inner, failed = _parse(value, doc.path)
        if failed:
            first = again.findings[0].message if again.findings else "invalid YAML"
            message = f"the file holds one string, which OmegaConf parses again as YAML: {first}"
            doc.findings.append(Finding("yaml-syntax", message, doc.path, span))
            return None
        if inner is None:
            return {}
        if isinstance(inner, str):
            return {inner: None}
        if isinstance(inner, (dict, list)):
            return inner
        value = inner
    kind = type(value).__name__
    message = f"a config file must hold a mapping, not a single {kind} (Invalid loaded object type: {kind})"
    doc.findings.append(Finding("yaml-syntax", message, doc.path, span))
    return None


_CACHE: dict[Path, YamlDoc] = {}
_CACHE_LIMIT = 4096


def load_yaml(path: Path) -> YamlDoc:
    """Read and parse ``path``; the same object comes back while the content is unchanged."""
    path = Path(path)
    source = read_source(path)
    if source.text is None:
        doc = YamlDoc(path, None, None, None, None, None, [source.problem] if source.problem else [])
        _CACHE.pop(path, None)
        return doc
    cached = _CACHE.get(path)
    if cached is not None and cached.text == source.text:
        return cached
    doc = parse_yaml(source.text, path)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[path] = doc
    return doc


def clear_cache() -> None:
    """Forget every parsed file (tests, workspace reloads)."""
    _CACHE.clear()


_ = math  # float('nan') compares unequal: callers use math.isnan
