"""Parsing a module one group of top-level statements at a time, each only when it is needed.

A model module is hundreds of lines, but a chain reads its imports, constants,
the model class, its config class and a helper or two.  Building the ``ast`` of
everything else cost most of the parse (and, since the trees stay cached, most
of the garbage collector's work).  So a module is split into *chunks*: the lines
from one top-level statement start to the next.  A chunk holding one short
``def`` or ``class`` alone is only *checked* by CPython's parser
(:func:`symtable.symtable` runs the parser without building Python objects) and
its ``ast`` is built the first time one of its nodes is asked for; every other
chunk (imports, assignments, ``if``/``try`` blocks, long defs) is parsed with
:func:`ast.parse` at once.  Line and column numbers are the file's own.

Why the result is exactly that of ``ast.parse(text)``:

- Each chunk is parsed as a module of its own, starting in a clean state (no
  open bracket or string, no pending ``\\``, column 0).  A chunk that parses
  alone ends in a clean state too, so, chunk after chunk, every split point is
  a real statement boundary: the file parses, and its statements are the
  chunks' statements in order.  A chunk cannot start with ``else``/``except``...
  or end inside a decorator and still parse alone, so no statement is split.
  A wrong split (say inside a string the quick scan missed) makes a chunk fail
  and the whole text is parsed as one, which gives the same tree or the same
  ``SyntaxError`` as before.
- A checked-only chunk is one ``def``/``class`` (after its decorators) and
  nothing else: every other line of it is blank, a comment, indented or a
  closing bracket, none of which starts a top-level statement (a chunk with a
  column-0 line the quick scan put inside a string is built instead, so this
  never rests on the scan); its name and line are read from the text, and only
  plain ASCII names are (the parser normalises others).
- :func:`symtable.symtable` raises on a few more things than ``ast.parse``
  (``nonlocal`` at module level...): such a file is parsed whole.  And it
  builds no Python objects, so its recursion limit could differ from
  ``ast.parse``'s only for nesting deeper than the text of a short chunk can
  hold (each nesting level takes a character): longer defs are parsed at once.
- ``from __future__ import barry_as_FLUFL`` may change how the rest of the
  file parses, and a form feed at the start of a line resets its indentation:
  texts holding either are parsed whole.
"""

from __future__ import annotations

import ast
import re
import symtable
from pathlib import Path

#: the line break before a line that may start a top-level statement: at column 0 and not blank,
#: a comment, a closing bracket or a clause continuing the statement before it
_STATEMENT_START = re.compile(r"\n(?![ \t\n#)\]}]|(?:else|elif|except|finally)\b)")
#: the line of a top-level def or class with a plain ASCII name (what ``ast`` would report as is)
_DEF_LINE = re.compile(r"(?:(async[ \t]+def)|(def)|(class))[ \t]+([A-Za-z_][A-Za-z0-9_]*)[(:\[ \t]")
#: a comment or a whole string literal (Python 3.11 rules: f-string fields hold no quote of their own
#: kind); each string form is written as "runs of plain characters between escapes", which the
#: regular expression engine scans several times faster than a lazy loop over single characters
COMMENT_OR_STRING = re.compile(
    r"""#[^\r\n]*"""
    r"""|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"""
    r'''|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'''
    r"""|'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'"""
    r'''|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"''',
    re.S,
)
#: longer chunks are built at once: ``ast.parse`` and ``symtable`` stop at slightly different
#: depths (near 3,000 levels), and nesting that deep takes more characters than this
CHECK_ONLY_MAX_CHARS = 1000


class Chunk:
    """Consecutive lines holding whole top-level statements."""

    __slots__ = ("line", "start", "end", "header", "statements")

    def __init__(self, line: int, start: int, end: int) -> None:
        self.line = line  # 0-based line of ``start``
        self.start = start  # offsets in the module's text
        self.end = end
        #: (name, 'class' | 'function', 0-based line) of the def or class of a checked-only chunk
        self.header: tuple[str, str, int] | None = None
        #: its top-level statements, once parsed with ast
        self.statements: list[ast.stmt] | None = None

    def parse(self, path: Path, text: str) -> list[ast.stmt]:
        """The chunk's statements, parsed with ``ast`` (once), at the file's own positions."""
        if self.statements is None:
            source = "\n" * self.line + text[self.start:self.end]
            self.statements = ast.parse(source, filename=str(path)).body
        return self.statements


def as_one_chunk(tree: ast.Module, text: str) -> list[Chunk]:
    """One chunk holding the statements of ``tree`` (the module parsed whole)."""
    chunk = Chunk(0, 0, len(text))
    chunk.statements = tree.body
    return [chunk]


def split_module(path: Path, text: str, checked: bool = False, build: bool = True) -> list[Chunk] | None:
    """The checked chunks of ``text``; None when it must be parsed whole (see the module docstring).

    Raises what the parser raises when a chunk does not parse; the caller then
    parses the whole text (which may parse after all: the split was wrong).
    ``checked``: the check-only chunks of this very text already passed
    :func:`symtable.symtable` (see :mod:`trainpath.pyindex.verified`), so they
    are not checked again; ``build=False``: check those chunks only, build no
    ``ast`` (what that helper runs).  The split depends on the text alone, so
    both runs see the same chunks.
    """
    if "\f" in text or "barry_as_FLUFL" in text:
        return None
    chunks: list[Chunk] = []
    for start, end, line, head, unsure in _groups(text):
        chunk = Chunk(line, start, end)
        found = _DEF_LINE.match(text, head) if head >= 0 and not unsure else None
        if found is not None and end - start <= CHECK_ONLY_MAX_CHARS:
            if not checked:
                source = "\n" * line + text[start:end]  # errors and warnings at the file's own lines
                symtable.symtable(source, str(path), "exec")
            kind = "function" if found.group(1) or found.group(2) else "class"
            chunk.header = (found.group(4), kind, line + text.count("\n", start, head))
        elif build:
            chunk.parse(path, text)
        chunks.append(chunk)
    return chunks


def _groups(text: str) -> list[tuple[int, int, int, int, bool]]:
    """(start, end, first line, head, unsure) of each chunk of ``text``.

    A chunk runs from a statement start to the next; decorators stay with what
    they decorate, whose first line starts at offset ``head`` (-1: decorators
    only).  ``unsure``: a column-0 line of the chunk was taken to be inside a
    string, so the chunk is built rather than read as one def.
    """
    multiline = [(m.start(), m.end()) for m in COMMENT_OR_STRING.finditer(text) if "\n" in m.group()]
    starts: list[int] = []
    skipped: list[int] = []
    i = 0
    for m in _STATEMENT_START.finditer(text):
        pos = m.start() + 1
        if pos >= len(text):
            break
        while i < len(multiline) and multiline[i][1] <= pos:
            i += 1
        if i < len(multiline) and multiline[i][0] < pos:
            skipped.append(pos)
        else:
            starts.append(pos)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)  # comments and blank lines before the first statement: a chunk of their own
    groups: list[tuple[int, int, int, int, bool]] = []
    line = k = s = 0
    while k < len(starts):
        start = starts[k]
        while k < len(starts) and text.startswith("@", starts[k]):
            k += 1
        head = starts[k] if k < len(starts) else -1
        k += 1
        end = starts[k] if k < len(starts) else len(text)
        while s < len(skipped) and skipped[s] < start:
            s += 1
        groups.append((start, end, line, head, s < len(skipped) and skipped[s] < end))
        line += text.count("\n", start, end)
    return groups
