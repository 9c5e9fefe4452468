"""``missing-default``: a ``defaults:`` entry names a config that does not exist."""

from tests.rules.conftest import CFG, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_option_with_the_nearest_option(project) -> None:
    root = project({"config/cfg.yaml": CFG.replace("arch: trm", "arch: trn")})
    findings = check(root)
    [f] = only(findings, "missing-default")
    assert where(root, f) == ("config/cfg.yaml", Span(1, 10, 1, 13), "trn")
    assert f.message == "no config `arch/trn`; did you mean `trm`?"
    # reported once, although the job chain and the decorator's chain both compose cfg.yaml
    assert [x.code for x in findings] == ["missing-default"]


def test_fires_in_a_group_options_own_defaults(project) -> None:
    root = project({"config/arch/trm.yaml": "defaults:\n  - trm_bsae\n  - _self_\n\n"
                                            "name: recursive_reasoning.trm@TRM\nhidden_size: 512\n",
                    "config/arch/trm_base.yaml": "halt_max_steps: 16\nhalt_exploration_prob: 0.1\n"})
    [f] = only(check(root), "missing-default")
    assert where(root, f) == ("config/arch/trm.yaml", Span(1, 4, 1, 12), "trm_bsae")
    assert f.message == "no config `arch/trm_bsae`; did you mean `trm_base`?"


def test_silent_on_existing_optional_and_relative_defaults(project) -> None:
    root = project({
        # `optional` with a missing option: Hydra silently drops it
        "config/cfg.yaml": "defaults:\n  - arch: trm\n  - optional logging: wandb\n  - _self_\n\n"
                           "data_paths: ['data/arc-aug-1000']\n",
        # a group option including a sibling by its relative name, and an absolute one
        "config/arch/trm.yaml": "defaults:\n  - trm_base\n  - /extras@_here_\n  - _self_\n\n"
                                "name: recursive_reasoning.trm@TRM\nhidden_size: 512\n",
        "config/arch/trm_base.yaml": "halt_max_steps: 16\nhalt_exploration_prob: 0.1\n",
        "config/extras.yaml": "puzzle_emb_ndim: 8\n",
    })
    assert check(root) == []


def test_suggests_the_current_option_not_a_stale_copy_of_it(project) -> None:
    # `trm_olx` is nearer to `trm_old` by difflib's ratio, but a name left behind with a stale
    # suffix is never the fix when the current option is near enough
    root = project({"config/cfg.yaml": CFG.replace("arch: trm", "arch: trm_olx"),
                    "config/arch/trm_old.yaml": "name: recursive_reasoning.trm@TRM\n"})
    [f] = only(check(root), "missing-default")
    assert where(root, f) == ("config/cfg.yaml", Span(1, 10, 1, 17), "trm_olx")
    assert f.message == "no config `arch/trm_olx`; did you mean `trm`?"


def test_suggests_a_stale_copy_when_the_typo_is_of_a_stale_name(project) -> None:
    root = project({"config/cfg.yaml": CFG.replace("arch: trm", "arch: trm_origianl"),
                    "config/arch/trm_original.yaml": "name: recursive_reasoning.trm@TRM\n"})
    [f] = only(check(root), "missing-default")
    assert f.message == "no config `arch/trm_origianl`; did you mean `trm_original`?"
