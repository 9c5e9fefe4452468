"""PyIndex: finding modules, resolving names, spans, caching, syntax errors (fixture project trm_like)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainpath.parsing.positions import Span
from trainpath.pyindex import PyIndex, Symbol

ROOT = Path(__file__).parent / "projects" / "trm_like"


@pytest.fixture(scope="module")
def ix() -> PyIndex:
    return PyIndex([ROOT])


def text_at(sym_path: Path, span: Span) -> str:
    lines = sym_path.read_text().split("\n")
    assert span.line == span.end_line
    return lines[span.line][span.col:span.end_col]


def test_module_path_files_packages_namespaces(ix: PyIndex) -> None:
    assert ix.module_path("models.recursive_reasoning.etrm") == ROOT / "models/recursive_reasoning/etrm.py"
    assert ix.module_path("models.recursive_reasoning") == ROOT / "models/recursive_reasoning/__init__.py"
    assert ix.module_path("evaluators") == ROOT / "evaluators"  # namespace package: the directory
    assert ix.module_path("pkg.nsdir") == ROOT / "pkg/nsdir"
    assert ix.module_path("pkg.nsdir.inner") == ROOT / "pkg/nsdir/inner.py"
    assert ix.module_path("models.nope") is None
    assert ix.module_path("models..etrm") is None
    assert ix.module_path("") is None
    assert ix.module_exists("evaluators.arc") and not ix.module_exists("evaluators.arc.ARC")


def test_submodules(ix: PyIndex) -> None:
    assert ix.submodules("models") == ["models.choices_forms", "models.config_forms", "models.encoders",
                                       "models.losses", "models.recursive_reasoning"]
    assert ix.submodules("models.recursive_reasoning") == [
        "models.recursive_reasoning.etrm", "models.recursive_reasoning.etrm_online", "models.recursive_reasoning.trm"]
    assert ix.submodules("") == ["evaluators", "models", "pkg"]
    assert ix.submodules("nope") == []


def test_resolve_direct_with_exact_spans(ix: PyIndex) -> None:
    sym = ix.resolve("models.recursive_reasoning.etrm", "TRMWithEncoder")
    assert sym == Symbol("TRMWithEncoder", "class", "models.recursive_reasoning.etrm",
                         ROOT / "models/recursive_reasoning/etrm.py", Span(13, 6, 13, 20), Span(13, 0, 13, 21))
    assert text_at(sym.path, sym.span) == "TRMWithEncoder"
    assert text_at(sym.path, sym.line_span) == "class TRMWithEncoder:"


def test_reexport_through_init_with_alias(ix: PyIndex) -> None:
    sym = ix.resolve("models.recursive_reasoning", "ETRM")
    assert (sym.name, sym.module, sym.span) == ("TRMWithEncoder", "models.recursive_reasoning.etrm", Span(13, 6, 13, 20))


def test_star_import_respects_all(ix: PyIndex) -> None:
    trm = ix.resolve("models.recursive_reasoning", "TRM")
    assert (trm.module, trm.span, trm.line_span) == ("models.recursive_reasoning.trm", Span(27, 6, 27, 9), Span(27, 0, 27, 21))
    assert ix.resolve("models.recursive_reasoning", "Helper") is None  # not in trm.__all__
    assert ix.resolve("pkg.starry", "Public").module == "pkg.exports"
    assert ix.resolve("pkg.starry", "helper").kind == "function"  # added by __all__ +=
    assert ix.resolve("pkg.starry", "NotListed") is None


def test_aliases_and_module_imports(ix: PyIndex) -> None:
    alias = ix.resolve("pkg.aliases", "TRMAlias")  # TRMAlias = trm_mod.TRM with import ... as trm_mod
    assert (alias.name, alias.module) == ("TRM", "models.recursive_reasoning.trm")
    assert ix.resolve("pkg.aliases", "Other").module == "models.losses"  # Other = Head (from .. import .. as Head)
    assert ix.resolve("pkg.aliases", "LossViaPackage").span == Span(3, 6, 3, 17)  # models.losses.ACTLossHead
    assert ix.resolve("pkg.aliases", "side_effect") is None  # a module, not a symbol
    rate = ix.resolve("pkg.aliases", "Rate")
    assert (rate.kind, rate.span, rate.line_span) == ("variable", Span(9, 0, 9, 4), Span(9, 0, 9, 10))


def test_external_import_is_bound_but_opaque(ix: PyIndex) -> None:
    linear = ix.resolve("pkg.aliases", "Linear")
    assert (linear.kind, linear.module, linear.span) == ("variable", "pkg.aliases", Span(3, 21, 3, 27))
    assert ix.signature(linear) is None


def test_conditional_definitions_first_wins(ix: PyIndex) -> None:
    pick = ix.resolve("pkg.aliases", "pick")
    assert (pick.kind, pick.span, pick.line_span) == ("function", Span(18, 8, 18, 12), Span(18, 4, 18, 21))
    assert ix.signature(pick) == ([
        __import__("trainpath.pyindex", fromlist=["Param"]).Param("a", "positional", None, None),
        __import__("trainpath.pyindex", fromlist=["Param"]).Param("b", "positional", None, "2")], False)
    thing = ix.resolve("pkg.aliases", "Thing")  # try: from fastlib import Thing (outside the project)
    assert (thing.kind, thing.span) == ("variable", Span(12, 24, 12, 29))


def test_star_cycles_and_missing_names(ix: PyIndex) -> None:
    assert ix.resolve("pkg.cycle_a", "B").module == "pkg.cycle_b"
    assert ix.resolve("pkg.cycle_b", "A").module == "pkg.cycle_a"
    assert ix.resolve("pkg.cycle_a", "Missing") is None
    assert ix.resolve("pkg.cycle_a", "Nope") is None
    assert ix.resolve("nope.mod", "X") is None
    assert ix.resolve("evaluators", "arc") is None  # namespace package binds nothing


def test_relative_import_beyond_top_level(ix: PyIndex) -> None:
    assert ix.resolve("pkg.relative_deep", "ACTLossHead") is None
    assert ix.resolve("pkg.relative_deep", "Nothing") is None


def test_namespace_package_module(ix: PyIndex) -> None:
    sym = ix.resolve("pkg.nsdir.inner", "InNamespace")
    assert (sym.span, ix.docstring(sym)) == (Span(0, 6, 0, 17), "Lives in a namespace package.")
    assert ix.resolve("evaluators.arc", "ARC").span == Span(0, 6, 0, 9)


def test_resolve_dotted(ix: PyIndex) -> None:
    mod, attr, sym = ix.resolve_dotted("models.recursive_reasoning.trm.TRM")
    assert (mod, attr, sym.span) == ("models.recursive_reasoning.trm", "TRM", Span(27, 6, 27, 9))
    mod, attr, sym = ix.resolve_dotted("models.recursive_reasoning.trm.TRM.forward")
    assert (mod, attr, sym.kind, sym.span) == ("models.recursive_reasoning.trm", "TRM.forward", "function", Span(34, 8, 34, 15))
    assert ix.resolve_dotted("models.recursive_reasoning.trm.Nope") == ("models.recursive_reasoning.trm", "Nope", None)
    assert ix.resolve_dotted("models.recursive_reasoning.ETRM")[2].name == "TRMWithEncoder"
    assert ix.resolve_dotted("torch.nn.Linear") is None
    assert ix.resolve_dotted("models") is None
    assert ix.resolve_dotted("bad..name") is None


def test_exported_names(ix: PyIndex) -> None:
    got = [(s.name, s.module) for s in ix.exported_names("models.recursive_reasoning")]
    assert got == [("ETRM", "models.recursive_reasoning.etrm"), ("TRM", "models.recursive_reasoning.trm"),
                   ("TRMConfig", "models.recursive_reasoning.trm")]
    assert [s.name for s in ix.exported_names("pkg.exports")] == ["Public", "helper"]
    assert [s.name for s in ix.exported_names("pkg.aliases")] == ["Head", "TRMAlias", "Other", "LossViaPackage", "pick"]
    assert ix.exported_names("nope") == []


def test_syntax_error_exact_position(ix: PyIndex) -> None:
    finding = ix.syntax_error(ROOT / "pkg/broken.py")
    assert (finding.code, finding.span) == ("python-syntax", Span(4, 11, 4, 12))
    assert finding.message == "`broken.py` does not parse: invalid syntax (line 5)"
    assert ix.resolve("pkg.broken", "Fine") is None
    assert ix.exported_names("pkg.broken") == []
    assert ix.syntax_error(ROOT / "models/losses.py") is None


def test_nothing_is_imported_or_executed(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "pkg").mkdir(parents=True)
    src = (ROOT / "pkg/side_effect.py").read_text()
    (project / "pkg" / "side_effect.py").write_text(src)
    cwd = os.getcwd()
    os.chdir(project)
    try:
        ix = PyIndex([project])
        sym = ix.resolve("pkg.side_effect", "Safe")
        assert sym.span == Span(5, 6, 5, 10)
        assert ix.signature(sym) == ([], False)
        assert ix.exported_names("pkg.side_effect")[0].name == "Safe"
        ix.train_forward(sym), ix.halting(sym), ix.config_class(sym), ix.choices(sym, "x")
    finally:
        os.chdir(cwd)
    assert sorted(p.name for p in project.iterdir()) == ["pkg"]
    assert sorted(p.name for p in (project / "pkg").iterdir()) == ["side_effect.py"]


def test_unicode_columns_are_code_points(tmp_path: Path) -> None:
    (tmp_path / "uni.py").write_text('Größe = "😀"; Übel = 1\nclass Ünïcode:  # 😀\n    pass\n', encoding="utf-8")
    ix = PyIndex([tmp_path])
    assert ix.resolve("uni", "Ünïcode").span == Span(1, 6, 1, 13)
    assert ix.resolve("uni", "Übel").span == Span(0, 13, 0, 17)
    bad = tmp_path / "bad.py"
    bad.write_text('x = "😀" )\n', encoding="utf-8")
    assert ix.syntax_error(bad).span == Span(0, 8, 0, 9)


def test_multiline_header_span(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("class Big(\n    Base,  # x:\n    metaclass=M,\n):\n    pass\n"
                                   "async def go(a: int = {'k': 1},\n b=lambda: 0) -> dict[str, int]: return {}\n")
    ix = PyIndex([tmp_path])
    assert ix.resolve("m", "Big").line_span == Span(0, 0, 3, 2)
    go = ix.resolve("m", "go")
    assert (go.span, go.line_span) == (Span(5, 10, 5, 12), Span(5, 0, 6, 32))


def test_unreadable_and_odd_files(tmp_path: Path) -> None:
    (tmp_path / "binary.py").write_bytes(b"\x00\x01class X: pass")
    (tmp_path / "latin.py").write_bytes("x = 'é'".encode("latin-1"))
    (tmp_path / "deep.py").write_text("x = " + "(" * 300 + ")" * 300 + "\n")
    ix = PyIndex([tmp_path])
    assert ix.resolve("binary", "X") is None and ix.syntax_error(tmp_path / "binary.py") is None
    assert ix.read_problem(tmp_path / "binary.py").code == "unreadable-file"
    assert ix.resolve("latin", "x") is None
    finding = ix.syntax_error(tmp_path / "deep.py")
    assert finding.code == "python-syntax" and finding.span.line == 0


def test_parse_once_per_content_and_invalidate(tmp_path: Path) -> None:
    mod = tmp_path / "mod.py"
    mod.write_text("class A:\n    pass\n")
    ix = PyIndex([tmp_path])
    for _ in range(3):
        assert ix.resolve("mod", "A").span == Span(0, 6, 0, 7)
        ix.signature(ix.resolve("mod", "A"))
    assert ix.files.parse_count == 1
    mod.write_text("\n\nclass A(B):\n    pass\n")
    ix.invalidate(mod)
    assert ix.resolve("mod", "A").span == Span(2, 6, 2, 7)
    assert ix.files.parse_count == 2
    assert ix.module_path("late") is None
    (tmp_path / "late.py").write_text("def f(): pass\n")
    assert ix.module_path("late") is None  # a cached miss...
    ix.invalidate(tmp_path / "late.py")
    assert ix.resolve("late", "f").kind == "function"  # ...until the file is announced
    ix.invalidate()
    assert ix.resolve("mod", "A").span == Span(2, 6, 2, 7)


def test_ast_cache_is_bounded(tmp_path: Path) -> None:
    for i in range(10):
        (tmp_path / f"m{i}.py").write_text(f"class C{i}:\n    def __init__(self, a{i}):\n        pass\n")
    ix = PyIndex([tmp_path])
    ix.files.max_trees = 4
    for i in range(10):
        assert ix.signature(ix.resolve(f"m{i}", f"C{i}"))[0][0].name == f"a{i}"
    assert len(ix.files._trees) == 4
    assert len(ix.files._summaries) == 10


def test_roots_order_and_shadowing(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "shared").mkdir(parents=True)
    (second / "shared").mkdir(parents=True)
    (first / "shared" / "one.py").write_text("class One: pass\n")
    (second / "shared" / "two.py").write_text("class Two: pass\n")
    (second / "solo.py").write_text("class Solo: pass\n")
    ix = PyIndex([first, second])
    assert ix.resolve("shared.one", "One") is not None and ix.resolve("shared.two", "Two") is not None
    assert ix.submodules("shared") == ["shared.one", "shared.two"]
    assert ix.resolve("solo", "Solo").path == second / "solo.py"


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_arbitrary_text_never_raises(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "fz.py").write_text(text, encoding="utf-8")
    ix = PyIndex([root])
    ix.syntax_error(root / "fz.py")
    for name in ("A", "x", "f"):
        sym = ix.resolve("fz", name)
        if sym is not None:
            ix.signature(sym), ix.docstring(sym), ix.config_class(sym), ix.train_forward(sym), ix.halting(sym)
            ix.choices(sym, "encoder_type")
    ix.exported_names("fz")
