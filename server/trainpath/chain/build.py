"""Resolving every training path of a project into chains and one graph of links.

Roots, in order:

1. every job line of every job file (the config a job trains with is the one
   composed with its own overrides);
2. every script's ``@hydra.main`` decorator (its config is a chain root too);
3. every main config (top-level YAML of a config folder) that no chain above composed.

Python names written in config files (``name: module@Class``, ``loss: name:``,
evaluator names, ``_target_``) are resolved once per place they are written,
whether or not a chain uses that file, so configs that no job uses still get
their links checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainpath.chain.model import Chain, Graph, Link, Ref
from trainpath.chain.names import PyName, dotted_target, split_at_name
from trainpath.chain.project import Project
from trainpath.findings import Finding, did_you_mean
from trainpath.parsing.positions import FILE_START, Span

DEFAULT_MODEL_PREFIX = "models."
DEFAULT_EVALUATOR_PREFIX = "evaluators."


@dataclass
class ProjectModel:
    """Everything trainpath knows about a project's training paths."""

    project: Project
    chains: list[Chain] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)
    #: findings of reading each file (yaml-syntax, unreadable-file, job-file problems): path -> findings
    file_findings: dict[Path, list[Finding]] = field(default_factory=dict)
    #: python-name links written in each config file: path -> links
    name_links: dict[Path, list[Link]] = field(default_factory=dict)

    def chains_through(self, path: Path) -> list[Chain]:
        return [c for c in self.chains if path in c.files()]

    def rebuild_graph(self) -> None:
        graph = Graph()
        for links in self.name_links.values():
            for link in links:
                graph.add(link)
        for chain in self.chains:
            for link in chain.links:
                graph.add(link)
        self.graph = graph

    def view(self, chains=None, files=None) -> "RuleInput":
        """What the rules look at: every chain and file, or only those given (incremental re-checks)."""
        chains = self.chains if chains is None else list(chains)
        files = list(self.name_links.keys() | self.file_findings.keys()) if files is None else list(files)
        findings: list[Finding] = []
        for c in chains:
            findings.extend(c.findings)
        for f in files:
            findings.extend(self.file_findings.get(f, ()))
        return RuleInput(self.project, chains, {f: self.name_links[f] for f in files if f in self.name_links},
                         findings, self.chains)


@dataclass
class RuleInput:
    """The slice of a :class:`ProjectModel` one run of the rules judges."""

    project: Project
    chains: list[Chain]  # the chains to judge
    name_links: dict[Path, list[Link]]  # the config files to judge: their python-name links
    findings: list[Finding]  # raw findings (parsers, composer) of those chains and files
    all_chains: list[Chain]  # every chain, for rules that compare chains


