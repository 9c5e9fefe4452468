"""The server's C heap on glibc: one heap for all threads, and free pages handed back after a build.

A long-running server keeps a large index; what building it freed should
not stay in its RSS.  Python's own allocator keeps small objects in arenas
of its own; larger blocks (file texts, the tables of big dicts) come from
the C library, and glibc keeps their freed pages, in one heap per thread
that allocates, until asked.  Elsewhere (macOS, Windows, musl) nothing here
does anything.  Light to import: the early indexer uses it before pygls loads.
"""

from __future__ import annotations

import functools
import sys

#: ``mallopt`` parameter: how many heaps (arenas) glibc may create for threads
_M_ARENA_MAX = -8


@functools.cache
def _glibc():
    """The C library when it is glibc (it has ``malloc_trim`` and ``mallopt``); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def share_one_heap() -> bool:
    """Make every thread allocate from the main heap (call before threads start); False where it cannot.

    The indexer, the early indexer's reader and pygls' request threads would
    each get a heap of their own, each keeping free pages of its own; with
    the GIL there is no contention to save.  About 1 MB of RSS at ×10.
    """
    libc = _glibc()
    return libc is not None and libc.mallopt(_M_ARENA_MAX, 1) == 1


def trim_heap() -> bool:
    """Hand the heap's free pages back to the system (after a build or a re-check); False where it cannot.

    ``malloc_trim(0)`` takes well under a millisecond.
    """
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
