"""A project on disk: its root, settings, and the files that belong to training paths.

One walk of the tree finds the candidates (YAML under config folders, Python
files that mention ``hydra``, job files matching the globs); everything is
parsed lazily through the content-keyed caches of ``trainpath.parsing``.
Directories are never followed through symlinks, so symlink loops cannot trap
the walk.
"""

from __future__ import annotations

import fnmatch
import os
import re
import weakref
from functools import cached_property
from pathlib import Path

from trainpath.settings import DEFAULT_CONFIG_DIRS, Settings, load_settings

#: a call that builds ``_target_`` nodes: ``hydra.utils.instantiate`` / ``call`` (any import form)
_INSTANTIATE = re.compile(r"\binstantiate\b|hydra\.utils\.call\b|from\s+hydra\.utils\s+import[^\n]*\bcall\b")


def builds_targets(text: str) -> bool:
    """``text`` (Python) calls ``hydra.utils.instantiate`` or ``call``."""
    return "hydra" in text and _INSTANTIATE.search(text) is not None


_SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache", "outputs", "wandb"}


class Project:
    """The analysed repository: paths are absolute and resolved."""

    def __init__(self, root: Path, settings: Settings | None = None) -> None:
        self.root = Path(root).resolve()
        self.settings = settings if settings is not None else load_settings(self.root)
        self._repos: dict[Path, object] = {}
        self._searches: dict[tuple, object] = {}
        self._searcher = _weak_searcher(weakref.ref(self))  # repos hold it: no reference cycle through them
        #: folders beyond ``config_dirs`` that a chain's config search path holds (a job's ``--config-dir``, a
        #: ``hydra.searchpath`` entry, a ``--config-path``): set from the chains by whoever builds them
        self.extra_config_dirs: tuple[Path, ...] = ()

    # -- the walk -----------------------------------------------------------------
    @cached_property
    def _tree(self) -> tuple[list[Path], list[Path], list[Path]]:
        """(python files, yaml files, job files), each sorted."""
        py: list[Path] = []
        yml: list[Path] = []
        jobs: list[Path] = []
        root = self.root
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            rel_dir = os.path.relpath(dirpath, root)
            rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
            dirnames[:] = sorted(
                d for d in dirnames
                if d not in _SKIP_DIRS and not d.startswith(".") and not self.settings.is_excluded(_join(rel_dir, d) + "/x")
            )
            for name in sorted(filenames):
                rel = _join(rel_dir, name)
                if self.settings.is_excluded(rel):
                    continue
                if name.endswith(".py"):
                    py.append(Path(dirpath, name))
                elif name.endswith(".yaml"):
                    yml.append(Path(dirpath, name))
                if self._is_job_rel(rel, name):
                    jobs.append(Path(dirpath, name))
        return py, yml, jobs

    def rel(self, path: Path) -> str:
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def is_job_file(self, path: Path) -> bool:
        return self._is_job_rel(self.rel(path), Path(path).name)

    def _is_job_rel(self, rel: str, name: str) -> bool:
        """Whether the file at ``rel`` (relative to the root, ``/``-separated) is a job file."""
        for pat in self.settings.job_files:
            if fnmatch.fnmatch(rel, pat) or ("/" not in pat and fnmatch.fnmatch(name, pat) and "/" not in rel):
                return True
            if pat.startswith("**/") and fnmatch.fnmatch(name, pat[3:]):
                return True
        return False

    @property
    def python_files(self) -> list[Path]:
        return self._tree[0]

    @property
    def job_file_paths(self) -> list[Path]:
        return self._tree[2]

    @cached_property
    def script_paths(self) -> list[Path]:
        """Python files that may hold a ``@hydra.main`` entry point (cheap text test first)."""
        from trainpath.parsing.sources import read_source

        out = []
        building: set[Path] = set()
        for path in self.python_files:
            text = read_source(path).text
            if text is not None and "hydra" in text:
                if "main" in text:
                    out.append(path)
                if builds_targets(text):
                    building.add(path)
        self.__dict__["_instantiating"] = building
        return out

    @property
    def instantiating(self) -> set[Path]:
        """Files that call ``hydra.utils.instantiate`` or ``call`` (found by the same walk as the scripts).

        Hydra never acts on ``_target_`` by itself: where no file calls these,
        keys beside a ``_target_`` are plain config values.
        """
        if "_instantiating" not in self.__dict__:
            self.__dict__.pop("script_paths", None)
            self.script_paths  # noqa: B018 - the same walk finds both
        return self.__dict__["_instantiating"]

    def scripts(self) -> list:
        from trainpath.parsing.scripts import load_script

        infos = [load_script(p, self.root) for p in self.script_paths]
        return [i for i in infos if i.entry is not None]

    @cached_property
    def config_dirs(self) -> list[Path]:
        """Config folders: from settings, else the scripts' decorators, else config/ conf/ configs/."""
        dirs: list[Path] = []
        if self.settings.config_dirs:
            dirs = [(self.root / d).resolve() for d in self.settings.config_dirs]
        else:
            for info in self.scripts():
                d = info.entry.config_dir
                if d is not None and d.is_dir() and d not in dirs:
                    dirs.append(d)
            if not dirs:
                for name in DEFAULT_CONFIG_DIRS:
                    d = self.root / name
                    if d.is_dir():
                        dirs.append(d)
                        break
        return [d for d in dirs if d.is_dir()]

    def config_files(self) -> list[Path]:
        """Every ``.yaml`` under a config folder."""
        dirs = self.config_dirs
        return [p for p in self._tree[1] if any(_is_under(p, d) for d in dirs)]

    def is_config_file(self, path: Path) -> bool:
        """A ``.yaml`` under a config folder, or under a folder of some chain's config search path."""
        return str(path).endswith(".yaml") and self.config_dir_of(path) is not None

    def is_main_config_file(self, path: Path) -> bool:
        """A ``.yaml`` under one of ``config_dirs`` (every such file is checked, whether a chain uses it or not)."""
        return str(path).endswith(".yaml") and any(_is_under(Path(path), d) for d in self.config_dirs)

    def config_dir_of(self, path: Path) -> Path | None:
        """The config folder ``path`` is in: one of ``config_dirs``, else one of ``extra_config_dirs``."""
        for d in self.config_dirs:
            if _is_under(Path(path), d):
                return d
        for d in self.extra_config_dirs:
            if _is_under(Path(path), d):
                return d
        return None

    def yaml_files_under(self, folder: Path) -> list[Path]:
        """Every ``.yaml`` of the walk below ``folder`` (sorted)."""
        return [p for p in self._tree[1] if _is_under(p, folder)]

    def repo(self, config_dir: Path):
        """The (cached) ConfigRepo for a config folder.

        Search paths of several folders (``repo(d).searching([extra])``) are made
        of these repos, so invalidating every repo here invalidates them too.
        """
        from trainpath.compose import ConfigRepo

        config_dir = Path(config_dir)
        repo = self._repos.get(config_dir)
        if repo is None:
            repo = self._repos[config_dir] = ConfigRepo(config_dir, searcher=self._searcher)
        return repo

    def search_repo(self, dirs: tuple[Path, ...], hidden: bool = False):
        """The (cached) repo of a search path: ``repo(dirs[0])`` alone, or a SearchPathRepo of the shared repos."""
        from trainpath.compose.repo import SearchPathRepo

        if len(dirs) == 1 and not hidden:
            return self.repo(dirs[0])
        key = (tuple(dirs), hidden)
        found = self._searches.get(key)
        if found is None:
            found = self._searches[key] = SearchPathRepo([self.repo(d) for d in dirs], hidden)
        return found

    @cached_property
    def pyindex(self):
        from trainpath.pyindex import PyIndex

        return PyIndex([self.root])

    def forget_walk(self) -> None:
        """Forget what the walk found (files, scripts, instantiate calls, config folders): it is done again."""
        for name in ("_tree", "script_paths", "_instantiating", "config_dirs"):
            self.__dict__.pop(name, None)

    def refresh(self) -> None:
        """Forget the walk (files were created, deleted or renamed)."""
        self.forget_walk()
        for repo in self._repos.values():
            repo.invalidate(None)
        if "pyindex" in self.__dict__:
            self.pyindex.invalidate(None)


def _weak_searcher(ref: "weakref.ref[Project]"):
    def searcher(dirs: tuple[Path, ...], hidden: bool):
        project = ref()
        if project is None:
            from trainpath.compose.repo import ConfigRepo, SearchPathRepo

            return SearchPathRepo([ConfigRepo(d) for d in dirs], hidden)
        return project.search_repo(dirs, hidden)

    return searcher


def _join(a: str, b: str) -> str:
    return f"{a}/{b}" if a else b


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False
