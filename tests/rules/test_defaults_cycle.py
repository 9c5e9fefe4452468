"""``defaults-cycle``: a defaults list includes itself, directly or through others."""

from tests.rules.conftest import check, only, where
from trainpath.parsing.positions import Span

ARCH_HEAD = "name: recursive_reasoning.trm@TRM\nhidden_size: 512\nhalt_max_steps: 16\nhalt_exploration_prob: 0.1\n"


def test_fires_at_the_entry_that_closes_the_cycle(project) -> None:
    root = project({
        "config/arch/trm.yaml": "defaults:\n  - trm_base\n  - _self_\n\n" + ARCH_HEAD,
        "config/arch/trm_base.yaml": "defaults:\n  - _self_\n  - trm\n\npuzzle_emb_ndim: 8\n",
    })
    findings = check(root)
    [f] = only(findings, "defaults-cycle")
    # composed from cfg -> arch/trm, the cycle closes at arch/trm_base's `- trm`
    assert where(root, f) == ("config/arch/trm_base.yaml", Span(2, 4, 2, 7), "trm")
    assert f.message == "defaults cycle: arch/trm -> arch/trm_base -> arch/trm"
    assert [x.code for x in findings] == ["defaults-cycle"]


def test_fires_in_each_main_config_of_a_cycle_between_main_configs(project) -> None:
    root = project({
        "config/cfg.yaml": "defaults:\n  - arch: trm\n  - cfg_extra\n  - _self_\n\ndata_paths: ['data/a']\n",
        "config/cfg_extra.yaml": "defaults:\n  - cfg\n\nepochs: 3\n",
    })
    findings = only(check(root), "defaults-cycle")
    assert [(where(root, f), f.message) for f in findings] == [
        (("config/cfg.yaml", Span(2, 4, 2, 13), "cfg_extra"), "defaults cycle: cfg_extra -> cfg -> cfg_extra"),
        (("config/cfg_extra.yaml", Span(1, 4, 1, 7), "cfg"), "defaults cycle: cfg -> cfg_extra -> cfg"),
    ]


def test_fires_on_a_config_that_includes_itself(project) -> None:
    root = project({"config/arch/trm.yaml": "defaults:\n  - trm\n  - _self_\n\n" + ARCH_HEAD})
    [f] = only(check(root), "defaults-cycle")
    assert where(root, f) == ("config/arch/trm.yaml", Span(1, 4, 1, 7), "trm")


def test_silent_on_a_same_name_in_another_folder_and_on_shared_bases(project) -> None:
    root = project({
        # `trm_base` here is arch/trm_base (relative), not the top-level trm_base.yaml that includes arch/trm
        "config/arch/trm.yaml": "defaults:\n  - trm_base\n  - _self_\n\n" + ARCH_HEAD,
        "config/arch/trm_base.yaml": "defaults:\n  - common\n  - _self_\n\npuzzle_emb_ndim: 8\n",
        "config/arch/common.yaml": "batch_size: 4\n",
        "config/trm_base.yaml": "defaults:\n  - arch: trm\n  - _self_\n\ndata_paths: ['data/a']\n",
    })
    assert check(root) == []
