"""Typed links, chains and the graph that indexes them both ways."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from trainpath.parsing.positions import Span

#: link kinds, in chain order (the contract's chain JSON uses these names)
KINDS = ("job", "script", "config", "default", "arch", "model", "loss", "evaluator", "target", "override", "interpolation")
#: link kinds written in configs that name Python (``name: module@Class``, ``_target_``)
NAME_KINDS = ("model", "loss", "evaluator", "target")


@dataclass(frozen=True, slots=True)
class Ref:
    """A place in a file: where a link's name is written, or what it leads to."""

    path: Path
    span: Span


@dataclass(slots=True)
class Link:
    """One step of a chain: text at ``source`` that names ``target``.

    ``ok`` is False when the target could not be found; ``problem`` then says
    why in a phrase the rules reuse ("no script file", "no class `X` in …").
    """

    kind: str
    name: str
    source: Ref | None
    target: Ref | None = None
    ok: bool = True
    problem: str | None = None
    suggestion: str | None = None  # nearest correct name, for "did you mean"
    #: free-form facts for rules and hover: e.g. {"module": "...", "class": "...", "prefix": "models."}
    info: dict[str, Any] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)  # finding codes attached after the rules ran

    @property
    def target_path(self) -> Path | None:
        return self.target.path if self.target else None


@dataclass
class Chain:
    """One training path: its root (a job line, a decorator, or a main config) and its links in order."""

    root: Ref
    root_kind: str  # 'job' | 'script' | 'config'
    title: str
    links: list[Link] = field(default_factory=list)
    #: the composition this chain trains with (``trainpath.compose.ComposeResult``), when it got that far
    compose: Any = None
    job: Any = None  # trainpath.parsing.jobs.JobLine
    script: Any = None  # trainpath.parsing.scripts.ScriptInfo
    config_dir: Path | None = None
    config_name: str | None = None
    model: Any = None  # trainpath.pyindex.Symbol of the model class
    model_link: Link | None = None
    codes: set[str] = field(default_factory=set)
    #: findings found while building this chain (composition, script syntax), before any rule ran
    findings: list = field(default_factory=list)
    #: the config search path the chain composed on, when it has several folders (the primary folder, a job's
    #: ``--config-dir``, the primary's ``hydra.searchpath``): the project's shared tuple of its search repo.
    #: None (the class's value: no per-chain cost) means ``config_dir`` alone.  A plain class attribute, not a
    #: dataclass field (set on the few chains that have one): ``dataclasses.replace`` does not copy it.
    search_dirs = None  # tuple[Path, ...] | None

    @property
    def key(self) -> tuple:
        """Identity across rebuilds: (root kind, root file, root line)."""
        return (self.root_kind, self.root.path, self.root.span.line)

    def link(self, kind: str) -> Link | None:
        for link in self.links:
            if link.kind == kind:
                return link
        return None

    @property
    def ok(self) -> bool:
        return all(link.ok for link in self.links) and not self.codes

    @property
    def folders(self) -> tuple[Path, ...]:
        """The config folders this chain's configs are looked up in, in Hydra's order (empty: none)."""
        if self.search_dirs is not None:
            return self.search_dirs
        return (self.config_dir,) if self.config_dir is not None else ()

    @property
    def main_config(self) -> Path | None:
        """The primary config's file (found along the search path: it may be in a ``--config-dir`` folder)."""
        link = self.link("config")
        if link is not None:
            return link.target.path if link.target is not None else None
        if self.root_kind == "config":
            return self.root.path
        return None

    def files(self) -> set[Path]:
        """Every file this chain depends on (for re-checking when one changes)."""
        out = {self.root.path}
        for link in self.links:
            if link.source:
                out.add(link.source.path)
            if link.target:
                out.add(link.target.path)
        if self.compose is not None:
            out |= set(getattr(self.compose, "files", ()) or ())
        return out


class Graph:
    """Every link of every chain, indexed by the file that writes it and the file it leads to.

    Links are added by *holder* (any hashable: a chain's key, ``("file", path)``
    for a config's name links), so the language server can replace what one
    chain contributes without rebuilding the graph.  A link several holders
    share (the same ``name:`` link in many chains) stays while one holds it;
    the newest object wins.  Its key tuple is made once: holders list the
    stored one (thousands of chains hold the same ``name:`` links).
    """

    def __init__(self, links: Iterable[Link] = ()) -> None:
        self._links: dict[tuple, _Held] = {}
        self._held: dict[Any, tuple[tuple, ...]] = {}
        self._by_source: dict[Path, dict[tuple, Link]] = defaultdict(dict)
        self._by_target: dict[Path, dict[tuple, Link]] = defaultdict(dict)
        for link in links:
            self.add(link)

    @staticmethod
    def _key(link: Link) -> tuple:
        return (link.kind, link.source, link.target, link.name)

    def set_holder(self, holder: Any, links: Iterable[Link]) -> None:
        """Replace what ``holder`` contributes with ``links`` (empty: remove the holder)."""
        self.drop_holder(holder)
        keys: dict[tuple, None] = {}
        for link in links:
            key = self._key(link)
            held = self._links.get(key)
            if held is None:
                held = self._links[key] = _Held(key)
            elif held.key in keys:
                continue
            key = held.key
            keys[key] = None
            held.count += 1
            held.link = link
            if link.source:
                self._by_source[link.source.path][key] = link
            if link.target:
                self._by_target[link.target.path][key] = link
        if keys:
            self._held[holder] = tuple(keys)

    def drop_holder(self, holder: Any) -> None:
        for key in self._held.pop(holder, ()):
            held = self._links[key]
            held.count -= 1
            if held.count > 0:
                continue
            del self._links[key]
            link = held.link
            for index, ref in ((self._by_source, link.source), (self._by_target, link.target)):
                if ref is not None:
                    bucket = index.get(ref.path)
                    if bucket is not None:
                        bucket.pop(key, None)
                        if not bucket:
                            del index[ref.path]

    def add(self, link: Link) -> None:
        """Add one link on its own (held by itself)."""
        self.set_holder(("single",) + self._key(link), [link])

    def __iter__(self) -> Iterator[Link]:
        return iter([held.link for held in self._links.values()])

    def __len__(self) -> int:
        return len(self._links)

    def links_in(self, path: Path) -> list[Link]:
        """Links written in ``path`` (forward: what this file leads to)."""
        return list(self._by_source.get(path, {}).values())

    def link_at(self, path: Path, line: int, col: int) -> Link | None:
        """The link whose name is under the cursor (the narrowest one)."""
        best: Link | None = None
        for link in list(self._by_source.get(path, {}).values()):  # a re-check may run meanwhile
            s = link.source.span
            if s.contains(line, col):
                if best is None or _width(s) < _width(best.source.span):
                    best = link
        return best

    def links_to(self, path: Path, line: int | None = None) -> list[Link]:
        """Links that lead to ``path`` (backward: what leads here), optionally to the definition on ``line``."""
        out = list(self._by_target.get(path, {}).values())
        if line is None:
            return out
        return [link for link in out if link.target and link.target.span.line == line]


class _Held:
    """A link of the graph: its key (the one tuple every holder lists), the newest object, how many hold it."""

    __slots__ = ("key", "link", "count")

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.link: Link | None = None
        self.count = 0


def _width(span: Span) -> tuple[int, int]:
    return (span.end_line - span.line, span.end_col - span.col)
