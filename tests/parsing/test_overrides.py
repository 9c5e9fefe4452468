"""Tests for trainpath.parsing.overrides: exact values, exact spans, and Hydra as the oracle.

hydra-core is imported here only, as the truth to compare against; the module
under test never imports it.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainpath.parsing.overrides import (
    ChoiceSweep,
    Glob,
    IntervalSweep,
    OverrideError,
    RangeSweep,
    parse_override,
    parse_value,
)
from trainpath.parsing.positions import Span

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from hydra.core.override_parser import types as htypes
    from hydra.core.override_parser.overrides_parser import OverridesParser

_HYDRA = OverridesParser.create()
_HTYPE = {"CHANGE": "change", "ADD": "add", "FORCE_ADD": "force_add", "DEL": "delete"}


# ------------------------------------------------------------------ normalisation
def _scalar(v: Any) -> Any:
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, int):
        return ("int", v)
    if isinstance(v, float):
        return ("float", "nan" if math.isnan(v) else v)
    if isinstance(v, str):
        return ("str", v)
    if v is None:
        return ("none",)
    raise TypeError(f"unexpected {type(v).__name__}")


def norm(v: Any, unordered: bool = False) -> Any:
    """Type-strict comparable form of one of our values."""
    if isinstance(v, list):
        items = [norm(x, unordered) for x in v]
        return ("list", tuple(sorted(items, key=repr) if unordered else items))
    if isinstance(v, dict):
        return ("dict", tuple((norm(k), norm(x, unordered)) for k, x in v.items()))
    if isinstance(v, ChoiceSweep):
        return ("choice", norm(v.list, unordered), v.simple_form, v.shuffle, frozenset(v.tags))
    if isinstance(v, RangeSweep):
        return ("range", _scalar(v.start), _scalar(v.stop), _scalar(v.step), v.shuffle, frozenset(v.tags))
    if isinstance(v, IntervalSweep):
        return ("interval", _scalar(v.start), _scalar(v.end), frozenset(v.tags))
    if isinstance(v, Glob):
        return ("glob", norm(v.include), norm(v.exclude))
    return _scalar(v)


def hnorm(v: Any, unordered: bool = False) -> Any:
    """The same form for a Hydra value (QuotedString -> str, Hydra sweeps -> tuples)."""
    if isinstance(v, htypes.QuotedString):
        return ("str", v.text)
    if isinstance(v, list):
        items = [hnorm(x, unordered) for x in v]
        return ("list", tuple(sorted(items, key=repr) if unordered else items))
    if isinstance(v, dict):
        return ("dict", tuple((hnorm(k), hnorm(x, unordered)) for k, x in v.items()))
    if isinstance(v, htypes.ChoiceSweep):
        return ("choice", hnorm(v.list, unordered), v.simple_form, v.shuffle, frozenset(v.tags))
    if isinstance(v, htypes.RangeSweep):
        return ("range", _scalar(v.start), _scalar(v.stop), _scalar(v.step), v.shuffle, frozenset(v.tags))
    if isinstance(v, htypes.IntervalSweep):
        return ("interval", _scalar(v.start), _scalar(v.end), frozenset(v.tags))
    if isinstance(v, htypes.Glob):
        return ("glob", hnorm(v.include), hnorm(v.exclude))
    return _scalar(v)


def hydra_result(text: str) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            o = _HYDRA.parse_override(text)
    except Exception:  # Hydra refuses: any exception it raises counts
        return "ERROR"
    unordered = "shuffle" in text
    return (_HTYPE[o.type.name], o.key_or_group, o.package, hnorm(o.value(), unordered), o.is_sweep_override())


def our_result(text: str) -> Any:
    try:
        o = parse_override(text)
    except OverrideError as e:
        assert 0 <= e.offset <= len(text)
        assert e.message
        return "ERROR"
    return (o.type, o.key, o.package, norm(o.value, "shuffle" in text), o.is_sweep)


# ------------------------------------------------------------ differential table
TABLE = [
    # hydra-notes 14
    "a=0x10", "a=010", "a=yes", "a=off", "a=none", "a=NULL", "a=TRUE", "a=1_000", "a=1.", "a=inf",
    "a=nan", "a=-inf", "a=+NaN", "a=é", "a=b=c", "~/p", "a=!x", "a=#x", "a=a,b", "a=str(1)",
    "a=int('5')", "a=sort([3,1,2])", "a=sort(3,1,2)", "a=float(2)", "a=bool('TRUE')", "a=bool(0)",
    # numbers and keywords
    "a=0", "a=-0", "a=+5", "a=1__0", "a=1_", "a=01.5", "a=1e5", "a=1E-3", "a=1.e5", "a=.5", "a=-.5",
    "a=1.5e+2_0", "a=3.14", "a=1_0.0_1", "a=infinity", "a=info", "a=-info", "a=true", "a=False",
    "a=tRuE", "a=null", "a=nULL", "a=true_x", "a=1abc", "a=1-2",
    # strings, whitespace, escapes
    "a=x y", "a= x ", "a=x\ty", "a=\\ x", "a=\\,", "a=x\\,y", "a=\\\\", "a=\\\\\\\\", "a=\\t",
    "a=\\(x\\)", "a=\\[\\]\\{\\}", "a=\\:\\=", "a=\\ ", "a=a\\", "a=/usr/lib", "a=%x*y?z|w@v",
    "a=x:y", "a=:", "a=a.b", "a=-", "a=+", "a=.",
    # quoted
    "a='x y'", 'a="x y"', "a=''", 'a=""', "a='it''s'", "a='\\''", "a='\\\\'", 'a="a\\"b"',
    'a="a\\\\"b"', 'a="\\"', 'a="""', "a='x' ", "a= 'x'", "a=x'y'", "a='é'", "a='a,b'",
    "a='${x}'", 'a="${oc.env:HOME}"', "a='x\\y'", "a='unterminated", "a='a\"b'",
    # interpolations
    "a=${a.b}", "a=${oc.env:X}", "a=${oc.env:X,y}", "a=${x}_y", "a=${a.${b}}", "a=${}", "a=$x", "a=$",
    # containers
    "a=[]", "a={}", "a=[ ]", "a={ }", "a=[1,[2,3]]", "a={a:1,b:[x,y]}", "a=[1, 2 ,3 ]",
    "a=[1,2] ", "a=[1,]", "a={a:b:c}", "a={a b : c d}", "a={ :1}", "a={1:2,true:3}", "a={null:1}",
    "a={'a':1}", "a={a:1,a:2}", "a=[a,[b,{c:d}]]", "a=[{}]", "a=[", "a={a}", "a={a:}",
    "a=['x',\"y\"]", "a={a:${x}}", "a=[1]x",
    # functions
    "a=str( 1 )", "a=str()", "a=str(true)", "a=str(1.5)", "a=str([1,2])", "a=str({a:1})",
    "a=int(1.9)", "a=int('x')", "a=int(null)", "a=bool(null)", "a=int(value=1)",
    "a=int(value=1,value=2)", "a=int(1,value=2)", "a=int(1,2)", "a=float('1_0')", "a=f(1)",
    "a=f (1)", "a=foo(x=1,2)", "a=str(x=1)", "a=choice(a,b)", "a=choice()", "a=choice(null)",
    "a=choice(int(1,2))", "a=choice(choice(a,b))", "a=choice(choice(a),b)", "a=range(5)",
    "a=range(1,5,2)", "a=range(1,stop=null)", "a=range(1,5,step=null)", "a=range(true)",
    "a=range(a)", "a=float(range(1,3))", "a=str(range(1,3))", "a=interval(1,2)",
    "a=int(interval(1,2))", "a=str(interval(1,2))", "a=tag(x,choice(1,2))", "a=tag(1,choice(1,2))",
    "a=tag(x,y)", "a=tag(x,sweep=range(3))", "a=glob(*)", "a=glob([a,b],exclude=c)",
    "a=glob(*,exclude=['x*'])", "a=int(glob(x))", "a=sort(['b','a'])", "a=sort(['a'])",
    "a=sort([b,a])", "a=sort(1,a)", "a=sort(list=[2,1],reverse=true)", "a=sort(reverse=true)",
    "a=sort(1,2,reverse=1)", "a=sort(range(5,1,-1))", "a=sort(range(1,5),reverse=true)",
    "a=sort(sweep=choice(b,a))", "a=sort({a:1})", "a=shuffle(x)", "a=shuffle(a,b)",
    "a=shuffle([1,2,3])", "a=shuffle(range(3))", "a=[choice(1,2)]", "a=str(int(1,2))",
    "a=x,choice(1,2)", "a=1,,2", "a=,", "a=1,", "a=a, b ,c", "a=str(1)(2)", "a=x f(1)",
    # keys
    "=1", "@p=1", "a@=1", "~", "+=1", "~@p", "~a", "~a=", "~a=1", "~a.b", "+a=1", "++a=1", "+++a=1",
    "~+a", "+~a=1", "a.b.c=1", "a-b.c_d=1", "$a=1", "a$b.c-d.0.1_0=1", "a.01=1", "0=1", "0.a=1",
    "1.2=x", "hydra/launcher=basic", "hydra.run.dir=/tmp/x", "db@pkg=x", "~db@pkg", "db@a.b=x",
    "db/site@pkg.x=y", "a/b/c=x", "a.b/c=1", "a/b.c=1", "a/$b=1", "/a=1", "a/=1", "a@b@c=1",
    "a =1", "a= 1", "a:b=1", "a", "", "a.=1", "a..b=1", "arch=etrm", "arch.encoder_type=standard",
    "+arch.halt_max_steps=16", "é=1", "a!=1",
    # control characters
    "a='x\nyz'", "a=${x\ny}", "a=x\ny", "a=x\r", "a\n=1", "a='\t'", "a=\\\t", "a=1_0.", "a=0.e1",
    "a=-.5e3", "a=1_0.5_5e1_0",
]


