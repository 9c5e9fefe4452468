"""``not-hydra-script``: a job passes Hydra overrides or ``--config-name`` to a script with no ``@hydra.main``."""

from tests.rules.conftest import check, only, where
from trainpath.parsing.positions import Span

EXPORT = '''\
"""Export a checkpoint (argparse, no Hydra)."""

import argparse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="model.safetensors")
    parser.add_argument("--config-name", default="metrics", help="a file stem, not a Hydra config")
    parser.parse_args()


if __name__ == "__main__":
    main()
'''


def test_fires_at_the_script_when_a_hydra_override_is_passed(project) -> None:
    root = project({"tools/export.py": EXPORT,
                    "jobs.txt": "[ ] python tools/export.py out=model.safetensors\n"})
    findings = check(root)
    [f] = only(findings, "not-hydra-script")
    assert where(root, f) == ("jobs.txt", Span(0, 11, 0, 26), "tools/export.py")
    assert f.message == ("`tools/export.py` has no @hydra.main entry point, "
                         "but the job passes Hydra arguments to it")
    assert [x.code for x in findings] == ["not-hydra-script"]


def test_fires_when_config_name_is_passed(project) -> None:
    root = project({"tools/export.py": EXPORT,
                    "jobs.txt": "[ ] python tools/export.py --config-name cfg\n"})
    [f] = only(check(root), "not-hydra-script")
    assert where(root, f) == ("jobs.txt", Span(0, 11, 0, 26), "tools/export.py")


def test_silent_on_plain_arguments_and_on_hydra_scripts(project) -> None:
    root = project({
        "tools/export.py": EXPORT,
        "jobs.txt": (
            "[ ] python tools/export.py --out model.safetensors\n"
            "[ ] python tools/export.py\n"
            "[ ] torchrun --nproc-per-node 4 pretrain.py --config-name cfg +run_name=a lr=2e-4\n"
        ),
    })
    assert check(root) == []


def test_silent_when_the_script_does_not_parse(project) -> None:
    # the script's own python-syntax finding says what is wrong; "no @hydra.main" would be a guess
    root = project({"tools/export.py": EXPORT.replace("def main() -> None:", "def main( -> None:"),
                    "jobs.txt": "[ ] python tools/export.py out=model.safetensors\n"})
    assert only(check(root), "not-hydra-script") == []


def test_silent_on_a_script_that_uses_hydras_compose_api(project) -> None:
    evaluate = ("import sys\n\nfrom hydra import compose, initialize\n\n"
                "with initialize(config_path=\"../config\", version_base=None):\n"
                "    cfg = compose(\"cfg\", overrides=sys.argv[1:])\n")
    root = project({"tools/evaluate.py": evaluate, "jobs.txt": "[ ] python tools/evaluate.py arch=trm lr=0.1\n"})
    assert check(root) == []

