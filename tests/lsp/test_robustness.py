"""The server never dies on what a user can type or an editor can send; it never runs project code.

Every test talks to a real ``trainpath serve`` process over stdio.  After
each bad input the server must still answer a normal request correctly
(``healthy``: the four code lenses of ``jobs-etrm-semi-final.txt``).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from ._util_fixes import begin, change_doc, execute, open_doc, wait_for

REPO = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "trainpath", "serve"]
ETRM = "✅ pretrain_etrm.py → cfg_pretrain_etrm_arc_agi_1 → arch/etrm → TRMWithEncoder"
METHOD_NOT_FOUND, INVALID_PARAMS, REQUEST_CANCELLED = -32601, -32602, -32800


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def bare(lsp_client: LanguageClient):
    """A client whose test may shut the server down itself."""
    yield lsp_client
    if lsp_client._server is not None and lsp_client._server.returncode is None:
        await lsp_client.shutdown_session()


def doc(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=path.as_uri())


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


async def timed(awaitable, timeout: float = 15.0):
    return await asyncio.wait_for(awaitable, timeout)


async def raw_request(client, msg_id: str, method: str, params):
    """Send a request exactly as given (no typed serialisation) and wait for its answer."""
    from concurrent.futures import Future

    future: Future = Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await timed(asyncio.wrap_future(future))


async def lens_titles(client, path: Path) -> list[tuple[int, str]]:
    result = await timed(client.text_document_code_lens_async(types.CodeLensParams(text_document=doc(path))))
    return [(lens.range.start.line, lens.command.title) for lens in result or []]


async def healthy(client, project: Path, timeout: float = 10.0) -> None:
    """The server answers, and (once any pending re-check is done) answers right."""
    expected = [(4, ETRM), (7, ETRM), (13, ETRM), (16, ETRM)]
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    titles = await lens_titles(client, project / "jobs-etrm-semi-final.txt")
    while titles != expected and loop.time() < end:
        await asyncio.sleep(0.05)
        titles = await lens_titles(client, project / "jobs-etrm-semi-final.txt")
    assert titles == expected


async def poke(client, path: Path, line: int, character: int) -> None:
    """Every position request a user triggers; each must answer (any result), never fail."""
    p = pos(line, character)
    await timed(client.text_document_hover_async(types.HoverParams(text_document=doc(path), position=p)))
    await timed(client.text_document_definition_async(types.DefinitionParams(text_document=doc(path), position=p)))
    await timed(client.text_document_completion_async(types.CompletionParams(text_document=doc(path), position=p)))
    await timed(client.text_document_references_async(types.ReferenceParams(
        text_document=doc(path), position=p, context=types.ReferenceContext(include_declaration=True))))
    await timed(client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc(path), range=types.Range(start=p, end=p), context=types.CodeActionContext(diagnostics=[]))))
    await timed(client.text_document_code_lens_async(types.CodeLensParams(text_document=doc(path))))


def codes_of(client, path: Path) -> set:
    return {d.code for d in client.diagnostics.get(path.as_uri(), ())}


async def test_half_written_yaml(client, project):
    await begin(client, project, "neovim")
    cfg = project / "config" / "cfg_pretrain_etrm_arc_agi_1.yaml"
    original = cfg.read_text()
    open_doc(client, cfg, language="yaml")
    steps = [
        ("defaults:\n  - arch: et", "missing-default"),
        ("defaults:\n  - arch: etrm\n  - _self_\narch:\n  name: recursive_reasoning.etrm@\n", None),
        ("defaults:\n  - arch: [etrm\nx: {a: 1\n  - : :\n\t", "yaml-syntax"),
        ("", None),
        ("defaults: 7\n", None),
    ]
    for version, (text, code) in enumerate(steps, start=2):
        change_doc(client, cfg, text, version)
        if code is not None:
            assert await wait_for(lambda: code in codes_of(client, cfg)), (text, code)
        for line, character in ((0, 0), (1, 11), (4, 40), (50, 3)):
            await poke(client, cfg, line, character)
    change_doc(client, cfg, original, 99)
    assert await wait_for(lambda: codes_of(client, cfg) == set())
    await healthy(client, project)


async def test_job_line_and_python_mid_edit(client, project):
    await begin(client, project, "neovim")
    jobs = project / "jobs-etrm-semi-final.txt"
    original = jobs.read_text()
    open_doc(client, jobs)
    broken = original.replace("+run_name=sf1", "+run_name='sf1 arch.x=\"1 \\")
    change_doc(client, jobs, broken, 2)
    await poke(client, jobs, 4, 60)
    await poke(client, jobs, 4, 500)
    change_doc(client, jobs, original, 3)
    await healthy(client, project)
    script = project / "pretrain_etrm.py"
    source = script.read_text()
    open_doc(client, script, language="python")
    change_doc(client, script, source.replace("def launch(", "def launch((", 1) + "\nclass  :\n", 2)
    assert await wait_for(lambda: "python-syntax" in codes_of(client, script))
    await poke(client, script, 141, 30)
    await poke(client, script, 0, 0)
    change_doc(client, script, source, 3)
    assert await wait_for(lambda: "python-syntax" not in codes_of(client, script))
    await healthy(client, project)


async def test_file_deleted_while_open_and_positions_past_the_end(client, project):
    await begin(client, project, "neovim")
    arch = project / "config" / "arch" / "etrm_typo.yaml"
    open_doc(client, arch, language="yaml")
    arch.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=arch.as_uri(), type=types.FileChangeType.Deleted)]))
    for line, character in ((1, 10), (12, 3), (0, 0), (10_000, 10_000)):
        await poke(client, arch, line, character)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc(arch)))
    await poke(client, arch, 1, 10)
    # the chain that used it now misses its option; everything else still resolves
    jobs = project / "jobs-pitfalls.txt"
    assert await wait_for(lambda: "missing-override-option" in codes_of(client, jobs)
                          and any(d.range.start.line == 21 for d in client.diagnostics[jobs.as_uri()]
                                  if d.code == "missing-override-option"))
    for path in (jobs, project / "pretrain.py", project / "config" / "arch" / "etrm.yaml", project / "nothing.yaml"):
        await poke(client, path, 10_000, 0)
        await poke(client, path, 3, 10_000)
    await healthy(client, project)


async def test_unknown_methods_malformed_params_and_cancel(client, project):
    await begin(client, project, "vscode")
    with pytest.raises(JsonRpcException) as info:
        await timed(client.protocol.send_request_async("trainpath/noSuchMethod", {"x": 1}))
    assert info.value.code == METHOD_NOT_FOUND
    await healthy(client, project)
    client.protocol.notify("trainpath/noSuchNotification", {"x": 1})
    await healthy(client, project)
    for n, (method, params) in enumerate((
        (types.TEXT_DOCUMENT_CODE_LENS, {"textDocument": 5}),
        (types.TEXT_DOCUMENT_HOVER, {"textDocument": {"uri": (project / "pretrain.py").as_uri()}}),
        (types.TEXT_DOCUMENT_CODE_ACTION, {"textDocument": {"uri": 3}, "range": "x", "context": {}}),
        (types.WORKSPACE_EXECUTE_COMMAND, {"command": 17}),
    )):
        with pytest.raises(JsonRpcException) as info:
            await raw_request(client, f"bad-{n}", method, params)
        assert info.value.code == INVALID_PARAMS, method
        await healthy(client, project)
    # a malformed notification is dropped
    client.protocol._send_data({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_DID_CHANGE, "params": {"textDocument": None}})
    await healthy(client, project)
    # cancelling: an unknown id is harmless, a pending request is answered or cancelled, never lost
    client.protocol.notify("$/cancelRequest", types.CancelParams(id=987654))
    jobs = project / "jobs-pitfalls.txt"
    pending = client.protocol.send_request_async(
        types.WORKSPACE_EXECUTE_COMMAND, types.ExecuteCommandParams(command="trainpath.showChain", arguments=[]),
        msg_id="to-cancel")
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="to-cancel"))
    try:
        result = await timed(pending)
        assert result.startswith("**Task**")
    except JsonRpcException as exc:
        assert exc.code == REQUEST_CANCELLED
    assert (await execute(client, "trainpath.showChain", jobs.as_uri(), 9)).startswith("**Task**")
    await healthy(client, project)


async def test_shutdown_and_exit_clean(bare, project):
    await begin(bare, project, "neovim")
    await healthy(bare, project)
    await timed(bare.shutdown_session(), 30)
    assert bare._server.returncode == 0


async def test_never_executes_project_code(client, tmp_path):
    root = tmp_path / "noexec"
    shutil.copytree(REPO / "tests" / "fixtures" / "noexec", root)
    root = root.resolve()
    cwd_marker = Path.cwd() / "PWNED"
    before = cwd_marker.exists()
    await begin(client, root, "vscode")
    places = {
        "jobs-noexec.txt": [(1, 8), (1, 25), (1, 40)],
        "train.py": [(5, 10), (10, 3), (10, 50), (16, 40)],
        "config/cfg_train.yaml": [(1, 10), (8, 12), (11, 20)],
        "config/arch/net.yaml": [(0, 10), (0, 14), (2, 12), (5, 3)],
        "models/nets/net.py": [(0, 0), (8, 8)],
    }
    for rel, positions in places.items():
        path = root / rel
        open_doc(client, path, language="python" if rel.endswith(".py") else "plaintext")
        for line, character in positions:
            await poke(client, path, line, character)
    await execute(client, "trainpath.showChain")
    await execute(client, "trainpath.showComposedConfig", (root / "jobs-noexec.txt").as_uri(), 1)
    titles = await lens_titles(client, root / "jobs-noexec.txt")
    assert titles == [(1, "✅ train.py → cfg_train → arch/net → Net")]
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("PWNED")) == []
    assert cwd_marker.exists() == before
