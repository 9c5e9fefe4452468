"""``append-existing-key``: a job override ``+a.b=v`` adds a key the composed config already has."""

from tests.rules.conftest import CFG, check, where
from trainpath.parsing.positions import Span


def test_fires_at_the_key_with_its_plus(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py +lr=2e-4 +arch.halt_max_steps=8\n"})
    findings = check(root)
    assert [(where(root, f), f.message) for f in findings] == [
        (("jobs.txt", Span(0, 23, 0, 26), "+lr"),
         "`+lr=2e-4`: the composed config already has `lr`; use `lr=2e-4` to change it or `++lr=2e-4` to add or change it"),
        (("jobs.txt", Span(0, 32, 0, 52), "+arch.halt_max_steps"),
         "`+arch.halt_max_steps=8`: the composed config already has `arch.halt_max_steps`; use `arch.halt_max_steps=8` "
         "to change it or `++arch.halt_max_steps=8` to add or change it"),
    ]
    assert {f.code for f in findings} == {"append-existing-key"}


def test_silent_where_hydra_accepts_the_plus(project) -> None:
    # Hydra 1.3: `+key` works on a key whose value is null, and when the new value is a dict or list (merged)
    root = project({
        "config/cfg.yaml": CFG + "checkpoint_path: null\nextras:\n  tags: [a]\n",
        "jobs.txt": (
            "[ ] python pretrain.py +run_name=x +arch.batch_size=8 ++lr=2e-4\n"
            "[ ] python pretrain.py +checkpoint_path=/tmp/ckpt\n"
            "[ ] python pretrain.py +extras={seed:1}\n"
        ),
    })
    assert check(root) == []
