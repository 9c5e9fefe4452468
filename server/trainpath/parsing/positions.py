"""Ranges in source text.

Internally every position is **0-based line, 0-based column counted in code
points** (what PyYAML and Python's ``str`` indexing give).  The command line
turns them 1-based; the language server turns columns into UTF-16 units.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range ``[start, end)`` in a file: 0-based lines and columns."""

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, line: int, col: int) -> "Span":
        return cls(line, col, line, col)

    @classmethod
    def on_line(cls, line: int, col: int, end_col: int) -> "Span":
        return cls(line, col, line, end_col)

    def contains(self, line: int, col: int) -> bool:
        """True when (line, col) lies inside the span (end inclusive, for cursors)."""
        if (line, col) < (self.line, self.col):
            return False
        return (line, col) <= (self.end_line, self.end_col)

    def shifted(self, line: int = 0, col: int = 0) -> "Span":
        """The span moved by ``line`` lines; ``col`` is added on its first line only."""
        if self.line == self.end_line:
            return Span(self.line + line, self.col + col, self.end_line + line, self.end_col + col)
        return Span(self.line + line, self.col + col, self.end_line + line, self.end_col)


def offset_to_position(text: str, offset: int) -> tuple[int, int]:
    """(line, col) of a character offset in ``text``."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start


def utf16_col(line_text: str, col: int) -> int:
    """Convert a code-point column on ``line_text`` into UTF-16 code units."""
    prefix = line_text[:col]
    return col + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


def col_from_utf16(line_text: str, units: int) -> int:
    """Convert a UTF-16 column on ``line_text`` into a code-point column."""
    count = 0
    for i, ch in enumerate(line_text):
        if count >= units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text)


#: the start of a file: where a link to a whole file points, and where findings without a better place go
FILE_START = Span(0, 0, 0, 0)
