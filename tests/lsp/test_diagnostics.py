"""Live diagnostics end to end: push and pull, cross-file re-checks, watched files, settings, multi-root."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities

from ._util_diagnostics import (
    change_doc, expected_rows, open_doc, pulled, pushed, rechecks, rows, wait_for, wait_pushed, watched,
)
from .conftest import REPO, start

EXPECTED = expected_rows()
PITFALLS = "jobs-pitfalls.txt"


async def begin(client, project: Path, caps: str = "neovim", options: dict | None = None) -> None:
    """``start``, with a client that accepts the server's dynamic registrations (watched files)."""
    _accept_registrations(client)
    await start(client, project, caps=caps, options=options)


def _accept_registrations(client) -> None:
    if types.CLIENT_REGISTER_CAPABILITY not in client.protocol.fm.features:
        client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)


async def _all_pushed(client, project: Path) -> None:
    for rel, want in EXPECTED.items():
        assert await wait_pushed(client, project / rel, want) == want, rel


async def test_push_at_start_on_never_opened_files(client, project):
    statuses: list = []
    if "trainpath/status" in client.protocol.fm.features:
        del client.protocol.fm.features["trainpath/status"]
    client.feature("trainpath/status")(lambda params: statuses.append(params))
    await begin(client, project, caps="neovim")
    await _all_pushed(client, project)
    # nothing else: every non-empty push is an expected file
    nonempty = {uri for uri, diags in client.diagnostics.items() if diags}
    assert nonempty == {(project / rel).as_uri() for rel in EXPECTED}
    assert await wait_for(lambda: any(_get(s, "state") == "ready" for s in statuses))
    ready = [s for s in statuses if _get(s, "state") == "ready"][-1]
    # job chains with an error: jobs-pitfalls.txt lines 10, 13, 14, 15, 16 and 24 (which trains etrm_badchoice)
    assert _get(ready, "brokenChains") == 6
    assert _get(statuses[0], "state") == "indexing"


def _get(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


async def test_pull_with_vscode_capabilities(client, project):
    await begin(client, project, caps="vscode")
    report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    got = {item.uri: rows(item.items) for item in report.items if item.items}
    assert got == {(project / rel).as_uri(): want for rel, want in EXPECTED.items()}
    job = project / PITFALLS
    first = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=job.as_uri())))
    assert first.kind == "full" and rows(first.items) == EXPECTED[PITFALLS]
    again = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=job.as_uri()), previous_result_id=first.result_id))
    assert again.kind == "unchanged" and again.result_id == first.result_id
    same = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(
        previous_result_ids=[types.PreviousResultId(uri=job.as_uri(), value=first.result_id)]))
    kinds = {item.uri: item.kind for item in same.items}
    assert kinds[job.as_uri()] == "unchanged"
    # a file outside every workspace folder, and one past the end of the world: empty, no error
    assert await pulled(client, REPO / "README.md") == []
    assert await pulled(client, project / "no" / "such.yaml") == []


async def test_editing_arch_name_updates_dependent_job_file_then_revert_clears(client, project):
    await begin(client, project, caps="neovim")
    await _all_pushed(client, project)
    arch = project / "config" / "arch" / "etrm.yaml"
    text = arch.read_text()
    open_doc(client, arch)
    broken = text.replace("@TRMWithEncoder\n", "@TRMWithEncoderGone\n", 1)
    change_doc(client, arch, broken, 2)
    assert await wait_pushed(client, arch, [(0, 6, 0, 49, "missing-class")]) == [(0, 6, 0, 49, "missing-class")]
    # the model is gone: the job file that trains it loses the verdicts that needed the model (nobody opened it)
    lost = {(3, "config-name-mismatch"), (12, "invalid-choice"), (18, "data-mode-mismatch")}
    want = [r for r in EXPECTED[PITFALLS] if (r[0], r[4]) not in lost]
    assert await wait_pushed(client, project / PITFALLS, want) == want
    change_doc(client, arch, text, 3)
    assert await wait_pushed(client, arch, []) == []
    assert await wait_pushed(client, project / PITFALLS, EXPECTED[PITFALLS]) == EXPECTED[PITFALLS]
    assert arch.read_text() == text  # the disk was never touched


async def test_rename_on_disk_and_back_through_watched_files(client, project):
    await begin(client, project, caps="vscode")
    main = project / "config" / "cfg_pretrain_etrm_arc_agi_1.yaml"
    await _all_pushed(client, project)
    arch = project / "config" / "arch" / "etrm.yaml"
    moved = arch.with_name("etrm_renamed.yaml")
    arch.rename(moved)
    watched(client, (arch, types.FileChangeType.Deleted), (moved, types.FileChangeType.Created))
    want = [(3, 10, 3, 14, "missing-default")]
    assert await wait_pushed(client, main, want) == want
    assert client.diagnostics[main.as_uri()][0].message.startswith("no config `arch/etrm`")
    moved.rename(arch)
    watched(client, (moved, types.FileChangeType.Deleted), (arch, types.FileChangeType.Created))
    assert await wait_pushed(client, main, []) == []
    await _all_pushed(client, project)


async def test_burst_of_changes_costs_one_recheck(client, project):
    await begin(client, project, caps="neovim")
    await _all_pushed(client, project)
    job = project / "jobs-etrm-semi-final.txt"
    text = job.read_text()
    open_doc(client, job, language="plaintext")
    await asyncio.sleep(0.2)
    before = len(rechecks(client))
    assert before == 0  # opening with the disk's text re-checks nothing
    for version in range(2, 12):
        change_doc(client, job, text.replace("pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 +run_name=sf1",
                                             f"pretrain_etrm_{version}.py --config-name cfg_pretrain_etrm_arc_agi_1 +run_name=sf1"),
                   version)
    want = [(4, 32, 4, 51, "missing-script")]  # pretrain_etrm_11.py
    assert await wait_pushed(client, job, want) == want
    await asyncio.sleep(0.3)
    assert len(rechecks(client)) == 1, rechecks(client)
    assert rechecks(client)[0].startswith("trainpath: re-checked 1 file(s) in ")


