"""Questions the editor features ask the chain model.

Each answer comes from the built model (links, compositions, provenance) —
never from re-parsing.  Features map the cursor to a position and call these.
"""

from __future__ import annotations

from pathlib import Path

from trainpath.chain.locate import lookup  # noqa: F401  (re-exported for features)
from trainpath.chain.model import Chain


def chain_mode(idx, chain) -> str | None:
    """'encoder' or 'embedding': the approach the chain's model and arch config belong to (None: unsure)."""
    sym = chain.model
    if sym is None:
        return None
    arch = chain.compose.config.get("arch") if isinstance(chain.compose.config, dict) else None
    cc = idx.config_class(sym)
    fields = set(cc.fields) if cc is not None else set()
    if "encoder_type" in fields or (isinstance(arch, dict) and "encoder_type" in arch):
        return "encoder"
    if cc is not None and "puzzle_emb_ndim" in fields:
        return "embedding"
    return None


def chains_using(model, path: Path) -> list[Chain]:
    """Chains whose training path goes through ``path``: job chains first, then scripts, then configs."""
    order = {"job": 0, "script": 1, "config": 2}
    found = [c for c in model.chains if path in c.files()]
    return sorted(found, key=lambda c: (order.get(c.root_kind, 3), str(c.root.path), c.root.span.line))


def chain_at(model, path: Path, line: int) -> Chain | None:
    """The chain rooted at ``line`` of ``path`` (a job line, or a script's decorator)."""
    for c in model.chains:
        if c.root.path == path and c.root.span.line <= line <= c.root.span.end_line and c.root_kind != "config":
            return c
    return None


def package_of(chain: Chain, path: Path) -> str | None:
    """Where ``path``'s keys land in ``chain``'s composed config ('' = the root), or None if not used."""
    result = chain.compose
    if result is None:
        return None
    for entry in result.defaults:
        if entry.path == path:
            return entry.package
    if path == chain.main_config:  # found along the search path: perhaps in a `--config-dir` folder
        return ""
    return None


def composed_keypath(chain: Chain, path: Path, doc_keypath: tuple) -> tuple | None:
    """The composed key path of the key at ``doc_keypath`` in the YAML file ``path``."""
    package = package_of(chain, path)
    if package is None:
        return None
    prefix = tuple(p for p in package.split(".") if p) if package else ()
    return prefix + tuple(doc_keypath)


def job_override_at(chain: Chain, line: int, col: int):
    """The job override (``JobOverride``) under the cursor on a job line."""
    job = chain.job
    if job is None:
        return None
    for ov in job.overrides:
        if ov.word.span.contains(line, col):
            return ov
    return None
