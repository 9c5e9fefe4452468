"""Reading files safely, once: size limit, binary and encoding checks, a content cache.

Every reader in trainpath goes through :func:`read_source` so that a binary
file, a file that is not UTF-8, an unreadable file or one past the size limit
becomes one ``unreadable-file`` finding instead of a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from trainpath.findings import Finding
from trainpath.parsing.positions import Span

#: files larger than this are skipped with one info finding
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    path: Path
    text: str | None  # None when the file could not be read as text
    problem: Finding | None = None


def decode(path: Path, data: bytes) -> Source:
    """Turn raw bytes into a :class:`Source`, refusing binary and non-UTF-8 data."""
    if len(data) > MAX_FILE_BYTES:
        return _problem(path, f"skipped `{path.name}`: {len(data)} bytes is over the {MAX_FILE_BYTES}-byte limit")
    if b"\x00" in data:
        return _problem(path, f"skipped `{path.name}`: binary file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _problem(path, f"skipped `{path.name}`: not UTF-8 (bad byte at offset {exc.start})")
    return _normalised(path, text)


def _normalised(path: Path, text: str) -> Source:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Source(path, text)


#: Open editor buffers: path -> text.  The language server fills this so every
#: reader sees what the user typed, not what is on disk.  Keys are absolute paths.
OVERLAY: dict[Path, str] = {}


def read_source(path: Path) -> Source:
    """Read ``path`` as text (the editor's buffer when it is open), or explain why not."""
    if OVERLAY:
        text = OVERLAY.get(Path(path))
        if text is not None:  # already text: only the checks that apply to text
            if len(text) > MAX_FILE_BYTES:
                return _problem(path, f"skipped `{Path(path).name}`: over the {MAX_FILE_BYTES}-byte limit")
            if "\x00" in text:
                return _problem(path, f"skipped `{Path(path).name}`: binary file")
            return _normalised(Path(path), text)
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            return _problem(path, f"skipped `{path.name}`: {size} bytes is over the {MAX_FILE_BYTES}-byte limit")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return _problem(path, f"cannot read `{path.name}`: {exc.strerror or exc}")
    return decode(path, data)


def _problem(path: Path, message: str) -> Source:
    return Source(path, None, Finding("unreadable-file", message, path, Span.point(0, 0)))
