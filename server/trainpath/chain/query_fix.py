"""Quick fixes: from a finding to the exact edits that repair it.

Used by the language server's ``textDocument/codeAction``.  Every fix is
computed from the finding (its code, span, message and ``data``) and the
built model (the chain at a job line, the composed config, the config
folders); nothing is re-parsed beyond the content-cached loaders.

Fixes, by rule code:

* "did you mean" names (``missing-default``, ``missing-config``,
  ``missing-override-option``, ``missing-script``, ``config-name-mismatch``,
  ``invalid-choice``, ``unknown-model-param``, ``unknown-target-arg``,
  ``missing-module``, ``missing-class``) and ``stale-name``: replace the
  offending text with the suggested name (only the module or class part of a
  ``module@Class``; quotes kept);
* ``unknown-override-key``: the nearest existing key (a typo), and ``+key=v``;
* ``append-existing-key``: ``++key=v``, and ``key=v`` without the ``+``;
* a missing group option (``missing-default``, ``missing-override-option``):
  create ``<group>/<option>.yaml`` from its nearest sibling.

Quiet when unsure: no suggestion, text that no longer matches the finding, or
an odd name give no fix.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from trainpath.chain.names import OPTION_NAME
from trainpath.findings import Finding, did_you_mean
from trainpath.parsing.positions import Span

#: codes whose fix is "replace the text at the span with the suggestion"
RENAME_CODES = frozenset({
    "missing-default", "missing-config", "missing-override-option", "missing-script", "config-name-mismatch",
    "invalid-choice", "unknown-model-param", "unknown-target-arg", "stale-name",
})
#: every code :func:`fixes_for` may answer
FIXABLE = RENAME_CODES | {"missing-module", "missing-class", "unknown-override-key", "append-existing-key"}

_DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`\?")
_NO_CONFIG = re.compile(r"no config `([^`]+)/([^`/]+)`")


@dataclass(frozen=True)
class TextFix:
    """Replace ``span`` of ``path`` with ``new_text``."""

    title: str
    path: Path
    span: Span
    new_text: str
    preferred: bool = False


@dataclass(frozen=True)
class CreateFix:
    """Create ``path`` holding ``content`` (a copy of ``source``)."""

    title: str
    path: Path
    content: str
    source: Path
    preferred: bool = False


Fix = TextFix | CreateFix


def suggestion_of(finding: Finding) -> str | None:
    """The nearest correct name a finding carries: its ``data`` first, else its "did you mean" message."""
    value = dict(finding.data).get("suggestion") if finding.data else None
    if value:
        return str(value)
    m = _DID_YOU_MEAN.search(finding.message)
    return m.group(1) if m else None


def text_at(path: Path, span: Span) -> str | None:
    """The text under a one-line ``span`` as the editor sees it (open buffers win), or None."""
    from trainpath.parsing.sources import read_source

    if span.line != span.end_line or span.end_col <= span.col:
        return None
    src = read_source(path)
    if src.text is None:
        return None
    lines = src.text.split("\n")
    if span.line >= len(lines) or span.end_col > len(lines[span.line]):
        return None
    return lines[span.line][span.col:span.end_col]


def fixes_for(model, finding: Finding) -> list[Fix]:
    """Every fix for ``finding``, the best first (it alone is ``preferred``)."""
    if finding.code not in FIXABLE:
        return []
    old = text_at(finding.path, finding.span)
    if old is None or not old.strip():
        return []
    out: list[Fix] = []
    code = finding.code
    if code in RENAME_CODES:
        out += _rename(finding, old)
    elif code in ("missing-module", "missing-class"):
        out += _python_name(finding, old)
    elif code == "unknown-override-key":
        out += _unknown_key(model, finding, old)
    elif code == "append-existing-key":
        out += _append_existing(finding, old)
    if code in ("missing-default", "missing-override-option"):
        create = _create_option(model, finding, old)
        if create is not None:
            out.append(create)
    if out:
        out[0] = replace(out[0], preferred=True)
    return out


# -- renames ------------------------------------------------------------------------------
def _rename(finding: Finding, old: str) -> list[Fix]:
    new = suggestion_of(finding)
    if not new:
        return []
    new = _keep_quotes(old, new)
    if new == old:
        return []
    if finding.code == "stale-name":
        title = f"Drop the stale suffix: use `{_unquote(new)}`"
    else:
        title = f"Change `{_unquote(old)}` to `{_unquote(new)}`"
    return [TextFix(title, finding.path, finding.span, new)]


def _python_name(finding: Finding, old: str) -> list[Fix]:
    """``module@Class`` / dotted ``_target_``: replace the part that is wrong."""
    new = suggestion_of(finding)
    if not new or any(c.isspace() for c in old):
        return []
    span = finding.span
    if "@" in old and "@" not in new:
        module, _, attr = old.partition("@")
        if finding.code == "missing-module":
            part, start = module, span.col
        else:
            part, start = attr, span.col + len(module) + 1
        if part == new:
            return []
        return [TextFix(f"Change `{part}` to `{new}`", finding.path, Span(span.line, start, span.line, start + len(part)), new)]
    if finding.code == "missing-class" and "." in old and "." not in new:
        head, _, attr = old.rpartition(".")
        start = span.col + len(head) + 1
        if attr == new:
            return []
        return [TextFix(f"Change `{attr}` to `{new}`", finding.path, Span(span.line, start, span.line, start + len(attr)), new)]
    if new == old:
        return []
    return [TextFix(f"Change `{old}` to `{new}`", finding.path, span, new)]


# -- job overrides ------------------------------------------------------------------------
def _override_text(finding: Finding) -> str | None:
    value = dict(finding.data).get("override") if finding.data else None
    return str(value) if value else None


def _unknown_key(model, finding: Finding, old: str) -> list[Fix]:
    """``a.b=v`` where ``a.b`` does not exist: the nearest existing key, or ``+a.b=v``."""
    out: list[Fix] = []
    if old.startswith(("+", "~")) or "=" in old:
        return out
    override = _override_text(finding) or old
    near = _nearest_key(model, finding, old)
    if near is not None:
        out.append(TextFix(f"Change `{old}` to `{near}`", finding.path, finding.span, near))
    out.append(TextFix(f"Add a new key: `+{override}`", finding.path, finding.span, "+" + old))
    return out


def _nearest_key(model, finding: Finding, key: str) -> str | None:
    from trainpath.chain.query import chain_at, lookup

    if model is None or "@" in key or "/" in key:
        return None
    chain = chain_at(model, finding.path, finding.span.line)
    if chain is None or chain.compose is None or chain.compose.config is None:
        return None
    parts = key.split(".")
    found, parent = lookup(chain.compose.config, tuple(parts[:-1]))
    if not found or not isinstance(parent, dict):
        return None
    near = did_you_mean(parts[-1], [k for k in parent if isinstance(k, str)])
    return ".".join(parts[:-1] + [near]) if near else None


def _append_existing(finding: Finding, old: str) -> list[Fix]:
    """``+a.b=v`` on a key that exists: ``++a.b=v`` (add or change), or ``a.b=v`` (change)."""
    if not old.startswith("+") or old.startswith("++"):
        return []
    key = old[1:]
    override = _override_text(finding) or old
    value = override.partition("=")[2] if "=" in override else None
    tail = f"={value}" if value is not None else ""
    return [
        TextFix(f"Use `++{key}{tail}` (add or change)", finding.path, finding.span, "++" + key),
        TextFix(f"Use `{key}{tail}` (change the existing key)", finding.path, finding.span, key),
    ]


# -- a missing group option ---------------------------------------------------------------
def _group_option(model, finding: Finding, old: str) -> tuple[str, str, tuple[Path, ...]] | None:
    """(group, option, config folders searched) of a missing option, from the override, the link or the message."""
    from trainpath.chain.query import chain_at
    from trainpath.chain.query_values import config_repo_of

    group = option = None
    config_dirs: tuple[Path, ...] = ()
    if finding.code == "missing-override-option":
        override = _override_text(finding)
        if override and "=" in override:
            key, _, option = override.partition("=")
            group = key.lstrip("+~").partition("@")[0]
        chain = chain_at(model, finding.path, finding.span.line) if model is not None else None
        config_dirs = chain.folders if chain is not None else ()  # the job's `--config-dir` too
    else:
        link = model.graph.link_at(finding.path, finding.span.line, finding.span.col) if model is not None else None
        if link is not None and link.info.get("group") and link.info.get("option"):
            group, option = link.info["group"], link.info["option"]
        if model is not None:
            repo = config_repo_of(model, finding.path)
            config_dirs = repo.dirs if repo is not None else ()
    if group is None or option is None:
        m = _NO_CONFIG.search(finding.message)
        if m is None:
            return None
        group, option = m.group(1), m.group(2)
    group = group.strip("/")
    if option != _unquote(old) or not OPTION_NAME.fullmatch(option) or not group or not config_dirs:
        return None
    if any(not OPTION_NAME.fullmatch(part) for part in group.split("/")):
        return None
    return group, option, config_dirs


def _create_option(model, finding: Finding, old: str) -> CreateFix | None:
    from trainpath.parsing.sources import read_source

    found = _group_option(model, finding, old)
    if found is None:
        return None
    group, option, config_dirs = found
    folders = [d / group for d in config_dirs if (d / group).is_dir()]
    if not folders or any((f / f"{option}.yaml").exists() for f in folders):
        return None
    near = suggestion_of(finding)
    # along a search path of several folders: beside the suggested option, else in the first folder with the group
    folder = next((f for f in folders if near and (f / f"{near}.yaml").is_file()), folders[0])
    target = folder / f"{option}.yaml"
    siblings = {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.is_file()}
    if not siblings:
        return None
    if near not in siblings:
        best = difflib.get_close_matches(option, list(siblings), n=1, cutoff=0.0)
        near = best[0] if best else None
    if near is None:
        return None
    source = siblings[near]
    text = read_source(source).text
    if text is None:
        return None
    rel = model.project.rel
    return CreateFix(f"Create `{rel(target)}` from `{rel(source)}`", target, text, source)


# -- helpers ------------------------------------------------------------------------------
def _keep_quotes(old: str, new: str) -> str:
    if len(old) >= 2 and old[0] == old[-1] and old[0] in "'\"" and not (new[:1] == old[0]):
        return old[0] + new + old[0]
    return new


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text
