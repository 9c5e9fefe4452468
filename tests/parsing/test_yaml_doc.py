"""Tests for trainpath.parsing.yaml_doc: values against Hydra itself, exact spans, comments, findings."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hydra._internal.core_plugins.file_config_source import FileConfigSource
from hydra.plugins.config_source import ConfigSource
from omegaconf import OmegaConf

from trainpath.parsing import yaml_doc
from trainpath.parsing.positions import Span
from trainpath.parsing.yaml_doc import PackageHeader, YMap, YScalar, YSeq, load_yaml, parse_yaml

P = Path("config/cfg.yaml")

# --------------------------------------------------------------------------- the oracle


def hydra_file_load(tmp_path: Path, text: str) -> tuple[str, Any, Any]:
    """Load ``text`` the way Hydra 1.3 loads a config file: ('ok', value, package) or ('err', type, None)."""
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    try:
        result = FileConfigSource(provider="test", path=str(tmp_path)).load_config("c")
        return "ok", OmegaConf.to_container(result.config), result.header["package"]
    except Exception as exc:  # noqa: BLE001 - any failure means Hydra refuses the file
        return "err", type(exc).__name__, None


def hydra_text_load(text: str) -> tuple[str, Any, Any]:
    """FileConfigSource.load_config without the file: header from the first 512 chars + OmegaConf.load."""
    try:
        header = ConfigSource._get_header_dict(text[:512])
        cfg = OmegaConf.load(io.StringIO(text))
        return "ok", OmegaConf.to_container(cfg), header["package"]
    except Exception as exc:  # noqa: BLE001
        return "err", type(exc).__name__, None


def ours(text: str) -> tuple[str, Any, Any]:
    doc = parse_yaml(text, P)
    if not doc.ok or doc.header_error is not None:
        return "err", None, None
    return "ok", doc.value, doc.header.package if doc.header else None


def same(expected: tuple[str, Any, Any], got: tuple[str, Any, Any]) -> bool:
    if expected[0] == "err":
        return got[0] == "err"
    # repr compares types, key order and nan too
    return got[0] == "ok" and repr(expected[1]) == repr(got[1]) and expected[2] == got[2]


SNIPPETS = [
    # YAML 1.1 scalars as OmegaConf reads them
    "a: yes", "a: No", "a: on", "a: OFF", "a: true", "a: y", "a: 017", "a: 1:30", "a: 190:20:30", "a: 1:70",
    "a: 0o17", "a: 0x1F", "a: 0b101", "a: -0", "a: +12", "a: 1_000", "a: -.5", "a: +.5", "a: .5", "a: -0.5",
    "a: 1e-4", "a: 1E3", "a: 1.0e+3", "a: 1.", "a: .5e3", "a: 685.230_15e+03", "a: 20:30.15", "a: .inf",
    "a: -.Inf", "a: .nan", "a: 2020-01-01", "a: 2001-12-14t21:59:43.10-05:00", "a: ~", "a: null", "a: Null",
    "a:", "a: '???'", "a: ???", "a: ${.b}", "a: '1'", 'a: "yes"', "a: =", "a: <<", "- =", "=: 1",
    # keys
    "1: a", "1.5: a", "true: a", "null: 1", "~: 1", "? null\n: 1", "a: {null: 1}", "[1, 2]: a", "{a: 1}: b",
    "1: a\ntrue: b", "1: a\n1: b", "1.0: a\n1: b", "a: 1\na: 2", "a: 1\n'a': 2", "a:\n  b: 1\n  b: 2",
    "? a\n", "? |\n  x\n: 1", "1:\n  ~: yes\n1: yes\n", "a: &m {~: 1}\na: 2\n", "a: &m {~: 1}\nb: 2\nc: *m",
    # top level
    "", "# only a comment\n", "---", "~", "just a string", '"42"', "42", '"a: 1"', '"- x"', '"~"', '"yes"',
    "- 1\n- 2", "[1, 2]", "!!binary aGVsbG8=", "3.5",
    # documents, aliases, merges
    "---\na: 1\n---\nb: 2", "a: 1\n---\n", "a: 1\n...\n", "a: &x {b: 1}\nc:\n  <<: *x\n  d: 2",
    "a: &x [1, 2]\nb: *x", "a: *y", "a: &x 1\nb: &x 2", "a: &x [*x]", "<<: {a: 1}\na: 2", "<<: {a: 1, a: 2}",
    "<<: [{a: 1}, {a: 2, b: 3}]\nc: 1", "<<: 1", "<<: [1]", '"<<": {a: 1}', "x: &a {b: 1, b: 2}\n",
    "x:\n  <<: &a {b: 1, b: 2}\ny: *a", "x:\n  <<: &a {b: 1, b: 2}\n",
    # tags
    "a: !!str 1", "a: !!int '12'", "a: !!float 1", "a: ! 1", "a: !!null foo", "a: !!bool foo", "a: !!int x",
    "a: !foo 1", "a: !!binary aGVsbG8=", "a: !!timestamp 2020-01-01", "a: !!set {x, y}",
    "a: !!omap [x: 1, y: 2]", "a: !!pairs [x: 1]", "a: !!map [1]", "a: !!seq {a: 1}", "a: !!str {a: 1}",
    "a: !!python/object/apply:pathlib.Path [x, y]",
    # syntax
    "a:\tb", "\ta: 1", "a:\n\t- 1", 'a: "x\ty"', "a: x # \tc", "a: b: c", "a: [1", "a: 'x", "a: b\x07",
    'a: "\\x07"', "a: |\n  x\n b: 1", "- a\nb: 1", "a: {b: 1", "a: @x", "a: `x",
    # headers (hydra-notes 1, 2)
    "# @package foo\na: 1", "#@package foo\na: 1", "# hi\n# @package foo\na: 1", "\n\n# @package foo",
    "# @package _group_\na: 1", "# @package _global_\n# @package x\na: 1", "# @foo\na: 1",
    "# @package a b\na: 1", "# @foo bar\na: 1", "a: 1\n# @package foo", "  #   @package   x.y  \na: 1",
    "# @package\tfoo\na: 1", "##@package x\na: 1",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_value_matches_hydra(tmp_path: Path, text: str) -> None:
    expected = hydra_file_load(tmp_path, text)
    got = ours(text)
    assert same(expected, got), (expected, got, [f.message for f in parse_yaml(text, P).findings])


def test_header_only_read_in_first_512_chars(tmp_path: Path) -> None:
    pad = "#" + "x" * 520 + "\n"
    assert hydra_file_load(tmp_path, pad + "# @package foo\na: 1")[2] is None  # an ordinary comment first
    blank = "\n" * 600 + "# @package foo\na: 1\n"
    assert hydra_file_load(tmp_path, blank)[2] is None
    assert parse_yaml(blank, P).header is None
    cut = "\n" * 505 + "# @package foo\na: 1\n"  # the header line is cut at '# @pack'
    assert hydra_file_load(tmp_path, cut)[0] == "err"
    assert parse_yaml(cut, P).header_error == "Expected header format: KEY VALUE, got '@pack'"


# --------------------------------------------------------------------------- hypothesis

TOKENS = [
    "yes", "No", "on", "off", "TRUE", "017", "0o17", "0x1F", "1:30", "-.5", "+.5", ".5", "-0.5", "1e-4",
    "1.0e+3", "1_000", "2020-01-01", "~", "null", "???", "${.a}", "${x.y}", "'q'", '"d"', '"1"', "''", ".inf",
    "1.", "0b11", "-0", "a b", "x@Y", "é", "😀", "'it''s'", '"t\\tx"', "=", "<<", "-", "a:b", "1:70", "",
]
KEYS = ["a", "b", "name", "1", "yes", "~", "'a'", '"b"', "x_y", "<<", "=", "é"]


def _render_block(node: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(node, dict):
        out = []
        for key, child in node["items"]:
            if isinstance(child, (dict, list)) and child_has_items(child) and not node["flow"]:
                out.append(f"{pad}{key}:")
                out.extend(_render_block(child, indent + 2))
            else:
                out.append(f"{pad}{key}: {_render_flow(child)}".rstrip())
        return out or [pad + "{}"]
    out = []
    for child in node:
        if isinstance(child, dict) and child_has_items(child) and not child["flow"]:
            inner = _render_block(child, indent + 2)
            out.append(pad + "- " + inner[0].lstrip())
            out.extend(inner[1:])
        else:
            out.append(f"{pad}- {_render_flow(child)}".rstrip())
    return out or [pad + "[]"]


def child_has_items(node: Any) -> bool:
    return bool(node["items"]) if isinstance(node, dict) else bool(node)


def _render_flow(node: Any) -> str:
    if isinstance(node, dict):
        return "{" + ", ".join(f"{k}: {_render_flow(v)}" for k, v in node["items"]) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_render_flow(v) for v in node) + "]"
    return node


scalar_st = st.sampled_from(TOKENS)
tree_st = st.recursive(
    scalar_st,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.fixed_dictionaries(
            {"items": st.lists(st.tuples(st.sampled_from(KEYS), children), max_size=3), "flow": st.booleans()}
        ),
    ),
    max_leaves=8,
)
doc_st = st.builds(
    lambda items, header, comment: header + comment + "\n".join(_render_block({"items": items, "flow": False}, 0)) + "\n",
    st.lists(st.tuples(st.sampled_from(KEYS), tree_st), min_size=0, max_size=4),
    st.sampled_from(["", "# @package _global_\n", "#@package a.b\n\n", "# @oops\n"]),
    st.sampled_from(["", "# doc\n"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc_st)
def test_generated_documents_match_hydra(text: str) -> None:
    assert same(hydra_text_load(text), ours(text)), text


@settings(max_examples=60, deadline=None)
@given(doc_st)
def test_fast_and_pure_parsers_give_identical_trees(text: str) -> None:
    if yaml_doc._FAST_LOADER is yaml_doc._PURE_LOADER or "\t" in text:
        return
    starts = yaml_doc._line_starts(text)
    outcomes = []
    for loader in (yaml_doc._FAST_LOADER, yaml_doc._PURE_LOADER):
        comp = yaml_doc._Composer(text, starts)
        try:
            root = comp.run(loader)
        except yaml.YAMLError:
            outcomes.append("error")
            continue
        outcomes.append((_dump(root.y) if root else None, repr(root.value) if root else None, comp.problems))
    assert outcomes[0] == outcomes[1] or outcomes[0] == "error"


def _dump(node: Any) -> Any:
    if isinstance(node, YScalar):
        return ("s", repr(node.value), node.span, node.raw, node.style)
    if isinstance(node, YMap):
        return ("m", node.span, [(_dump(e.key), _dump(e.value)) for e in node.entries])
    return ("q", node.span, [_dump(i) for i in node.items])


# --------------------------------------------------------------------------- spans and comments

REALISTIC = """\
# @package _global_
# Main config for ETRM pretraining.

