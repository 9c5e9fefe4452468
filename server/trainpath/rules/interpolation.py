"""``unresolved-interpolation``: a ``${…}`` that points at a key the composed config does not have.

Absolute (``${a.b}``) and relative (``${.x}``, ``${..x}``) references are
checked; resolver calls (``${oc.env:HOME}``), nested interpolations and
references into the ``hydra`` node are left alone (quiet when unsure).
"""

from __future__ import annotations

import re
from typing import Iterable

from trainpath.chain.locate import narrow, value_ref
from trainpath.findings import Finding

CODES = ("unresolved-interpolation",)
_REF = re.compile(r"\$\{([^${}:]*)\}")


def _strings(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, path + (i,))
    elif isinstance(node, str) and "${" in node:
        yield path, node


def target_path(keypath: tuple, ref: str) -> tuple | None:
    """The absolute key path a reference points at, from the key holding it."""
    ref = ref.strip()
    if not ref:
        return None
    if ref.startswith("."):
        dots = len(ref) - len(ref.lstrip("."))
        base = keypath[:-1]
        up = dots - 1
        if up > len(base):
            return None
        base = base[: len(base) - up] if up else base
        rest = ref[dots:]
        parts = tuple(rest.split(".")) if rest else ()
        return tuple(base) + parts
    return tuple(ref.split("."))


def _lookup(config, path: tuple) -> bool:
    node = config
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list):
            try:
                node = node[int(part)]
            except (ValueError, IndexError):
                return False
        else:
            return False
    return True


def check(model) -> Iterable[Finding]:
    for chain in model.chains:
        config = chain.compose.config if chain.compose is not None else None
        if not isinstance(config, dict):
            continue
        for keypath, text in _strings(config):
            for m in _REF.finditer(text):
                ref = m.group(1)
                path = target_path(keypath, ref)
                if path is None or not path or path[0] == "hydra" or _lookup(config, path):
                    continue
                where = value_ref(chain, keypath)
                if where is None:
                    continue
                span = narrow(where, m.group(0)).span
                yield Finding("unresolved-interpolation",
                              f"`{m.group(0)}` points at `{'.'.join(map(str, path))}`, which the composed config does not have",
                              where.path, span)
