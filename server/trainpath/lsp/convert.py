"""Conversions between trainpath's positions and LSP's: URIs, UTF-16 columns, diagnostics.

trainpath counts columns in code points; LSP clients (by default) in UTF-16
code units.  Lines are read through ``read_source`` so open buffers win over
the disk, and kept per (path, text) so a conversion never re-reads a file.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from trainpath.findings import Finding, Severity
from trainpath.parsing.positions import Span, col_from_utf16, utf16_col

#: path -> (text, its lines) of the files converted lately.  Conversions come file by file (a publish,
#: a request), so a few files are enough; each entry holds its file twice (text and lines): 2048 of them
#: kept 1 MB after the first publish on the ×100 synthetic project, and grew with every file visited.
_LINES: dict[Path, tuple[str, list[str]]] = {}
_LINES_MAX = 64


def uri_to_path(uri: str) -> Path | None:
    from pygls.uris import to_fs_path

    fs = to_fs_path(uri)
    return Path(fs).resolve() if fs else None


def path_to_uri(path: Path) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(str(path)) or Path(path).as_uri()


def lines_of(path: Path) -> list[str]:
    from trainpath.parsing.sources import read_source

    src = read_source(path)
    text = src.text or ""
    cached = _LINES.get(path)
    if cached is not None and cached[0] is text:
        return cached[1]
    if cached is not None and cached[0] == text:
        return cached[1]
    lines = text.split("\n")
    if len(_LINES) >= _LINES_MAX:
        _LINES.clear()
    _LINES[path] = (text, lines)
    return lines


def _to_client_col(lines: list[str], line: int, col: int) -> int:
    if 0 <= line < len(lines):
        text = lines[line]
        if text.isascii():
            return col
        return utf16_col(text, col)
    return col


def span_to_range(path: Path, span: Span) -> types.Range:
    lines = lines_of(path)
    return types.Range(
        start=types.Position(line=span.line, character=_to_client_col(lines, span.line, span.col)),
        end=types.Position(line=span.end_line, character=_to_client_col(lines, span.end_line, span.end_col)),
    )


def position_from_client(path: Path, pos: types.Position) -> tuple[int, int]:
    """(line, code-point column) for an LSP position; positions past the end are clamped."""
    lines = lines_of(path)
    line = max(0, pos.line)
    if line >= len(lines):
        return max(0, len(lines) - 1), 0 if not lines else len(lines[-1])
    text = lines[line]
    col = pos.character if text.isascii() else col_from_utf16(text, pos.character)
    return line, max(0, min(col, len(text)))


_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def to_diagnostic(f: Finding) -> types.Diagnostic:
    data = dict(f.data) if f.data else None
    return types.Diagnostic(
        range=span_to_range(f.path, f.span),
        message=f.message,
        severity=_SEVERITY[f.effective_severity],
        code=f.code,
        source="trainpath",
        code_description=types.CodeDescription(href="https://github.com/trainpath/trainpath/blob/main/docs/contract.md#rule-codes"),
        data=data,
    )


def location(path: Path, span: Span) -> types.Location:
    return types.Location(uri=path_to_uri(path), range=span_to_range(path, span))
