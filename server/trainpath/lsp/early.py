"""First diagnostics before the language server's own imports are done.

Importing pygls and lsprotocol takes about half a second, and only then can
the ``initialize`` request be read.  ``start`` reads that first message
itself, forks a child that indexes the workspace folders it names (the child
imports only trainpath's analysis code), and hands the server a stream that
replays the message.  On ``initialized`` the server pushes the child's
diagnostics at once, then its own index takes over as usual (and republishes).

Nothing here is needed for correctness: without ``os.fork`` (or with
``TRAINPATH_NO_PREFORK`` set), or when anything goes wrong, the server simply
indexes after ``initialize`` as before.  The child never writes to stdout.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
import threading
from pathlib import Path
from typing import Any, BinaryIO

ALLOWED_SETTINGS = {"rules", "jobFiles", "staleSuffixes", "modelPrefix", "evaluatorPrefix", "configDirs",
                    "exclude", "dataModes"}


def settings_section(options: Any) -> dict:
    """The ``trainpath`` settings out of initializationOptions / didChangeConfiguration."""
    if not isinstance(options, dict):
        return {}
    section = options.get("trainpath", options)
    if not isinstance(section, dict):
        return {}
    return {k: v for k, v in section.items() if k in ALLOWED_SETTINGS}


class Replay:
    """``stream`` with ``prefix`` put back in front of it (pygls reads with ``readline`` and ``read``)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._buf = io.BytesIO(prefix)
        self._stream = stream

    def readline(self) -> bytes:
        line = self._buf.readline()
        if line.endswith(b"\n"):
            return line
        return line + self._stream.readline()

    def read(self, n: int = -1) -> bytes:
        data = self._buf.read(n)
        if n < 0:
            return data + self._stream.read()
        if len(data) < n:
            data += self._stream.read(n - len(data))
        return data


class Early:
    """The child's diagnostics, once they arrive: ``{root: {path: [Finding]}}``."""

    def __init__(self, pid: int, fd: int, roots: list[Path]) -> None:
        self.roots = roots
        self.result: dict[Path, dict[Path, list]] | None = None
        self.done = threading.Event()
        self._pid, self._fd = pid, fd
        threading.Thread(target=self._collect, name="trainpath-early", daemon=True).start()

    def _collect(self) -> None:
        chunks = []
        try:
            while True:
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
            data = b"".join(chunks)
            if data:
                self.result = pickle.loads(data)
        except Exception:  # noqa: BLE001 - only a head start; the server indexes anyway
            self.result = None
        finally:
            try:
                os.close(self._fd)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            self.done.set()

    def wait(self, timeout: float) -> dict | None:
        self.done.wait(timeout)
        return self.result


def _read_message(stream: BinaryIO) -> bytes:
    """One raw JSON-RPC message (headers and body) from ``stream``."""
    raw = b""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return raw
        raw += line
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1].strip())
        if line in (b"\r\n", b"\n"):
            break
    if length:
        raw += stream.read(length)
    return raw


def _roots(params: dict) -> list[Path]:
    from urllib.parse import unquote, urlparse

    def path_of(uri: Any) -> Path | None:
        if not isinstance(uri, str) or not uri.startswith("file:"):
            return None
        return Path(unquote(urlparse(uri).path)).resolve()

    roots = [path_of(f.get("uri")) for f in params.get("workspaceFolders") or [] if isinstance(f, dict)]
    if not roots:
        roots = [path_of(params.get("rootUri"))]
        if roots == [None] and isinstance(params.get("rootPath"), str):
            roots = [Path(params["rootPath"]).resolve()]
    return [r for r in roots if r is not None and r.is_dir()]


def start(stdin: BinaryIO | None = None) -> tuple[BinaryIO, Early | None]:
    """Read the first message, fork the early indexer; return the stream for pygls and the handle."""
    from trainpath.lsp.heap import share_one_heap

    share_one_heap()  # before any thread starts
    stdin = stdin or sys.stdin.buffer
    if os.environ.get("TRAINPATH_NO_PREFORK") or not hasattr(os, "fork"):
        return stdin, None
    raw = _read_message(stdin)
    stream = Replay(raw, stdin)
    try:
        body = raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[1]
        msg = json.loads(body)
        if not isinstance(msg, dict) or msg.get("method") != "initialize":
            return stream, None
        params = msg.get("params") or {}
        roots = _roots(params)
        settings = settings_section(params.get("initializationOptions"))
    except Exception:  # noqa: BLE001 - pygls will answer whatever this is
        return stream, None
    if not roots:
        return stream, None
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: index, send the findings, exit without running any cleanup
        code = 0
        try:
            os.close(r)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            import gc

            gc.disable()  # a one-shot process, and indexing leaves no reference cycles (see cli.main._batch_gc)
            from trainpath.lsp.state import ProjectState

            out = {}
            for root in roots:
                state = ProjectState(root, settings)
                state.build()
                out[state.root] = state.diagnostics
            data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        except BaseException:  # noqa: BLE001 - the parent falls back to its own index
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    return stream, Early(pid, r, roots)
