"""Hydra 1.3 command-line overrides, parsed without Hydra and with positions.

A hand-written re-implementation of Hydra's ANTLR override grammar
(``hydra/grammar/OverrideLexer.g4`` + ``OverrideParser.g4``) and of the visitor
that turns a parse tree into values (``overrides_visitor.py``, the functions in
``_internal/grammar/grammar_functions.py``).  It accepts and refuses exactly
what ``OverridesParser.create().parse_override(s)`` does and yields the same
values, as plain Python (quoted strings become ``str``); the test-suite checks
that differentially against hydra-core.

How the grammar is reproduced:

* The lexer has two modes like ANTLR's: *key* mode up to the first ``=`` and
  *value* mode after it.  Each token is the longest match among the mode's
  rules, ties going to the rule listed first in the ``.g4`` file (so ``true``
  is BOOL, ``inf`` is FLOAT, ``info`` is ID).  A quoted value ends at the first
  matching quote preceded by an even number of backslashes (the effect of the
  grammar's non-greedy rule).  Any character no rule matches (``!``, ``#``,
  unquoted non-ASCII) is an error, like ANTLR's "token recognition error".
* The parser is recursive descent over the token list; the grammar is LL(2)
  apart from ``value: element | element (COMMA element)+``, which is decided
  after the first element.
* Functions (``int str float bool choice range interval tag sort shuffle
  glob``) are evaluated with Hydra's argument binding and type checks.
  ``shuffle`` of a list keeps the order (Hydra's is random); sweeps are the
  dataclasses below, with the same fields as Hydra's.

Positions: ``parse_override(text, line, col)`` places the override at
``(line, col)``; offsets inside ``text`` are added to ``col``.  When the caller
un-quoted the word from a shell line (``'a.b="x y"'``) the spans are only
approximate, since they count characters of the unquoted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trainpath.parsing.override_functions import (
    ChoiceSweep,
    Glob,
    IntervalSweep,
    Quoted,
    RangeSweep,
    Sweep,
    UnknownFunction,
    call_function,
    to_plain,
)
from trainpath.parsing.positions import Span

__all__ = [
    "ChoiceSweep",
    "Glob",
    "IntervalSweep",
    "Override",
    "OverrideError",
    "RangeSweep",
    "Sweep",
    "parse_override",
    "parse_value",
]


class OverrideError(ValueError):
    """An override Hydra would refuse; ``offset`` is where, inside the override text."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


# ------------------------------------------------------------------------- override
@dataclass(frozen=True)
class Override:
    """One parsed override (``key=value``, ``+key=value``, ``++key=value``, ``~key``)."""

    text: str
    type: str  # 'change' | 'add' | 'force_add' | 'delete'
    key: str
    package: str | None
    value: Any
    value_text: str | None
    is_sweep: bool
    span: Span
    key_span: Span
    value_span: Span | None

    @property
    def is_group_like(self) -> bool:
        """No '.' in the key: a config group or a top-level key (the composer decides)."""
        return "." not in self.key


# ---------------------------------------------------------------------------- lexer
# Token kinds.  Value mode:
POPEN, COMMA, PCLOSE, BOPEN, BCLOSE, COPEN, CCLOSE, COLON, EQUAL = range(9)
FLOAT, INT, BOOL, NULL, UNQ, ID, ESC, WS, QUOTED, INTERP = range(9, 19)
# Key mode (ID above is shared):
TILDE, PLUS, AT, SLASH, KEY_SPECIAL, DOT_PATH = range(19, 25)
EOF = 99

_NAMES = {
    POPEN: "'('", COMMA: "','", PCLOSE: "')'", BOPEN: "'['", BCLOSE: "']'", COPEN: "'{'",
    CCLOSE: "'}'", COLON: "':'", EQUAL: "'='", TILDE: "'~'", PLUS: "'+'", AT: "'@'",
    SLASH: "'/'", EOF: "end of text",
}

Token = tuple[int, int, int]  # kind, start, end

_PUNCT = {"(": POPEN, ",": COMMA, ")": PCLOSE, "[": BOPEN, "]": BCLOSE,
          "{": COPEN, "}": CCLOSE, ":": COLON, "=": EQUAL}
_WS_BEFORE = frozenset({POPEN, COMMA, PCLOSE, BCLOSE, CCLOSE, COLON, EQUAL})
_WS_AFTER = frozenset({POPEN, COMMA, BOPEN, COPEN, COLON, EQUAL})
_KEYWORDS = {"true": BOOL, "false": BOOL, "null": NULL, "inf": FLOAT, "nan": FLOAT}

