"""Position-aware reader for Hydra YAML configs.

:func:`parse_yaml` turns a config file's text into a :class:`YamlDoc` that
holds, side by side,

* ``value``: the plain Python value Hydra 1.3 would load from the file
  (``OmegaConf.to_container(OmegaConf.load(f))``): YAML 1.1 implicit types
  as OmegaConf resolves them (``yes`` is True, ``017`` is 15, ``1e-4`` is a
  float, dates stay strings), its duplicate-key refusal, merge keys, and its
  odd top-level rules (a file holding only a string is re-read as YAML);
* ``root``: a tree of :class:`YMap` / :class:`YSeq` / :class:`YScalar` in which
  every key and scalar carries its exact :class:`Span`, and every map entry
  the comments written above it or beside its key (they become hover docs);
* ``header``: the ``# @package`` header, read exactly the way Hydra's
  ``ConfigSource._get_header_dict`` reads it (first 512 characters, leading
  ``# @key value`` lines only, blank lines skipped);
* ``findings``: ``yaml-syntax`` findings instead of exceptions.

The events come from PyYAML's C parser (libyaml) when it is available; the
tree, the tags and the values are built here from those events with the same
resolvers OmegaConf installs.  Hydra itself reads with the pure-Python parser,
so whenever the fast parser refuses a document (or the text holds something
the two parsers treat differently: tabs, non-printable characters) the
pure-Python parser decides, and its error text is the one reported.

Nothing here imports or runs the analysed project's code.  Documents are
cached by (path, content): an unchanged file is never parsed twice, and the
same :class:`YamlDoc` object comes back.  Treat documents as read-only.
"""

from __future__ import annotations

import base64
import binascii
import copy
import math
import os
import pathlib
import re
import threading
import time
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Union

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from trainpath.findings import Finding, Severity
from trainpath.interning import spans as share_span
from trainpath.parsing.positions import Span
from trainpath.parsing.sources import OVERLAY, read_source

__all__ = ["YScalar", "YEntry", "YMap", "YSeq", "YNode", "PackageHeader", "YamlDoc", "parse_yaml", "load_yaml"]

KeyPath = tuple[Union[str, int], ...]

# --------------------------------------------------------------------------- tree


@dataclass(eq=False, slots=True)
class YScalar:
    """A scalar (key or value): its constructed value and where its text is.

    Documents share equal scalars (the same text, value and place: ``name:`` at
    line 3, column 2 of many config files): never change one.
    """

    value: Any  # constructed value (str/int/float/bool/None); '???' and '${...}' stay strings
    span: Span  # exact range of the scalar text (for quoted scalars: including the quotes)
    raw: str  # the source text of the scalar (text[start:end])
    style: str | None  # None plain, "'", '"', '|', '>'


@dataclass(eq=False, slots=True)
class YEntry:
    key: YScalar
    value: "YNode"
    #: comment lines directly above the key + trailing comment on the key line,
    #: '#' and one space stripped, joined by '\n'
    comment: str | None = None


@dataclass(eq=False, slots=True)
class YMap:
    entries: list[YEntry]
    span: Span

    def get(self, key: Any) -> YEntry | None:
        """The entry whose key equals ``key`` (a bool matches only a bool)."""
        for entry in reversed(self.entries):
            k = entry.key.value
            if k == key and isinstance(k, bool) == isinstance(key, bool):
                return entry
        return None


@dataclass(eq=False, slots=True)
class YSeq:
    items: list["YNode"]
    span: Span


YNode = Union[YScalar, YMap, YSeq]


@dataclass(frozen=True)
class PackageHeader:
    package: str  # e.g. '_global_', 'foo.bar', '_group_' (literal in Hydra 1.3)
    span: Span  # range of the package name in the header line


#: the ``_borrowed`` of every document without aliases or merged-in entries (read-only, shared)
_NOTHING_BORROWED: Mapping[int, object] = MappingProxyType({})


