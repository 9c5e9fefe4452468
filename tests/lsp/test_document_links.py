"""``textDocument/documentLink`` end to end: job files, configs, scripts; tooltips only where supported."""

from __future__ import annotations

from lsprotocol import types

from ._util_nav import doc, rel, rstr, start_nav


async def _links(client, root, path):
    result = await client.text_document_document_link_async(types.DocumentLinkParams(text_document=doc(root / path)))
    return None if result is None else [(rstr(l.range), rel(root, l.target), l.tooltip) for l in result]


async def test_links_in_a_job_file_and_configs_vscode(client, project):
    await start_nav(client, project, caps="vscode")
    assert await _links(client, project, "jobs-trm-baseline.txt") == [
        ("2:32-2:43", "pretrain.py", "pretrain.py"),
        ("3:32-3:43", "pretrain.py", "pretrain.py"),
        ("3:58-3:80", "config/cfg_pretrain_arc_agi_1.yaml", "config/cfg_pretrain_arc_agi_1.yaml"),
        ("4:11-4:22", "pretrain.py", "pretrain.py"),
        ("4:28-4:40", "config/arch/mlp_baseline.yaml", "config/arch/mlp_baseline.yaml"),
    ]
    assert await _links(client, project, "config/cfg_pretrain_etrm_arc_agi_1.yaml") == [
        ("3:10-3:14", "config/arch/etrm.yaml", "config/arch/etrm.yaml"),
        ("20:10-20:13", "evaluators/arc.py", "evaluators/arc.py"),
    ]
    assert await _links(client, project, "config/arch/etrm.yaml") == [
        ("0:6-0:30", "models/recursive_reasoning/etrm.py", "models/recursive_reasoning/etrm.py"),
        ("2:8-2:14", "models/losses.py", "models/losses.py"),
    ]


async def test_links_neovim_without_tooltips(client, project):
    await start_nav(client, project)
    # a missing script, a missing override option and a missing module get no link
    assert await _links(client, project, "jobs-pitfalls.txt") == [
        ("3:32-3:48", "pretrain_etrm.py", None),
        ("3:63-3:85", "config/cfg_pretrain_arc_agi_1.yaml", None),
        ("6:11-6:31", "pretrain_original.py", None),
        ("12:11-12:27", "pretrain_etrm.py", None),
        ("13:11-13:27", "pretrain_etrm.py", None),
        ("14:11-14:27", "pretrain_etrm.py", None),
        ("15:11-15:27", "pretrain_etrm.py", None),
        ("18:11-18:27", "pretrain_etrm.py", None),
        ("21:11-21:36", "pretrain_etrm_pitfalls.py", None),
        ("21:42-21:51", "config/arch/etrm_typo.yaml", None),
        ("22:11-22:36", "pretrain_etrm_pitfalls.py", None),
        ("22:42-22:56", "config/arch/etrm_noexplore.yaml", None),
        ("23:11-23:36", "pretrain_etrm_pitfalls.py", None),
        ("23:42-23:56", "config/arch/etrm_badchoice.yaml", None),
        ("24:11-24:36", "pretrain_etrm_pitfalls.py", None),
        ("24:42-24:52", "config/arch/etrm_moved.yaml", None),
        ("25:11-25:36", "pretrain_etrm_pitfalls.py", None),
        ("25:42-25:52", "config/arch/etrm_fixed.yaml", None),
    ]
    assert await _links(client, project, "config/arch/etrm_moved.yaml") == [("3:8-3:14", "models/losses.py", None)]
    assert await _links(client, project, "pretrain_etrm.py") == [
        ("141:47-141:74", "config/cfg_pretrain_etrm_arc_agi_1.yaml", None)]
    assert await _links(client, project, "models/losses.py") == []
    assert await _links(client, project, "config/cfg_pitfall_missing_arch.yaml") == []
    unknown = project.parent / "elsewhere.txt"
    unknown.write_text("python pretrain.py\n")
    assert await _links(client, project.parent, "elsewhere.txt") is None