_IU = r"(?:0|[1-9](?:_?[0-9])*)"
_DIGITS = r"[0-9](?:_?[0-9])*"
_FLOAT_RE = re.compile(
    rf"[+-]?(?:(?:{_IU}\.(?:{_DIGITS})?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
    rf"|{_IU}[eE][+-]?{_DIGITS}|[Ii][Nn][Ff]|[Nn][Aa][Nn])"
)
_INT_RE = re.compile(rf"[+-]?{_IU}")
_ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_WS_RE = re.compile(r"[ \t]*")
_ESC_RE = re.compile(r"(?:\\[\\()\[\]{}:=, \t])+")
_INTERP_RE = re.compile(r"\$\{[^}]+\}")
_KS = r"[A-Za-z_$][A-Za-z0-9_\-$]*"
_KS_RE = re.compile(_KS)
_DOT_PATH_RE = re.compile(rf"(?:{_KS}|{_IU})(?:\.(?:{_KS}|{_IU}))+")
_ESC_QUOTED = {"'": re.compile(r"(\\)+'"), '"': re.compile(r'(\\)+"')}
_PLAIN_VALUE_RE = re.compile(r"[A-Za-z0-9_\-/.+%*@?|:]+")  # fast path: only primitive tokens
_FAST_KEY_RE = re.compile(rf"(~|\+\+|\+)?({_KS}(?:\.(?:{_KS}|{_IU}))*)(?:=|\Z)")
_PREFIX_KINDS = {None: "change", "~": "delete", "+": "add", "++": "force_add"}
_SCALARS = frozenset({str, int, float, bool, type(None)})
_new = object.__new__
_DIGIT_START = frozenset("0123456789+-.")
_ID_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_KEY_START = _ID_START | frozenset("$0123456789")
_OTHER_UNQ = frozenset("/%*@?|")


def _bad_char(text: str, i: int, where: str) -> OverrideError:
    ch = text[i]
    if ch in "'\"":
        return OverrideError(f"unterminated quoted string starting at column {i + 1}", i)
    hint = " (quote the value)" if where == "value" and (ord(ch) > 127 or ch in "!#&;<>^`~") else ""
    return OverrideError(f"character {ch!r} is not allowed in an unquoted {where}{hint}", i)


def _quoted_end(text: str, i: int) -> int:
    """End of the quoted value opening at ``i``: the first same quote after an even backslash run."""
    q = text[i]
    n = len(text)
    j = i + 1
    run = 0
    while j < n:
        c = text[j]
        if c == "\\":
            run += 1
        elif c == q and not run & 1:
            return j + 1
        else:
            run = 0
        j += 1
    raise _bad_char(text, i, "value")


def _lex_value(text: str, i: int) -> list[Token]:
    """Tokens of value mode from offset ``i`` to the end of ``text``."""
    out: list[Token] = []
    n = len(text)
    while i < n:
        c = text[i]
        kind: int
        if c in _PUNCT:
            kind = _PUNCT[c]
            end = i + 1
            if kind in _WS_AFTER:
                end = _WS_RE.match(text, end).end()  # type: ignore[union-attr]
        elif c == " " or c == "\t":
            j = _WS_RE.match(text, i).end()  # type: ignore[union-attr]
            nxt = _PUNCT.get(text[j]) if j < n else None
            if nxt is not None and nxt in _WS_BEFORE:
                kind = nxt
                end = j + 1
                if kind in _WS_AFTER:
                    end = _WS_RE.match(text, end).end()  # type: ignore[union-attr]
            else:
                kind, end = WS, j
        elif c in _ID_START:
            end = _ID_RE.match(text, i).end()  # type: ignore[union-attr]
            kind = _KEYWORDS.get(text[i:end].lower(), ID) if end - i <= 5 else ID
        elif c in _DIGIT_START:
            mf = _FLOAT_RE.match(text, i)
            mi = _INT_RE.match(text, i)
            fe = mf.end() if mf else -1
            ie = mi.end() if mi else -1
            if fe < 0 and ie < 0:
                kind, end = UNQ, i + 1  # '+', '-', '.'
            elif fe >= ie:
                kind, end = FLOAT, fe
            else:
                kind, end = INT, ie
        elif c == "\\":
            m = _ESC_RE.match(text, i)
            kind, end = (ESC, m.end()) if m else (UNQ, i + 1)
        elif c == "$":
            m = _INTERP_RE.match(text, i)
            kind, end = (INTERP, m.end()) if m else (UNQ, i + 1)
        elif c in _OTHER_UNQ:
            kind, end = UNQ, i + 1
        elif c == '"' or c == "'":
            kind, end = QUOTED, _quoted_end(text, i)
        else:
            raise _bad_char(text, i, "value")
        out.append((kind, i, end))
        i = end
    return out


