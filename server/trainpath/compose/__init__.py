"""The static Hydra 1.3 composer: defaults lists, packages, merging and overrides, with provenance.

``compose(repo, config_name, overrides)`` returns the config Hydra would
compose (``hydra`` node removed, interpolations unresolved), which file and
key set every value last, the resolved defaults entries and the group
choices — or the finding at the entry or override where Hydra would fail.
Nothing here imports Hydra or OmegaConf.
"""

from trainpath.compose.composer import compose, searched_repo
from trainpath.compose.repo import HYDRA_GROUPS, ConfigRepo, SearchPathRepo
from trainpath.compose.result import ComposeResult, DefaultEntry, Origin

__all__ = ["compose", "searched_repo", "ConfigRepo", "SearchPathRepo", "ComposeResult", "DefaultEntry", "Origin", "HYDRA_GROUPS"]
