"""Navigation questions the editor asks the chain model: definition, references, links, rename sites.

Every answer is built from the project model (its graph of links, the
compositions and their provenance) and the content-cached loaders; nothing
here imports the analysed project.  Positions are trainpath's: 0-based lines,
code-point columns.  The LSP feature modules turn the answers into protocol
objects.

- :func:`definition_at` -- where the name under the cursor leads: a link's
  target, a part of a ``module@Class`` / ``_target_`` name, a job override's
  key (the YAML key that sets it last without that override), a ``${...}``
  interpolation, or a key of a main config's group block (the same key in the
  group option it overrides).
- :func:`references_at` -- every link that leads to the file (or class) under
  the cursor.
- :func:`document_links` -- every path-like link written in a file.
- :func:`rename_site_at` / :func:`rename_edits` / :func:`check_new_name` --
  renaming a config file and every name that selects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trainpath.chain.locate import key_ref
from trainpath.chain.model import NAME_KINDS, Chain, Link, Ref
from trainpath.chain.names import INTERPOLATION, OPTION_NAME
from trainpath.chain.query import chain_at, chains_using, composed_keypath, job_override_at
from trainpath.parsing.positions import FILE_START, Span

#: link kinds whose target is a file named by its path (document links, references of a file)
PATH_KINDS = ("script", "config", "default", "arch")
#: link kinds a config rename edits
RENAME_KINDS = ("config", "default", "arch")


@dataclass(frozen=True)
class Target:
    """Where a definition request leads: ``span`` is the whole target, ``selection`` its name."""

    path: Path
    span: Span
    selection: Span
    origin: Span | None = None  # the text under the cursor that names the target


def is_self_link(link: Link) -> bool:
    return link.source is not None and link.target is not None and link.source == link.target


# ----------------------------------------------------------------------------- definition
def definition_at(model, path: Path, line: int, col: int) -> list[Target]:
    """Where the name at (line, col) of ``path`` leads; [] when nothing there leads anywhere."""
    link = model.graph.link_at(path, line, col)
    if link is not None and "pyname" in link.info:
        found = _python_name_target(model, link, line, col)
        return [found] if found is not None else []
    if link is not None and link.target is not None and not is_self_link(link) and link.kind != "job":
        t = link.target
        return [Target(t.path, t.span, t.span, link.source.span)]
    if model.project.is_job_file(path):
        found = _job_override_target(model, path, line, col)
        return [found] if found is not None else []
    if path.suffix == ".yaml":
        found = _yaml_target(model, path, line, col)
        return [found] if found is not None else []
    return []


def _module_parts(model, link: Link) -> tuple[str, list[tuple[str, Span]], Span | None]:
    """(module prefix, [(dotted module, span of its last segment in the text)], span of the attribute part)."""
    name = link.info["pyname"]
    text_col = name.span.col
    segments = name.module.split(".")
    if link.kind == "target":
        resolved = model.project.pyindex.resolve_dotted(name.text)
        if resolved is None:
            return "", [], None
        module = resolved[0]
        segments = module.split(".")
        prefix = ""
        mod_len = len(module)
        attr_span = Span(name.span.line, text_col + mod_len + 1, name.span.line, name.span.end_col) \
            if len(name.text) > mod_len else None
    else:
        prefix = link.info.get("prefix", "")
        attr_span = name.attr_span
    parts: list[tuple[str, Span]] = []
    col = text_col
    for i, seg in enumerate(segments):
        parts.append((prefix + ".".join(segments[: i + 1]), Span(name.span.line, col, name.span.line, col + len(seg))))
        col += len(seg) + 1
    return prefix, parts, attr_span


def _python_name_target(model, link: Link, line: int, col: int) -> Target | None:
    """``recursive_reasoning.etrm@TRMWithEncoder``: a module segment leads to its file, the class to its line."""
    _, parts, attr_span = _module_parts(model, link)
    if attr_span is not None and (attr_span.contains(line, col) or not parts):
        sym = link.info.get("symbol")
        if sym is None:
            return None
        return Target(sym.path, sym.line_span, sym.span, attr_span)
    for module, span in parts:
        if span.contains(line, col):
            file = model.project.pyindex.module_path(module)
            if file is None or not file.is_file():
                return None
            return Target(file, FILE_START, FILE_START, span)
    sym = link.info.get("symbol")  # the '@' itself
    return Target(sym.path, sym.line_span, sym.span, link.source.span) if sym is not None else None


def module_file_link(model, link: Link) -> tuple[Span, Path] | None:
    """The module part of a python-name link and the module's file (document links)."""
    _, parts, _ = _module_parts(model, link)
    if not parts:
        return None
    module, last = parts[-1]
    file = model.project.pyindex.module_path(module)
    if file is None or not file.is_file():
        return None
    first = parts[0][1]
    return Span(first.line, first.col, last.end_line, last.end_col), file