@dataclass(eq=False)
class YamlDoc:
    path: Path
    text: str | None
    root: YNode | None  # None when empty, unreadable or not parseable
    value: Any  # the plain value Hydra would load; {} for an empty file; None on error
    header: PackageHeader | None
    header_error: str | None  # a leading '# @...' line Hydra rejects
    findings: list[Finding]
    #: alias nodes and merged-in entries (id -> object): they repeat text written elsewhere
    _borrowed: Mapping[int, object] = field(default_factory=lambda: _NOTHING_BORROWED, repr=False)

    @property
    def ok(self) -> bool:
        """No error-severity findings."""
        return all(f.effective_severity is not Severity.ERROR for f in self.findings)

    def node(self, keypath: KeyPath) -> YNode | None:
        """The node at ``keypath`` (``()`` is the root); None when there is none."""
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
        """Every map entry written in the file, depth-first, in file order.

        Entries merged in with ``<<`` and the insides of aliases are skipped
        (their text is elsewhere); :meth:`node` still finds them.
        """
        for path, entry, _ in self._walk():
            if entry is not None:
                yield path, entry

    def scalars(self) -> Iterator[tuple[KeyPath, YScalar]]:
        """Every scalar value (not keys) with its key path, in file order."""
        for path, entry, node in self._walk():
            if entry is None and isinstance(node, YScalar):
                yield path, node

    def _walk(self) -> Iterator[tuple[KeyPath, YEntry | None, YNode]]:
        if self.root is None:
            return
        borrowed = self._borrowed
        stack: list[tuple[KeyPath, YEntry | None, YNode]] = [((), None, self.root)]
        while stack:
            path, entry, node = stack.pop()
            if entry is not None:
                yield path, entry, node
                continue
            yield path, None, node
            if id(node) in borrowed:
                continue
            if isinstance(node, YMap):
                for e in reversed(node.entries):
                    if id(e) in borrowed:
                        continue
                    sub = path + (e.key.value,)
                    stack.append((sub, None, e.value))
                    stack.append((sub, e, e.value))
            elif isinstance(node, YSeq):
                for i in range(len(node.items) - 1, -1, -1):
                    stack.append((path + (i,), None, node.items[i]))

    def at(self, line: int, col: int) -> tuple[KeyPath, YScalar, str] | None:
        """The scalar under a cursor: ``(keypath, scalar, 'key' | 'value')`` (span ends count)."""
        node, path = self.root, ()
        while node is not None:
            if isinstance(node, YScalar):
                return (path, node, "value") if node.span.contains(line, col) else None
            if not node.span.contains(line, col) or id(node) in self._borrowed:
                return None
            nxt: YNode | None = None
            if isinstance(node, YMap):
                for e in node.entries:
                    if id(e) in self._borrowed:
                        continue
                    if e.key.span.contains(line, col):
                        return path + (e.key.value,), e.key, "key"
                    if e.value.span.contains(line, col):
                        nxt, path = e.value, path + (e.key.value,)
                        break
            else:
                for i, item in enumerate(node.items):
                    if item.span.contains(line, col):
                        nxt, path = item, path + (i,)
                        break
            node = nxt
        return None


# --------------------------------------------------------------------------- resolvers

_T = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
MAP, SEQ, MERGE, VALUE, BINARY = _T + "map", _T + "seq", _T + "merge", _T + "value", _T + "binary"
OMAP, PAIRS, SET, TIMESTAMP = _T + "omap", _T + "pairs", _T + "set", _T + "timestamp"
_PATH_TAGS = (_T + "python/object/apply:pathlib.Path", _T + "python/object/apply:pathlib.PosixPath")
_SCALAR_TAGS = (STR, INT, FLOAT, BOOL, NULL, BINARY, TIMESTAMP)

#: OmegaConf's float fix (omegaconf/_utils.py: get_yaml_loader): '1e-4' is a float.
_OMEGACONF_FLOAT = re.compile(
    """^(?:
     [-+]?[0-9]+(?:_[0-9]+)*\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+)
    |\\.[0-9]+(?:_[0-9]+)*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9]+(?:_[0-9]+)*(?::[0-5]?[0-9])+\\.[0-9_]*
    |[-+]?\\.(?:inf|Inf|INF)
    |\\.(?:nan|NaN|NAN))$""",
    re.X,
)