def test_table_is_large_enough() -> None:
    assert len(set(TABLE)) == len(TABLE) >= 120


@pytest.mark.parametrize("text", TABLE)
def test_differential_table(text: str) -> None:
    assert our_result(text) == hydra_result(text)


# ------------------------------------------------- exact expected values (notes 14)
EXPECTED = {
    "a=0x10": "0x10", "a=010": "010", "a=yes": "yes", "a=off": "off", "a=none": "none",
    "a=NULL": None, "a=TRUE": True, "a=1_000": 1000, "a=1.": 1.0, "a=x y": "x y", "a= x ": "x",
    "a=\\ x": " x", "a=x\\,y": "x,y", "a=\\\\": "\\", "a='it\\'s'": "it's", "a=": "",
    "a=${a.b}": "${a.b}", "a='${a.b} x'": "${a.b} x", "a=[1,[2,3]]": [1, [2, 3]],
    "a={a:1,b:[x,y]}": {"a": 1, "b": ["x", "y"]}, "a=[]": [], "a={}": {}, "a=str(1)": "1",
    "a=int('5')": 5, "a=sort([3,1,2])": [1, 2, 3], "a=float(2)": 2.0, "a={1:2}": {1: 2},
}


@pytest.mark.parametrize("text", sorted(EXPECTED))
def test_exact_values(text: str) -> None:
    o = parse_override(text)
    assert norm(o.value) == norm(EXPECTED[text])
    assert o.is_sweep is False


