"""A small shell-word lexer that keeps positions, and static folder arithmetic.

``shlex`` loses where each word came from; this lexer keeps the file offset
of every character of every word (``Tok.origins``) so that a word, or a part
of it, can be mapped back to its exact range.  It understands quotes,
``\\``-newline continuations, comments, heredocs (skipped), ``$(...)``,
``${...}``, backquotes, redirections and the operators ``; & && || | ( )``.
It never raises: an unterminated quote makes the rest of its line one word.

:func:`expand` and :func:`resolve_dir` follow ``cd`` targets statically: known
variables are substituted and the usual "folder of this script" idioms
(``$(cd "$(dirname "$0")/.." && pwd)``, ``$(dirname "$(realpath "$0")")`` ...)
become paths relative to the script's folder.  Nothing is executed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

__all__ = ["Tok", "Lexer", "REDIRECT_RE", "expand", "resolve_dir", "skip_balanced", "SENT"]

# --------------------------------------------------------------------------- lexer

_META = frozenset(" \t\n;&|()<>")
_OPS = ("&&", "||", ";;", ";&", "|&", "|", "&", ";", "(", ")")
REDIRECT_RE = re.compile(r"&>>|&>|\d*(?:>>|>&|>\||<<<|<<-|<<|<&|<>|>|<)")
_MARKER_RE = re.compile(r"\[(?: |[xX]|[^\]\sA-Za-z0-9]?)\](?=[ \t\n]|$)")
_ASSIGN_ARRAY_RE = re.compile(r"[A-Za-z_]\w*(?:\[[^\]]*\])?\+?=$")
_DYNAMIC_RE = re.compile(r"\$(?:[A-Za-z_{(0-9@*#?$!-])|`")


@dataclass
class Tok:
    kind: str  # 'word' | 'op' | 'marker' | 'nl'
    start: int
    end: int
    text: str = ""
    origins: tuple[int, ...] = ()  # words: raw offset of each text character
    dynamic: bool = False  # holds an unquoted/double-quoted $ expansion or backquote


def skip_balanced(s: str, i: int, open_: str, close: str) -> int:
    """Index just past the ``close`` matching an already-consumed ``open_``; -1 if none."""
    depth, n = 1, len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'" and open_ != "`":
            j = s.find("'", i + 1)
            if j < 0:
                return -1
            i = j + 1
            continue
        if c == '"' and open_ != "`":
            i += 1
            while i < n and s[i] != '"':
                i += 2 if s[i] == "\\" else 1
            i += 1
            continue
        if c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == open_ and open_ != close:
            depth += 1
        i += 1
    return -1


class Lexer:
    """Shell-word lexer keeping the file offset of every character."""

    def __init__(self, s: str, multiline_quotes: bool) -> None:
        self.s = s
        self.n = len(s)
        self.multiline = multiline_quotes
        self.toks: list[Tok] = []
        self.heredocs: list[tuple[str, bool]] = []  # (delimiter, strip tabs)
        self.want_delim: bool | None = None  # after '<<' (True when '<<-')

    def _eol(self, i: int) -> int:
        j = self.s.find("\n", i)
        return self.n if j < 0 else j

    def run(self) -> list[Tok]:
        s, n = self.s, self.n
        i, line_start = 0, True
        while i < n:
            c = s[i]
            if c == "\\" and s.startswith("\n", i + 1):
                i += 2
                continue
            if c in " \t":
                i += 1
                continue
            if c == "\n":
                self.toks.append(Tok("nl", i, i + 1, "\n"))
                i = self._skip_heredocs(i + 1)
                line_start = True
                continue
            if c == "#":
                i = self._eol(i)
                continue
            if line_start:
                line_start = False
                m = _MARKER_RE.match(s, i)
                if m:
                    self.toks.append(Tok("marker", i, m.end(), m.group()))
                    i = m.end()
                    continue
            m = REDIRECT_RE.match(s, i)
            if m:
                op = m.group()
                self.toks.append(Tok("op", i, m.end(), op))
                if op.endswith("<<") or op.endswith("<<-"):
                    self.want_delim = op.endswith("-")
                i = m.end()
                continue
            op = next((o for o in _OPS if s.startswith(o, i)), None)
            if op is not None:
                self.toks.append(Tok("op", i, i + len(op), op))
                i += len(op)
                continue
            i = self._word(i)
        return self.toks

    def _skip_heredocs(self, i: int) -> int:
        while self.heredocs:
            delim, strip = self.heredocs.pop(0)
            while i < self.n:
                j = self._eol(i)
                line = self.s[i:j]
                i = j + 1
                if (line.lstrip("\t") if strip else line) == delim:
                    break
            else:
                i = self.n
        return min(i, self.n)

    def _word(self, i: int) -> int:
        s, n = self.s, self.n
        start = i
        text: list[str] = []
        origins: list[int] = []
        dynamic = False

        def verbatim(a: int, b: int) -> None:
            text.append(s[a:b])
            origins.extend(range(a, b))

        def rest_of_line(a: int) -> int:
            end = self._eol(a)
            verbatim(a, end)
            return end

        while i < n:
            c = s[i]
            if c in _META:
                if c == "(" and _ASSIGN_ARRAY_RE.match("".join(text)):
                    j = skip_balanced(s, i + 1, "(", ")")
                    j = j if j > 0 else self._eol(i)
                    verbatim(i, j)
                    dynamic = True
                    i = j
                    continue
                break
            if c == "\\":
                if s.startswith("\n", i + 1):
                    i += 2
                elif i + 1 < n:
                    verbatim(i + 1, i + 2)
                    i += 2
                else:
                    verbatim(i, i + 1)
                    i += 1
                continue
            if c == "'":
                j = s.find("'", i + 1)
                if j < 0 or (not self.multiline and "\n" in s[i + 1 : j]):
                    i = rest_of_line(i + 1)
                    break
                verbatim(i + 1, j)
                i = j + 1
                continue
            if c == '"':
                i, closed, dyn = self._double_quoted(i + 1, text, origins)
                dynamic |= dyn
                if not closed:
                    break
                continue
            if c == "$" and i + 1 < n and s[i + 1] in "({":
                j = skip_balanced(s, i + 2, s[i + 1], ")" if s[i + 1] == "(" else "}")
                if j < 0 or (not self.multiline and "\n" in s[i:j]):
                    i = rest_of_line(i)
                    dynamic = True
                    break
                verbatim(i, j)
                dynamic = True
                i = j
                continue
            if c == "$" and i + 1 < n and s[i + 1] == "'":
                j = i + 2
                while j < n and s[j] != "'":
                    j += 2 if s[j] == "\\" else 1
                if j >= n:
                    i = rest_of_line(i + 2)
                    break
                verbatim(i + 2, j)
                i = j + 1
                continue
            if c == "`":
                j = s.find("`", i + 1)
                if j < 0:
                    i = rest_of_line(i)
                    dynamic = True
                    break
                verbatim(i, j + 1)
                dynamic = True
                i = j + 1
                continue
            if c == "$" and _DYNAMIC_RE.match(s, i):
                dynamic = True
            verbatim(i, i + 1)
            i += 1
        tok = Tok("word", start, i, "".join(text), tuple(origins), dynamic)
        self.toks.append(tok)
        if self.want_delim is not None:
            self.heredocs.append((tok.text, self.want_delim))
            self.want_delim = None
        return i

    def _double_quoted(self, i: int, text: list[str], origins: list[int]) -> tuple[int, bool, bool]:
        """Read a "..." body from ``i`` (after the quote); returns (next index, closed, dynamic)."""
        s, n = self.s, self.n
        quote_at = i - 1
        dynamic = False
        while i < n:
            c = s[i]
            if c == '"':
                return i + 1, True, dynamic
            if c == "\n" and not self.multiline:
                break
            if c == "\\" and i + 1 < n and s[i + 1] in '$`"\\\n':
                if s[i + 1] != "\n":
                    text.append(s[i + 1])
                    origins.append(i + 1)
                i += 2
                continue
            if c == "$" and i + 1 < n and s[i + 1] in "({":
                j = skip_balanced(s, i + 2, s[i + 1], ")" if s[i + 1] == "(" else "}")
                if j < 0:
                    break
                text.append(s[i:j])
                origins.extend(range(i, j))
                dynamic = True
                i = j
                continue
            if c == "`" or (c == "$" and _DYNAMIC_RE.match(s, i)):
                dynamic = True
            text.append(c)
            origins.append(i)
            i += 1
        # unterminated: the rest of the line (after the quote) is the word
        del_from = next((k for k, o in enumerate(origins) if o > quote_at), len(origins))
        del text[:]  # rebuild from what was before the quote
        kept = origins[:del_from]
        text.append("".join(s[o] for o in kept))
        origins[:] = kept
        end = self._eol(quote_at + 1)
        text.append(s[quote_at + 1 : end])
        origins.extend(range(quote_at + 1, end))
        return end, False, dynamic


# --------------------------------------------------------------------------- script folders

SENT = "\x00"  # leading mark of a value that is a path relative to the job file's folder
_SELF = r"(?:\$0|\$\{0\}|\$\{BASH_SOURCE(?:\[0\])?\}|\$BASH_SOURCE|@S)"
_DIR = r"@D(?P<rest>(?:/[\w.\-]+)*)/?"
_QUIET = r"(?:&>/dev/null|>/dev/null(?:2>&1)?|2>/dev/null)?"
_SELF_RULES: tuple[tuple[re.Pattern[str], object], ...] = (
    (re.compile(rf"\$\((?:realpath|readlink-[fem]|realpath-s)(?:--)?{_SELF}\)"), "@S"),
    (re.compile(rf"\$\(dirname(?:--)?{_SELF}\)"), "@D"),
    (re.compile(rf"\$\(dirname(?:--)?{_DIR}\)"), lambda m: "@D" + m["rest"] + "/.."),
    (re.compile(rf"\$\((?:realpath|readlink-[fem])(?:--)?{_DIR}\)"), lambda m: "@D" + m["rest"]),
    (
        re.compile(rf"\$\(cd(?:-P)?(?:--)?{_DIR}{_QUIET}(?:&&|;){_QUIET}pwd(?:-P)?\)"),
        lambda m: "@D" + m["rest"],
    ),
)
_VAR_RE = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")


def _self_dir(subst: str) -> str | None:
    """``$(cd "$(dirname "$0")/.." && pwd)`` -> the folder relative to the script ('..'), else None."""
    squashed = re.sub(r"[\s'\"]", "", subst.replace("`", ""))
    for _ in range(8):
        before = squashed
        for rx, repl in _SELF_RULES:
            squashed = rx.sub(repl, squashed)  # type: ignore[arg-type]
        if squashed == before:
            break
    m = re.fullmatch(_DIR, squashed)
    if not m:
        return None
    return SENT + (m["rest"] or "")


def expand(text: str, variables: dict[str, str]) -> str | None:
    """Expand known variables and script-folder substitutions in ``text``; None if anything is unknown."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("$(", i):
            j = skip_balanced(text, i + 2, "(", ")")
            value = _self_dir(text[i:j]) if j > 0 else None
            if value is None:
                return None
            out.append(value)
            i = j
            continue
        if c == "$":
            m = _VAR_RE.match(text, i)
            name = m and (m.group(1) or m.group(2))
            if not name or name not in variables:
                return None
            out.append(variables[name])
            i = m.end()  # type: ignore[union-attr]
            continue
        if c == "`" or (c == "~" and i == 0):
            return None
        out.append(c)
        i += 1
    return "".join(out)


def resolve_dir(target: str | None, cwd: str | None) -> str | None:
    """The folder ``cd target`` leads to, relative to the job file's folder; None when unknown."""
    if target is None or target in ("", "-"):
        return None
    if target.startswith(SENT):
        rest = target[1:].lstrip("/")
        return posixpath.normpath(rest) if rest else "."
    if SENT in target or target.startswith("/") or cwd is None:
        return None
    return posixpath.normpath(posixpath.join(cwd, target))
