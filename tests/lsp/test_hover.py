"""End-to-end hover over stdio on the bundled example (and the clean_trm fixture for ``_target_``)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from .conftest import REPO
from .conftest import start as _start

CFG = "config/cfg_pretrain_etrm_arc_agi_1.yaml"
SF = "jobs-etrm-semi-final.txt"

HALT_MAX_STEPS = """\
**`halt_max_steps`** — ACT parameter

The cap on ACT steps per sample: with dynamic halting a sample that has not halted by this step is halted anyway, \
and evaluation always runs this many steps.

Config class `TRMWithEncoderConfig.halt_max_steps`: `int` (required) — Halting Q-learning config \
(models/recursive_reasoning/trm.py:54)

Composed value:
- `16` — set in config/cfg_pretrain_etrm_arc_agi_1.yaml:14 (jobs-etrm-semi-final.txt:5, jobs-etrm-semi-final.txt:8, \
jobs-etrm-semi-final.txt:17 and 7 more)
- `8` — set by job override `arch.halt_max_steps=8` (jobs-etrm-semi-final.txt:14)
- `16` — set in config/arch/etrm.yaml:12 (pretrain_etrm_pitfalls.py)

ACT: `16`: at most 16 ACT steps per sample (the cap); `8`: at most 8 ACT steps per sample (the cap). \
Model `TRMWithEncoder` trains with `_forward_train_original()`: dynamic ACT (one step per call, the carry persists); \
demos re-encoded every step."""


async def start(client, root: Path, caps: str = "neovim") -> None:
    """conftest's ``start``, with the client answering ``client/registerCapability`` (VS Code's capabilities
    advertise dynamic registration; pytest-lsp's client has no handler for it)."""
    if caps == "vscode" and types.CLIENT_REGISTER_CAPABILITY not in client.protocol.fm.features:
        client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await _start(client, root, caps=caps)


async def hover(client, root: Path, rel: str, line: int, character: int) -> types.Hover | None:
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=(root / rel).as_uri()),
        position=types.Position(line=line, character=character)))


def rng(hv: types.Hover) -> tuple[int, int, int, int]:
    r = hv.range
    return (r.start.line, r.start.character, r.end.line, r.end.character)


async def test_act_param_in_arch_config(client, project):
    await start(client, project)
    hv = await hover(client, project, "config/arch/etrm.yaml", 11, 3)
    assert hv.contents.kind == types.MarkupKind.Markdown
    assert hv.contents.value == HALT_MAX_STEPS
    assert rng(hv) == (11, 0, 11, 14)
    hv = await hover(client, project, "config/arch/etrm.yaml", 11, 17)  # on the value: the same, its range
    assert hv.contents.value == HALT_MAX_STEPS
    assert rng(hv) == (11, 16, 11, 18)
    # the YAML comment beside (and above) the key, and a float's exploration note
    hv = await hover(client, project, "config/arch/etrm.yaml", 10, 0)
    text = hv.contents.value
    assert "In this file: ACT params — Dynamic: explore during training" in text
    assert "Config class `TRMWithEncoderConfig.halt_exploration_prob`: `float` (required) " \
           "(models/recursive_reasoning/trm.py:55)" in text
    assert "ACT: `0.5` > 0: dynamic ACT with exploration during training." in text
    # a field with a default and its own comment
    hv = await hover(client, project, "config/arch/etrm.yaml", 6, 5)
    text = hv.contents.value
    assert 'Config class `TRMWithEncoderConfig.encoder_type`: `str` = `"standard"` — a key of ' \
           "models.encoders.factory.ENCODERS (models/recursive_reasoning/etrm.py:19)" in text
    assert "- `hybrid_standard` — set by job override `arch.encoder_type=hybrid_standard` " \
           "(jobs-etrm-semi-final.txt:10) (jobs-etrm-semi-final.txt:8)" in text
    assert "In this file: Demo encoder (see models/encoders/factory.py for the choices)" in text
    hv = await hover(client, project, "config/arch/trm.yaml", 6, 2)
    text = hv.contents.value
    assert "In this file: upper bound on ACT steps per sample" in text
    assert "- `16` — set in config/arch/trm.yaml:7 (" in text
    assert "Model `TinyRecursiveReasoningModel_ACTV1` trains with `_forward_train_original()`" in text
    hv = await hover(client, project, "config/arch/trm.yaml", 8, 1)
    assert hv.contents.value.startswith("**`H_cycles`**\n\nOuter recursion:")
    assert "In this file: outer recursion (answer updates)" in hv.contents.value


