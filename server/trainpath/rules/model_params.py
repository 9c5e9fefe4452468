"""``unknown-model-param``: an arch config key the model's config class has no field for.

The model class named by ``name:`` builds its config class from the arch dict
(``XConfig(**config_dict)``); pydantic ignores unknown keys, so a typo such as
``halt_max_step`` silently does nothing (a dataclass config class refuses it
with a TypeError when the model is built: the message says which).  Keys the
training script consumes itself (``name``, ``loss``, nested ``name``/``_target_``
tables) are skipped, as is a config class that allows extra keys, a key the model class takes
from the dict itself (its code names it as a string: ``config_dict.pop("foo")``),
and a key the training script reads off the node itself (``config.arch.foo``,
``getattr(config.arch, "foo", 0)``: the model ignores it, the run does not).
Checked on every arch config file that names a model (used or not), against
what any training script reads, and on the keys a job overrides, against what
that job's script reads.
"""

from __future__ import annotations

from typing import Iterable

from trainpath.chain.locate import key_ref
from trainpath.findings import Finding, did_you_mean

CODES = ("unknown-model-param",)
_SCRIPT_KEYS = {"name", "loss", "_target_", "_recursive_", "_convert_", "_partial_", "defaults"}


def _skip(key, value) -> bool:
    return key in _SCRIPT_KEYS or (isinstance(value, dict) and ("name" in value or "_target_" in value))


def _message(key: str, cc, rel: str) -> tuple[str, str | None]:
    near = did_you_mean(key, cc.fields)
    if cc.kind == "dataclass":  # a dataclass refuses what it has no field for
        msg = f"`{key}` is not a field of the dataclass `{cc.name}` ({rel}): building the model fails on it (TypeError)"
    else:
        msg = f"`{key}` is not a field of `{cc.name}` ({rel}): the model would silently ignore it"
    if near:
        msg += f"; did you mean `{near}`?"
    return msg, near


def check(model) -> Iterable[Finding]:
    idx = model.project.pyindex
    scripts = {id(c.script): c.script for c in model.chains if c.script is not None}
    script_reads = frozenset().union(*(s.config_reads for s in scripts.values()))
    # 1. every config file that names a model at its top level
    for path, links in model.name_links.items():
        for link in links:
            if link.kind != "model" or not link.ok or link.info.get("keypath") != ("name",):
                continue
            cc = idx.config_class(link.info["symbol"])
            if cc is None or cc.allows_extra:
                continue
            own = idx.string_literals(link.info["symbol"])
            from trainpath.parsing.yaml_doc import load_yaml

            doc = load_yaml(path)
            root = doc.root
            node = path.parent.name if model.project.config_dir_of(path) not in (None, path.parent) else None
            for entry in getattr(root, "entries", ()):
                key = entry.key.value
                if not isinstance(key, str) or key in cc.fields or key in own or (node, key) in script_reads:
                    continue
                value = doc.value.get(key) if isinstance(doc.value, dict) else None
                if _skip(key, value):
                    continue
                msg, near = _message(key, cc, model.project.rel(cc.path))
                yield Finding("unknown-model-param", msg, path, entry.key.span,
                              data=(("suggestion", near),) if near else ())
    # 2. keys the composed arch node gets from main configs and job overrides
    for chain in model.chains:
        if chain.model is None or chain.compose is None or not isinstance(chain.compose.config, dict):
            continue
        arch = chain.compose.config.get("arch")
        if not isinstance(arch, dict):
            continue
        cc = idx.config_class(chain.model)
        if cc is None or cc.allows_extra:
            continue
        own = idx.string_literals(chain.model)
        reads = chain.script.config_reads if chain.script is not None else frozenset()
        for key, value in arch.items():
            if key in cc.fields or key in own or ("arch", key) in reads or _skip(key, value):
                continue
            ref = key_ref(chain, ("arch", key))
            if ref is None:
                continue
            msg, near = _message(key, cc, model.project.rel(cc.path))
            yield Finding("unknown-model-param", msg, ref.path, _key_only(ref, key),
                          data=(("suggestion", near),) if near else ())


def _key_only(ref, key):
    """For an override key ``arch.halt_max_step`` point at the last part only."""
    from trainpath.parsing.positions import Span

    s = ref.span
    if s.line == s.end_line and s.end_col - s.col > len(key):
        return Span(s.line, s.end_col - len(key), s.line, s.end_col)
    return s
