"""End-to-end completion over stdio: each context on the bundled example (``_target_`` keys on clean_trm).

Each case opens a buffer whose text differs from the disk (``‸`` marks the cursor and is removed), so the
answer must come from the editor's text plus the index, whether or not the debounced re-check ran yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import start as _start

CFG = "config/cfg_pretrain_etrm_arc_agi_1.yaml"
SF = "jobs-etrm-semi-final.txt"
ARCH_OPTIONS = ["etrm", "etrm_badchoice", "etrm_fixed", "etrm_moved", "etrm_noexplore", "etrm_typo",
                "mlp_baseline", "trm"]
ENCODERS = ["standard", "hybrid_standard", "hybrid_variational", "lpn_standard", "lpn_variational"]


async def start(client, root: Path, caps: str = "neovim") -> None:
    """conftest's ``start``; the client answers ``client/registerCapability`` for VS Code's capabilities."""
    if caps == "vscode" and types.CLIENT_REGISTER_CAPABILITY not in client.protocol.fm.features:
        client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await _start(client, root, caps=caps)


_VERSIONS: dict[str, int] = {}


async def complete(client, root: Path, rel: str, text: str) -> list[types.CompletionItem]:
    """Open (or change) ``rel`` with ``text`` and complete at the ``‸`` marker."""
    lines = text.split("\n")
    line = next(i for i, t in enumerate(lines) if "‸" in t)
    col16 = len(lines[line][: lines[line].index("‸")].encode("utf-16-le")) // 2
    body = text.replace("‸", "")
    uri = (root / rel).as_uri()
    version = _VERSIONS.get(uri, 0) + 1
    _VERSIONS[uri] = version
    if version == 1:
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="yaml" if rel.endswith(".yaml") else "plaintext", version=version, text=body)))
    else:
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=body)]))
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=col16)))
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


def labels(items) -> list[str]:
    return [i.label for i in items]


def edit(item) -> tuple[str, int, int, int]:
    """(new text, line, start col, end col) of an item's text edit (one line)."""
    e = item.text_edit
    assert e.range.start.line == e.range.end.line
    return (e.new_text, e.range.start.line, e.range.start.character, e.range.end.character)


def by_label(items, label):
    return next(i for i in items if i.label == label)


@pytest.fixture(autouse=True)
def _fresh_versions():
    _VERSIONS.clear()


async def test_defaults_groups_and_options(client, project):
    await start(client, project)
    cfg = (project / CFG).read_text()
    items = await complete(client, project, CFG, cfg.replace("  - arch: etrm", "  - arch: e‸"))
    assert labels(items) == ARCH_OPTIONS
    assert edit(by_label(items, "etrm_fixed")) == ("etrm_fixed", 3, 10, 11)
    assert by_label(items, "trm").detail == "config/arch/trm.yaml"
    items = await complete(client, project, CFG, cfg.replace("  - arch: etrm", "  - ‸"))
    assert labels(items) == ["arch", "_self_"]
    assert edit(items[0]) == ("arch: ", 3, 4, 4)
    assert items[0].command.command == "editor.action.triggerSuggest"
    # an `override` entry completes the same options
    items = await complete(client, project, CFG, cfg.replace("  - arch: etrm", "  - override arch: ‸"))
    assert labels(items) == ARCH_OPTIONS


async def test_name_modules_then_classes(client, project):
    await start(client, project)
    etrm = (project / "config/arch/etrm.yaml").read_text()
    items = await complete(client, project, "config/arch/etrm.yaml",
                           etrm.replace("name: recursive_reasoning.etrm@TRMWithEncoder", "name: recursive_reasoning.e‸"))
    assert labels(items) == ["encoders", "encoders.factory", "losses", "recursive_reasoning.etrm",
                             "recursive_reasoning.etrm_online", "recursive_reasoning.mlp_baseline",
                             "recursive_reasoning.trm"]
    assert edit(by_label(items, "recursive_reasoning.etrm")) == ("recursive_reasoning.etrm", 0, 6, 27)
    assert by_label(items, "losses").detail == "models.losses"
    items = await complete(client, project, "config/arch/etrm.yaml",
                           etrm.replace("name: recursive_reasoning.etrm@TRMWithEncoder", "name: recursive_reasoning.etrm@T‸"))
    assert labels(items)[:2] == ["TRMWithEncoderConfig", "TRMWithEncoder"]  # defined in the module first
    assert edit(by_label(items, "TRMWithEncoder")) == ("TRMWithEncoder", 0, 31, 32)
    assert by_label(items, "TRMWithEncoder").detail == "models/recursive_reasoning/etrm.py:25"
    # an evaluator's name uses the evaluator prefix
    cfg = (project / CFG).read_text()
    items = await complete(client, project, CFG, cfg.replace("  - name: arc@ARC", "  - name: ‸"))
    assert labels(items) == ["arc"]
    assert edit(items[0]) == ("arc", 20, 10, 10)