async def test_key_in_main_config_arch_block_and_plain_key(client, project):
    await start(client, project, caps="vscode")
    hv = await hover(client, project, CFG, 13, 4)
    assert rng(hv) == (13, 2, 13, 16)
    text = hv.contents.value
    assert "Config class `TRMWithEncoderConfig.halt_max_steps`: `int` (required)" in text
    assert "- `16` — set in config/cfg_pretrain_etrm_arc_agi_1.yaml:14 (" in text
    assert "pretrain_etrm_pitfalls.py" not in text  # that chain does not use this file
    hv = await hover(client, project, CFG, 30, 1)
    assert hv.contents.value.startswith("**`lr_min_ratio`**\n\nComposed value:\n- `1.0` — set in "
                                        "config/cfg_pretrain_etrm_arc_agi_1.yaml:31 (")
    assert rng(hv) == (30, 0, 30, 12)


async def test_job_lines(client, project):
    await start(client, project)
    hv = await hover(client, project, SF, 13, 125)
    assert rng(hv) == (13, 120, 13, 139)
    text = hv.contents.value
    assert "Composed value:\n- `8` — set by job override `arch.halt_max_steps=8` (jobs-etrm-semi-final.txt:14)\n\n" in text
    assert "ACT: `8`: at most 8 ACT steps per sample (the cap)." in text
    assert "Config class `TRMWithEncoderConfig.halt_max_steps`" in text
    hv = await hover(client, project, SF, 13, 20)
    assert rng(hv) == (13, 0, 13, 155)
    lines = hv.contents.value.split("\n")
    assert lines[0] == "**Training path** of `jobs-etrm-semi-final.txt:14` ✅"
    assert lines[2] == ("1. ✅ Job file says `pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 "
                        "arch.halt_max_steps=8 +run_name=sf3`")
    assert "5. ✅ Arch config has `name: recursive_reasoning.etrm@TRMWithEncoder` → " \
           "`models/recursive_reasoning/etrm.py` exports `TRMWithEncoder` (line 25)" in lines
    assert lines[-1] == "All checks pass, training path is correct."
    # the value of an override is "not an override key": the chain again
    hv = await hover(client, project, SF, 13, 140)
    assert hv.contents.value.startswith("**Training path** of `jobs-etrm-semi-final.txt:14` ✅")
    # a continued job line, hovered on its second physical line
    hv = await hover(client, project, SF, 8, 10)
    assert rng(hv) == (7, 0, 10, 27)
    assert hv.contents.value.startswith("**Training path** of `jobs-etrm-semi-final.txt:8` ✅")
    # what only the shell knows is listed, and the chain is not called correct
    hv = await hover(client, project, "scripts/launch_etrm.sh", 12, 2)
    lines = hv.contents.value.split("\n")
    assert lines[-4:] == ["- not checked: the override `arch.encoder_type=$ENCODER` is only known at run time",
                          "- not checked: the override `+run_name=etrm_${ENCODER}` is only known at run time", "",
                          "No problem found in the links that could be followed; the rest is not checked."]
    hv = await hover(client, project, "jobs-pitfalls.txt", 13, 10)
    lines = hv.contents.value.split("\n")
    assert lines[0] == "**Training path** of `jobs-pitfalls.txt:14` ❌"
    assert lines[2] == "1. ❌ Job file says `pretrain_etrm.py arch.halt_max_step=8 +run_name=pf5`"
    assert lines[3].startswith("   - unknown-override-key: ")
    assert lines[-1] == "1 link needs attention."
    # an override key nothing documents or composes: the chain instead of an empty parameter hover
    hv = await hover(client, project, "jobs-pitfalls.txt", 13, 35)
    assert hv.contents.value.startswith("**Training path** of `jobs-pitfalls.txt:14` ❌")


async def test_interpolation_and_classes(client, project):
    await start(client, project)
    hv = await hover(client, project, "config/arch/trm.yaml", 18, 22)
    assert rng(hv) == (18, 17, 18, 32)
    assert hv.contents.value == (
        "`${.hidden_size}` → `arch.hidden_size`\n\n"
        "- `512` — set in config/arch/trm.yaml:15 "
        "(jobs-pitfalls.txt:4, jobs-pitfalls.txt:7, jobs-trm-baseline.txt:3 and 3 more)")
    hv = await hover(client, project, "config/arch/etrm.yaml", 0, 10)
    assert rng(hv) == (0, 6, 0, 45)
    assert hv.contents.value.split("\n\n") == [
        "```python\nclass TRMWithEncoder(config_dict: dict)\n```",
        "TRM + demo encoder, trained with dynamic halting.",
        "`models.recursive_reasoning.etrm.TRMWithEncoder` — models/recursive_reasoning/etrm.py:25",
        "Config class `TRMWithEncoderConfig` (pydantic, 25 fields)",
        "Model `TRMWithEncoder` trains with `_forward_train_original()`: dynamic ACT (one step per call, "
        "the carry persists); demos re-encoded every step.",
    ]
    hv = await hover(client, project, "config/arch/etrm.yaml", 2, 10)
    assert hv.contents.value.startswith("```python\nclass ACTLossHead(model: Any, loss_type: str)\n```\n\n"
                                        "`models.losses.ACTLossHead` — models/losses.py:9")
    hv = await hover(client, project, "config/arch/etrm_moved.yaml", 1, 10)
    assert hv.contents.value == (
        "❌ model `recursive_reasoning.etrm_v2@TRMWithEncoder`: no module `models.recursive_reasoning.etrm_v2` "
        "(from `recursive_reasoning.etrm_v2` with prefix `models.`) (did you mean `recursive_reasoning.etrm`?)")


