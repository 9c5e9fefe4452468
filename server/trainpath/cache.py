"""Results of parsing and reading code, kept between runs of ``trainpath check`` / ``chain``.

Everything trainpath derives from a file is a function of that file's content
(and, for facts about Python classes, of the contents of the files it
consulted).  A run records those results here, keyed by content digests, so the
next run on the same project reads them back instead of parsing again: a
project where one file changed re-parses that file only.

Where: one folder per analysed project under ``$TRAINPATH_CACHE_DIR``, else
``$XDG_CACHE_HOME/trainpath``, else ``~/.cache/trainpath``.  Never inside the
project: the entries are pickles, and a pickle shipped in a repository could
run code when loaded.  For the same reason a file is only loaded when the
current user owns it and nobody else may write it.

Validity: an entry is used only when the digests it was stored under match
the files' current contents.  The whole cache is dropped when trainpath itself
changes (a fingerprint of its own source files) or Python's version does.
Every failure (unreadable, corrupt, read-only, full disk) turns the cache off
for the run, silently: it only ever makes runs faster.

``TRAINPATH_NO_CACHE=1`` or ``--no-cache`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

#: the cache the running command uses (None: no cache); set by the command line
ACTIVE: "DiskCache | None" = None
_FORMAT = 1


def default_folder(root: Path) -> Path | None:
    """This project's cache folder, or None when caching is turned off."""
    if os.environ.get("TRAINPATH_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("TRAINPATH_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = os.path.join(xdg, "trainpath") if xdg else os.path.join(os.path.expanduser("~"), ".cache", "trainpath")
    project = hashlib.sha1(str(Path(root).resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Path(base) / project


def fingerprint() -> str:
    """Changes whenever trainpath's own code or Python's version does: old entries are then ignored."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha1(f"{_FORMAT}:{sys.version_info[:3]}".encode())
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{os.path.relpath(os.path.join(dirpath, name), package)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


class DiskCache:
    """Namespaced ``key -> value`` entries, one pickle file per namespace.

    Only entries read or written during a run are saved back, so the cache
    holds what the project needs now and does not grow with its history.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._print = fingerprint() if folder is not None else ""
        self._loaded: dict[str, dict[Any, Any]] = {}
        self._used: dict[str, dict[Any, Any]] = {}
        self._changed: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def get(self, namespace: str, key: Any, default: Any = None) -> Any:
        entries = self._namespace(namespace)
        if key not in entries:
            return default
        value = entries[key]
        self._used.setdefault(namespace, {})[key] = value
        return value

    def put(self, namespace: str, key: Any, value: Any) -> None:
        if self.folder is None:
            return
        self._namespace(namespace)[key] = value
        self._used.setdefault(namespace, {})[key] = value
        self._changed.add(namespace)

    def save(self) -> None:
        """Write back every namespace this run changed or used only part of."""
        if self.folder is None:
            return
        for namespace, used in self._used.items():
            if namespace not in self._changed and len(used) == len(self._loaded.get(namespace, ())):
                continue
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{namespace}.", suffix=".tmp")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        pickle.dump((self._print, used), fh, protocol=pickle.HIGHEST_PROTOCOL)
                    os.replace(tmp, self.folder / f"{namespace}.pickle")
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
            except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower
                self.folder = None
                return

    def _namespace(self, namespace: str) -> dict[Any, Any]:
        entries = self._loaded.get(namespace)
        if entries is None:
            entries = self._loaded[namespace] = self._read(namespace)
        return entries

    def _read(self, namespace: str) -> dict[Any, Any]:
        if self.folder is None:
            return {}
        path = self.folder / f"{namespace}.pickle"
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                foreign = hasattr(os, "getuid") and st.st_uid != os.getuid()
                if foreign or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                    return {}  # somebody else could have written it: never unpickle that
                stored_print, entries = pickle.load(fh)
        except Exception:  # noqa: BLE001 - missing, corrupt or from another version: start empty
            return {}
        if stored_print != self._print or not isinstance(entries, dict):
            return {}
        return entries


def activate(root: Path, enabled: bool = True) -> DiskCache | None:
    """Make the cache of ``root`` the one this process uses (None when turned off)."""
    global ACTIVE
    folder = default_folder(root) if enabled else None
    ACTIVE = DiskCache(folder) if folder is not None else None
    return ACTIVE


def deactivate() -> None:
    """Save and forget the active cache."""
    global ACTIVE
    if ACTIVE is not None:
        ACTIVE.save()
    ACTIVE = None
