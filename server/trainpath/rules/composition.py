"""Hydra composition errors, at the entry or override at fault.

``missing-default``, ``defaults-cycle``, ``missing-override-option``,
``unknown-override-key``, ``append-existing-key``, ``missing-mandatory`` (when
Hydra itself refuses, e.g. an unfilled ``???`` group), and ``override-syntax``
for overrides Hydra's grammar refuses.  The composer found them; this rule
reports them once per place.
"""

from __future__ import annotations

from typing import Iterable

from trainpath.findings import Finding

CODES = ("missing-default", "defaults-cycle", "missing-override-option", "unknown-override-key",
         "append-existing-key", "override-syntax", "missing-config")


def check(model) -> Iterable[Finding]:
    for f in model.findings:
        if f.code in CODES:
            yield f
    for chain in model.chains:
        job = chain.job
        if job is None or chain.script is None or chain.script.entry is None:
            continue  # arguments of a script without @hydra.main are not Hydra overrides
        for ov in job.overrides:
            if ov.error is not None:
                yield Finding("override-syntax", f"Hydra refuses the override `{ov.word.text}`: {ov.error}",
                              chain.root.path, ov.word.span)
