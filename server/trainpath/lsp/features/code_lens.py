"""Code lenses: ``textDocument/codeLens`` on every job line and every ``@hydra.main`` decorator.

Each lens is a one-line verdict on the chain rooted there:

* ``✅ pretrain_etrm.py → cfg_pretrain_etrm_arc_agi_1 → arch/etrm → TRMWithEncoder``
  when nothing is wrong along it;
* ``❌ 2 problems: missing-act-param, unknown-model-param`` otherwise (the
  error and warning findings of the chain and of the links it goes through,
  codes in order of severity, then position).

Clicking runs ``trainpath.showChain`` with ``[uri, line]`` (the chain review).
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from trainpath.chain.model import Chain
from trainpath.findings import Finding, Severity
from trainpath.lsp.convert import span_to_range
from trainpath.lsp.server import TrainpathServer, server

SHOW_CHAIN = "trainpath.showChain"
OK, BAD = "✅", "❌"


@server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
def code_lens(ls: TrainpathServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    try:
        state, path = ls.state_for(params.text_document.uri)
        if state is None or path is None or state.model is None:
            return []
        with state.lock:
            chains = [c for c in state.model.chains if c.root.path == path and c.root_kind in ("job", "script")]
            chains.sort(key=lambda c: c.root.span.line)
            return [_lens(state, c, params.text_document.uri) for c in chains]
    except Exception as exc:  # noqa: BLE001 - never fail a request on odd input
        ls.log(f"trainpath: code lenses failed: {type(exc).__name__}: {exc}", types.MessageType.Error)
        return []


def _lens(state, chain: Chain, uri: str) -> types.CodeLens:
    title = verdict(state, chain)
    line = chain.root.span.line
    return types.CodeLens(
        range=span_to_range(chain.root.path, chain.root.span),
        command=types.Command(title=title, command=SHOW_CHAIN, arguments=[uri, line]),
    )


def problems(state, chain: Chain) -> list[Finding]:
    """Error and warning findings of ``chain``: its own, and those on the names its links are written at."""
    seen: dict[tuple, Finding] = {}
    for f in state.by_chain.get(chain.key, ()):
        seen.setdefault((f.code, f.path, f.span, f.message), f)
    for link in chain.links:
        if link.source is None or link.kind == "job":
            continue
        for f in state.findings_for(link.source.path):
            if f.span == link.source.span or link.source.span.contains(f.span.line, f.span.col):
                seen.setdefault((f.code, f.path, f.span, f.message), f)
    bad = [f for f in seen.values() if f.effective_severity in (Severity.ERROR, Severity.WARNING)]
    return sorted(bad, key=lambda f: (f.effective_severity.rank, *f.sort_key()))


def verdict(state, chain: Chain) -> str:
    """The lens title: the chain's path when it is clean, else how many problems and their codes."""
    found = problems(state, chain)
    if found:
        codes: list[str] = []
        for f in found:
            if f.code not in codes:
                codes.append(f.code)
        n = len(found)
        return f"{BAD} {n} problem{'s' if n != 1 else ''}: {', '.join(codes)}"
    broken = next((link for link in chain.links if not link.ok), None)
    if broken is not None:
        return f"{BAD} {broken.kind}: {broken.problem or broken.name}"
    return f"{OK} " + " → ".join(summary(state, chain))


def summary(state, chain: Chain) -> list[str]:
    """The chain's names: script, main config, arch option, model class."""
    parts: list[str] = []
    script = chain.link("script")
    if script is not None:
        parts.append(script.name if chain.root_kind == "job" else Path(script.name).name)
    if chain.config_name:
        parts.append(chain.config_name)
    arch = chain.link("arch")
    if arch is not None and arch.info.get("option"):
        parts.append(f"{arch.info.get('group') or 'arch'}/{arch.info['option']}")
    if chain.model is not None:
        parts.append(chain.model.name)
    elif chain.model_link is not None and chain.model_link.info.get("class"):
        parts.append(chain.model_link.info["class"])
    return parts or [chain.title]
