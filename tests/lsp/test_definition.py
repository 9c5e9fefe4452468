"""``textDocument/definition`` end to end on a copy of ``examples/trm_project``: every link kind, exact ranges."""

from __future__ import annotations

import pytest
from lsprotocol import types

from ._util_nav import doc, link, loc, neovim_caps, pos, start_nav, start_with


ARCH = "config/arch/etrm.yaml"
MAIN = "config/cfg_pretrain_etrm_arc_agi_1.yaml"
SEMI = "jobs-etrm-semi-final.txt"
BASE = "jobs-trm-baseline.txt"
FILE = "0:0-0:0"

#: (file, line, col) -> (target file, target range, target selection range, origin range); 0-based
CASES = [
    # job line -> script, --config-name -> main config
    ((SEMI, 4, 35), ("pretrain_etrm.py", FILE, FILE, "4:32-4:48")),
    ((SEMI, 4, 63), ("config/cfg_pretrain_etrm_arc_agi_1.yaml", FILE, FILE, "4:63-4:90")),
    ((SEMI, 8, 47), ("config/cfg_pretrain_etrm_arc_agi_1.yaml", FILE, FILE, "8:20-8:47")),  # continuation line, end
    ((BASE, 3, 60), ("config/cfg_pretrain_arc_agi_1.yaml", FILE, FILE, "3:58-3:80")),
    (("scripts/launch_etrm.sh", 12, 40), ("pretrain_etrm.py", FILE, FILE, "12:35-12:51")),
    # the decorator's config_name -> the config
    (("pretrain_etrm.py", 141, 50), ("config/cfg_pretrain_etrm_arc_agi_1.yaml", FILE, FILE, "141:47-141:74")),
    (("pretrain.py", 137, 47), ("config/cfg_pretrain_arc_agi_1.yaml", FILE, FILE, "137:47-137:69")),
    # defaults entry -> the arch config
    ((MAIN, 3, 11), (ARCH, FILE, FILE, "3:10-3:14")),
    (("config/cfg_pretrain_arc_agi_1.yaml", 3, 13), ("config/arch/trm.yaml", FILE, FILE, "3:10-3:13")),
    # group override in a job line: on the option, and on the key
    ((SEMI, 16, 56), (ARCH, FILE, FILE, "16:54-16:58")),
    ((SEMI, 16, 50), (ARCH, FILE, FILE, "16:49-16:58")),
    ((BASE, 4, 30), ("config/arch/mlp_baseline.yaml", FILE, FILE, "4:28-4:40")),
    # key override -> the key that sets it last without the override (the job's other overrides apply)
    ((BASE, 3, 85), ("config/arch/trm.yaml", "9:0-9:8", "9:0-9:8", "3:81-3:96")),
    ((BASE, 4, 50), ("config/arch/mlp_baseline.yaml", "6:0-6:10", "6:0-6:10", "4:41-4:58")),
    ((SEMI, 9, 10), (MAIN, "11:2-11:14", "11:2-11:14", "9:6-9:39")),
    ((SEMI, 13, 130), (MAIN, "13:2-13:16", "13:2-13:16", "13:120-13:141")),
    # module@Class: class part -> the class line, module segments -> files
    ((ARCH, 0, 35), ("models/recursive_reasoning/etrm.py", "24:0-24:30", "24:6-24:20", "0:31-0:45")),
    ((ARCH, 0, 27), ("models/recursive_reasoning/etrm.py", FILE, FILE, "0:26-0:30")),
    ((ARCH, 0, 10), ("models/recursive_reasoning/__init__.py", FILE, FILE, "0:6-0:25")),
    ((ARCH, 2, 10), ("models/losses.py", FILE, FILE, "2:8-2:14")),
    ((ARCH, 2, 20), ("models/losses.py", "8:0-8:18", "8:6-8:17", "2:15-2:26")),
    ((MAIN, 20, 15), ("evaluators/arc.py", "5:0-5:10", "5:6-5:9", "20:14-20:17")),
    ((MAIN, 20, 11), ("evaluators/arc.py", FILE, FILE, "20:10-20:13")),
    # ${.x} -> the key
    (("config/arch/trm.yaml", 18, 22), ("config/arch/trm.yaml", "14:0-14:11", "14:0-14:11", "18:17-18:32")),
    (("config/arch/mlp_baseline.yaml", 7, 17), ("config/arch/mlp_baseline.yaml", "5:0-5:11", "5:0-5:11", "7:17-7:32")),
    # a key of the main config's arch block -> the key it overrides in the arch config
    ((MAIN, 11, 4), (ARCH, "6:0-6:12", "6:0-6:12", "11:2-11:14")),
    ((MAIN, 13, 2), (ARCH, "11:0-11:14", "11:0-11:14", "13:2-13:16")),
]


