"""Findings: what every rule, parser and the composer report.

The rule codes and their default severities are fixed by the contract
(``shared/contract.md``); add codes, never rename them.
"""

from __future__ import annotations

import functools
import heapq
import sys
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from trainpath.parsing.positions import Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2, "hint": 3}[self.value]


#: code -> (default severity, one-line meaning).  The contract's table.
RULES: dict[str, tuple[Severity, str]] = {
    "missing-script": (Severity.ERROR, "a job line runs a script file that does not exist"),
    "not-hydra-script": (Severity.WARNING, "a job passes Hydra arguments to a script with no @hydra.main entry point"),
    "missing-config": (Severity.ERROR, "a --config-name, config_name or config_path names a config or folder that does not exist"),
    "config-name-mismatch": (Severity.WARNING, "a job's --config-name selects a different model than the script's decorator config"),
    "missing-default": (Severity.ERROR, "a defaults: entry names a config that does not exist"),
    "defaults-cycle": (Severity.ERROR, "a defaults list includes itself, directly or through others"),
    "missing-module": (Severity.ERROR, "a module@Class or _target_ names a module with no file"),
    "missing-class": (Severity.ERROR, "the module exists but defines or exports no such class or function"),
    "unknown-override-key": (Severity.ERROR, "a job override a.b=v sets a key the composed config does not have"),
    "append-existing-key": (Severity.ERROR, "a job override +a.b=v adds a key the composed config already has"),
    "missing-override-option": (Severity.ERROR, "a group override names an option with no config file"),
    "invalid-choice": (Severity.ERROR, "a value is not among those the resolved code accepts"),
    "stale-name": (Severity.WARNING, "a link in an active chain names something with a stale suffix"),
    "data-mode-mismatch": (Severity.WARNING, "an encoder-mode chain points at embedding-mode data, or the reverse"),
    "missing-act-param": (Severity.WARNING, "a model with dynamic halting lacks halt_max_steps or halt_exploration_prob"),
    "train-mode-mismatch": (Severity.WARNING, "the model's training forward does not match the mode the config and script select"),
    "unknown-model-param": (Severity.WARNING, "an arch config key the model's config class has no field for"),
    "unknown-target-arg": (Severity.ERROR, "a key beside _target_ that the target's signature does not accept"),
    "missing-mandatory": (Severity.WARNING, "a ??? value that nothing in the chain fills"),
    "unresolved-interpolation": (Severity.ERROR, "a ${...} interpolation points at a key the composed config does not have"),
    "yaml-syntax": (Severity.ERROR, "a config file is not valid YAML"),
    "python-syntax": (Severity.ERROR, "a script or model file that a chain needs does not parse"),
    # Added by trainpath (extensions of the contract's table, never renames):
    "override-syntax": (Severity.ERROR, "a job override that Hydra's override grammar refuses (or a sweep, which compose refuses)"),
    # files trainpath could not read (binary, too large, unreadable).
    "unreadable-file": (Severity.INFO, "a file trainpath skipped: unreadable, binary, not UTF-8 or over the size limit"),
}


@dataclass(frozen=True)
class Fix:
    """A suggested edit: replace ``span`` in ``path`` with ``new_text``."""

    title: str
    path: Path
    span: Span
    new_text: str


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: Path
    span: Span
    severity: Severity | None = None  # None: the rule's default
    fixes: tuple[Fix, ...] = field(default=())
    #: extra data for quick fixes and tools (e.g. {"suggestion": "etrm"})
    data: tuple[tuple[str, str], ...] = field(default=())

    @property
    def effective_severity(self) -> Severity:
        if self.severity is not None:
            return self.severity
        return RULES.get(self.code, (Severity.WARNING, ""))[0]

    def sort_key(self) -> tuple:
        return (str(self.path), self.span.line, self.span.col, self.code, self.message)


def did_you_mean(name: str, candidates, cutoff: float = 0.6) -> str | None:
    """The nearest candidate to ``name`` (difflib's ratio), or None.

    Candidates whose length alone rules them out (ratio = 2*M/(a+b) needs
    M >= cutoff*(a+b)/2 matching characters, at most min(a, b)) are dropped
    before difflib runs, so a group with thousands of options stays cheap.
    """
    pool_key = tuple(candidates) if not isinstance(candidates, tuple) else candidates
    pool_key = _POOLS.setdefault(pool_key, pool_key)  # one tuple per candidate list, however often it is asked
    key = (name, cutoff, pool_key)
    cached = _DYM_CACHE.get(key)
    if cached is not None or key in _DYM_CACHE:
        return cached
    import difflib

    n = len(name)
    pool = [c for c in key[2] if c != name and 2 * min(n, len(c)) >= cutoff * (n + len(c))]
    if len(pool) > 64:  # a big group: difflib only on the candidates sharing most character pairs
        grams = frozenset(_bigrams(name))
        pool = heapq.nlargest(32, pool, key=lambda c: len(grams.intersection(_bigrams(c))))
    best = difflib.get_close_matches(name, pool, n=len(pool), cutoff=cutoff) if pool else []
    # a near name left behind as `_old`/`_backup`... is never the fix when a current one is near enough
    current = [c for c in best if not _stale(c) or _stale(name)]
    result = (current or best or [None])[0]
    if len(_DYM_CACHE) > 4096:
        _DYM_CACHE.clear()
        _POOLS.clear()
    _DYM_CACHE[key] = result
    return result


_DYM_CACHE: dict[tuple, str | None] = {}
_POOLS: dict[tuple, tuple] = {}


def _stale(name: str) -> bool:
    from trainpath.settings import DEFAULT_STALE

    return name.endswith(DEFAULT_STALE)


@functools.lru_cache(maxsize=65536)
def _bigrams(text: str) -> tuple[str, ...]:
    """The distinct character pairs of ``text``, as a tuple (a quarter of a frozenset's memory), each
    pair one string object shared by every cached tuple."""
    return tuple(dict.fromkeys(sys.intern(text[i:i + 2]) for i in range(len(text) - 1)))
