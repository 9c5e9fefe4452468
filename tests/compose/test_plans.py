"""Compositions on one repo reuse the defaults tree built for (config, group overrides): results stay exact."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from trainpath.compose import ComposeResult, ConfigRepo, compose
from trainpath.parsing.overrides import parse_override

from tests.compose.harness import HydraFailed, oracle, ordered, write

FILES = {
    "c.yaml": "defaults:\n  - arch: a\n  - db: d\n  - _self_\nlr: 1\n",
    "arch/a.yaml": "x: 1\nloss: {name: l}\n",
    "arch/b.yaml": "x: 2\ny: [1, 2]\n",
    "db/d.yaml": "p: 1\n",
}


def agree_on(repo: ConfigRepo, conf: Path, name: str, overrides: Sequence[object]) -> ComposeResult:
    """Compose on the shared ``repo`` and check the result against Hydra (the harness makes a fresh repo)."""
    got = compose(repo, name, list(overrides))
    expected = oracle(conf, name, [o.text for o in overrides])  # type: ignore[attr-defined]
    if isinstance(expected, HydraFailed):
        assert got.config is None and len(got.findings) == 1, (expected, got.findings)
    else:
        assert got.findings == [] and ordered(got.config) == ordered(expected), (got.config, expected)
    return got


def test_key_overrides_share_the_tree_but_never_the_result(tmp_path):
    conf = write(tmp_path, FILES)
    repo = ConfigRepo(conf)
    first = agree_on(repo, conf, "c", [parse_override("arch.x=5")])
    ov = parse_override("+arch.z=7")
    second = agree_on(repo, conf, "c", [ov])
    plain = agree_on(repo, conf, "c", [])
    assert (first.config["arch"]["x"], second.config["arch"]["z"], plain.config["arch"]) == (
        5, 7, {"x": 1, "loss": {"name": "l"}})
    assert second.provenance[("arch", "z")].override is ov and ("arch", "z") not in plain.provenance
    assert [e.option for e in plain.defaults if not e.is_self] == ["a", "d"] == [
        e.option for e in first.defaults if not e.is_self]
    # each result owns its containers
    first.config["arch"]["loss"]["name"] = "changed"
    first.files.clear()
    first.defaults.clear()
    assert plain.config["arch"]["loss"] == {"name": "l"} == second.config["arch"]["loss"]
    assert {p.name for p in plain.files} == {"c.yaml", "a.yaml", "d.yaml"} and len(plain.defaults) == 3


def test_group_overrides_are_matched_by_object(tmp_path):
    conf = write(tmp_path, FILES)
    repo = ConfigRepo(conf)
    one, other = parse_override("arch=b"), parse_override("arch=b")
    r1 = agree_on(repo, conf, "c", [one])
    r2 = agree_on(repo, conf, "c", [other, parse_override("lr=3")])
    assert r1.config["arch"] == {"x": 2, "y": [1, 2]} and r2.config["lr"] == 3
    assert [e.override for e in r1.defaults if e.group == "arch"][0] is one
    assert [e.override for e in r2.defaults if e.group == "arch"][0] is other


def test_a_retry_without_the_bad_key_override(tmp_path):
    conf = write(tmp_path, FILES)
    repo = ConfigRepo(conf)
    group = parse_override("arch=b")
    bad = agree_on(repo, conf, "c", [group, parse_override("arch.nope=1")])
    assert [f.code for f in bad.findings] == ["unknown-override-key"] and bad.defaults
    good = agree_on(repo, conf, "c", [group])
    assert good.config["arch"] == {"x": 2, "y": [1, 2]} and good.choices == {"arch": "b", "db": "d"}


def test_an_edited_config_is_composed_again(tmp_path):
    conf = write(tmp_path, FILES)
    repo = ConfigRepo(conf)
    assert agree_on(repo, conf, "c", []).config["arch"]["x"] == 1
    (conf / "arch" / "a.yaml").write_text("x: 9\nloss: {name: l}\n")  # same size
    assert agree_on(repo, conf, "c", []).config["arch"]["x"] == 9
    (conf / "c.yaml").write_text("defaults:\n  - arch: b\n  - db: d\n  - _self_\nlr: 1\n")
    again = agree_on(repo, conf, "c", [])
    assert again.config["arch"] == {"x": 2, "y": [1, 2]} and again.choices["arch"] == "b"


def test_a_broken_config_fixed_composes(tmp_path):
    conf = write(tmp_path, FILES)
    repo = ConfigRepo(conf)
    (conf / "db" / "d.yaml").write_text("p: [1\n")
    broken = agree_on(repo, conf, "c", [])
    assert [(f.code, f.path.name) for f in broken.findings] == [("yaml-syntax", "d.yaml")]
    (conf / "db" / "d.yaml").write_text("p: 2\n")
    assert agree_on(repo, conf, "c", []).config["db"] == {"p": 2}


def test_a_new_option_is_found_after_invalidate(tmp_path):
    conf = write(tmp_path, FILES)
    repo = ConfigRepo(conf)
    ov = parse_override("arch=e")
    assert [f.code for f in agree_on(repo, conf, "c", [ov]).findings] == ["missing-override-option"]
    (conf / "arch" / "e.yaml").write_text("x: 3\n")
    repo.invalidate(conf / "arch" / "e.yaml")
    assert agree_on(repo, conf, "c", [ov]).config["arch"] == {"x": 3}
