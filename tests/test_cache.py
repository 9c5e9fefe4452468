"""The between-runs cache: entries round-trip, and anything doubtful is ignored, never a traceback."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from trainpath import cache
from trainpath.cache import DiskCache


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "proj"


def test_entries_round_trip_and_only_what_a_run_used_is_kept(folder: Path) -> None:
    first = DiskCache(folder)
    first.put("yaml", ("a.yaml", "d1"), {"x": 1})
    first.put("yaml", ("b.yaml", "d2"), {"y": 2})
    first.save()
    second = DiskCache(folder)
    assert second.get("yaml", ("a.yaml", "d1")) == {"x": 1}
    assert second.get("yaml", ("a.yaml", "other digest")) is None
    second.save()  # b.yaml was not used by this run: dropped
    third = DiskCache(folder)
    assert third.get("yaml", ("b.yaml", "d2")) is None
    assert third.get("yaml", ("a.yaml", "d1")) == {"x": 1}


def test_a_cache_written_by_another_trainpath_is_ignored(folder: Path) -> None:
    c = DiskCache(folder)
    c.put("yaml", "k", 1)
    c.save()
    with open(folder / "yaml.pickle", "wb") as fh:
        pickle.dump(("another fingerprint", {"k": 2}), fh)
    os.chmod(folder / "yaml.pickle", 0o600)
    assert DiskCache(folder).get("yaml", "k") is None


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x04K\x01."])
def test_a_corrupt_cache_is_ignored(folder: Path, content: bytes) -> None:
    folder.mkdir(parents=True)
    (folder / "yaml.pickle").write_bytes(content)
    os.chmod(folder / "yaml.pickle", 0o600)
    assert DiskCache(folder).get("yaml", "k", "default") == "default"


def test_a_file_others_may_write_is_never_unpickled(folder: Path) -> None:
    c = DiskCache(folder)
    c.put("yaml", "k", 1)
    c.save()
    assert DiskCache(folder).get("yaml", "k") == 1
    os.chmod(folder / "yaml.pickle", 0o666)
    assert DiskCache(folder).get("yaml", "k") is None


def test_an_unwritable_folder_turns_the_cache_off_silently(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    c = DiskCache(blocker / "proj")
    c.put("yaml", "k", 1)
    c.save()
    assert c.folder is None
    assert not c.enabled


def test_the_folder_is_per_project_outside_it_and_can_be_turned_off(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRAINPATH_CACHE_DIR", str(tmp_path / "base"))
    monkeypatch.delenv("TRAINPATH_NO_CACHE", raising=False)
    a, b = cache.default_folder(tmp_path / "a"), cache.default_folder(tmp_path / "b")
    assert a is not None and b is not None and a != b
    assert a.parent == tmp_path / "base"
    monkeypatch.setenv("TRAINPATH_NO_CACHE", "1")
    assert cache.default_folder(tmp_path / "a") is None
    assert cache.activate(tmp_path / "a") is None
