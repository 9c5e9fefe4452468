"""Finding output shared by the commands: the contract's text and JSON forms, and SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from trainpath.findings import RULES, Finding


def rel_path(path: Path | None, root: Path) -> str:
    if path is None:
        return "."
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return Path(path).as_posix()


def text_line(f: Finding, root: Path) -> str:
    """``path:line:col: severity code message`` (1-based line and column)."""
    return f"{rel_path(f.path, root)}:{f.span.line + 1}:{f.span.col + 1}: {f.effective_severity.value} {f.code} {f.message}"


def as_json_obj(f: Finding, root: Path) -> dict:
    return {
        "path": rel_path(f.path, root),
        "line": f.span.line + 1,
        "column": f.span.col + 1,
        "end_line": f.span.end_line + 1,
        "end_column": f.span.end_col + 1,
        "severity": f.effective_severity.value,
        "code": f.code,
        "message": f.message,
    }


def to_json(findings: Iterable[Finding], root_as_given: str, root: Path) -> str:
    return json.dumps({"root": root_as_given, "diagnostics": [as_json_obj(f, root) for f in findings]}, indent=2, ensure_ascii=False)


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}


def to_sarif(findings: list[Finding], root: Path) -> str:
    """A SARIF 2.1.0 log that GitHub code scanning accepts."""
    from trainpath import __version__

    codes = sorted(RULES)
    rules = [
        {
            "id": code,
            "name": "".join(part.capitalize() for part in code.split("-")),
            "shortDescription": {"text": RULES[code][1]},
            "defaultConfiguration": {"level": _SARIF_LEVEL[RULES[code][0].value]},
            "helpUri": "https://github.com/trainpath/trainpath/blob/main/docs/contract.md#rule-codes",
        }
        for code in codes
    ]
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for f in findings:
        region = {
            "startLine": f.span.line + 1,
            "startColumn": f.span.col + 1,
            "endLine": f.span.end_line + 1,
            "endColumn": max(f.span.end_col + 1, f.span.col + 1 if f.span.end_line == f.span.line else 1),
        }
        results.append({
            "ruleId": f.code,
            "ruleIndex": index.get(f.code, 0),
            "level": _SARIF_LEVEL[f.effective_severity.value],
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": rel_path(f.path, root), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }],
            "partialFingerprints": {"trainpath/v1": f"{f.code}:{rel_path(f.path, root)}:{f.span.line + 1}:{f.span.col + 1}"},
        })
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "trainpath", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/trainpath/trainpath", "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
