"""``textDocument/prepareRename`` + ``textDocument/rename``: a config file and every name that selects it."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from ._util_nav import doc, pos, rel, rstr, start_nav

MAIN = "config/cfg_pretrain_etrm_arc_agi_1.yaml"
SEMI = "jobs-etrm-semi-final.txt"
REQUEST_FAILED = -32803


async def _prepare(client, root, path, line, col):
    return await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(root / path), position=pos(line, col)))


async def _rename(client, root, path, line, col, new):
    return await client.text_document_rename_async(
        types.RenameParams(text_document=doc(root / path), position=pos(line, col), new_name=new))


def _shape(root, edit: types.WorkspaceEdit) -> list:
    """documentChanges as plain tuples: ('edit', file, version, [(range, text)]) / ('rename', old, new, options)."""
    out = []
    for change in edit.document_changes:
        if isinstance(change, types.RenameFile):
            opts = (change.options.overwrite, change.options.ignore_if_exists)
            out.append(("rename", rel(root, change.old_uri), rel(root, change.new_uri), opts))
        else:
            out.append(("edit", rel(root, change.text_document.uri), change.text_document.version,
                        [(rstr(e.range), e.new_text) for e in change.edits]))
    return out


async def test_rename_arch_option_etrm_to_etrm2(client, project):
    experiment = project / "config" / "experiment" / "etrm_long.yaml"
    experiment.parent.mkdir()
    experiment.write_text('# @package _global_\ndefaults:\n  - override /arch: etrm\n  - /arch@extra: "etrm"\n')
    await start_nav(client, project, caps="vscode")
    main_text = (project / MAIN).read_text()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=(project / MAIN).as_uri(), language_id="yaml", version=3, text=main_text)))

    prepared = await _prepare(client, project, MAIN, 3, 11)
    assert (rstr(prepared.range), prepared.placeholder) == ("3:10-3:14", "etrm")
    prepared = await _prepare(client, project, SEMI, 16, 58)
    assert (rstr(prepared.range), prepared.placeholder) == ("16:54-16:58", "etrm")

    expected = [
        ("edit", "config/cfg_pitfalls_etrm.yaml", None, [("3:10-3:14", "etrm2")]),
        ("edit", "config/cfg_pretrain_etrm_arc_agi_1.yaml", 3, [("3:10-3:14", "etrm2")]),
        ("edit", "config/experiment/etrm_long.yaml", None, [("2:20-2:24", "etrm2"), ("3:18-3:22", "etrm2")]),
        ("edit", "jobs-etrm-semi-final.txt", None, [("16:54-16:58", "etrm2")]),
        ("rename", "config/arch/etrm.yaml", "config/arch/etrm2.yaml", (False, False)),
    ]
    assert _shape(project, await _rename(client, project, MAIN, 3, 11, "etrm2")) == expected
    # the same edit from the job line's override, and with a `.yaml` suffix typed
    assert _shape(project, await _rename(client, project, SEMI, 16, 55, "etrm2.yaml")) == expected


async def test_rename_main_config_from_config_name(client, project):
    await start_nav(client, project, caps="vscode")
    prepared = await _prepare(client, project, "pretrain_etrm.py", 141, 50)
    assert (rstr(prepared.range), prepared.placeholder) == ("141:47-141:74", "cfg_pretrain_etrm_arc_agi_1")
    edit = await _rename(client, project, SEMI, 4, 70, "cfg_etrm")
    assert _shape(project, edit) == [
        ("edit", SEMI, None, [("4:63-4:90", "cfg_etrm"), ("8:20-8:47", "cfg_etrm"), ("13:92-13:119", "cfg_etrm")]),
        ("edit", "pretrain_etrm.py", None, [("141:47-141:74", "cfg_etrm")]),
        ("edit", "scripts/launch_etrm.sh", None, [("13:18-13:45", "cfg_etrm")]),
        ("rename", MAIN, "config/cfg_etrm.yaml", (False, False)),
    ]


async def test_bad_new_names_are_refused(client, project):
    await start_nav(client, project, caps="vscode")
    refusals = {
        "etrm 2": "has a space",
        "arch/etrm2": "has a `/`",
        "etrm_fixed": "`arch/etrm_fixed.yaml` already exists",
        "  ": "the new name is empty",
        "etrm": "the config is already named `etrm`",
        "a=b": "is not a usable config name",
        "null": "is not a usable config name",
    }
    for new, why in refusals.items():
        with pytest.raises(JsonRpcException) as info:
            await _rename(client, project, MAIN, 3, 11, new)
        assert info.value.code == REQUEST_FAILED
        assert info.value.message.startswith(f"trainpath: cannot rename `etrm` to `{new}`: ")
        assert why in info.value.message, new


async def test_not_renamable_and_client_without_file_renames(client, project):
    await start_nav(client, project)  # neovim 0.7: resourceOperations but no documentChanges
    # nothing renamable under the cursor: None, whatever the client
    assert await _prepare(client, project, MAIN, 11, 4) is None  # a key
    assert await _prepare(client, project, SEMI, 4, 35) is None  # a script
    assert await _prepare(client, project, "config/arch/etrm.yaml", 0, 35) is None  # a class
    assert await _prepare(client, project, "jobs-pitfalls.txt", 15, 45) is None  # a missing option
    assert await _rename(client, project, SEMI, 0, 0, "x") is None
    for request in (_prepare(client, project, MAIN, 3, 11), _rename(client, project, MAIN, 3, 11, "etrm2")):
        with pytest.raises(JsonRpcException) as info:
            await request
        assert info.value.code == REQUEST_FAILED
        assert "does not accept file renames" in info.value.message