def _lex_key(text: str) -> tuple[list[Token], int]:
    """Key-mode tokens up to the first '='; returns them and the '=' offset (-1 when none)."""
    out: list[Token] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "=":
            return out, i
        if c == "~":
            out.append((TILDE, i, i + 1))
        elif c == "+":
            out.append((PLUS, i, i + 1))
        elif c == "@":
            out.append((AT, i, i + 1))
        elif c == ":":
            out.append((COLON, i, i + 1))
        elif c == "/":
            out.append((SLASH, i, i + 1))
        elif c in _KEY_START:
            m = _DOT_PATH_RE.match(text, i)
            if m:
                out.append((DOT_PATH, i, m.end()))
            else:
                m = _KS_RE.match(text, i)
                if m is None:
                    raise _bad_char(text, i, "key")
                mi = _ID_RE.match(text, i)
                kind = ID if mi is not None and mi.end() == m.end() else KEY_SPECIAL
                out.append((kind, i, m.end()))
            i = out[-1][2]
            continue
        else:
            raise _bad_char(text, i, "key")
        i += 1
    return out, -1


# --------------------------------------------------------------------------- parser
_PRIMITIVE = frozenset({ID, NULL, INT, FLOAT, BOOL, INTERP, UNQ, COLON, ESC, WS})
_DICT_KEY = frozenset({ID, NULL, INT, FLOAT, BOOL, UNQ, ESC, WS})


class _ValueParser:
    """Recursive descent over value-mode tokens, evaluating as Hydra's visitor does."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.toks = tokens
        self.i = 0

    def kind(self, ahead: int = 0) -> int:
        j = self.i + ahead
        return self.toks[j][0] if j < len(self.toks) else EOF

    def offset(self) -> int:
        return self.toks[self.i][1] if self.i < len(self.toks) else len(self.text)

    def unexpected(self, expecting: str) -> OverrideError:
        if self.i >= len(self.toks):
            return OverrideError(f"unexpected end of text, expecting {expecting}", len(self.text))
        _, a, b = self.toks[self.i]
        return OverrideError(f"unexpected {self.text[a:b]!r} at column {a + 1}, expecting {expecting}", a)

    def expect(self, kind: int) -> Token:
        if self.kind() != kind:
            raise self.unexpected(_NAMES[kind])
        tok = self.toks[self.i]
        self.i += 1
        return tok

    # value: element | element (COMMA element)+
    def value(self) -> Any:
        first = self.element()
        if self.kind() == COMMA:
            items = [first]
            while self.kind() == COMMA:
                self.i += 1
                items.append(self.element())
            first = ChoiceSweep(list=items, simple_form=True)
        if self.i < len(self.toks):
            raise self.unexpected("end of text or ','")
        return first

    def element(self) -> Any:
        k = self.kind()
        if k == ID and self.kind(1) == POPEN:
            return self.function()
        if k == BOPEN:
            return self.list_container()
        if k == COPEN:
            return self.dict_container()
        if k == QUOTED:
            _, a, b = self.toks[self.i]
            self.i += 1
            return _unquote(self.text[a:b])
        if k in _PRIMITIVE:
            return self.primitive(_PRIMITIVE)
        raise self.unexpected("a value")

    def primitive(self, allowed: frozenset[int]) -> Any:
        start = self.i
        while self.kind() in allowed:
            self.i += 1
        return _create_primitive(self.text, self.toks[start:self.i])

    def list_container(self) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        if self.kind() != BCLOSE:
            out.append(self.element())
            while self.kind() == COMMA:
                self.i += 1
                out.append(self.element())
        self.expect(BCLOSE)
        return out

    def dict_container(self) -> dict[Any, Any]:
        self.i += 1
        pairs: list[tuple[Any, Any]] = []
        if self.kind() != CCLOSE:
            pairs.append(self.pair())
            while self.kind() == COMMA:
                self.i += 1
                pairs.append(self.pair())
        self.expect(CCLOSE)
        return dict(pairs)

    def pair(self) -> tuple[Any, Any]:
        if self.kind() not in _DICT_KEY:
            raise self.unexpected("a dictionary key")
        key = self.primitive(_DICT_KEY)
        self.expect(COLON)
        return key, self.element()

    def function(self) -> Any:
        _, a, b = self.toks[self.i]
        name = self.text[a:b]
        self.i += 2
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        positional_after_kw = False
        if self.kind() != PCLOSE:
            while True:
                if self.kind() == ID and self.kind(1) == EQUAL:
                    _, na, nb = self.toks[self.i]
                    self.i += 2
                    kwargs[self.text[na:nb]] = self.element()
                else:
                    if kwargs:
                        positional_after_kw = True
                    args.append(self.element())
                if self.kind() != COMMA:
                    break
                self.i += 1
        end = self.expect(PCLOSE)[2]
        call = self.text[a:end]
        if positional_after_kw:
            raise OverrideError(f"in '{call}': positional argument follows keyword argument", a)
        try:
            return call_function(name, args, kwargs)
        except UnknownFunction as e:
            raise OverrideError(f"in '{call}': {e}", a) from None
        except Exception as e:  # the functions raise what Hydra's raise; all refuse the override
            raise OverrideError(f"{type(e).__name__} while evaluating '{call}': {e}", a) from None


def _unquote(text: str) -> Quoted:
    """Hydra's ``_unescape_quoted_string``: only backslashes before a quote are escapes."""
    qc = text[0]
    rest = text[1:]
    pattern = _ESC_QUOTED[qc]
    match = pattern.search(rest)
    if match is None:
        return Quoted(rest[:-1], qc)
    parts: list[str] = []
    while match is not None:
        a, b = match.span()
        parts.append(rest[:a])
        parts.append(rest[a + 1 : b : 2])
        rest = rest[b:]
        match = pattern.search(rest)
    if len(rest) > 1:
        parts.append(rest[:-1])
    return Quoted("".join(parts), qc)


