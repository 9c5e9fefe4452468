"""``invalid-choice``: a config value the resolved model's own code does not accept.

The accepted values come from the model class's code (string comparisons on
``config.<key>``, dispatch dicts, a factory it calls), found by
``PyIndex.choices``; the rule fires only when that code refuses other values
(``closed``), never from a list written into trainpath.
"""

from __future__ import annotations

from typing import Iterable

from trainpath.chain.locate import value_ref
from trainpath.findings import Finding, did_you_mean

CODES = ("invalid-choice",)


def check(model) -> Iterable[Finding]:
    idx = model.project.pyindex
    for chain in model.chains:
        sym = chain.model
        if sym is None or chain.compose is None or not isinstance(chain.compose.config, dict):
            continue
        arch = chain.compose.config.get("arch")
        if not isinstance(arch, dict):
            continue
        for key, value in arch.items():
            if not isinstance(value, str) or key in ("name", "_target_") or "${" in value:
                continue
            choices = idx.choices(sym, key)
            if choices is None or not choices.closed or not choices.values or value in choices.values:
                continue
            ref = value_ref(chain, ("arch", key))
            if ref is None:
                continue
            accepted = ", ".join(f"`{v}`" for v in choices.values)
            near = did_you_mean(value, choices.values)
            msg = f"`{key}: {value}` is not accepted by `{sym.name}` (its code accepts {accepted})"
            if near:
                msg += f"; did you mean `{near}`?"
            yield Finding("invalid-choice", msg, ref.path, _unquoted(ref), data=(("suggestion", near),) if near else ())


def _unquoted(ref):
    return ref.span
