"""Parsing the strings configs use to name Python: ``module@Class`` and ``pkg.mod.Class``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainpath.parsing.positions import Span

#: a plain ``${a.b}`` / ``${.x}`` reference (no resolver, no nesting): group 1 is the key path
INTERPOLATION = re.compile(r"\$\{([^${}:]*)\}")
#: a config or group option name as written in ``defaults``, ``--config-name`` or ``group=option``
OPTION_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


@dataclass(frozen=True)
class PyName:
    """A parsed ``module@Class`` (or dotted ``_target_``) with the spans of its parts."""

    text: str
    module: str  # as written, without prefix ('recursive_reasoning.etrm')
    attr: str | None  # 'TRMWithEncoder'; None for a dotted target (resolved later)
    module_span: Span
    attr_span: Span | None
    span: Span


def split_at_name(text: str, span: Span, inner_col: int | None = None) -> PyName | None:
    """``recursive_reasoning.etrm@TRMWithEncoder`` -> module and class parts.

    ``span`` is the scalar's range; ``inner_col`` the column where the text
    starts inside it (1 for a quoted scalar).  Returns None when the text is
    not of that shape (quiet when unsure).
    """
    if text.count("@") != 1 or any(c.isspace() for c in text) or "$" in text:
        return None
    module, attr = text.split("@")
    if not module or not attr or not _dotted(module) or not attr.isidentifier():
        return None
    start = span.col + (inner_col or 0)
    line = span.line
    return PyName(
        text=text,
        module=module,
        attr=attr,
        module_span=Span(line, start, line, start + len(module)),
        attr_span=Span(line, start + len(module) + 1, line, start + len(text)),
        span=Span(line, start, line, start + len(text)),
    )


def dotted_target(text: str, span: Span, inner_col: int | None = None) -> PyName | None:
    """A ``_target_`` like ``torch.optim.AdamW`` (module and attribute split later by the index)."""
    if not _dotted(text) or "." not in text:
        return None
    start = span.col + (inner_col or 0)
    s = Span(span.line, start, span.line, start + len(text))
    return PyName(text=text, module=text, attr=None, module_span=s, attr_span=None, span=s)


def _dotted(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))