async def test_arch_keys_and_choices(client, project):
    await start(client, project, caps="vscode")
    etrm = (project / "config/arch/etrm.yaml").read_text()
    items = await complete(client, project, "config/arch/etrm.yaml", etrm.replace("halt_max_steps: 16", "hal‸"))
    assert labels(items) == ["batch_size", "seq_len", "num_puzzle_identifiers", "vocab_size", "rms_norm_eps",
                             "rope_theta", "halt_max_steps", "encoder_norm_style", "max_demos"]
    item = by_label(items, "halt_max_steps")
    assert edit(item) == ("halt_max_steps: ", 11, 0, 3)
    assert item.detail == "int (required)"
    assert item.documentation.value.startswith("The cap on ACT steps per sample")
    assert by_label(items, "encoder_norm_style").detail == 'str = "pre"'
    items = await complete(client, project, "config/arch/etrm.yaml",
                           etrm.replace("encoder_type: standard", "encoder_type: hy‸"))
    assert labels(items) == ENCODERS
    assert edit(by_label(items, "hybrid_standard")) == ("hybrid_standard", 6, 14, 16)
    # the arch: block of a main config: the fields it does not set yet
    cfg = (project / CFG).read_text()
    items = await complete(client, project, CFG, cfg.replace("  halt_max_steps: 16", "  ‸"))
    assert "halt_max_steps" in labels(items)
    assert "encoder_type" not in labels(items) and "halt_exploration_prob" not in labels(items)
    assert edit(by_label(items, "hidden_size")) == ("hidden_size: ", 13, 2, 2)


async def test_interpolation_keys(client, project):
    await start(client, project)
    trm = (project / "config/arch/trm.yaml").read_text()
    items = await complete(client, project, "config/arch/trm.yaml", trm.replace("${.hidden_size}", "${.h‸"))
    assert labels(items)[:4] == ["name", "loss", "halt_exploration_prob", "halt_max_steps"]
    assert "hidden_size" in labels(items)
    assert edit(by_label(items, "hidden_size")) == ("hidden_size", 18, 20, 21)
    assert by_label(items, "hidden_size").detail == "512"
    assert by_label(items, "loss").detail == "{…}"
    cfg = (project / CFG).read_text()
    items = await complete(client, project, CFG, cfg.replace("seed: 0", "seed: ${arch.loss.‸"))
    assert labels(items) == ["name", "loss_type"]
    assert edit(items[1]) == ("loss_type", 41, 18, 18)
    items = await complete(client, project, CFG, cfg.replace("seed: 0", "seed: ${‸"))
    assert labels(items)[:3] == ["arch", "data_paths", "data_paths_test"]
    assert "run_name" not in labels(items)  # a job's `+run_name` is not this file's key


async def test_job_scripts_and_config_names(client, project):
    await start(client, project)
    job = (project / SF).read_text()
    items = await complete(client, project, SF, job + "[ ] python ‸\n")
    assert labels(items) == ["pretrain.py", "pretrain_etrm.py", "pretrain_etrm_pitfalls.py", "pretrain_original.py"]
    assert edit(items[1]) == ("pretrain_etrm.py", 17, 11, 11)
    assert items[1].detail == "@hydra.main(config_name='cfg_pretrain_etrm_arc_agi_1')"
    items = await complete(client, project, SF, job + "[ ] python pretrain_etrm.py --config-name cfg_p‸\n")
    assert labels(items) == ["cfg_pitfall_missing_arch", "cfg_pitfalls_etrm", "cfg_pretrain_arc_agi_1",
                             "cfg_pretrain_etrm_arc_agi_1"]
    assert edit(items[3]) == ("cfg_pretrain_etrm_arc_agi_1", 17, 42, 47)
    items = await complete(client, project, SF, job + "[ ] python pretrain_etrm.py --config-name=cfg_p‸\n")
    assert edit(items[3]) == ("cfg_pretrain_etrm_arc_agi_1", 17, 42, 47)
    # nothing to offer before the launcher, or for a launcher option
    assert await complete(client, project, SF, job + "[ ] ‸\n") == []
    assert await complete(client, project, SF, job + "[ ] torchrun --npr‸\n") == []


