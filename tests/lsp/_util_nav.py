"""Helpers for the navigation tests: compact positions, ranges and result shapes."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types


def pos(line: int, col: int) -> types.Position:
    return types.Position(line=line, character=col)


def rng(text: str) -> types.Range:
    """``"3:10-3:14"`` -> a Range (0-based lines and characters)."""
    a, b = text.split("-")
    (l1, c1), (l2, c2) = (map(int, a.split(":")), map(int, b.split(":")))
    return types.Range(start=pos(l1, c1), end=pos(l2, c2))


def rstr(r: types.Range) -> str:
    """A Range as ``"3:10-3:14"``."""
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


def doc(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=path.as_uri())


def rel(root: Path, uri: str) -> str:
    """A file URI relative to ``root``, forward slashes."""
    from pygls.uris import to_fs_path

    return Path(to_fs_path(uri)).resolve().relative_to(root).as_posix()


def loc(root: Path, location: types.Location) -> tuple[str, str]:
    return rel(root, location.uri), rstr(location.range)


def link(root: Path, ll: types.LocationLink) -> tuple[str, str, str, str | None]:
    """(target file, target range, target selection range, origin range) of a LocationLink."""
    origin = rstr(ll.origin_selection_range) if ll.origin_selection_range is not None else None
    return rel(root, ll.target_uri), rstr(ll.target_range), rstr(ll.target_selection_range), origin


async def start_with(client, root: Path, capabilities: types.ClientCapabilities) -> None:
    """Initialize a session on ``root`` with hand-made capabilities."""
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities,
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
    ))


def neovim_caps(**changes) -> types.ClientCapabilities:
    """Neovim 0.7's capabilities with some switched off: ``link_support=False``, ``hierarchical=False``."""
    from pytest_lsp import client_capabilities

    caps = client_capabilities("neovim@v0.7.0")
    if changes.get("link_support") is False:
        caps.text_document.definition.link_support = False
    if changes.get("hierarchical") is False:
        caps.text_document.document_symbol.hierarchical_document_symbol_support = False
    return caps


def _accept_registration(*_args) -> None:
    return None


async def start_nav(client, root: Path, caps: str = "neovim") -> None:
    """``conftest.start``, with the client accepting ``client/registerCapability`` (VS Code's capabilities
    make the server register file watchers, which pytest-lsp's client does not answer by itself)."""
    from .conftest import start

    if types.CLIENT_REGISTER_CAPABILITY not in client.protocol.fm.features:
        client.feature(types.CLIENT_REGISTER_CAPABILITY)(_accept_registration)
    await start(client, root, caps=caps)