def _job_override_target(model, path: Path, line: int, col: int) -> Target | None:
    """A job line's ``group=option`` -> the option's file; ``a.b=v`` -> the key that sets ``a.b`` without it."""
    chain = chain_at(model, path, line)
    if chain is None or chain.root_kind != "job":
        return None
    ov = job_override_at(chain, line, col)
    if ov is None or ov.override is None or chain.compose is None:
        return None
    o = ov.override
    for entry in chain.compose.defaults:
        chosen = entry.override
        if chosen is not None and chosen.text == o.text and chosen.span == o.span:
            if entry.path is None:
                return None
            return Target(entry.path, FILE_START, FILE_START, ov.word.span)
    keypath = tuple(o.key.split("."))
    ref = _key_without_override(model, chain, o, keypath)
    if ref is None:
        return None
    return Target(ref.path, ref.span, ref.span, ov.word.span)


def _key_without_override(model, chain: Chain, override, keypath: tuple) -> Ref | None:
    """Where ``keypath`` is set last when the job line's own overrides of it are left out."""
    from trainpath.chain.build import chain_repo
    from trainpath.compose import compose

    if chain.config_dir is None or chain.config_name is None:
        return None
    others = [j.override for j in chain.job.overrides
              if j.override is not None and j.override.key != override.key]
    repo, cwd = chain_repo(model.project, chain)  # the job's `--config-dir` too; compose adds hydra.searchpath
    for attempt in (others, [o for o in others if o.is_group_like], []):
        result = compose(repo, chain.config_name, attempt, cwd=cwd)
        if result.config is None:
            continue
        origin = result.provenance.get(keypath)
        if origin is None or origin.override is not None or origin.path is None or origin.span is None:
            return None
        return Ref(origin.path, origin.span)
    return None


def _yaml_target(model, path: Path, line: int, col: int) -> Target | None:
    from trainpath.parsing.yaml_doc import load_yaml

    doc = load_yaml(path)
    found = doc.at(line, col)
    if found is None:
        return None
    doc_keypath, scalar, where = found
    if where == "value" and isinstance(scalar.value, str) and "${" in scalar.value:
        return _interpolation_target(model, doc, doc_keypath, scalar, line, col)
    if where == "key":
        return _overridden_key_target(model, path, doc_keypath, scalar.span)
    return None


def _interpolation_target(model, doc, doc_keypath: tuple, scalar, line: int, col: int) -> Target | None:
    """``${a.b}`` / ``${.x}`` under the cursor -> the key it points at (in a composition using this file)."""
    from trainpath.rules.interpolation import target_path

    if scalar.span.line != scalar.span.end_line or line != scalar.span.line:
        return None
    hit = None
    for m in INTERPOLATION.finditer(scalar.raw):
        span = Span(line, scalar.span.col + m.start(), line, scalar.span.col + m.end())
        if span.contains(line, col):
            hit = (m.group(1), span)
            break
    if hit is None:
        return None
    ref, origin = hit
    fallback: Ref | None = None
    for chain in chains_using(model, doc.path):
        composed = composed_keypath(chain, doc.path, doc_keypath)
        if composed is None or chain.compose is None or chain.compose.config is None:
            continue
        target = target_path(composed, ref)
        if not target:
            continue
        found = key_ref(chain, target)
        if found is None:
            continue
        if found.path.suffix == ".yaml":
            return Target(found.path, found.span, found.span, origin)
        fallback = fallback or found
    local = target_path(doc_keypath, ref)
    entry = doc.entry(local) if local else None
    if entry is not None:
        return Target(doc.path, entry.key.span, entry.key.span, origin)
    if fallback is not None:
        return Target(fallback.path, fallback.span, fallback.span, origin)
    return None


