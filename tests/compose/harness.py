"""The differential harness: compose a config set with trainpath and with hydra-core, compare.

Hydra (hydra-core 1.3.8, ``version_base=None``) is the oracle: the plain
config must be equal, key order included; where Hydra raises, trainpath must
return ``config=None`` with exactly one finding.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Sequence

from trainpath.compose import ComposeResult, ConfigRepo, compose
from trainpath.parsing.overrides import parse_override


def write(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) below ``root/conf`` and return that dir."""
    conf = root / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        p = conf / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return conf


def ours(conf: Path, name: str | None, overrides: Sequence[str] = ()) -> ComposeResult:
    return compose(ConfigRepo(conf), name, [parse_override(o) for o in overrides])


class HydraFailed(Exception):
    pass


def oracle(conf: Path, name: str | None, overrides: Sequence[str] = ()) -> Any:
    """Hydra's composed config (plain, unresolved), or a HydraFailed holding Hydra's error."""
    from hydra import compose as h_compose
    from hydra import initialize_config_dir
    from omegaconf import OmegaConf

    def run() -> Any:
        with initialize_config_dir(config_dir=str(conf), version_base=None):
            return OmegaConf.to_container(h_compose(config_name=name, overrides=list(overrides)), resolve=False)

    return _attempt(run)


def _attempt(run) -> Any:
    """``run()`` with a fresh global Hydra and its warnings silenced; a HydraFailed when Hydra fails."""
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return run()
    except RecursionError as exc:
        return HydraFailed(f"RecursionError: {str(exc)[:100]}")
    except Exception as exc:  # noqa: BLE001 - any Hydra error is "Hydra fails"
        return HydraFailed(f"{type(exc).__name__}: {exc}")
    finally:
        GlobalHydra.instance().clear()


def ordered(value: Any) -> Any:
    """A comparable form that keeps dict key order and value types (1 vs True vs 1.0)."""
    if isinstance(value, dict):
        return ("dict", [(type(k).__name__, k, ordered(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [ordered(v) for v in value])
    return (type(value).__name__, value)


def agree(conf: Path, name: str | None, overrides: Sequence[str] = ()) -> ComposeResult:
    """Assert trainpath and Hydra agree on this composition; return trainpath's result."""
    expected = oracle(conf, name, overrides)
    got = ours(conf, name, overrides)
    if isinstance(expected, HydraFailed):
        assert got.config is None, f"Hydra failed ({expected}) but trainpath composed {got.config}"
        assert len(got.findings) == 1, got.findings
    else:
        assert got.findings == [], f"Hydra composed {expected} but trainpath reported {got.findings}"
        assert ordered(got.config) == ordered(expected), f"\nours:  {got.config}\nhydra: {expected}"
    return got


def write_dirs(root: Path, dirs: dict[str, dict[str, str]]) -> dict[str, Path]:
    """Write several config dirs below ``root`` (dir name -> {relative path -> text}); return name -> dir."""
    out = {}
    for name, files in dirs.items():
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            p = d / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        out[name] = d
    return out


def oracle_search_path(main: Path, config_dir: Path | None, name: str | None,
                       overrides: Sequence[str] = ()) -> Any:
    """Hydra's composition with ``main`` as the primary config dir and ``config_dir`` as ``--config-dir``.

    The search path is built as ``hydra._internal.utils.run_hydra`` builds it:
    ``create_automatic_config_search_path`` for the decorator's absolute
    ``config_path``, then ``add_conf_dir`` (``prepend`` with provider
    ``command-line`` anchored at the ``schema`` source).
    """
    import os

    from hydra import compose as h_compose
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_automatic_config_search_path
    from hydra.core.config_search_path import SearchPathQuery
    from omegaconf import OmegaConf

    def run() -> Any:
        search_path = create_automatic_config_search_path(None, None, str(main))
        if config_dir is not None:
            abs_config_dir = os.path.abspath(config_dir)
            if not os.path.isdir(abs_config_dir):
                raise FileNotFoundError(f"Additional config directory '{abs_config_dir}' not found")
            search_path.prepend(provider="command-line", path=f"file://{abs_config_dir}",
                                anchor=SearchPathQuery(provider="schema"))
        Hydra.create_main_hydra2(task_name="test", config_search_path=search_path)
        return OmegaConf.to_container(h_compose(config_name=name, overrides=list(overrides)), resolve=False)

    return _attempt(run)


def agree_search_path(main: Path, config_dir: Path | None, name: str | None, overrides: Sequence[str] = (),
                      cwd: Path | None = None) -> ComposeResult:
    """Assert trainpath (``main`` searched, then ``config_dir``) and Hydra agree; return trainpath's result."""
    expected = oracle_search_path(main, config_dir, name, overrides)
    repo = ConfigRepo(main).searching([config_dir] if config_dir is not None else [])
    got = compose(repo, name, [parse_override(o) for o in overrides], cwd=cwd)
    if isinstance(expected, HydraFailed):
        assert got.config is None, f"Hydra failed ({expected}) but trainpath composed {got.config}"
        assert len(got.findings) == 1, (expected, got.findings)
    else:
        assert got.findings == [], f"Hydra composed {expected} but trainpath reported {got.findings}"
        assert ordered(got.config) == ordered(expected), f"\nours:  {got.config}\nhydra: {expected}"
    return got
