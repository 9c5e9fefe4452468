"""pytest-lsp fixtures: a real client talking to ``python -m trainpath serve`` over stdio."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "trm_project"
SERVER = [sys.executable, "-m", "trainpath", "serve"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the bundled example project (tests may edit files on disk)."""
    dst = tmp_path / "trm_project"
    shutil.copytree(EXAMPLE, dst)
    return dst.resolve()


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    """A private copy of the ``clean_trm`` fixture project (no findings; has ``_target_`` configs)."""
    dst = tmp_path / "clean_trm"
    shutil.copytree(REPO / "tests" / "fixtures" / "clean_trm", dst)
    return dst.resolve()


def accept_registrations(client: LanguageClient) -> None:
    """Answer ``client/registerCapability`` like an editor does (pytest-lsp's client has no handler of its own;
    with VS Code's capabilities the server registers its file watchers dynamically)."""
    if types.CLIENT_REGISTER_CAPABILITY in client.protocol.fm.features:
        return

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        return None


async def start(client: LanguageClient, root: Path, caps: str = "neovim", options: dict | None = None):
    """Initialize a session on ``root`` with the capabilities of a real editor."""
    accept_registrations(client)
    capabilities = client_capabilities("neovim@v0.7.0" if caps == "neovim" else "visual-studio-code")
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities,
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    ))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    yield lsp_client
    await lsp_client.shutdown_session()
