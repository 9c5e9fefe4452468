"""Findings from reading files: ``yaml-syntax``, ``python-syntax``, ``unreadable-file``.

The parsers already produced them at the exact position; this rule reports
those of files that belong to a training path.
"""

from __future__ import annotations

from typing import Iterable

from trainpath.findings import Finding

CODES = ("yaml-syntax", "python-syntax", "unreadable-file")


def check(model) -> Iterable[Finding]:
    for f in model.findings:
        if f.code in CODES:
            yield f
