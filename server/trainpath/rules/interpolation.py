"""``unresolved-interpolation``: a ``${…}`` that points at a key the composed config does not have.

Absolute (``${a.b}``) and relative (``${.x}``, ``${..x}``) references are
checked; resolver calls (``${oc.env:HOME}``), nested interpolations and
references into the ``hydra`` node are left alone (quiet when unsure), and so is
an escaped ``\\${…}`` (literal text to OmegaConf).  The message names the nearest
existing key where there is one.  Like ``missing-mandatory``, a script's or main
config's own chain is judged only when no job composes that config (a job may
add the key).
"""

from __future__ import annotations

from typing import Iterable

from trainpath.chain.locate import narrow, nearest_missing_key, value_ref
from trainpath.chain.names import INTERPOLATION
from trainpath.findings import Finding

CODES = ("unresolved-interpolation",)


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
    # a key a job adds (`+run_name=x`) resolves `${run_name}`: a config the jobs compose is judged by their chains
    # (only jobs that compose it as it is: a `--config-dir` of their own may change what it composes to)
    used_by_jobs = {(c.config_dir, c.config_name) for c in model.all_chains
                    if c.root_kind == "job" and c.compose is not None and isinstance(c.compose.config, dict)
                    and c.job.config_dir is None}
    for chain in model.chains:
        config = chain.compose.config if chain.compose is not None else None
        if not isinstance(config, dict):
            continue
        if chain.root_kind != "job" and (chain.config_dir, chain.config_name) in used_by_jobs:
            continue
        for keypath, text in _strings(config):
            for m in INTERPOLATION.finditer(text):
                if _escaped(text, m.start()):
                    continue  # `\${x}` is the literal text `${x}` to OmegaConf
                ref = m.group(1)
                path = target_path(keypath, ref)
                if path is None or not path or path[0] == "hydra" or _lookup(config, path):
                    continue
                where = value_ref(chain, keypath)
                if where is None:
                    continue
                narrowed = narrow(where, m.group(0))
                message = f"`{m.group(0)}` points at `{'.'.join(map(str, path))}`, which the composed config does not have"
                near = _nearest(config, path, ref)
                if near is not None:
                    message += f"; did you mean `{near}`?"
                exact = narrowed is not where or where.span.end_col - where.span.col == len(m.group(0))
                yield Finding("unresolved-interpolation", message, where.path, narrowed.span,
                              data=(("suggestion", near),) if near is not None and exact else ())


def _escaped(text: str, start: int) -> bool:
    """True when the ``${`` at ``start`` follows an odd number of backslashes (OmegaConf's escape)."""
    n = 0
    while start - n - 1 >= 0 and text[start - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _nearest(config, path: tuple, ref: str) -> str | None:
    """The reference rewritten with the nearest existing key at the first part that does not exist."""
    ref = ref.strip()
    dots = len(ref) - len(ref.lstrip("."))
    written = ref[dots:].split(".") if ref[dots:] else []
    found = nearest_missing_key(config, path)
    if found is None:
        return None
    i, near = found
    j = i - (len(path) - len(written))  # the same part in the written reference
    if j < 0 or written[j] != path[i]:
        return None
    return "${" + "." * dots + ".".join(written[:j] + [near] + written[j + 1:]) + "}"
