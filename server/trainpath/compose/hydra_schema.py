"""The keys of Hydra's own ``hydra:`` node (hydra-core 1.3.8, default hydra/* choices).

Hydra merges every ``hydra:`` section of the composed configs into its
structured ``HydraConf`` and then applies ``hydra.*`` overrides in struct
mode (hydra-notes 16): an unknown key below a dataclass node (``closed``)
fails, a key under a free-form node (``job_logging``, ``env_set`` …) is
accepted in a file, and a command-line ``hydra.x=v`` must name an existing
key unless it starts with ``+``.  The skeleton below was generated once from
hydra-core with ``compose(..., return_hydra_config=True)``; leaves are None
(their values do not matter to trainpath, the node is dropped).
"""

from __future__ import annotations

from typing import Any

_CLOSED = "__closed__"


def _c(**kids: Any) -> dict[str, Any]:
    return {_CLOSED: True, **kids}


def _o(**kids: Any) -> dict[str, Any]:
    return {_CLOSED: False, **kids}


def _leaves(*names: str) -> dict[str, None]:
    return {n: None for n in names}


def _logging(**extra_handlers: Any) -> dict[str, Any]:
    return _o(version=None,
              formatters=_o(simple=_o(format=None)),
              handlers=_o(console=_o(**_leaves("class", "formatter", "stream")), **extra_handlers),
              root=_o(level=None, handlers=None),
              disable_existing_loggers=None)


#: Hydra's node: nested dicts, ``__closed__`` marks dataclass nodes (no new keys), leaves None.
HYDRA_SCHEMA: dict[str, Any] = _c(
    run=_c(dir=None),
    sweep=_c(dir=None, subdir=None),
    launcher=_c(_target_=None),
    sweeper=_c(_target_=None, max_batch_size=None, params=None),
    help=_c(**_leaves("app_name", "header", "footer", "template")),
    hydra_help=_c(template=None, hydra_help=None),
    hydra_logging={**_logging(), "loggers": _o(logging_example=_o(level=None))},
    job_logging=_logging(file=_o(**_leaves("class", "formatter", "filename"))),
    env=_o(),
    mode=None,
    searchpath=None,
    callbacks=_o(),
    output_subdir=None,
    overrides=_c(hydra=None, task=None),
    job=_c(name=None, chdir=None, override_dirname=None, id=None, num=None, config_name=None,
           env_set=_o(), env_copy=None,
           config=_c(override_dirname=_c(kv_sep=None, item_sep=None, exclude_keys=None))),
    runtime=_c(version=None, version_base=None, cwd=None, config_sources=None, output_dir=None,
               choices=_o()),
    verbose=None,
)


def is_closed(node: Any) -> bool:
    return isinstance(node, dict) and bool(node.get(_CLOSED))


def fresh_schema() -> dict[str, Any]:
    """A deep copy of :data:`HYDRA_SCHEMA` to merge a composition's ``hydra:`` sections into."""
    return _copy(HYDRA_SCHEMA)


def _copy(n: Any) -> Any:
    return {k: _copy(v) for k, v in n.items()} if isinstance(n, dict) else n


def keys(node: dict[str, Any]) -> list[str]:
    return [k for k in node if k != _CLOSED]