def _overridden_key_target(model, path: Path, doc_keypath: tuple, key_span: Span) -> Target | None:
    """A key of a main config's ``arch:`` block -> the same key in the arch config it overrides."""
    from trainpath.parsing.yaml_doc import load_yaml

    for chain in chains_using(model, path):
        result = chain.compose
        composed = composed_keypath(chain, path, doc_keypath)
        if result is None or composed is None:
            continue
        mine = next((i for i, e in enumerate(result.defaults) if e.path == path), None)
        if mine is None:
            continue
        for entry in reversed(result.defaults[:mine]):
            if entry.path is None or entry.path == path or entry.is_self:
                continue
            prefix = tuple(p for p in entry.package.split(".") if p)
            if composed[: len(prefix)] != prefix or len(composed) == len(prefix):
                continue
            other = load_yaml(entry.path).entry(composed[len(prefix):])
            if other is not None:
                return Target(entry.path, other.key.span, other.key.span, key_span)
    return None


# ----------------------------------------------------------------------------- references
def references_at(model, path: Path, line: int, col: int) -> tuple[Ref | None, list[Link]]:
    """(the declaration, the links that lead to it) for the cursor; (None, []) when there is nothing."""
    graph = model.graph
    decl: Ref | None = None
    link = graph.link_at(path, line, col)
    if link is not None and link.target is not None and not is_self_link(link) and link.kind != "job":
        decl = link.target
    elif path.suffix == ".yaml" and model.project.is_config_file(path):
        decl = Ref(path, FILE_START)
    elif path.suffix == ".py":
        on_line = [l for l in graph.links_to(path, line) if not is_self_link(l)]
        if on_line:
            decl = on_line[0].target
        elif any(l.target.span == FILE_START for l in graph.links_to(path)):
            decl = Ref(path, FILE_START)  # a training script: anywhere in it
    if decl is None:
        return None, []
    return decl, links_to_ref(model, decl)


def links_to_ref(model, decl: Ref) -> list[Link]:
    """Links leading exactly to ``decl`` (a file: its origin; a class: its name), one per source, sorted."""
    candidates = model.graph.links_to(decl.path, None if decl.span == FILE_START else decl.span.line)
    seen: set[Ref] = set()
    out: list[Link] = []
    for l in candidates:
        if l.source is None or l.target.span != decl.span or is_self_link(l) or l.source in seen:
            continue
        seen.add(l.source)
        out.append(l)
    return sorted(out, key=lambda l: (str(l.source.path), l.source.span))


# ----------------------------------------------------------------------------- document links
def document_links(model, path: Path) -> list[tuple[Span, Path]]:
    """Every path-like link written in ``path``: (the name's span, the file it names), in file order."""
    out: dict[Span, Path] = {}
    for link in model.graph.links_in(path):
        if link.source is None:
            continue
        if link.kind in PATH_KINDS and link.target is not None and link.target.path != path:
            out.setdefault(link.source.span, link.target.path)
        elif link.kind in NAME_KINDS and "pyname" in link.info:
            found = module_file_link(model, link)
            if found is not None:
                out.setdefault(found[0], found[1])
    return sorted(out.items())


# ----------------------------------------------------------------------------- rename
@dataclass(frozen=True)
class RenameSite:
    """A config file to rename and the name under the cursor that selects it."""

    file: Path  # the config file
    old: str  # its name (the file stem)
    origin: Ref  # the option text under the cursor (narrowed to the stem)
    #: the same group's folders in the other folders of its search paths (a new name found there first would
    #: select another file)
    others: tuple[Path, ...] = ()


