"""A small TinyRecursiveModels-style project to plant one mistake in per test.

``make_project(tmp_path, {relpath: text})`` writes the base project below with
the given files replaced (``None`` deletes a base file), and returns its root.
``check(root)`` runs every rule in-process; ``only(findings, code)`` keeps one
code; ``text_at(root, finding)`` is the text a finding's span covers, so a
test can assert both the exact range and what it underlines.

The base project is clean: ``test_base_project_is_clean`` keeps it so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trainpath.chain.build import build_project_model
from trainpath.chain.project import Project
from trainpath.findings import Finding
from trainpath.parsing.positions import Span
from trainpath.rules import run_rules

PRETRAIN = '''\
"""Embedding-mode TRM training (the decorator picks config/cfg.yaml)."""

import hydra
from omegaconf import DictConfig

from utils.functions import load_model_class


def create_model(hydra_config: DictConfig):
    model_cls = load_model_class(hydra_config.arch.name)
    loss_cls = load_model_class(hydra_config.arch.loss.name)
    return loss_cls(model_cls(dict(hydra_config.arch)), loss_type=hydra_config.arch.loss.loss_type)


@hydra.main(config_path="config", config_name="cfg", version_base=None)
def launch(hydra_config: DictConfig):
    create_model(hydra_config)


if __name__ == "__main__":
    launch()
'''

FUNCTIONS = '''\
"""Helpers shared by the training scripts."""

import importlib


def load_model_class(identifier: str, prefix: str = "models."):
    module_path, class_name = identifier.split("@")
    module = importlib.import_module(prefix + module_path)
    return getattr(module, class_name)
'''

CFG = """\
defaults:
  - arch: trm
  - _self_

data_paths: ['data/arc-aug-1000']
lr: 1e-4
epochs: 100
"""

ARCH_TRM = """\
name: recursive_reasoning.trm@TRM
loss:
  name: losses@ACTLossHead
  loss_type: stablemax_cross_entropy

halt_exploration_prob: 0.1
halt_max_steps: 16

hidden_size: 512
puzzle_emb_ndim: ${.hidden_size}
"""

TRM_PY = '''\
"""TRM with ACT: dynamic halting, one step per forward, the carry persists."""

from typing import Any, Dict, Optional

from pydantic import BaseModel


class TRMConfig(BaseModel):
    batch_size: int = 1
    hidden_size: int
    puzzle_emb_ndim: int = 0

    halt_max_steps: int
    halt_exploration_prob: float


class TRM:
    training: bool = True

    def __init__(self, config_dict: dict):
        self.config = TRMConfig(**config_dict)

    def forward(self, batch: Dict[str, Any], carry: Optional[Any] = None):
        if self.training:
            return self._forward_train_original(batch, carry)
        return self._forward_eval(batch)

    def _forward_train_original(self, batch: Dict[str, Any], carry: Optional[Any]):
        steps = 0 if carry is None else carry
        steps = steps + 1
        halted = steps >= self.config.halt_max_steps
        if self.config.halt_exploration_prob > 0:
            halted = halted and steps >= 2
        return steps, {"halted": halted}

    def _forward_eval(self, batch: Dict[str, Any]):
        carry = None
        for _step in range(self.config.halt_max_steps):
            carry, out = self._forward_train_original(batch, carry)
        return carry, out
'''

LOSSES_PY = '''\
"""Loss heads."""

from typing import Any


class ACTLossHead:
    def __init__(self, model: Any, loss_type: str):
        self.model = model
        self.loss_type = loss_type
'''

JOBS = """\
# TRM baseline
[ ] torchrun --nproc-per-node 4 pretrain.py +run_name=base
"""

BASE: dict[str, str] = {
    "pretrain.py": PRETRAIN,
    "utils/functions.py": FUNCTIONS,
    "config/cfg.yaml": CFG,
    "config/arch/trm.yaml": ARCH_TRM,
    "models/recursive_reasoning/__init__.py": "",
    "models/recursive_reasoning/trm.py": TRM_PY,
    "models/losses.py": LOSSES_PY,
    "jobs.txt": JOBS,
}


def make_project(root: Path, files: dict[str, str | None] | None = None) -> Path:
    """Write the base project with ``files`` replacing (or, for ``None``, removing) base files."""
    merged: dict[str, str | None] = dict(BASE)
    merged.update(files or {})
    for rel, text in merged.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def check(root: Path) -> list[Finding]:
    """Every finding of every rule on the project at ``root``."""
    return run_rules(build_project_model(Project(root)))


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def rel(root: Path, finding: Finding) -> str:
    return Path(finding.path).resolve().relative_to(root.resolve()).as_posix()


def text_at(root: Path, finding: Finding) -> str:
    """The text under a finding's span (one-line spans only)."""
    span: Span = finding.span
    assert span.line == span.end_line, span
    line = (Path(root) / rel(root, finding)).read_text(encoding="utf-8").split("\n")[span.line]
    return line[span.col:span.end_col]


def where(root: Path, finding: Finding) -> tuple[str, Span, str]:
    """(relative path, span, underlined text): what a test pins down about a finding's place."""
    return rel(root, finding), finding.span, text_at(root, finding)


@pytest.fixture
def project(tmp_path: Path):
    """``project({relpath: text})`` -> root of a fresh base project with those files changed."""
    counter = iter(range(1000))

    def factory(files: dict[str, str | None] | None = None) -> Path:
        return make_project(tmp_path / f"p{next(counter)}", files)

    return factory