async def test_unrelated_files_get_nothing(client, project):
    ci = project / ".github" / "workflows" / "ci.yml"
    ci.parent.mkdir(parents=True)
    ci.write_text("jobs:\n  train:\n    steps:\n      - run: torchrun missing_script.py --config-name nope arch=zzz\n")
    compose = project / "docker-compose.yml"
    compose.write_text("services:\n  train:\n    command: python pretrain_v9.py --config-name cfg_nope +x=1\n")
    tool = project / "tools" / "plot.py"
    tool.parent.mkdir()
    tool.write_text("import sys\nfrom models.nowhere import Nothing\nprint(sys.argv)\n")
    await begin(client, project, caps="vscode")
    await _all_pushed(client, project)
    for path, lang in ((ci, "yaml"), (compose, "yaml"), (tool, "python")):
        open_doc(client, path, language=lang)
        change_doc(client, path, path.read_text() + "\n# torchrun gone.py --config-name nope\n", 2)
    await asyncio.sleep(0.4)
    for path in (ci, compose, tool):
        assert not client.diagnostics.get(path.as_uri()), path
        assert await pulled(client, path) == []
    report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    assert {item.uri for item in report.items if item.items} == {(project / rel).as_uri() for rel in EXPECTED}


async def test_multi_root_folders_have_their_own_settings_and_index(client, project, tmp_path):
    clean = tmp_path / "clean_trm"
    shutil.copytree(REPO / "tests" / "fixtures" / "clean_trm", clean)
    clean = clean.resolve()
    client.set_configuration({"rules": {"stale-name": "off"}}, section="trainpath", scope_uri=project.as_uri())
    client.set_configuration({"rules": {"missing-script": "off"}}, section="trainpath", scope_uri=clean.as_uri())
    _accept_registrations(client)
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="trm"),
                           types.WorkspaceFolder(uri=clean.as_uri(), name="clean")]))
    job = project / PITFALLS
    want = [r for r in EXPECTED[PITFALLS] if r[4] != "stale-name"]
    assert await wait_pushed(client, job, want) == want
    assert await pulled(client, job) == want
    # the clean folder: nothing, and a mistake there is judged with its own settings (missing-script off)
    etrm_jobs = clean / "jobs-etrm.txt"
    assert await pulled(client, etrm_jobs) == []
    text = etrm_jobs.read_text()
    broken = text.replace("pretrain_etrm.py", "pretrain_etrm_v9.py", 1)
    assert broken != text
    open_doc(client, etrm_jobs, broken, language="plaintext")
    assert await wait_for(lambda: len(rechecks(client)) >= 1)
    assert pushed(client, etrm_jobs) == [] and await pulled(client, etrm_jobs) == []
    # in the first folder the same mistake is reported: its settings leave missing-script on
    pit = job.read_text()
    open_doc(client, job, pit.replace("pretrain_etrm.py --config-name cfg_pretrain_arc_agi_1",
                                      "pretrain_etrm_v9.py --config-name cfg_pretrain_arc_agi_1", 1),
             language="plaintext")
    moved = sorted([r for r in want if r[0] != 3] + [(3, 32, 3, 51, "missing-script")])
    assert await wait_pushed(client, job, moved) == moved
    assert await pulled(client, job) == moved
    assert pushed(client, etrm_jobs) == []


async def test_did_change_configuration_turns_a_rule_off_and_on(client, project):
    await begin(client, project, caps="neovim")
    await _all_pushed(client, project)
    job = project / PITFALLS
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"trainpath": {"rules": {"stale-name": "off", "missing-script": "info"}}}))
    want = [r for r in EXPECTED[PITFALLS] if r[4] != "stale-name"]
    assert await wait_pushed(client, job, want) == want
    sev = {d.code: d.severity for d in client.diagnostics[job.as_uri()]}
    assert sev["missing-script"] == types.DiagnosticSeverity.Information
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"trainpath": {}}))
    assert await wait_pushed(client, job, EXPECTED[PITFALLS]) == EXPECTED[PITFALLS]


async def test_open_document_text_wins_over_disk(client, project):
    await begin(client, project, caps="neovim")
    await _all_pushed(client, project)
    job = project / "jobs-etrm-semi-final.txt"
    disk = job.read_text()
    buffer = disk.replace("pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 +run_name=sf1",
                          "pretrain_etrm_gone.py --config-name cfg_pretrain_etrm_arc_agi_1 +run_name=sf1")
    open_doc(client, job, buffer, language="plaintext")
    want = [(4, 32, 4, 53, "missing-script")]
    assert await wait_pushed(client, job, want) == want
    # the disk changes under the open buffer: the buffer still wins
    job.write_text(disk + "\n[ ] python pretrain_v7.py\n")
    watched(client, (job, types.FileChangeType.Changed))
    await asyncio.sleep(0.3)
    assert pushed(client, job) == want
    # closing the buffer goes back to the disk's text
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=job.as_uri())))
    lines = (disk + "\n[ ] python pretrain_v7.py\n").split("\n")
    n = next(i for i, l in enumerate(lines) if "pretrain_v7.py" in l)
    want = [(n, 11, n, 25, "missing-script")]
    assert await wait_pushed(client, job, want) == want
