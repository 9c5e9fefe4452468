"""Rendering composed configs the way OmegaConf prints them (``OmegaConf.to_yaml``).

Plain data in, text out; no OmegaConf import (it costs ~60 ms at start-up).
"""

from __future__ import annotations

import json
from typing import Any

_YAML_BOOLS = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
               "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"}


def _looks_typed(text: str) -> bool:
    if text in _YAML_BOOLS:
        return True
    for conv in (int, float):
        try:
            conv(text)
            return True
        except ValueError:
            pass
    return False


_DUMPER = None


def _dumper():
    global _DUMPER
    if _DUMPER is None:
        import yaml

        class Dumper(yaml.Dumper):  # the same base OmegaConf uses
            pass

        def str_representer(dumper, data: str):
            style = "'" if _looks_typed(data) else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

        Dumper.add_representer(str, str_representer)
        _DUMPER = Dumper
    return _DUMPER


def to_yaml(config: Any) -> str:
    """Exactly what ``OmegaConf.to_yaml(cfg)`` prints for the same plain data."""
    import yaml

    return yaml.dump(config, default_flow_style=False, allow_unicode=True, sort_keys=False, Dumper=_dumper())


def to_json(config: Any) -> str:
    return json.dumps(config, indent=2, ensure_ascii=False)
