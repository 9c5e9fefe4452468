"""Defaults-list elements: a static port of ``hydra.core.default_element`` (Hydra 1.3).

One :class:`Element` stands for Hydra's ``GroupDefault`` (``- db: mysql``) or
``ConfigDefault`` (``- base``, ``- _self_``) and carries, besides Hydra's
fields, where it was written: the file holding the defaults list, the span of
the whole entry and of the option text, and the command-line override that
added or chose it.  The package arithmetic (``get_final_package``,
``get_override_key`` …) follows Hydra line by line with version base 1.2+
semantics (``_group_``/``_name_`` literal, hydra-notes 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainpath.parsing.positions import Span


@dataclass(eq=False)
class Element:
    """A defaults-list entry, mutable while the defaults tree is built (like Hydra's)."""

    is_group: bool
    #: GroupDefault: the group as written ('db', '/db', 'db/site'); ConfigDefault: the path ('base', '/x/y', '_self_')
    name: str
    value: Any = None  # GroupDefault: option name, list of names, or None
    package: str | None = None
    optional: bool = False
    override: bool = False
    primary: bool = False
    external_append: bool = False
    deleted: bool = False
    parent_base_dir: str | None = None
    parent_package: str | None = None
    package_header: str | None = None
    # --- where it was written (trainpath additions)
    source: Path | None = None  # the file holding the defaults list; None: command line / primary
    entry_span: Span | None = None
    option_span: Span | None = None
    cli: Any = None  # the Override that added this entry (+group=x) or chose its option (group=x)
    chosen_by: "Element | None" = None  # an `override group: x` entry of a file that chose the option
    loaded_header: bool = field(default=False)

    def __post_init__(self) -> None:
        if self.package == "_here_":
            self.package = ""

    # ----------------------------------------------------------------- basics
    def is_self(self) -> bool:
        return self.value == "_self_" if self.is_group else self.name == "_self_"

    def is_options(self) -> bool:
        return self.is_group and isinstance(self.value, list)

    def get_name(self) -> str | None:
        if self.is_group:
            return self.value if not isinstance(self.value, list) else None
        idx = self.name.rfind("/")
        return self.name if idx == -1 else self.name[idx + 1 :]

    def is_missing(self) -> bool:
        return self.get_name() == "???"

    def is_interpolation(self) -> bool:
        name = self.get_name() if self.is_group else self.name
        return isinstance(name, str) and "${" in name

    def update_parent(self, parent_base_dir: str, parent_package: str) -> None:
        self.parent_base_dir = parent_base_dir
        self.parent_package = parent_package
        if self.package is not None and "_group_" in self.package:
            resolved = self.package.replace("_group_", self.get_default_package())
            self.package = f"_global_.{resolved}"

    # ----------------------------------------------------------------- paths
    def _split_abs(self) -> tuple[str, bool]:
        if self.name.startswith("/"):
            return self.name[1:], True
        return self.name, False

    def get_group_path(self) -> str:
        assert self.parent_base_dir is not None
        path, absolute = self._split_abs()
        if self.is_group:
            if self.parent_base_dir == "" or absolute:
                return path
            return f"{self.parent_base_dir}/{path}"
        idx = path.rfind("/")
        group = "" if idx == -1 else path[:idx]
        if absolute:
            return group
        if self.parent_base_dir == "":
            return group
        return self.parent_base_dir if group == "" else f"{self.parent_base_dir}/{group}"

    def get_config_path(self) -> str:
        if self.is_group:
            return f"{self.get_group_path()}/{self.get_name()}"
        assert self.parent_base_dir is not None
        path, absolute = self._split_abs()
        if absolute or self.parent_base_dir == "":
            return path
        return f"{self.parent_base_dir}/{path}"

    def _relative_group_path(self) -> str:
        path, _ = self._split_abs()
        if self.is_group:
            return path
        idx = path.rfind("/")
        return "" if idx == -1 else path[:idx]

    # ----------------------------------------------------------------- packages
    def set_package_header(self, header: str | None) -> None:
        if header is None:
            return
        if header != "_global_" and not header.startswith("_global_."):
            header = "_global_" if header == "" else f"_global_.{header}"
        self.package_header = header

    def get_package(self, default_to_package_header: bool = True) -> str | None:
        if self.package is None and default_to_package_header:
            return self.package_header
        return self.package

    def get_default_package(self) -> str:
        return self.get_group_path().replace("/", ".")

    def get_final_package(self, default_to_package_header: bool = True) -> str:
        parent_package = self.parent_package
        assert parent_package is not None
        package = self.get_package(default_to_package_header)
        if package is None:
            package = self._relative_group_path().replace("/", ".")
        if parent_package == "":
            ret = package
        elif package == "":
            ret = parent_package
        else:
            ret = f"{parent_package}.{package}"
        lgi = ret.rfind("_global_")
        return ret if lgi == -1 else ret[lgi + len("_global_") + 1 :]

    def get_override_key(self) -> str:
        default_pkg = self.get_default_package()
        final_pkg = self.get_final_package(default_to_package_header=False)
        key = self.get_group_path()
        if default_pkg != final_pkg:
            key = f"{key}@{final_pkg or '_global_'}"
        return key

    def get_relative_override_key(self) -> str:
        key = self.name
        if self.package is not None and self.get_default_package() != self.package:
            key = f"{key}@{self.package}"
        return key

    def describe(self) -> str:
        """The entry as written: ``db: mysql``, ``override db: x``, ``base``."""
        if not self.is_group:
            return self.name if self.package is None else f"{self.name}@{self.package}"
        head = ("optional " if self.optional else "") + ("override " if self.override else "")
        pkg = f"@{self.package}" if self.package is not None else ""
        return f"{head}{self.name}{pkg}: {self.value}"


@dataclass(eq=False)
class TreeNode:
    """A node of the defaults tree: an element and, once expanded, its children."""

    node: Element
    children: list["TreeNode | Element"] | None = None
    parent: "TreeNode | None" = None
