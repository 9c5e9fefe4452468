"""Reading files: bad input becomes one finding, never an exception."""

from pathlib import Path

from trainpath.parsing import sources
from trainpath.parsing.positions import Span, col_from_utf16, offset_to_position, utf16_col


def test_reads_utf8_and_normalises_newlines(tmp_path: Path):
    p = tmp_path / "a.yaml"
    p.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n")
    src = sources.read_source(p)
    assert src.problem is None
    assert src.text == "a: 1\nb: 2\n"


def test_binary_file_is_one_finding(tmp_path: Path):
    p = tmp_path / "b.yaml"
    p.write_bytes(b"\x89PNG\x00\x00\x01")
    src = sources.read_source(p)
    assert src.text is None
    assert src.problem.code == "unreadable-file"
    assert src.problem.message == "skipped `b.yaml`: binary file"


def test_not_utf8(tmp_path: Path):
    p = tmp_path / "c.yaml"
    p.write_bytes(b"a: caf\xe9\n")
    src = sources.read_source(p)
    assert src.problem.message == "skipped `c.yaml`: not UTF-8 (bad byte at offset 6)"


def test_too_large(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 10)
    p = tmp_path / "d.yaml"
    p.write_text("a: 123456789012\n")
    src = sources.read_source(p)
    assert src.text is None
    assert "over the 10-byte limit" in src.problem.message


def test_missing_and_directory(tmp_path: Path):
    assert sources.read_source(tmp_path / "nope.yaml").problem.message.startswith("cannot read `nope.yaml`")
    assert sources.read_source(tmp_path).problem.code == "unreadable-file"


def test_positions_helpers():
    assert offset_to_position("ab\ncd\nef", 4) == (1, 1)
    assert utf16_col("a😀b", 2) == 3
    assert col_from_utf16("a😀b", 3) == 2
    s = Span(1, 2, 1, 5)
    assert s.contains(1, 2) and s.contains(1, 5) and not s.contains(1, 6) and not s.contains(0, 3)
    assert s.shifted(2, 3) == Span(3, 5, 3, 8)
