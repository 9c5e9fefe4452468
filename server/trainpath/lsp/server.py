"""``trainpath serve``: the language server over stdio (pygls 2, lsprotocol).

Lifecycle: indexing starts in a thread as soon as ``initialize`` arrives (the
client is still busy starting up), and ``initialized`` publishes the first
diagnostics.  Edits update the editor-text overlay at once and re-check after
a short debounce, on a worker thread, so requests are answered meanwhile from
the index.  Diagnostics are pushed to clients that cannot pull them (Neovim
0.7) and pulled by those that can (VS Code).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from trainpath import __version__
from trainpath.lsp.early import settings_section
from trainpath.lsp.convert import path_to_uri, to_diagnostic, uri_to_path
from trainpath.lsp.heap import trim_heap
from trainpath.lsp.state import ProjectState
from trainpath.parsing import sources

log = logging.getLogger("trainpath")

#: seconds between the last keystroke and the re-check (a burst of keystrokes costs one re-check)
DEBOUNCE = 0.05
STATUS = "trainpath/status"


class _AnsweringProtocol(LanguageServerProtocol):
    """Answers a request whose params do not deserialise with an error response.

    pygls raises while reading such a message, so the request is never answered
    and the client waits forever; here it gets ``InvalidParams`` instead.
    """

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            msg_id = data.get("id") if isinstance(data, dict) and "method" in data and "jsonrpc" in data else None
            if not isinstance(msg_id, (int, str)) or isinstance(msg_id, bool):
                raise
            error = exc.to_response_error()
            error.message = f"{error.message}: bad params for {data.get('method')!r}"
            self._send_response(msg_id, None, error)
            return _ANSWERED

    def handle_message(self, message) -> None:
        if message is not _ANSWERED:
            super().handle_message(message)


_ANSWERED = object()


class TrainpathServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("trainpath", __version__, protocol_cls=_AnsweringProtocol)
        #: workspace folder root -> its state (each folder is its own project)
        self.states: dict[Path, ProjectState] = {}
        #: settings from the editor (``trainpath`` section), camelCase keys
        self.editor_settings: dict[str, Any] = {}
        #: the first index, started at ``initialize``
        self.indexing: concurrent.futures.Future | None = None
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="trainpath")
        self._pending: dict[Path, set[Path]] = {}
        self._tasks: dict[Path, asyncio.Task] = {}
        self._deadline: dict[Path, float] = {}
        self._structural: dict[Path, set[Path]] = {}
        self.debounce = DEBOUNCE
        #: the early indexer's handle (``lsp/early.py``), when it ran
        self.early = None

    # -- capabilities ------------------------------------------------------------------
    @property
    def pulls_diagnostics(self) -> bool:
        caps = self.client_capabilities
        td = caps.text_document if caps else None
        return bool(td is not None and td.diagnostic is not None)

    @property
    def can_refresh_diagnostics(self) -> bool:
        caps = self.client_capabilities
        ws = caps.workspace if caps else None
        return bool(ws is not None and ws.diagnostics is not None and ws.diagnostics.refresh_support)

    # -- states ------------------------------------------------------------------------
    def state_for_path(self, path: Path | None) -> ProjectState | None:
        if path is None:
            return None
        best = None
        for root, state in self.states.items():
            if state.owns(path) and (best is None or len(str(root)) > len(str(best.root))):
                best = state
        return best

    def state_for(self, uri: str) -> tuple[ProjectState | None, Path | None]:
        path = uri_to_path(uri)
        state = self.state_for_path(path)
        if state is not None and state.model is None:
            self.wait_for_index()
        return state, path

    def wait_for_index(self, timeout: float = 60.0) -> None:
        if self.indexing is not None:
            try:
                self.indexing.result(timeout=timeout)
            except Exception:  # noqa: BLE001 - reported in the log by the indexer itself
                pass

    def add_folder(self, root: Path) -> ProjectState:
        state = ProjectState(root, self.editor_settings)
        self.states[state.root] = state
        return state

    # -- logging and status ----------------------------------------------------------
    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # noqa: BLE001 - no client yet
            log.info(message)

    def send_status(self, state: str, message: str | None = None) -> None:
        broken = sum(s.broken_chains() for s in self.states.values())
        payload = {"state": state, "brokenChains": broken}
        if message:
            payload["message"] = message
        try:
            self.protocol.notify(STATUS, payload)
        except Exception:  # noqa: BLE001
            pass

    # -- diagnostics -------------------------------------------------------------------
    def publish(self, state: ProjectState, paths) -> None:
        if self.pulls_diagnostics:
            if self.can_refresh_diagnostics and paths:
                try:
                    self.workspace_diagnostic_refresh(None)
                except Exception:  # noqa: BLE001
                    pass
            return
        for path in sorted(paths):
            diags = [to_diagnostic(f) for f in state.findings_for(path)]
            version = None
            doc = self.workspace.text_documents.get(path_to_uri(path))
            if doc is not None:
                version = doc.version
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=path_to_uri(path), diagnostics=diags, version=version))

    def publish_cleared(self, state: ProjectState) -> None:
        """Clear the diagnostics of a folder that left the workspace (push clients)."""
        if self.pulls_diagnostics:
            return
        for path in state.diagnostics:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=path_to_uri(path), diagnostics=[]))

    def schedule(self, state: ProjectState, path: Path, structural: bool = False) -> None:
        """Re-check ``path`` after the debounce; a burst of changes costs one re-check.

        Each change pushes the folder's deadline back; one task per folder waits
        for it, then re-checks everything pending at once on the worker thread.
        Changes that arrive while a re-check runs wait for the next round (a
        running re-check is never cancelled, so no result is ever lost).
        """
        loop = asyncio.get_running_loop()
        pending = self._pending.setdefault(state.root, set())
        pending.add(path)
        if structural:
            self._structural.setdefault(state.root, set()).add(path)
        self._deadline[state.root] = loop.time() + self.debounce
        task = self._tasks.get(state.root)
        if task is None or task.done():
            self._tasks[state.root] = loop.create_task(self._recheck(state))

    async def _recheck(self, state: ProjectState) -> None:
        loop = asyncio.get_running_loop()
        while True:
            delay = self._deadline.get(state.root, 0.0) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            paths = self._pending.pop(state.root, set())
            structural = self._structural.pop(state.root, set())
            if not paths and not structural:
                return
            start = time.perf_counter()

            def work() -> set[Path]:
                try:
                    if structural:
                        return state.structural_change(structural | paths)
                    return state.update(paths)
                finally:
                    trim_heap()

            try:
                changed = await loop.run_in_executor(self._executor, work)
            except Exception as exc:  # noqa: BLE001 - never die on user input
                self.log(f"trainpath: re-check failed: {type(exc).__name__}: {exc}", types.MessageType.Error)
                self.send_status("error", str(exc))
                continue
            elapsed = (time.perf_counter() - start) * 1000
            self.log(f"trainpath: re-checked {len(paths | structural)} file(s) in {elapsed:.0f} ms "
                     f"({len(changed)} file(s) with new diagnostics)")
            self.publish(state, changed)
            self.send_status("ready")

    async def apply_settings(self, publish: bool = True) -> None:
        """Fetch each folder's ``trainpath`` settings (when the client serves them) and apply them.

        The editor's global settings (``initializationOptions``, the payload of
        ``workspace/didChangeConfiguration``) apply to every folder; a folder's
        own ``workspace/configuration`` answer (``scopeUri`` = the folder) wins.
        """
        caps = self.client_capabilities
        ws = caps.workspace if caps else None
        per_folder: dict[Path, dict] = {root: dict(self.editor_settings) for root in self.states}
        if ws is not None and ws.configuration and self.states:
            roots = list(self.states)
            try:
                answer = await asyncio.wait_for(self.workspace_configuration_async(types.ConfigurationParams(items=[
                    types.ConfigurationItem(scope_uri=path_to_uri(r), section="trainpath") for r in roots])), 5.0)
            except Exception as exc:  # noqa: BLE001 - a client that cannot answer keeps the global settings
                self.log(f"trainpath: workspace/configuration failed: {exc}")
                answer = None
            for root, value in zip(roots, answer or ()):
                if isinstance(value, dict):
                    per_folder[root] = {**self.editor_settings, **settings_section({"trainpath": value})}
        loop = asyncio.get_running_loop()
        for root, settings in per_folder.items():
            state = self.states.get(root)
            if state is None:
                continue
            if settings == state.editor_settings and state.model is not None:
                continue
            try:
                changed = await loop.run_in_executor(self._executor, state.set_editor_settings, settings)
            except Exception as exc:  # noqa: BLE001
                self.log(f"trainpath: settings for {root} failed: {type(exc).__name__}: {exc}", types.MessageType.Error)
                continue
            if state.project is not None and state.project.settings.problems:
                self.log("trainpath: ignored settings: " + "; ".join(state.project.settings.problems), types.MessageType.Warning)
            if publish:
                self.publish(state, changed)
        if publish:
            self.send_status("ready")


server = TrainpathServer()


def _publish_early(ls: TrainpathServer) -> None:
    """Push the diagnostics the early indexer found (see ``lsp/early.py``) while our own index builds.

    Only for clients that cannot pull, only for folders whose own index is not
    ready yet, and only when the early indexer saw the same folders.  The
    handle is dropped: its findings are read once, then only take memory.
    """
    early, ls.early = getattr(ls, "early", None), None
    if early is None or ls.pulls_diagnostics:
        return
    result = early.wait(10.0)
    if not result or set(result) != set(ls.states):
        return
    for root, diagnostics in result.items():
        state = ls.states.get(root)
        if state is None or state.model is not None:
            continue
        for path in sorted(diagnostics):
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=path_to_uri(path), diagnostics=[to_diagnostic(f) for f in diagnostics[path]]))


def _build_all(ls: TrainpathServer) -> None:
    import gc

    # Indexing leaves no reference cycles (tests/cli/test_gc.py), so the cycle collector would only
    # rescan the growing index: pause it, then freeze the index out of later collections' sight.
    gc.disable()
    try:
        for state in list(ls.states.values()):
            try:
                state.build()
                ls.log(f"trainpath: indexed {state.root} in {state.last_build_seconds * 1000:.0f} ms "
                       f"({len(state.model.chains)} chains)")
            except Exception as exc:  # noqa: BLE001
                ls.log(f"trainpath: indexing {state.root} failed: {type(exc).__name__}: {exc}", types.MessageType.Error)
    finally:
        gc.enable()
        gc.freeze()
    trim_heap()


@server.feature(types.INITIALIZE)
def initialize(ls: TrainpathServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        ls.editor_settings = settings_section(options)
    folders = [uri_to_path(f.uri) for f in (params.workspace_folders or [])]
    if not folders:
        root = params.root_uri and uri_to_path(params.root_uri)
        if not root and params.root_path:
            root = Path(params.root_path).resolve()
        folders = [root] if root else []
    for folder in folders:
        if folder is not None:
            ls.add_folder(folder)
    ls.indexing = ls._executor.submit(_build_all, ls)


@server.feature(types.INITIALIZED)
async def initialized(ls: TrainpathServer, params: types.InitializedParams) -> None:
    ls.send_status("indexing")
    caps = ls.client_capabilities
    ws = caps.workspace if caps else None
    if ws is not None and ws.did_change_watched_files is not None and ws.did_change_watched_files.dynamic_registration:
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in ("**/*.yaml", "**/*.py", "**/*.txt", "**/*.sh", "**/pyproject.toml")]
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                id="trainpath-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
        except Exception as exc:  # noqa: BLE001
            ls.log(f"trainpath: could not watch files: {exc}")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, _publish_early, ls)
    await loop.run_in_executor(None, ls.wait_for_index)
    await ls.apply_settings(publish=False)
    for state in ls.states.values():
        ls.publish(state, set(state.diagnostics))
    ls.send_status("error" if any(s.model is None for s in ls.states.values()) else "ready")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TrainpathServer, params: types.DidOpenTextDocumentParams) -> None:
    _changed(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TrainpathServer, params: types.DidChangeTextDocumentParams) -> None:
    _changed(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: TrainpathServer, params: types.DidSaveTextDocumentParams) -> None:
    _changed(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: TrainpathServer, params: types.DidCloseTextDocumentParams) -> None:
    path = uri_to_path(params.text_document.uri)
    if path is None:
        return
    if sources.OVERLAY.pop(path, None) is not None:
        state = ls.state_for_path(path)
        if state is not None and state.is_relevant(path):
            ls.schedule(state, path)


def _changed(ls: TrainpathServer, uri: str) -> None:
    path = uri_to_path(uri)
    if path is None:
        return
    doc = ls.workspace.get_text_document(uri)
    state = ls.state_for_path(path)
    if state is None:
        return
    if state.project is not None and not state.is_relevant(path):
        return
    text = doc.source
    previous = sources.OVERLAY.get(path)
    if previous is None:
        previous = sources.read_source(path).text
    sources.OVERLAY[path] = text
    if previous is not None and previous.replace("\r\n", "\n") == text.replace("\r\n", "\n"):
        return  # opened or saved with the text already judged
    ls.schedule(state, path)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: TrainpathServer, params: types.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        path = uri_to_path(change.uri)
        state = ls.state_for_path(path)
        if state is None:
            continue
        structural = change.type in (types.FileChangeType.Created, types.FileChangeType.Deleted)
        if not structural and path in sources.OVERLAY:
            continue  # the editor's buffer wins over the disk
        ls.schedule(state, path, structural=structural)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: TrainpathServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and settings:
        ls.editor_settings = settings_section(settings)
    await ls.apply_settings()


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def did_change_workspace_folders(ls: TrainpathServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for folder in params.event.removed:
        path = uri_to_path(folder.uri)
        state = ls.states.pop(path, None) if path else None
        if state is not None:
            ls.publish_cleared(state)
    for folder in params.event.added:
        path = uri_to_path(folder.uri)
        if path is not None:
            state = ls.add_folder(path)
            ls.schedule(state, path, structural=True)




def register_features() -> None:
    """Import every feature module; each registers its handlers on ``server``."""
    import importlib

    from trainpath.lsp import features

    for name in features.FEATURES:
        try:
            importlib.import_module(f"trainpath.lsp.features.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"trainpath.lsp.features.{name}":
                raise


def run(args, stdin=None, early=None) -> int:
    """Serve over stdio; ``stdin``/``early`` come from :func:`trainpath.lsp.early.start` when it ran."""
    if getattr(args, "log_file", None):
        logging.basicConfig(filename=args.log_file, level=logging.INFO)
    register_features()
    tune_gc()
    server.early = early
    server.start_io(stdin=stdin)
    return 0


def tune_gc() -> None:
    """Make the cyclic garbage collector run rarely: indexing builds many ASTs and small objects.

    With the default thresholds a generation-0 collection runs every 700
    allocations and keeps re-scanning the long-lived index: building the
    ×10 synthetic project took 9.8 s, 2.1 s with these settings (memory +10%).
    Everything imported so far is frozen out of the collector's sight.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