def _omegaconf_resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    """PyYAML's YAML 1.1 implicit resolvers as OmegaConf's loader changes them."""
    table = {k: list(v) for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
    for ch in "-+0123456789.":
        table.setdefault(ch, []).append((FLOAT, _OMEGACONF_FLOAT))
    return {k: [(t, rx) for t, rx in v if t != TIMESTAMP] for k, v in table.items()}


_RESOLVERS = _omegaconf_resolvers()
_WILDCARD = _RESOLVERS.get(None, [])


def _resolve(value: str) -> str:
    """``Resolver.resolve`` for a plain (unquoted, untagged) scalar, with OmegaConf's table."""
    for tag, rx in _RESOLVERS.get(value[0] if value else "", []) + _WILDCARD:
        if rx.match(value):
            return tag
    return STR


_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


class _Bad(Exception):
    """A value PyYAML or OmegaConf refuses to construct."""


def _to_int(value: str) -> int:
    value = value.replace("_", "")
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        return sign * _base60([int(part) for part in value.split(":")])
    return sign * int(value)


def _to_float(value: str) -> float:
    value = value.replace("_", "").lower()
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    if ":" in value:
        return sign * _base60([float(part) for part in value.split(":")])
    return sign * float(value)


def _base60(digits: list) -> Any:
    """YAML 1.1 sexagesimal numbers (``1:30`` is 90), as PyYAML's constructors compute them."""
    total, base = digits[0] * 0, 1
    for digit in reversed(digits):
        total += digit * base
        base *= 60
    return total


def _construct_scalar(tag: str, value: str) -> Any:
    """SafeConstructor's scalar constructors (the ones OmegaConf's loader keeps)."""
    if tag == STR:
        return value
    try:
        if tag == INT:
            return _to_int(value)
        if tag == FLOAT:
            return _to_float(value)
        if tag == BOOL:
            return _BOOLS[value.lower()]
        if tag == NULL:
            return None
        if tag == BINARY:
            return base64.decodebytes(value.encode("ascii"))
    except (ValueError, KeyError, IndexError, UnicodeEncodeError, binascii.Error):
        raise _Bad(f"cannot read {value!r} as {tag.rsplit(':', 1)[-1]}") from None
    if tag in (MERGE, VALUE):
        return value  # legal as keys only; refused in value positions
    if tag == TIMESTAMP:
        raise _Bad("OmegaConf does not accept dates (!!timestamp); quote the value")
    if tag in (MAP, SET):
        raise _Bad("expected a mapping node, but found scalar")
    if tag in (SEQ, OMAP, PAIRS) or tag in _PATH_TAGS:
        raise _Bad("expected a sequence node, but found scalar")
    raise _Bad(f"could not determine a constructor for the tag {tag!r}")


@lru_cache(maxsize=1 << 13)
def _plain_scalar(text: str) -> tuple[str, Any, str | None, str]:
    """(tag, value, problem, text) of a plain scalar: resolved and constructed once per distinct text.

    Config files repeat the same keys and values (``name``, ``lr``, ``true``,
    ``8``) over and over; the resolvers' regular expressions and the
    constructors depend on the text alone, and their results are immutable.
    ``text`` is the first string seen with this content: documents share it.
    """
    tag = _resolve(text)
    if tag == STR:
        return tag, text, None, text
    try:
        return tag, _construct_scalar(tag, text), None, text
    except _Bad as exc:
        return tag, None, str(exc), text


#: (type, value, span, raw, style) -> the scalar every document holding that one shares
_SCALARS: dict[tuple, YScalar] = {}
_SCALARS_MAX = 1 << 16


def _shared_scalar(value: Any, span: Span, raw: str, style: str | None) -> YScalar:
    """The :class:`YScalar` for these fields, made once (bounded: the table starts again when full)."""
    key = (type(value), value, span, raw, style)
    try:
        y = _SCALARS.get(key)
    except TypeError:  # an unhashable value: not shared
        return YScalar(value, span, raw, style)
    if y is None:
        if len(_SCALARS) >= _SCALARS_MAX:
            _SCALARS.clear()
        y = _SCALARS[key] = YScalar(value, span, raw, style)
    return y


# --------------------------------------------------------------------------- composer

_NO_KEY = object()
_EMPTY: list[Any] = []  # shared, never mutated
_NODE_ID = {"s": "scalar", "m": "mapping", "q": "sequence"}


class _B:
    """One composed node: the tree node, its tag and its constructed value."""

    __slots__ = ("y", "value", "tag", "kind", "flat", "items", "deferred")

    def __init__(self, y: YNode, value: Any, tag: str, kind: str) -> None:
        self.y = y
        self.value = value
        self.tag = tag
        self.kind = kind  # 's' scalar, 'm' mapping, 'q' sequence
        self.flat: list[tuple[_B, _B, YEntry]] = _EMPTY  # mappings: entries after merging
        self.items: list[_B] = _EMPTY  # sequences
        #: duplicate-key problems of a mapping only ever merged in (PyYAML never constructs it)
        self.deferred: list[tuple[Span, str]] | None = None


class _Frame:
    __slots__ = ("kind", "tag", "anchor", "flow", "start", "pairs", "items", "key", "ctx")

    def __init__(self, kind: str, event: Any, tag: str, start: int, ctx: str) -> None:
        self.kind = kind
        self.tag = tag
        self.anchor = event.anchor
        self.flow = bool(event.flow_style)
        self.start = start
        self.pairs: list[tuple[_B, _B]] = []
        self.items: list[_B] = []
        self.key: Any = _NO_KEY
        self.ctx = ctx  # 'normal' | 'merge' (value of '<<') | 'merge-item'


class _Composer:
    """Builds the tree, the values and the comment bookkeeping from parser events."""

    def __init__(self, text: str, starts: list[int]) -> None:
        self.text = text
        self.starts = starts
        self.problems: list[tuple[Span, str]] = []
        self.anchors: dict[str, _B] = {}
        self.anchor_marks: dict[str, Any] = {}
        self.open_anchors: set[str] = set()
        self.borrowed: dict[int, object] = {}  # id -> object (kept alive so ids stay unique)
        self.borrowed_entries: list[tuple[YEntry, YEntry]] = []
        self.own_entries: list[YEntry] = []
        #: id(dict) -> (dict, span of its null key); checked on the final value
        self.null_keys: dict[int, tuple[dict[Any, Any], Span]] = {}
        self.first_col: dict[int, int] = {}  # line -> column of the first scalar starting there
        self.last_end: dict[int, int] = {}  # line -> end column of the last token ending there
        self.inner: set[int] = set()  # lines inside multi-line scalars (never comments)
        self.open_lines: set[int] = set()  # lines where a quoted/plain scalar runs on
        #: the parser breaks lines only at '\n' here, so its marks' lines and columns are ours
        self.plain_lines = not _OTHER_BREAKS.search(text)

    def span(self, start: int, end: int) -> Span:
        starts = self.starts
        line = bisect_right(starts, start) - 1
        end_line = bisect_right(starts, end) - 1
        return share_span(Span(line, start - starts[line], end_line, end - starts[end_line]))

    def _token(self, span: Span, first: bool) -> None:
        if first:
            col = self.first_col.get(span.line)
            if col is None or span.col < col:
                self.first_col[span.line] = span.col
        if self.last_end.get(span.end_line, -1) < span.end_col:
            self.last_end[span.end_line] = span.end_col

    # -- driver
    def run(self, loader_cls: type) -> _B | None:
        loader = loader_cls(self.text)
        try:
            get = loader.get_event
            get()  # StreamStart
            event = get()
            if isinstance(event, StreamEndEvent):
                return None
            root = self._document(get)
            event = get()
            if not isinstance(event, StreamEndEvent):
                raise yaml.composer.ComposerError(
                    None, None, "found a second document; a Hydra config file holds one YAML document", event.start_mark
                )
            return root
        finally:
            loader.dispose()

    def _document(self, get: Any) -> _B | None:
        stack: list[_Frame] = []
        root: _B | None = None
        while True:
            event = get()
            cls = type(event)
            if cls is ScalarEvent:
                built = self._scalar(event)
                if event.anchor is not None:
                    self._check_anchor(event)
                    self.anchors[event.anchor] = built
                    self.anchor_marks[event.anchor] = event.start_mark
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                self._check_anchor(event)
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                    self.anchor_marks[event.anchor] = event.start_mark
                kind = "m" if cls is MappingStartEvent else "q"
                tag = event.tag if event.tag not in (None, "!") else (MAP if kind == "m" else SEQ)
                start = event.end_mark.index - (1 if event.flow_style else 0)
                frame = _Frame(kind, event, tag, start, self._ctx(stack))
                if frame.flow:
                    self._token(self.span(start, start + 1), False)
                stack.append(frame)
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                built = self._finish(frame, event)
                if frame.anchor is not None:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = built
            elif cls is AliasEvent:
                built = self._alias(event)
            elif cls is DocumentEndEvent:
                return root
            else:  # pragma: no cover - the parser emits nothing else inside a document
                continue
            suspect = built.deferred or (built.kind == "s" and built.tag in (MERGE, VALUE))
            if not stack:
                if suspect:
                    self._use(built, True)
                root = built
                continue
            top = stack[-1]
            if top.kind == "m":
                key = top.key
                if key is _NO_KEY:
                    top.key = built
                else:
                    top.pairs.append((key, built))
                    top.key = _NO_KEY
                    if suspect:
                        self._use(built, key.tag != MERGE)
            else:
                top.items.append(built)
                if suspect:
                    self._use(built, top.ctx != "merge")

    def _ctx(self, stack: list[_Frame]) -> str:
        if not stack:
            return "normal"
        top = stack[-1]
        if top.kind == "m" and top.key is not _NO_KEY and top.key.tag == MERGE:
            return "merge"
        if top.kind == "q" and top.ctx == "merge":
            return "merge-item"
        return "normal"

    def _check_anchor(self, event: Any) -> None:
        anchor = event.anchor
        if anchor is not None and (anchor in self.anchors or anchor in self.open_anchors):
            first = self.anchor_marks[anchor]
            raise yaml.composer.ComposerError(
                None, None, f"found duplicate anchor {anchor!r} (first on line {first.line + 1})", event.start_mark
            )

    def _use(self, built: _B, as_value: bool) -> None:
        """A node in a value position: refuse key-only scalars, report deferred duplicates."""
        if not as_value:
            return
        if built.kind == "s" and built.tag in (MERGE, VALUE):
            what = "`<<` is YAML's merge key" if built.tag == MERGE else "`=` is YAML 1.1's 'value' indicator"
            self.problems.append((built.y.span, f"{what} and cannot be a value here; quote it: '{built.y.value}'"))
        if built.deferred:
            self.problems.extend(built.deferred)
            built.deferred = None

    # -- nodes
    def _scalar(self, event: Any) -> _B:
        text = self.text
        sm, em = event.start_mark, event.end_mark
        start, end = sm.index, em.index
        style = event.style or None
        if start == end and style is None:
            # an empty value: both parsers agree it follows its indicator, minus the spaces libyaml skips
            while start > 0 and text[start - 1] == " ":
                start -= 1
            end = start
            sp = self.span(start, end)
        elif self.plain_lines and event.anchor is None and event.tag is None and style != "|" and style != ">":
            sp = share_span(Span(sm.line, sm.column, em.line, em.column))
        else:
            if event.anchor is not None or event.tag is not None:
                start = _skip_properties(text, start, end)
            if style in ("|", ">"):
                end = _trim_block(text, start, end)
            sp = self.span(start, end)
        value = event.value
        raw = text[start:end]
        tag = event.tag
        if tag is None or tag == "!":
            if event.implicit[0]:
                tag, value, problem, shared = _plain_scalar(value)
                if problem is not None:
                    self.problems.append((sp, problem))
                if raw == shared:
                    raw = shared
            else:
                tag = STR
        elif tag != STR:
            try:
                value = _construct_scalar(tag, value)
            except _Bad as exc:
                self.problems.append((sp, str(exc)))
                value = None
        y = _shared_scalar(value, sp, raw, style)
        line, col, end_line, end_col = sp.line, sp.col, sp.end_line, sp.end_col
        first = self.first_col.get(line)
        if first is None or col < first:
            self.first_col[line] = col
        if self.last_end.get(end_line, -1) < end_col:
            self.last_end[end_line] = end_col
        if end_line > line:
            self.inner.update(range(line + 1, end_line + 1))
            if style in ("|", ">"):
                header_end = start + 1
                while header_end < end and text[header_end] in "+-0123456789":
                    header_end += 1
                self.last_end[line] = max(self.last_end.get(line, 0), header_end - self.starts[line])
            else:
                self.open_lines.add(line)
        return _B(y, value, tag, "s")

    def _alias(self, event: Any) -> _B:
        anchor = event.anchor
        start, end = event.start_mark.index, event.end_mark.index
        sp = self.span(start, end)
        self._token(sp, True)
        target = self.anchors.get(anchor)
        if target is None:
            if anchor in self.open_anchors:
                self.problems.append((sp, f"alias *{anchor} refers to a node that contains it (a recursive structure)"))
                scalar = YScalar(None, sp, self.text[start:end], None)
                self.borrowed[id(scalar)] = scalar
                return _B(scalar, None, NULL, "s")
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
        y: YNode
        if isinstance(target.y, YScalar):
            y = YScalar(target.y.value, sp, self.text[start:end], target.y.style)
        elif isinstance(target.y, YMap):
            y = YMap(target.y.entries, sp)
        else:
            y = YSeq(target.y.items, sp)
        self.borrowed[id(y)] = y
        if target.kind == "s":
            value = target.value
        else:
            memo: dict[int, Any] = {}
            value = copy.deepcopy(target.value, memo)
            for original_id, (_, key_span) in list(self.null_keys.items()):
                twin = memo.get(original_id)
                if twin is not None:
                    self.null_keys[id(twin)] = (twin, key_span)
        built = _B(y, value, target.tag, target.kind)
        built.flat, built.items = target.flat, target.items
        if target.deferred:
            built.deferred = target.deferred  # reported (once) if the alias is used as a value
            target.deferred = None
        return built

    def _finish(self, frame: _Frame, event: Any) -> _B:
        if frame.flow:
            end = event.end_mark.index
            self._token(self.span(end - 1, end), False)
        else:
            last = frame.pairs[-1][1] if frame.kind == "m" and frame.pairs else (frame.items[-1] if frame.items else None)
            end = (self.starts[last.y.span.end_line] + last.y.span.end_col) if last is not None else frame.start
        sp = self.span(frame.start, end)
        if frame.kind == "m":
            return self._finish_map(frame, sp)
        return self._finish_seq(frame, sp)

    def _finish_seq(self, frame: _Frame, sp: Span) -> _B:
        items = frame.items
        tag = frame.tag
        value: Any = None
        if tag == SEQ:
            value = [b.value for b in items]
        elif tag in (OMAP, PAIRS):
            value = []
            for b in items:
                if b.kind != "m" or len(b.flat) != 1:
                    self.problems.append((b.y.span, "expected a single-pair mapping in an ordered map"))
                    continue
                k, v, _ = b.flat[0]
                value.append([k.value, v.value])
        elif tag in _PATH_TAGS:
            try:
                value = pathlib.Path(*[b.value for b in items])
            except TypeError:
                self.problems.append((sp, "pathlib.Path takes strings"))
        elif tag in (MAP, SET):
            self.problems.append((sp, "expected a mapping node, but found sequence"))
        elif tag in _SCALAR_TAGS:
            self.problems.append((sp, "expected a scalar node, but found sequence"))
        else:
            self.problems.append((sp, f"could not determine a constructor for the tag {tag!r}"))
        built = _B(YSeq([b.y for b in items], sp), value, tag, "q")
        built.items = items
        return built

    def _finish_map(self, frame: _Frame, sp: Span) -> _B:
        own = frame.pairs
        dups: list[tuple[Span, str]] = []
        if frame.tag in (MAP, SET):
            # OmegaConf's loader refuses duplicate keys (plain str-tagged keys, compared as written)
            seen: dict[str, YScalar] = {}
            for key, _ in own:
                if key.tag == STR and isinstance(key.y, YScalar):
                    first = seen.get(key.value)
                    if first is None:
                        seen[key.value] = key.y
                    else:
                        dups.append(
                            (key.y.span, f"duplicate key `{key.value}` (first on line {first.span.line + 1}); OmegaConf refuses duplicate keys")
                        )
        # SafeConstructor.flatten_mapping: merged entries first, then the map's own
        merged: list[tuple[_B, _B, YEntry]] = []
        rest: list[tuple[_B, _B, YEntry]] = []
        for key, val in own:
            if key.tag == MERGE:
                if val.kind == "m":
                    merged.extend(val.flat)
                elif val.kind == "q":
                    subs = []
                    for item in val.items:
                        if item.kind != "m":
                            self.problems.append((item.y.span, f"expected a mapping for merging, but found {_NODE_ID[item.kind]}"))
                        else:
                            subs.append(item.flat)
                    for sub in reversed(subs):
                        merged.extend(sub)
                else:
                    self.problems.append((val.y.span, "expected a mapping or list of mappings for merging, but found scalar"))
                continue
            entry = YEntry(key.y, val.y)  # type: ignore[arg-type]
            if key.kind == "s":
                self.own_entries.append(entry)
            rest.append((key, val, entry))
        flat: list[tuple[_B, _B, YEntry]] = []
        for key, val, entry in merged:
            copied = YEntry(entry.key, entry.value, entry.comment)
            self.borrowed[id(copied)] = copied
            self.borrowed_entries.append((copied, entry))
            flat.append((key, val, copied))
        flat.extend(rest)
        value: dict[Any, Any] = {}
        index: dict[Any, int] = {}
        entries: list[YEntry] = []
        for key, val, entry in flat:
            if key.kind != "s":
                self.problems.append((key.y.span, "found unhashable key: a mapping key must be a scalar"))
                continue
            k = key.value
            if k is None:
                if key.tag != NULL:
                    continue  # could not be constructed: reported already
                # OmegaConf refuses it, but only if this dict survives into the loaded value
                self.null_keys.setdefault(id(value), (value, key.y.span))
            value[k] = val.value
            at = index.get(k)
            if at is None:
                index[k] = len(entries)
                entries.append(entry)
            else:
                entries[at] = entry
        if frame.tag == SET:
            self.problems.append((sp, "OmegaConf does not accept sets (!!set)"))
        elif frame.tag in (SEQ, OMAP, PAIRS) or frame.tag in _PATH_TAGS:
            self.problems.append((sp, "expected a sequence node, but found mapping"))
        elif frame.tag in _SCALAR_TAGS:
            self.problems.append((sp, "expected a scalar node, but found mapping"))
        elif frame.tag != MAP:
            self.problems.append((sp, f"could not determine a constructor for the tag {frame.tag!r}"))
        built = _B(YMap(entries, sp), value, frame.tag, "m")
        built.flat = flat
        if dups:
            if frame.ctx == "normal":
                self.problems.extend(dups)
            else:
                built.deferred = dups
        return built


def _skip_properties(text: str, start: int, end: int) -> int:
    """Move past a node's anchor (``&a``) and tag (``!!str``) to the scalar itself."""
    i = start
    while i < end:
        ch = text[i]
        if ch == "&" or ch == "!":
            while i < end and text[i] not in " \t\n":
                i += 1
        elif ch in " \t\n":
            i += 1
        elif ch == "#":
            while i < end and text[i] != "\n":
                i += 1
        else:
            break
    return i


def _trim_block(text: str, start: int, end: int) -> int:
    """End of a block scalar's last non-blank character (the parser's end is past trailing breaks)."""
    header_end = start + 1
    while header_end < end and text[header_end] in "+-0123456789":
        header_end += 1
    content = text.find("\n", header_end, end) + 1
    if content <= 0:
        return header_end
    last = end
    while last > content and text[last - 1] in " \t\n":
        last -= 1
    return last if last > content else header_end


# --------------------------------------------------------------------------- header

_HEADER_LINE = re.compile("^\\s*#\\s*@")


def _parse_header(text: str, starts: list[int]) -> tuple[PackageHeader | None, str | None, set[int]]:
    """Mirror of Hydra's ``ConfigSource._get_header_dict`` on the first 512 characters."""
    package: PackageHeader | None = None
    lines: set[int] = set()
    offset = 0
    for raw in text[:512].splitlines(keepends=True):
        line_start, offset = offset, offset + len(raw)
        line = raw.strip()
        if not line:
            continue
        if not _HEADER_LINE.match(line):
            break
        body = line.lstrip("#").strip()
        splits = [s for s in body.split(" ") if s]
        if len(splits) < 2:
            return None, f"Expected header format: KEY VALUE, got '{body}'", lines
        if len(splits) > 2:
            return None, f"Too many components in '{body}'", lines
        key, val = splits[0].strip(), splits[1].strip()
        line_no = bisect_right(starts, line_start) - 1
        lines.add(line_no)
        if key == "@package":
            at = raw.find(val, raw.find(splits[0]) + len(splits[0]))
            col = line_start + at - starts[line_no]
            package = PackageHeader(val, Span(line_no, col, line_no, col + len(val)))
    return package, None, lines


# --------------------------------------------------------------------------- comments


def _attach_comments(comp: _Composer, lines: list[str], header_lines: set[int]) -> None:
    """Comment lines right above a key that starts its line, and a trailing comment on that line."""

    def is_comment(i: int) -> bool:
        return i not in comp.inner and i not in header_lines and lines[i].lstrip().startswith("#")

    for entry in comp.own_entries:
        sp = entry.key.span
        if comp.first_col.get(sp.line) != sp.col:
            continue
        parts: list[str] = []
        i = sp.line - 1
        while i >= 0 and is_comment(i):
            parts.append(_comment_text(lines[i].strip()))
            i -= 1
        parts.reverse()
        if sp.line not in comp.open_lines and sp.line not in comp.inner:
            seg_start = max(comp.last_end.get(sp.line, sp.end_col), sp.end_col)
            hash_at = lines[sp.line].find("#", seg_start)
            if hash_at >= 0:
                parts.append(_comment_text(lines[sp.line][hash_at:]))
        if parts:
            entry.comment = "\n".join(parts)
    for borrowed, original in comp.borrowed_entries:
        borrowed.comment = original.comment


def _comment_text(comment: str) -> str:
    body = comment[1:]
    if body.startswith(" "):
        body = body[1:]
    return body.rstrip()


# --------------------------------------------------------------------------- parsing

#: characters PyYAML (both parsers) also treats as line breaks
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
#: libyaml's event parser alone (CSafeLoader adds a constructor and a resolver this module does not use)
_FAST_LOADER: type = yaml._yaml.CParser if yaml.__with_libyaml__ else yaml.SafeLoader  # type: ignore[attr-defined]
_PURE_LOADER: type = yaml.SafeLoader
#: characters PyYAML's pure-Python reader refuses (yaml/reader.py)
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


class _Failure(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _compose(text: str, starts: list[int]) -> tuple[_Composer, _B | None]:
    """Compose with the fast parser; let the pure-Python parser (Hydra's) decide on any doubt."""
    if _FAST_LOADER is not _PURE_LOADER and "\t" not in text and not _NON_PRINTABLE.search(text):
        comp = _Composer(text, starts)
        try:
            return comp, comp.run(_FAST_LOADER)
        except (yaml.YAMLError, RecursionError):
            pass
    comp = _Composer(text, starts)
    try:
        return comp, comp.run(_PURE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        index = mark.index if mark is not None else 0
        problem = (exc.problem or exc.context or "invalid YAML").splitlines()[0]
        if 0 <= index < len(text) and text[index] == "\t":
            line_start = text.rfind("\n", 0, index) + 1
            if not text[line_start:index].strip(" \t"):
                problem = "tab character used for indentation; YAML allows only spaces"
            else:
                problem = "tab character where YAML expects a token; use spaces"
        raise _Failure(index, problem) from None
    except yaml.reader.ReaderError as exc:
        raise _Failure(exc.position, f"unacceptable character #x{exc.character:04x}: special characters are not allowed") from None
    except yaml.YAMLError as exc:
        raise _Failure(0, str(exc).splitlines()[0]) from None
    except RecursionError:
        raise _Failure(0, "the document is nested too deeply to read") from None


def _reload_string(value: str) -> tuple[Any, str | None]:
    """``OmegaConf.create(str)``: the string is parsed again as YAML."""
    try:
        comp, root = _compose(value, _line_starts(value))
    except _Failure as exc:
        return None, exc.message
    if comp.problems:
        return None, comp.problems[0][1]
    obj = None if root is None else root.value
    if obj is None:
        return {}, None
    if isinstance(obj, str):
        return {obj: None}, None
    if isinstance(obj, (list, dict)):
        return obj, None
    return None, f"holds only the string {value!r}, which OmegaConf re-reads as YAML and gets a {type(obj).__name__}, not a mapping"


def _null_keys(value: Any, null_keys: dict[int, tuple[dict[Any, Any], Span]]) -> list[tuple[Span, str]]:
    """OmegaConf's key check on the loaded value: a null key in any dict that survived."""
    found: list[tuple[Span, str]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            hit = null_keys.get(id(node))
            if hit is not None and hit[0] is node:
                found.append((hit[1], "null key: OmegaConf accepts only string, number or bool keys"))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _point_span(text: str, starts: list[int], index: int) -> Span:
    index = max(0, min(index, len(text)))
    line = bisect_right(starts, index) - 1
    col = index - starts[line]
    if index < len(text) and text[index] != "\n":
        return Span(line, col, line, col + 1)
    return Span.point(line, col)


def _parse(text: str, path: Path) -> YamlDoc:
    starts = _line_starts(text)
    header, header_error, header_lines = _parse_header(text, starts)
    doc = YamlDoc(path, text, None, None, header, header_error, [])
    try:
        comp, root = _compose(text, starts)
    except _Failure as exc:
        doc.findings.append(Finding("yaml-syntax", f"invalid YAML: {exc.message}", path, _point_span(text, starts, exc.index)))
        return doc
    _attach_comments(comp, text.split("\n"), header_lines)
    if comp.borrowed:  # most documents have no alias and no merge key: they keep the shared empty one
        doc._borrowed = comp.borrowed
    problems = list(comp.problems)
    value: Any = None
    if root is not None:
        doc.root = root.y
        value = root.value
        if comp.null_keys:
            problems.extend(_null_keys(value, comp.null_keys))
    if not problems:
        if value is None:
            value = {}
        elif isinstance(value, str):
            value, why = _reload_string(value)
            if why is not None:
                problems.append((root.y.span, f"the file {why}"))  # type: ignore[union-attr]
        elif not isinstance(value, (dict, list)):
            kind = type(value).__name__
            problems.append((root.y.span, f"a config file must hold a mapping, not a value of type {kind} (OmegaConf: Invalid loaded object type)"))  # type: ignore[union-attr]
    seen: set[tuple[Span, str]] = set()
    for sp, message in sorted(problems, key=lambda p: (p[0], p[1])):
        if (sp, message) not in seen:
            seen.add((sp, message))
            doc.findings.append(Finding("yaml-syntax", message, path, sp))
    doc.value = None if problems else value
    return doc


#: path -> documents of its latest texts, newest first.  Every config file of a
#: large project stays parsed (a check reads each file from several places:
#: name links, every composition through it, the rules), while an edited
#: file keeps only its few latest versions (an undo finds its document again).
_CACHE: OrderedDict[str, list[YamlDoc]] = OrderedDict()
_CACHE_PATHS = 1 << 15
_VERSIONS = 3
#: path -> (the file's stat stamp, its document) for files read once they had settled (see load_yaml)
_STAMPS: dict[str, tuple[tuple[int, ...], YamlDoc]] = {}
#: a file unchanged for this long when read gets a new stamp from any later write (timestamp granularity: 2 s on FAT)
_SETTLED_NS = 3_000_000_000
_LOCK = threading.Lock()


def parse_yaml(text: str, path: Path) -> YamlDoc:
    """Parse a config's text; the same object comes back for the same (path, text)."""
    key = str(path)
    with _LOCK:
        versions = _CACHE.get(key)
        if versions is not None:
            for doc in versions:
                if doc.text == text:
                    _CACHE.move_to_end(key)
                    return doc
    doc = _parse(text, path)
    with _LOCK:
        versions = _CACHE.get(key)
        if versions is None:
            _CACHE[key] = [doc]
            if len(_CACHE) > _CACHE_PATHS:
                _STAMPS.pop(_CACHE.popitem(last=False)[0], None)
        else:
            versions.insert(0, doc)
            del versions[_VERSIONS:]
            _CACHE.move_to_end(key)
    return doc


def load_yaml(path: Path) -> YamlDoc:
    """Read a config file (:func:`read_source`) and parse it; cached by (path, content).

    A check loads each config many times (its name links, every composition
    through it, the rules).  A file whose stat stamp (size, modification and
    change times, inode) is what it was when it was last read is not read
    again — provided it had not changed for :data:`_SETTLED_NS` at that read,
    so that any later write gets a different stamp, whatever the file system's
    timestamp granularity (git's "racily clean" rule).  An editor buffer
    (:data:`OVERLAY`) is always read.
    """
    key = str(path)
    now = time.time_ns()
    stamp = None if OVERLAY and Path(path) in OVERLAY else _stamp(key)
    if stamp is not None:
        hit = _STAMPS.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
    source = read_source(path)
    if source.text is None:
        findings = [source.problem] if source.problem is not None else []
        return YamlDoc(path, None, None, None, None, None, findings)
    doc = parse_yaml(source.text, path)
    if stamp is not None and now - max(stamp[-2:]) > _SETTLED_NS:
        with _LOCK:
            if key in _CACHE:
                _STAMPS[key] = (stamp, doc)
    return doc


def _stamp(path: str) -> tuple[int, ...] | None:
    """(device, inode, size, modification ns, change ns) of a file; None when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns
