"""Rules: each module turns facts of the chain model into findings for one rule family.

A rule module defines ``CODES`` (the contract codes it may emit) and
``check(model) -> Iterable[Finding]``.  :func:`run_rules` runs them all,
applies the project's per-rule severity (or ``off``), drops duplicates (many
chains share a config) and sorts by position.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from trainpath.findings import Finding

RULE_MODULES = (
    "reading",
    "links",
    "composition",
    "stale",
    "config_mismatch",
    "choices",
    "model_params",
    "target_args",
    "act",
    "data_mode",
    "mandatory",
    "interpolation",
)


def _modules():
    import importlib

    return [importlib.import_module(f"trainpath.rules.{name}") for name in RULE_MODULES]


def run_rules(model, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[Finding]:
    """Run every rule on ``model`` (a ProjectModel, or a RuleInput slice of one)."""
    if hasattr(model, "view"):
        model = model.view()
    settings = model.project.settings
    select = set(select) if select else None
    ignore = set(ignore or ())
    seen: set[tuple] = set()
    out: list[Finding] = []
    for module in _modules():
        codes = set(module.CODES)
        if select is not None and not (codes & select):
            continue
        if codes <= ignore:
            continue
        for f in module.check(model):
            if (select is not None and f.code not in select) or f.code in ignore:
                continue
            severity = settings.severity(f.code)
            if severity is None:
                continue
            key = (f.code, str(f.path), f.span, f.message)
            if key in seen:
                continue
            seen.add(key)
            out.append(replace(f, severity=severity))
    _mark_links(model, out)
    out.sort(key=Finding.sort_key)
    return out


def _mark_links(model, findings: list[Finding]) -> None:
    """Attach finding codes to the links they are about (for ``chain`` and code lenses)."""
    by_place: dict[tuple, set[str]] = {}
    for f in findings:
        by_place.setdefault((f.path, f.span.line), set()).add(f.code)
    for chain in model.chains:
        for link in chain.links:
            if link.source is None:
                continue
            codes = by_place.get((link.source.path, link.source.span.line))
            if codes:
                for c in sorted(codes):
                    if c not in link.codes:
                        link.codes.append(c)
                chain.codes |= codes
