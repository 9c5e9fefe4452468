"""The chain model: one typed graph of links, queryable both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainpath.chain.build import build_project_model
from trainpath.chain.project import Project
from trainpath.parsing.positions import Span

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trm_project"


@pytest.fixture(scope="module")
def model():
    return build_project_model(Project(EXAMPLE))


def rel(model, path):
    return model.project.rel(path)


def test_what_leads_to_an_arch_config(model):
    links = model.graph.links_to(model.project.root / "config/arch/etrm.yaml")
    got = sorted((l.kind, rel(model, l.source.path), l.source.span) for l in links)
    assert got == [
        ("arch", "config/cfg_pitfalls_etrm.yaml", Span(3, 10, 3, 14)),
        ("arch", "config/cfg_pretrain_etrm_arc_agi_1.yaml", Span(3, 10, 3, 14)),
        ("arch", "jobs-etrm-semi-final.txt", Span(16, 54, 16, 58)),
    ]


def test_what_leads_to_a_class(model):
    links = model.graph.links_to(model.project.root / "models/recursive_reasoning/etrm.py", line=24)
    assert sorted(rel(model, l.source.path) for l in links) == [
        "config/arch/etrm.yaml", "config/arch/etrm_badchoice.yaml", "config/arch/etrm_fixed.yaml",
        "config/arch/etrm_noexplore.yaml", "config/arch/etrm_typo.yaml"]
    assert {l.target.span for l in links} == {Span(24, 6, 24, 20)}


def test_what_a_link_leads_to(model):
    root = model.project.root
    script = model.graph.link_at(root / "jobs-etrm-semi-final.txt", 4, 40)
    assert (script.kind, script.name, script.target.path) == ("script", "pretrain_etrm.py", root / "pretrain_etrm.py")
    config = model.graph.link_at(root / "jobs-etrm-semi-final.txt", 4, 65)
    assert (config.kind, config.target.path) == ("config", root / "config/cfg_pretrain_etrm_arc_agi_1.yaml")
    name = model.graph.link_at(root / "config/arch/etrm.yaml", 0, 20)
    assert name.kind == "model" and name.target.path == root / "models/recursive_reasoning/etrm.py"
    assert name.info["symbol"].name == "TRMWithEncoder"
    decorator = model.graph.link_at(root / "pretrain_etrm.py", *_decorator_name_pos(root / "pretrain_etrm.py"))
    assert decorator.kind == "config" and decorator.target.path == root / "config/cfg_pretrain_etrm_arc_agi_1.yaml"


def _decorator_name_pos(path: Path) -> tuple[int, int]:
    for i, line in enumerate(path.read_text().splitlines()):
        j = line.find('config_name="')
        if j >= 0 and "@hydra.main" in line:
            return i, j + len('config_name="') + 1
    raise AssertionError("no decorator")


def test_every_job_chain_resolves_to_its_model(model):
    jobs = [c for c in model.chains if c.root_kind == "job" and c.root.path.name == "jobs-etrm-semi-final.txt"]
    assert len(jobs) >= 3
    for chain in jobs:
        kinds = [l.kind for l in chain.links]
        assert kinds[:4] == ["job", "script", "config", "arch"], kinds
        assert chain.model is not None and chain.model.name in ("TRMWithEncoder", "TinyRecursiveReasoningModel_ACTV1")
        assert all(l.ok for l in chain.links)


def test_files_a_chain_depends_on(model):
    root = model.project.root
    chain = next(c for c in model.chains if c.root_kind == "job" and c.root.path.name == "jobs-etrm-semi-final.txt")
    files = {rel(model, p) for p in chain.files()}
    assert {"jobs-etrm-semi-final.txt", "pretrain_etrm.py", "config/cfg_pretrain_etrm_arc_agi_1.yaml",
            "config/arch/etrm.yaml", "models/recursive_reasoning/etrm.py"} <= files
    assert chain in model.chains_through(root / "config/arch/etrm.yaml")


def test_unused_configs_are_still_checked(model):
    root = model.project.root
    moved = model.name_links[root / "config/arch/etrm_moved.yaml"]
    assert [(l.kind, l.ok, l.info.get("missing")) for l in moved][:1] == [("model", False, "module")]
    configs = {c.config_name for c in model.chains if c.root_kind == "config"}
    assert "cfg_pitfall_missing_arch" in configs
