"""Per-workspace-folder state: the chain model, its findings, and incremental re-checks.

A workspace folder is one :class:`ProjectState`: its own settings, index and
findings.  Findings are kept per *group* — one chain (``by_chain``) or one
file's own findings (``by_file``: reading problems and the ``name:`` links
written in a config) — so a re-check replaces precisely what it recomputed.

A content change (:meth:`ProjectState.update`) re-checks only what goes
through the changed files:

- a config file: its ``name:`` links are resolved again, and every chain
  whose composition read it is rebuilt; a config outside the config
  folders (a job's ``--config-dir``, a ``hydra.searchpath`` folder) is
  checked exactly while some chain composes it, as in a fresh build;
- a job file: parsed again; a job line whose text and place did not change
  keeps its chain, the others are rebuilt one by one;
- a Python file: the chains and config links whose Python files import it
  (transitively, see :class:`~trainpath.lsp.incremental.PyDeps`) are rebuilt.

Rules that compare chains (``config-name-mismatch`` reads the script's own
chain, ``missing-mandatory`` asks whether a job composes the same config) are
given those neighbour chains only, and the neighbours of a rebuilt chain are
judged again.  Files created, deleted or renamed re-walk the tree
(:meth:`ProjectState.structural_change`) but keep the parsed Python index.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable

from trainpath.chain.build import Builder, ProjectModel, RuleInput, composed_extra_files, search_folders
from trainpath.chain.model import Chain
from trainpath.chain.project import Project
from trainpath.findings import Finding
from trainpath.chain.model import Graph
from trainpath.lsp.incremental import PyDeps, chain_python_files, link_python_files
from trainpath.settings import Settings, load_settings

_KIND_RANK = {"job": 0, "script": 1, "config": 2}
_ChainKey = tuple
_Group = tuple  # ("c", chain key) | ("f", path)


class ProjectState:
    """One workspace folder: its own settings, index and findings."""

    def __init__(self, root: Path, editor_settings: dict[str, Any] | None = None) -> None:
        self.root = Path(root).resolve()
        #: the editor's ``trainpath`` settings for this folder (camelCase keys), layered over pyproject.toml
        self.editor_settings = dict(editor_settings or {})
        self.lock = threading.RLock()
        #: bumped on every change of findings
        self.generation = 0
        self.project: Project | None = None
        self.builder: Builder | None = None
        self.model: ProjectModel | None = None
        #: chain key -> findings of that chain
        self.by_chain: dict[_ChainKey, list[Finding]] = {}
        #: file -> findings of the file itself (reading, its python-name links)
        self.by_file: dict[Path, list[Finding]] = {}
        #: file -> its findings, merged from every group (what the editor shows)
        self.diagnostics: dict[Path, list[Finding]] = {}
        #: every file that ever had findings (so pull clients get an empty report when they clear)
        self.reported: set[Path] = set()
        #: file -> how many times its findings changed (pull-diagnostics result ids)
        self.versions: dict[Path, int] = {}
        self.last_build_seconds = 0.0
        #: how many incremental re-checks ran, and the chains the last one rebuilt
        self.rechecks = 0
        self.last_rebuilt = 0
        self._chains: dict[_ChainKey, Chain] = {}
        self._chain_py: dict[_ChainKey, frozenset[Path]] = {}
        self._by_file_index: dict[Path, set[_ChainKey]] = defaultdict(set)
        self._script_chain: dict[Path, _ChainKey] = {}
        self._job_use: dict[tuple, set[_ChainKey]] = defaultdict(set)
        self._where: dict[Path, set[_Group]] = defaultdict(set)
        self._graph = Graph()
        self._deps: PyDeps | None = None
        #: config file -> the Python files its name links rest on (None: not computed yet)
        self._links_py: dict[Path, frozenset[Path]] = {}
        #: a config composed from outside the config folders (``--config-dir`` …) -> the chains composing it: the
        #: file is checked (name links, own findings) while one does, as in a fresh build
        self._extra_users: dict[Path, set[_ChainKey]] = {}
        #: such configs that gained their first chain / lost their last one since the last re-check
        self._extra_new: set[Path] = set()
        self._extra_gone: set[Path] = set()

    # -- settings ------------------------------------------------------------------------
    def settings(self) -> Settings:
        base = load_settings(self.root)
        return base.merged(self.editor_settings) if self.editor_settings else base

    def set_editor_settings(self, editor_settings: dict[str, Any]) -> set[Path]:
        """New editor settings; returns the files whose diagnostics changed.

        A change of rule severities only judges again; any other change rebuilds.
        """
        with self.lock:
            self.editor_settings = dict(editor_settings or {})
            if self.project is None:
                return set()
            new, old = self.settings(), self.project.settings
            if replace(new, problems=()) == replace(old, problems=()):
                return set()
            if replace(new, rules={}, problems=()) == replace(old, rules={}, problems=()):
                self.project.settings = new
                dirty: set[Path] = set()
                for key, chain in self._chains.items():
                    self._set_group(("c", key), self._judge_chain(chain), dirty)
                for path in list(self.by_file):
                    self._set_group(("f", path), self._judge_file(path), dirty)
                return self._aggregate(dirty)
        return self.build()

    # -- building ------------------------------------------------------------------------
    def build(self, project: Project | None = None) -> set[Path]:
        """(Re)build everything; returns the files whose diagnostics changed."""
        start = time.perf_counter()
        with self.lock:
            project = project or Project(self.root, self.settings())
            builder = Builder(project, warm_hover=True)
            model = builder.build()
            self.project, self.builder, self.model = project, builder, model
            self._deps = None
            self._links_py.clear()
            self._chains.clear()
            self._chain_py.clear()
            self._by_file_index.clear()
            self._script_chain.clear()
            self._job_use.clear()
            self._extra_users.clear()
            self._graph = Graph()
            for chain in model.chains:
                self._index_chain(chain)
            self._extra_new.clear()
            self._extra_gone.clear()
            for path, links in model.name_links.items():
                self._graph.set_holder(("file", path), links)
            model.graph = self._graph
            self.by_chain, self.by_file = {}, {}
            self._where.clear()
            dirty: set[Path] = set(self.diagnostics)
            for key, chain in self._chains.items():
                self._set_group(("c", key), self._judge_chain(chain), dirty)
            for path in set(model.name_links) | set(model.file_findings):
                self._set_group(("f", path), self._judge_file(path), dirty)
            changed = self._aggregate(dirty)
        self.last_build_seconds = time.perf_counter() - start
        return changed

    def structural_change(self, paths: Iterable[Path] = ()) -> set[Path]:
        """Files were created, deleted or renamed: walk again, keeping what was parsed.

        The Python index survives (only the files named are forgotten); config,
        job and script parses are cached by content anyway.
        """
        with self.lock:
            paths = [Path(p) for p in paths]
            project = self.project
            if project is None or any(p.name == "pyproject.toml" for p in paths) or not paths:
                return self.build()
            if replace(self.settings(), problems=()) != replace(project.settings, problems=()):
                return self.build()
            project.forget_walk()
            for config_dir in list(project._repos):
                project.repo(config_dir).invalidate(None)
            if "pyindex" in project.__dict__:
                for p in paths:
                    if p.suffix == ".py" or p.suffix == "":
                        project.pyindex.invalidate(p)
            return self.build(project)

    # -- judging -------------------------------------------------------------------------
    def _neighbours(self, chain: Chain) -> list[Chain]:
        """The other chains the cross-chain rules read for ``chain`` (see the module docstring)."""
        if chain.root_kind == "job":
            script = getattr(chain.script, "path", None)
            key = self._script_chain.get(script) if script is not None else None
            return [self._chains[key]] if key in self._chains else []
        users = self._job_use.get((chain.config_dir, chain.config_name))
        if users:
            return [self._chains[next(iter(users))]]
        return []

    def _judge_chain(self, chain: Chain) -> list[Finding]:
        from trainpath.rules import run_rules

        assert self.project is not None
        return run_rules(RuleInput(self.project, [chain], {}, list(chain.findings), self._neighbours(chain)))

    def _judge_file(self, path: Path) -> list[Finding]:
        from trainpath.rules import run_rules

        assert self.project is not None and self.model is not None
        links = self.model.name_links
        named = {path: links[path]} if path in links else {}
        return run_rules(RuleInput(self.project, [], named, list(self.model.file_findings.get(path, ())), []))

    # -- chain bookkeeping ---------------------------------------------------------------
    def _index_chain(self, chain: Chain) -> None:
        key = chain.key
        self._chains[key] = chain
        for f in chain.files():
            self._by_file_index[f].add(key)
        if chain.root_kind == "script" and chain.script is not None:
            self._script_chain[chain.script.path] = key
        if chain.root_kind == "job" and chain.compose is not None:
            self._job_use[(chain.config_dir, chain.config_name)].add(key)
        assert self.project is not None
        for f in composed_extra_files(self.project, chain):
            users = self._extra_users.setdefault(f, set())
            if not users:
                self._extra_new.add(f)
            users.add(key)
        self._graph.set_holder(key, chain.links)

    def _unindex_chain(self, key: _ChainKey) -> Chain | None:
        """Forget an indexed chain.

        A chain is never changed once indexed (a change builds a new one), so
        ``chain.files()`` gives back the files it was indexed under; keeping a
        copy of them per chain cost 2 MB on the ×100 synthetic project.
        """
        chain = self._chains.pop(key, None)
        if chain is None:
            return None
        for f in chain.files():
            keys = self._by_file_index.get(f)
            if keys is not None:
                keys.discard(key)
        self._chain_py.pop(key, None)
        if chain.root_kind == "script" and chain.script is not None and self._script_chain.get(chain.script.path) == key:
            del self._script_chain[chain.script.path]
        users = self._job_use.get((chain.config_dir, chain.config_name))
        if users is not None:
            users.discard(key)
        assert self.project is not None
        for f in composed_extra_files(self.project, chain):
            users = self._extra_users.get(f)
            if users is not None:
                users.discard(key)
                if not users:
                    del self._extra_users[f]
                    self._extra_gone.add(f)
        self._graph.drop_holder(key)
        return chain

    def _python_closure(self, key: _ChainKey) -> frozenset[Path]:
        hit = self._chain_py.get(key)
        if hit is None:
            assert self._deps is not None and self.project is not None
            files = chain_python_files(self._chains[key], self.project.pyindex)
            hit = self._chain_py[key] = frozenset(self._deps.closure_of(files))
        return hit

    # -- incremental -------------------------------------------------------------------
    def owns(self, path: Path) -> bool:
        try:
            Path(path).resolve().relative_to(self.root)
            return True
        except (ValueError, OSError):
            return False

    def is_relevant(self, path: Path) -> bool:
        """Whether ``path`` can take part in a training path (configs, job files, Python files, pyproject)."""
        if self.project is None:
            return False
        p = Path(path)
        return (self.project.is_config_file(p) or self.project.is_job_file(p) or p.suffix == ".py"
                or p.name == "pyproject.toml")

    def update(self, paths: set[Path]) -> set[Path]:
        """``paths`` changed content (the editor's buffer or the disk); re-check what goes through them."""
        with self.lock:
            if self.model is None or self.project is None or self.builder is None:
                return self.build()
            paths = {Path(p) for p in paths}
            if any(p.name == "pyproject.toml" for p in paths):
                return self.build()
            project, builder, model = self.project, self.builder, self.model
            if "pyindex" in project.__dict__:
                project.pyindex.new_epoch()  # re-check stamps: files may have changed on disk unannounced
            py = {p for p in paths if p.suffix == ".py"}
            jobs = {p for p in paths if project.is_job_file(p)}
            configs = {p for p in paths if project.is_config_file(p)}
            if any(self._script_membership_changed(p) or self._instantiating_changed(p) for p in py):
                return self.structural_change(py)
            if py and self._deps is None:
                self._deps = PyDeps(project.root, project.pyindex)
            kept_facts = self._facts_outside(py) if py else {}
            for p in paths:
                builder.forget(p)
            if kept_facts:
                project.pyindex._facts.update(kept_facts)
            affected: set[_ChainKey] = set()
            for p in paths - jobs:  # a changed job file's own chains are sorted out line by line
                affected |= self._by_file_index.get(p, set())
            # a config folder's file is always checked; a `--config-dir` one while a chain composes it
            relink = {p for p in configs if project.is_main_config_file(p) or p in model.name_links}
            if py:
                assert self._deps is not None
                for p in py:
                    self._deps.invalidate(p)
                self._chain_py.clear()
                for key in self._chains:
                    if self._python_closure(key) & py:
                        affected.add(key)
                for path, links in model.name_links.items():
                    files = self._links_py.get(path)
                    if files is None:
                        files = self._links_py[path] = frozenset().union(
                            *(link_python_files(l, project.pyindex) for l in links))
                    if files and self._deps.closure_of(files) & py:
                        relink.add(path)
            dirty: set[Path] = set()
            for path in relink:
                self._links_py.pop(path, None)
                if path.is_file() or _open(path):
                    model.name_links[path] = links = builder.config_name_links(path)
                    self._graph.set_holder(("file", path), links)
                    affected |= self._by_file_index.get(path, set())
                else:
                    model.name_links.pop(path, None)
                    self._graph.drop_holder(("file", path))
            self._extra_new.clear()
            self._extra_gone.clear()
            rebuilt: list[Chain] = []
            handled: set[_ChainKey] = set()
            for jf in jobs:
                rebuilt += self._update_job_file(jf, affected, handled, dirty)
            before_use = {k for k, v in self._job_use.items() if v}
            for key in sorted(affected - handled, key=_order):
                chain = self._chains.get(key)
                if chain is None:
                    continue
                fresh = self._rebuild(chain)
                self._unindex_chain(key)
                self._set_group(("c", key), None, dirty)
                if fresh is not None:
                    self._index_chain(fresh)
                    rebuilt.append(fresh)
            model.chains = [self._chains[k] for k in sorted(self._chains, key=_order)]
            fresh_extra = self._settle_extra_files(dirty)
            judge = {p for p in relink if project.is_main_config_file(p) or p in model.name_links} | fresh_extra
            project.extra_config_dirs = search_folders(project, model.chains)
            for path in judge:
                self._set_group(("f", path), self._judge_file(path), dirty)
            self._rejudge(rebuilt, before_use, dirty)
            self.rechecks += 1
            self.last_rebuilt = len(rebuilt)
            return self._aggregate(dirty)

    def _settle_extra_files(self, dirty: set[Path]) -> set[Path]:
        """Configs outside the config folders that chains started or stopped composing: a fresh build checks
        exactly those some chain composes.  Returns the ones to judge (newly composed)."""
        assert self.model is not None and self.builder is not None
        model = self.model
        for path in self._extra_gone - self._extra_users.keys():
            model.name_links.pop(path, None)
            model.file_findings.pop(path, None)
            self._links_py.pop(path, None)
            self._graph.drop_holder(("file", path))
            self._set_group(("f", path), None, dirty)
        fresh = {p for p in self._extra_new if p in self._extra_users}
        for path in fresh:
            if path not in model.name_links:  # the builder adds them as it attaches python links; to be sure
                model.name_links[path] = self.builder.config_name_links(path)
            self._graph.set_holder(("file", path), model.name_links[path])
        self._extra_new.clear()
        self._extra_gone.clear()
        return fresh

    def _facts_outside(self, py: set[Path]) -> dict:
        """The Python index's behaviour facts that read none of ``py`` (kept across its invalidation).

        ``PyIndex.invalidate(path)`` forgets every fact; a fact about a symbol
        depends only on the symbol's file and what it imports, so facts whose
        symbol's import closure misses ``py`` stay valid.
        """
        assert self.project is not None and self._deps is not None
        facts = getattr(self.project.pyindex, "_facts", None)
        if not isinstance(facts, dict):
            return {}
        kept = {}
        for key, value in facts.items():
            sym_path = getattr(key[1], "path", None) if len(key) > 1 else None
            if sym_path is None:
                continue
            before = self._deps.closure(Path(sym_path))  # closures computed before the change
            if not (before & py):
                kept[key] = value
        return kept

    def _script_membership_changed(self, path: Path) -> bool:
        """Whether a Python file gained or lost a ``@hydra.main`` entry point (the set of chains changes)."""
        from trainpath.parsing.scripts import load_script
        from trainpath.parsing.sources import read_source

        assert self.project is not None and self.builder is not None
        was = path in self.builder._scripts
        if path not in self.project.script_paths:
            text = read_source(path).text or ""
            if not ("hydra" in text and "main" in text):
                return was
        return was != (load_script(path, self.project.root).entry is not None)

    def _instantiating_changed(self, path: Path) -> bool:
        """Whether a Python file started or stopped calling ``instantiate`` (``_target_`` keys are judged or not)."""
        from trainpath.chain.project import builds_targets
        from trainpath.parsing.sources import read_source

        assert self.project is not None
        return (path in self.project.instantiating) != builds_targets(read_source(path).text or "")

    def _rebuild(self, chain: Chain) -> Chain | None:
        assert self.builder is not None
        if chain.root_kind == "job":
            fresh = self.builder.job_chain(chain.root.path, chain.job)
            self.builder.attach_python_links(fresh)
            return fresh
        return self.builder.rebuild(chain)

    def _update_job_file(self, jf: Path, affected: set, handled: set, dirty: set[Path]) -> list[Chain]:
        """Parse a changed job file again; keep the chains of job lines that did not change."""
        from trainpath.parsing.jobs import load_jobs

        assert self.builder is not None and self.model is not None
        old = {k for k in self._chains if k[0] == "job" and k[1] == jf}
        handled |= old
        # Builder's compositions are cached by (config, override texts, job file), and their findings
        # carry the overrides' spans: once the job file changed they may point at old places.
        cache = getattr(self.builder, "_compose_cache", None)
        if isinstance(cache, dict):
            for key in [k for k in cache if len(k) > 3 and k[3] == jf]:
                del cache[key]
        fresh: list[Chain] = []
        if jf.is_file() or _open(jf):
            jobfile = load_jobs(jf)
            self.model.file_findings[jf] = list(jobfile.findings)
            for job in jobfile.jobs:
                key = ("job", jf, job.span.line)
                prev = self._chains.get(key)
                if (prev is not None and key not in affected and prev.job is not None
                        and prev.job.text == job.text and prev.job.span == job.span):
                    old.discard(key)
                    continue
                chain = self.builder.job_chain(jf, job)
                self.builder.attach_python_links(chain)
                if prev is not None:
                    self._unindex_chain(key)
                    old.discard(key)
                self._index_chain(chain)
                fresh.append(chain)
        else:
            self.model.file_findings.pop(jf, None)
        for key in old:
            self._unindex_chain(key)
            self._set_group(("c", key), None, dirty)
        self._set_group(("f", jf), self._judge_file(jf) if jf in self.model.file_findings else None, dirty)
        return fresh

    def _rejudge(self, rebuilt: list[Chain], before_use: set[tuple], dirty: set[Path]) -> None:
        """Judge the rebuilt chains, and the chains whose verdict reads one of them."""
        todo = {c.key: c for c in rebuilt}
        scripts = {c.script.path for c in rebuilt if c.root_kind == "script" and c.script is not None}
        after_use = {k for k, v in self._job_use.items() if v}
        flipped = before_use ^ after_use
        if scripts or flipped:
            for key, chain in self._chains.items():
                if key in todo:
                    continue
                if chain.root_kind == "job" and getattr(chain.script, "path", None) in scripts:
                    todo[key] = chain
                elif chain.root_kind != "job" and (chain.config_dir, chain.config_name) in flipped:
                    todo[key] = chain
        for key, chain in todo.items():
            self._set_group(("c", key), self._judge_chain(chain), dirty)

    # -- findings ------------------------------------------------------------------------
    def _set_group(self, group: _Group, findings: list[Finding] | None, dirty: set[Path]) -> None:
        store: dict = self.by_chain if group[0] == "c" else self.by_file
        old = store.pop(group[1], None)
        for f in old or ():
            dirty.add(f.path)
            self._where[f.path].discard(group)
        if findings is None:
            return
        store[group[1]] = findings
        for f in findings:
            dirty.add(f.path)
            self._where[f.path].add(group)

    def _aggregate(self, dirty: set[Path]) -> set[Path]:
        """Merge the groups' findings for the ``dirty`` files; returns those whose findings changed."""
        changed: set[Path] = set()
        for path in dirty:
            merged: dict[tuple, Finding] = {}
            for kind, key in self._where.get(path, ()):
                group = self.by_chain.get(key, ()) if kind == "c" else self.by_file.get(key, ())
                for f in group:
                    if f.path == path:
                        merged.setdefault((f.code, f.span, f.message), f)
            new = sorted(merged.values(), key=Finding.sort_key)
            if new != self.diagnostics.get(path, []):
                changed.add(path)
                self.versions[path] = self.versions.get(path, 0) + 1
                if new:
                    self.diagnostics[path] = new
                else:
                    self.diagnostics.pop(path, None)
            if not self._where.get(path):
                self._where.pop(path, None)
        self.reported |= set(self.diagnostics)
        if changed:
            self.generation += 1
        return changed

    # -- queries -----------------------------------------------------------------------
    def findings_for(self, path: Path) -> list[Finding]:
        return list(self.diagnostics.get(Path(path), ()))

    def result_id(self, path: Path) -> str:
        """A pull-diagnostics result id for ``path``: changes exactly when its findings change."""
        return f"{self.versions.get(Path(path), 0)}"

    def broken_chains(self) -> int:
        if self.model is None:
            return 0
        bad = 0
        for key, findings in self.by_chain.items():
            if key[0] == "job" and any(f.effective_severity.value == "error" for f in findings):
                bad += 1
        return bad


def _order(key: _ChainKey) -> tuple:
    return (_KIND_RANK.get(key[0], 9), str(key[1]), key[2])


def _open(path: Path) -> bool:
    from trainpath.parsing.sources import OVERLAY

    return Path(path) in OVERLAY
