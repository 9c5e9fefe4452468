"""Chunked parsing gives exactly what ``ast.parse`` of the whole file gives (trees, summaries, errors)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainpath.pyindex import PyIndex
from trainpath.pyindex.chunks import CHECK_ONLY_MAX_CHARS, as_one_chunk, split_module
from trainpath.pyindex.summary import FileCache, NodeDigest, Parsed, summarise, syntax_finding, walk

PATH = Path("m.py")

TRICKY = '''"""Module docstring
spanning lines, one of them at column 0:
class NotAClass:
"""
# a comment
import os, sys as system
from .pkg import (
    a,
    b as c,
)


@decorator(
    arg=1,
)
@other
def decorated(x: int = (1 +
        2)) -> int:
    """Doc
def not_a_def():
"""
    return x


class Config(Base, metaclass=Meta):
    size: int = 3  # trailing
    names = [
        "a",
]


async def run(): pass


x = 1; y = \\
  2
if x:
    def conditional(): pass
else:
    conditional = None
try:
    import fast
except ImportError:
    fast = None
finally:
    pass
__all__ = ["decorated"]
__all__ += ["Config"]
class Ünicode: pass
def f\\
        (): pass
'''


def chunk_statements(text: str) -> list[ast.stmt]:
    chunks = split_module(PATH, text)
    assert chunks is not None
    return [s for c in chunks for s in c.parse(PATH, text)]


def dump(statements: list[ast.stmt]) -> str:
    return ast.dump(ast.Module(body=statements, type_ignores=[]), include_attributes=True)


def test_chunks_are_the_module_statements_at_their_own_positions() -> None:
    assert dump(chunk_statements(TRICKY)) == dump(ast.parse(TRICKY).body)


def test_short_defs_are_checked_not_built() -> None:
    chunks = split_module(PATH, TRICKY)
    headers = [c.header for c in chunks if c.header is not None]
    # decorated def (its docstring holds a column-0 'def' line: unsure, so built), the non-ASCII
    # class and the def whose name follows a backslash are built too
    assert headers == [("Config", "class", 24), ("run", "function", 31)]
    assert all(c.statements is None for c in chunks if c.header is not None)
    long_def = "def long():\n" + "    x = 1\n" * (CHECK_ONLY_MAX_CHARS // 10)
    assert [c.header for c in split_module(PATH, long_def)] == [None]


def test_summary_of_chunks_is_the_summary_of_the_whole_tree() -> None:
    cache = FileCache()
    parsed = cache._parse(PATH, TRICKY, "d")
    assert isinstance(parsed, Parsed)
    reference = Parsed(PATH, TRICKY, "d", TRICKY.split("\n"), tuple(as_one_chunk(ast.parse(TRICKY), TRICKY)))
    assert summarise(parsed) == summarise(reference)
    assert set(summarise(parsed).bindings) == {
        "os", "system", "a", "c", "decorated", "Config", "run", "x", "y", "conditional", "fast", "Ünicode", "f"}


@pytest.mark.parametrize("text", [
    "x = [\n1]\n",  # a column-0 line inside brackets: split wrong, parsed whole
    "def f():\n    nonlocal x\n",  # symtable refuses it, ast.parse does not
    "x = 1\n\fy = 2\n",  # a form feed resets indentation: parsed whole
    "from __future__ import barry_as_FLUFL\nx = 1 != 2\n",  # the parser may honour it: parsed whole
])
def test_texts_the_split_cannot_handle_parse_whole(text: str) -> None:
    parsed = FileCache()._parse(PATH, text, "d")
    assert isinstance(parsed, Parsed)
    assert [c.header for c in parsed.chunks] == [None]
    assert dump(parsed.chunks[0].statements) == dump(ast.parse(text).body)


@pytest.mark.parametrize("text", [
    "def ok(): pass\n\n\ndef broken(:\n    pass\n",
    "x = 1\n\ndef f():\n    return (\n",
    "@dec\n",
    "def f(): pass\nelse:\n    pass\n",
    "def f():\n  x = " + "(" * 300 + ")" * 300 + "\n",
])
def test_syntax_errors_are_those_of_the_whole_file(text: str) -> None:
    found = FileCache()._parse(PATH, text, "d")
    with pytest.raises((SyntaxError, MemoryError, RecursionError)) as exc:
        ast.parse(text, filename=str(PATH))
    assert found == syntax_finding(PATH, text.split("\n"), exc.value)


def test_statements_at_builds_only_the_chunk_asked_for(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("import os\n\n\ndef one():\n    return 1\n\n\ndef two():\n    return 2\n")
    ix = PyIndex([tmp_path])
    two = ix.resolve("mod", "two")
    parsed = ix.files.parsed(two.path)
    assert [c.statements is None for c in parsed.chunks] == [False, True, True]
    assert [s.name for s in parsed.statements_at(two.line_span.line)] == ["two"]
    assert [c.statements is None for c in parsed.chunks] == [False, True, False]
    assert ix.signature(two) == ([], False)


#: whole statements (so that most texts parse) and stray lines (some do not, some split wrongly)
_STATEMENTS = [
    "import os", "x = 1", "def f(a, b=2):\n    return a", "class C(Base):\n    y: int = 1  # c\n\n    def m(self):\n        pass",
    "@dec\ndef d(): pass", "if x:\n    def g(): pass\nelse:\n    g = 1", '"""doc\nclass Q:\n"""', "y = (\n1)",
    "# comment", "", "try:\n    import z\nexcept E:\n    z = None", "__all__ = ['f']", "async def g(): pass",
    "def h(): pass; z = 3", "w = 2 \\\n  + 1", "from m import *", "def s():\n    '''\ndef t(): pass\n'''",
]
_LINES = ["    ", "\tx = 1", "else:", ")", "lambda: (", "'''", "def u(:", "@dec", "1]"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_STATEMENTS), st.sampled_from(_STATEMENTS), st.sampled_from(_LINES)),
                max_size=12))
def test_any_text_gives_the_whole_file_answer(pieces: list[str]) -> None:
    text = "\n".join(pieces) + "\n"
    found = FileCache()._parse(PATH, text, "d")
    try:
        tree = ast.parse(text, filename=str(PATH))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        assert found == syntax_finding(PATH, text.split("\n"), exc)
        return
    assert isinstance(found, Parsed)
    assert dump([s for c in found.chunks for s in c.parse(PATH, text)]) == dump(tree.body)
    reference = Parsed(PATH, text, "d", text.split("\n"), tuple(as_one_chunk(tree, text)))
    assert summarise(found) == summarise(reference)


def test_walk_and_digest_follow_ast_walk() -> None:
    tree = ast.parse(TRICKY)
    assert walk(tree) == list(ast.walk(tree))
    digest = NodeDigest(tree)
    kinds = (ast.If, ast.Call)
    assert digest.select(kinds) == [n for n in ast.walk(tree) if isinstance(n, kinds)]
    assert digest.of(ast.Name) == [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
    call = digest.of(ast.Call)[0]
    assert digest.parent(call) is next(n for n in ast.walk(tree) if call in list(ast.iter_child_nodes(n)))
    assert digest.parent(tree) is None
