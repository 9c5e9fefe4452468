"""Links that lead nowhere: ``missing-script``, ``not-hydra-script``, ``missing-config``,
``missing-module``, ``missing-class``.

``not-hydra-script`` stays quiet on a script that does not parse (its
``python-syntax`` finding says why) and on one that composes through Hydra's
compose API (``initialize…()`` + ``compose()``), which may read overrides itself.
"""

from __future__ import annotations

import re
from typing import Iterable

from trainpath.findings import Finding

CODES = ("missing-script", "not-hydra-script", "missing-config", "missing-module", "missing-class")


def _with_hint(message: str, suggestion: str | None) -> str:
    return f"{message}; did you mean `{suggestion}`?" if suggestion else message


def check(model) -> Iterable[Finding]:
    for chain in model.chains:
        for link in chain.links:
            if link.source is None:
                continue
            if link.kind == "script":
                if not link.ok and chain.root_kind == "job":
                    yield Finding("missing-script", _with_hint(f"job runs a missing script: {link.problem}", link.suggestion),
                                  link.source.path, link.source.span, data=_data(link))
                elif (link.ok and link.info.get("hydra") is False and chain.job is not None
                      and not any(f.code == "python-syntax" for f in getattr(chain.script, "findings", ()))
                      and not _uses_compose_api(chain.script)):
                    job = chain.job
                    if job.config_name is not None or job.overrides or job.config_path is not None:
                        yield Finding("not-hydra-script",
                                      f"`{link.name}` has no @hydra.main entry point, but the job passes Hydra arguments to it",
                                      link.source.path, link.source.span)
            elif link.kind == "config" and not link.ok:
                yield Finding("missing-config", _with_hint(link.problem or f"no config `{link.name}`", link.suggestion),
                              link.source.path, link.source.span, data=_data(link))
    # names written in config files, then names a job line's override writes (`arch.name=m@C`)
    overridden = [link for chain in model.chains for link in chain.links if link.info.get("override")]
    for links in (*model.name_links.values(), overridden):
        for link in links:
            if link.ok:
                continue
            span = link.source.span  # the whole `module@Class` / dotted path
            if link.info.get("missing") == "module":
                yield Finding("missing-module", _with_hint(f"{link.kind} `{link.name}`: {link.problem}", link.suggestion),
                              link.source.path, span, data=_data(link))
            elif link.info.get("missing") == "class":
                yield Finding("missing-class", _with_hint(f"{link.kind} `{link.name}`: {link.problem}", link.suggestion),
                              link.source.path, span, data=_data(link))


def _uses_compose_api(script) -> bool:
    """The script composes with Hydra's compose API (``initialize…`` + ``compose``): it may take overrides itself."""
    from trainpath.parsing.sources import read_source

    path = getattr(script, "path", None)
    text = read_source(path).text if path is not None else None
    return bool(text and "hydra" in text and _COMPOSE_CALL.search(text) and _INITIALIZE_CALL.search(text))


_COMPOSE_CALL = re.compile(r"\bcompose\s*\(")
_INITIALIZE_CALL = re.compile(r"\binitialize(?:_config_dir|_config_module)?\s*\(")


def _data(link) -> tuple:
    return (("suggestion", link.suggestion),) if link.suggestion else ()