def rename_site_at(model, path: Path, line: int, col: int) -> RenameSite | None:
    link = model.graph.link_at(path, line, col)
    if link is None or link.kind not in RENAME_KINDS or link.target is None or not link.ok:
        return None
    file = link.target.path
    if file.suffix != ".yaml" or not model.project.is_config_file(file):
        return None
    origin = narrow_to_stem(link.source, file.stem)
    if origin is None:
        return None
    others: dict[Path, None] = {}
    for folders, _, want in _search_paths_to(model, file):
        group = want.rpartition("/")[0]
        for d in folders:
            folder = d / group if group else d
            if folder != file.parent:
                others.setdefault(folder)
    return RenameSite(file, file.stem, origin, tuple(others))


def narrow_to_stem(ref: Ref, stem: str) -> Ref | None:
    """``ref`` (a name as written: ``etrm``, ``"etrm"``, ``arch/etrm.yaml``) narrowed to ``stem``; None if it does not end so."""
    from trainpath.parsing.sources import read_source

    span = ref.span
    if span.line != span.end_line:
        return None
    text = read_source(ref.path).text
    if text is None:
        return None
    lines = text.split("\n")
    if span.line >= len(lines):
        return None
    word = lines[span.line][span.col: span.end_col]
    end = len(word)
    if end >= 2 and word[0] in "'\"" and word[-1] == word[0]:
        end -= 1
    if word[:end].endswith(".yaml"):
        end -= 5
    start = end - len(stem)
    if start < 0 or word[start:end] != stem or (start > 0 and word[start - 1] not in "/'\""):
        return None
    return Ref(ref.path, Span(span.line, span.col + start, span.line, span.col + end))


def check_new_name(site: RenameSite, new: str) -> tuple[str, str | None]:
    """(the cleaned new name, an error message or None)."""
    name = new.strip()
    if name.endswith(".yaml"):
        name = name[:-5]
    if not name:
        return name, "the new name is empty"
    if any(c.isspace() for c in name):
        return name, f"`{name}` has a space: Hydra cannot select a config named so from the command line"
    if "/" in name or "\\" in name:
        return name, (f"`{name}` has a `/`: renaming does not move a config to another folder "
                      "(give a name without a folder)")
    if not OPTION_NAME.fullmatch(name) or name.lower() in ("null", "true", "false", "_self_"):
        return name, f"`{name}` is not a usable config name (letters, digits, `_`, `-`, `.`)"
    if name == site.old:
        return name, f"the config is already named `{name}`"
    dest = site.file.with_name(name + ".yaml")
    if dest.exists():
        return name, f"`{dest.parent.name}/{dest.name}` already exists"
    for folder in site.others:
        if (folder / f"{name}.yaml").is_file():
            return name, f"`{folder.name}/{name}.yaml` already exists in another folder of the config search path"
    return name, None


def rename_edits(model, site: RenameSite, new: str) -> dict[Path, list[tuple[Span, str]]]:
    """Every name that selects ``site.file`` (defaults entries, group overrides, --config-name,
    decorator ``config_name``), narrowed to the stem, with its replacement text; per file, sorted.

    A config may be selected along several search paths (its own folder, and a
    job's ``--config-dir`` or a ``hydra.searchpath`` with the script's folder):
    a name counts where that search path resolves it to this very file.
    """
    project = model.project
    file, old = site.file, site.old
    refs: set[Ref] = {site.origin}
    for link in model.graph.links_to(file):
        if link.kind in RENAME_KINDS and link.source is not None and link.target.span == FILE_START:
            refs.add(link.source)
    for folders, repo, want in _search_paths_to(model, file):
        refs |= _defaults_naming(project, folders, repo, want)
    refs |= _jobs_and_scripts_naming(model, file)
    out: dict[Path, list[tuple[Span, str]]] = {}
    for ref in refs:
        narrowed = narrow_to_stem(ref, old)
        if narrowed is not None:
            out.setdefault(narrowed.path, []).append((narrowed.span, new))
    return {p: sorted(set(edits)) for p, edits in sorted(out.items(), key=lambda kv: str(kv[0]))}


