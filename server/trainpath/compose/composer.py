"""``compose()``: the static Hydra 1.3 composer, glue between defaults tree, merge and overrides.

Order of work, as in Hydra's ``ConfigLoaderImpl._load_configuration_impl``:
refuse sweeps; split the command-line overrides into group overrides and key
overrides; build the defaults tree and flatten it; merge every config of the
final defaults list in order; check and drop the ``hydra`` node; apply the key
overrides in command-line order (hydra-notes 11).  The first Hydra-fatal
problem ends composition with one finding at the entry or override at fault.

The search path: ``repo`` is one config directory (:class:`ConfigRepo`) or
several (:class:`SearchPathRepo`: the primary directory, then a job's
``--config-dir``).  As in Hydra's ``ConfigLoaderImpl._process_config_searchpath``,
the primary config's own ``hydra.searchpath`` (or a command-line
``hydra.searchpath=[…]``, which replaces it) appends directories after those;
``file://`` entries are searched (relative ones from ``cwd``, the directory
the job runs in, as Hydra resolves them from the process's working
directory), entries trainpath cannot see (``pkg://``, interpolations, a
relative path without ``cwd``) make the search path *hidden*: a composition
that then fails for want of a config or group is not reported, since the
hidden source may hold it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence
from weakref import WeakKeyDictionary

from trainpath.compose import hydra_schema
from trainpath.compose.defaults import DefaultsBuilder, Overrides, ResultItem, is_key_override
from trainpath.compose.elements import Element
from trainpath.compose.errors import ComposeError, fail, override_error
from trainpath.compose.merge import OT, apply_override, copy_value, embed, merge_dict, uniform_tree, yaml_tree
from trainpath.compose.repo import ConfigRepo, SearchPathRepo
from trainpath.compose.result import ComposeResult, DefaultEntry, Origin
from trainpath.findings import Finding
from trainpath.parsing.positions import Span

EMPTY_PRIMARY = "_dummy_empty_config_"

#: doc -> (value without `defaults`, origin tree); YamlDocs are content-cached, and these live as long as they do.
_SOURCE_CACHE: WeakKeyDictionary[Any, tuple[dict, OT]] = WeakKeyDictionary()


class _EmptyDoc:
    """The stand-in for Hydra's ``_dummy_empty_config_`` (``config_name=None``)."""

    value: dict = {}
    root = None
    header = None
    header_error = None
    ok = True
    findings: list = []


def _source(doc: Any, path: Path) -> tuple[dict, OT]:
    """A config's own content and its origin tree (shared: merging copies what it takes)."""
    hit = _SOURCE_CACHE.get(doc)
    if hit is None:
        value = doc.value
        if "defaults" in value:
            value = {k: v for k, v in value.items() if k != "defaults"}
        hit = _SOURCE_CACHE[doc] = (value, yaml_tree(value, doc.root, path, Origin(path, None)))
    return hit


#: codes of failures that a config source trainpath cannot see (``pkg://``) might have prevented
_ABSENCE = frozenset({"missing-default", "missing-override-option", "unknown-override-key"})


def compose(repo: ConfigRepo | SearchPathRepo, config_name: str | None, overrides: Sequence[Any] = (),
            cwd: Path | None = None) -> ComposeResult:
    """Compose ``config_name`` with ``overrides`` (parsed command-line overrides) like Hydra 1.3 does.

    ``cwd`` is the directory Hydra would run in, for relative ``hydra.searchpath``
    entries (None: such entries are not searched, and the search path counts as hidden).
    Never raises for bad input: problems come back as ``result.findings``
    with ``result.config`` None.
    """
    result = ComposeResult(config=None)
    used = [repo]
    try:
        _compose(repo, config_name, list(overrides), result, cwd, used)
    except ComposeError as exc:
        result.config = None
        result.provenance = {}
        if not (used[-1].hidden and exc.finding.code in _ABSENCE):
            result.findings.append(exc.finding)
    except RecursionError:
        result.config = None
        result.provenance = {}
        result.findings.append(Finding("defaults-cycle", "the defaults lists nest too deeply (a cycle?)",
                                       repo.config_dir, Span(0, 0, 0, 0)))
    return result


