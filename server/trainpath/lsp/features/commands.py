"""Commands (``workspace/executeCommand``): the chain review and the composed config, for the editor.

* ``trainpath.showChain [uri?, line?]`` -> markdown: the review of the chain
  rooted at that job line or decorator (``chain/review.py``); every chain
  through the file when that line roots none (or no line is given); every
  job chain of the workspace when called with no arguments.
* ``trainpath.showComposedConfig [uri, line?]`` -> YAML: the config the chain
  at that job line / script / main config trains with, as OmegaConf prints it
  (``trainpath.render``), each key followed by where it was set last
  (``# config/cfg_x.yaml:25``, ``# jobs-x.txt:3 (override)``).

Wrong arguments give an ``InvalidParams`` error; a place with no training
path gives ``RequestFailed``.  Neither ever stops the server.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from trainpath.chain.model import Chain
from trainpath.lsp.server import TrainpathServer, server

SHOW_CHAIN = "trainpath.showChain"
SHOW_COMPOSED = "trainpath.showComposedConfig"
REQUEST_FAILED = types.LSPErrorCodes.RequestFailed.value
SEPARATOR = "\n---\n\n"


@server.command(SHOW_CHAIN)
def show_chain(ls: TrainpathServer, *args: Any) -> str:
    uri, line = _parse_args(args, SHOW_CHAIN, need_uri=False)
    if uri is None:
        ls.wait_for_index()
        parts = []
        for root in sorted(ls.states):
            state = ls.states[root]
            if state.model is None:
                continue
            with state.lock:
                chains = [c for c in state.model.chains if c.root_kind == "job"]
                chains = chains or [c for c in state.model.chains if c.root_kind == "script"]
                parts += [_review(state, c) for c in chains]
        return SEPARATOR.join(parts) if parts else "No training path in the workspace.\n"
    state, path = _state(ls, uri)
    from trainpath.chain.query import chain_at, chains_using

    with state.lock:
        model = state.model
        chain = chain_at(model, path, line) if line is not None else None
        chains = [chain] if chain is not None else chains_using(model, path)
        if not chains:
            return f"No training path goes through `{model.project.rel(path)}`.\n"
        return SEPARATOR.join(_review(state, c) for c in chains)


@server.command(SHOW_COMPOSED)
def show_composed_config(ls: TrainpathServer, *args: Any) -> str:
    uri, line = _parse_args(args, SHOW_COMPOSED, need_uri=True)
    state, path = _state(ls, uri)
    with state.lock:
        chain = _chain_for_config(state.model, path, line)
        rel = state.model.project.rel
        if chain is None:
            where = rel(path) + (f":{line + 1}" if line is not None else "")
            raise JsonRpcException(message=f"no training path at `{where}`", code=REQUEST_FAILED)
        return composed_yaml(state.model, chain)


# -- arguments -------------------------------------------------------------------------------
def _parse_args(args: tuple, name: str, need_uri: bool) -> tuple[str | None, int | None]:
    usage = f"`{name}` takes [uri, line?]" if need_uri else f"`{name}` takes [uri?, line?]"
    if len(args) > 2:
        raise JsonRpcInvalidParams(message=f"{usage}: got {len(args)} arguments")
    uri = args[0] if args else None
    line = args[1] if len(args) > 1 else None
    if uri is None and (need_uri or line is not None):
        raise JsonRpcInvalidParams(message=f"{usage}: the document uri is missing")
    if uri is not None and (not isinstance(uri, str) or not uri):
        raise JsonRpcInvalidParams(message=f"{usage}: the uri must be a string, got {type(uri).__name__}")
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 0):
        raise JsonRpcInvalidParams(message=f"{usage}: the line must be a 0-based line number, got {line!r}")
    return uri, line


def _state(ls: TrainpathServer, uri: str):
    try:
        state, path = ls.state_for(uri)
    except Exception:  # noqa: BLE001 - a URI the converter refuses
        state, path = None, None
    if state is None or path is None:
        raise JsonRpcInvalidParams(message=f"`{uri}` is not in a workspace folder")
    if state.model is None:
        raise JsonRpcException(message="the workspace is not indexed (see the trainpath log)", code=REQUEST_FAILED)
    return state, path


# -- showChain -------------------------------------------------------------------------------
def _review(state, chain: Chain) -> str:
    from trainpath.chain import review

    by_place: dict[tuple, list] = {}
    for findings in state.diagnostics.values():
        for f in findings:
            by_place.setdefault((f.path, f.span.line), []).append(f)
    chain = _with_codes(chain, state)
    return review.to_markdown(state.model, chain, review.steps(state.model, chain, by_place))


def _with_codes(chain: Chain, state) -> Chain:
    """A copy of ``chain`` whose links carry the codes of every current finding on them.

    The server runs the rules per chain and per file, so a finding of a file
    run (``missing-module`` in an arch config) never marks the chain's links;
    the CLI runs them all at once and does.  Marking a copy the way
    ``run_rules`` marks links gives the review the CLI's codes.
    """
    from trainpath.rules import mark_links

    copy = replace(chain, links=[replace(link, codes=list(link.codes)) for link in chain.links], codes=set(chain.codes))
    paths = {link.source.path for link in copy.links if link.source is not None}
    findings = [f for path in paths for f in state.findings_for(path)]
    mark_links([copy], findings)
    return copy


# -- showComposedConfig ----------------------------------------------------------------------
def _chain_for_config(model, path: Path, line: int | None) -> Chain | None:
    """The chain at a job line or decorator, else the one rooted in / composing this file."""
    from trainpath.chain.query import chain_at, chains_using

    if line is not None:
        chain = chain_at(model, path, line)
        if chain is not None:
            return chain
    order = {"script": 0, "config": 1, "job": 2}
    rooted = sorted((c for c in model.chains if c.root.path == path and c.root_kind in ("script", "config")),
                    key=lambda c: (order[c.root_kind], c.root.span.line))
    if rooted:
        return rooted[0]
    main = [c for c in model.chains if c.main_config == path]
    if main:
        return min(main, key=lambda c: (order.get(c.root_kind, 3), len(c.job.overrides) if c.job else 0,
                                        str(c.root.path), c.root.span.line))
    using = chains_using(model, path)
    return using[0] if using else None


def composed_yaml(model, chain: Chain) -> str:
    """The chain's composed config as OmegaConf prints it, each key annotated with where it was set."""
    rel = model.project.rel
    head = f"# {chain.config_name or 'config'} as composed for {rel(chain.root.path)}:{chain.root.span.line + 1}\n"
    result = chain.compose
    if result is None or result.config is None:
        problems = "; ".join(f"{f.code}: {f.message}" for f in (result.findings if result is not None else []))
        return head + "# the config does not compose" + (f": {problems}" if problems else "") + "\n"
    import yaml

    from trainpath.render import to_yaml

    text = to_yaml(result.config)
    lines = text.split("\n")
    comments: dict[int, str] = {}
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        root = None
    _annotate(model, chain, result.config, root, (), comments)
    for i, comment in comments.items():
        if 0 <= i < len(lines):
            lines[i] = f"{lines[i]}  # {comment}"
    return head + "\n".join(lines)