def test_inf_nan_and_types() -> None:
    assert parse_override("a=inf").value == math.inf
    assert parse_override("a=-inf").value == -math.inf
    assert math.isnan(parse_override("a=nan").value)
    assert type(parse_override("a=1.").value) is float
    assert type(parse_override("a=TRUE").value) is bool


@pytest.mark.parametrize("text", ["a=é", "a=b=c", "~/p", "a=!x", "a=#x", "a=x,", "a.b", "a=[1,2] "])
def test_refused(text: str) -> None:
    with pytest.raises(OverrideError):
        parse_override(text)


def test_error_offsets_and_messages() -> None:
    with pytest.raises(OverrideError) as e:
        parse_override("a=b=c")
    assert e.value.offset == 3
    with pytest.raises(OverrideError) as e:
        parse_override("arch=résumé")
    assert e.value.offset == 6 and "quote the value" in e.value.message
    with pytest.raises(OverrideError) as e:
        parse_override("a=[1,2")
    assert e.value.offset == 6 and "end of text" in e.value.message
    with pytest.raises(OverrideError) as e:
        parse_override("a.b")
    assert e.value.offset == 3 and "'='" in e.value.message
    with pytest.raises(OverrideError) as e:
        parse_override("x=[1,foo(2)]")
    assert e.value.offset == 5 and "unknown function 'foo'" in e.value.message
    with pytest.raises(OverrideError) as e:
        parse_override("a='abc")
    assert e.value.offset == 2 and "unterminated" in e.value.message
    assert isinstance(e.value, ValueError)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert parse_override("a=" + "[" * 300 + "1" + "]" * 300).value is not None
    deep = "[" * 3000 + "1" + "]" * 3000
    with pytest.raises(OverrideError) as e:
        parse_override("a=" + deep)
    assert e.value.offset == 2 and "nested too deeply" in e.value.message
    with pytest.raises(OverrideError):
        parse_value("{a:" * 3000 + "1" + "}" * 3000)


