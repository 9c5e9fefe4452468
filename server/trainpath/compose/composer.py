"""``compose()``: the static Hydra 1.3 composer, glue between defaults tree, merge and overrides.

Order of work, as in Hydra's ``ConfigLoaderImpl._load_configuration_impl``:
refuse sweeps; split the command-line overrides into group overrides and key
overrides; build the defaults tree and flatten it; merge every config of the
final defaults list in order; check and drop the ``hydra`` node; apply the key
overrides in command-line order (hydra-notes 11).  The first Hydra-fatal
problem ends composition with one finding at the entry or override at fault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from trainpath.compose import hydra_schema
from trainpath.compose.defaults import DefaultsBuilder, Overrides, ResultItem
from trainpath.compose.elements import Element
from trainpath.compose.errors import ComposeError, fail, override_error
from trainpath.compose.merge import OT, apply_override, copy_value, embed, merge_dict, uniform_tree, yaml_tree
from trainpath.compose.repo import ConfigRepo
from trainpath.compose.result import ComposeResult, DefaultEntry, Origin
from trainpath.findings import Finding
from trainpath.parsing.positions import Span

EMPTY_PRIMARY = "_dummy_empty_config_"

#: id(doc) -> (doc, value without `defaults`, origin tree); YamlDocs are content-cached, so are these.
_SOURCE_CACHE: dict[int, tuple[Any, dict, OT]] = {}
_SOURCE_CACHE_MAX = 2048


class _EmptyDoc:
    """The stand-in for Hydra's ``_dummy_empty_config_`` (``config_name=None``)."""

    value: dict = {}
    root = None
    header = None
    header_error = None
    ok = True
    findings: list = []


def _source(doc: Any, path: Path) -> tuple[dict, OT]:
    hit = _SOURCE_CACHE.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1], hit[2]
    value = {k: v for k, v in doc.value.items() if k != "defaults"}
    tree = yaml_tree(value, doc.root, path, Origin(path, None))
    if len(_SOURCE_CACHE) >= _SOURCE_CACHE_MAX:
        _SOURCE_CACHE.clear()
    _SOURCE_CACHE[id(doc)] = (doc, value, tree)
    return value, tree


def compose(repo: ConfigRepo, config_name: str | None, overrides: Sequence[Any] = ()) -> ComposeResult:
    """Compose ``config_name`` with ``overrides`` (parsed command-line overrides) like Hydra 1.3 does.

    Never raises for bad input: problems come back as ``result.findings``
    with ``result.config`` None.
    """
    result = ComposeResult(config=None)
    try:
        _compose(repo, config_name, list(overrides), result)
    except ComposeError as exc:
        result.config = None
        result.provenance = {}
        result.findings.append(exc.finding)
    except RecursionError:
        result.config = None
        result.provenance = {}
        result.findings.append(Finding("defaults-cycle", "the defaults lists nest too deeply (a cycle?)",
                                       repo.config_dir, Span(0, 0, 0, 0)))
    return result


def _compose(repo: ConfigRepo, config_name: str | None, overrides: list[Any], result: ComposeResult) -> None:
    for ov in overrides:
        if getattr(ov, "is_sweep", False):
            raise override_error(
                "invalid-choice",
                f"`{ov.text}` is a sweep (several values); a single run takes one value: quote it for a "
                f"string or write a list as `[a,b]`", repo.config_dir, ov, "value")
    ovs = Overrides(repo, overrides)
    builder = DefaultsBuilder(repo, ovs, files=result.files)
    if config_name is None:
        builder.docs[EMPTY_PRIMARY] = _EmptyDoc()  # type: ignore[assignment]
        tree = builder.build(EMPTY_PRIMARY)
    else:
        tree = builder.build(config_name)
    items = builder.flatten(tree)
    result.defaults = [_entry(repo, it) for it in items if it.config_path != EMPTY_PRIMARY]
    result.choices = dict(ovs.known_choices)
    ovs.ensure_overrides_used()
    ovs.ensure_deletions_used()

    cfg: dict = {}
    ctree = OT(None, {})
    for it in items:
        if not it.merged or it.config_path == EMPTY_PRIMARY or it.doc is None:
            continue
        path = repo.file(it.config_path)
        assert path is not None
        value, vtree = _source(it.doc, path)
        if it.is_self:
            owner = it.element
            porigin = Origin(owner.source or path, owner.entry_span, owner.cli)
        else:
            porigin = Origin(it.element.source or path, it.element.entry_span, it.element.cli)
        value, vtree = embed(value, vtree, it.package, porigin)
        merge_dict(cfg, ctree, value, vtree, (), repo.config_dir)

    hcfg = _hydra_node(cfg, ctree, repo)
    for ov in ovs.config_overrides:
        if ov.package is not None:
            raise override_error("unknown-override-key",
                                 f"`{ov.text}` looks like a config group override, but there is no config "
                                 f"group `{ov.key}`{_group_hint(repo, ov.key)}", repo.config_dir, ov)
        if ov.key == "hydra" or ov.key.startswith("hydra."):
            apply_override(hcfg[0], hcfg[1], ov, repo.config_dir)
        else:
            apply_override(cfg, ctree, ov, repo.config_dir)
    result.config = cfg
    result.provenance = flatten_provenance(ctree)


def _group_hint(repo: ConfigRepo, key: str) -> str:
    from trainpath.findings import did_you_mean

    best = did_you_mean(key, repo.groups())
    return f"; did you mean `{best}`?" if best else ""


def _hydra_node(cfg: dict, ctree: OT, repo: ConfigRepo) -> tuple[dict, OT]:
    """Check the composed ``hydra:`` sections against Hydra's schema, drop them; return the node for overrides."""
    schema = hydra_schema.fresh_schema()
    if "hydra" in cfg:
        value = cfg.pop("hydra")
        tree = ctree.kids.pop("hydra")  # type: ignore[union-attr]
        if isinstance(value, dict):
            _check_hydra(value, tree, schema, ("hydra",), repo)

    def plain(n: Any) -> Any:
        return {k: plain(v) for k, v in n.items() if k != "__closed__"} if isinstance(n, dict) else n

    node = {"hydra": plain(schema)}
    return node, uniform_tree(node, None)


def _check_hydra(value: dict, tree: OT, schema: dict, key_path: tuple, repo: ConfigRepo) -> None:
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
            _check_hydra(v, kid, sub, key_path + (k,), repo)
        elif k not in schema or not isinstance(sub, dict):
            schema[k] = copy_value(v) if not isinstance(v, dict) else {"__closed__": False, **copy_value(v)}


def flatten_provenance(tree: OT) -> dict[tuple, Origin]:
    out: dict[tuple, Origin] = {}

    def walk(t: OT, prefix: tuple) -> None:
        kids = t.kids
        if isinstance(kids, dict):
            for k, v in kids.items():
                key = prefix + (k,)
                if v.origin is not None:
                    out[key] = v.origin
                walk(v, key)
        elif isinstance(kids, list):
            for i, v in enumerate(kids):
                key = prefix + (i,)
                if v.origin is not None:
                    out[key] = v.origin
                walk(v, key)

    walk(tree, ())
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
