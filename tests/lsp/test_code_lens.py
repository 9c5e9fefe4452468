"""Code lenses (``textDocument/codeLens``) on job lines and ``@hydra.main`` decorators, end to end."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from ._util_fixes import begin, change_doc, open_doc, rng_str

ETRM = "✅ pretrain_etrm.py → cfg_pretrain_etrm_arc_agi_1 → arch/etrm → TRMWithEncoder"
TRM = "✅ pretrain.py → cfg_pretrain_arc_agi_1 → arch/trm → TinyRecursiveReasoningModel_ACTV1"

#: file -> [(range, title)] in line order
LENSES = {
    "jobs-etrm-semi-final.txt": [
        ("4:0-4:104", ETRM),
        ("7:0-10:27", ETRM),
        ("13:0-13:155", ETRM),
        ("16:0-16:129", ETRM),
    ],
    "jobs-trm-baseline.txt": [
        ("2:0-2:66", TRM),
        ("3:0-3:121", TRM),
        ("4:0-4:81", "✅ pretrain.py → cfg_pretrain_arc_agi_1 → arch/mlp_baseline → MLPBaseline"),
    ],
    "jobs-pitfalls.txt": [
        ("3:0-3:99", "❌ 1 problem: config-name-mismatch"),
        ("6:0-6:45", "❌ 1 problem: stale-name"),
        ("9:0-9:88", "❌ 1 problem: missing-script"),
        ("12:0-12:74", "❌ 1 problem: invalid-choice"),
        ("13:0-13:62", "❌ 1 problem: unknown-override-key"),
        ("14:0-14:64", "❌ 1 problem: append-existing-key"),
        ("15:0-15:54", "❌ 1 problem: missing-override-option"),
        ("18:0-18:78", "❌ 1 problem: data-mode-mismatch"),
        ("21:0-21:51", "❌ 2 problems: missing-act-param, unknown-model-param"),
        ("22:0-22:56", "❌ 1 problem: missing-act-param"),
        ("23:0-23:56", "❌ 1 problem: invalid-choice"),
        ("24:0-24:52", "❌ 1 problem: missing-module"),
        ("25:0-25:52", "❌ 2 problems: train-mode-mismatch, unknown-model-param"),
    ],
    "pretrain_etrm.py": [("141:0-141:95", ETRM)],
    "pretrain.py": [("137:0-137:90", TRM)],
    "pretrain_original.py": [("21:0-21:90", "✅ pretrain_original.py → cfg_pretrain_arc_agi_1 → arch/trm → "
                                             "TinyRecursiveReasoningModel_ACTV1")],
    "config/arch/etrm.yaml": [],
    "config/cfg_pitfall_missing_arch.yaml": [],
}


async def lenses(client, path):
    result = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri())))
    return list(result or [])


@pytest.mark.parametrize("caps", ["neovim", "vscode"])
async def test_lenses_summarise_each_chain(client, project, caps):
    await begin(client, project, caps)
    for rel, expected in LENSES.items():
        path = project / rel
        got = await lenses(client, path)
        assert [(rng_str(lens.range), lens.command.title) for lens in got] == expected, rel
        for lens in got:
            assert lens.command.command == "trainpath.showChain"
            assert list(lens.command.arguments) == [path.as_uri(), lens.range.start.line]


async def test_lens_follows_edits_and_odd_documents(client, project, tmp_path):
    await begin(client, project, "neovim")
    path = project / "jobs-pitfalls.txt"
    lines = path.read_text().split("\n")
    lines[9] = lines[9].replace("pretrain_v2.py", "pretrain_etrm.py")
    open_doc(client, path)
    change_doc(client, path, "\n".join(lines), 2)

    async def line9() -> str:
        return next(lens.command.title for lens in await lenses(client, path) if lens.range.start.line == 9)

    title = await line9()
    for _ in range(200):
        if title == ETRM:
            break
        await asyncio.sleep(0.05)
        title = await line9()
    assert title == ETRM
    # a file outside the workspace, a file that does not exist, a python file with no decorator
    outside = tmp_path / "jobs-x.txt"
    outside.write_text("python train.py\n")
    assert await lenses(client, outside) == []
    assert await lenses(client, project / "jobs-nothing.txt") == []
    assert await lenses(client, project / "models" / "losses.py") == []
