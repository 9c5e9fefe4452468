"""``missing-script``: a job line runs a script file that does not exist."""

from tests.rules.conftest import check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_script_token_with_the_nearest_script(project) -> None:
    root = project({"jobs.txt": "[ ] torchrun --nproc-per-node 4 pretrain_v2.py +run_name=base\n"})
    findings = check(root)
    [f] = only(findings, "missing-script")
    assert where(root, f) == ("jobs.txt", Span(0, 32, 0, 46), "pretrain_v2.py")
    assert "pretrain_v2.py" in f.message
    assert "did you mean `pretrain.py`?" in f.message
    assert dict(f.data) == {"suggestion": "pretrain.py"}
    assert [x.code for x in findings] == ["missing-script"]  # nothing downstream of a missing link


def test_fires_in_a_shell_script_with_a_line_continuation(project) -> None:
    root = project({"jobs.txt": None,
                    "scripts/launch.sh": "#!/bin/bash\ncd \"$(dirname \"$0\")/..\"\ntorchrun --nproc-per-node 4 \\\n"
                                         "    pretrain_etrm.py +run_name=x\n"})
    [f] = only(check(root), "missing-script")
    assert where(root, f) == ("scripts/launch.sh", Span(3, 4, 3, 20), "pretrain_etrm.py")
    assert f.message.endswith("did you mean `pretrain.py`?")


def test_silent_on_existing_dynamic_printed_and_commented_scripts(project) -> None:
    root = project({
        "jobs.txt": (
            "# python pretrain_v2.py  <- a comment, not a job\n"
            "[x] torchrun --nproc-per-node 4 pretrain.py +run_name=a\n"
            "[-] python ./pretrain.py +run_name=b [4242]\n"
        ),
        "scripts/launch.sh": (
            "#!/usr/bin/env bash\n"
            "SCRIPT_DIR=$(cd \"$(dirname \"$0\")\" && pwd)\n"
            "echo \"python pretrain_v2.py arch=nope   <- only printed\"\n"
            "python \"$SCRIPT_DIR/../pretrain_v2.py\" +run_name=c\n"
            "python ${ROOT}/train_$MODE.py +run_name=d\n"
        ),
    })
    assert only(check(root), "missing-script") == []
