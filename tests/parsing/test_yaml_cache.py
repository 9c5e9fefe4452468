"""The document cache of trainpath.parsing.yaml_doc: each content parsed once, each settled file read once."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainpath.parsing import sources, yaml_doc
from trainpath.parsing.positions import Span
from trainpath.parsing.yaml_doc import load_yaml, parse_yaml


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths load_yaml reads from disk (or from an editor buffer), in order."""
    seen: list[Path] = []

    def counting(path: Path) -> sources.Source:
        seen.append(Path(path))
        return sources.read_source(path)

    monkeypatch.setattr(yaml_doc, "read_source", counting)
    return seen


@pytest.fixture
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled as soon as they are written (the tests cannot wait the real window)."""
    monkeypatch.setattr(yaml_doc, "_SETTLED_NS", -1)


def test_every_file_of_a_large_project_stays_parsed() -> None:
    first = parse_yaml("a: 1\n", Path("big/f0.yaml"))
    for i in range(1, 3000):
        parse_yaml(f"a: {i}\n", Path(f"big/f{i}.yaml"))
    assert parse_yaml("a: 1\n", Path("big/f0.yaml")) is first


def test_an_edited_file_keeps_its_latest_versions_only() -> None:
    path = Path("edited/c.yaml")
    docs = [parse_yaml(f"a: {i}\n", path) for i in range(5)]
    assert [parse_yaml(f"a: {i}\n", path) is docs[i] for i in (4, 3, 2)] == [True, True, True]
    assert parse_yaml("a: 0\n", path) is not docs[0]


def test_a_settled_file_is_read_once(tmp_path: Path, reads: list[Path], settled_at_once: None) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("a: 1\n")
    first = load_yaml(f)
    assert load_yaml(f) is first and load_yaml(f) is first and reads == [f]
    f.write_text("a: 22\n")  # another size: another stamp
    second = load_yaml(f)
    assert second.value == {"a": 22} and reads == [f, f]


def test_a_recently_changed_file_is_read_every_time(tmp_path: Path, reads: list[Path]) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("a: 1\n")
    first = load_yaml(f)
    f.write_text("a: 2\n")  # same size, maybe the same timestamps: only reading tells
    second = load_yaml(f)
    assert (first.value, second.value, reads) == ({"a": 1}, {"a": 2}, [f, f])


def test_an_editor_buffer_wins_over_a_settled_file(tmp_path: Path, reads: list[Path], settled_at_once: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("a: 1\n")
    on_disk = load_yaml(f)
    monkeypatch.setitem(sources.OVERLAY, f, "a: 3\n")
    assert load_yaml(f).value == {"a": 3}
    monkeypatch.delitem(sources.OVERLAY, f)
    assert load_yaml(f) is on_disk and reads == [f, f]


def test_a_missing_file_is_looked_for_again(tmp_path: Path, settled_at_once: None) -> None:
    f = tmp_path / "c.yaml"
    assert [x.code for x in load_yaml(f).findings] == ["unreadable-file"]
    f.write_text("a: 1\n")
    assert load_yaml(f).value == {"a": 1}


def test_a_bad_plain_scalar_is_reported_in_every_document() -> None:
    # resolved once as an int that cannot be read; each document still reports it
    for name in ("one.yaml", "two.yaml"):
        doc = parse_yaml("a: 0x_\n", Path(name))
        assert [(x.span, x.message) for x in doc.findings] == [(Span(0, 3, 0, 6), "cannot read '0x_' as int")]
        assert doc.value is None
