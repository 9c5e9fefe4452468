"""hydra-notes.md 1-17, one test each (checked against hydra-core), plus exact findings."""

from __future__ import annotations

from trainpath.parsing.positions import Span

from tests.compose.cases import DB
from tests.compose.harness import agree, write


def test_note01_package_header_only_at_top(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: a\n  - db@x: b\n",
                            "db/a.yaml": "# @package foo\nk: 1\n", "db/b.yaml": "k: 2\n# @package bar\n"})
    assert agree(conf, "c").config == {"foo": {"k": 1}, "x": {"k": 2}}


def test_note02_group_and_name_literal(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: a\n  - db@_name_: a\n",
                            "db/a.yaml": "# @package _group_\nk: 1\n"})
    assert agree(conf, "c").config == {"_group_": {"k": 1}, "_name_": {"k": 1}}


def test_note03_defaults_package_beats_global_header(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db@here: a\n", "db/a.yaml": "# @package _global_\nk: 1\n"})
    assert agree(conf, "c").config == {"here": {"k": 1}}


def test_note04_config_name_with_folder(tmp_path):
    conf = write(tmp_path, {"sub/cfg.yaml": "defaults:\n  - db: a\n  - _self_\nhydra:\n  k: 1\n",
                            "sub/db/a.yaml": "p: 1\n", "sub/db/b.yaml": "p: 2\n"})
    assert agree(conf, "sub/cfg").config == {"sub": {"db": {"p": 1}, "hydra": {"k": 1}}}
    assert agree(conf, "sub/cfg", ["sub/db=b"]).config["sub"]["db"] == {"p": 2}
    assert agree(conf, "sub/cfg", ["db@sub.db=b"]).findings[0].code == "unknown-override-key"


def test_note05_absolute_path_in_nested_list(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: pg\n", "db/pg.yaml": "defaults:\n  - /optim: sgd\n",
                            "optim/sgd.yaml": "lr: 1\n"})
    assert agree(conf, "c").config == {"db": {"optim": {"lr": 1}}}


def test_note06_here(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - optim@_here_: sgd\n  - server: s\n",
                            "optim/sgd.yaml": "lr: 1\n", "optim/adam.yaml": "lr: 2\n",
                            "server/s.yaml": "defaults:\n  - site@_here_: a\n", "server/site/a.yaml": "d: a\n",
                            "server/site/b.yaml": "d: b\n"})
    assert agree(conf, "c").config == {"lr": 1, "server": {"d": "a"}}
    assert agree(conf, "c", ["optim@_global_=adam", "server/site@server=b"]).config == {"lr": 2, "server": {"d": "b"}}


def test_note07_missing_self_goes_last(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: a\ndb:\n  p: 0\n", "db/a.yaml": "defaults:\n  - /x\np: 1\n",
                            "x.yaml": "db:\n  p: 2\n"})
    assert agree(conf, "c").config == {"db": {"db": {"p": 2}, "p": 0}}


def test_note08_merging(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: a\n  - _self_\ndb: ???\nl: [3]\n",
                            "db/a.yaml": "p: 1\n", "l.yaml": "x: 1\n"})
    assert agree(conf, "c").config == {"db": {"p": 1}, "l": [3]}
    assert agree(conf, "c", ["db={q: 1}"]).config is None  # struct: no new key by merging
    assert agree(conf, "c", ["db={p: 2}"]).config == {"db": {"p": 2}, "l": [3]}
    assert agree(conf, "c", ["db=5"]).findings[0].code == "missing-override-option"  # a group takes a name
    bad = write(tmp_path / "b", {"c.yaml": "defaults:\n  - base\n  - _self_\nl: {x: 1}\n", "base.yaml": "l: [1]\n"})
    f = agree(bad, "c").findings[0]
    assert (f.code, f.path.name, f.span) == ("invalid-choice", "c.yaml", Span(3, 0, 3, 1))


