"""ACT rules, following the guide's mode table.

- ``missing-act-param``: the model halts dynamically (its code reads
  ``halt_max_steps`` / ``halt_exploration_prob``) but the composed arch config
  does not set one of them, the model's config class gives no default and
  the code gives none where it reads it (``getattr(cfg, "halt_max_steps", 16)``).
- ``train-mode-mismatch``: the config selects one training mode and the
  model's training forward implements the other.  The config selects *fixed*
  (online) mode with ``num_act_steps`` or an ``act_mode``-style key whose value
  says fixed/online, and *dynamic* (original) mode with an ``act_mode`` value
  that says dynamic/original.  The model's mode comes from
  ``PyIndex.train_forward``.

Both stay silent on models with no halting at all, and when either side is unsure.
"""

from __future__ import annotations

from typing import Iterable

from trainpath.chain.locate import key_ref, value_ref
from trainpath.findings import Finding

CODES = ("missing-act-param", "train-mode-mismatch")
ACT_PARAMS = ("halt_max_steps", "halt_exploration_prob")
_MODE_KEYS = ("act_mode", "train_mode", "training_mode", "halt_mode", "forward_mode")
_FIXED_WORDS = ("fixed", "online")
_DYNAMIC_WORDS = ("dynamic", "original")


def _mode_word(value) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.lower()
    if any(w in v for w in _FIXED_WORDS):
        return "fixed"
    if any(w in v for w in _DYNAMIC_WORDS):
        return "dynamic"
    return None


def check(model) -> Iterable[Finding]:
    idx = model.project.pyindex
    for chain in model.chains:
        sym = chain.model
        link = chain.model_link
        if sym is None or link is None or chain.compose is None or not isinstance(chain.compose.config, dict):
            continue
        arch = chain.compose.config.get("arch")
        if not isinstance(arch, dict):
            continue
        halting = idx.halting(sym)
        if halting is None:
            continue
        if halting.dynamic:
            cc = idx.config_class(sym)
            for key in ACT_PARAMS:
                if key in arch or key not in halting.reads or key in halting.defaulted:
                    continue
                field = cc.fields.get(key) if cc is not None else None
                if field is not None and field.default is not None:
                    continue
                yield Finding(
                    "missing-act-param",
                    f"`{sym.name}` halts dynamically (its code reads `{key}`), but the arch config does not set `{key}`",
                    link.source.path, link.source.span)
        yield from _mode_mismatch(model, chain, sym, arch, halting)


def _mode_mismatch(model, chain, sym, arch, halting) -> Iterable[Finding]:
    tf = model.project.pyindex.train_forward(sym)
    if tf is None or tf.dispatch_key:
        return
    model_mode = tf.mode
    if model_mode is None:
        return
    selected, where, said = None, None, None
    for key in _MODE_KEYS:
        if key in arch:
            word = _mode_word(arch[key])
            if word:
                selected, where, said = word, value_ref(chain, ("arch", key)), f"`{key}: {arch[key]}`"
                break
    steps = arch.get("num_act_steps")
    # a loop of one step is what dynamic mode does per forward: only a real loop count selects fixed mode
    if (selected is None and isinstance(steps, int) and not isinstance(steps, bool) and steps > 1
            and "num_act_steps" not in halting.reads):
        selected, where, said = "fixed", key_ref(chain, ("arch", "num_act_steps")), f"`num_act_steps: {steps}`"
    if selected is None or where is None or selected == model_mode:
        return
    names = {"fixed": "fixed/online (loop num_act_steps, cache the encoder)",
             "dynamic": "dynamic/original (one step per forward, carry persists, re-encode)"}
    yield Finding(
        "train-mode-mismatch",
        f"the config selects {names[selected]} with {said}, but `{sym.name}` trains in "
        f"{names[model_mode]}: {tf.evidence}",
        where.path, where.span)
