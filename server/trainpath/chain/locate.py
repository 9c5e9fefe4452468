"""From a composed key to the text that set it: the key's and the value's exact place."""

from __future__ import annotations

from typing import Any

from trainpath.chain.model import Chain, Ref
from trainpath.parsing.positions import Span

_INDEX: dict[int, tuple[Any, dict[Span, Any]]] = {}


def _entries_by_key_span(doc) -> dict[Span, Any]:
    cached = _INDEX.get(id(doc))
    if cached is not None and cached[0] is doc:
        return cached[1]
    table = {entry.key.span: entry for _, entry in doc.entries()}
    if len(_INDEX) > 4096:
        _INDEX.clear()
    _INDEX[id(doc)] = (doc, table)
    return table


def entry_at(path, key_span: Span):
    """The YAML map entry whose key is at ``key_span`` in ``path``."""
    from trainpath.parsing.yaml_doc import load_yaml

    doc = load_yaml(path)
    if doc.root is None:
        return None
    return _entries_by_key_span(doc).get(key_span)


def key_ref(chain: Chain, keypath: tuple) -> Ref | None:
    """Where the key that set ``keypath`` last is written (a YAML key or a job override's key)."""
    origin = _origin(chain, keypath)
    if origin is None:
        return None
    if origin.override is not None:
        if chain.root_kind != "job":
            return None
        return Ref(chain.root.path, origin.override.key_span)
    if origin.path is None or origin.span is None:
        return None
    return Ref(origin.path, origin.span)


def value_ref(chain: Chain, keypath: tuple) -> Ref | None:
    """Where the value of ``keypath`` is written: the YAML scalar, or the override's value."""
    origin = _origin(chain, keypath)
    if origin is None:
        return None
    if origin.override is not None:
        if chain.root_kind != "job":
            return None
        ov = origin.override
        return Ref(chain.root.path, ov.value_span or ov.span)
    if origin.path is None or origin.span is None:
        return None
    entry = entry_at(origin.path, origin.span)
    if entry is None:
        # list items carry the item's own span as their origin
        return Ref(origin.path, origin.span) if keypath and isinstance(keypath[-1], int) else None
    node = entry.value
    # a list item under the key that set it: walk down the remaining indices
    for part in keypath[_depth_of(chain, keypath, origin):]:
        items = getattr(node, "items", None)
        if isinstance(part, int) and items is not None and part < len(items):
            node = items[part]
        else:
            entries = getattr(node, "get", None)
            found = entries(part) if entries is not None and isinstance(part, str) else None
            if found is None:
                return None
            node = found.value
    return Ref(origin.path, node.span)


def _origin(chain: Chain, keypath: tuple):
    result = chain.compose
    if result is None or not result.provenance:
        return None
    origin = result.provenance.get(tuple(keypath))
    return origin


def _depth_of(chain: Chain, keypath: tuple, origin) -> int:
    """How much of ``keypath`` the origin's key covers (the rest is inside its value)."""
    prov = chain.compose.provenance
    depth = len(keypath)
    while depth > 1 and prov.get(tuple(keypath[: depth - 1])) == origin:
        depth -= 1
    return depth


def composed(chain: Chain, keypath: tuple, default: Any = None) -> Any:
    """The composed value at ``keypath`` (plain data), or ``default``."""
    found, value = lookup(chain.compose.config if chain.compose is not None else None, keypath)
    return value if found else default


def lookup(config, keypath: tuple):
    """(found, value) for ``keypath`` in plain composed data."""
    node = config
    for part in keypath:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False, None
    return True, node


def nearest_missing_key(config, keypath) -> tuple[int, str] | None:
    """(index, nearest existing key) at the first part of ``keypath`` the composed ``config`` lacks.

    None when every part exists, when the parent of the missing part is not a
    mapping, or when no key there is near enough (Hydra's own ``hydra`` node is
    never suggested).
    """
    from trainpath.findings import did_you_mean

    node = config
    for i, part in enumerate(keypath):
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        if not isinstance(node, dict):
            return None
        near = did_you_mean(str(part), [k for k in node if isinstance(k, str) and k != "hydra"])
        return (i, near) if near is not None else None
    return None


def narrow(ref: Ref, needle: str) -> Ref:
    """``ref`` narrowed to the first occurrence of ``needle`` inside it (on one line), else unchanged."""
    from trainpath.parsing.sources import read_source

    span = ref.span
    if span.line != span.end_line or span.end_col - span.col <= len(needle):
        return ref
    src = read_source(ref.path)
    if src.text is None:
        return ref
    lines = src.text.split("\n")
    if span.line >= len(lines):
        return ref
    i = lines[span.line].find(needle, span.col, span.end_col)
    if i < 0:
        return ref
    return Ref(ref.path, Span(span.line, i, span.line, i + len(needle)))
