"""``unresolved-interpolation``: a ``${…}`` that points at a key the composed config does not have."""

from tests.rules.conftest import ARCH_TRM, CFG, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_a_relative_reference_with_the_nearest_key(project) -> None:
    root = project({"config/arch/trm.yaml": ARCH_TRM.replace("${.hidden_size}", "${.hiden_size}")})
    findings = check(root)
    [f] = only(findings, "unresolved-interpolation")
    assert where(root, f) == ("config/arch/trm.yaml", Span(9, 17, 9, 31), "${.hiden_size}")
    assert f.message == ("`${.hiden_size}` points at `arch.hiden_size`, which the composed config does not have; "
                         "did you mean `${.hidden_size}`?")
    assert dict(f.data) == {"suggestion": "${.hidden_size}"}
    assert [x.code for x in findings] == ["unresolved-interpolation"]


def test_fires_at_each_absolute_reference_inside_a_longer_string(project) -> None:
    root = project({"config/cfg.yaml": CFG + "run_dir: outputs/${arch.name}/${epoch}\n"})
    [f] = only(check(root), "unresolved-interpolation")
    assert where(root, f) == ("config/cfg.yaml", Span(7, 30, 7, 38), "${epoch}")
    assert f.message == "`${epoch}` points at `epoch`, which the composed config does not have; did you mean `${epochs}`?"


def test_fires_in_the_job_chain_that_does_not_add_the_key(project) -> None:
    root = project({"config/cfg.yaml": CFG + "run_dir: outputs/${run_name}\n",
                    "jobs.txt": "[ ] python pretrain.py +run_name=a\n[ ] python pretrain.py lr=0.1\n"})
    [f] = only(check(root), "unresolved-interpolation")
    assert where(root, f) == ("config/cfg.yaml", Span(7, 17, 7, 28), "${run_name}")


def test_fires_in_a_quoted_job_override_value(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py '+run_dir=outputs/${arch.nam}'\n"})
    [f] = check(root)
    assert (f.code, where(root, f)) == ("unresolved-interpolation", ("jobs.txt", Span(0, 41, 0, 52), "${arch.nam}"))
    assert f.message.endswith("did you mean `${arch.name}`?")


def test_silent_on_resolvable_relative_resolver_and_hydra_references(project) -> None:
    root = project({
        "config/cfg.yaml": CFG + (
            "optimizer:\n  lr: ${..lr}\n  scaled: ${.lr}\n"
            "logging:\n  root: ${oc.env:HOME}/ckpt\n  cwd: ${hydra:runtime.cwd}\n  dir: ${hydra.run.dir}\n"
            "  model: ${arch.name}\n  first: ${data_paths.0}\n  escaped: \\${not_a_key}\n"
            "  run: outputs/${run_name}\n"  # every job that composes cfg adds run_name
        ),
        "jobs.txt": "[ ] python pretrain.py +run_name=a +run_tag=${now:%H}\n[ ] python pretrain.py +run_name=b\n",
    })
    assert check(root) == []
