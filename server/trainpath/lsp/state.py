"""Per-workspace-folder state: the chain model, its findings, and incremental re-checks.

A change to one file re-checks exactly the chains that go through it (their
roots are rebuilt, composed again, and the rules run on them alone); files
created, deleted or renamed rebuild the project.  Findings are kept per chain
and per file, so a re-check replaces precisely what it recomputed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from trainpath.chain.build import Builder, ProjectModel
from trainpath.chain.model import Chain
from trainpath.chain.project import Project
from trainpath.findings import Finding
from trainpath.settings import Settings, load_settings


class ProjectState:
    """One workspace folder: its own settings, index and findings."""

    def __init__(self, root: Path, editor_settings: dict[str, Any] | None = None) -> None:
        self.root = Path(root).resolve()
        self.editor_settings = dict(editor_settings or {})
        self.lock = threading.RLock()
        #: bumped on every change of findings; used as the pull-diagnostics result id
        self.generation = 0
        self.project: Project | None = None
        self.builder: Builder | None = None
        self.model: ProjectModel | None = None
        self.by_chain: dict[tuple, list[Finding]] = {}
        self.by_file: dict[Path, list[Finding]] = {}
        self.diagnostics: dict[Path, list[Finding]] = {}
        #: every file that ever had findings (so pull clients get an empty report when they clear)
        self.reported: set[Path] = set()
        self.last_build_seconds = 0.0

    # -- building ----------------------------------------------------------------------
    def settings(self) -> Settings:
        base = load_settings(self.root)
        return base.merged(self.editor_settings) if self.editor_settings else base

    def build(self) -> set[Path]:
        """(Re)build everything; returns the files whose diagnostics changed."""
        start = time.perf_counter()
        with self.lock:
            project = Project(self.root, self.settings())
            builder = Builder(project)
            model = builder.build()
            self.project, self.builder, self.model = project, builder, model
            self.by_chain = {c.key: self._run(chains=[c], files=[]) for c in model.chains}
            files = set(model.name_links) | set(model.file_findings)
            self.by_file = {f: self._run(chains=[], files=[f]) for f in files}
            changed = self._aggregate()
        self.last_build_seconds = time.perf_counter() - start
        return changed

    def _run(self, chains, files) -> list[Finding]:
        from trainpath.rules import run_rules

        return run_rules(self.model.view(chains=chains, files=files))

    def _aggregate(self) -> set[Path]:
        merged: dict[Path, dict[tuple, Finding]] = {}
        for group in (*self.by_chain.values(), *self.by_file.values()):
            for f in group:
                merged.setdefault(f.path, {})[(f.code, f.span, f.message)] = f
        new = {p: sorted(d.values(), key=Finding.sort_key) for p, d in merged.items()}
        changed = {p for p in set(new) | set(self.diagnostics) if new.get(p) != self.diagnostics.get(p)}
        self.diagnostics = new
        self.reported |= set(new)
        if changed:
            self.generation += 1
        return changed

    # -- incremental -------------------------------------------------------------------
    def owns(self, path: Path) -> bool:
        try:
            Path(path).resolve().relative_to(self.root)
            return True
        except (ValueError, OSError):
            return False

    def is_relevant(self, path: Path) -> bool:
        """Whether ``path`` can take part in a training path (configs, scripts, job files, python)."""
        if self.project is None:
            return False
        p = Path(path)
        return (self.project.is_config_file(p) or self.project.is_job_file(p) or p.suffix == ".py"
                or p.name == "pyproject.toml")

    def update(self, paths: set[Path]) -> set[Path]:
        """``paths`` changed content (the editor's buffer or the disk); re-check what goes through them."""
        with self.lock:
            if self.model is None:
                return self.build()
            if any(p.name == "pyproject.toml" for p in paths):
                return self.build()
            model, builder, project = self.model, self.builder, self.project
            affected: dict[tuple, Chain] = {}
            job_files: set[Path] = set()
            for path in paths:
                builder.forget(path)
                for repo_dir in project.config_dirs:
                    project.repo(repo_dir).invalidate(path)
                if project.is_job_file(path):
                    job_files.add(path)
                if project.is_config_file(path):
                    model.name_links[path] = builder.config_name_links(path)
                    self.by_file[path] = self._run(chains=[], files=[path])
                for chain in model.chains:
                    if chain.key not in affected and self._touches(chain, path):
                        affected[chain.key] = chain
            new_chains: list[Chain] = []
            kept: list[Chain] = []
            for chain in model.chains:
                if chain.root_kind == "job" and chain.root.path in job_files:
                    self.by_chain.pop(chain.key, None)
                    continue
                if chain.key in affected and chain.root_kind != "job":
                    self.by_chain.pop(chain.key, None)
                    fresh = builder.rebuild(chain)
                    if fresh is not None:
                        new_chains.append(fresh)
                    continue
                kept.append(chain)
            rebuilt_jobs: list[Chain] = []
            for chain in kept:
                if chain.key in affected and chain.root_kind == "job":
                    rebuilt_jobs.append(chain)
            # job chains through a changed file: rebuild their job file's chains once
            for jf in {c.root.path for c in rebuilt_jobs} | job_files:
                kept = [c for c in kept if not (c.root_kind == "job" and c.root.path == jf)]
                for c in model.chains:
                    if c.root_kind == "job" and c.root.path == jf:
                        self.by_chain.pop(c.key, None)
                if jf.is_file() or jf in _overlay():
                    fresh = builder.job_file_chains(jf)
                    for c in fresh:
                        builder.attach_python_links(c)
                    new_chains.extend(fresh)
                    self.by_file[jf] = self._run(chains=[], files=[jf])
            model.chains = kept + new_chains
            for chain in new_chains:
                self.by_chain[chain.key] = self._run(chains=[chain], files=[])
            model.rebuild_graph()
            return self._aggregate()

    @staticmethod
    def _touches(chain: Chain, path: Path) -> bool:
        if path in chain.files():
            return True
        if path.suffix == ".py" and chain.model is not None:
            return True  # model facts may come from base classes and factories in other files
        return False

    def structural_change(self) -> set[Path]:
        """Files were created, deleted or renamed: rebuild from the walk."""
        return self.build()

    # -- queries -----------------------------------------------------------------------
    def findings_for(self, path: Path) -> list[Finding]:
        return list(self.diagnostics.get(Path(path), ()))

    def broken_chains(self) -> int:
        if self.model is None:
            return 0
        bad = 0
        for chain in self.model.chains:
            if chain.root_kind != "job":
                continue
            if any(f.effective_severity.value == "error" for f in self.by_chain.get(chain.key, ())):
                bad += 1
        return bad


def _overlay() -> dict:
    from trainpath.parsing.sources import OVERLAY

    return OVERLAY