def test_note09_plus_on_existing_key(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: mysql\n  - _self_\na: null\nb: 1\nc: {x: 1}\n", **DB})
    assert agree(conf, "c", ["+a=1", "+c={y: 2}"]).config["c"] == {"x": 1, "y": 2}
    f = agree(conf, "c", ["+b=2"]).findings[0]
    assert (f.code, f.span) == ("append-existing-key", Span(0, 1, 0, 2))
    f = agree(conf, "c", ["++db=postgres"]).findings[0]
    assert (f.code, f.span) == ("unknown-override-key", Span(0, 2, 0, 4))


def test_note10_delete_group_keeps_primary_keys(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: mysql\n  - _self_\nz: 0\ndb:\n  port: 1\n", **DB})
    assert list(agree(conf, "c").config) == ["db", "z"]
    assert list(agree(conf, "c", ["~db"]).config.items()) == [("z", 0), ("db", {"port": 1})]


def test_note11_override_order(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: mysql\n  - _self_\n", **DB,
                            "exp/e.yaml": "# @package _global_\ndefaults:\n  - override /db: postgres\n"})
    f = agree(conf, "c", ["~db.port", "db.port=5"]).findings[0]
    assert (f.code, f.span) == ("unknown-override-key", Span(0, 0, 0, 7))
    assert agree(conf, "c", ["db.timeout=5", "db=postgres"]).config["db"]["timeout"] == 5
    assert agree(conf, "c", ["+exp=e", "db=mysql"]).config["db"]["driver"] == "mysql"


def test_note12_list_defaults_and_optional(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - server/site: [fb]\n  - optional db: mysql\n", **DB,
                            "server/site/fb.yaml": "fb: 1\n", "server/site/amazon.yaml": "amazon: 1\n"})
    assert agree(conf, "c", ["+server/site=amazon"]).config["server"]["site"] == {"fb": 1, "amazon": 1}
    assert "db" not in agree(conf, "c", ["db=nope"]).config


def test_note13_defaults_cycle(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - a\n", "a.yaml": "defaults:\n  - b\n",
                            "b.yaml": "x: 1\ndefaults:\n  - a\n"})
    f = agree(conf, "c").findings[0]
    assert (f.code, f.path.name, f.span) == ("defaults-cycle", "b.yaml", Span(2, 4, 2, 5))


def test_note14_override_values(tmp_path):
    conf = write(tmp_path, {"c.yaml": "a: 0\nb: 0\nc: 0\nd: 0\ne: 0\n"})
    got = agree(conf, "c", ["a=0x10", "b=010", "c=NULL", "d=1_000", "e=str(1)"]).config
    assert got == {"a": "0x10", "b": "010", "c": None, "d": 1000, "e": "1"}
    f = agree(conf, "c", ["a=1,2"]).findings[0]
    assert (f.code, f.span) == ("invalid-choice", Span(0, 2, 0, 5))


def test_note15_yaml_values(tmp_path):
    conf = write(tmp_path, {"c.yaml": "a: yes\nb: 017\nc: 1:30\nd: 0o17\ne: .5\nf: +.5\ng: 2020-01-01\n"})
    assert agree(conf, "c").config == {"a": True, "b": 15, "c": 90, "d": "0o17", "e": 0.5, "f": "+.5",
                                       "g": "2020-01-01"}


def test_note16_hydra_node(tmp_path):
    conf = write(tmp_path, {"c.yaml": "x: 1\nhydra:\n  job:\n    env: 1\n"})
    f = agree(conf, "c").findings[0]
    assert (f.code, f.path.name, f.span) == ("unknown-override-key", "c.yaml", Span(3, 4, 3, 7))
    ok = write(tmp_path / "ok", {"c.yaml": "x: 1\n"})
    assert agree(ok, "c", ["+hydra.nope=1", "hydra.job.name=n"]).config == {"x": 1}
    assert agree(ok, "c", ["hydra.nope=1"]).findings[0].code == "unknown-override-key"


def test_note17_file_names(tmp_path):
    conf = write(tmp_path, {"c.yml": "a: 1\n", "d.yaml": "a: 2\n"})
    f = agree(conf, "c").findings[0]
    assert (f.code, f.path, f.span) == ("missing-config", conf, Span(0, 0, 0, 0))
    assert agree(conf, "d.yaml").config == {"a": 2}


def test_missing_default_points_at_option_with_suggestion(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - arch: etmr\n", "arch/etrm.yaml": "a: 1\n"})
    f = agree(conf, "c").findings[0]
    assert (f.code, f.path.name, f.span) == ("missing-default", "c.yaml", Span(1, 10, 1, 14))
    assert "did you mean `etrm`?" in f.message


def test_missing_override_option_points_at_value(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - arch: etrm\n", "arch/etrm.yaml": "a: 1\n"})
    f = agree(conf, "c", ["arch=etmr"]).findings[0]
    assert (f.code, f.span, f.data) == ("missing-override-option", Span(0, 5, 0, 9), (("override", "arch=etmr"),))
    assert "did you mean `etrm`?" in f.message


def test_unfilled_mandatory_group(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - arch: ???\n", "arch/etrm.yaml": "a: 1\n"})
    f = agree(conf, "c").findings[0]
    assert (f.code, f.span, f.effective_severity.value) == ("missing-mandatory", Span(1, 10, 1, 13), "error")
    assert agree(conf, "c", ["arch=etrm"]).config == {"arch": {"a": 1}}


def test_override_entry_missing_option_points_at_override(tmp_path):
    conf = write(tmp_path, {"c.yaml": "defaults:\n  - db: mysql\n  - override db: pg\n", **DB})
    f = agree(conf, "c").findings[0]
    assert (f.code, f.span) == ("missing-default", Span(2, 17, 2, 19))
