"""The chain review, written out: the guide's "Example Review Session", one step per link.

Used by ``trainpath chain`` (text, markdown), the language server's
``trainpath.showChain`` command, hover on a job line and code lenses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trainpath.chain.model import NAME_KINDS, Chain, Link
from trainpath.chain.query import chain_mode

OK, BAD = "✅", "❌"


@dataclass
class Step:
    kind: str
    text: str  # markdown-ish: names in backticks
    ok: bool
    codes: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    path: Path | None = None
    line: int | None = None  # 0-based


def steps(model, chain: Chain, findings_by_place: dict | None = None) -> list[Step]:
    """One step per link of the chain, with the findings that sit on each link.

    A finding at a key of the composed config that no link holds (``num_act_steps``
    in the arch config, a typo'd model parameter) gets a step of its own, on the
    key as this chain composes it: the review and ``check`` never disagree.
    """
    out: list[Step] = []
    shown: set[int] = set()
    for link in chain.links:
        messages = []
        codes = list(link.codes)
        if findings_by_place and link.source is not None:
            for line in range(link.source.span.line, link.source.span.end_line + 1):
                for f in findings_by_place.get((link.source.path, line), ()):
                    if f.code in codes and link.source.span.contains(f.span.line, f.span.col):
                        messages.append(f"{f.code}: {f.message}")
                        shown.add(id(f))
        ok = link.ok and not any(c for c in codes if _is_bad(c))
        out.append(Step(link.kind, _describe(model, chain, link), ok, codes, messages,
                        link.target.path if link.target else (link.source.path if link.source else None),
                        link.target.span.line if link.target else (link.source.span.line if link.source else None)))
    keyed = _key_steps(model, chain, findings_by_place, shown) if findings_by_place else []
    keyed += _built_steps(model, chain, findings_by_place, shown)
    tf = _mode_step(model, chain, {c for s in keyed for c in s.codes})
    out += keyed
    if tf is not None:
        out.append(tf)
    return out


def _built_steps(model, chain: Chain, findings_by_place: dict | None, shown: set[int]) -> list[Step]:
    """A step per finding met while building the chain (Hydra refusing the composition, a script that does not
    parse) that no link holds: the chain stopped there, and the review must say so."""
    out: list[Step] = []
    for f in chain.findings:
        if findings_by_place is not None:  # the reported finding (rules may drop one, e.g. a rule turned off)
            f = next((g for g in findings_by_place.get((f.path, f.span.line), ())
                      if (g.code, g.span, g.message) == (f.code, f.span, f.message)), None)
            if f is None:
                continue
        if id(f) in shown or f.effective_severity.value not in ("error", "warning"):
            continue
        shown.add(id(f))
        where = f"`{model.project.rel(f.path)}` line {f.span.line + 1}"
        text = f"Script {where} does not parse" if f.code == "python-syntax" else f"Hydra stops at {where}"
        out.append(Step("stop", text, False, [f.code], [f"{f.code}: {f.message}"], f.path, f.span.line))
    return out


def _key_steps(model, chain: Chain, findings_by_place: dict, shown: set[int]) -> list[Step]:
    """A step per key of the composed config that a warning or error sits on, outside every link."""
    provenance = chain.compose.provenance if chain.compose is not None else {}
    out: list[Step] = []
    for keypath, origin in provenance.items():
        if origin.path is None or origin.span is None:
            continue  # set on the command line: the job link holds it
        found = [f for f in findings_by_place.get((origin.path, origin.span.line), ())
                 if id(f) not in shown and f.effective_severity.value in ("error", "warning")]
        if not found:
            continue
        shown.update(id(f) for f in found)
        dotted = ".".join(str(k) for k in keypath)
        out.append(Step("key", f"Config sets `{dotted}` (`{model.project.rel(origin.path)}` line {origin.span.line + 1})",
                        False, sorted({f.code for f in found}), [f"{f.code}: {f.message}" for f in found],
                        origin.path, origin.span.line))
    return out


def _is_bad(code: str) -> bool:
    return code not in ("unreadable-file",)


def _describe(model, chain: Chain, link: Link) -> str:
    rel = model.project.rel
    if link.kind == "job":
        job = chain.job
        what = []
        if job is not None and job.script is not None:
            what.append(job.script.text)
        elif job is not None and job.module is not None:
            what.append(f"-m {job.module.text}")
        if job is not None and job.config_name is not None:
            what.append(f"--config-name {job.config_name.text}")
        if job is not None:
            what += [o.word.text for o in job.overrides]
        return f"Job file says `{' '.join(what) or link.name}`"
    if link.kind == "script":
        if not link.ok:
            return f"Script `{link.name}`: {link.problem}"
        entry = chain.script.entry if chain.script is not None else None
        if entry is None and any(f.code == "python-syntax" for f in chain.script.findings):
            return f"Script `{link.name}` does not parse, so its `@hydra.main` cannot be read"
        if entry is None:
            return f"Script `{link.name}` has no `@hydra.main` entry point"
        return f"Script `{rel(chain.script.path)}` has `@hydra.main(config_path={entry.config_path!r}, config_name={entry.config_name!r})`"
    if link.kind == "config":
        if not link.ok:
            return f"Config: {link.problem}"
        return f"Main config `{rel(link.target.path)}`"
    if link.kind in ("arch", "default"):
        where = f" (`{rel(link.source.path)}`)" if link.source else ""
        if link.target is None:
            return f"Defaults entry `{link.name}`{where} names no config file"
        return f"Config has `defaults: - {link.name}`{where} → `{rel(link.target.path)}`"
    if link.kind in NAME_KINDS:
        label = {"model": "Arch config has `name:", "loss": "Loss is `name:", "evaluator": "Evaluator `name:",
                 "target": "Target `_target_:"}[link.kind]
        head = f"{label} {link.name}`"
        if link.info.get("override"):
            head = f"Job line sets `{'.'.join(str(k) for k in link.info['keypath'])}={link.name}`"
        if not link.ok:
            return f"{head}: {link.problem}"
        sym = link.info.get("symbol")
        if sym is not None:
            return f"{head} → `{rel(sym.path)}` exports `{sym.name}` (line {sym.span.line + 1})"
        return head
    return link.name


def _mode_step(model, chain: Chain, key_codes: set[str] = frozenset()) -> Step | None:  # type: ignore[assignment]
    if chain.model is None:
        return None
    idx = model.project.pyindex
    tf = idx.train_forward(chain.model)
    halting = idx.halting(chain.model)
    if tf is None and (halting is None or not halting.dynamic):
        return None
    bits = []
    if tf is not None and tf.methods:
        bits.append("uses " + ", ".join(f"`{m}()`" for m in tf.methods))
    if halting is not None:
        bits.append("with dynamic halting" if halting.dynamic else "with no dynamic halting")
        if halting.dynamic and _arch_value(chain, "halt_max_steps") == 1:
            bits[-1] += " (but `halt_max_steps: 1` halts every sample after one step: ACT is off)"
    if tf is not None and tf.encoder and _encoder_mode(model, chain):  # a backbone named `encoder` is no demo encoder
        bits[-1:] = [bits[-1] + ";"] if bits else []
        bits.append({"cached": "the encoder output is cached after the first step",
                     "reencoded": "the demos are re-encoded every step"}.get(tf.encoder, f"encoder {tf.encoder}"))
    bad = bool({"train-mode-mismatch", "missing-act-param"} & (chain.codes | key_codes))
    return Step("mode", "Model " + " ".join(bits), not bad, [], [],
                tf.path if tf is not None else None, tf.span.line if tf is not None and tf.span else None)


def _encoder_mode(model, chain: Chain) -> bool:
    return chain.compose is not None and chain_mode(model.project.pyindex, chain) == "encoder"


def _arch_value(chain: Chain, key: str):
    config = chain.compose.config if chain.compose is not None else None
    arch = config.get("arch") if isinstance(config, dict) else None
    value = arch.get(key) if isinstance(arch, dict) else None
    return None if isinstance(value, bool) else value


def chain_ok(step_list: list[Step]) -> bool:
    return all(s.ok for s in step_list)


def unchecked(chain: Chain) -> list[str]:
    """What the review could not follow: parts of the path only known at run time, or not composed.

    A chain with such parts is never called correct: its steps are all that
    could be checked ("quiet when unsure" must not read as "verified").
    """
    out: list[str] = []
    job = chain.job
    if job is not None:
        if job.script is not None and job.script.dynamic:
            out.append(f"the script `{job.script.text}` is only known at run time")
        if job.config_name is not None and job.config_name.dynamic:
            out.append(f"the config name `{job.config_name.text}` is only known at run time")
        for o in job.overrides:
            if o.dynamic:
                out.append(f"the override `{o.word.text}` is only known at run time")
    entry = chain.script.entry if chain.script is not None else None
    if entry is not None and entry.dynamic and (job is None or job.config_name is None):
        out.append("the script's `@hydra.main` arguments are only known at run time")
    config = chain.link("config")
    if config is not None and config.ok and chain.compose is None and not out:
        out.append("its composition was not checked")
    return out


def to_markdown(model, chain: Chain, step_list: list[Step]) -> str:
    rel = model.project.rel
    where = f"`{rel(chain.root.path)}` line {chain.root.span.line + 1}"
    lines = [f"**Task**: Verify the training path of {where}", ""]
    for i, s in enumerate(step_list, 1):
        mark = OK if s.ok else BAD
        lines.append(f"**Step {i}**: {s.text} {mark}")
        for m in s.messages:
            lines.append(f"  - {m}")
        lines.append("")
    rest = unchecked(chain)
    for reason in rest:
        lines.append(f"**Not checked**: {reason}")
    if rest:
        lines.append("")
    if chain_ok(step_list) and rest:
        lines.append("**Result**: No problem found in the links that could be followed; the rest is not checked.")
    elif chain_ok(step_list):
        lines.append("**Result**: All checks pass, training path is correct.")
    else:
        bad = sum(1 for s in step_list if not s.ok)
        lines.append(f"**Result**: {bad} link{'s' if bad != 1 else ''} need{'s' if bad == 1 else ''} attention.")
    return "\n".join(lines) + "\n"


def to_text(model, chain: Chain, step_list: list[Step]) -> str:
    rel = model.project.rel
    head = f"{rel(chain.root.path)}:{chain.root.span.line + 1}: {chain.title}"
    lines = [head]
    for s in step_list:
        mark = "ok " if s.ok else "BAD"
        text = s.text.replace("`", "")
        lines.append(f"  [{mark}] {s.kind:<9} {text}")
        for m in s.messages:
            lines.append(f"          {m}")
    rest = unchecked(chain)
    for reason in rest:
        lines.append(f"  [ ? ] {'':<9} not checked: {reason.replace('`', '')}")
    if not chain_ok(step_list):
        lines.append("  => training path is broken")
    elif rest:
        lines.append("  => no problem found in the links that could be followed; the rest is not checked")
    else:
        lines.append("  => training path is correct")
    return "\n".join(lines) + "\n"
