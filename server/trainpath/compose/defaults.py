"""The defaults tree and the final defaults list: a static port of ``hydra/_internal/defaults_list.py``.

Hydra 1.3 builds a tree from the primary config's ``defaults:`` list (and
the defaults lists of every config it selects), applies command-line group
overrides (``db=x``, ``+db=x``, ``~db``) and ``override`` entries, then walks
the tree depth first into the list of configs to merge.  This module does the
same with :class:`~trainpath.compose.elements.Element` objects that remember
where each entry was written, so that every Hydra error becomes a finding at
the entry or override at fault.  Two deliberate differences: a defaults cycle
(Hydra: ``RecursionError``) is a ``defaults-cycle`` finding, and Hydra's own
``hydra/*`` groups are checked (option exists) but not composed, because the
``hydra`` node is dropped from the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from trainpath.compose.elements import Element, TreeNode
from trainpath.compose.errors import ComposeError, fail, override_error
from trainpath.compose.repo import ConfigRepo
from trainpath.findings import Finding, Severity, did_you_mean
from trainpath.parsing.positions import Span
from trainpath.parsing.yaml_doc import YamlDoc


@dataclass
class _Meta:
    external: bool
    cli: Any = None  # the command-line Override
    element: Element | None = None  # the `override group: x` entry
    used: bool = False


@dataclass
class _Deletion:
    name: str | None
    cli: Any
    used: bool = False


@dataclass
class ResultItem:
    """One config to merge, in order (Hydra's ``ResultDefault``)."""

    element: Element
    config_path: str
    package: str
    is_self: bool
    primary: bool
    parent_element: Element | None  # the element whose defaults list holds this one
    doc: YamlDoc | None = None
    merged: bool = True  # False: a null option or a missing optional config (listed, not merged)


def _hint(name: str, options: Sequence[str]) -> str:
    # a broken default is composed again by every chain through it: did_you_mean caches
    # per (name, options), keeping one tuple per options list
    best = did_you_mean(name, tuple(options))
    return f"; did you mean `{best}`?" if best else ""


class Overrides:
    """Command-line group overrides and ``override`` entries (Hydra's ``Overrides``)."""

    def __init__(self, repo: ConfigRepo, overrides: Sequence[Any]) -> None:
        self.repo = repo
        self.choices: dict[str, Any] = {}
        self.meta: dict[str, _Meta] = {}
        self.appends: list[Element] = []
        self.deletions: dict[str, _Deletion] = {}
        self.known_choices: dict[str, str | None] = {}
        self.known_per_group: dict[str, set[str]] = {}
        self.hydra_choices: dict[str, Any] = {}
        for ov in overrides:
            value = ov.value
            if is_key_override(repo, ov):
                continue
            if ov.type == "force_add":
                raise override_error(
                    "unknown-override-key",
                    f"`{ov.text}`: `++` cannot add config group `{ov.key}`; use `{ov.key}=…` to change "
                    f"its option or `+{ov.key}=…` to append it",
                    repo.config_dir, ov)
            elif ov.type == "delete":
                if value is not None and not isinstance(value, str):
                    raise override_error("missing-override-option",
                                         f"`{ov.text}`: a group deletion value must be an option name",
                                         repo.config_dir, ov, "value")
                self.deletions[_key_element(ov)] = _Deletion(value, ov)
            elif not isinstance(value, (str, list)):
                raise override_error(
                    "missing-override-option",
                    f"`{ov.text}`: config group `{ov.key}` takes an option name, not "
                    f"`{ov.value_text}`{_options_note(repo, ov.key)}",
                    repo.config_dir, ov, "value")
            elif ov.key.startswith("hydra/"):
                self._check_hydra_choice(ov)
            elif ov.type == "add":
                self.appends.append(Element(True, ov.key, value, package=ov.package, external_append=True, cli=ov))
            else:
                key = _key_element(ov)
                self.choices[key] = value
                self.meta[key] = _Meta(True, cli=ov)

    def _check_hydra_choice(self, ov: Any) -> None:
        names = ov.value if isinstance(ov.value, list) else [ov.value]
        options = self.repo.options(ov.key)
        for name in names:
            if name not in options:
                raise override_error(
                    "missing-override-option",
                    f"no option `{name}` in Hydra's group `{ov.key}`{_hint(name, options)}",
                    self.repo.config_dir, ov, "value")
        self.hydra_choices[ov.key] = ov.value

    def add_override(self, parent: Element, d: Element) -> None:
        key = d.get_override_key()
        if key.startswith("hydra/"):
            options = self.repo.options(key.split("@")[0])
            if isinstance(d.value, str) and d.value not in options:
                raise fail("missing-default",
                           f"no option `{d.value}` in Hydra's group `{d.get_group_path()}`{_hint(d.value, options)}",
                           d.source or self.repo.config_dir, d.option_span or d.entry_span)
            self.hydra_choices.setdefault(key, d.value)
            return
        if key not in self.choices:
            self.choices[key] = d.value
            self.meta[key] = _Meta(False, element=d)

    def is_overridden(self, d: Element) -> bool:
        return d.is_group and d.get_override_key() in self.choices

    def override_default_option(self, d: Element) -> None:
        key = d.get_override_key()
        if key in self.choices:
            d.value = self.choices[key]
            meta = self.meta[key]
            meta.used = True
            if meta.external:
                d.cli = meta.cli
            else:
                d.chosen_by = meta.element

    def ensure_overrides_used(self) -> None:
        for key, meta in self.meta.items():
            if meta.used:
                continue
            group = key.split("@")[0]
            known = sorted(self.known_per_group.get(group, set()))
            if known:
                alt = f"; did you mean to override {', '.join(f'`{k}`' for k in known)}?"
            else:
                alt = "; it is not in the defaults list"
            if meta.external:
                ov = meta.cli
                raise override_error(
                    "unknown-override-key",
                    f"cannot override config group `{key}`{alt} To append it use `+{ov.text}`",
                    self.repo.config_dir, ov)
            el = meta.element
            assert el is not None
            raise fail("missing-default", f"`{el.describe()}` overrides nothing{alt}",
                       el.source or self.repo.config_dir, el.entry_span)

    def ensure_deletions_used(self) -> None:
        for key, deletion in self.deletions.items():
            if not deletion.used:
                desc = f"{key}={deletion.name}" if deletion.name is not None else key
                raise override_error(
                    "unknown-override-key",
                    f"cannot delete `{desc}`: no such entry in the defaults list",
                    self.repo.config_dir, deletion.cli)

    def set_known_choice(self, d: Element) -> None:
        if not d.is_group:
            return
        key = d.get_override_key()
        if key not in self.known_choices:
            self.known_choices[key] = d.get_name()
        elif d.get_name() != self.known_choices[key]:
            prev = self.known_choices[key]
            raise fail("missing-default",
                       f"two values for config group `{key}` (`{prev}` and `{d.get_name()}`); "
                       f"to replace one write `override {key}: {d.get_name()}`",
                       d.source or self.repo.config_dir, d.entry_span)
        self.known_per_group.setdefault(d.get_group_path(), set()).add(key)

    def is_deleted(self, d: Element) -> bool:
        if not d.is_group:
            return False
        deletion = self.deletions.get(d.get_override_key())
        if deletion is None:
            return False
        return deletion.name is None or deletion.name == d.get_name()

    def delete(self, d: Element) -> None:
        d.deleted = True
        self.deletions[d.get_override_key()].used = True


def is_key_override(repo: ConfigRepo, ov: Any) -> bool:
    """True for an override of config keys (``a.b=1``, ``+x=1``, ``g={a: 1}``), not of a config group's option.

    Only the group overrides shape the defaults tree; key overrides apply to the merged config.
    """
    return isinstance(ov.value, dict) or not repo.is_group(ov.key)


def _key_element(ov: Any) -> str:
    return ov.key if ov.package is None else f"{ov.key}@{ov.package}"


def _options_note(repo: ConfigRepo, group: str) -> str:
    options = repo.options(group)
    return f" (options: {', '.join(options)})" if options else ""


@dataclass
class DefaultsBuilder:
    """Builds the defaults tree for one composition and flattens it (one use per compose)."""

    repo: ConfigRepo
    overrides: Overrides
    files: set[Path] = field(default_factory=set)
    docs: dict[str, YamlDoc] = field(default_factory=dict)
    #: every config read, usable or not: the tree holds while each still loads as the same document
    read: dict[str, YamlDoc] = field(default_factory=dict)

    # -------------------------------------------------------------- loading
    def load(self, element: Element, config_path: str) -> YamlDoc | None:
        """The parsed config, or None when missing; a broken file stops composition."""
        if config_path in self.docs:
            return self.docs[config_path]
        path = self.repo.file(config_path)
        if path is None:
            return None
        doc = self.repo.load(config_path)  # content-cached by load_yaml
        self.files.add(path)
        assert doc is not None
        self.read[config_path] = doc
        if not doc.ok or doc.value is None:
            problem = doc.findings[0] if doc.findings else Finding(
                "yaml-syntax", f"`{config_path}.yaml` is not valid YAML", path, Span(0, 0, 0, 0))
            raise ComposeError(problem)
        if doc.header_error:
            span = doc.header.span if doc.header is not None else Span(0, 0, 0, 0)
            raise fail("yaml-syntax", f"`{path.name}`: {doc.header_error}", path, span)
        if not isinstance(doc.value, dict):
            raise fail("yaml-syntax", f"`{path.name}` must hold a mapping, not a "
                       f"{type(doc.value).__name__}", path, _span(doc.root))
        self.docs[config_path] = doc
        return doc

    # -------------------------------------------------------------- the tree
    def build(self, config_name: str) -> TreeNode:
        primary = Element(False, config_name, primary=True)
        root = TreeNode(primary)
        self._tree(root, True, False, ())
        return root

    def _missing_error(self, el: Element) -> ComposeError:
        config_path = el.get_config_path()
        if el.primary:
            dirs = ", ".join(f"`{d}`" for d in self.repo.dirs)
            return fail("missing-config", f"no primary config `{config_path}` in "
                        f"{dirs}{_hint(config_path, self._all_configs())}",
                        self.repo.config_dir, None)
        if el.is_group:
            group, name = el.get_group_path(), str(el.get_name())
            options = self.repo.options(group)
            hint = _hint(name, options)
            if el.cli is not None:
                return override_error("missing-override-option", f"no config `{config_path}`{hint}",
                                      self.repo.config_dir, el.cli, "value")
            where = el.chosen_by or el
            return fail("missing-default", f"no config `{config_path}`{hint}",
                        where.source or self.repo.config_dir, where.option_span or where.entry_span)
        group = el.get_group_path()
        options = self.repo.options(group)
        hint = _hint(str(el.get_name()), options)
        return fail("missing-default", f"no config `{config_path}`{hint}",
                    el.source or self.repo.config_dir, el.option_span or el.entry_span)

    def _all_configs(self) -> list[str]:
        out = list(self.repo.options(""))
        for g in self.repo.groups():
            out.extend(f"{g}/{o}" for o in self.repo.options(g))
        return out

    def _tree(self, root: TreeNode, is_root: bool, interpolated: bool, stack: tuple[str, ...]) -> TreeNode:
        parent = root.node
        ov = self.overrides
        if is_root:
            parent.update_parent("", "")
            if parent.get_config_path() not in self.docs and not self.repo.exists(parent.get_config_path()):
                raise self._missing_error(parent)
        if not parent.is_missing() and parent.get_name() is not None:
            doc = self.load(parent, parent.get_config_path())
            if doc is not None and doc.header is not None:
                parent.set_package_header(doc.header.package)
        if ov.is_deleted(parent):
            ov.delete(parent)
            return root
        ov.set_known_choice(parent)
        if parent.get_name() is None:
            return root
        if parent.is_missing():
            raise self._must_specify(parent)
        path = parent.get_config_path()
        doc = self.load(parent, path)
        if doc is None:
            if parent.optional:
                parent.deleted = True
                parent.__dict__["absent"] = True
                return root
            raise self._missing_error(parent)
        if path in stack:
            chain = " -> ".join(stack[stack.index(path):] + (path,))
            raise fail("defaults-cycle", f"defaults cycle: {chain}", parent.source or self.repo.config_dir,
                       parent.option_span or parent.entry_span)
        stack = stack + (path,)
        defaults = parse_defaults(doc, self.repo.file(path))
        if defaults or (is_root and ov.appends):
            _validate_self(parent, defaults, self.repo.file(path))
        if is_root:
            defaults.extend(ov.appends)
        self._update_overrides(defaults, parent, interpolated)

        children: list[TreeNode | Element] = []

        def add_child(new_root: TreeNode) -> None:
            sub = self._tree(new_root, False, interpolated, stack)
            children.append(new_root.node if sub.children is None else sub)

        for d in reversed(defaults):
            if d.is_self():
                d.update_parent(root.node.parent_base_dir or "", root.node.get_package() or "")
                children.append(d)
                continue
            if d.override:
                continue
            d.update_parent(parent.get_group_path(), parent.get_final_package())
            if ov.is_overridden(d):
                ov.override_default_option(d)
            if d.is_options():
                spans = d.__dict__.get("item_spans") or []
                items = list(d.value)
                for i in reversed(range(len(items))):
                    item = items[i]
                    if "${" in str(item):
                        raise fail("missing-default", "interpolation is not supported in an options list",
                                   d.source or self.repo.config_dir, d.option_span)
                    node = Element(False, f"{d.name}/{item}", package=d.package, optional=d.optional,
                                   source=d.source, entry_span=d.entry_span, cli=d.cli, chosen_by=d.chosen_by,
                                   option_span=spans[i] if i < len(spans) and d.cli is None else d.option_span)
                    node.__dict__["group_of_options"] = d
                    node.update_parent(parent.get_group_path(), parent.get_final_package())
                    add_child(TreeNode(node, parent=root))
            elif d.is_interpolation():
                children.append(d)
            else:
                add_child(TreeNode(d, parent=root))

        known = dict(ov.known_choices)
        for idx, dd in enumerate(children):
            if isinstance(dd, Element) and dd.is_interpolation() and not dd.is_self():
                self._resolve_interpolation(dd, known, parent)
                new_root = TreeNode(dd, parent=root)
                dd.update_parent(parent.get_group_path(), parent.get_final_package())
                sub = self._tree(new_root, False, True, stack)
                if sub.children is not None:
                    children[idx] = sub
        if children:
            root.children = list(reversed(children))
        return root

    def _resolve_interpolation(self, d: Element, known: dict[str, Any], parent: Element) -> None:
        text = d.value if d.is_group else d.name
        out, pos = "", 0
        while True:
            start = text.find("${", pos)
            if start == -1:
                out += text[pos:]
                break
            end = text.find("}", start)
            key = text[start + 2: end] if end != -1 else ""
            if end == -1 or key not in known or not isinstance(known[key], str):
                raise fail("missing-default", f"cannot resolve `{text}` in the defaults list; "
                           f"known groups: {', '.join(sorted(known)) or 'none'}",
                           d.source or self.repo.config_dir, d.option_span or d.entry_span)
            out += text[pos:start] + known[key]
            pos = end + 1
        if d.is_group:
            d.value = out
        else:
            d.name = out

    def _must_specify(self, el: Element) -> ComposeError:
        key = el.get_override_key() if el.is_group else el.get_config_path()
        options = self.repo.options(el.get_group_path()) if el.is_group else []
        listed = f" (options: {', '.join(options)})" if options else ""
        msg = f"you must choose an option for `{key}`, e.g. `{key}=<option>`{listed}"
        if el.cli is not None:
            return override_error("missing-mandatory", msg, self.repo.config_dir, el.cli, "value",
                                  severity=Severity.ERROR)
        where = el.chosen_by or el
        return fail("missing-mandatory", msg, where.source or self.repo.config_dir,
                    where.option_span or where.entry_span, severity=Severity.ERROR)

    def _update_overrides(self, defaults: list[Element], parent: Element, interpolated: bool) -> None:
        seen_override: Element | None = None
        for d in defaults:
            if d.is_self():
                continue
            d.update_parent(parent.get_group_path(), parent.get_final_package())
            if seen_override is not None and not (d.override or d.external_append):
                raise fail("missing-default",
                           f"`{seen_override.describe()}` comes before `{d.describe()}`: "
                           "`override` entries must be at the end of the defaults list",
                           seen_override.source or self.repo.config_dir, seen_override.entry_span)
            if d.is_group and d.override:
                seen_override = d
                if interpolated:
                    raise fail("missing-default", f"`{d.describe()}`: an override is not allowed below "
                               "an interpolated defaults entry", d.source or self.repo.config_dir, d.entry_span)
                self.overrides.add_override(parent, d)

    # -------------------------------------------------------------- flatten
    def flatten(self, tree: TreeNode) -> list[ResultItem]:
        out: list[ResultItem] = []

        def visit(tnode: TreeNode | None, el: Element) -> None:
            if el.deleted and not el.__dict__.get("absent"):
                return
            if el.is_missing():
                return
            if el.is_self():
                assert tnode is not None
                owner = tnode.node
                out.append(ResultItem(owner, owner.get_config_path(), owner.get_final_package(), True,
                                      owner.primary, tnode.parent.node if tnode.parent else None,
                                      self.docs.get(owner.get_config_path())))
                return
            parent_el = tnode.node if tnode is not None else None
            merged = not el.deleted and el.get_name() is not None
            path = el.get_config_path() if el.get_name() is not None else ""
            if el.get_config_path().startswith("hydra/"):
                return
            out.append(ResultItem(el, path, el.get_final_package(), False, el.primary, parent_el,
                                  self.docs.get(path) if merged else None, merged))

        def walk(t: TreeNode) -> None:
            if not t.children:
                visit(t.parent, t.node)
                return
            for child in t.children:
                if isinstance(child, Element):
                    visit(t, child)
                else:
                    walk(child)

        walk(tree)
        del walk, visit  # recursive closures are reference cycles: break them for reference counting
        keys: set[str] = set()
        for item in out:
            if item.is_self or not item.merged or not item.element.is_group:
                continue
            key = item.element.get_override_key()
            if key in keys:
                el = item.element
                raise fail("missing-default", f"`{key}` appears more than once in the final defaults list",
                           el.source or self.repo.config_dir, el.entry_span)
            keys.add(key)
        return out


def _validate_self(parent: Element, defaults: list[Element], path: Path | None) -> None:
    has_self = has_non_override = False
    for d in defaults:
        if not d.override:
            has_non_override = True
        if d.is_self():
            if has_self:
                raise fail("missing-default", f"`_self_` appears twice in `{parent.get_config_path()}`",
                           d.source or path or Path("."), d.entry_span)
            has_self = True
    if (not has_self and has_non_override) or not defaults:
        defaults.append(Element(False, "_self_", source=path))


def _span(node: Any) -> Span | None:
    """A node's span (YScalar has one; maps and sequences span their first to last child)."""
    if node is None:
        return None
    span = getattr(node, "span", None)
    if span is not None:
        return span
    parts: list[Span] = []
    for entry in getattr(node, "entries", None) or []:
        parts += [s for s in (_span(entry.key), _span(entry.value)) if s is not None]
    for item in getattr(node, "items", None) or []:
        s = _span(item)
        if s is not None:
            parts.append(s)
    if not parts:
        return None
    first, last = min(parts), max(parts, key=lambda s: (s.end_line, s.end_col))
    return Span(first.line, first.col, last.end_line, last.end_col)


def _join(a: Span | None, b: Span | None) -> Span | None:
    if a is None or b is None:
        return a or b
    return Span(a.line, a.col, b.end_line, b.end_col)


def parse_defaults(doc: YamlDoc, path: Path | None) -> list[Element]:
    """The ``defaults:`` list of a config as fresh elements (Hydra's ``_create_defaults_list``)."""
    value = doc.value if isinstance(doc.value, dict) else {}
    raw = value.get("defaults")
    if "defaults" not in value:
        return []
    where = path or Path(".")
    node = doc.node(("defaults",))
    if not isinstance(raw, list):
        kind = "mapping" if isinstance(raw, dict) else type(raw).__name__
        entry = doc.entry(("defaults",))
        key_span = _span(entry.key) if entry is not None else None
        raise fail("missing-default", f"`defaults` must be a list (got {kind})", where, key_span or _span(node))
    items = list(getattr(node, "items", None) or [])
    out: list[Element] = []
    for i, item in enumerate(raw):
        inode = items[i] if i < len(items) else None
        ispan = _span(inode)
        if isinstance(item, dict):
            if len(item) != 1:
                raise fail("missing-default", "a defaults entry must have exactly one key" if item
                           else "a defaults entry is missing its group name", where, ispan)
            key, val = next(iter(item.items()))
            if not isinstance(key, str):
                raise fail("missing-default", f"defaults entry key `{key}` is not a group name", where, ispan)
            group, package = _split_group(key)
            words = group.split(" ")
            group = words[-1]
            optional = override = False
            for w in words[:-1]:
                if w == "optional":
                    optional = True
                elif w == "override":
                    override = True
                else:
                    break
            entries = getattr(inode, "entries", None) or []
            vnode = entries[0].value if entries else None
            if entries:
                ispan = _join(_span(entries[0].key), _span(vnode)) or ispan
            if val is not None and not isinstance(val, (str, list)):
                raise fail("missing-default", f"the option of `{key}` must be a name or a list of names, "
                           f"not {type(val).__name__}", where, _span(vnode) or ispan)
            if isinstance(val, list) and not all(isinstance(v, str) for v in val):
                raise fail("missing-default", f"the options of `{key}` must all be names", where,
                           _span(vnode) or ispan)
            el = Element(True, group, val, package=package, optional=optional, override=override,
                         source=path, entry_span=ispan, option_span=_span(vnode))
            if isinstance(val, list):
                el.__dict__["item_spans"] = [_span(x) for x in getattr(vnode, "items", None) or []]
            out.append(el)
        elif isinstance(item, str):
            name, package = _split_group(item)
            out.append(Element(False, name, package=package, source=path, entry_span=ispan, option_span=ispan))
        else:
            raise fail("missing-default", f"unsupported defaults entry of type {type(item).__name__}",
                       where, ispan)
    return out


def _split_group(text: str) -> tuple[str, str | None]:
    idx = text.find("@")
    if idx == -1:
        return text, None
    package = text[idx + 1:]
    colon = package.find(":")
    if colon != -1:
        package = package[:colon]
    return text[:idx], package
