"""Composed values for the editor: per-chain values with provenance, interpolations, and cursor context.

Hover and completion ask the same few questions of the chain model:

* what does each chain compose for this key, and which file/line (or job
  override) set it (:func:`value_groups`, :func:`where_set`);
* what does an interpolation ``${a.b}`` / ``${..x}`` point at
  (:func:`interpolation_at`, :func:`resolve_interpolation`);
* which model class hangs from this arch config (:func:`model_for_config`);
* where is the cursor in a half-written YAML text (:func:`text_keypath`,
  :func:`sibling_keys`) -- read from the text, because a buffer that is being
  typed often does not parse.

Everything answers from the built model and the content-cached loaders.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainpath.chain.model import Chain
from trainpath.chain.query import chains_using, composed_keypath, lookup

#: chains shown by name in a value group before "and N more"
MAX_NAMED = 3


@dataclass
class ValueGroup:
    """Chains that compose the same value for a key, set in the same place."""

    keypath: tuple
    value: Any
    where: str  # "set in config/arch/etrm.yaml:12" / "set by job override `a=1` (jobs.txt:14)"
    chains: list[Chain] = field(default_factory=list)


def chain_label(project, chain: Chain) -> str:
    """A short name for a chain: ``jobs.txt:14`` (job), ``pretrain.py`` (script), ``config/cfg.yaml`` (config)."""
    rel = project.rel(chain.root.path)
    if chain.root_kind == "job":
        return f"{rel}:{chain.root.span.line + 1}"
    return rel


def format_value(value: Any, limit: int = 80) -> str:
    """A composed value as YAML-ish text for markdown code spans."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("`", "'")


def where_set(project, chain: Chain, keypath: tuple) -> str | None:
    """Where the value at ``keypath`` was set last in ``chain``'s composition."""
    result = chain.compose
    if result is None:
        return None
    origin = result.provenance.get(tuple(keypath))
    if origin is None:
        return None
    if origin.override is not None:
        ov = origin.override
        if chain.root_kind == "job":
            return f"set by job override `{ov.text}` ({project.rel(chain.root.path)}:{ov.span.line + 1})"
        return f"set by override `{ov.text}`"
    if origin.path is None or origin.span is None:
        return None
    return f"set in {project.rel(origin.path)}:{origin.span.line + 1}"


def value_groups(project, chains: list[Chain], keypath_of) -> list[ValueGroup]:
    """Group ``chains`` by (value, where it was set); ``keypath_of(chain)`` gives the composed key path or None."""
    groups: dict[tuple, ValueGroup] = {}
    for chain in chains:
        if chain.compose is None or chain.compose.config is None:
            continue
        keypath = keypath_of(chain)
        if keypath is None:
            continue
        found, value = lookup(chain.compose.config, keypath)
        if not found:
            continue
        where = where_set(project, chain, keypath) or ""
        key = (format_value(value, 400), where)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ValueGroup(tuple(keypath), value, where)
        group.chains.append(chain)
    return list(groups.values())


def file_value_groups(model, path: Path, doc_keypath: tuple) -> list[ValueGroup]:
    """Value groups for the key at ``doc_keypath`` of the config file ``path``, over every chain using it."""
    chains = chains_using(model, path)
    return value_groups(model.project, chains, lambda c: composed_keypath(c, path, doc_keypath))


def named_chains(project, chains: list[Chain]) -> str:
    """``a, b, c and 4 more``."""
    labels = [chain_label(project, c) for c in chains[:MAX_NAMED]]
    text = ", ".join(labels)
    if len(chains) > MAX_NAMED:
        text += f" and {len(chains) - MAX_NAMED} more"
    return text


# --------------------------------------------------------------------------- models


_NAME_LINE = re.compile(r"^name:\s*['\"]?([A-Za-z_][\w.]*)@([A-Za-z_]\w*)")


def model_for_config(model, path: Path, prefix: str, lines: list[str] | None = None):
    """The model class an arch config names (its own top-level ``name: m@C``), else the chains' model."""
    if lines is not None:
        for text in lines:
            m = _NAME_LINE.match(text)
            if m:
                sym = model.project.pyindex.resolve(prefix + m.group(1), m.group(2))
                if sym is not None:
                    return sym
                break
    for link in model.name_links.get(path, ()):
        if link.kind == "model" and link.info.get("keypath") == ("name",) and link.info.get("symbol") is not None:
            return link.info["symbol"]
    for chain in chains_using(model, path):
        if chain.model is not None and chain.model_link is not None and chain.model_link.source.path == path:
            return chain.model
    return None


def model_for_arch_block(model, path: Path, prefix: str = "models.", lines: list[str] | None = None):
    """The model of the chains that compose the main config ``path`` (its ``arch:`` block's keys are its params).

    While no chain composes it (a buffer being typed), the arch option its own
    ``defaults:`` list names decides: ``- arch: etrm`` -> ``arch/etrm.yaml``'s ``name:``.
    """
    for chain in chains_using(model, path):
        if chain.model is not None and composed_keypath(chain, path, ()) == ():
            return chain.model
    repo = config_repo_of(model, path)
    if lines is None or repo is None:
        return None
    for i, text in enumerate(lines):
        m = _ARCH_DEFAULT.match(text)
        if m and defaults_context(lines, i):
            arch = repo.file(f"arch/{m.group(1)}")
            if arch is None:
                return None
            from trainpath.parsing.sources import read_source

            return model_for_config(model, arch, prefix, (read_source(arch).text or "").split("\n"))
    return None


_ARCH_DEFAULT = re.compile(r"^\s*-\s+(?:override\s+)?arch\s*:\s*([\w/.\-]+)\s*(?:#.*)?$")


# --------------------------------------------------------------------------- interpolations


_INTERP = re.compile(r"\$\{([^${}]*)\}")


def interpolation_at(text: str, col: int) -> tuple[str, int, int] | None:
    """The ``${expr}`` around column ``col`` of ``text``: (expr, start col of ``$``, end col after ``}``)."""
    for m in _INTERP.finditer(text):
        if m.start() <= col < m.end():
            return m.group(1), m.start(), m.end()
    return None


def open_interpolation(text: str, col: int) -> tuple[str, int] | None:
    """An unclosed ``${`` before ``col``: (expression typed so far, its start column)."""
    head = text[:col]
    i = head.rfind("${")
    if i < 0 or "}" in head[i:]:
        return None
    expr = head[i + 2:]
    if not re.fullmatch(r"[\w.\[\]-]*", expr):
        return None
    return expr, i + 2


def resolve_interpolation(node_keypath: tuple, expr: str) -> tuple | None:
    """The absolute key path ``expr`` names, written in a value of the node at ``node_keypath``.

    ``${a.b}`` is absolute; ``${.x}`` is a sibling of the key holding the
    value; each further leading dot goes one level up (OmegaConf's rule).
    Resolver calls (``${oc.env:X}``) and index syntax give None.
    """
    expr = expr.strip()
    if not expr or ":" in expr or "[" in expr or "$" in expr:
        return None
    dots = len(expr) - len(expr.lstrip("."))
    rest = expr[dots:]
    parts = tuple(rest.split(".")) if rest else ()
    if any(not p for p in parts):
        return None
    if dots == 0:
        return parts
    up = dots - 1
    if up > len(node_keypath):
        return None
    base = node_keypath[: len(node_keypath) - up] if up else node_keypath
    return tuple(base) + parts


# --------------------------------------------------------------------------- text context


_KEY_LINE = re.compile(r"^(\s*)((?:-\s+)*)([^\s#:'\"\-][^:#]*?|'[^']*'|\"[^\"]*\")\s*:(?:\s|$)")
_DASH = re.compile(r"^(\s*)-(?:\s|$)")


def _key_of(text: str) -> tuple[int, str, str] | None:
    """(key column, key, rest after the colon) of a ``key:`` line (``- key:`` included)."""
    m = _KEY_LINE.match(text)
    if not m:
        return None
    key = m.group(3).strip("'\"")
    return len(m.group(1)) + len(m.group(2)), key, text[m.end():].strip()


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _blank(text: str) -> bool:
    s = text.strip()
    return not s or s.startswith("#")


def text_keypath(lines: list[str], line_no: int, col: int) -> tuple[str, ...]:
    """The keys of the mappings enclosing column ``col`` of ``line_no``, read from indentation."""
    path: list[str] = []
    limit = col
    for i in range(min(line_no, len(lines)) - 1, -1, -1):
        if limit <= 0:
            break
        text = lines[i]
        if _blank(text):
            continue
        found = _key_of(text)
        dash = _DASH.match(text)
        if found is not None and found[0] < limit:
            if found[2] and not found[2].startswith("#"):
                continue  # a key with an inline value encloses nothing
            path.append(found[1])
            limit = found[0]
            if dash is not None:
                limit = min(limit, len(dash.group(1)))
        elif dash is not None and len(dash.group(1)) < limit:
            limit = len(dash.group(1))
    return tuple(reversed(path))


def sibling_keys(lines: list[str], line_no: int, col: int) -> dict[str, str]:
    """Keys written at column ``col`` in the same block as ``line_no`` -> their value text."""
    out: dict[str, str] = {}
    for step in (-1, 1):
        i = line_no + step
        while 0 <= i < len(lines):
            text = lines[i]
            i += step
            if _blank(text):
                continue
            found = _key_of(text)
            dash = _DASH.match(text)
            if found is not None and found[0] == col:
                out[found[1]] = found[2].split(" #")[0].strip().strip("'\"")
                if dash is not None and step == -1:
                    break  # the first key of this list item
                if dash is not None and step == 1:
                    out.pop(found[1], None)
                    break  # the next list item
                continue
            if _indent(text) < col and (found is None or found[0] < col):
                break
    return out


def defaults_context(lines: list[str], line_no: int) -> bool:
    """Whether ``line_no`` is an item of a top-level ``defaults:`` list."""
    text = lines[line_no] if 0 <= line_no < len(lines) else ""
    if not text.lstrip().startswith("-") and text.strip():
        return False
    for i in range(line_no - 1, -1, -1):
        prev = lines[i]
        if _blank(prev):
            continue
        if prev.startswith("defaults:"):
            return True
        if prev[:1] not in (" ", "-", "\t"):
            return False
    return False


def config_repo_of(model, path: Path):
    """The config search path a config file is composed on, for questions asked in it (groups, options).

    Its own folder, or, when chains compose it along several folders (a
    ``--config-dir``, ``hydra.searchpath``), those folders in the chains'
    order.  None when ``path`` is in no config folder.
    """
    project = model.project
    own = project.config_dir_of(path)
    if own is None:
        return None
    dirs: dict[Path, None] = {}
    seen: set[tuple] = set()
    for chain in model.chains:
        folders = chain.search_dirs
        if folders is None or folders in seen or own not in folders or chain.compose is None:
            continue
        if path in (chain.compose.files or ()):
            seen.add(folders)
            dirs.update(dict.fromkeys(folders))
    return project.search_repo(tuple(dirs) or (own,))


def config_group_of(project, path: Path) -> str:
    """The group folder of a config file relative to its config dir ('' for a primary config)."""
    config_dir = project.config_dir_of(path)
    if config_dir is None:
        return ""
    rel = Path(path).parent.relative_to(config_dir).as_posix()
    return "" if rel == "." else rel