def _search_paths_to(model, file: Path) -> list[tuple[tuple[Path, ...], object, str]]:
    """(folders, their repo, the config name) of each search path that finds ``file``: every config folder
    alone, and every chain's search path (``--config-dir``, ``hydra.searchpath``), where no earlier folder
    shadows it."""
    project = model.project
    candidates: dict[tuple[Path, ...], None] = {(d,): None for d in project.config_dirs}
    for chain in model.chains:
        folders = chain.folders
        if folders:
            candidates.setdefault(folders)
    out = []
    for folders in candidates:
        home = next((d for d in folders if d in file.parents), None)
        if home is None:
            continue
        repo = project.search_repo(folders)
        want = file.relative_to(home).with_suffix("").as_posix()
        if repo.file(want) == file:
            out.append((folders, repo, want))
    return out


def _defaults_naming(project, folders: tuple[Path, ...], repo, want: str) -> set[Ref]:
    """Defaults entries of every config along ``folders`` (used by a chain or not) that select config ``want``."""
    from trainpath.compose.defaults import parse_defaults
    from trainpath.parsing.yaml_doc import load_yaml

    refs: set[Ref] = set()
    for config_dir in folders:
        for path in project.yaml_files_under(config_dir):
            base = path.parent.relative_to(config_dir).as_posix()
            base = "" if base == "." else base
            if repo.file(f"{base}/{path.stem}".lstrip("/")) != path:
                continue  # an earlier folder's config of the same name is the one this search path reads
            doc = load_yaml(path)
            if doc.root is None:
                continue
            try:
                elements = parse_defaults(doc, path)
            except Exception:  # noqa: BLE001 - a broken defaults list names nothing for sure
                continue
            for el in elements:
                if el.is_self() or el.is_interpolation():
                    continue
                el.parent_base_dir = base
                if el.is_options():
                    spans = el.__dict__.get("item_spans", [])
                    for opt, span in zip(el.value, spans):
                        if span is not None and f"{el.get_group_path()}/{opt}" == want:
                            refs.add(Ref(path, span))
                elif el.option_span is not None and el.get_name() is not None and el.get_config_path() == want:
                    refs.add(Ref(path, el.option_span))
    return refs


def _jobs_and_scripts_naming(model, file: Path) -> set[Ref]:
    """Job lines' ``--config-name`` and ``group=option`` words, and decorators' ``config_name``, that select
    ``file`` (along each job's own search path)."""
    from trainpath.chain.build import chain_search_repo

    refs: set[Ref] = set()
    project = model.project

    def stem(name: str | None) -> str | None:
        if not name or "$" in name:
            return None
        return name[:-5] if name.endswith(".yaml") else name

    for chain in model.chains:
        if chain.root_kind != "job" or chain.job is None or chain.config_dir is None:
            continue
        job = chain.job
        if job.config_name is not None and stem(job.config_name.text) and chain.main_config == file:
            refs.add(Ref(job.path, job.config_name.span))
        repo = None
        for ov in job.overrides:
            o = ov.override
            if o is None or o.value_span is None or not isinstance(o.value, str) or "." in o.key:
                continue
            name = stem(f"{o.key.lstrip('/')}/{o.value}")
            if name is None or not name.endswith(file.stem):
                continue
            repo = repo or chain_search_repo(project, chain)
            if repo is not None and repo.file(name) == file:
                refs.add(Ref(job.path, o.value_span))
    for info in project.scripts():
        entry = info.entry
        name = stem(entry.config_name)
        if entry.config_dir is not None and entry.config_name_span is not None and name is not None \
                and entry.config_dir / f"{name}.yaml" == file:
            refs.add(Ref(info.path, entry.config_name_span))
    return refs