def _create_primitive(text: str, toks: list[Token]) -> Any:
    """Hydra's ``_createPrimitive``: strip outer whitespace, type a single token, else join."""
    first, last = 0, len(toks)
    if toks[0][0] == WS:
        if last == 1:
            raise OverrideError("a value made of whitespace only", toks[0][1])
        first = 1
    if toks[-1][0] == WS:
        last -= 1
    if last - first > 1:
        return "".join(
            text[a + 1 : b : 2] if k == ESC else text[a:b] for k, a, b in toks[first:last]
        )
    k, a, b = toks[first]
    s = text[a:b]
    if k == INT:
        return int(s)
    if k == FLOAT:
        return float(s)
    if k == NULL:
        return None
    if k == BOOL:
        return s.lower() == "true"
    if k == ESC:
        return s[1::2]
    return s


# ------------------------------------------------------------------------ public API
def _span(text: str, a: int, b: int, line: int, col: int) -> Span:
    if "\n" not in text:
        return Span(line, col + a, line, col + b)
    la, ca = _pos(text, a)
    lb, cb = _pos(text, b)
    return Span(line + la, ca + (col if la == 0 else 0), line + lb, cb + (col if lb == 0 else 0))


def _pos(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def _parse_key(text: str, toks: list[Token], eq: int) -> tuple[str, str, str | None, int, int]:
    """(type, key, package, key start, key end) from the key-mode tokens."""
    n = len(toks)
    i = 0
    kind = "change"
    if n and toks[0][0] == TILDE:
        kind, i = "delete", 1
    elif n and toks[0][0] == PLUS:
        kind, i = "add", 1
        if n > 1 and toks[1][0] == PLUS:
            kind, i = "force_add", 2
    start = toks[i][1] if i < n else (eq if eq >= 0 else len(text))
    end = start
    if i < n and toks[i][0] == ID and i + 1 < n and toks[i + 1][0] == SLASH:
        i += 1
        while i < n and toks[i][0] == SLASH:
            if i + 1 >= n or toks[i + 1][0] != ID:
                raise _key_error(text, toks, i + 1, eq, "a group name")
            i += 2
        end = toks[i - 1][2]
    elif i < n and toks[i][0] in (ID, KEY_SPECIAL, DOT_PATH):
        end = toks[i][2]
        i += 1
    key = text[start:end]
    package = None
    if i < n and toks[i][0] == AT:
        end = toks[i][2]
        i += 1
        if i < n and toks[i][0] in (ID, KEY_SPECIAL, DOT_PATH):
            end = toks[i][2]
            i += 1
        package = text[toks[i - 1][1] if toks[i - 1][0] != AT else end : end]
    if i < n:
        raise _key_error(text, toks, i, eq, "'='" if kind != "delete" else "'=' or end of text")
    return kind, key, package, start, end


def _key_error(text: str, toks: list[Token], i: int, eq: int, expecting: str) -> OverrideError:
    if i < len(toks):
        _, a, b = toks[i]
        return OverrideError(f"unexpected {text[a:b]!r} at column {a + 1} in the key, expecting {expecting}", a)
    at = eq if eq >= 0 else len(text)
    found = "'='" if eq >= 0 else "end of text"
    return OverrideError(f"unexpected {found} at column {at + 1}, expecting {expecting}", at)


def _parse_value_tokens(text: str, start: int) -> Any:
    """The Hydra value (internal form) of ``text[start:]``; '' when empty."""
    if start >= len(text):
        return ""
    if _PLAIN_VALUE_RE.fullmatch(text, start):
        # Fast path: characters that only ever lex to primitive tokens, so the value is one
        # primitive: typed when it is a single INT/FLOAT/ID-or-keyword token, else the text.
        s = text[start:] if start else text
        if s[0] in _DIGIT_START:
            if _INT_RE.fullmatch(s):
                return int(s)
            if _FLOAT_RE.fullmatch(s):
                return float(s)
        elif len(s) <= 5:
            kw = _KEYWORDS.get(s.lower())  # keywords are whole ID tokens: true, null, inf, ...
            if kw == FLOAT:
                return float(s)
            if kw is not None:
                return None if kw == NULL else s.lower() == "true"
        return s
    return _ValueParser(text, _lex_value(text, start)).value()


def parse_override(text: str, line: int = 0, col: int = 0) -> Override:
    """Parse one command-line override as Hydra 1.3 does; raise ``OverrideError`` when Hydra would.

    Spans are placed at ``(line, col + offset in text)``.
    """
    m = _FAST_KEY_RE.match(text)
    if m is not None and (m.end() < len(text) or text.endswith("=") or m.group(1) == "~"):
        # Fast path: a prefix and one dotted key token, then '=' or (for '~') the end.
        kind = _PREFIX_KINDS[m.group(1)]
        key, package, kstart, kend = m.group(2), None, m.start(2), m.end(2)
        eq = kend if kend < len(text) else -1
    else:
        toks, eq = _lex_key(text)
        kind, key, package, kstart, kend = _parse_key(text, toks, eq)
    n = len(text)
    if eq < 0:
        if kind != "delete":
            raise OverrideError(f"missing '=' in override {text!r} (only '~key' may omit the value)", n)
        value: Any = None
        value_text: str | None = None
        value_span: Span | None = None
        is_sweep = False
    else:
        vstart = eq + 1
        if vstart < n and text[vstart] in " \t":
            vstart = _WS_RE.match(text, vstart).end()  # type: ignore[union-attr]
        try:
            raw = _parse_value_tokens(text, vstart)
            if raw.__class__ in _SCALARS:
                value, is_sweep = raw, False
            else:
                is_sweep = isinstance(raw, (Sweep, Glob))
                value = to_plain(raw)
        except RecursionError:  # Hydra's ANTLR parser gives up the same way
            raise OverrideError("the value is nested too deeply", vstart) from None
        value_text = text[eq + 1 :]
        value_span = _span(text, eq + 1, n, line, col)
    if "\n" in text:
        span, key_span = _span(text, 0, n, line, col), _span(text, kstart, kend, line, col)
    else:
        span, key_span = Span(line, col, line, col + n), Span(line, col + kstart, line, col + kend)
    # The frozen dataclass's __init__ costs as much as the parse; fill the instance directly.
    o = _new(Override)
    o.__dict__.update(
        text=text, type=kind, key=key, package=package, value=value, value_text=value_text,
        is_sweep=is_sweep, span=span, key_span=key_span, value_span=value_span,
    )
    return o


def parse_value(text: str) -> Any:
    """The value of ``text`` as the right-hand side of an override: ``parse_override('k=' + text).value``.

    Sweeps come back as ``ChoiceSweep``/``RangeSweep``/``IntervalSweep``/``Glob``;
    ``OverrideError.offset`` is an offset into ``text``.
    """
    start = _WS_RE.match(text, 0).end()  # type: ignore[union-attr]
    try:
        return to_plain(_parse_value_tokens(text, start))
    except RecursionError:
        raise OverrideError("the value is nested too deeply", start) from None