defaults:
  # the model
  - arch: trm
  - _self_
  - override /x: y  # swap x

hydra:
  output_subdir: null

arch:
  name: recursive_reasoning.etrm@TRMWithEncoder  # the model class
  hidden_size: 512
  # ratio of the MLP
  # (keep it at 4)
  expansion: 4
  puzzle_emb_ndim: ${.hidden_size}
  encoder_type: ???
  loss:
    name: losses@ACTLossHead
  evaluators:
    - name: arc@ARC
      k: [1, 2]
lr: 1e-4
run_name: "etrm é😀"  # quoted
"""


def test_realistic_config_value_matches_hydra(tmp_path: Path) -> None:
    assert same(hydra_file_load(tmp_path, REALISTIC), ours(REALISTIC))


def test_realistic_config_spans_and_comments() -> None:
    doc = parse_yaml(REALISTIC, P)
    assert doc.ok and doc.findings == []
    assert doc.header == PackageHeader("_global_", Span(0, 11, 0, 19))
    assert doc.header_error is None
    got = {path: (e.key.span, e.key.raw, e.comment) for path, e in doc.entries()}
    assert got == {
        ("defaults",): (Span(3, 0, 3, 8), "defaults", None),
        ("defaults", 0, "arch"): (Span(5, 4, 5, 8), "arch", "the model"),
        ("defaults", 2, "override /x"): (Span(7, 4, 7, 15), "override /x", "swap x"),
        ("hydra",): (Span(9, 0, 9, 5), "hydra", None),
        ("hydra", "output_subdir"): (Span(10, 2, 10, 15), "output_subdir", None),
        ("arch",): (Span(12, 0, 12, 4), "arch", None),
        ("arch", "name"): (Span(13, 2, 13, 6), "name", "the model class"),
        ("arch", "hidden_size"): (Span(14, 2, 14, 13), "hidden_size", None),
        ("arch", "expansion"): (Span(17, 2, 17, 11), "expansion", "ratio of the MLP\n(keep it at 4)"),
        ("arch", "puzzle_emb_ndim"): (Span(18, 2, 18, 17), "puzzle_emb_ndim", None),
        ("arch", "encoder_type"): (Span(19, 2, 19, 14), "encoder_type", None),
        ("arch", "loss"): (Span(20, 2, 20, 6), "loss", None),
        ("arch", "loss", "name"): (Span(21, 4, 21, 8), "name", None),
        ("arch", "evaluators"): (Span(22, 2, 22, 12), "evaluators", None),
        ("arch", "evaluators", 0, "name"): (Span(23, 6, 23, 10), "name", None),
        ("arch", "evaluators", 0, "k"): (Span(24, 6, 24, 7), "k", None),
        ("lr",): (Span(25, 0, 25, 2), "lr", None),
        ("run_name",): (Span(26, 0, 26, 8), "run_name", "quoted"),
    }
    values = {path: (s.span, s.raw, s.value, s.style) for path, s in doc.scalars()}
    assert values == {
        ("defaults", 0, "arch"): (Span(5, 10, 5, 13), "trm", "trm", None),
        ("defaults", 1): (Span(6, 4, 6, 10), "_self_", "_self_", None),
        ("defaults", 2, "override /x"): (Span(7, 17, 7, 18), "y", "y", None),
        ("hydra", "output_subdir"): (Span(10, 17, 10, 21), "null", None, None),
        ("arch", "name"): (Span(13, 8, 13, 47), "recursive_reasoning.etrm@TRMWithEncoder", "recursive_reasoning.etrm@TRMWithEncoder", None),
        ("arch", "hidden_size"): (Span(14, 15, 14, 18), "512", 512, None),
        ("arch", "expansion"): (Span(17, 13, 17, 14), "4", 4, None),
        ("arch", "puzzle_emb_ndim"): (Span(18, 19, 18, 34), "${.hidden_size}", "${.hidden_size}", None),
        ("arch", "encoder_type"): (Span(19, 16, 19, 19), "???", "???", None),
        ("arch", "loss", "name"): (Span(21, 10, 21, 28), "losses@ACTLossHead", "losses@ACTLossHead", None),
        ("arch", "evaluators", 0, "name"): (Span(23, 12, 23, 19), "arc@ARC", "arc@ARC", None),
        ("arch", "evaluators", 0, "k", 0): (Span(24, 10, 24, 11), "1", 1, None),
        ("arch", "evaluators", 0, "k", 1): (Span(24, 13, 24, 14), "2", 2, None),
        ("lr",): (Span(25, 4, 25, 8), "1e-4", 0.0001, None),
        ("run_name",): (Span(26, 10, 26, 19), '"etrm é😀"', "etrm é😀", '"'),
    }
    assert doc.node(("defaults",)).span == Span(5, 2, 7, 18)
    assert doc.node(("arch",)).span == Span(13, 2, 24, 15)
    assert doc.node(("arch", "evaluators", 0, "k")).span == Span(24, 9, 24, 15)
    assert doc.entry(("arch", "loss")).value is doc.node(("arch", "loss"))
    assert doc.node(("arch", "nope")) is None and doc.node(("lr", 0)) is None and doc.entry(()) is None
    assert doc.node(()) is doc.root and doc.node(("defaults", 5)) is None


def test_at_finds_key_or_value_under_cursor() -> None:
    doc = parse_yaml(REALISTIC, P)
    path, scalar, role = doc.at(13, 2)
    assert (path, scalar.raw, role) == (("arch", "name"), "name", "key")
    path, scalar, role = doc.at(13, 30)
    assert (path, scalar.raw, role) == (("arch", "name"), "recursive_reasoning.etrm@TRMWithEncoder", "value")
    path, scalar, role = doc.at(13, 47)  # end inclusive
    assert role == "value"
    assert doc.at(23, 8)[0:1] == (("arch", "evaluators", 0, "name"),)
    assert doc.at(24, 13)[0] == ("arch", "evaluators", 0, "k", 1)
    assert doc.at(6, 5)[0] == ("defaults", 1)
    assert doc.at(1, 3) is None  # a comment
    assert doc.at(13, 7) is None  # the ': ' between key and value


def test_comments_edge_cases() -> None:
    text = (
        "# @package foo\n"  # header: never a comment
        "a: 1\n"
        "# block 1\n"
        "\n"
        "# above b\n"
        "b: |  # on b\n"
        "  # inside the scalar\n"
        "c: 'x # not a comment'\n"
        "d: \"multi\n"
        "  line\" # not on d's line\n"
        "e: {f: 1, g: 2}  # on e\n"
        "h: [1,  # on h\n"
        "  2]\n"
        "###  two hashes\n"
        "i: x#y\n"
    )
    doc = parse_yaml(text, P)
    comments = {p: e.comment for p, e in doc.entries()}
    assert comments == {
        ("a",): None,
        ("b",): "above b\non b",
        ("c",): None,
        ("d",): None,
        ("e",): "on e",
        ("e", "f"): None,
        ("e", "g"): None,
        ("h",): "on h",
        ("i",): "##  two hashes",
    }
    assert doc.value["i"] == "x#y" and doc.value["b"] == "# inside the scalar\n"


def test_block_and_multiline_scalar_spans() -> None:
    text = "a: |\n  one\n  two\n\nb: >-\n  folded\nc: plain\n  continued\nd: 'q\n  r'\ne: |\nf: 1\n"
    doc = parse_yaml(text, P)
    spans = {p: (s.span, s.raw, s.style) for p, s in doc.scalars()}
    assert spans[("a",)] == (Span(0, 3, 2, 5), "|\n  one\n  two", "|")
    assert spans[("b",)] == (Span(4, 3, 5, 8), ">-\n  folded", ">")
    assert spans[("c",)] == (Span(6, 3, 7, 11), "plain\n  continued", None)
    assert spans[("d",)] == (Span(8, 3, 9, 4), "'q\n  r'", "'")
    assert spans[("e",)] == (Span(10, 3, 10, 4), "|", "|")
    assert doc.value == {"a": "one\ntwo\n", "b": "folded", "c": "plain continued", "d": "q r", "e": "", "f": 1}


def test_unicode_columns_are_code_points() -> None:
    doc = parse_yaml("é😀: '😀x'\nk: [ü, 😀😀]\n", P)
    (path, entry), _ = list(doc.entries())
    assert entry.key.span == Span(0, 0, 0, 2) and entry.value.span == Span(0, 4, 0, 8)
    assert [s.span for p, s in doc.scalars()][1:] == [Span(1, 4, 1, 5), Span(1, 7, 1, 9)]


def test_line_separator_characters_do_not_shift_lines() -> None:
    # PyYAML breaks lines at U+2028 too; trainpath's lines are '\n'-separated
    doc = parse_yaml("a: 'x\u2028y'\nb: 1\n", P)
    assert doc.ok
    assert doc.entry(("b",)).key.span == Span(1, 0, 1, 1)
    assert doc.entry(("a",)).value.span == Span(0, 3, 0, 8)


def test_empty_values_and_anchored_values() -> None:
    assert parse_yaml("f: {g: , h: }\n", P).node(("f", "h")).span == Span.point(0, 11)
    doc = parse_yaml("a:\nb:\n  -\n  - x\nc: &k v\nd: *k\ne: !!str 5\n", P)
    assert doc.node(("a",)).span == Span.point(0, 2)
    assert doc.node(("b", 0)).span == Span.point(2, 3)
    assert doc.node(("c",)).span == Span(4, 6, 4, 7)  # without '&k '
    alias = doc.node(("d",))
    assert (alias.span, alias.raw, alias.value) == (Span(5, 3, 5, 5), "*k", "v")
    assert (doc.node(("e",)).span, doc.node(("e",)).value) == (Span(6, 9, 6, 10), "5")
    assert doc.at(5, 4)[0:1] == (("d",),)


def test_merge_keys_and_aliases() -> None:
    text = "base: &b\n  x: 1\n  y: 2\nmine:\n  <<: *b\n  y: 3\nother: *b\n"
    doc = parse_yaml(text, P)
    assert doc.value == {"base": {"x": 1, "y": 2}, "mine": {"x": 1, "y": 3}, "other": {"x": 1, "y": 2}}
    assert doc.value["other"] is not doc.value["base"]
    assert doc.node(("mine", "x")).span == Span(1, 5, 1, 6)  # found where it is written
    assert doc.node(("mine", "y")).span == Span(5, 5, 5, 6)
    assert isinstance(doc.node(("other",)), YMap) and doc.node(("other",)).span == Span(6, 7, 6, 9)
    assert doc.node(("other", "y")).value == 2
    # entries()/scalars() list what is written here, not merged or aliased copies
    assert [p for p, _ in doc.entries()] == [("base",), ("base", "x"), ("base", "y"), ("mine",), ("mine", "y"), ("other",)]
    assert doc.at(1, 5)[0] == ("base", "x")


# --------------------------------------------------------------------------- findings


def _findings(text: str) -> list[tuple[Span, str]]:
    return [(f.span, f.message) for f in parse_yaml(text, P).findings]


def test_duplicate_key_is_reported_at_the_second_key() -> None:
    assert _findings("a: 1\nb:\n  c: 1\n  c: 2\n") == [
        (Span(3, 2, 3, 3), "duplicate key `c` (first on line 3); OmegaConf refuses duplicate keys")
    ]
    doc = parse_yaml("a: 1\na: 2\n", P)
    assert doc.value is None and not doc.ok and doc.root is not None
    assert doc.findings[0].code == "yaml-syntax"


def test_tabs_syntax_errors_and_documents() -> None:
    assert _findings("a:\n\tb: 1\n") == [
        (Span(1, 0, 1, 1), "invalid YAML: tab character used for indentation; YAML allows only spaces")
    ]
    assert _findings("a: b: c\n") == [(Span(0, 4, 0, 5), "invalid YAML: mapping values are not allowed here")]
    assert _findings("a: [1\n") == [(Span.point(1, 0), "invalid YAML: expected ',' or ']', but got '<stream end>'")]
    assert _findings("a: 1\n---\nb: 2\n") == [
        (Span(1, 0, 1, 1), "invalid YAML: found a second document; a Hydra config file holds one YAML document")
    ]
    doc = parse_yaml("a: [1\n", P)
    assert doc.root is None and doc.value is None and not doc.ok


def test_value_errors() -> None:
    assert _findings("a: =\n") == [
        (Span(0, 3, 0, 4), "`=` is YAML 1.1's 'value' indicator and cannot be a value here; quote it: '='")
    ]
    assert _findings("x: 1\n~: 2\n") == [(Span(1, 0, 1, 1), "null key: OmegaConf accepts only string, number or bool keys")]
    assert _findings("a: !!int x\n") == [(Span(0, 9, 0, 10), "cannot read 'x' as int")]
    assert _findings("a: *nope\n") == [(Span(0, 3, 0, 4), "invalid YAML: found undefined alias 'nope'")]
    assert _findings("42\n") == [
        (Span(0, 0, 0, 2), "a config file must hold a mapping, not a value of type int (OmegaConf: Invalid loaded object type)")
    ]


def test_top_level_string_is_reread_like_omegaconf() -> None:
    assert parse_yaml("just a string\n", P).value == {"just a string": None}
    assert parse_yaml("'a: 1'\n", P).value == {"a": 1}
    assert parse_yaml("", P).value == {} and parse_yaml("", P).root is None


def test_header_rules() -> None:
    doc = parse_yaml("\n  #@package   foo.bar  \n# @other x\na: 1\n", P)
    assert doc.header == PackageHeader("foo.bar", Span(1, 14, 1, 21))
    assert parse_yaml("# note\n# @package foo\na: 1\n", P).header is None
    doc = parse_yaml("# @package\na: 1\n", P)
    assert (doc.header, doc.header_error) == (None, "Expected header format: KEY VALUE, got '@package'")
    assert doc.value == {"a": 1}  # the YAML itself is fine
    assert parse_yaml("# @package a b\n", P).header_error == "Too many components in '@package a b'"


# --------------------------------------------------------------------------- files and cache


def test_load_yaml_caches_by_content(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("a: 1\n")
    first = load_yaml(f)
    assert load_yaml(f) is first and first.value == {"a": 1}
    f.write_text("a: 2\n")
    second = load_yaml(f)
    assert second is not first and second.value == {"a": 2}
    f.write_text("a: 1\n")
    assert load_yaml(f) is first


def test_load_yaml_unreadable(tmp_path: Path) -> None:
    f = tmp_path / "bin.yaml"
    f.write_bytes(b"a: \x00\x01")
    doc = load_yaml(f)
    assert doc.text is None and doc.root is None and doc.value is None
    assert [x.code for x in doc.findings] == ["unreadable-file"] and doc.ok
    missing = load_yaml(tmp_path / "missing.yaml")
    assert [x.code for x in missing.findings] == ["unreadable-file"]


def test_crlf_file(tmp_path: Path) -> None:
    f = tmp_path / "w.yaml"
    f.write_bytes(b"# @package x\r\na: 1  # one\r\nb: [2]\r\n")
    doc = load_yaml(f)
    assert doc.value == {"a": 1, "b": [2]} and doc.header.package == "x"
    assert doc.entry(("a",)).comment == "one" and doc.node(("b", 0)).span == Span(2, 4, 2, 5)


def test_unchanged_content_is_never_parsed_again() -> None:
    lines = ["defaults:", "  - arch: trm", "  - _self_"]
    for i in range(50):
        lines += [f"# block {i}", f"block{i}:", f"  hidden_size: {i}  # hs", f"  name: m.n@C{i}", "  lr: 1e-4", f"  r: ${{.hidden_size}}"]
    text = "\n".join(lines[:300]) + "\n"
    doc = parse_yaml(text, P)
    assert parse_yaml(text, P) is doc  # unchanged content is never parsed again


def test_seq_root_and_kinds() -> None:
    doc = parse_yaml("- a\n- {b: 1}\n", P)
    assert doc.value == ["a", {"b": 1}] and isinstance(doc.root, YSeq)
    assert doc.node((1, "b")).value == 1 and doc.node((True,)) is None
    m = parse_yaml("1: a\ntrue: b\n'1': c\n", P).root
    # like the dict: `true` replaces `1` (they are equal keys); '1' is another key
    assert m.get(True).value.value == "b" and m.get("1").value.value == "c" and m.get(2) is None
