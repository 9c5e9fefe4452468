"""One shared object per equal immutable value, for what the language server keeps indexed.

A large project repeats the same small values thousands of times: spans
(``Span(3, 2, 3, 6)`` is in most config files), import bindings
(``import torch``), config-class fields.  Each parse makes its own copy; an
:class:`Interner` hands back the first one seen instead, so the copies are
freed at once.  Only for immutable values (tuples, frozen dataclasses):
every holder shares the object.  Strings go through :func:`sys.intern`.

A table is bounded: when it is full it starts again empty (values met later
are shared among themselves only), so an edited file's ever-new values
cannot grow it without end.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class Interner:
    """``interner(value)``: the first object equal to ``value`` met since the table last filled up."""

    __slots__ = ("_table", "limit")

    def __init__(self, limit: int = 1 << 16) -> None:
        self._table: dict = {}
        self.limit = limit

    def __call__(self, value: T) -> T:
        table = self._table
        hit = table.get(value)
        if hit is None:
            if len(table) >= self.limit:
                table.clear()
            table[value] = hit = value
        return hit

    def __len__(self) -> int:
        return len(self._table)


#: spans, shared by every parser that keeps them (YAML documents, Python summaries and facts)
spans = Interner(1 << 17)
