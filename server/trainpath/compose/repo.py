"""The config search path as Hydra's file config sources see it: one config directory, or several.

:class:`ConfigRepo` answers Hydra's repository questions statically — does
config ``arch/etrm`` exist, is ``arch`` a group, which options does a group
have — from the file system, and loads config files through
:func:`trainpath.parsing.yaml_doc.load_yaml` (cached by content).  Directory
listings are cached; :meth:`ConfigRepo.invalidate` drops them when a file is
created, deleted or renamed.

Hydra's rules (``hydra/_internal/core_plugins/file_config_source.py``): a
config name gets ``.yaml`` appended unless it already ends with it
(``.yml`` is never found, hydra-notes 17); a group is any directory; a
group's options are its ``*.yaml`` files, extension stripped.  Hydra's own
groups (``hydra/launcher`` …) come from hydra-core's package and config
store; they are listed in :data:`HYDRA_GROUPS` so that overrides of them are
understood without importing Hydra.

Several directories (a job's ``--config-dir``, the primary config's
``hydra.searchpath``) form a :class:`SearchPathRepo`, which answers the same
questions the way Hydra's ``ConfigRepository`` does over its sources
(``hydra/_internal/config_repository.py``): a config (or its file) comes from
the first directory that has it; a group exists when any directory has it;
a group's options are the sorted union over the directories that have it.
Hydra's own ``pkg://hydra.conf`` source comes first in Hydra's search path;
as for one directory, its groups are :data:`HYDRA_GROUPS`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

from trainpath.parsing.yaml_doc import YamlDoc, load_yaml

#: Hydra's own config groups and their options (hydra-core 1.3.8, default search path).
HYDRA_GROUPS: dict[str, tuple[str, ...]] = {
    "hydra/env": ("default",),
    "hydra/help": ("default",),
    "hydra/hydra_help": ("default",),
    "hydra/hydra_logging": ("default", "disabled", "hydra_debug", "none"),
    "hydra/job_logging": ("default", "disabled", "none", "stdout"),
    "hydra/output": ("default",),
    "hydra/launcher": ("basic",),
    "hydra/sweeper": ("basic",),
    "hydra/callbacks": (),
}

_FILTERED = ("__pycache__", "__init__.py")


class _Listing(NamedTuple):
    """One directory of the config dir, as Hydra's file config source lists it."""

    groups: list[str]  # sub-directories, sorted
    options: list[str]  # ``*.yaml`` files, extension stripped, sorted
    option_set: frozenset[str]  # the same, for lookups in large groups


def normalize_name(name: str) -> str:
    """``name`` with Hydra's ``.yaml`` suffix rule applied (a relative file path)."""
    return name if name.endswith(".yaml") else f"{name}.yaml"


class ConfigRepo:
    """One config search path: a primary config directory, listed and loaded lazily."""

    #: True when the search path has a source trainpath cannot see (``pkg://``, an interpolation)
    hidden = False

    def __init__(self, config_dir: Path, searcher: Callable[[tuple[Path, ...], bool], "SearchPathRepo"] | None = None,
                 ) -> None:
        self.config_dir = Path(config_dir)
        self._listing: dict[str, _Listing | None] = {}
        self._files: dict[str, Path | None] = {}  # config name -> its file (answers of file())
        #: bumped by every invalidate(): what was derived from the listings before is stale
        self.generation = 0
        #: makes (and keeps) the repo of a search path: a project's, made of its shared repos; None: a fresh one
        self.searcher = searcher

    @property
    def dirs(self) -> tuple[Path, ...]:
        """The directories searched, in order."""
        return (self.config_dir,)

    def searching(self, extra: Sequence[Path] = (), hidden: bool = False) -> "ConfigRepo | SearchPathRepo":
        """This directory followed by ``extra`` (Hydra's order), as one repo; ``self`` when nothing is added."""
        return _searching(self, (self,), extra, hidden)
    # ------------------------------------------------------------------ listing
    def _list(self, group: str) -> _Listing | None:
        """Sub-groups and options of directory ``group``; None when it is no directory."""
        group = group.strip("/")
        if group in self._listing:
            return self._listing[group]
        directory = os.path.join(self.config_dir, group) if group else self.config_dir
        result: _Listing | None
        try:
            # DirEntry.is_dir()/is_file() follow links like Path's, and mostly need no stat
            with os.scandir(directory) as entries:
                groups, options = set(), set()
                for entry in entries:
                    name = entry.name
                    if name in _FILTERED:
                        continue
                    if entry.is_dir():
                        groups.add(name)
                    if name.endswith(".yaml") and entry.is_file():
                        options.add(name[: -len(".yaml")])
        except OSError:
            result = None
        else:
            result = _Listing(sorted(groups), sorted(options), frozenset(options))
        self._listing[group] = result
        return result

    def exists(self, name: str) -> bool:
        """True when config ``name`` (``'arch/etrm'`` or ``'arch/etrm.yaml'``) is a file."""
        return self.file(name) is not None

    def file(self, name: str) -> Path | None:
        """The file of config ``name``, or None when there is none."""
        try:
            return self._files[name]
        except KeyError:
            pass
        found = self._files[name] = self._file(name)
        return found

    def _file(self, name: str) -> Path | None:
        name = name.strip("/")
        if not name or name.endswith("/"):
            return None
        rel = normalize_name(name)
        group, _, base = rel.rpartition("/")
        listing = self._list(group)
        if listing is None or base[: -len(".yaml")] not in listing.option_set:
            return None
        return self.config_dir / rel

    def is_group(self, group: str) -> bool:
        """True when ``group`` is a directory of the config dir, or one of Hydra's own groups."""
        group = group.strip("/")
        if group in HYDRA_GROUPS or group == "hydra":
            return True
        return group != "" and self._list(group) is not None

    def is_user_group(self, group: str) -> bool:
        """True when ``group`` is a directory in the config dir (not only one of Hydra's)."""
        group = group.strip("/")
        return group != "" and self._list(group) is not None

    def options(self, group: str) -> list[str]:
        """Sorted option names of ``group`` (Hydra's own options included for ``hydra/*``)."""
        group = group.strip("/")
        listing = self._list(group) if group else None
        options = listing.options if listing else []
        if group not in HYDRA_GROUPS:
            return list(options)
        return sorted(set(options).union(HYDRA_GROUPS[group]))

    def groups(self, parent: str = "") -> list[str]:
        """Every group below ``parent`` (``'db'``, ``'db/site'`` …), sorted, depth first."""
        out: list[str] = []
        listing = self._list(parent)
        if listing is None:
            return out
        for sub in listing.groups:
            path = f"{parent}/{sub}" if parent else sub
            out.append(path)
            out.extend(self.groups(path))
        return sorted(out) if not parent else out

    def load(self, name: str) -> YamlDoc | None:
        """The parsed config ``name`` (content-cached by load_yaml), or None when missing."""
        path = self.file(name)
        return load_yaml(path) if path is not None else None

    def invalidate(self, path: Path | None = None) -> None:
        """Forget cached listings (all of them, or those of ``path``'s directory and parents)."""
        self.generation += 1
        self._files.clear()
        if path is None:
            self._listing.clear()
            return
        try:
            rel = Path(path).resolve().relative_to(self.config_dir.resolve())
        except (ValueError, OSError):
            return
        parts = rel.parts
        for i in range(len(parts) + 1):
            self._listing.pop("/".join(parts[:i]), None)


