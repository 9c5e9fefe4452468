"""What :func:`trainpath.compose.compose` returns: the config, its provenance and the defaults chain."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainpath.findings import Finding
from trainpath.parsing.positions import Span


@dataclass(frozen=True, slots=True)
class Origin:
    """Provenance: where a value was set last."""

    path: Path | None  # the YAML file, or None for a command-line override
    span: Span | None  # the key's span in that file / the override's span
    override: Any = None  # the command-line Override that set it, if any


@dataclass(frozen=True, slots=True)
class DefaultEntry:
    """One resolved entry of a defaults list: ``- arch: etrm`` -> ``config/arch/etrm.yaml``."""

    parent: Path | None  # the file whose defaults list holds it (None: the primary itself / the command line)
    group: str | None  # 'arch', 'db/site'; None for a plain config entry
    option: str | None  # 'etrm'; None for a null option
    package: str  # final package ('' = root)
    path: Path | None  # the selected file (None when missing/null)
    entry_span: Span | None  # the whole entry in parent ('arch: etrm')
    option_span: Span | None  # the option text ('etrm') in parent
    override: Any = None  # the command-line Override that chose or added it
    optional: bool = False
    is_override: bool = False  # an `override group: x` in a file chose its option
    is_self: bool = False  # the `_self_` entry of a config (its own content)


class Provenance(Mapping):
    """Key path -> :class:`Origin` of one composition, read-only, in the order it was given.

    A large project composes thousands of configs of a few shapes: the key
    paths and where each sits (the *layout*) are shared by every composition
    of the same shape; each keeps only its origins, in a tuple: about a
    third of the memory of a dict per composition.
    """

    __slots__ = ("_index", "_origins")

    def __init__(self, origins: dict[tuple, Origin]) -> None:
        layout = tuple(origins)
        index = _LAYOUTS.get(layout)
        if index is None:
            if len(_LAYOUTS) >= _LAYOUTS_MAX:
                _LAYOUTS.clear()
            index = _LAYOUTS[layout] = {key: i for i, key in enumerate(layout)}
        self._index: dict[tuple, int] = index
        self._origins: tuple[Origin, ...] = tuple(origins.values())

    def __getitem__(self, keypath: tuple) -> Origin:
        return self._origins[self._index[keypath]]

    def get(self, keypath: tuple, default: Any = None) -> Any:
        i = self._index.get(keypath)
        return default if i is None else self._origins[i]

    def __contains__(self, keypath: object) -> bool:
        return keypath in self._index

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._origins)

    def __repr__(self) -> str:
        return f"Provenance({dict(self)!r})"


#: layout (key paths, in order) -> key path -> position; bounded: cleared when full (then shared anew)
_LAYOUTS: dict[tuple, dict[tuple, int]] = {}
_LAYOUTS_MAX = 1 << 12


@dataclass
class ComposeResult:
    config: dict | None  # plain data, `hydra` removed, interpolations unresolved; None on failure
    #: a dict given here or assigned later is kept as a :class:`Provenance`
    provenance: Mapping[tuple, Origin] = field(default_factory=dict)
    defaults: list[DefaultEntry] = field(default_factory=list)
    choices: dict[str, str | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "provenance" and type(value) is dict:
            value = Provenance(value)
        object.__setattr__(self, name, value)

    @property
    def ok(self) -> bool:
        return self.config is not None and not self.findings
