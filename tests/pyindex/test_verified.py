"""The syntax checks done on the other core (``pyindex.verified``): same results, fewer checks in the main process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trainpath.pyindex import PyIndex, chunks, verified
from trainpath.pyindex.chunks import split_module

from .test_chunks import TRICKY

GOOD = "import os\n\n\ndef short(a, b=1):\n    return a + b\n\n\nclass Small:\n    x: int = 0\n"
BAD = "import os\n\n\ndef short(a, b=1):\n    return a +\n\n\ndef fine():\n    return 1\n"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def symtable_calls(monkeypatch):
    calls: list[str] = []
    real = chunks.symtable.symtable

    def spy(source, filename, mode):
        calls.append(filename)
        return real(source, filename, mode)

    monkeypatch.setattr(chunks.symtable, "symtable", spy)
    return calls


def _shape(parts):
    return [(c.line, c.start, c.end, c.header) for c in parts]


@pytest.mark.parametrize("text", [TRICKY, GOOD], ids=["tricky", "good"])
def test_a_checked_text_splits_the_same_without_running_the_checks(text, symtable_calls) -> None:
    plain = split_module(Path("m.py"), text)
    assert symtable_calls  # the text has check-only chunks
    symtable_calls.clear()
    again = split_module(Path("m.py"), text, checked=True)
    assert symtable_calls == []
    assert _shape(again) == _shape(plain)
    assert [c.statements is None for c in again] == [c.statements is None for c in plain]
    helper_view = split_module(Path("m.py"), text, build=False)
    assert _shape(helper_view) == _shape(plain) and all(c.statements is None for c in helper_view)


def test_the_helper_vouches_only_for_texts_whose_checks_pass(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(verified, "MIN_FILES", 1)
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(GOOD.replace("Small", "SmallOne"))  # texts no other test has vouched for
    bad.write_text(BAD.replace("fine", "fine_one"))
    thread = verified.start([good, bad])
    assert thread is not None
    thread.join(60)
    assert not thread.is_alive()
    assert verified.checked(verified.digest_of(good.read_text()))
    assert not verified.checked(verified.digest_of(bad.read_text()))


def test_the_index_skips_the_checks_the_helper_made_and_still_reports_errors(tmp_path, monkeypatch,
                                                                              symtable_calls) -> None:
    monkeypatch.setattr(verified, "MIN_FILES", 1)
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(GOOD.replace("Small", "SmallTwo"))
    bad.write_text(BAD.replace("fine", "fine_two"))
    thread = verified.start([good, bad])
    thread.join(60)
    symtable_calls.clear()
    index = PyIndex([tmp_path])
    assert index.syntax_error(good) is None
    assert [s.name for s in index.exported_names("good")] == ["short", "SmallTwo"]
    assert symtable_calls == []  # vouched for: not checked again
    error = index.syntax_error(bad)
    assert error is not None and (error.code, error.span.line) == ("python-syntax", 4)
    assert str(bad) in symtable_calls  # not vouched for: checked here, and the error found as before


def test_check_finds_the_same_with_and_without_the_helper(tmp_path, monkeypatch) -> None:
    from trainpath.cli.check_cmd import analyse

    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "broken_syntax", root)

    def findings():
        return [(f.code, str(f.path), f.span, f.message) for f in analyse(root)[1]]

    monkeypatch.setattr(verified, "MIN_FILES", 10 ** 9)
    without = findings()
    monkeypatch.setattr(verified, "MIN_FILES", 1)
    assert findings() == without
    assert any(code == "python-syntax" for code, *_ in without)
