"""``textDocument/hover``: what a parameter does and what each chain composes for it; classes; chains.

* On an ACT/model parameter (a key of an arch config, of a main config's
  ``arch:`` block, or a job override's key ``arch.halt_max_steps=8``): the
  project's short doc (:mod:`trainpath.lsp.param_docs`), the YAML comment
  beside the key, the field of the model's config class (type, default,
  comment), and the composed value per chain with the file and line that set
  it.  ACT keys also spell out the model's training mode (fixed vs dynamic).
* On ``module@Class`` / ``_target_``: the signature and the first paragraph of
  the docstring, from the static index, else from jedi (never executing project code), else from the
  static index.
* On ``${a.b}``: the value it resolves to in each composed config and where
  that is set.
* Anywhere else on a job line: its whole chain, one mark per link.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lsprotocol import types

from trainpath.chain import query, query_values as qv
from trainpath.chain.build import chain_search_repo
from trainpath.chain.model import NAME_KINDS
from trainpath.lsp import param_docs
from trainpath.lsp.convert import lines_of, position_from_client, span_to_range
from trainpath.lsp.server import TrainpathServer, server
from trainpath.parsing.positions import Span

#: value groups shown before "… and N more values"
MAX_GROUPS = 5
_JEDI_LOCK = threading.Lock()
_JEDI_PROJECTS: dict[Path, object] = {}
_CLASS_DOCS: dict[tuple, tuple[str, str | None]] = {}


@server.feature(types.TEXT_DOCUMENT_HOVER)
@server.thread()
def hover(ls: TrainpathServer, params: types.HoverParams) -> types.Hover | None:
    try:
        return _hover(ls, params)
    except Exception as exc:  # noqa: BLE001 - a hover never fails the editor
        ls.log(f"trainpath: hover failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        return None


def _hover(ls: TrainpathServer, params: types.HoverParams) -> types.Hover | None:
    state, path = ls.state_for(params.text_document.uri)
    if state is None or path is None or state.model is None or state.project is None:
        return None
    line, col = position_from_client(path, params.position)
    if params.position.line != line:
        return None  # past the end of the file
    if state.project.is_job_file(path):
        found = job_hover(state, path, line, col)
    elif path.suffix == ".yaml" and state.project.is_config_file(path):
        found = yaml_hover(state, path, line, col)
    else:
        return None
    if found is None:
        return None
    text, span = found
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=span_to_range(path, span))


# --------------------------------------------------------------------------- YAML


def yaml_hover(state, path: Path, line: int, col: int) -> tuple[str, Span] | None:
    from trainpath.parsing.yaml_doc import YMap, load_yaml

    model = state.model
    link = model.graph.link_at(path, line, col)
    if link is not None and link.kind in NAME_KINDS:
        return class_hover(state, link), link.source.span
    doc = load_yaml(path)
    hit = doc.at(line, col)
    if hit is None:
        return None
    keypath, scalar, kind = hit
    if kind == "value" and isinstance(scalar.value, str) and "${" in scalar.value:
        lines = lines_of(path)
        interp = qv.interpolation_at(lines[line], col) if line < len(lines) else None
        if interp is not None:
            text = interpolation_hover(state, path, keypath[:-1], interp[0])
            return (text, Span(line, interp[1], line, interp[2])) if text else None
    if kind == "key" and keypath and keypath[-1] in ("name", "_target_"):
        for link in model.name_links.get(path, ()):
            if link.info.get("keypath") == keypath:
                return class_hover(state, link), scalar.span
    if not keypath or not isinstance(keypath[-1], str):
        return None
    entry = doc.entry(keypath)
    is_param = param_docs.param_doc(keypath[-1]) is not None
    if kind == "value" and not is_param:
        return None
    sym = _model_for_key(state, path, keypath)
    field = _field(state, sym, keypath[-1])
    if entry is not None and isinstance(entry.value, YMap) and not is_param and field is None:
        return None
    groups = qv.file_value_groups(model, path, keypath)
    comment = entry.comment if entry is not None else None
    text = param_markdown(state, keypath[-1], comment, sym, field, groups)
    if text is None:
        return None
    return text, (entry.key.span if entry is not None and kind == "key" else scalar.span)


def _model_for_key(state, path: Path, keypath: tuple):
    """The model class whose config the key at ``keypath`` of ``path`` feeds (None: not a model param)."""
    model = state.model
    if len(keypath) == 1:
        prefix = state.builder.model_prefix() if state.builder is not None else "models."
        return qv.model_for_config(model, path, prefix, lines_of(path))
    if len(keypath) == 2 and keypath[0] == "arch":
        prefix = state.builder.model_prefix() if state.builder is not None else "models."
        return qv.model_for_arch_block(model, path, prefix, lines_of(path))
    return None


def _field(state, sym, key: str):
    if sym is None:
        return None
    cc = state.project.pyindex.config_class(sym)
    return cc.fields.get(key) if cc is not None else None


def param_markdown(state, key: str, comment: str | None, sym, field, groups, show_chains: bool = True) -> str | None:
    """The hover text of a parameter: doc, YAML comment, config-class field, values per chain, ACT mode."""
    project = state.project
    doc = param_docs.param_doc(key)
    if doc is None and field is None and comment is None and not groups:
        return None
    parts = [f"**`{key}`**" + (" — ACT parameter" if doc is not None and doc.act else "")]
    if doc is not None:
        parts.append(doc.text)
    if comment:
        parts.append("In this file: " + " — ".join(c for c in comment.split("\n") if c.strip()))
    if field is not None:
        cc = project.pyindex.config_class(sym)
        typ = f": `{field.annotation}`" if field.annotation else ""
        default = f" = `{field.default}`" if field.default is not None else " (required)"
        where = f" ({project.rel(field.path)}:{field.span.line + 1})" if field.path is not None else ""
        note = f" — {field.comment}" if field.comment else ""
        parts.append(f"Config class `{cc.name}.{key}`{typ}{default}{note}{where}")
    if groups:
        rows = []
        for g in groups[:MAX_GROUPS]:
            row = f"- `{qv.format_value(g.value)}`"
            if g.where:
                row += f" — {g.where}"
            names = qv.named_chains(project, g.chains)
            if show_chains and f"({names})" not in row:
                row += f" ({names})"
            rows.append(row)
        if len(groups) > MAX_GROUPS:
            rows.append(f"- … and {len(groups) - MAX_GROUPS} more values")
        parts.append("Composed value:\n" + "\n".join(rows))
    if doc is not None and doc.act:
        act = _act_text(state, key, sym, groups)
        if act:
            parts.append(act)
    return "\n\n".join(parts)


def _act_text(state, key: str, sym, groups) -> str | None:
    notes = []
    seen = set()
    for g in groups:
        note = param_docs.act_value_note(key, g.value)
        if note and note not in seen:
            seen.add(note)
            notes.append(note)
    idx = state.project.pyindex
    if sym is None:
        for g in groups:
            sym = next((c.model for c in g.chains if c.model is not None), None)
            if sym is not None:
                break
    mode = param_docs.mode_note(idx.train_forward(sym), idx.halting(sym)) if sym is not None else None
    text = []
    if notes:
        text.append("ACT: " + "; ".join(notes) + ".")
    if mode:
        text.append(f"Model `{sym.name}` {mode}.")
    return " ".join(text) if text else None


def interpolation_hover(state, path: Path, node_keypath: tuple, expr: str) -> str | None:
    model = state.model
    chains = query.chains_using(model, path)
    if not chains:
        return None

    def target(chain):
        base = query.composed_keypath(chain, path, tuple(node_keypath))
        return qv.resolve_interpolation(base, expr) if base is not None else None

    resolved = next((t for t in map(target, chains) if t is not None), None)
    if resolved is None:
        return None
    head = f"`${{{expr}}}` → `{'.'.join(map(str, resolved))}`"
    groups = qv.value_groups(state.project, chains, target)
    if not groups:
        return head + "\n\nNo chain using this file composes that key."
    rows = [f"- `{qv.format_value(g.value)}` — {g.where} ({qv.named_chains(state.project, g.chains)})"
            for g in groups[:MAX_GROUPS]]
    if len(groups) > MAX_GROUPS:
        rows.append(f"- … and {len(groups) - MAX_GROUPS} more values")
    return head + "\n\n" + "\n".join(rows)


# --------------------------------------------------------------------------- classes


def class_hover(state, link) -> str:
    project = state.project
    label = {"model": "model", "loss": "loss", "evaluator": "evaluator", "target": "target"}.get(link.kind, link.kind)
    sym = link.info.get("symbol")
    if not link.ok or sym is None:
        text = f"❌ {label} `{link.name}`: {link.problem or 'not found'}"
        if link.suggestion:
            text += f" (did you mean `{link.suggestion}`?)"
        return text
    signature, doc = class_doc(project, sym)
    kind = "class" if sym.kind == "class" else "def"
    parts = [f"```python\n{kind} {signature}\n```"]
    if doc:
        parts.append(doc)
    parts.append(f"`{sym.module}.{sym.name}` — {project.rel(sym.path)}:{sym.span.line + 1}")
    if link.kind == "model":
        cc = project.pyindex.config_class(sym)
        if cc is not None:
            parts.append(f"Config class `{cc.name}` ({cc.kind}, {len(cc.fields)} fields)")
        mode = param_docs.mode_note(project.pyindex.train_forward(sym), project.pyindex.halting(sym))
        if mode:
            parts.append(f"Model `{sym.name}` {mode}.")
    return "\n\n".join(parts)


def class_doc(project, sym) -> tuple[str, str | None]:
    """(signature, first docstring paragraph) of a class/function.

    The static index answers first (no parsing at hover time: the index has the
    class already); jedi, with static inference only, fills in what the index
    cannot see, e.g. a signature inherited from a class outside the project.
    """
    from trainpath.parsing.sources import read_source

    text = read_source(sym.path).text or ""
    key = (sym.path, sym.name, sym.span, hash(text))
    cached = _CLASS_DOCS.get(key)
    if cached is not None:
        return cached
    found = None
    if sym.kind == "class" and project.pyindex.signature(sym) is not None:
        # classes (models, losses, evaluators: the hot path) come straight from the index;
        # functions go to jedi first, which also prints their return annotation
        found = (pyindex_signature(project.pyindex, sym), first_paragraph(project.pyindex.docstring(sym)))
    if found is None:
        try:
            found = _jedi_doc(project.root, sym, text)
        except Exception:  # noqa: BLE001 - jedi is best effort; the index answers instead
            found = None
    if found is None:
        found = (pyindex_signature(project.pyindex, sym), first_paragraph(project.pyindex.docstring(sym)))
    if len(_CLASS_DOCS) > 512:
        _CLASS_DOCS.clear()
    _CLASS_DOCS[key] = found
    return found


def _jedi_doc(root: Path, sym, text: str) -> tuple[str, str | None] | None:
    """Ask jedi (static inference only: no unsafe extensions, nothing auto-imported)."""
    import jedi

    with _JEDI_LOCK:
        saved = list(jedi.settings.auto_import_modules)
        jedi.settings.auto_import_modules = []
        try:
            project = _JEDI_PROJECTS.get(root)
            if project is None:
                project = _JEDI_PROJECTS[root] = jedi.Project(str(root), load_unsafe_extensions=False)
            script = jedi.Script(code=text, path=str(sym.path), project=project)
            names = script.infer(sym.span.line + 1, sym.span.col)
            if not names:
                return None
            name = names[0]
            sigs = name.get_signatures()
            signature = sigs[0].to_string() if sigs else None
            if not signature:
                return None
            return signature, first_paragraph(name.docstring(raw=True))
        finally:
            jedi.settings.auto_import_modules = saved


def pyindex_signature(idx, sym) -> str:
    """``Name(a: int, b=2, *args, **kw)`` from the static index."""
    sig = idx.signature(sym)
    if sig is None:
        return f"{sym.name}(…)"
    params, _ = sig
    out = []
    for p in params:
        name = {"var_positional": "*", "var_keyword": "**"}.get(p.kind, "") + p.name
        if p.annotation:
            name += f": {p.annotation}"
        if p.default is not None:
            name += f"={p.default}"
        out.append(name)
    return f"{sym.name}({', '.join(out)})"


def first_paragraph(doc: str | None) -> str | None:
    if not doc:
        return None
    para = doc.strip().split("\n\n")[0]
    return " ".join(line.strip() for line in para.splitlines()) or None


# --------------------------------------------------------------------------- job lines


def job_hover(state, path: Path, line: int, col: int) -> tuple[str, Span] | None:
    model = state.model
    chain = query.chain_at(model, path, line)
    if chain is None or chain.root_kind != "job":
        return None
    ov = query.job_override_at(chain, line, col)
    if ov is not None and ov.override is not None and ov.override.key_span.contains(line, col):
        text = override_hover(state, chain, ov.override)
        if text is not None:
            return text, ov.override.key_span
    return chain_markdown(state, chain), chain.root.span


def override_hover(state, chain, override) -> str | None:
    repo = chain_search_repo(state.project, chain)  # a group may exist only in a `--config-dir` folder
    if override.is_group_like and repo is not None and repo.is_group(override.key):
        return None  # `arch=etrm`: the chain's hover says more
    keypath = tuple(override.key.split("."))
    sym = chain.model if len(keypath) == 2 and keypath[0] == "arch" else None
    field = _field(state, sym, keypath[-1])
    groups = qv.value_groups(state.project, [chain], lambda c: keypath)
    return param_markdown(state, keypath[-1], None, sym, field, groups, show_chains=False)


def chain_markdown(state, chain) -> str:
    from trainpath.chain.review import BAD, OK, chain_ok, steps, unchecked

    project = state.project
    by_place: dict[tuple, list] = {}
    for p in chain.files():
        for f in state.findings_for(p):
            by_place.setdefault((f.path, f.span.line), []).append(f)
    step_list = steps(state.model, chain, by_place)
    ok = chain_ok(step_list)
    lines = [f"**Training path** of `{qv.chain_label(project, chain)}` {OK if ok else BAD}", ""]
    for i, s in enumerate(step_list, 1):
        lines.append(f"{i}. {OK if s.ok else BAD} {s.text}")
        for m in s.messages:
            lines.append(f"   - {m}")
    rest = unchecked(chain)
    for reason in rest:
        lines.append(f"- not checked: {reason}")
    lines.append("")
    if ok and rest:
        lines.append("No problem found in the links that could be followed; the rest is not checked.")
    elif ok:
        lines.append("All checks pass, training path is correct.")
    else:
        bad = sum(1 for s in step_list if not s.ok)
        lines.append(f"{bad} link{'s' if bad != 1 else ''} need{'s' if bad == 1 else ''} attention.")
    return "\n".join(lines)