class SearchPathRepo:
    """Several config directories searched in order, answering as Hydra's ``ConfigRepository`` does.

    ``repos[0]`` is the primary config directory (the ``main`` source: the
    script's ``config_path`` or ``--config-path``); the others follow in
    Hydra's search-path order (``--config-dir``, then ``hydra.searchpath``
    entries).  Each member keeps its own listing caches; this repo derives
    nothing of its own, so invalidating a member (or this repo) is enough.
    """

    def __init__(self, repos: Sequence[ConfigRepo], hidden: bool = False) -> None:
        self.repos: tuple[ConfigRepo, ...] = tuple(repos)
        self.config_dir = self.repos[0].config_dir  # findings with no better file go to the primary dir
        self.dirs: tuple[Path, ...] = tuple(r.config_dir for r in self.repos)
        self.hidden = hidden
        self.searcher = self.repos[0].searcher

    @property
    def generation(self) -> tuple[int, ...]:
        """Changes whenever a member's listing is invalidated (plans compare it)."""
        return tuple(r.generation for r in self.repos)

    def searching(self, extra: Sequence[Path] = (), hidden: bool = False) -> "ConfigRepo | SearchPathRepo":
        """This search path followed by ``extra``; ``self`` when nothing is added."""
        return _searching(self, self.repos, extra, hidden or self.hidden)

    def file(self, name: str) -> Path | None:
        """The file of config ``name`` in the first directory that has it (Hydra's ``_find_object_source``)."""
        for repo in self.repos:
            found = repo.file(name)
            if found is not None:
                return found
        return None

    def exists(self, name: str) -> bool:
        return self.file(name) is not None

    def is_user_group(self, group: str) -> bool:
        return any(r.is_user_group(group) for r in self.repos)

    def is_group(self, group: str) -> bool:
        group = group.strip("/")
        if group in HYDRA_GROUPS or group == "hydra":
            return True
        return self.is_user_group(group)

    def options(self, group: str) -> list[str]:
        """The sorted union of ``group``'s options over the directories (Hydra's ``get_group_options``)."""
        merged: set[str] = set()
        for repo in self.repos:
            merged.update(repo.options(group))
        return sorted(merged)

    def groups(self, parent: str = "") -> list[str]:
        merged: set[str] = set()
        for repo in self.repos:
            merged.update(repo.groups(parent))
        return sorted(merged)

    def load(self, name: str) -> YamlDoc | None:
        path = self.file(name)
        return load_yaml(path) if path is not None else None

    def invalidate(self, path: Path | None = None) -> None:
        for repo in self.repos:
            repo.invalidate(path)


def _searching(repo: Any, repos: tuple[ConfigRepo, ...], extra: Sequence[Path], hidden: bool) -> Any:
    """``repo`` (searching ``repos``) with the ``extra`` directories appended, duplicates dropped."""
    dirs = [r.config_dir for r in repos]
    for d in extra:
        d = Path(d)
        if d not in dirs:
            dirs.append(d)
    if len(dirs) == len(repos) and hidden == repo.hidden:
        return repo
    if repo.searcher is not None:
        return repo.searcher(tuple(dirs), hidden)
    return SearchPathRepo(list(repos) + [ConfigRepo(d) for d in dirs[len(repos):]], hidden)
