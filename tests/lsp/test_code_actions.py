"""Quick fixes (``textDocument/codeAction``) on the bundled example, end to end over stdio."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from ._util_fixes import accept_registrations, begin, change_doc, code_actions, diagnostics, open_doc, rng, rng_str, text_edits, wait_for

QF = types.CodeActionKind.QuickFix

#: jobs-pitfalls.txt: diagnostic (code, range) -> [(title, preferred, [(file, range, new text)])]
JOB_FIXES = {
    ("config-name-mismatch", "3:63-3:85"): [
        ("Change `cfg_pretrain_arc_agi_1` to `cfg_pretrain_etrm_arc_agi_1`", True,
         [("jobs-pitfalls.txt", "3:63-3:85", "cfg_pretrain_etrm_arc_agi_1")]),
    ],
    ("stale-name", "6:11-6:31"): [
        ("Drop the stale suffix: use `pretrain.py`", True, [("jobs-pitfalls.txt", "6:11-6:31", "pretrain.py")]),
    ],
    ("missing-script", "9:32-9:46"): [
        ("Change `pretrain_v2.py` to `pretrain.py`", True, [("jobs-pitfalls.txt", "9:32-9:46", "pretrain.py")]),
    ],
    ("invalid-choice", "12:46-12:60"): [
        ("Change `hybrid_standrd` to `hybrid_standard`", True, [("jobs-pitfalls.txt", "12:46-12:60", "hybrid_standard")]),
    ],
    ("unknown-override-key", "13:28-13:46"): [
        ("Change `arch.halt_max_step` to `arch.halt_max_steps`", True,
         [("jobs-pitfalls.txt", "13:28-13:46", "arch.halt_max_steps")]),
        ("Add a new key: `+arch.halt_max_step=8`", None, [("jobs-pitfalls.txt", "13:28-13:46", "+arch.halt_max_step")]),
    ],
    ("append-existing-key", "14:28-14:48"): [
        ("Use `++arch.halt_max_steps=8` (add or change)", True,
         [("jobs-pitfalls.txt", "14:28-14:48", "++arch.halt_max_steps")]),
        ("Use `arch.halt_max_steps=8` (change the existing key)", None,
         [("jobs-pitfalls.txt", "14:28-14:48", "arch.halt_max_steps")]),
    ],
    ("missing-override-option", "15:33-15:40"): [
        ("Change `etrm_v3` to `etrm`", True, [("jobs-pitfalls.txt", "15:33-15:40", "etrm")]),
        ("Create `config/arch/etrm_v3.yaml` from `config/arch/etrm.yaml`", None, "create"),
    ],
    ("data-mode-mismatch", "18:40-18:63"): [],
}


def _summary(actions):
    out = []
    for a in actions:
        assert a.kind == QF
        edits = text_edits(a) if a.edit.changes else "create"
        out.append((a.title, a.is_preferred, edits))
    return out


#: config files: file -> [(title, preferred, [(file, range, new text)])] over all its diagnostics
CONFIG_FIXES = {
    "config/arch/etrm_moved.yaml":
        [("Change `recursive_reasoning.etrm_v2` to `recursive_reasoning.etrm`", True,
          [("etrm_moved.yaml", "1:6-1:33", "recursive_reasoning.etrm")])],
    "config/arch/etrm_typo.yaml":
        [("Change `halt_max_step` to `halt_max_steps`", True, [("etrm_typo.yaml", "12:0-12:13", "halt_max_steps")])],
    "config/arch/etrm_badchoice.yaml":
        [("Change `hybrid_standrd` to `hybrid_standard`", True,
          [("etrm_badchoice.yaml", "7:14-7:28", "hybrid_standard")])],
    "config/arch/etrm_fixed.yaml": [],
}


@pytest.mark.parametrize("caps", ["neovim", "vscode"])
async def test_every_fix_is_exact(client, project, caps):
    await begin(client, project, caps)
    path = project / "jobs-pitfalls.txt"
    diags = await diagnostics(client, path, caps)
    assert sorted((d.code, rng_str(d.range)) for d in diags) == sorted(JOB_FIXES)
    for diag in diags:
        actions = await code_actions(client, path, [diag])
        assert _summary(actions) == JOB_FIXES[(diag.code, rng_str(diag.range))], diag.code
        for a in actions:
            assert list(a.diagnostics) == [diag]
    for rel, expected in CONFIG_FIXES.items():
        actions = []
        for d in await diagnostics(client, project / rel, caps):
            actions += await code_actions(client, project / rel, [d])
        assert _summary(actions) == expected, rel
    await _create_missing_arch_config(client, project, caps)


async def _create_missing_arch_config(client, project, caps):
    path = project / "config" / "cfg_pitfall_missing_arch.yaml"
    diags = await diagnostics(client, path, caps)
    assert [(d.code, rng_str(d.range)) for d in diags] == [("missing-default", "3:10-3:14")]
    actions = await code_actions(client, path, diags)
    assert [(a.title, a.is_preferred) for a in actions] == [
        ("Change `etmr` to `etrm`", True),
        ("Create `config/arch/etmr.yaml` from `config/arch/etrm.yaml`", None),
    ]
    assert text_edits(actions[0]) == [("cfg_pitfall_missing_arch.yaml", "3:10-3:14", "etrm")]
    create = actions[1].edit
    assert create.changes is None
    new_uri = (project / "config" / "arch" / "etmr.yaml").as_uri()
    first, second = create.document_changes
    assert isinstance(first, types.CreateFile)
    assert first.uri == new_uri
    assert first.options == types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
    assert isinstance(second, types.TextDocumentEdit)
    assert second.text_document.uri == new_uri
    assert [(rng_str(e.range), e.new_text) for e in second.edits] == [
        ("0:0-0:0", (project / "config" / "arch" / "etrm.yaml").read_text())]


async def test_no_create_fix_without_resource_operations(client, project):
    caps = client_capabilities("visual-studio-code")
    caps.workspace.workspace_edit.resource_operations = None
    accept_registrations(client)
    await client.initialize_session(types.InitializeParams(
        capabilities=caps, root_uri=project.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="p")]))
    path = project / "jobs-pitfalls.txt"
    diags = [d for d in await diagnostics(client, path, "vscode") if d.code == "missing-override-option"]
    actions = await code_actions(client, path, diags)
    assert [a.title for a in actions] == ["Change `etrm_v3` to `etrm`"]


async def test_fix_applied_clears_the_finding(client, project):
    await begin(client, project, "neovim")
    path = project / "jobs-pitfalls.txt"
    uri = path.as_uri()
    diags = await diagnostics(client, path, "neovim")
    diag = next(d for d in diags if d.code == "missing-script")
    (action,) = await code_actions(client, path, [diag])
    edit = action.edit.changes[uri][0]
    lines = path.read_text().split("\n")
    line = lines[edit.range.start.line]
    lines[edit.range.start.line] = line[:edit.range.start.character] + edit.new_text + line[edit.range.end.character:]
    open_doc(client, path)
    change_doc(client, path, "\n".join(lines), 2)
    assert await wait_for(lambda: not any(d.code == "missing-script" for d in client.diagnostics.get(uri, ())))
    assert any(d.code == "stale-name" for d in client.diagnostics[uri])
    # the old diagnostic is stale now: no fix for it
    assert await code_actions(client, path, [diag]) == []


async def test_context_filters_and_odd_documents(client, project, tmp_path):
    await begin(client, project, "neovim")
    path = project / "jobs-pitfalls.txt"
    diags = await diagnostics(client, path, "neovim")
    diag = next(d for d in diags if d.code == "missing-script")
    # a kind the server does not offer
    assert await code_actions(client, path, [diag], only=[types.CodeActionKind.Source]) == []
    assert len(await code_actions(client, path, [diag], only=[types.CodeActionKind.QuickFix])) == 1
    # another tool's diagnostic at the same place: nothing
    other = types.Diagnostic(range=diag.range, message="x", code="missing-script", source="other-linter")
    assert await code_actions(client, path, [other]) == []
    # a client that sends no diagnostics: the findings under the requested range
    actions = await code_actions(client, path, [], where=rng("13:30-13:30"))
    assert [a.title for a in actions] == ["Change `arch.halt_max_step` to `arch.halt_max_steps`",
                                          "Add a new key: `+arch.halt_max_step=8`"]
    assert [rng_str(a.diagnostics[0].range) for a in actions] == ["13:28-13:46", "13:28-13:46"]
    # a clean line
    assert await code_actions(client, path, [], where=rng("3:0-3:5")) == []

    outside = tmp_path / "elsewhere.txt"
    outside.write_text("python x.py\n")
    diag = types.Diagnostic(range=rng("0:0-0:4"), message="x", code="missing-script", source="trainpath")
    assert await code_actions(client, outside, [diag]) == []
    assert await code_actions(client, project / "no_such_file.txt", [diag]) == []
    far = types.Diagnostic(range=rng("900:0-900:4"), message="x", code="missing-script", source="trainpath")
    assert await code_actions(client, project / "jobs-pitfalls.txt", [far], where=rng("900:0-900:4")) == []