async def test_job_override_keys_and_values(client, project):
    await start(client, project)
    job = (project / SF).read_text()
    line = "[ ] python pretrain_etrm.py "
    items = await complete(client, project, SF, job + line + "arch.‸\n")
    assert labels(items)[:4] == ["arch.name", "arch.loss", "arch.encoder_type", "arch.encoder_num_layers"]
    assert edit(by_label(items, "arch.halt_max_steps")) == ("arch.halt_max_steps=", 17, 28, 33)
    assert by_label(items, "arch.halt_max_steps").detail == "16"
    assert edit(by_label(items, "arch.loss")) == ("arch.loss.", 17, 28, 33)
    items = await complete(client, project, SF, job + line + "‸\n")
    assert labels(items)[:3] == ["arch=", "arch", "data_paths"]
    assert by_label(items, "arch=").detail == "config group (now etrm)"
    items = await complete(client, project, SF, job + line + "+arch.‸\n")
    assert labels(items) == ["arch.batch_size", "arch.seq_len", "arch.num_puzzle_identifiers", "arch.vocab_size",
                             "arch.rms_norm_eps", "arch.rope_theta", "arch.encoder_norm_style", "arch.max_demos"]
    assert edit(items[-1]) == ("arch.max_demos=", 17, 29, 34)
    items = await complete(client, project, SF, job + line + "arch=e‸\n")
    assert labels(items) == ARCH_OPTIONS
    assert edit(items[0]) == ("etrm", 17, 33, 34)
    items = await complete(client, project, SF, job + line + "arch.encoder_type=‸ +run_name=x\n")
    assert labels(items) == ENCODERS
    assert edit(items[2]) == ("hybrid_variational", 17, 46, 46)
    # on a continued job line, the script and config come from the lines above
    items = await complete(client, project, SF, job.replace(
        "arch.encoder_type=hybrid_standard arch.encoder_num_layers=4", "arch.encoder_type=l‸"))
    assert labels(items) == ENCODERS
    assert edit(items[3]) == ("lpn_standard", 9, 24, 25)


async def test_target_values_and_arguments(client, clean):
    await start(client, clean)
    rel = "config/cfg_pretrain_arc_agi_1.yaml"
    cfg = (clean / rel).read_text()
    items = await complete(client, clean, rel, cfg.replace("  min_ratio: ${..lr_min_ratio}", "  ‸"))
    assert labels(items) == ["min_ratio", "total_steps"]
    assert edit(items[1]) == ("total_steps: ", 52, 2, 2)
    assert items[1].detail == "Optional[int] = None"
    items = await complete(client, clean, rel, cfg.replace("utils.schedules.cosine_with_warmup", "utils.schedules.c‸"))
    assert "utils.schedules.cosine_with_warmup" in labels(items)
    assert edit(by_label(items, "utils.schedules.cosine_with_warmup")) == (
        "utils.schedules.cosine_with_warmup", 50, 12, 29)


async def test_quiet_on_odd_input(client, project):
    await start(client, project)
    uri = (project / "config/arch/etrm.yaml").as_uri()
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=500, character=3)))
    assert result is None
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=(project / "pretrain.py").as_uri()),
        position=types.Position(line=0, character=0)))
    assert result is None
    etrm = (project / "config/arch/etrm.yaml").read_text()
    assert await complete(client, project, "config/arch/etrm.yaml", etrm.replace("H_cycles: 3", "H_cycles: 3 # ‸")) == []
    assert await complete(client, project, "config/arch/etrm.yaml", etrm + "\nloss:\n  foo: ${nope.‸\n") == []
