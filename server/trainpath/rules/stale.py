"""``stale-name``: a link of an active chain names something with a stale suffix.

Looks at every link of job chains (the runs people actually launch): the
script, the config name, the arch option, the model module and the class.
Suffixes come from settings (``_original``, ``_old``, ``_backup``, ``_copy``,
``_deprecated``, ``_bak`` by default).  When the clean name exists too, the
message names it (the quick fix drops the suffix).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from trainpath.chain.model import NAME_KINDS
from trainpath.findings import Finding
from trainpath.parsing.positions import Span

CODES = ("stale-name",)


def stale_suffix(name: str, suffixes) -> str | None:
    lowered = name.lower()
    for suffix in sorted(suffixes, key=len, reverse=True):
        if lowered.endswith(suffix.lower()) and len(name) > len(suffix):
            return name[len(name) - len(suffix):]
    return None


def check(model) -> Iterable[Finding]:
    suffixes = model.project.settings.stale_suffixes
    if not suffixes:
        return
    for chain in model.chains:
        if chain.root_kind != "job":
            continue
        for link in chain.links:
            if link.source is None:
                continue
            yield from _check_link(model, link, suffixes)


def _check_link(model, link, suffixes) -> Iterable[Finding]:
    src = link.source
    if link.kind == "script":
        p = Path(link.name)
        suffix = stale_suffix(p.stem, suffixes)
        if suffix:
            clean = p.with_name(p.stem[: -len(suffix)] + p.suffix)
            exists = link.target is not None and (link.target.path.parent / clean.name).is_file()
            yield _finding("script", link.name, suffix, clean.as_posix() if exists else None, src.path, src.span)
    elif link.kind in ("config", "arch", "default"):
        option = link.info.get("option") if link.kind != "config" else link.name
        if not isinstance(option, str):
            return
        leaf = option.rsplit("/", 1)[-1]
        leaf = leaf[:-5] if leaf.endswith(".yaml") else leaf
        suffix = stale_suffix(leaf, suffixes)
        if suffix:
            clean = leaf[: -len(suffix)]
            exists = link.target is not None and (link.target.path.parent / f"{clean}.yaml").is_file()
            what = {"config": "config", "arch": "arch option", "default": "config option"}[link.kind]
            span = _leaf_span(src.span, option, leaf)
            yield _finding(what, option, suffix, clean if exists else None, src.path, span)
    elif link.kind in NAME_KINDS:
        pyname = link.info.get("pyname")
        if pyname is None:
            return
        module_leaf = pyname.module.rsplit(".", 1)[-1]
        suffix = stale_suffix(module_leaf, suffixes)
        if suffix:
            clean = module_leaf[: -len(suffix)]
            mod_path = link.info.get("module", "")
            clean_mod = mod_path.rsplit(".", 1)[0] + "." + clean if "." in mod_path else clean
            exists = model.project.pyindex.module_exists(clean_mod)
            span = Span(pyname.module_span.line, pyname.module_span.end_col - len(module_leaf), pyname.module_span.line,
                        pyname.module_span.end_col)
            yield _finding("module", pyname.module, suffix, clean if exists else None, src.path, span)
        if pyname.attr:
            suffix = stale_suffix(pyname.attr, suffixes)
            if suffix:
                clean = pyname.attr[: -len(suffix)]
                exists = model.project.pyindex.resolve(link.info.get("module", ""), clean) is not None
                yield _finding("class", pyname.attr, suffix, clean if exists else None, src.path, pyname.attr_span)


def _leaf_span(span: Span, option: str, leaf: str) -> Span:
    if span.line == span.end_line and span.end_col - span.col >= len(option):
        start = span.col + (len(option) - len(leaf)) if option.endswith(leaf) else span.col
        return Span(span.line, start, span.line, start + len(leaf))
    return span


def _finding(what: str, name: str, suffix: str, clean: str | None, path, span) -> Finding:
    msg = f"active chain uses {what} `{name}` with the stale suffix `{suffix}`"
    if clean:
        msg += f"; did you mean `{clean}`?"
    data = (("suggestion", clean),) if clean else ()
    return Finding("stale-name", msg, path, span, data=data)
