"""The server's C heap (``trainpath.lsp.heap``): one heap for all threads, free pages handed back after builds."""

from __future__ import annotations

import platform
import sys

import pytest

from trainpath.lsp import heap


class FakeGlibc:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad))
        return 1

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append(("mallopt", param, value))
        return 1


def test_trim_heap_asks_glibc_to_release_every_free_page(monkeypatch):
    libc = FakeGlibc()
    monkeypatch.setattr(heap, "_glibc", lambda: libc)
    assert heap.trim_heap() is True
    assert libc.calls == [("malloc_trim", 0)]


def test_share_one_heap_caps_glibc_at_one_arena(monkeypatch):
    libc = FakeGlibc()
    monkeypatch.setattr(heap, "_glibc", lambda: libc)
    assert heap.share_one_heap() is True
    assert libc.calls == [("mallopt", -8, 1)]  # M_ARENA_MAX


def test_nothing_is_done_without_glibc(monkeypatch):
    monkeypatch.setattr(heap, "_glibc", lambda: None)
    assert heap.trim_heap() is False
    assert heap.share_one_heap() is False


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim and mallopt are glibc's")
def test_glibc_is_found_on_linux_glibc():
    assert heap._glibc() is not None
    assert heap.trim_heap() is True