async def _definition(client, root, rel, line, col):
    return await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(root / rel), position=pos(line, col)))


async def test_every_link_kind_leads_to_the_next(client, project):
    await start_nav(client, project)
    got = {}
    for (rel, line, col), _ in CASES:
        result = await _definition(client, project, rel, line, col)
        got[(rel, line, col)] = [link(project, r) for r in result] if result else result
    assert got == {where: [expected] for where, expected in CASES}


async def test_plain_locations_for_clients_without_link_support(client, project):
    await start_with(client, project, neovim_caps(link_support=False))
    result = await _definition(client, project, ARCH, 0, 35)
    assert [loc(project, r) for r in result] == [("models/recursive_reasoning/etrm.py", "24:6-24:20")]
    result = await _definition(client, project, SEMI, 4, 35)
    assert [loc(project, r) for r in result] == [("pretrain_etrm.py", FILE)]


async def test_target_and_absolute_interpolations(client, project):
    main = project / MAIN
    main.write_text(main.read_text() + "\nhead:\n  _target_: models.losses.ACTLossHead\n"
                    "  lr: ${lr}\n  steps: ${arch.halt_max_steps}\n")
    await start_nav(client, project, caps="vscode")
    cases = {
        (48, 20): ("models/losses.py", FILE, FILE, "48:19-48:25"),
        (48, 30): ("models/losses.py", "8:0-8:18", "8:6-8:17", "48:26-48:37"),
        (49, 8): (MAIN, "29:0-29:2", "29:0-29:2", "49:6-49:11"),
        (50, 15): (MAIN, "13:2-13:16", "13:2-13:16", "50:9-50:31"),
    }
    got = {}
    for (line, col) in cases:
        result = await _definition(client, project, MAIN, line, col)
        got[(line, col)] = [link(project, r) for r in result][0] if result else None
    assert got == cases


@pytest.mark.parametrize("caps", ["neovim", "vscode"])
async def test_nothing_to_go_to_is_none(client, project, tmp_path, caps):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("a: 1\n")
    await start_nav(client, project, caps=caps)
    quiet = [
        (SEMI, 0, 5),  # a comment
        (SEMI, 4, 95),  # +run_name=sf1: a key the config does not have
        ("jobs-pitfalls.txt", 13, 35),  # arch.halt_max_step: unknown key
        ("jobs-pitfalls.txt", 9, 35),  # pretrain_v2.py: no such script
        (ARCH, 0, 2),  # the `name` key: nothing overridden
        (ARCH, 6, 17),  # a plain value
        (MAIN, 400, 3),  # past the end
        (SEMI, 4, 900),  # past the end of the line
        ("pretrain_etrm.py", 142, 5),  # the decorated function itself
        ("models/recursive_reasoning/etrm.py", 24, 8),  # python: other servers' business
    ]
    for rel, line, col in quiet:
        assert await _definition(client, project, rel, line, col) is None, (rel, line, col)
    assert await _definition(client, outside.parent, "elsewhere.yaml", 0, 0) is None
    missing = project / "config" / "no_such.yaml"
    assert await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=missing.as_uri()), position=pos(0, 0))) is None
