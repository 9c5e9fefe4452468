"""LSP latency benchmark: drive ``trainpath serve`` (and jedi-language-server as a reference) over stdio.

    python bench/lsp_bench.py [--scales 1 10 100] [--requests 300] [--edits 10] [--no-jedi]

For each scale the synthetic repository of ``bench/gen_synthetic.py`` is
written to ``bench/_generated/x<N>`` (kept between runs), then one real
server process is started with Neovim 0.7's capabilities (push diagnostics)
and measured:

- first diagnostics: from spawning the server to the first ``publishDiagnostics``
  (indexing starts at ``initialize``, while the client finishes initializing);
  cold index: the server's own "indexed ... in N ms" log line;
- definition / hover: median, p95, p99 over requests at every link of the
  project's job files and ``name:`` values (falls back to pull diagnostics when
  the server does not offer them);
- keystroke to settled diagnostics: a key of an arch config is renamed
  (``encoder_type`` -> ``encoder_typo``) and back, in the editor; timed until the
  typed file (``unknown-model-param``) and the dependent job file
  (``unknown-override-key``) are published with the change;
- memory: the server's RSS (``/proc/<pid>/status``) once indexed and measured.

jedi-language-server (``pip install jedi-language-server``; a benchmark-only
reference, not a dependency) is run on the same repository's Python files:
definition / hover latency on names of the training scripts, and the delay
from a keystroke that breaks the syntax to its diagnostics.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import shutil
import statistics
import sys
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities
from pytest_lsp.client import make_test_lsp_client

from _common import synthetic_project, use_bytecode

TARGETS = {
    "first diagnostics (s)": {1: 0.6},
    "cold index (s)": {100: 3.0},
    "definition p95 (ms)": {10: 3.0, 100: 3.0},
    "definition p99 (ms)": {10: 5.0, 100: 5.0},
    "hover p95 (ms)": {10: 3.0, 100: 3.0},
    "hover p99 (ms)": {10: 5.0, 100: 5.0},
    "keystroke->typed p95 (ms)": {1: 150.0, 100: 150.0},
    "keystroke->dependent p95 (ms)": {1: 150.0, 100: 150.0},
    "memory RSS (MB)": {10: 80.0, 100: 150.0},
}


@dataclass
class Result:
    scale: int
    figures: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Session:
    """One server process and a client that timestamps every pushed diagnostic."""

    def __init__(self, command: list[str], root: Path, caps: str = "neovim@v0.7.0") -> None:
        self.command, self.root, self.caps = command, root, caps
        self.client = make_test_lsp_client()
        self.published: list[tuple[float, str, list]] = []
        self.first_publish: float | None = None
        self.spawned = 0.0
        self.mark = 0
        client = self.client

        client.protocol.fm.features.pop(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, None)

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _publish(params: types.PublishDiagnosticsParams) -> None:
            now = time.perf_counter()
            if self.first_publish is None:
                self.first_publish = now
            self.published.append((now, params.uri, list(params.diagnostics)))

        if types.CLIENT_REGISTER_CAPABILITY not in client.protocol.fm.features:
            client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
        if "trainpath/status" not in client.protocol.fm.features:
            client.feature("trainpath/status")(lambda params: None)

    async def start(self) -> types.InitializeResult:
        self.spawned = time.perf_counter()
        await self.client.start_io(*self.command)
        return await self.client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities(self.caps), root_uri=self.root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=self.root.as_uri(), name=self.root.name)]))

    @property
    def pid(self) -> int:
        return self.client._server.pid  # type: ignore[union-attr]

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_session(), 10)
        except Exception:  # noqa: BLE001 - the figures are taken already
            pass
        try:
            await asyncio.wait_for(self.client.stop(), 10)
        except Exception:  # noqa: BLE001
            pass

    async def wait_publish(self, uri: str, predicate, since: float, timeout: float = 60.0) -> float | None:
        """Seconds from ``since`` to the first publish for ``uri`` after ``since`` that satisfies ``predicate``."""
        end = time.perf_counter() + timeout
        start = self.mark
        while time.perf_counter() < end:
            for t, u, diags in self.published[start:]:
                if t >= since and u == uri and predicate(diags):
                    return t - since
            await asyncio.sleep(0.001)
        return None

    def open(self, path: Path, text: str, language: str) -> None:
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=path.as_uri(), language_id=language, version=1, text=text)))

    def change(self, path: Path, text: str, version: int) -> None:
        self.mark = len(self.published)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def _codes(diags) -> set[str]:
    return {str(d.code) for d in diags}


async def timed_requests(client, method, positions: list[tuple[Path, int, int]], errors: list | None = None) -> list[float]:
    """Latency (ms) of each request; a request that fails is left out (and its error kept in ``errors``)."""
    out = []
    for path, line, col in positions:
        try:
            out.append(await _one_request(client, method, path, line, col))
        except Exception as exc:  # noqa: BLE001 - a server's error is a figure too
            if errors is not None:
                errors.append(f"{type(exc).__name__}: {exc}")
    return out


async def _one_request(client, method: str, path: Path, line: int, col: int) -> float:
    if True:
        params = types.TextDocumentPositionParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
                                                  position=types.Position(line=line, character=col))
        if method == "definition":
            req = types.DefinitionParams(text_document=params.text_document, position=params.position)
            t = time.perf_counter()
            await client.text_document_definition_async(req)
        else:
            req = types.HoverParams(text_document=params.text_document, position=params.position)
            t = time.perf_counter()
            await client.text_document_hover_async(req)
        return (time.perf_counter() - t) * 1000


def trainpath_positions(root: Path, limit: int) -> list[tuple[Path, int, int]]:
    """Cursor positions on links: job scripts, --config-name values, overrides, ``name:`` values, defaults."""
    out: list[tuple[Path, int, int]] = []
    for job in sorted(root.glob("jobs*.txt")):
        for i, line in enumerate(job.read_text().split("\n")):
            for m in re.finditer(r"(pretrain\w*\.py)|--config-name (\S+)|(arch[.=]\w+)", line):
                out.append((job, i, m.start() + 2))
    for cfg in sorted((root / "config").rglob("*.yaml")):
        for i, line in enumerate(cfg.read_text().split("\n")):
            m = re.match(r"\s*(?:- )?(name|arch|optim|data): +(\S+)", line)
            if m:
                out.append((cfg, i, m.start(2) + 1))
    step = max(1, len(out) // limit)
    return out[::step][:limit]


def python_positions(root: Path, limit: int) -> list[tuple[Path, int, int]]:
    out: list[tuple[Path, int, int]] = []
    for script in sorted(root.glob("pretrain*.py")):
        text = script.read_text()
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.NAME and not tok.string in ("def", "import", "from", "return", "if", "else", "for", "in"):
                out.append((script, tok.start[0] - 1, tok.start[1]))
    step = max(1, len(out) // limit)
    return out[::step][:limit]


def edit_target(root: Path) -> tuple[Path, Path, int] | None:
    """(arch config, job file, job line) for a job ``--config-name cfg_X arch.encoder_type=...``."""
    for job in sorted(root.glob("jobs*.txt")):
        for i, line in enumerate(job.read_text().split("\n")):
            m = re.search(r"--config-name (cfg_\w+) .*arch\.encoder_type=", line)
            if not m:
                continue
            cfg = (root / "config" / f"{m.group(1)}.yaml").read_text()
            a = re.search(r"- arch: (\w+)", cfg)
            if a:
                return root / "config" / "arch" / f"{a.group(1)}.yaml", job, i
    return None


async def bench_trainpath(scale: int, requests: int, edits: int) -> Result:
    root = synthetic_project(scale)
    res = Result(scale)
    s = Session([sys.executable, "-m", "trainpath", "serve"], root)
    init = await s.start()
    caps = init.capabilities
    while s.first_publish is None and time.perf_counter() - s.spawned < 600:
        await asyncio.sleep(0.005)
    res.figures["first diagnostics (s)"] = (s.first_publish or float("nan")) - s.spawned
    # the early indexer may publish before the server's own index is built: wait for its log line
    while time.perf_counter() - s.spawned < 600:
        hits = [re.search(r"indexed .* in (\d+) ms", m.message) for m in s.client.log_messages]
        hit = next((h for h in hits if h), None)
        if hit:
            res.figures["cold index (s)"] = int(hit.group(1)) / 1000
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    res.figures["memory RSS indexed (MB)"] = rss_mb(s.pid)
    positions = trainpath_positions(root, requests)
    for method, provider in (("definition", caps.definition_provider), ("hover", caps.hover_provider)):
        if not provider:
            res.notes.append(f"{method} not offered by the server: not measured")
            continue
        await timed_requests(s.client, method, positions[:20])  # warm-up
        lat = await timed_requests(s.client, method, positions)
        res.figures[f"{method} median (ms)"] = statistics.median(lat)
        res.figures[f"{method} p95 (ms)"] = percentile(lat, 95)
        res.figures[f"{method} p99 (ms)"] = percentile(lat, 99)
    target = edit_target(root)
    if target is None:
        res.notes.append("no job with --config-name and arch.encoder_type=: keystroke latency not measured")
    else:
        arch, job, job_line = target
        text = arch.read_text()
        broken = text.replace("encoder_type:", "encoder_typo:", 1)
        s.open(arch, text, "yaml")
        await asyncio.sleep(0.3)
        typed, dependent = [], []
        version = 1
        for _ in range(edits):
            for new, want in ((broken, True), (text, False)):
                version += 1
                t0 = time.perf_counter()
                s.change(arch, new, version)
                a = await s.wait_publish(arch.as_uri(), lambda d, w=want: ("unknown-model-param" in _codes(d)) == w, t0)
                b = await s.wait_publish(job.as_uri(), lambda d, w=want: any(
                    x.code == "unknown-override-key" and x.range.start.line == job_line for x in d) == w, t0)
                if a is not None:
                    typed.append(a * 1000)
                if b is not None:
                    dependent.append(b * 1000)
                await asyncio.sleep(0.05)
        res.figures["keystroke->typed median (ms)"] = statistics.median(typed) if typed else float("nan")
        res.figures["keystroke->typed p95 (ms)"] = percentile(typed, 95)
        res.figures["keystroke->dependent median (ms)"] = statistics.median(dependent) if dependent else float("nan")
        res.figures["keystroke->dependent p95 (ms)"] = percentile(dependent, 95)
        if len(typed) < 2 * edits or len(dependent) < 2 * edits:
            res.notes.append(f"keystroke: {len(typed)}/{2 * edits} typed and {len(dependent)}/{2 * edits} dependent settled")
    res.figures["memory RSS (MB)"] = rss_mb(s.pid)  # after definition, hover (jedi) and edits
    await s.stop()
    return res


async def bench_jedi(scale: int, requests: int, edits: int) -> Result:
    root = synthetic_project(scale)
    res = Result(scale)
    exe = shutil.which("jedi-language-server")
    if exe is None:
        res.notes.append("jedi-language-server not installed (pip install jedi-language-server)")
        return res
    s = Session([exe], root, caps="visual-studio-code")
    await s.start()
    positions = python_positions(root, requests)
    for path in {p for p, _, _ in positions}:
        s.open(path, path.read_text(), "python")
    await timed_requests(s.client, "definition", positions[:20])
    for method in ("definition", "hover"):
        errors: list[str] = []
        lat = await timed_requests(s.client, method, positions, errors)
        if errors:
            res.notes.append(f"{method}: {len(errors)}/{len(positions)} requests failed ({errors[0][:80]})")
        if not lat:
            continue
        res.figures[f"{method} median (ms)"] = statistics.median(lat)
        res.figures[f"{method} p95 (ms)"] = percentile(lat, 95)
        res.figures[f"{method} p99 (ms)"] = percentile(lat, 99)
    model = sorted((root / "models" / "recursive_reasoning").glob("*.py"))[0]
    text = model.read_text()
    s.open(model, text, "python")
    await asyncio.sleep(0.3)
    delays = []
    version = 1
    for _ in range(edits):
        for new, want in ((text + "\ndef broken(:\n", True), (text, False)):
            version += 1
            t0 = time.perf_counter()
            s.change(model, new, version)
            d = await s.wait_publish(model.as_uri(), lambda diags, w=want: bool(diags) == w, t0, timeout=20)
            if d is not None:
                delays.append(d * 1000)
    res.figures["keystroke->typed median (ms)"] = statistics.median(delays) if delays else float("nan")
    res.figures["keystroke->typed p95 (ms)"] = percentile(delays, 95)
    res.figures["memory RSS (MB)"] = rss_mb(s.pid)
    await s.stop()
    return res


def table(results: list[tuple[str, Result]]) -> str:
    names: list[str] = []
    for _, r in results:
        for k in r.figures:
            if k not in names:
                names.append(k)
    head = f"{'figure':34} " + " ".join(f"{label + ' x' + str(r.scale):>16}" for label, r in results)
    lines = [head, "-" * len(head)]
    for name in names:
        cells = []
        for label, r in results:
            v = r.figures.get(name)
            target = TARGETS.get(name, {}).get(r.scale) if label == "trainpath" else None
            cell = "-" if v is None else f"{v:.3f}" if v < 10 else f"{v:.1f}"
            if target is not None and v is not None:
                cell += " ok" if v <= target else f" >{target:g}"
            cells.append(f"{cell:>16}")
        lines.append(f"{name:34} " + " ".join(cells))
    for label, r in results:
        for note in r.notes:
            lines.append(f"note ({label} x{r.scale}): {note}")
    return "\n".join(lines)


async def main_async(args) -> int:
    results: list[tuple[str, Result]] = []
    for scale in args.scales:
        results.append(("trainpath", await bench_trainpath(scale, args.requests, args.edits)))
        print(f"trainpath x{scale}: {results[-1][1].figures}", file=sys.stderr, flush=True)
        if not args.no_jedi:
            results.append(("jedi-ls", await bench_jedi(scale, args.requests, args.edits)))
            print(f"jedi-ls x{scale}: {results[-1][1].figures}", file=sys.stderr, flush=True)
    print(table(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    use_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--requests", type=int, default=300, help="definition/hover requests per method")
    parser.add_argument("--edits", type=int, default=10, help="break/fix rounds per keystroke measurement")
    parser.add_argument("--no-jedi", action="store_true", help="skip the jedi-language-server reference")
    args = parser.parse_args(argv)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
