"""``override-syntax``: a job override Hydra's grammar refuses, or a sweep where one run is composed."""

from tests.rules.conftest import check, where
from trainpath.parsing.positions import Span


def test_fires_at_a_sweep_value_and_at_an_unparsable_override(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py lr=1e-4,2e-4 a=b=c +run_name=x\n"})
    findings = check(root)
    assert [(where(root, f), f.message) for f in findings] == [
        (("jobs.txt", Span(0, 26, 0, 35), "1e-4,2e-4"),
         "`lr=1e-4,2e-4` is a sweep (several values); a single run takes one value: "
         "quote it for a string or write a list as `[a,b]`"),
        (("jobs.txt", Span(0, 36, 0, 41), "a=b=c"),
         "Hydra refuses the override `a=b=c`: unexpected '=' at column 4, expecting end of text or ','"),
    ]
    assert {f.code for f in findings} == {"override-syntax"}


def test_fires_on_a_comma_the_shell_unquotes(project) -> None:
    # `+run_name="a,b"`: the shell drops the quotes, so Hydra sees the sweep `a,b`
    root = project({"jobs.txt": "[ ] python pretrain.py +run_name=\"etrm_a,b\"\n"})
    [f] = check(root)
    assert (f.code, where(root, f)) == ("override-syntax", ("jobs.txt", Span(0, 34, 0, 42), "etrm_a,b"))


def test_silent_on_quoted_list_and_function_values_and_on_non_hydra_scripts(project) -> None:
    root = project({
        "tools/plot.py": "import argparse\n\nargparse.ArgumentParser().parse_args()\n",
        "jobs.txt": (
            # the shell keeps the inner double quotes: Hydra reads a quoted string, not a sweep
            "[ ] python pretrain.py '+run_name=\"etrm_a,b\"' 'arch.loss.loss_type=softmax_cross_entropy'\n"
            "[ ] python pretrain.py data_paths=[data/a,data/b] +tags='[x, y]' lr=2e-4 epochs=int(3.0)\n"
            "[ ] python tools/plot.py --smooth 0.9\n"
        ),
    })
    assert check(root) == []


def test_silent_on_sweeps_of_a_multirun(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py -m lr=1e-4,2e-4 'arch.hidden_size=choice(128,256)'\n"
                                "[ ] python pretrain.py --multirun 'arch=glob(*)' 'epochs=range(1,3)'\n"})
    assert check(root) == []


def test_a_multirun_still_checks_its_single_value_overrides(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py -m lr=1e-4,2e-4 epoch=3\n"})
    [f] = check(root)
    assert (f.code, where(root, f)) == ("unknown-override-key", ("jobs.txt", Span(0, 39, 0, 44), "epoch"))

