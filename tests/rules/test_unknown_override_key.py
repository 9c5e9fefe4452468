"""``unknown-override-key``: a job override ``a.b=v`` sets a key the composed config does not have."""

from tests.rules.conftest import CFG, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_key_with_the_nearest_key(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py arch.hidden_sise=256 epoch=3\n"})
    findings = check(root)
    assert [(where(root, f), f.message, dict(f.data)["suggestion"]) for f in findings] == [
        (("jobs.txt", Span(0, 23, 0, 39), "arch.hidden_sise"),
         "`arch.hidden_sise=256`: the composed config has no key `arch.hidden_sise`; did you mean `arch.hidden_size`? "
         "(to add it as a new key use `+arch.hidden_sise=256`)", "arch.hidden_size"),
        (("jobs.txt", Span(0, 44, 0, 49), "epoch"),
         "`epoch=3`: the composed config has no key `epoch`; did you mean `epochs`? (to add it as a new key use `+epoch=3`)",
         "epochs"),
    ]
    assert {f.code for f in findings} == {"unknown-override-key"}


def test_fires_at_a_key_below_a_scalar_without_a_guess(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py lr.warmup=5\n"})
    [f] = only(check(root), "unknown-override-key")
    assert where(root, f) == ("jobs.txt", Span(0, 23, 0, 32), "lr.warmup")
    assert "did you mean" not in f.message


def test_silent_on_existing_added_forced_and_hydra_keys(project) -> None:
    root = project({
        "config/cfg.yaml": CFG + "checkpoint_path: null\n",
        "jobs.txt": (
            "[ ] python pretrain.py arch.hidden_size=256 lr=2e-4 data_paths=[data/a,data/b]\n"
            "[ ] python pretrain.py +arch.dropout=0.1 +run_name=x ++arch.halt_max_steps=8 ++new_key=1\n"
            "[ ] python pretrain.py checkpoint_path=/tmp/ckpt hydra.run.dir=outputs/x ~epochs\n"
            "[ ] python pretrain.py arch.loss.loss_type=softmax_cross_entropy 'arch.hidden_size=128'\n"
        ),
    })
    assert only(check(root), "unknown-override-key") == []
