"""Hydra composition errors, at the entry or override at fault.

``missing-default``, ``defaults-cycle``, ``missing-override-option``,
``unknown-override-key``, ``append-existing-key``, ``missing-mandatory`` (when
Hydra itself refuses, e.g. an unfilled ``???`` group), and ``override-syntax``
for overrides Hydra's grammar refuses.  The composer found them; this rule
reports them once per place, and names the nearest key the composed config
has for an unknown override key ("did you mean `arch.hidden_size`?").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from trainpath.chain.locate import nearest_missing_key
from trainpath.findings import Finding

CODES = ("missing-default", "defaults-cycle", "missing-override-option", "unknown-override-key",
         "append-existing-key", "override-syntax", "missing-config")


def check(model) -> Iterable[Finding]:
    composed_by = {}
    for chain in model.chains:
        for f in chain.findings:
            if f.code == "unknown-override-key" and chain.compose is not None:
                composed_by.setdefault(id(f), chain.compose.config)
    for f in model.findings:
        if f.code in CODES:
            yield _with_key_hint(f, composed_by.get(id(f)))
    for chain in model.chains:
        job = chain.job
        if job is None or chain.script is None or chain.script.entry is None:
            continue  # arguments of a script without @hydra.main are not Hydra overrides
        for ov in job.overrides:
            if ov.error is not None:
                yield Finding("override-syntax", f"Hydra refuses the override `{ov.word.text}`: {ov.error}",
                              chain.root.path, ov.word.span)


def _with_key_hint(f: Finding, config) -> Finding:
    """An unknown override key gets the nearest key the composed config has ("did you mean `arch.hidden_size`?")."""
    text = dict(f.data).get("override")
    if f.code != "unknown-override-key" or not isinstance(config, dict) or not text or "did you mean" in f.message:
        return f
    key = text.split("=", 1)[0].lstrip("~")
    if not key or key.startswith("+") or "@" in key:
        return f
    parts = key.split(".")
    found = nearest_missing_key(config, parts)
    if found is None:
        return f
    i, near = found
    suggestion = ".".join(parts[:i] + [near] + parts[i + 1:])
    exact = f.span.line == f.span.end_line and f.span.end_col - f.span.col == len(key)
    data = f.data + ((("suggestion", suggestion),) if exact else ())
    head, sep, tail = f.message.partition("; to add it use ")
    message = f"{head}; did you mean `{suggestion}`?" + (f" (to add it as a new key use {tail})" if sep else "")
    return replace(f, message=message, data=data)
