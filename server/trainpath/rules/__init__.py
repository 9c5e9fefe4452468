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
    _prefetch(model)
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
    mark_links(model.chains, out)
    out.sort(key=Finding.sort_key)
    return out


def _prefetch(model) -> None:
    """Compute the per-model facts the rules ask for, one model file after another.

    Facts are cached by file content, but computing one needs the file's AST and
    the index keeps only a bounded number of ASTs.  The rules walk the chains in
    job order, so on a large project every rule would parse every model file
    again; asking for all facts of one model class at once, in file order, parses
    each file once.  Only caches are filled: the findings do not change.
    """
    idx = model.project.pyindex
    keys: dict = {}  # model symbol -> string-valued arch keys (those the choices rule looks up)
    for chain in model.chains:
        sym = chain.model
        if sym is None or chain.compose is None or not isinstance(chain.compose.config, dict):
            continue
        wanted = keys.setdefault(sym, {})
        arch = chain.compose.config.get("arch")
        if isinstance(arch, dict):
            for key, value in arch.items():
                if isinstance(value, str) and key not in ("name", "_target_") and "${" not in value:
                    wanted[key] = None
    if len(keys) < 16:
        return  # small project: every AST stays cached anyway

    for sym in sorted(keys, key=lambda s: (str(s.path), s.span.line, s.span.col, s.name)):
        try:
            idx.config_class(sym)
            idx.halting(sym)
            idx.train_forward(sym)
            idx.string_literals(sym)
            for key in keys[sym]:
                idx.choices(sym, key)
        except Exception:  # a fact the rules never ask for may fail: the rules decide, not the warm-up
            continue


def mark_links(chains, findings: list[Finding]) -> None:
    """Attach each finding's code to the narrowest link of each chain whose text holds it."""
    by_path: dict = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    for chain in chains:
        for link in chain.links:
            link.codes = []
        for f in (f for p in {l.source.path for l in chain.links if l.source} for f in by_path.get(p, ())):
            best = None
            for link in chain.links:
                src = link.source
                # spans first: comparing two paths costs far more than two numbers
                if src is None or not src.span.contains(f.span.line, f.span.col) or src.path != f.path:
                    continue
                if best is None or _width(src.span) < _width(best.source.span):
                    best = link
            if best is not None and f.code not in best.codes:
                best.codes.append(f.code)
                chain.codes.add(f.code)


def _width(span) -> tuple[int, int]:
    return (span.end_line - span.line, span.end_col - span.col if span.end_line == span.line else span.end_col)