def _compose(repo: Any, config_name: str | None, overrides: list[Any], result: ComposeResult,
             cwd: Path | None, used: list[Any]) -> None:
    for ov in overrides:
        if getattr(ov, "is_sweep", False):
            raise override_error(
                "invalid-choice",
                f"`{ov.text}` is a sweep (several values); a single run takes one value: quote it for a "
                f"string or write a list as `[a,b]`", repo.config_dir, ov, "value")
    is_key = [is_key_override(repo, ov) for ov in overrides]
    group = tuple(ov for ov, k in zip(overrides, is_key) if not k)
    plan = _plan(repo, config_name, overrides, group, result)
    searched = _searched(repo, plan.searchpath, overrides, cwd) if plan.searchpath is not None or overrides else repo
    if searched is not repo:  # the primary's hydra.searchpath adds directories: compose on those
        repo = searched
        used.append(repo)
        result.files = set()
        is_key = [is_key_override(repo, ov) for ov in overrides]
        group = tuple(ov for ov, k in zip(overrides, is_key) if not k)
        plan = _plan(repo, config_name, overrides, group, result)
    key_overrides = [ov for ov, k in zip(overrides, is_key) if k]
    result.files = {doc.path for _, doc in plan.read}
    result.defaults = list(plan.defaults)
    result.choices = dict(plan.choices)
    if plan.error is not None:
        raise ComposeError(plan.error)

    cfg: dict = {}
    ctree = OT(None, {})
    merges = plan.merges
    if plan.searchpath_merge is not None:  # Hydra merges up to that config, then refuses it
        merges = merges[: plan.searchpath_merge]
    for doc, path, package, porigin in merges:
        value, vtree = _source(doc, path)
        value, vtree = embed(value, vtree, package, porigin)
        merge_dict(cfg, ctree, value, vtree, (), repo.config_dir)
    if len(merges) != len(plan.merges):
        doc, path, package, _ = plan.merges[len(merges)]
        raise _searchpath_not_primary(doc, path, package)

    hydra = _drop_hydra(cfg, ctree, repo)
    hcfg: tuple[dict, OT] | None = None
    for ov in key_overrides:
        if ov.package is not None:
            raise override_error("unknown-override-key",
                                 f"`{ov.text}` looks like a config group override, but there is no config "
                                 f"group `{ov.key}`{_group_hint(repo, ov.key)}", repo.config_dir, ov)
        if ov.key == "hydra" or ov.key.startswith("hydra."):
            if hcfg is None:
                hcfg = _hydra_node(hydra, repo)
            apply_override(hcfg[0], hcfg[1], ov, repo.config_dir)
        else:
            apply_override(cfg, ctree, ov, repo.config_dir)
    result.config = cfg
    result.provenance = flatten_provenance(ctree)


@dataclass
class _Plan:
    """The defaults-tree half of a composition: what to merge, in which order, under which package.

    It depends only on the config name, the group overrides (``db=x``,
    ``+db=x``, ``~db``), the config folder's listing and the configs read —
    not on key overrides (``a.b=1``), which apply to the merged config.  Job
    lines that differ only in key overrides (and the retries that drop a bad
    one) share it.
    """

    group_overrides: tuple[Any, ...]  # the Override objects it was made for: held, so their ids in its key stay theirs
    generation: int  # the repo's listing generation
    read: list[tuple[str, Any]]  # (config name, YamlDoc) of every config read: unchanged while each loads the same
    defaults: list[DefaultEntry]
    choices: dict[str, str | None]
    merges: list[tuple[Any, Path, str, Origin]]  # (YamlDoc, its file, package, package origin), in merge order
    error: Finding | None  # where Hydra stops before merging
    #: the primary config's own `hydra.searchpath` (its value and the YamlDoc), None when it sets none
    searchpath: tuple[Any, Any] | None = None
    #: index in ``merges`` of a non-primary config that sets `hydra.searchpath` (Hydra refuses it there)
    searchpath_merge: int | None = None

    def holds(self, repo: Any) -> bool:
        """True while the repo's listing and every config read are unchanged."""
        return self.generation == repo.generation and all(repo.load(name) is doc for name, doc in self.read)


