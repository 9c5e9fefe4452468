"""Composition errors: the Hydra-fatal condition, carried to :func:`compose` as one finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trainpath.findings import Finding, Severity
from trainpath.parsing.positions import FILE_START, Span

#: Where findings without a better place go (the primary name, an override without a span).


class ComposeError(Exception):
    """Raised inside the composer when Hydra would stop; holds the finding to report."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def fail(code: str, message: str, path: Path, span: Span | None, *, severity: Severity | None = None,
         data: tuple[tuple[str, str], ...] = ()) -> ComposeError:
    """A :class:`ComposeError` for ``code`` at ``span`` in ``path``."""
    return ComposeError(Finding(code, message, path, span or FILE_START, severity=severity, data=data))


def override_error(code: str, message: str, config_dir: Path, override: Any, where: str = "key",
                   severity: Severity | None = None) -> ComposeError:
    """A finding anchored on a command-line override (its key, value or whole span).

    Command-line overrides live in no config file: the finding's path is the
    config dir and its data carries ``("override", text)`` so that the chain
    and the CLI can re-anchor it on the job line.
    """
    span = getattr(override, f"{where}_span", None) if where != "all" else None
    if span is None:
        span = getattr(override, "span", None)
    return fail(code, message, config_dir, span, severity=severity,
                data=(("override", str(getattr(override, "text", ""))),))
