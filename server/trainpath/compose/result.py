"""What :func:`trainpath.compose.compose` returns: the config, its provenance and the defaults chain."""

from __future__ import annotations

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


@dataclass
class ComposeResult:
    config: dict | None  # plain data, `hydra` removed, interpolations unresolved; None on failure
    provenance: dict[tuple, Origin] = field(default_factory=dict)
    defaults: list[DefaultEntry] = field(default_factory=list)
    choices: dict[str, str | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return self.config is not None and not self.findings
