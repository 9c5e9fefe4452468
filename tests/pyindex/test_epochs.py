"""What the index remembers between questions: stamps once per epoch, resolutions until a summary changes."""

from __future__ import annotations

from pathlib import Path

from trainpath.pyindex import PyIndex


def test_stamps_are_checked_once_per_epoch(tmp_path: Path) -> None:
    mod = tmp_path / "m.py"
    mod.write_text("class A: pass\n")
    ix = PyIndex([tmp_path])
    assert ix.resolve("m", "A").name == "A"
    mod.write_text("class Bee: pass\n")  # another size: another stamp
    assert ix.resolve("m", "A").name == "A"  # this epoch already checked the file
    assert ix.files.parse_count == 1
    ix.new_epoch()
    assert ix.resolve("m", "A") is None
    assert ix.resolve("m", "Bee").name == "Bee"
    assert ix.files.parse_count == 2
    ix.new_epoch()
    assert ix.resolve("m", "Bee").name == "Bee"  # same stamp: nothing read again
    assert ix.files.parse_count == 2


def test_invalidate_is_seen_within_the_epoch(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from b import B\n")
    (tmp_path / "b.py").write_text("class B: pass\n")
    ix = PyIndex([tmp_path])
    assert ix.resolve("a", "B").module == "b"
    (tmp_path / "b.py").write_text("B = 1\n")
    ix.invalidate(tmp_path / "b.py")
    assert ix.resolve("a", "B").kind == "variable"  # the resolution through a.py was forgotten too


def test_folders_are_listed_once_per_epoch(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "one.py").write_text("")
    ix = PyIndex([tmp_path])
    assert ix.submodules("pkg") == ["pkg.one"]
    (tmp_path / "pkg" / "two.py").write_text("")
    (tmp_path / "pkg" / "sub").mkdir()
    (tmp_path / "pkg" / "sub" / "x.py").write_text("")
    (tmp_path / "pkg" / "empty").mkdir()
    assert ix.submodules("pkg") == ["pkg.one"]
    ix.new_epoch()
    assert ix.submodules("pkg") == ["pkg.one", "pkg.sub", "pkg.two"]