#: repo -> (config name, ids of the group overrides) -> plan, least recently used first
_PLANS: WeakKeyDictionary[ConfigRepo, OrderedDict[tuple, _Plan]] = WeakKeyDictionary()
_PLANS_PER_REPO = 4096
_PLANS_LOCK = threading.Lock()


def _plan(repo: ConfigRepo, config_name: str | None, overrides: list[Any], group: tuple[Any, ...],
          result: ComposeResult) -> _Plan:
    """The plan for ``config_name`` and the ``group`` overrides among ``overrides``: reused, or made and kept."""
    key = (config_name, tuple(map(id, group)))
    with _PLANS_LOCK:
        plans = _PLANS.get(repo)
        if plans is None:
            plans = _PLANS[repo] = OrderedDict()
        plan = plans.get(key)
    if plan is not None and plan.holds(repo):
        with _PLANS_LOCK:
            if key in plans:
                plans.move_to_end(key)
        return plan
    plan = _make_plan(repo, config_name, overrides, group, result)
    with _PLANS_LOCK:
        plans[key] = plan
        plans.move_to_end(key)
        if len(plans) > _PLANS_PER_REPO:
            plans.popitem(last=False)
    return plan


def _make_plan(repo: ConfigRepo, config_name: str | None, overrides: list[Any], group: tuple[Any, ...],
               result: ComposeResult) -> _Plan:
    """Build and flatten the defaults tree; a Hydra-fatal problem becomes the plan's error."""
    generation = repo.generation
    plan = _Plan(group, generation, [], [], {}, [], None)
    builder: DefaultsBuilder | None = None
    try:
        ovs = Overrides(repo, overrides)
        builder = DefaultsBuilder(repo, ovs, files=result.files)  # filled as it reads, should the tree nest too deeply
        if config_name is None:
            builder.docs[EMPTY_PRIMARY] = _EmptyDoc()  # type: ignore[assignment]
            tree = builder.build(EMPTY_PRIMARY)
        else:
            tree = builder.build(config_name)
        items = builder.flatten(tree)
        plan.defaults = [_entry(repo, it) for it in items if it.config_path != EMPTY_PRIMARY]
        plan.choices = dict(ovs.known_choices)
        ovs.ensure_overrides_used()
        ovs.ensure_deletions_used()
    except ComposeError as exc:
        plan.error = exc.finding
    else:
        for it in items:
            if not it.merged or it.config_path == EMPTY_PRIMARY or it.doc is None:
                continue
            path = repo.file(it.config_path)
            assert path is not None
            el = it.element
            if plan.searchpath_merge is None and not it.primary and _sets_searchpath(it.doc.value, it.package):
                plan.searchpath_merge = len(plan.merges)
            plan.merges.append((it.doc, path, it.package, Origin(el.source or path, el.entry_span, el.cli)))
    read = builder.read if builder is not None else {}
    primary = read.get(config_name) if config_name is not None else None
    if primary is None and config_name is not None:  # Hydra stopped before the tree read it
        primary = repo.load(config_name)
        if primary is not None:
            read = {config_name: primary, **read}  # its hydra.searchpath is read: the plan holds while it holds
    if primary is not None and isinstance(primary.value, dict):
        hydra = primary.value.get("hydra")
        if isinstance(hydra, dict) and "searchpath" in hydra:
            plan.searchpath = (hydra["searchpath"], primary)
    plan.read = list(read.items())
    return plan