async def test_target_and_relative_interpolation(client, clean):
    await start(client, clean)
    hv = await hover(client, clean, "config/cfg_pretrain_arc_agi_1.yaml", 50, 20)
    assert rng(hv) == (50, 12, 50, 46)
    assert hv.contents.value.split("\n\n")[:3] == [
        "```python\ndef cosine_with_warmup(warmup_steps: int, min_ratio: float=0.0, total_steps: Optional[int]=None)"
        " -> Callable[[int], float]\n```",
        "Linear warm-up, then cosine decay down to ``min_ratio`` of the base rate.",
        "`utils.schedules.cosine_with_warmup` — utils/schedules.py:7",
    ]
    # on the `_target_` key itself: the same class hover
    hv2 = await hover(client, clean, "config/cfg_pretrain_arc_agi_1.yaml", 50, 4)
    assert hv2.contents.value == hv.contents.value
    # ${..lr} inside `optimizer:` names the root's lr
    hv = await hover(client, clean, "config/cfg_pretrain_arc_agi_1.yaml", 45, 10)
    assert hv.contents.value.startswith("`${..lr}` → `lr`\n\n- `0.0001` — set in config/cfg_pretrain_arc_agi_1.yaml:24 (")
    # a resolver call is not a key: quiet
    assert await hover(client, clean, "config/cfg_pretrain_arc_agi_1.yaml", 56, 22) is None


async def test_quiet_on_odd_input(client, project, tmp_path):
    await start(client, project)
    assert await hover(client, project, "config/arch/etrm.yaml", 999, 0) is None
    assert await hover(client, project, "config/arch/etrm.yaml", 4, 0) is None  # blank line
    assert await hover(client, project, "config/arch/etrm.yaml", 5, 3) is None  # a comment
    assert await hover(client, project, "jobs-etrm-semi-final.txt", 0, 5) is None  # a comment line
    assert await hover(client, project, "pretrain.py", 0, 0) is None
    assert await hover(client, project, "config/cfg_pretrain_etrm_arc_agi_1.yaml", 10, 1) is None  # `arch:` block key
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("halt_max_steps: 3\n")
    assert await hover(client, tmp_path, "elsewhere.yaml", 0, 2) is None
    assert await hover(client, project, "config/arch/nope.yaml", 0, 0) is None


async def test_utf16_columns(client, project):
    job = project / "jobs-etrm-semi-final.txt"
    job.write_text(job.read_text() + "[ ] python pretrain_etrm.py +note='😀' arch.halt_max_steps=4\n")
    for caps in ("vscode",):
        await start(client, project, caps=caps)
        # '😀' is one code point but two UTF-16 units: the key starts at code point 38, UTF-16 column 39
        hv = await hover(client, project, "jobs-etrm-semi-final.txt", 17, 40)
        assert rng(hv) == (17, 39, 17, 58)
        assert "- `4` — set by job override `arch.halt_max_steps=4` (jobs-etrm-semi-final.txt:18)" in hv.contents.value


def test_static_fallback_signature_and_doc():
    """When jedi cannot answer, the static index gives the signature and the docstring's first paragraph."""
    from trainpath.chain.project import Project
    from trainpath.lsp.features.hover import first_paragraph, pyindex_signature

    project = Project(REPO / "tests" / "fixtures" / "clean_trm")
    idx = project.pyindex
    sym = idx.resolve("utils.schedules", "cosine_with_warmup")
    assert pyindex_signature(idx, sym) == (
        "cosine_with_warmup(warmup_steps: int, min_ratio: float=0.0, total_steps: Optional[int]=None)")
    assert first_paragraph(idx.docstring(sym)) == "Linear warm-up, then cosine decay down to ``min_ratio`` of the base rate."
    assert first_paragraph("  First line\n  goes on.\n\n  Second paragraph.") == "First line goes on."
    assert first_paragraph("") is None