def _annotate(model, chain: Chain, data: Any, node: Any, keypath: tuple, comments: dict[int, str]) -> None:
    import yaml

    prov = chain.compose.provenance
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict) and len(node.value) == len(data):
        for (key, value), (knode, vnode) in zip(data.items(), node.value):
            path = keypath + (key,)
            _comment(model, chain, prov.get(path), _comment_line(knode, vnode), comments)
            _annotate(model, chain, value, vnode, path, comments)
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list) and len(node.value) == len(data):
        parent = _comment_text(model, chain, prov.get(keypath))
        for i, (item, inode) in enumerate(zip(data, node.value)):
            path = keypath + (i,)
            if _comment_text(model, chain, prov.get(path)) != parent:
                _comment(model, chain, prov.get(path), _comment_line(inode, inode), comments)
            _annotate(model, chain, item, inode, path, comments)


def _comment_line(key_node: Any, value_node: Any) -> int:
    """The output line a key's comment goes on: the key's line for a block collection, else the value's end."""
    import yaml

    block = isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)) and not value_node.flow_style \
        and bool(value_node.value)
    if block:
        return key_node.start_mark.line
    end = value_node.end_mark
    if end.column == 0 and end.line > value_node.start_mark.line:
        return end.line - 1
    return end.line


def _comment(model, chain: Chain, origin: Any, line: int, comments: dict[int, str]) -> None:
    text = _comment_text(model, chain, origin)
    if text is not None and line not in comments:
        comments[line] = text


def _comment_text(model, chain: Chain, origin: Any) -> str | None:
    """``config/x.yaml:25`` or ``jobs-x.txt:3 (override)`` (1-based lines), or None."""
    if origin is None:
        return None
    rel = model.project.rel
    if origin.override is not None:
        if chain.root_kind != "job":
            return None
        return f"{rel(chain.root.path)}:{origin.override.key_span.line + 1} (override)"
    if origin.path is not None and origin.span is not None:
        return f"{rel(origin.path)}:{origin.span.line + 1}"
    return None
