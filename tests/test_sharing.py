"""What the index shares to save memory gives exactly the answers it gave unshared.

Equal spans, scalars of YAML documents, module bindings and graph keys are
one object each; provenance keeps its key paths once per layout.  Each test
checks the sharing and the exact answers read through it.
"""

from __future__ import annotations

from pathlib import Path

from trainpath.chain.model import Graph, Link, Ref
from trainpath.compose import ConfigRepo, compose
from trainpath.compose.result import ComposeResult, Origin, Provenance
from trainpath.interning import Interner
from trainpath.parsing.overrides import parse_override
from trainpath.parsing.positions import Span
from trainpath.parsing.yaml_doc import parse_yaml
from trainpath.pyindex.summary import FileCache

from tests.compose.harness import write


def test_interner_shares_equal_values_and_starts_again_when_full():
    share = Interner(limit=2)
    a = share(Span(1, 2, 1, 4))
    assert share(Span(1, 2, 1, 4)) is a
    b = share(Span(0, 0, 0, 1))
    c = share(Span(5, 0, 5, 1))  # full: the table starts again with this one
    assert len(share) == 1 and share(Span(5, 0, 5, 1)) is c
    assert share(Span(1, 2, 1, 4)) == a and b == Span(0, 0, 0, 1)


def test_yaml_documents_share_equal_scalars_and_answer_the_same(tmp_path):
    one = parse_yaml("lr: 0.1\nname: a\nquoted: 'x'\n", tmp_path / "one.yaml")
    two = parse_yaml("lr: 0.1\nname: b\nquoted: 'x'\n", tmp_path / "two.yaml")
    assert one.entry(("lr",)).key is two.entry(("lr",)).key
    assert one.node(("lr",)) is two.node(("lr",))
    assert one.node(("quoted",)) is two.node(("quoted",))
    assert one.node(("name",)) is not two.node(("name",))
    assert (one.value, two.value) == ({"lr": 0.1, "name": "a", "quoted": "x"}, {"lr": 0.1, "name": "b", "quoted": "x"})
    keypath, scalar, where = two.at(1, 6)
    assert (keypath, scalar.value, scalar.span, scalar.raw, where) == (("name",), "b", Span(1, 6, 1, 7), "b", "value")
    assert [(p, e.key.span) for p, e in one.entries()] == [
        (("lr",), Span(0, 0, 0, 2)), (("name",), Span(1, 0, 1, 4)), (("quoted",), Span(2, 0, 2, 6))]


def test_equal_text_of_another_type_is_never_shared(tmp_path):
    plain = parse_yaml("a: 5\n", tmp_path / "plain.yaml")
    tagged = parse_yaml("a: !!str 5\n", tmp_path / "tagged.yaml")
    assert (plain.value, tagged.value) == ({"a": 5}, {"a": "5"})
    assert plain.node(("a",)) is not tagged.node(("a",))


def test_an_alias_keeps_its_own_scalar(tmp_path):
    doc = parse_yaml("a: &x 1\nb: *x\n", tmp_path / "alias.yaml")
    assert doc.value == {"a": 1, "b": 1}
    assert [p for p, _ in doc.scalars()] == [("a",), ("b",)]
    assert doc.node(("b",)) is not doc.node(("a",)) and doc.node(("b",)).span == Span(1, 3, 1, 5)


def test_module_summaries_share_equal_bindings(tmp_path):
    for name in ("m1.py", "m2.py"):
        (tmp_path / name).write_text("import torch\nfrom a.b import C as D\n\nclass Model:\n    pass\n")
    cache = FileCache()
    s1, s2 = cache.summary(tmp_path / "m1.py"), cache.summary(tmp_path / "m2.py")
    assert s1.bindings == s2.bindings
    assert all(s1.bindings[n] is s2.bindings[n] for n in s1.bindings)
    d = s1.bindings["D"]
    assert (d.kind, d.from_module, d.from_name, d.span, d.line_span) == (
        "import_from", "a.b", "C", Span(1, 16, 1, 22), Span(1, 0, 1, 22))
    m = s1.bindings["Model"]
    assert (m.kind, m.def_kind, m.span, m.line_span) == ("def", "class", Span(3, 6, 3, 11), Span(3, 0, 3, 12))


FILES = {
    "c.yaml": "defaults:\n  - arch: a\n  - _self_\nlr: 1\n",
    "arch/a.yaml": "x: 1\nloss: {name: l}\n",
}


def test_provenance_shares_its_layout_and_answers_as_the_dict_did(tmp_path):
    repo = ConfigRepo(write(tmp_path, FILES))
    ov = parse_override("arch.x=5")
    plain, overridden = compose(repo, "c", []), compose(repo, "c", [ov])
    assert isinstance(plain.provenance, Provenance) and plain.provenance._index is overridden.provenance._index
    where = {k: (o.path.name if o.path else None, o.span) for k, o in plain.provenance.items()}
    assert where == {("arch",): ("a.yaml", None), ("arch", "x"): ("a.yaml", Span(0, 0, 0, 1)),
                     ("arch", "loss"): ("a.yaml", Span(1, 0, 1, 4)),
                     ("arch", "loss", "name"): ("a.yaml", Span(1, 7, 1, 11)), ("lr",): ("c.yaml", Span(3, 0, 3, 2))}
    assert overridden.provenance[("arch", "x")].override is ov
    assert overridden.provenance.get(("arch", "loss")) is plain.provenance[("arch", "loss")]
    assert plain.provenance.get(("nope",)) is None and ("nope",) not in plain.provenance
    assert ("arch", "x") in plain.provenance and len(plain.provenance) == 5


def test_a_provenance_given_as_a_dict_is_kept_compact_and_equal():
    origin = Origin(Path("c.yaml"), Span(0, 0, 0, 2))
    result = ComposeResult(config={"lr": 1}, provenance={("lr",): origin})
    assert isinstance(result.provenance, Provenance)
    assert result.provenance == {("lr",): origin} and list(result.provenance.items()) == [(("lr",), origin)]
    result.provenance = {}
    assert not result.provenance and dict(result.provenance) == {}


def _link(line: int) -> Link:
    return Link("model", "models.a@M", Ref(Path("c.yaml"), Span(line, 6, line, 16)), Ref(Path("a.py"), Span(3, 6, 3, 7)))


def test_graph_holders_list_one_key_per_link_and_release_it_with_the_last_holder():
    graph = Graph()
    graph.set_holder("chain 1", [_link(0), _link(0), _link(2)])
    graph.set_holder("chain 2", [_link(0)])
    assert graph._held["chain 1"][0] is graph._held["chain 2"][0]
    assert len(graph) == 2 and [l.source.span.line for l in graph.links_in(Path("c.yaml"))] == [0, 2]
    assert graph.link_at(Path("c.yaml"), 0, 8).source.span == Span(0, 6, 0, 16)
    graph.drop_holder("chain 1")
    assert len(graph) == 1 and [l.source.span.line for l in graph.links_to(Path("a.py"), 3)] == [0]
    graph.drop_holder("chain 2")
    assert len(graph) == 0 and graph.links_in(Path("c.yaml")) == [] and graph.links_to(Path("a.py")) == []
