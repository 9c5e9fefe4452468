"""The early indexer: `initialize` read before the heavy imports, a forked child's head start."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from trainpath.lsp import early

from .conftest import SERVER, start
from ._util_diagnostics import wait_for


def _frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_replay_gives_back_the_first_message_then_the_stream():
    first = _frame(b'{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}')
    second = _frame(b'{"jsonrpc": "2.0", "method": "initialized", "params": {}}')
    stdin = io.BytesIO(first + second)
    raw = early._read_message(stdin)
    assert raw == first
    stream = early.Replay(raw, stdin)
    assert stream.readline() == first.split(b"\r\n")[0] + b"\r\n"
    assert stream.readline() == b"\r\n"
    body = stream.read(len(first) - len(first.split(b"\r\n\r\n")[0]) - 4)
    assert body.startswith(b'{"jsonrpc"') and body.endswith(b"{}}")
    assert stream.readline().startswith(b"Content-Length: ")
    assert stream.readline() == b"\r\n"
    assert stream.read(10) == b'{"jsonrpc"'


def test_child_indexes_the_folders_named_by_initialize(project: Path):
    body = ('{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootUri": "%s", '
            '"initializationOptions": {"trainpath": {"rules": {"stale-name": "off"}}}}}' % project.as_uri()).encode()
    stream, handle = early.start(io.BytesIO(_frame(body)))
    assert handle is not None and handle.roots == [project]
    result = handle.wait(60)
    assert result is not None and set(result) == {project}
    codes = {(p.name, f.code) for p, fs in result[project].items() for f in fs}
    assert ("jobs-pitfalls.txt", "missing-script") in codes
    assert not any(code == "stale-name" for _, code in codes)  # initializationOptions were applied
    assert stream.readline().startswith(b"Content-Length: ")  # pygls still gets the message


def test_no_fork_for_other_first_messages_or_when_disabled(monkeypatch):
    stream, handle = early.start(io.BytesIO(_frame(b'{"jsonrpc": "2.0", "id": 1, "method": "shutdown"}')))
    assert handle is None and stream.readline().startswith(b"Content-Length: ")
    monkeypatch.setenv("TRAINPATH_NO_PREFORK", "1")
    data = io.BytesIO(b"x")
    stream, handle = early.start(data)
    assert handle is None and stream is data


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env={**os.environ, "TRAINPATH_NO_PREFORK": "1"}))
async def plain_client(lsp_client: LanguageClient):
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_server_without_the_early_indexer_gives_the_same_diagnostics(plain_client, project):
    await start(plain_client, project)
    uri = (project / "jobs-pitfalls.txt").as_uri()
    assert await wait_for(lambda: uri in plain_client.diagnostics)
    codes = sorted((d.range.start.line, d.code) for d in plain_client.diagnostics[uri])
    assert (9, "missing-script") in codes