# ------------------------------------------------------------------ hydra.searchpath
def _searched(repo: Any, searchpath: tuple[Any, Any] | None, overrides: list[Any], cwd: Path | None) -> Any:
    """The repo with the primary's ``hydra.searchpath`` (or the command line's) appended; ``repo`` when none.

    Hydra (``ConfigLoaderImpl._process_config_searchpath``) reads the primary
    config as the initial search path finds it, takes its raw
    ``hydra.searchpath`` unless an override ``hydra.searchpath=[…]`` replaces
    it, checks it is a list of strings, and appends each entry after the
    existing sources; a directory that does not exist only warns.
    """
    value: Any = None
    where: tuple[Any, Any] = ("none", None)
    for ov in overrides:
        if ov.key == "hydra.searchpath" and ov.type == "change" and ov.package is None:
            value, where = ov.value, ("override", ov)
            break
    if value is None:  # no override, or `hydra.searchpath=null`: the primary's own
        if searchpath is None:
            return repo
        value, where = searchpath[0], ("file", searchpath[1])
    if value is None:
        return repo
    if isinstance(value, str) and "${" in value:
        return repo.searching((), True)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        message = f"`hydra.searchpath` must be a list of strings, not `{value!r}`"
        if where[0] == "override":
            raise override_error("missing-config", message, repo.config_dir, where[1], "value")
        doc = where[1]
        node = doc.node(("hydra", "searchpath"))
        raise fail("missing-config", message, doc.path, getattr(node, "span", None) or _key_span(doc))
    extra: list[Path] = []
    hidden = False
    for entry in value:
        if "${" in entry:
            hidden = True
            continue
        idx = entry.find("://")
        scheme = "file" if idx == -1 else entry[:idx]
        if scheme != "file":
            hidden = True  # pkg://, structured://: sources trainpath cannot see
            continue
        text = entry if idx == -1 else entry[idx + 3:]
        if not os.path.isabs(text):
            if cwd is None:
                hidden = True
                continue
            text = os.path.join(cwd, text)
        extra.append(Path(os.path.realpath(text)))
    return repo.searching(extra, hidden)


def searched_repo(repo: Any, config_name: str | None, overrides: Sequence[Any] = (), cwd: Path | None = None) -> Any:
    """The repo a composition of ``config_name`` searches: ``repo`` plus the primary's ``hydra.searchpath``.

    For questions asked outside a composition (is ``x`` a group of this job's
    config, which options does it have); ``repo`` itself when nothing is added
    or the search path is unusable.
    """
    doc = repo.load(config_name) if config_name is not None else None
    hydra = doc.value.get("hydra") if doc is not None and isinstance(doc.value, dict) else None
    found = (hydra["searchpath"], doc) if isinstance(hydra, dict) and "searchpath" in hydra else None
    try:
        return _searched(repo, found, list(overrides), cwd)
    except ComposeError:
        return repo


def _key_span(doc: Any) -> Span | None:
    entry = doc.entry(("hydra", "searchpath"))
    return getattr(getattr(entry, "key", None), "span", None)


def _sets_searchpath(value: Any, package: str) -> bool:
    """True when ``value`` embedded at ``package`` has a non-null ``hydra.searchpath`` (Hydra's select)."""
    parts = [p for p in package.split(".") if p]
    target = ["hydra", "searchpath"]
    if parts[:2] == target:
        return True
    if parts != target[:len(parts)]:
        return False
    node = value
    for k in target[len(parts):]:
        if not isinstance(node, dict) or k not in node:
            return False
        node = node[k]
    return node is not None and node != "???"


def _searchpath_not_primary(doc: Any, path: Path, package: str) -> ComposeError:
    parts = [p for p in package.split(".") if p]
    inner = tuple(["hydra", "searchpath"][len(parts):]) if len(parts) < 2 else ()
    entry = doc.entry(inner) if inner else None
    span = getattr(getattr(entry, "key", None), "span", None)
    return fail("unknown-override-key", f"`{path.name}` sets `hydra.searchpath`: Hydra takes it only from the "
                "primary config", path, span)


def _group_hint(repo: ConfigRepo, key: str) -> str:
    from trainpath.findings import did_you_mean

    best = did_you_mean(key, repo.groups())
    return f"; did you mean `{best}`?" if best else ""


def _drop_hydra(cfg: dict, ctree: OT, repo: ConfigRepo) -> tuple[dict, OT] | None:
    """Check the composed ``hydra:`` sections against Hydra's schema and drop them; return them (None if none)."""
    if "hydra" not in cfg:
        return None
    value = cfg.pop("hydra")
    tree = ctree.kids.pop("hydra")  # type: ignore[union-attr]
    if not isinstance(value, dict):
        return None
    _check_hydra(value, tree, hydra_schema.HYDRA_SCHEMA, ("hydra",), repo, record=False)
    return value, tree


