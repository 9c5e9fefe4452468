"""Provenance (file + key span of the last setter), DefaultEntry spans, choices, the repo and speed."""

from __future__ import annotations


from trainpath.compose import ConfigRepo, compose
from trainpath.parsing.overrides import parse_override
from trainpath.parsing.positions import Span

from tests.compose.cases import ETRM
from tests.compose.harness import agree, write


def test_provenance_primary_option_self_and_override(tmp_path):
    conf = write(tmp_path, ETRM)
    r = agree(conf, "cfg", ["arch.halt_max_steps=8"])
    prov = {k: (o.path.name if o.path else None, o.span, o.override is not None) for k, o in r.provenance.items()}
    assert prov[("lr",)] == ("cfg.yaml", Span(5, 0, 5, 2), False)
    assert prov[("arch", "name")] == ("etrm.yaml", Span(0, 0, 0, 4), False)
    # `_self_` after the arch default: the primary's value wins
    assert prov[("arch", "encoder_type")] == ("cfg.yaml", Span(4, 2, 4, 14), False)
    assert prov[("arch", "halt_max_steps")] == (None, Span(0, 0, 0, 21), True)
    assert prov[("arch", "loss", "name")] == ("etrm.yaml", Span(4, 2, 4, 6), False)
    assert prov[("data_paths", 0)] == ("cfg.yaml", Span(6, 13, 6, 19), False)
    assert set(prov) == {("lr",), ("arch",), ("arch", "name"), ("arch", "encoder_type"),
                         ("arch", "halt_max_steps"), ("arch", "loss"), ("arch", "loss", "name"),
                         ("data_paths",), ("data_paths", 0)}


def test_provenance_self_first_lets_option_win(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - _self_\n  - arch: a\narch:\n  k: 0\n", "arch/a.yaml": "k: 1\n"})
    r = agree(conf, "c")
    origin = r.provenance[("arch", "k")]
    assert (origin.path.name, origin.span, r.config) == ("a.yaml", Span(0, 0, 0, 1), {"arch": {"k": 1}})


def test_provenance_group_override_and_plus(tmp_path):
    conf = write(tmp_path, ETRM)
    r = agree(conf, "cfg", ["arch=trm", "+extra.deep=1"])
    assert r.provenance[("arch", "name")].path.name == "trm.yaml"
    o = r.provenance[("extra", "deep")]
    assert (o.path, o.override.text, o.span) == (None, "+extra.deep=1", Span(0, 0, 0, 13))


def test_default_entries_spans_and_choices(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - arch: etrm\n  - base\n  - _self_\n",
                            "arch/etrm.yaml": "a: 1\n", "arch/trm.yaml": "a: 2\n", "base.yaml": "b: 1\n"})
    r = agree(conf, "c")
    arch, base, self_ = r.defaults
    assert (arch.parent, arch.group, arch.option, arch.package, arch.path) == (
        conf / "c.yaml", "arch", "etrm", "arch", conf / "arch/etrm.yaml")
    assert (arch.entry_span, arch.option_span) == (Span(1, 4, 1, 14), Span(1, 10, 1, 14))
    assert (base.group, base.option, base.path, base.entry_span) == (None, "base", conf / "base.yaml", Span(2, 4, 2, 8))
    assert self_.is_self and self_.path == conf / "c.yaml"
    assert r.choices == {"arch": "etrm"}
    assert r.files == {conf / "c.yaml", conf / "arch/etrm.yaml", conf / "base.yaml"}
    r2 = agree(conf, "c", ["arch=trm"])
    assert (r2.defaults[0].option, r2.defaults[0].override.text, r2.choices) == ("trm", "arch=trm", {"arch": "trm"})


def test_default_entry_chosen_by_override_entry(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - arch: etrm\n  - exp: e\n", "arch/etrm.yaml": "a: 1\n",
                            "arch/trm.yaml": "a: 2\n",
                            "exp/e.yaml": "# @package _global_\ndefaults:\n  - override /arch: trm\n"})
    r = agree(conf, "c")
    arch = r.defaults[0]
    assert (arch.option, arch.is_override, arch.parent, arch.option_span) == (
        "trm", True, conf / "exp/e.yaml", Span(2, 20, 2, 23))


def test_null_and_missing_optional_entries_listed_without_path(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: null\n  - optional arch: x\n", "db/a.yaml": "",
                            "arch/y.yaml": ""})
    r = agree(conf, "c")
    listed = [(e.group, e.option, e.path, e.optional) for e in r.defaults if not e.is_self]
    assert listed == [("db", None, None, False), ("arch", "x", None, True)]


def test_repo_listing_and_invalidate(tmp_path):
    conf = write(tmp_path, {"c.yaml": "", "arch/etrm.yaml": "", "arch/notes.yml": "", "server/site/fb.yaml": ""})
    repo = ConfigRepo(conf)
    assert repo.exists("arch/etrm") and repo.exists("arch/etrm.yaml") and not repo.exists("arch/notes")
    assert repo.file("arch/etrm") == conf / "arch/etrm.yaml"
    assert (repo.options("arch"), repo.groups()) == (["etrm"], ["arch", "server", "server/site"])
    assert repo.is_group("server/site") and not repo.is_group("nope") and repo.is_group("hydra/launcher")
    (conf / "arch/trm.yaml").write_text("")
    assert repo.options("arch") == ["etrm"]  # cached listing
    repo.invalidate(conf / "arch/trm.yaml")
    assert repo.options("arch") == ["etrm", "trm"]


def test_bad_yaml_is_a_finding(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - arch: a\n", "arch/a.yaml": "a: [1\n"})
    r = agree(conf, "c")
    assert (r.findings[0].code, r.findings[0].path.name) == ("yaml-syntax", "a.yaml")


def test_warm_compose_reuses_parsed_inputs(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - arch: a\n  - db: d\n  - base\n  - _self_\n" + "".join(
        f"k{i}: {i}\n" for i in range(40)), "arch/a.yaml": "x: 1\nloss: {name: l}\n" * 1, "db/d.yaml": "p: 1\n",
        "base.yaml": "".join(f"b{i}: [1, 2]\n" for i in range(40))})
    repo = ConfigRepo(conf)
    overrides = [parse_override("arch.x=2"), parse_override("+z=1")]
    first = compose(repo, "c", overrides)
    docs = [repo.load(n) for n in ("c", "arch/a", "db/d", "base")]
    again = compose(repo, "c", overrides)
    # the parsed inputs are cached by content and shared; each composition is a fresh output
    assert [repo.load(n) for n in ("c", "arch/a", "db/d", "base")] == docs
    assert all(a is b for a, b in zip(docs, [repo.load(n) for n in ("c", "arch/a", "db/d", "base")]))
    assert first.ok and again.ok and again.config == first.config and again.config is not first.config