class Builder:
    def __init__(self, project: Project, warm_hover: bool = False) -> None:
        self.project = project
        #: the editor asks for class signatures and docstrings (hover): compute them while the AST is hot
        self.warm_hover = warm_hover
        self.model = ProjectModel(project)
        self._compose_cache: dict[tuple, Any] = {}
        self._composed_roots: set[tuple[Path, str]] = set()
        self._scripts = {info.path: info for info in project.scripts()}

    # -- prefixes ----------------------------------------------------------------------
    def model_prefix(self, script: Any = None) -> str:
        if self.project.settings.model_prefix is not None:
            return self.project.settings.model_prefix
        if script is not None and getattr(script, "model_prefix", None):
            return script.model_prefix
        for info in self._scripts.values():
            if info.model_prefix:
                return info.model_prefix
        return DEFAULT_MODEL_PREFIX

    def evaluator_prefix(self, script: Any = None) -> str:
        if self.project.settings.evaluator_prefix is not None:
            return self.project.settings.evaluator_prefix
        if script is not None and getattr(script, "evaluator_prefix", None):
            return script.evaluator_prefix
        for info in self._scripts.values():
            if info.evaluator_prefix:
                return info.evaluator_prefix
        return DEFAULT_EVALUATOR_PREFIX

    # -- entry ---------------------------------------------------------------------------
    def build(self) -> ProjectModel:
        if "pyindex" in self.project.__dict__:
            self.project.pyindex.new_epoch()  # files may have changed on disk since the index last looked
        for path in self.project.config_files():
            self.model.name_links[path] = self.config_name_links(path)
        for path in self.project.job_file_paths:
            self.model.chains.extend(self.job_file_chains(path))
        for info in self._scripts.values():
            chain = self.script_chain(info)
            if chain is not None:
                self.model.chains.append(chain)
        for config_dir in self.project.config_dirs:
            for path in sorted(config_dir.glob("*.yaml")):
                if (config_dir, path.stem) not in self._composed_roots:
                    self.model.chains.append(self.config_chain(config_dir, path.stem))
        for chain in self.model.chains:
            self.attach_python_links(chain)
        self.project.extra_config_dirs = search_folders(self.project, self.model.chains)
        self.model.rebuild_graph()
        return self.model

    def job_file_chains(self, path: Path) -> list[Chain]:
        from trainpath.parsing.jobs import load_jobs

        jobfile = load_jobs(path)
        self.model.file_findings[path] = list(jobfile.findings)
        return [self.job_chain(path, job) for job in jobfile.jobs]

    def config_chain(self, config_dir: Path, name: str) -> Chain:
        path = config_dir / f"{name}.yaml"
        chain = Chain(Ref(path, FILE_START), "config", title=f"config {name}", config_dir=config_dir, config_name=name)
        self.compose_into(chain, self.project.repo(config_dir), name, ())
        return chain

    # -- incremental -----------------------------------------------------------------------
    def forget(self, path: Path) -> None:
        """``path``'s content changed: drop what was derived from it."""
        self._compose_cache = {k: v for k, v in self._compose_cache.items() if path not in (v[0].files or ())}
        if path.suffix == ".py":
            self.project.pyindex.invalidate(path)
            if path in self._scripts or path in self.project.script_paths:
                from trainpath.parsing.scripts import load_script

                info = load_script(path, self.project.root)
                if info.entry is not None:
                    self._scripts[path] = info
                else:
                    self._scripts.pop(path, None)

    def rebuild(self, chain: Chain) -> Chain | None:
        """A fresh chain for the same root (its files changed).  Job chains are rebuilt per job file."""
        if chain.root_kind == "script":
            info = self._scripts.get(chain.root.path)
            new = self.script_chain(info) if info is not None else None
        elif chain.root_kind == "config":
            new = self.config_chain(chain.config_dir, chain.config_name) if chain.root.path.is_file() else None
        else:
            raise ValueError("job chains are rebuilt with job_file_chains()")
        if new is not None:
            self.attach_python_links(new)
        return new

    # -- job -> script -> config ---------------------------------------------------------
    def job_chain(self, job_path: Path, job: Any) -> Chain:
        chain = Chain(Ref(job_path, job.span), "job", title=job.text, job=job)
        chain.links.append(Link("job", job.text, Ref(job_path, job.span), info={"marker": job.marker}))
        script_path = None
        if job.module is not None:
            mod = job.module.text
            found = self.project.pyindex.module_path(mod)
            if found is not None and found.is_dir():
                found = found / "__main__.py" if (found / "__main__.py").exists() else None
            link = Link("script", mod, Ref(job_path, job.module.span), Ref(found, FILE_START) if found else None, ok=found is not None)
            if found is None:
                link.problem = f"no module `{mod}`"
            chain.links.append(link)
            script_path = found
        elif job.script is not None:
            text = job.script.text
            if "$" in text or "`" in text:
                return chain  # built at run time by the shell: not ours to judge
            base = job_path.parent
            if job.cwd:
                base = (base / job.cwd)
            candidates = [base / text] if job.cwd else [self.project.root / text, job_path.parent / text]
            found = next((p for p in candidates if p.is_file()), None)
            link = Link("script", text, Ref(job_path, job.script.span), Ref(found.resolve(), FILE_START) if found else None, ok=found is not None)
            if found is None:
                folder = candidates[0].parent
                siblings = [p.name for p in folder.glob("*.py")] if folder.is_dir() else []
                link.problem = f"no script `{text}`"
                link.suggestion = _rel_suggestion(text, did_you_mean(Path(text).name, siblings))
            chain.links.append(link)
            script_path = found.resolve() if found else None
        if script_path is None or not script_path.is_file():
            return chain
        from trainpath.parsing.scripts import load_script

        info = self._scripts.get(script_path) or load_script(script_path, self.project.root)
        chain.script = info
        chain.findings.extend(f for f in info.findings if f.code == "python-syntax")
        entry = info.entry
        script_link = chain.links[-1]
        script_link.info["hydra"] = entry is not None
        if entry is None:
            return chain
        script_dir = script_path.parent
        if job.config_path is not None and "$" not in job.config_path.text:
            config_dir = (script_dir / job.config_path.text).resolve()
            cfg_src = Ref(job_path, job.config_path.span)
        else:
            config_dir = entry.config_dir
            cfg_src = Ref(script_path, _inner(entry.config_path_span, entry.config_path)) if entry.config_path_span else None
        if config_dir is None:
            return chain
        if not config_dir.is_dir():
            written = job.config_path.text if job.config_path is not None else entry.config_path
            chain.links.append(Link("config", str(config_dir), cfg_src, ok=False,
                                    problem=f"no config folder `{self.project.rel(config_dir)}`",
                                    suggestion=_folder_suggestion(written, config_dir)))
            return chain
        if job.config_name is not None:
            name = job.config_name.text
            src = Ref(job_path, job.config_name.span)
        else:
            name = entry.config_name
            src = Ref(script_path, _inner(entry.config_name_span, entry.config_name)) if entry.config_name_span else None
        if name is None or "$" in name:
            return chain
        overrides = [o.override for o in job.overrides if o.override is not None]
        if any(a.text in ("-m", "--multirun") for a in job.args):
            # a multirun composes once per sweep value: compose the rest, leave the sweeps unjudged
            overrides = [o for o in overrides if not getattr(o, "is_sweep", False)]
        repo = self.project.repo(config_dir)
        if job.config_dir is not None:
            extra = extra_config_dir(self.project, job_path, job)
            if extra is None:
                # built at run time by the shell: the config and its groups may come from a folder we cannot
                # see; link what is found, compose nothing (quiet when unsure)
                self.config_link(chain, repo, name, src)
                link = chain.links[-1]
                if not link.ok:
                    link.ok, link.problem, link.suggestion, link.target = True, None, None, None
                return chain
            if isinstance(extra, Link):  # Hydra stops: "Additional config directory '…' not found"
                chain.config_dir, chain.config_name = config_dir, _strip_yaml(name)
                chain.links.append(extra)
                return chain
            # Hydra's search path: the primary folder first, then `--config-dir` (run_hydra's add_conf_dir)
            repo = repo.searching([extra])
        self.config_link(chain, repo, name, src)
        if chain.links[-1].ok:
            self.compose_into(chain, repo, name, overrides, job_path=job_path, cwd=job_cwd(self.project, job_path, job))
        return chain

    def script_chain(self, info: Any) -> Chain | None:
        entry = info.entry
        if entry is None or entry.config_dir is None or entry.config_name is None:
            return None
        chain = Chain(Ref(info.path, entry.decorator_span), "script", title=f"{self.project.rel(info.path)} @hydra.main", script=info)
        chain.links.append(Link("script", self.project.rel(info.path), Ref(info.path, entry.function_span),
                                Ref(info.path, entry.function_span), info={"hydra": True}))
        if not entry.config_dir.is_dir():
            src = Ref(info.path, _inner(entry.config_path_span, entry.config_path)) if entry.config_path_span else None
            chain.links.append(Link("config", str(entry.config_dir), src, ok=False,
                                    problem=f"no config folder `{self.project.rel(entry.config_dir)}`",
                                    suggestion=_folder_suggestion(entry.config_path, entry.config_dir)))
            return chain
        src = Ref(info.path, _inner(entry.config_name_span, entry.config_name)) if entry.config_name_span else None
        chain.findings.extend(f for f in info.findings if f.code == "python-syntax")
        repo = self.project.repo(entry.config_dir)
        self.config_link(chain, repo, entry.config_name, src)
        if chain.links[-1].ok:
            self.compose_into(chain, repo, entry.config_name, ())
        return chain

    def config_link(self, chain: Chain, repo: Any, name: str, src: Ref | None) -> None:
        """The link to the primary config ``name``, found along ``repo``'s search path."""
        chain.config_dir, chain.config_name = repo.config_dir, _strip_yaml(name)
        path = repo.file(name)
        link = Link("config", name, src, Ref(path, FILE_START) if path else None, ok=path is not None)
        if path is None:
            top = sorted({p.stem for d in repo.dirs for p in d.glob("*.yaml")})
            where = ", ".join(f"`{self.project.rel(d)}`" for d in repo.dirs)
            link.problem = f"no config `{name}` in {where}"
            link.suggestion = did_you_mean(name, top)
        chain.links.append(link)

    # -- composition -----------------------------------------------------------------------
    def compose_into(self, chain: Chain, repo: Any, name: str, overrides, job_path: Path | None = None,
                     cwd: Path | None = None) -> None:
        """Compose ``name`` along ``repo``'s search path (one folder, or the primary one and ``--config-dir``).

        ``cwd`` is where the run starts (relative ``hydra.searchpath`` entries); the project root by default.
        """
        cwd = cwd or self.project.root
        key = (repo.dirs, _strip_yaml(name), tuple((o.text, o.span) for o in overrides), job_path, cwd)
        cached = self._compose_cache.get(key)
        if cached is None:
            from trainpath.compose import searched_repo

            result, findings = self._compose_dropping_bad_overrides(repo, name, list(overrides), job_path, cwd)
            searched = searched_repo(repo, _strip_yaml(name), list(overrides), cwd).dirs
            cached = self._compose_cache[key] = (result, findings, searched if len(searched) > 1 else None)
        result, findings, searched = cached
        if not overrides and len(repo.dirs) == 1:
            self._composed_roots.add((chain.config_dir or repo.config_dir, _strip_yaml(name)))
        chain.compose = result
        if searched is not None:
            chain.search_dirs = searched  # the project's tuple, shared by every chain on this search path
        chain.config_dir = chain.config_dir or getattr(repo, "config_dir", None)
        chain.config_name = _strip_yaml(name)
        chain.findings.extend(findings)
        for entry in result.defaults:
            if getattr(entry, "is_self", False):
                continue
            if entry.override is not None and job_path is not None:
                src = Ref(job_path, entry.override.value_span or entry.override.span)
            elif entry.parent is not None and entry.option_span is not None:
                src = Ref(entry.parent, entry.option_span)
            else:
                continue
            group = entry.group or ""
            kind = "arch" if group == "arch" else "default"
            label = f"{group}: {entry.option}" if group else str(entry.option)
            target = Ref(entry.path, FILE_START) if entry.path is not None else None
            chain.links.append(Link(kind, label, src, target, ok=entry.path is not None or entry.option is None or entry.optional,
                                    info={"group": entry.group, "option": entry.option, "package": entry.package}))

    def _compose_dropping_bad_overrides(self, repo, name, overrides, job_path, cwd=None):
        """Compose; when an override is at fault, report it and compose again without it.

        Hydra stops at the first bad override; an editor wants every bad
        override of a job line underlined, and the rest of the chain resolved.
        """
        from trainpath.compose import compose

        findings: list[Finding] = []
        for _ in range(len(overrides) + 1):
            result = compose(repo, name, overrides, cwd=cwd)
            bad = None
            for f in result.findings:
                text = dict(f.data).get("override")
                if text is not None:
                    bad = text
                findings.append(_anchor(f, job_path))
            if bad is None or result.config is not None:
                break
            remaining = [o for o in overrides if o.text != bad]
            if len(remaining) == len(overrides):
                break
            overrides = remaining
        return result, findings

    # -- python names ------------------------------------------------------------------------
    def config_name_links(self, path: Path) -> list[Link]:
        """Python-name links written in one config file (``name: m@C``, ``_target_: a.b.C``)."""
        from trainpath.parsing.yaml_doc import load_yaml

        doc = load_yaml(path)
        self.model.file_findings[path] = list(doc.findings)
        if doc.root is None:
            return []
        links: list[Link] = []
        for keypath, entry in doc.entries():
            key = entry.key.value
            scalar = entry.value
            if not isinstance(getattr(scalar, "value", None), str):
                continue
            inner = 1 if getattr(scalar, "style", None) in ("'", '"') else 0
            if key == "name":
                parsed = split_at_name(scalar.value, scalar.span, inner)
                if parsed is None:
                    continue
                kind = "loss" if "loss" in keypath[:-1] else ("evaluator" if "evaluators" in keypath[:-1] else "model")
                prefix = self.evaluator_prefix() if kind == "evaluator" else self.model_prefix()
                links.append(self.resolve_name(path, parsed, kind, prefix, keypath))
            elif key == "_target_":
                parsed = dotted_target(scalar.value, scalar.span, inner)
                if parsed is not None:
                    link = self.resolve_target(path, parsed, keypath)
                    if link is not None:
                        links.append(link)
        return links

    def resolve_name(self, path: Path, name: PyName, kind: str, prefix: str, keypath: tuple) -> Link:
        idx = self.project.pyindex
        module = prefix + name.module
        link = Link(kind, name.text, Ref(path, name.span), info={"module": module, "class": name.attr, "prefix": prefix,
                                                                  "keypath": keypath, "pyname": name})
        mod_path = idx.module_path(module)
        if mod_path is None:
            link.ok = False
            parent, _, leaf = module.rpartition(".")
            siblings = [m.rpartition(".")[2] for m in idx.submodules(parent)] if parent and idx.module_exists(parent) else []
            link.problem = f"no module `{module}` (from `{name.module}` with prefix `{prefix}`)"
            near = did_you_mean(leaf, siblings)
            link.suggestion = (name.module.rpartition(".")[0] + "." + near).lstrip(".") if near else None
            link.info["missing"] = "module"
            return link
        if mod_path.is_file():
            error = idx.syntax_error(mod_path)
            if error is not None:
                link.ok = False
                link.problem = f"module `{module}` does not parse"
                link.info["missing"] = "syntax"
                self.model.file_findings.setdefault(path, []).append(error)
                return link
        sym = idx.resolve(module, name.attr)
        if sym is None:
            link.ok = False
            names = [s.name for s in idx.exported_names(module)]
            link.problem = f"module `{module}` has no class `{name.attr}`"
            link.suggestion = did_you_mean(name.attr, names)
            link.info["missing"] = "class"
            link.info["module_path"] = mod_path
            return link
        link.target = Ref(sym.path, sym.span)
        link.info["symbol"] = sym
        if kind == "model":
            self._warm_model_facts(sym, path, keypath)
        if self.warm_hover:
            self._warm_class_doc(sym)
        return link

    def _warm_class_doc(self, sym) -> None:
        """Signature and docstring (hover) while the module's AST is cached: hovers answer from the index."""
        try:
            self.project.pyindex.signature(sym)
            self.project.pyindex.docstring(sym)
        except Exception:  # noqa: BLE001 - a cache warm-up only
            pass

    def _warm_model_facts(self, sym, path: Path, keypath: tuple) -> None:
        """Compute the model facts the rules will ask for now, while the module's AST is in the cache.

        The index keeps a bounded number of ASTs; asked later, in chain order, a
        large project would parse every model module a second time.
        """
        from trainpath.parsing.yaml_doc import load_yaml

        idx = self.project.pyindex
        try:
            idx.config_class(sym)
            idx.string_literals(sym)
            idx.halting(sym)
            idx.train_forward(sym)
            doc = load_yaml(path)
            node = doc.node(tuple(keypath[:-1])) if doc.root is not None else None
            for entry in getattr(node, "entries", ()):
                value = getattr(entry.value, "value", None)
                key = entry.key.value
                if isinstance(value, str) and isinstance(key, str) and key not in ("name", "_target_") and "${" not in value:
                    idx.choices(sym, key)
        except Exception:  # noqa: BLE001 - only a cache warm-up; the rules ask again and report
            pass

    def resolve_target(self, path: Path, name: PyName, keypath: tuple) -> Link | None:
        idx = self.project.pyindex
        top = name.text.split(".")[0]
        if not idx.module_exists(top):
            return None  # a third-party package: not ours to judge
        link = Link("target", name.text, Ref(path, name.span), info={"keypath": keypath, "pyname": name})
        resolved = idx.resolve_dotted(name.text)
        if resolved is None:
            link.ok = False
            link.problem = f"no module for `{name.text}`"
            link.info["missing"] = "module"
            return link
        module, attr, sym = resolved
        if sym is None and "." in attr:
            link.ok = False
            missing = module + "." + attr.split(".")[0]
            near = did_you_mean(attr.split(".")[0], [m.rpartition(".")[2] for m in idx.submodules(module)])
            link.problem = f"no module `{missing}`"
            link.suggestion = f"{module}.{near}.{attr.split('.', 1)[1]}" if near else None
            link.info["missing"] = "module"
            return link
        if sym is None:
            link.ok = False
            names = [s.name for s in idx.exported_names(module)]
            link.problem = f"module `{module}` has no `{attr}`"
            link.suggestion = did_you_mean(attr, names)
            link.info["missing"] = "class"
            return link
        link.target = Ref(sym.path, sym.span)
        link.info["symbol"] = sym
        return link

    def attach_python_links(self, chain: Chain) -> None:
        """Add the model / loss / evaluator / target links the chain's composed config uses.

        A config the chain composed from outside the project's config folders
        (a ``--config-dir``, ``hydra.searchpath`` or ``--config-path`` folder)
        is part of a training path: its python names are resolved and its own
        findings kept, as for every file of the config folders.
        """
        result = chain.compose
        if result is None:
            return
        for path in composed_extra_files(self.project, chain):
            if path not in self.model.name_links:
                self.model.name_links[path] = self.config_name_links(path)
        if result.config is None:
            return
        seen: set[Ref] = set()
        for keypath, origin in result.provenance.items():
            if not keypath or keypath[-1] not in ("name", "_target_"):
                continue
            if origin.path is None:  # set on the job line: `arch.name=recursive_reasoning.x@Y`
                link = self._override_name_link(chain, keypath, origin.override)
                if link is not None:
                    chain.links.append(link)
                    if link.kind == "model" and keypath == ("arch", "name"):
                        chain.model_link = link
                        chain.model = link.info.get("symbol")
                continue
            for link in self.model.name_links.get(origin.path, ()):
                if link.source in seen or link.info.get("keypath", ())[-1:] != keypath[-1:]:
                    continue
                if link.source.span.line != (origin.span.line if origin.span else -1):
                    continue
                seen.add(link.source)
                chain.links.append(link)
                if link.kind == "model" and keypath[:1] == ("arch",) and len(keypath) == 2:
                    chain.model_link = link
                    chain.model = link.info.get("symbol")
        chain.links.sort(key=lambda l: _KIND_ORDER.get(l.kind, 99))


    def _override_name_link(self, chain: Chain, keypath: tuple, override: Any) -> Link | None:
        """The link a job line's ``...name=module@Class`` override writes (None: no job, or not that shape)."""
        if chain.job is None or keypath[-1] != "name" or override is None:
            return None
        text, span = getattr(override, "value", None), getattr(override, "value_span", None)
        if not isinstance(text, str) or span is None or span.line != span.end_line or span.end_col - span.col != len(text):
            return None  # quoted or built by the shell: its place in the line is not the text's
        parsed = split_at_name(text, span, 0)
        if parsed is None:
            return None
        kind = "loss" if "loss" in keypath[:-1] else ("evaluator" if "evaluators" in keypath[:-1] else "model")
        prefix = self.evaluator_prefix(chain.script) if kind == "evaluator" else self.model_prefix(chain.script)
        link = self.resolve_name(chain.root.path, parsed, kind, prefix, keypath)
        link.info["override"] = True
        return link