def _hydra_node(hydra: tuple[dict, OT] | None, repo: ConfigRepo) -> tuple[dict, OT]:
    """Hydra's node with the composed ``hydra:`` sections merged in: what ``hydra.*`` overrides apply to.

    Built only for a composition with such an override: most have none.
    """
    schema = hydra_schema.fresh_schema()
    if hydra is not None:
        _check_hydra(hydra[0], hydra[1], schema, ("hydra",), repo, record=True)

    node = {"hydra": _plain(schema)}
    return node, uniform_tree(node, None)


def _plain(n: Any) -> Any:
    """A schema without its ``__closed__`` marks."""
    return {k: _plain(v) for k, v in n.items() if k != "__closed__"} if isinstance(n, dict) else n


def _check_hydra(value: dict, tree: OT, schema: dict, key_path: tuple, repo: ConfigRepo, record: bool) -> None:
    """Refuse a key Hydra's schema does not have; with ``record``, merge the values into ``schema``.

    Recording never changes what is refused (each key is checked before it is
    recorded), so the check alone runs on the shared, read-only schema.
    """
    for k, v in value.items():
        kid = tree.kids.get(k) if isinstance(tree.kids, dict) else None
        if hydra_schema.is_closed(schema) and k not in schema:
            origin = kid.origin if kid is not None else None
            where = ".".join(key_path)
            known = ", ".join(hydra_schema.keys(schema))
            raise fail("unknown-override-key", f"Hydra's `{where}` has no key `{k}` (keys: {known})",
                       origin.path if origin and origin.path else repo.config_dir, origin.span if origin else None)
        sub = schema.get(k)
        if isinstance(sub, dict) and isinstance(v, dict) and kid is not None:
            _check_hydra(v, kid, sub, key_path + (k,), repo, record)
        elif record and (k not in schema or not isinstance(sub, dict)):
            schema[k] = copy_value(v) if not isinstance(v, dict) else {"__closed__": False, **copy_value(v)}


#: one tuple per key path, shared by every composition's provenance (bounded: cleared when large)
_KEYPATHS: dict[tuple, tuple] = {}
_KEYPATHS_MAX = 1 << 16


def flatten_provenance(tree: OT) -> dict[tuple, Origin]:
    """Key path -> origin for every node of ``tree`` that has one, depth first, in key order."""
    out: dict[tuple, Origin] = {}
    if len(_KEYPATHS) > _KEYPATHS_MAX:
        _KEYPATHS.clear()

    def walk(t: OT, prefix: tuple) -> None:
        kids = t.kids
        for k, v in kids.items() if isinstance(kids, dict) else enumerate(kids):  # type: ignore[arg-type]
            key = prefix + (k,)
            key = _KEYPATHS.setdefault(key, key)  # thousands of chains share the same key paths
            if v.origin is not None:
                out[key] = v.origin
            if v.kids:
                walk(v, key)

    if tree.kids:
        walk(tree, ())
    del walk  # a recursive closure is a reference cycle: break it, or only the cycle collector frees it
    return out


def _entry(repo: ConfigRepo, it: ResultItem) -> DefaultEntry:
    el: Element = it.element
    path = repo.file(it.config_path) if it.merged and it.config_path else None
    if it.is_self:
        return DefaultEntry(parent=path, group=None, option=None, package=it.package, path=path,
                            entry_span=None, option_span=None, is_self=True)
    options_of: Element | None = el.__dict__.get("group_of_options")
    where = el.chosen_by or el
    group: str | None
    if el.is_group:
        group, option = el.get_group_path(), el.get_name()
    elif options_of is not None:
        group, option = options_of.get_group_path(), el.get_name()
    else:
        group, option = None, el.get_config_path()
    return DefaultEntry(parent=where.source, group=group, option=option, package=it.package, path=path,
                        entry_span=where.entry_span, option_span=where.option_span, override=el.cli,
                        optional=el.optional, is_override=el.chosen_by is not None, is_self=False)
