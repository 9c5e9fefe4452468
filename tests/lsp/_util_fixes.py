"""Helpers for the code action / code lens / command / robustness tests (end to end over stdio)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from ._util_diagnostics import wait_for  # noqa: F401 - the tests import it from here too


def accept_registrations(client: LanguageClient) -> None:
    """Answer ``client/registerCapability`` (pytest-lsp's client has no handler; VS Code capabilities trigger it)."""
    if types.CLIENT_REGISTER_CAPABILITY in client.protocol.fm.features:
        return

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        return None


async def begin(client: LanguageClient, root: Path, caps: str = "neovim",
                options: dict | None = None) -> types.InitializeResult:
    """Like ``conftest.start`` (after making the client accept registrations); returns the server's answer."""
    from pytest_lsp import client_capabilities

    accept_registrations(client)
    capabilities = client_capabilities("neovim@v0.7.0" if caps == "neovim" else "visual-studio-code")
    return await client.initialize_session(types.InitializeParams(
        capabilities=capabilities,
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    ))


def rng(text: str) -> types.Range:
    """``"13:28-13:46"`` (0-based line:col) -> a Range."""
    start, end = text.split("-")
    sl, sc = (int(x) for x in start.split(":"))
    el, ec = (int(x) for x in end.split(":"))
    return types.Range(start=types.Position(line=sl, character=sc), end=types.Position(line=el, character=ec))


def rng_str(r: types.Range) -> str:
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


async def diagnostics(client: LanguageClient, path: Path, caps: str) -> list[types.Diagnostic]:
    """The server's diagnostics for ``path``: pushed (neovim) or pulled (vscode)."""
    uri = path.as_uri()
    if caps == "neovim":
        assert await wait_for(lambda: uri in client.diagnostics)
        return list(client.diagnostics[uri])
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    return list(report.items)


async def code_actions(client: LanguageClient, path: Path, diags: list[types.Diagnostic],
                       where: types.Range | None = None, only=None):
    where = where or (diags[0].range if diags else rng("0:0-0:0"))
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
        range=where,
        context=types.CodeActionContext(diagnostics=diags, only=only),
    ))
    return None if result is None else list(result)


def text_edits(action: types.CodeAction) -> list[tuple[str, str, str]]:
    """(file name, range, new text) of a plain ``changes`` edit."""
    out = []
    for uri, edits in (action.edit.changes or {}).items():
        for e in edits:
            out.append((uri.rsplit("/", 1)[-1], rng_str(e.range), e.new_text))
    return out


def open_doc(client: LanguageClient, path: Path, text: str | None = None, language: str = "plaintext") -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id=language, version=1, text=path.read_text() if text is None else text)))
    return uri


def change_doc(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def execute(client: LanguageClient, command: str, *arguments):
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments)))