_KIND_ORDER = {k: i for i, k in enumerate(("job", "script", "config", "default", "arch", "model", "loss", "evaluator", "target"))}


def _inner(span: Span | None, value: str | None) -> Span | None:
    """The span of a string literal's content (without its quotes)."""
    if span is None or value is None or span.line != span.end_line:
        return span
    if span.end_col - span.col == len(value) + 2:
        return Span(span.line, span.col + 1, span.line, span.end_col - 1)
    return span


def _folder_suggestion(written: str | None, missing: Path) -> str | None:
    """The nearest existing sibling folder of a missing config folder, spelled the way it was written."""
    if not written or "$" in written:
        return None
    parent = missing.parent
    siblings = [p.name for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")] if parent.is_dir() else []
    return _rel_suggestion(written.rstrip("/"), did_you_mean(missing.name, siblings))


def _strip_yaml(name: str) -> str:
    return name[:-5] if name.endswith(".yaml") else name


def _rel_suggestion(text: str, near: str | None) -> str | None:
    if near is None:
        return None
    head = os.path.dirname(text)
    return f"{head}/{near}" if head else near


def _anchor(f: Finding, job_path: Path | None) -> Finding:
    """Composer findings about command-line overrides belong to the job line that wrote them."""
    from dataclasses import replace

    data = dict(f.data)
    if "override" not in data:
        return f
    code = "override-syntax" if f.code == "invalid-choice" else f.code
    text = data["override"]
    if code == "append-existing-key" and text.startswith("+") and f.span.col > 0 and f.span.line == f.span.end_line:
        f = replace(f, span=Span(f.span.line, f.span.col - 1, f.span.line, f.span.end_col))  # underline the `+` too
    if job_path is None:
        return replace(f, code=code)
    return replace(f, path=job_path, code=code)


def job_cwd(project: Project, job_path: Path, job: Any) -> Path:
    """The directory a job line runs in: its own ``cd``, else the project root."""
    return (job_path.parent / job.cwd).resolve() if job.cwd else project.root


def extra_config_dir(project: Project, job_path: Path, job: Any) -> Path | Link | None:
    """The job's ``--config-dir`` folder; None when the shell builds it; a broken link when it does not exist.

    Hydra takes ``os.path.abspath`` of it: relative to the directory the job runs in.
    """
    word = job.config_dir
    text = word.text
    if "$" in text or "`" in text or "~" in text:
        return None
    bases = [job_path.parent / job.cwd] if job.cwd else [project.root, job_path.parent]
    for base in bases:
        path = base / text
        if path.is_dir():
            return path.resolve()
    missing = (bases[0] / text).resolve()
    return Link("config", str(missing), Ref(job_path, word.span), ok=False,
                problem=f"no config folder `{text}` (`--config-dir`)",
                suggestion=_folder_suggestion(text, missing))


def chain_repo(project: Project, chain: Chain) -> tuple[Any, Path]:
    """The repo ``chain`` composes on and the directory it runs in, for questions asked after the build.

    One config folder (``project.repo(chain.config_dir)``), or that folder and
    the job's ``--config-dir``; ``compose(repo, chain.config_name, overrides,
    cwd=cwd)`` then adds the primary's ``hydra.searchpath`` as the build did,
    and ``searched_repo(repo, chain.config_name, overrides, cwd)`` gives the
    whole search path (group existence, options).  (None, cwd) when the chain
    has no config folder.
    """
    job = chain.job
    cwd = job_cwd(project, chain.root.path, job) if job is not None else project.root
    if chain.config_dir is None:
        return None, cwd
    repo = project.repo(chain.config_dir)
    if job is not None and job.config_dir is not None:
        extra = extra_config_dir(project, chain.root.path, job)
        if isinstance(extra, Path):
            repo = repo.searching([extra])
    return repo, cwd


def chain_search_repo(project: Project, chain: Chain) -> Any:
    """The repo of ``chain``'s whole config search path, as the build composed it (``hydra.searchpath`` included):
    for questions about its groups, options and files.  None when the chain has no config folder."""
    if chain.search_dirs is not None:
        return project.search_repo(chain.search_dirs)
    return project.repo(chain.config_dir) if chain.config_dir is not None else None


def composed_extra_files(project: Project, chain: Chain) -> list[Path]:
    """The configs ``chain`` composed from outside the project's config folders (sorted)."""
    result = chain.compose
    if result is None or not result.files:
        return []
    if chain.search_dirs is None and chain.config_dir in project.config_dirs:
        return []
    excluded = project.settings.is_excluded
    return sorted(p for p in result.files if not project.is_main_config_file(p) and not excluded(project.rel(p)))


def search_folders(project: Project, chains) -> tuple[Path, ...]:
    """The folders of the chains' config search paths that are not among the project's config folders."""
    main = set(project.config_dirs)
    found = {d for folders in {chain.folders for chain in chains} for d in folders if d not in main}
    return tuple(sorted(d for d in found if d.is_dir()))


def build_project_model(project: Project) -> ProjectModel:
    return Builder(project).build()
