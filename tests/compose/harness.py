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
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    GlobalHydra.instance().clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with initialize_config_dir(config_dir=str(conf), version_base=None):
                cfg = h_compose(config_name=name, overrides=list(overrides))
                return OmegaConf.to_container(cfg, resolve=False)
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
