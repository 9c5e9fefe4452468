"""Merging configs and applying key overrides the way OmegaConf 2.3 does, with provenance.

Values are plain Python data (dict/list/scalars); beside each value tree runs
an *origin tree* (:class:`OT`) of the same shape whose nodes hold the
:class:`~trainpath.compose.result.Origin` that set each key last.  Inputs
(the parsed files) are never mutated: subtrees are copied when inserted.

OmegaConf's rules mirrored here (``BaseContainer._map_merge``/``_list_merge``,
``OmegaConf.update``, Hydra's ``_apply_overrides_to_config``; hydra-notes
8-11): dicts merge key by key, new keys go last; lists are replaced; a scalar
(``5``, ``null``) replaces a dict; ``???`` never replaces anything; a dict
over a list (or a list over a dict) is an error.  Key overrides run in struct
mode: ``a.b=v`` needs ``a.b`` to exist, ``+a.b=v`` needs it absent (or null,
or the value to be a dict/list), ``++`` always works, ``~a.b`` needs a value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trainpath.compose.errors import ComposeError, fail, override_error
from trainpath.compose.result import Origin
from trainpath.findings import Severity

MISSING = "???"


class OT:
    """Origin tree node: the origin of one value and, for containers, of its children."""

    __slots__ = ("origin", "kids")

    def __init__(self, origin: Origin | None, kids: dict | list | None = None) -> None:
        self.origin = origin
        self.kids = kids

    def copy(self) -> "OT":
        """A copy to graft into another tree.  Leaves are shared: only container nodes are ever changed."""
        kids = self.kids
        if isinstance(kids, dict):
            return OT(self.origin, {k: v.copy() for k, v in kids.items()})
        if isinstance(kids, list):
            return OT(self.origin, [v.copy() for v in kids])
        return self


def copy_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: copy_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    return value


def uniform_tree(value: Any, origin: Origin | None) -> OT:
    """An origin tree for ``value`` where every node has the same origin (an override's value)."""
    if isinstance(value, dict):
        return OT(origin, {k: uniform_tree(v, origin) for k, v in value.items()})
    if isinstance(value, list):
        return OT(origin, [uniform_tree(v, origin) for v in value])
    return OT(origin)


def yaml_tree(value: Any, node: Any, path: Path, origin: Origin | None) -> OT:
    """The origin tree of a loaded YAML value, from the YamlDoc node tree (key spans)."""
    if isinstance(value, dict):
        entries: dict[Any, Any] = {}
        for entry in getattr(node, "entries", None) or []:
            key = getattr(entry.key, "value", None)
            entries.setdefault(key, entry)
            entries.setdefault(str(key), entry)
        kids = {}
        for k, v in value.items():
            e = entries.get(k)
            if e is None:
                e = entries.get(str(k))
            if e is None:
                kids[k] = yaml_tree(v, None, path, origin)
            else:
                kids[k] = yaml_tree(v, e.value, path, Origin(path, getattr(e.key, "span", None)))
        return OT(origin, kids)
    if isinstance(value, list):
        items = list(getattr(node, "items", None) or [])
        out = []
        for i, v in enumerate(value):
            item = items[i] if i < len(items) else None
            span = _node_span(item)
            out.append(yaml_tree(v, item, path, Origin(path, span) if span is not None else origin))
        return OT(origin, out)
    return OT(origin)


def _node_span(node: Any) -> Any:
    from trainpath.compose.defaults import _span

    return _span(node)


def _kind(value: Any) -> str:
    return "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else "a value"


def _conflict(dest: Any, src: Any, key_path: tuple, origin: Origin | None, config_dir: Path) -> ComposeError:
    where = ".".join(str(k) for k in key_path) or "the config root"
    msg = f"cannot merge {_kind(src)} into {_kind(dest)} at `{where}`"
    if origin is not None and origin.override is not None:
        return override_error("invalid-choice", f"`{origin.override.text}`: {msg}", config_dir, origin.override,
                              "value")
    path = origin.path if origin is not None and origin.path is not None else config_dir
    return fail("invalid-choice", msg, path, origin.span if origin else None, severity=Severity.ERROR)


def merge_dict(dest: dict, dot: OT, src: dict, sot: OT, key_path: tuple, config_dir: Path,
               struct: bool = False) -> None:
    """Merge ``src`` into ``dest`` (OmegaConf ``_map_merge``); ``struct`` refuses new keys."""
    assert isinstance(dot.kids, dict) and isinstance(sot.kids, dict)
    for k, sv in src.items():
        skid = sot.kids[k]
        if k not in dest:
            if struct:
                raise _StructError(key_path + (k,))
            dest[k] = copy_value(sv)
            dot.kids[k] = skid.copy()
            continue
        dv = dest[k]
        if isinstance(sv, str) and sv == MISSING:
            continue
        if isinstance(dv, dict) and isinstance(sv, dict):
            merge_dict(dv, dot.kids[k], sv, skid, key_path + (k,), config_dir, struct)
            dot.kids[k].origin = skid.origin
        elif isinstance(dv, dict) and isinstance(sv, list) or isinstance(dv, list) and isinstance(sv, dict):
            raise _conflict(dv, sv, key_path + (k,), skid.origin, config_dir)
        else:
            dest[k] = copy_value(sv)
            dot.kids[k] = skid.copy()


class _StructError(Exception):
    def __init__(self, key_path: tuple) -> None:
        super().__init__(".".join(map(str, key_path)))
        self.key_path = key_path


def embed(value: Any, tree: OT, package: str, package_origin: Origin | None) -> tuple[dict, OT]:
    """``value`` placed under the dotted ``package`` ('' = the root)."""
    if not package:
        return value, tree
    for part in reversed(package.split(".")):
        value, tree = {part: value}, OT(package_origin, {part: tree})
    return value, tree


# ---------------------------------------------------------------------------------- overrides
def _select(cfg: Any, parts: list[str]) -> tuple[bool, Any]:
    """(found, value) of a dotted key; a non-container on the way means not found."""
    node = cfg
    for part in parts:
        if isinstance(node, dict):
            if part not in node:
                return False, None
            node = node[part]
        elif isinstance(node, list):
            try:
                node = node[int(part)]
            except (ValueError, IndexError):
                return False, None
        else:
            return False, None
    return True, node


class Unknown:
    """A value trainpath does not know (Hydra's own defaults); treated like null by ``+key``."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


def apply_override(cfg: dict, tree: OT, ov: Any, config_dir: Path) -> None:
    """Apply one key override (``a.b=v``, ``+a.b=v``, ``++a.b=v``, ``~a.b``) to ``cfg`` in place."""
    key = ov.key
    parts = key.split(".")
    value = ov.value
    origin = Origin(None, getattr(ov, "span", None), ov)
    if ov.type == "delete":
        found, current = _select(cfg, parts)
        if not found or current is None or current is UNKNOWN or current == MISSING:
            raise override_error("unknown-override-key", f"cannot delete `{key}`: the composed config has no "
                                 f"value there", config_dir, ov)
        if value is not None and value != current:
            raise override_error("unknown-override-key", f"cannot delete `{key}`: its value is `{current}`, "
                                 f"not `{ov.value_text}`", config_dir, ov, "value")
        parent, ptree = _walk(cfg, tree, parts[:-1])
        last = parts[-1]
        if isinstance(parent, list):
            del parent[int(last)]
            del ptree.kids[int(last)]
        else:
            del parent[last]
            del ptree.kids[last]
        return
    if ov.type == "add":
        found, current = _select(cfg, parts)
        if found and current is not None and current is not UNKNOWN and current != MISSING \
                and not isinstance(value, (dict, list)):
            raise override_error("append-existing-key",
                                 f"`{ov.text}`: the composed config already has `{key}`; use `{ov.text[1:]}` "
                                 f"to change it or `+{ov.text}` to add or change it", config_dir, ov)
    force = ov.type in ("add", "force_add")
    try:
        _update(cfg, tree, parts, value, origin, force, config_dir)
    except _StructError as exc:
        missing = ".".join(str(k) for k in exc.key_path) or key
        raise override_error("unknown-override-key",
                             f"`{ov.text}`: the composed config has no key `{missing}`; to add it use "
                             f"`+{ov.text}`", config_dir, ov) from None


def _walk(cfg: Any, tree: OT, parts: list[str]) -> tuple[Any, OT]:
    node, t = cfg, tree
    for part in parts:
        if isinstance(node, list):
            node, t = node[int(part)], t.kids[int(part)]
        else:
            node, t = node[part], t.kids[part]
    return node, t


def _update(cfg: dict, tree: OT, parts: list[str], value: Any, origin: Origin, force: bool,
            config_dir: Path) -> None:
    root, rt = cfg, tree
    lifted = force  # struct lifted on the parent of the last key (and so below it)
    for i, part in enumerate(parts[:-1]):
        if isinstance(root, list):
            try:
                idx = int(part)
                nxt = root[idx]
            except (ValueError, IndexError):
                raise _StructError(tuple(parts[: i + 1])) from None
            if not isinstance(nxt, (dict, list)):
                if not force:
                    raise _StructError(tuple(parts[: i + 1]))
                root[idx], rt.kids[idx] = {}, OT(origin, {})
            root, rt = root[idx], rt.kids[idx]
            continue
        nxt = root.get(part)
        if not isinstance(nxt, (dict, list)):
            if not force:
                raise _StructError(tuple(parts[: i + 1]))
            root[part], rt.kids[part] = {}, OT(origin, {})
        root, rt = root[part], rt.kids[part]
    last = parts[-1]
    if isinstance(root, list):
        try:
            idx = int(last)
            current = root[idx]
        except (ValueError, IndexError):
            raise _StructError(tuple(parts)) from None
        if isinstance(value, (dict, list)) and isinstance(current, (dict, list)):
            _merge_value(root, rt, idx, value, origin, parts, lifted, config_dir)
            return
        root[idx], rt.kids[idx] = copy_value(value), uniform_tree(value, origin)
        return
    if isinstance(value, (dict, list)) and isinstance(root.get(last), (dict, list)):
        _merge_value(root, rt, last, value, origin, parts, lifted, config_dir)
        return
    if last not in root and not lifted:
        raise _StructError(tuple(parts))
    root[last], rt.kids[last] = copy_value(value), uniform_tree(value, origin)


def _merge_value(root: Any, rt: OT, key: Any, value: Any, origin: Origin, parts: list[str], lifted: bool,
                 config_dir: Path) -> None:
    current = root[key]
    if isinstance(current, list) and isinstance(value, list):
        root[key], rt.kids[key] = copy_value(value), uniform_tree(value, origin)
        return
    if isinstance(current, dict) and isinstance(value, dict):
        merge_dict(current, rt.kids[key], value, uniform_tree(value, origin), tuple(parts), config_dir,
                   struct=not lifted)
        rt.kids[key].origin = origin
        return
    raise _conflict(current, value, tuple(parts), origin, config_dir)
