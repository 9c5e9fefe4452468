"""``textDocument/references`` end to end: from configs, a class, a script; ``includeDeclaration``."""

from __future__ import annotations

import pytest
from lsprotocol import types

from ._util_nav import doc, loc, pos, start_nav

ARCH = "config/arch/etrm.yaml"
MAIN = "config/cfg_pretrain_etrm_arc_agi_1.yaml"
FILE = "0:0-0:0"

ARCH_REFS = [
    ("config/cfg_pitfalls_etrm.yaml", "3:10-3:14"),
    ("config/cfg_pretrain_etrm_arc_agi_1.yaml", "3:10-3:14"),
    ("jobs-etrm-semi-final.txt", "16:54-16:58"),
]
CLASS_REFS = [
    ("config/arch/etrm.yaml", "0:6-0:45"),
    ("config/arch/etrm_badchoice.yaml", "1:6-1:45"),
    ("config/arch/etrm_fixed.yaml", "1:6-1:45"),
    ("config/arch/etrm_noexplore.yaml", "1:6-1:45"),
    ("config/arch/etrm_typo.yaml", "1:6-1:45"),
]
SCRIPT_REFS = [
    ("jobs-etrm-semi-final.txt", "4:32-4:48"),
    ("jobs-etrm-semi-final.txt", "7:50-7:66"),
    ("jobs-etrm-semi-final.txt", "13:61-13:77"),
    ("jobs-etrm-semi-final.txt", "16:32-16:48"),
    ("jobs-pitfalls.txt", "3:32-3:48"),
    ("jobs-pitfalls.txt", "12:11-12:27"),
    ("jobs-pitfalls.txt", "13:11-13:27"),
    ("jobs-pitfalls.txt", "14:11-14:27"),
    ("jobs-pitfalls.txt", "15:11-15:27"),
    ("jobs-pitfalls.txt", "18:11-18:27"),
    ("scripts/launch_etrm.sh", "12:35-12:51"),
]
MAIN_REFS = [
    ("jobs-etrm-semi-final.txt", "4:63-4:90"),
    ("jobs-etrm-semi-final.txt", "8:20-8:47"),
    ("jobs-etrm-semi-final.txt", "13:92-13:119"),
    ("pretrain_etrm.py", "141:47-141:74"),
    ("scripts/launch_etrm.sh", "13:18-13:45"),
]


async def _refs(client, root, rel, line, col, include=False):
    result = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(root / rel), position=pos(line, col),
        context=types.ReferenceContext(include_declaration=include)))
    return None if result is None else [loc(root, r) for r in result]


@pytest.mark.parametrize("caps", ["neovim", "vscode"])
async def test_references_of_an_arch_config_from_anywhere_in_it(client, project, caps):
    await start_nav(client, project, caps=caps)
    assert await _refs(client, project, ARCH, 0, 0) == ARCH_REFS
    assert await _refs(client, project, ARCH, 13, 5) == ARCH_REFS
    assert await _refs(client, project, ARCH, 5, 3, include=True) == [(ARCH, FILE)] + ARCH_REFS
    # from a name that leads to it: the same answer
    assert await _refs(client, project, "config/cfg_pitfalls_etrm.yaml", 3, 12) == ARCH_REFS
    assert await _refs(client, project, "jobs-etrm-semi-final.txt", 16, 55, include=True) == [(ARCH, FILE)] + ARCH_REFS


async def test_references_of_a_model_class(client, project):
    await start_nav(client, project)
    model = "models/recursive_reasoning/etrm.py"
    assert await _refs(client, project, model, 24, 10) == CLASS_REFS
    assert await _refs(client, project, model, 24, 0, include=True) == [(model, "24:6-24:20")] + CLASS_REFS
    # from the class part of a config's name: the same
    assert await _refs(client, project, ARCH, 0, 40) == CLASS_REFS
    assert await _refs(client, project, "models/losses.py", 8, 8) == [
        (f"config/arch/{name}.yaml", "2:8-2:26" if name in ("etrm", "mlp_baseline", "trm") else "3:8-3:26")
        for name in ("etrm", "etrm_badchoice", "etrm_fixed", "etrm_moved", "etrm_noexplore", "etrm_typo",
                     "mlp_baseline", "trm")]
    # elsewhere in a model file: nothing
    assert await _refs(client, project, model, 0, 3) is None
    assert await _refs(client, project, model, 16, 8) is None  # a class no config names


async def test_references_of_a_script_and_a_main_config(client, project):
    await start_nav(client, project)
    assert await _refs(client, project, "pretrain_etrm.py", 10, 0) == SCRIPT_REFS
    assert await _refs(client, project, "pretrain_etrm.py", 142, 6, include=True) == [("pretrain_etrm.py", FILE)] + SCRIPT_REFS
    assert await _refs(client, project, MAIN, 30, 2) == MAIN_REFS
    assert await _refs(client, project, MAIN, 0, 0, include=True) == [(MAIN, FILE)] + MAIN_REFS
    assert await _refs(client, project, "pretrain_original.py", 0, 0) == [("jobs-pitfalls.txt", "6:11-6:31")]


async def test_no_references_is_none(client, project, tmp_path):
    await start_nav(client, project)
    assert await _refs(client, project, "jobs-etrm-semi-final.txt", 0, 3) is None  # a comment
    assert await _refs(client, project, "jobs-etrm-semi-final.txt", 4, 100) is None  # an override
    assert await _refs(client, project, "config/cfg_pitfall_missing_arch.yaml", 0, 0) == []  # nothing leads there
    assert await _refs(client, project, "utils/functions.py", 0, 0) is None
    assert await _refs(client, project, ARCH, 999, 999) == ARCH_REFS  # clamped into the file
    outside = tmp_path / "x.yaml"
    outside.write_text("a: 1\n")
    assert await _refs(client, tmp_path, "x.yaml", 0, 0) is None
