"""``config-name-mismatch``: a job's ``--config-name`` trains a different model than the script's decorator config.

A job may pick another config than the decorator's on purpose: a config that
extends the decorator's, with the same model, is not worth a warning.  The
rule fires only when both chains resolved their model class and the classes
differ (quiet when unsure).
"""

from __future__ import annotations

from typing import Iterable

from trainpath.findings import Finding

CODES = ("config-name-mismatch",)


def check(model) -> Iterable[Finding]:
    decorator_model = {}
    for chain in model.all_chains:
        if chain.root_kind == "script" and chain.script is not None:
            decorator_model[chain.script.path] = chain
    for chain in model.chains:
        job = chain.job
        if chain.root_kind != "job" or job is None or job.config_name is None or chain.script is None:
            continue
        entry = chain.script.entry
        if entry is None or entry.config_name is None:
            continue
        if _norm(job.config_name.text) == _norm(entry.config_name):
            continue
        base = decorator_model.get(chain.script.path)
        if base is None or base.model is None or chain.model is None:
            continue
        if (base.model.module, base.model.name) == (chain.model.module, chain.model.name):
            continue
        script = model.project.rel(chain.script.path)
        yield Finding(
            "config-name-mismatch",
            f"`--config-name {job.config_name.text}` trains `{chain.model.name}` ({chain.model.module}), but "
            f"{script}'s decorator config `{entry.config_name}` trains `{base.model.name}` ({base.model.module}); "
            f"did you mean `{entry.config_name}`?",
            chain.root.path, job.config_name.span, data=(("suggestion", entry.config_name),))


def _norm(name: str) -> str:
    return name[:-5] if name.endswith(".yaml") else name
