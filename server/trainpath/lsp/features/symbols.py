"""``textDocument/documentSymbol`` and ``workspace/symbol``.

Document symbols:

- a config file: its keys as a tree (a map is an ``Object`` with its keys as
  children, a list an ``Array``, a scalar its type with the value as detail);
  each ``defaults`` entry is a ``File`` symbol named as written (``arch: etrm``,
  ``_self_``) whose detail is the file it selects; list items that are maps
  are ``[i]`` objects;
- a job file: one ``Event`` symbol per job, named by its marker, script and
  config name (``[x] pretrain_etrm.py cfg_pretrain_etrm_arc_agi_1``; the
  decorator's config when the job names none), its overrides as detail.

Clients without hierarchical document symbols get the same, flattened.

Workspace symbols: every config (``cfg_pretrain_etrm_arc_agi_1``, group options
such as ``arch/etrm``; container: the config folder) and every class or
function a config names (``TRMWithEncoder``; container: its module), matched
by the query as a case-insensitive substring, else as a subsequence; exact and
prefix matches first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from trainpath.chain.query import chain_at
from trainpath.lsp.convert import location, path_to_uri, span_to_range
from trainpath.lsp.server import TrainpathServer, server
from trainpath.parsing.positions import FILE_START, Span

K = types.SymbolKind
MAX_WORKSPACE_SYMBOLS = 500


# ----------------------------------------------------------------------------- document symbols
@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: TrainpathServer, params: types.DocumentSymbolParams):
    try:
        state, path = ls.state_for(params.text_document.uri)
        if state is None or path is None or state.project is None:
            return None
        with state.lock:
            if state.project.is_config_file(path):
                symbols = _config_symbols(state, path)
            elif state.project.is_job_file(path):
                symbols = _job_symbols(state, path)
            else:
                return None
        if symbols is None:
            return None
        return symbols if _hierarchical(ls) else _flatten(path, symbols, None)
    except Exception as exc:  # noqa: BLE001 - odd input must not break the editor
        ls.log(f"trainpath: document symbols failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        return None


def _hierarchical(ls: TrainpathServer) -> bool:
    caps = ls.client_capabilities
    td = caps.text_document if caps else None
    ds = td.document_symbol if td else None
    return bool(ds is not None and ds.hierarchical_document_symbol_support)


def _flatten(path: Path, symbols: list[types.DocumentSymbol], container: str | None) -> list[types.SymbolInformation]:
    out: list[types.SymbolInformation] = []
    uri = path_to_uri(path)
    for s in symbols:
        out.append(types.SymbolInformation(name=s.name, kind=s.kind, location=types.Location(uri=uri, range=s.range),
                                           container_name=container))
        out.extend(_flatten(path, s.children or [], s.name))
    return out


def _symbol(path: Path, name: str, kind: types.SymbolKind, span: Span, selection: Span,
            detail: str | None = None, children: list | None = None) -> types.DocumentSymbol:
    return types.DocumentSymbol(name=name or "''", kind=kind, range=span_to_range(path, span),
                                selection_range=span_to_range(path, selection), detail=detail, children=children)


def _config_symbols(state, path: Path) -> list[types.DocumentSymbol] | None:
    from trainpath.parsing.yaml_doc import YMap, load_yaml

    doc = load_yaml(path)
    if doc.root is None:
        return None if doc.text is None else []
    if not isinstance(doc.root, YMap):
        return []
    return _map_symbols(state, path, doc.root, ())


def _kind_of(node: Any) -> types.SymbolKind:
    from trainpath.parsing.yaml_doc import YMap, YSeq

    if isinstance(node, YMap):
        return K.Object
    if isinstance(node, YSeq):
        return K.Array
    value = node.value
    if value is None:
        return K.Null
    if isinstance(value, bool):
        return K.Boolean
    if isinstance(value, (int, float)):
        return K.Number
    return K.String


def _joined(a: Span, b: Span) -> Span:
    end = max((a.end_line, a.end_col), (b.end_line, b.end_col))
    return Span(a.line, a.col, end[0], end[1])


def _map_symbols(state, path: Path, node, keypath: tuple) -> list[types.DocumentSymbol]:
    from trainpath.parsing.yaml_doc import YMap, YScalar, YSeq

    out = []
    for entry in node.entries:
        key, value = entry.key, entry.value
        sub = keypath + (key.value,)
        span = _joined(key.span, value.span)
        children = None
        detail = None
        if keypath == () and key.value == "defaults" and isinstance(value, YSeq):
            children = _defaults_symbols(state, path, value)
        elif isinstance(value, YMap):
            children = _map_symbols(state, path, value, sub)
        elif isinstance(value, YSeq):
            children = _seq_symbols(state, path, value, sub)
        elif isinstance(value, YScalar):
            detail = value.raw if len(value.raw) <= 80 else value.raw[:79] + "…"
        out.append(_symbol(path, str(key.value), _kind_of(value), span, key.span, detail, children))
    return out


def _seq_symbols(state, path: Path, node, keypath: tuple) -> list[types.DocumentSymbol]:
    from trainpath.parsing.yaml_doc import YMap

    out = []
    for i, item in enumerate(node.items):
        if isinstance(item, YMap):
            out.append(_symbol(path, f"[{i}]", K.Object, item.span, item.span, None,
                               _map_symbols(state, path, item, keypath + (i,))))
    return out


def _defaults_symbols(state, path: Path, node) -> list[types.DocumentSymbol]:
    """``- arch: etrm`` -> a File symbol named ``arch: etrm`` whose detail is the file it selects."""
    from trainpath.parsing.yaml_doc import YMap, YScalar

    targets: dict[Span, Path] = {}
    for link in state.model.graph.links_in(path) if state.model is not None else ():
        if link.kind in ("default", "arch") and link.target is not None:
            targets[link.source.span] = link.target.path
    out = []
    for item in node.items:
        if isinstance(item, YMap) and len(item.entries) == 1:
            entry = item.entries[0]
            option = entry.value
            text = option.raw if isinstance(option, YScalar) else "[…]"
            name = f"{entry.key.value}: {text}"
            target = targets.get(option.span)
            out.append(_symbol(path, name, K.File, _joined(entry.key.span, option.span), entry.key.span,
                               state.project.rel(target) if target else None))
        elif isinstance(item, YScalar):
            target = targets.get(item.span)
            out.append(_symbol(path, str(item.raw), K.File, item.span, item.span,
                               state.project.rel(target) if target else None))
    return out


def _job_symbols(state, path: Path) -> list[types.DocumentSymbol]:
    from trainpath.parsing.jobs import load_jobs

    out = []
    for job in load_jobs(path).jobs:
        program = job.script or job.module
        config = job.config_name.text if job.config_name is not None else None
        if config is None and state.model is not None:
            chain = chain_at(state.model, path, job.span.line)
            config = chain.config_name if chain is not None and chain.job is not None else None
        parts = [job.marker, program.text if program is not None else None, config]
        name = " ".join(p for p in parts if p) or job.text[:60]
        detail = " ".join(ov.word.raw for ov in job.overrides) or None
        selection = program.span if program is not None else job.span
        out.append(_symbol(path, name, K.Event, job.span, selection, detail))
    return out


# ----------------------------------------------------------------------------- workspace symbols
@server.feature(types.WORKSPACE_SYMBOL)
def workspace_symbol(ls: TrainpathServer, params: types.WorkspaceSymbolParams):
    try:
        ls.wait_for_index()
        found: list[tuple[int, str, str, types.SymbolInformation]] = []
        for state in list(ls.states.values()):
            if state.model is None:
                continue
            with state.lock:
                for name, kind, container, path, span in _candidates(state):
                    score = match_score(params.query, name)
                    if score is None:
                        continue
                    info = types.SymbolInformation(name=name, kind=kind, location=location(path, span),
                                                   container_name=container)
                    found.append((score, name.lower(), str(path), info))
        found.sort(key=lambda t: t[:3])
        return [t[3] for t in found[:MAX_WORKSPACE_SYMBOLS]]
    except Exception as exc:  # noqa: BLE001
        ls.log(f"trainpath: workspace symbols failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        return None


def _candidates(state):
    """(name, kind, container, path, span) of every config and every class/function a config names."""
    project = state.project
    for config_dir in project.config_dirs:
        container = project.rel(config_dir)
        for path in project.config_files():
            if config_dir in path.parents:
                name = path.relative_to(config_dir).with_suffix("").as_posix()
                yield name, K.File, container, path, FILE_START
    for config_dir in project.extra_config_dirs:  # `--config-dir` and `hydra.searchpath` folders of the chains
        container = project.rel(config_dir)
        for path in project.yaml_files_under(config_dir):
            if project.config_dir_of(path) == config_dir:
                name = path.relative_to(config_dir).with_suffix("").as_posix()
                yield name, K.File, container, path, FILE_START
    seen: set[tuple] = set()
    for links in state.model.name_links.values():
        for link in links:
            sym = link.info.get("symbol")
            if sym is None or (sym.path, sym.span) in seen:
                continue
            seen.add((sym.path, sym.span))
            kind = K.Class if sym.kind == "class" else (K.Function if sym.kind == "function" else K.Variable)
            yield sym.name, kind, sym.module, sym.path, sym.span


def match_score(query: str, name: str) -> int | None:
    """0 exact (the name or its last segment), 1 prefix (of the name or its last segment), 2 substring, 3 subsequence; None: no match."""
    q = query.strip().lower()
    n = name.lower()
    if not q:
        return 2
    last = n.rpartition("/")[2]
    if n == q or last == q:
        return 0
    if n.startswith(q) or last.startswith(q):
        return 1
    if q in n:
        return 2
    it = iter(n)
    if all(c in it for c in q):
        return 3
    return None
