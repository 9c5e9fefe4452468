"""Short docs, written for this project, of the ACT and model parameters a TRM/ETRM arch config sets.

Hover shows one of these first, then what the project itself says (the YAML
comment beside the key, the field of the model's config class) and the value
each chain composes.  The texts follow the TRM paper's vocabulary: the model
refines a latent ``z_L`` ``L_cycles`` times per update of the answer state
``z_H``, repeats that ``H_cycles`` times per ACT step, and Adaptive
Computation Time (ACT) decides after each step whether a sample halts.

Fixed versus dynamic ACT (see the review guide): *dynamic* (original) training
runs one forward per call, keeps the carry between calls and lets a Q-head
halt each sample, capped by ``halt_max_steps`` and randomised by
``halt_exploration_prob``; *fixed* (online) training loops ``num_act_steps``
times over the same batch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamDoc:
    """What a parameter does, in one or two sentences, and whether it drives ACT."""

    text: str
    act: bool = False  # an ACT (halting) parameter: hover spells out fixed vs dynamic mode


PARAM_DOCS: dict[str, ParamDoc] = {
    "halt_max_steps": ParamDoc(
        "The cap on ACT steps per sample: with dynamic halting a sample that has not halted by this step is "
        "halted anyway, and evaluation always runs this many steps.", act=True),
    "halt_exploration_prob": ParamDoc(
        "Exploration of the halting Q-head during training (dynamic ACT). Above 0, a sample is sometimes kept "
        "running for a random minimum number of steps so the Q-head learns from longer runs; 0 switches "
        "exploration off. Only models that halt dynamically read it.", act=True),
    "no_ACT_continue": ParamDoc(
        "Train the halting head with the halt logit's sigmoid only (True) instead of also bootstrapping a "
        "Q-`continue` target (False, as in HRM).", act=True),
    "num_act_steps": ParamDoc(
        "Fixed ACT: the number of steps every sample runs during training (the online loop). Only models "
        "trained in fixed mode read it; a dynamically halting model ignores it.", act=True),
    "H_cycles": ParamDoc(
        "Outer recursion: how many times per ACT step the answer state `z_H` is updated (each update follows "
        "`L_cycles` latent updates). Deeper reasoning per step, more compute."),
    "L_cycles": ParamDoc(
        "Inner recursion: how many times the latent `z_L` is refined per update of the answer state `z_H`."),
    "H_layers": ParamDoc(
        "Transformer layers of the high-level (answer) module. TRM uses one shared network, so this is 0 / "
        "unused there; kept for HRM compatibility."),
    "L_layers": ParamDoc("Transformer (or MLP) layers of the network applied at every recursion step."),
    "hidden_size": ParamDoc("Width of the model: the size of every token's hidden state."),
    "num_heads": ParamDoc("Attention heads per layer (`hidden_size` must be divisible by it)."),
    "expansion": ParamDoc("Feed-forward expansion: the MLP's inner width is `expansion × hidden_size`."),
    "pos_encodings": ParamDoc("Positional encoding of the grid tokens: `rope` (rotary) or `learned`."),
    "forward_dtype": ParamDoc("Compute dtype of the forward pass (`bfloat16` on recent GPUs, `float32` to debug)."),
    "mlp_t": ParamDoc("Use an MLP across tokens instead of self-attention in the recursion network."),
    "puzzle_emb_ndim": ParamDoc(
        "Width of the learned per-puzzle embedding (embedding mode, TRM). 0 means no learned puzzle "
        "embeddings, as in encoder mode (ETRM), where the representation comes from the demos."),
    "puzzle_emb_len": ParamDoc(
        "Number of tokens the puzzle representation occupies in front of the grid (learned embedding or "
        "encoder output)."),
    "encoder_type": ParamDoc(
        "Which demonstration encoder ETRM builds (encoder mode): `standard` (per-demo transformer, mean), "
        "`hybrid_standard` (+ set transformer), `hybrid_variational`, `lpn_standard`, `lpn_variational`."),
    "encoder_num_layers": ParamDoc(
        "Layers of the demonstration encoder (the guide's defaults: 2 for `standard`, 4 for `hybrid_*`, "
        "6 for `lpn_*`)."),
    "encoder_norm_style": ParamDoc("Where the demo encoder normalises: `pre` (pre-norm) or `post`."),
    "max_demos": ParamDoc("Demonstration pairs encoded per puzzle (encoder mode)."),
    "loss_type": ParamDoc(
        "The loss head's per-token loss: `stablemax_cross_entropy` (TRM's numerically stable default) or "
        "`softmax_cross_entropy`."),
    "rms_norm_eps": ParamDoc("Epsilon of the RMSNorm layers."),
    "rope_theta": ParamDoc("Base frequency of the rotary position encoding."),
}


def param_doc(key: str) -> ParamDoc | None:
    """The project's doc for ``key`` (the last segment of a key path), or None."""
    return PARAM_DOCS.get(key)


def act_value_note(key: str, value: object) -> str | None:
    """What a composed ACT value means, in words (None when the value says nothing special)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if key == "halt_exploration_prob":
        if value > 0:
            return f"`{value}` > 0: dynamic ACT with exploration during training"
        return f"`{value}`: no exploration (the halting head decides alone)"
    if key == "halt_max_steps":
        return f"`{value}`: at most {value} ACT steps per sample (the cap)"
    if key == "num_act_steps":
        return f"`{value}`: fixed ACT, {value} steps per sample in training"
    return None


def mode_note(train_forward, halting) -> str | None:
    """The model's own training mode, from ``pyindex.train_forward`` / ``pyindex.halting``."""
    bits: list[str] = []
    if train_forward is not None:
        methods = ", ".join(f"`{m}()`" for m in train_forward.methods)
        mode = {"dynamic": "dynamic ACT (one step per call, the carry persists)",
                "fixed": "fixed ACT (a loop of `num_act_steps` steps)"}.get(train_forward.mode or "")
        bits.append(f"trains with {methods}" + (f": {mode}" if mode else ""))
        if train_forward.encoder:
            bits.append({"cached": "encoder output cached after the first step",
                         "reencoded": "demos re-encoded every step"}.get(train_forward.encoder, train_forward.encoder))
    elif halting is not None:
        bits.append("halts dynamically" if halting.dynamic else "does not halt dynamically")
    return "; ".join(bits) if bits else None
