"""``stale-name``: a link of an active chain names something with a stale suffix."""

from tests.rules.conftest import ARCH_TRM, CFG, PRETRAIN, TRM_PY, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_stale_segment_of_each_link_with_the_clean_name(project) -> None:
    root = project({
        "pretrain_old.py": PRETRAIN,
        "config/cfg.yaml": CFG.replace("arch: trm", "arch: trm_backup"),
        "config/arch/trm_backup.yaml": ARCH_TRM.replace("recursive_reasoning.trm@TRM", "recursive_reasoning.trm_old@TRM"),
        "models/recursive_reasoning/trm_old.py": TRM_PY,
        "jobs.txt": "[ ] torchrun --nproc-per-node 4 pretrain_old.py +run_name=x\n",
    })
    findings = check(root)
    assert [(where(root, f), f.message) for f in findings] == [
        (("config/arch/trm_backup.yaml", Span(0, 26, 0, 33), "trm_old"),
         "active chain uses module `recursive_reasoning.trm_old` with the stale suffix `_old`; did you mean `trm`?"),
        (("config/cfg.yaml", Span(1, 10, 1, 20), "trm_backup"),
         "active chain uses arch option `trm_backup` with the stale suffix `_backup`; did you mean `trm`?"),
        (("jobs.txt", Span(0, 32, 0, 47), "pretrain_old.py"),
         "active chain uses script `pretrain_old.py` with the stale suffix `_old`; did you mean `pretrain.py`?"),
    ]
    assert {f.code for f in findings} == {"stale-name"}
    assert [dict(f.data) for f in findings] == [{"suggestion": "trm"}, {"suggestion": "trm"},
                                                 {"suggestion": "pretrain.py"}]


def test_fires_without_a_hint_when_no_clean_name_exists(project) -> None:
    root = project({"config/cfg_etrm_original.yaml": CFG,
                    "jobs.txt": "[ ] python pretrain.py --config-name cfg_etrm_original\n"})
    [f] = only(check(root), "stale-name")
    assert where(root, f) == ("jobs.txt", Span(0, 37, 0, 54), "cfg_etrm_original")
    assert f.message == "active chain uses config `cfg_etrm_original` with the stale suffix `_original`"
    assert f.data == ()


def test_silent_on_files_no_job_uses_and_on_names_that_only_look_stale(project) -> None:
    root = project({
        # stale files that no job runs: their names are not part of an active chain
        "pretrain_old.py": PRETRAIN,
        "config/arch/trm_old.yaml": ARCH_TRM.replace("recursive_reasoning.trm@TRM", "recursive_reasoning.trm_old@TRM"),
        "models/recursive_reasoning/trm_old.py": TRM_PY,
        # `_old`-like endings that are not the suffix
        "config/arch/trm_threshold.yaml": ARCH_TRM,
        "config/arch/trm_original_v2.yaml": ARCH_TRM,
        "jobs.txt": "[ ] python pretrain.py arch=trm_threshold\n[ ] python pretrain.py arch=trm_original_v2\n",
    })
    assert only(check(root), "stale-name") == []
