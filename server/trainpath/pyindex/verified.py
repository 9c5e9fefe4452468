"""Syntax checks of Python modules on the other core, while the main process reads configs.

CPython's parser is the largest single cost of checking a big project: every
module a chain needs is run through it so that one that does not parse is
reported exactly.  For the *check-only* chunks of a module (short defs, see
:mod:`trainpath.pyindex.chunks`) that is all the parser is asked for, and it
can be done anywhere: :func:`start` forks a helper process that splits each
given file exactly as the index will and checks those chunks, and reports
the digest of every text whose check-only chunks all passed.  The index then
splits such a text with ``checked=True`` and skips those checks.

Nothing depends on the helper.  A verdict not yet in (or never: no
``os.fork``, fewer files than pays for a process, any failure) means the
main process checks as before; the helper only ever reports success, keyed
by the text's digest, so a file edited meanwhile is simply checked again.
The helper writes only to its pipe, and ends with ``os._exit``.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import signal
import threading
from pathlib import Path
from typing import Sequence

#: below this many files, a process costs more than it saves
MIN_FILES = 64

#: sha1 digests (as the index computes them) of texts whose check-only chunks passed
_CHECKED: set[str] = set()


def checked(digest: str) -> bool:
    """The check-only chunks of the text with this digest passed :func:`symtable.symtable`."""
    return digest in _CHECKED


def digest_of(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def start(paths: Sequence[Path]) -> threading.Thread | None:
    """Check ``paths`` in a helper process; the thread collecting its verdicts, None when none was started.

    The helper is stopped when this process exits (its verdicts are of no use then).
    """
    if not hasattr(os, "fork") or len(paths) < MIN_FILES:
        return None
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the helper
        status = 1
        try:
            os.close(read_fd)
            _check_all(paths, write_fd)
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    atexit.register(_stop, pid)
    thread = threading.Thread(target=_collect, args=(read_fd, pid), name="trainpath-syntax", daemon=True)
    thread.start()
    return thread


def _check_all(paths: Sequence[Path], fd: int) -> None:
    from trainpath.parsing.sources import read_source
    from trainpath.pyindex.chunks import split_module

    with os.fdopen(fd, "w", encoding="ascii") as out:
        for path in paths:
            text = read_source(path).text
            if text is None:
                continue
            try:
                if split_module(path, text, build=False) is None:
                    continue
            except Exception:  # noqa: BLE001 - the index reports it; the helper only vouches for success
                continue
            out.write(digest_of(text) + "\n")
            out.flush()


def _stop(pid: int) -> None:
    try:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
    except OSError:
        pass  # already reaped


def _collect(fd: int, pid: int) -> None:
    try:
        with os.fdopen(fd, encoding="ascii") as lines:
            for line in lines:
                _CHECKED.add(line.strip())
    finally:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
