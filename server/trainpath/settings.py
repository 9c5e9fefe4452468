"""Project settings: ``[tool.trainpath]`` in the analysed project's ``pyproject.toml``.

Every setting has a default that makes a TinyRecursiveModels-style repository
work with no configuration at all.  The language server layers the editor's
settings (``trainpath.*``) on top with :meth:`Settings.merged`.

```toml
[tool.trainpath]
config-dirs = ["config"]                 # default: from the scripts' @hydra.main, else config/ conf/ configs/
job-files = ["jobs*.txt", "**/*.sh"]     # globs relative to the root
stale-suffixes = ["_old", "_original"]
model-prefix = "models."                 # default: read from the project's loader helper, else "models."
evaluator-prefix = "evaluators."
exclude = ["third_party/**"]
[tool.trainpath.rules]
stale-name = "off"                       # or error | warning | info | hint
[tool.trainpath.data-modes]
encoder = ["*encoder*"]                  # data paths that hold encoder-mode data
embedding = ["*"]                        # data paths that hold embedding-mode data (checked after encoder)
```
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trainpath.findings import RULES, Severity

DEFAULT_JOB_GLOBS = ("jobs*.txt", "**/jobs*.txt", "*.sh", "**/*.sh")
DEFAULT_STALE = ("_original", "_old", "_backup", "_copy", "_deprecated", "_bak")
DEFAULT_CONFIG_DIRS = ("config", "conf", "configs")
DEFAULT_EXCLUDE = (".git/**", "**/node_modules/**", ".venv/**", "venv/**", "**/__pycache__/**", "outputs/**", "wandb/**")


@dataclass(frozen=True)
class Settings:
    config_dirs: tuple[str, ...] = ()
    job_files: tuple[str, ...] = DEFAULT_JOB_GLOBS
    stale_suffixes: tuple[str, ...] = DEFAULT_STALE
    model_prefix: str | None = None
    evaluator_prefix: str | None = None
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    rules: dict[str, str] = field(default_factory=dict)
    encoder_data: tuple[str, ...] = ("*encoder*",)
    embedding_data: tuple[str, ...] = ("*",)
    problems: tuple[str, ...] = ()  # settings that were invalid and ignored (shown to the user)

    def severity(self, code: str) -> Severity | None:
        """The severity for ``code``: the user's choice, else the default; None when turned off."""
        choice = self.rules.get(code)
        if choice == "off":
            return None
        if choice in {s.value for s in Severity}:
            return Severity(choice)
        return RULES.get(code, (Severity.WARNING, ""))[0]

    def is_excluded(self, rel: str) -> bool:
        return any(fnmatch.fnmatch(rel, pat) for pat in self.exclude)

    def merged(self, overrides: dict[str, Any]) -> "Settings":
        """Settings with the editor's values (camelCase keys from the client) on top."""
        new, problems = _from_mapping(overrides, base=self)
        return replace(new, problems=self.problems + problems)


_KEYS = {
    "config-dirs": "config_dirs", "configDirs": "config_dirs",
    "job-files": "job_files", "jobFiles": "job_files",
    "stale-suffixes": "stale_suffixes", "staleSuffixes": "stale_suffixes",
    "model-prefix": "model_prefix", "modelPrefix": "model_prefix",
    "evaluator-prefix": "evaluator_prefix", "evaluatorPrefix": "evaluator_prefix",
    "exclude": "exclude", "rules": "rules", "data-modes": "data_modes", "dataModes": "data_modes",
}


def _str_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _from_mapping(data: dict[str, Any], base: Settings) -> tuple[Settings, tuple[str, ...]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in (data or {}).items():
        attr = _KEYS.get(key)
        if attr is None:
            problems.append(f"unknown setting `{key}`")
            continue
        if attr in ("config_dirs", "job_files", "stale_suffixes", "exclude"):
            lst = _str_list(value)
            if lst is None:
                problems.append(f"`{key}` must be a list of strings")
            else:
                values[attr] = lst
        elif attr in ("model_prefix", "evaluator_prefix"):
            if isinstance(value, str):
                values[attr] = value
            elif value is not None:
                problems.append(f"`{key}` must be a string")
        elif attr == "rules":
            if not isinstance(value, dict):
                problems.append("`rules` must be a table of code = severity")
                continue
            rules = dict(base.rules)
            for code, sev in value.items():
                if code not in RULES:
                    problems.append(f"unknown rule `{code}` in rules")
                elif sev not in ("off", "error", "warning", "info", "hint"):
                    problems.append(f"rule `{code}`: severity must be error, warning, info, hint or off")
                else:
                    rules[code] = sev
            values["rules"] = rules
        elif attr == "data_modes":
            if not isinstance(value, dict):
                problems.append("`data-modes` must be a table")
                continue
            for mode, attr2 in (("encoder", "encoder_data"), ("embedding", "embedding_data")):
                if mode in value:
                    lst = _str_list(value[mode])
                    if lst is None:
                        problems.append(f"`data-modes.{mode}` must be a list of strings")
                    else:
                        values[attr2] = lst
    return replace(base, **values), tuple(problems)


def load_settings(root: Path) -> Settings:
    """Read ``[tool.trainpath]`` from ``root/pyproject.toml``; defaults when absent or broken."""
    path = root / "pyproject.toml"
    try:
        raw = path.read_bytes()
    except OSError:
        return Settings()
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return Settings(problems=("tomllib unavailable: [tool.trainpath] ignored",))
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Settings(problems=(f"pyproject.toml: {exc}",))
    section = doc.get("tool", {}).get("trainpath", {})
    if not isinstance(section, dict):
        return Settings(problems=("[tool.trainpath] must be a table",))
    settings, problems = _from_mapping(section, base=Settings())
    return replace(settings, problems=problems)