def test_sweeps() -> None:
    o = parse_override("a=x,y")
    assert o.is_sweep and o.value == ChoiceSweep(list=["x", "y"], simple_form=True)
    o = parse_override("a=choice('x',2)")
    assert o.is_sweep and o.value == ChoiceSweep(list=["x", 2], simple_form=False)
    assert parse_override("a=range(1,3)").value == RangeSweep(start=1, stop=3, step=1)
    assert parse_override("a=interval(0,1)").value == IntervalSweep(start=0.0, end=1.0)
    assert parse_override("a=glob(*)").value == Glob(include=["*"], exclude=[])
    assert parse_override("a=glob(*)").is_sweep
    inner = parse_override("a=[choice(1,2)]")
    assert not inner.is_sweep and inner.value == [ChoiceSweep(list=[1, 2])]
    assert parse_override("a=shuffle([1,2,3])").value == [1, 2, 3]  # Hydra's order is random


def test_kinds_and_keys() -> None:
    cases = {
        "+a.b=1": ("add", "a.b", None),
        "++a.b=1": ("force_add", "a.b", None),
        "~a.b": ("delete", "a.b", None),
        "~a.b=1": ("delete", "a.b", None),
        "db@pkg=x": ("change", "db", "pkg"),
        "~db@pkg": ("delete", "db", "pkg"),
        "db@=x": ("change", "db", ""),
        "hydra/launcher=basic": ("change", "hydra/launcher", None),
        "$a-1.b$=1": ("change", "$a-1.b$", None),
    }
    for text, (kind, key, package) in cases.items():
        o = parse_override(text)
        assert (o.type, o.key, o.package) == (kind, key, package), text
    assert parse_override("~a").value is None and parse_override("~a").value_text is None
    assert parse_override("~a=").value == "" and parse_override("~a=").value_text == ""
    assert parse_override("arch=x").is_group_like
    assert parse_override("db/site=x").is_group_like
    assert not parse_override("arch.encoder_type=x").is_group_like


def test_parse_value() -> None:
    assert parse_value("1_000") == 1000
    assert parse_value(" [a, 'b c']") == ["a", "b c"]
    assert parse_value("") == ""
    assert parse_value("x,y") == ChoiceSweep(list=["x", "y"], simple_form=True)
    with pytest.raises(OverrideError) as e:
        parse_value("a=b")
    assert e.value.offset == 1


# ---------------------------------------------------------------------- spans
def test_spans_shifted() -> None:
    o = parse_override("+db@pkg.x=[1, 2]", line=4, col=10)
    assert o.span == Span(4, 10, 4, 26)
    assert o.key_span == Span(4, 11, 4, 19)
    assert o.value_span == Span(4, 20, 4, 26)
    assert o.value_text == "[1, 2]"

    o = parse_override("++a.b= x", line=0, col=3)
    assert o.key_span == Span(0, 5, 0, 8)
    assert o.value_span == Span(0, 9, 0, 11)
    assert o.value_text == " x"

    o = parse_override("~arch", line=2, col=0)
    assert o.key_span == Span(2, 1, 2, 5) and o.value_span is None and o.span == Span(2, 0, 2, 5)

    o = parse_override("hydra/launcher=basic", 7, 2)
    assert o.key_span == Span(7, 2, 7, 16) and o.value_span == Span(7, 17, 7, 22)

    o = parse_override("a=", 1, 1)
    assert o.value_span == Span(1, 3, 1, 3) and o.value_text == ""

    o = parse_override("@p=1", 0, 5)  # empty key: a point before the '@'
    assert o.key_span == Span(0, 5, 0, 7) and o.key == "" and o.package == "p"

    o = parse_override("~", 0, 5)
    assert o.key_span == Span(0, 6, 0, 6)


def test_span_across_newline_in_quotes() -> None:
    o = parse_override("a='x\nyz'", line=3, col=8)
    assert o.value == "x\nyz"
    assert o.span == Span(3, 8, 4, 3)
    assert o.value_span == Span(3, 10, 4, 3)
    assert o.key_span == Span(3, 8, 3, 9)


