"""``data-mode-mismatch``: an encoder-mode chain reading embedding-mode data, or the reverse.

A chain is in encoder mode when its model's config class (or the composed
arch config) has an ``encoder_type``; in embedding mode when the model has a
puzzle embedding (``puzzle_emb_ndim``) and no encoder.  A data path is
encoder-mode data when it matches ``data-modes.encoder`` (``*encoder*`` by
default), else embedding-mode data when it matches ``data-modes.embedding``.
"""

from __future__ import annotations

import fnmatch
from typing import Iterable

from trainpath.chain.locate import narrow, value_ref
from trainpath.chain.query import chain_mode
from trainpath.findings import Finding

CODES = ("data-mode-mismatch",)


def data_mode(path: str, settings) -> str | None:
    if any(fnmatch.fnmatch(path, pat) for pat in settings.encoder_data):
        return "encoder"
    if any(fnmatch.fnmatch(path, pat) for pat in settings.embedding_data):
        return "embedding"
    return None


def check(model) -> Iterable[Finding]:
    idx = model.project.pyindex
    settings = model.project.settings
    for chain in model.chains:
        if chain.model is None or chain.compose is None or not isinstance(chain.compose.config, dict):
            continue
        mode = chain_mode(idx, chain)
        if mode is None:
            continue
        for key, value in chain.compose.config.items():
            if not (isinstance(key, str) and key.startswith("data_path")):
                continue
            paths = value if isinstance(value, list) else [value]
            for i, p in enumerate(paths):
                if not isinstance(p, str) or "${" in p:
                    continue
                found = data_mode(p, settings)
                if found is None or found == mode:
                    continue
                keypath = (key, i) if isinstance(value, list) else (key,)
                ref = value_ref(chain, keypath)
                if ref is None:
                    continue
                ref = narrow(ref, p)
                yield Finding(
                    "data-mode-mismatch",
                    f"`{chain.model.name}` is an {mode}-mode model, but `{p}` is {found}-mode data",
                    ref.path, ref.span)
