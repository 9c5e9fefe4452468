"""``missing-mandatory``: a ``???`` value that nothing in the chain fills.

Judged on the chains people run: job chains, and a script's or main config's
own chain only when no job composes that config (a job may fill it).
"""

from __future__ import annotations

from typing import Iterable

from trainpath.chain.locate import value_ref
from trainpath.findings import Finding

CODES = ("missing-mandatory",)


def _missing(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _missing(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _missing(v, path + (i,))
    elif node == "???":
        yield path


def check(model) -> Iterable[Finding]:
    # a job composing the config as it is (no `--config-dir` of its own) judges it, with its own overrides
    used_by_jobs = {(c.config_dir, c.config_name) for c in model.all_chains
                    if c.root_kind == "job" and c.compose is not None and c.job.config_dir is None}
    for chain in model.chains:
        if chain.compose is None or chain.compose.config is None:
            continue
        if chain.root_kind != "job" and (chain.config_dir, chain.config_name) in used_by_jobs:
            continue
        for keypath in _missing(chain.compose.config):
            if keypath and keypath[0] == "hydra":
                continue
            ref = value_ref(chain, keypath)
            if ref is None:
                continue
            dotted = ".".join(str(p) for p in keypath)
            yield Finding("missing-mandatory",
                          f"`{dotted}` is `???` (mandatory) and nothing in the chain sets it; pass `{dotted}=…`",
                          ref.path, ref.span)