# ------------------------------------------------------------- property tests
_ID = st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-]{0,5}", fullmatch=True)
_KEYWORD = st.sampled_from(["true", "FALSE", "null", "Null", "inf", "-NaN", "+inf", "yes", "none"])
_NUMBER = st.from_regex(r"[+-]?(0|[1-9](_?[0-9]){0,3})(\.([0-9](_?[0-9]){0,2})?)?([eE][+-]?[0-9]{1,2})?", fullmatch=True)
_ESCAPE = st.sampled_from(["\\\\", "\\,", "\\ ", "\\(", "\\)", "\\[", "\\]", "\\{", "\\}", "\\:", "\\=", "\\t", "\\"])
_QCHARS = st.text(alphabet="ab '\"\\,é${}", max_size=6)
_QUOTED = st.builds(lambda q, body: q + body + q, st.sampled_from(["'", '"']), _QCHARS)
_INTERP = st.builds(lambda s: "${" + s + "}", st.text(alphabet="ab.:,$ {", max_size=6))
_ATOM = st.one_of(_ID, _KEYWORD, _NUMBER, _ESCAPE, _QUOTED, _INTERP,
                  st.sampled_from(["/", "-", "+", ".", "$", "%", "*", "@", "?", "|", ":", " ", "\t", "é", "!"]))
_FUNC = st.sampled_from(["int", "str", "float", "bool", "choice", "range", "interval", "tag", "sort",
                         "shuffle", "glob", "nope"])
_WSP = st.sampled_from(["", "", "", " ", "\t "])


def _containers(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    seq = st.lists(children, max_size=3)
    return st.one_of(
        st.builds(lambda w1, xs, w2: "[" + w1 + ",".join(xs) + w2 + "]", _WSP, seq, _WSP),
        st.builds(lambda ps: "{" + ",".join(f"{k}:{v}" for k, v in ps) + "}",
                  st.lists(st.tuples(st.one_of(_ID, _NUMBER, _KEYWORD), children), max_size=3)),
        st.builds(lambda f, w, xs: f + w + "(" + ",".join(xs) + ")", _FUNC, _WSP,
                  st.lists(st.one_of(children, st.builds(lambda k, v: k + "=" + v,
                                                          st.sampled_from(["value", "stop", "step", "reverse", "list", "sweep", "exclude"]), children)),
                           max_size=3)),
        st.builds(lambda a, w, b: a + w + "," + w + b, children, _WSP, children),
    )


_VALUE = st.recursive(st.lists(_ATOM, min_size=1, max_size=3).map("".join), _containers, max_leaves=8)
_KEY = st.one_of(
    st.lists(st.one_of(_ID, st.sampled_from(["0", "12", "$x", "a$", "01"])), min_size=1, max_size=3).map(".".join),
    st.lists(_ID, min_size=2, max_size=3).map("/".join),
    st.just(""),
)
_OVERRIDE = st.builds(
    lambda p, k, pkg, eq, v: p + k + pkg + eq + v,
    st.sampled_from(["", "", "+", "++", "~", "+++"]),
    _KEY,
    st.one_of(st.just(""), st.just("@"), st.builds(lambda x: "@" + x, _ID), st.just("@a.b")),
    st.sampled_from(["=", "=", "= ", "", "=="]),
    _VALUE,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_OVERRIDE)
def test_property_grammar_shaped(text: str) -> None:
    assert our_result(text) == hydra_result(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab01_.$/@~+=,:()[]{}'\" \t\\!#é-*", max_size=14))
def test_property_random_strings(text: str) -> None:
    assert our_result(text) == hydra_result(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab01_.$/@=,:()[]{}'\" \t\\é-", max_size=12))
def test_property_random_values(text: str) -> None:
    assert our_result("k=" + text) == hydra_result("k=" + text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aTn0_1-/.+%*@?|:$~=eEif", min_size=1, max_size=10))
def test_fast_paths_agree_with_general_parser(text: str) -> None:
    """The regex shortcuts for plain keys and values give what the token-level parser gives."""
    from trainpath.parsing import overrides as mod

    def general() -> Any:
        toks, eq = mod._lex_key(text)
        head = mod._parse_key(text, toks, eq)
        if eq < 0:
            if head[0] != "delete":
                raise OverrideError("missing '='", len(text))
            return head
        return head, norm(mod._ValueParser(text, mod._lex_value(text, eq + 1)).value() if eq + 1 < len(text) else "")

    def fast() -> Any:
        o = parse_override(text)
        head = (o.type, o.key, o.package, o.key_span.col, o.key_span.end_col)
        return head if o.value_text is None else (head, norm(o.value))

    try:
        expected: Any = general()
    except OverrideError:
        expected = "ERROR"
    try:
        got: Any = fast()
    except OverrideError:
        got = "ERROR"
    assert got == expected
