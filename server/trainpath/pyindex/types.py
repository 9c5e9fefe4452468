"""The facts :class:`~trainpath.pyindex.PyIndex` reports about Python code.

Every position is a :class:`~trainpath.parsing.positions.Span` (0-based lines,
0-based code-point columns, half-open).  All of these are read statically with
``ast``: the analysed project's code is never imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trainpath.parsing.positions import Span


@dataclass(frozen=True, slots=True)
class Symbol:
    """A class, function or module-level variable, where it is defined."""

    name: str
    kind: str  # 'class' | 'function' | 'variable'
    module: str  # dotted module where it is DEFINED (after following re-exports)
    path: Path
    span: Span  # the name in 'class Name' / 'def name' / 'name = ...'
    line_span: Span  # the header: from 'class'/'def' (or 'async') to its ':' inclusive


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter a callable accepts."""

    name: str
    kind: str  # 'positional' | 'keyword' | 'var_positional' | 'var_keyword'
    annotation: str | None
    default: str | None  # source text of the default, None when required


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a pydantic model or dataclass."""

    name: str
    annotation: str | None
    default: str | None  # source text
    comment: str | None  # trailing '# ...' or the comment lines right above
    span: Span  # the field name
    path: Path | None = None  # file that declares it (differs from the class's file when inherited)


@dataclass(frozen=True, slots=True)
class ConfigClass:
    """The config class a model builds from its config dict (``XConfig(**config_dict)``)."""

    name: str
    path: Path
    span: Span
    kind: str  # 'pydantic' | 'dataclass'
    fields: dict[str, Field]  # including inherited fields
    allows_extra: bool


@dataclass(frozen=True, slots=True)
class Choices:
    """String values the code accepts for a config key."""

    key: str
    values: tuple[str, ...]
    closed: bool  # True only when the code refuses any other value
    evidence: list[tuple[Path, Span]]  # the comparisons / lookups the values come from


@dataclass(frozen=True, slots=True)
class TrainForward:
    """What a model's ``forward`` does when ``self.training``."""

    methods: tuple[str, ...]  # methods forward calls in training (or ('forward',) when inline)
    mode: str | None  # 'fixed' | 'dynamic' | None (unsure, or depends on dispatch_key)
    evidence: str  # short human text: what was seen
    span: Span | None  # name of the (first) training method
    path: Path | None
    encoder: str | None  # 'cached' | 'reencoded' | None
    #: config key forward dispatches on (``if self.config.act_mode == "online"``), if any
    dispatch_key: str | None = None
    #: mode per dispatch value; ``"*"`` is the ``else`` branch
    by_value: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Halting:
    """Halting facts: which ACT config keys the model reads and whether it halts dynamically."""

    dynamic: bool
    reads: tuple[str, ...]  # config keys among halt_* / num_act_steps the model code reads, sorted
    #: those of ``reads`` the code only reads with a fallback (``getattr(cfg, k, 16)``, ``cfg.get(k, 16)``)
    defaulted: tuple[str, ...] = ()
