"""Helpers for the diagnostics tests: expected findings as LSP tuples, polling, edits."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import EXAMPLE

Row = tuple[int, int, int, int, str]  # 0-based start line/col, end line/col, code


def expected_rows() -> dict[str, list[Row]]:
    """``examples/trm_project/expected.json`` as {relative path: sorted 0-based rows}."""
    out: dict[str, list[Row]] = {}
    for r in json.loads((EXAMPLE / "expected.json").read_text()):
        out.setdefault(r["path"], []).append(
            (r["line"] - 1, r["column"] - 1, r["end_line"] - 1, r["end_column"] - 1, r["code"]))
    return {k: sorted(v) for k, v in out.items()}


def rows(diags) -> list[Row]:
    return sorted((d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.code)
                  for d in diags)


async def wait_for(predicate, timeout: float = 20.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


def pushed(client: LanguageClient, path: Path) -> list[Row]:
    return rows(client.diagnostics.get(path.as_uri(), ()))


async def wait_pushed(client: LanguageClient, path: Path, want: list[Row], timeout: float = 20.0) -> list[Row]:
    await wait_for(lambda: pushed(client, path) == want, timeout)
    return pushed(client, path)


async def pulled(client: LanguageClient, path: Path) -> list[Row]:
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri())))
    return rows(report.items)


async def wait_ready(client: LanguageClient, timeout: float = 30.0) -> None:
    """Until the server logged that it indexed every folder (the first diagnostics follow at once)."""
    await wait_for(lambda: any("trainpath: indexed" in m.message for m in client.log_messages), timeout)


def rechecks(client: LanguageClient) -> list[str]:
    return [m.message for m in client.log_messages if m.message.startswith("trainpath: re-checked")]


def open_doc(client: LanguageClient, path: Path, text: str | None = None, language: str = "yaml") -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=path.as_uri(), language_id=language, version=1, text=path.read_text() if text is None else text)))


def change_doc(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def watched(client: LanguageClient, *changes: tuple[Path, types.FileChangeType]) -> None:
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=p.as_uri(), type=t) for p, t in changes]))
