"""``python-syntax``: a script or model file that a chain needs does not parse."""

from tests.rules.conftest import PRETRAIN, TRM_PY, check, only, where
from trainpath.parsing.positions import Span


def test_fires_in_the_model_file_at_the_syntax_error(project) -> None:
    root = project({"models/recursive_reasoning/trm.py": TRM_PY.replace("return steps, {\"halted\": halted}",
                                                                         "return steps, {\"halted\": halted")})
    findings = check(root)
    [f] = only(findings, "python-syntax")
    assert where(root, f) == ("models/recursive_reasoning/trm.py", Span(33, 22, 33, 23), "{")
    assert "'{' was never closed" in f.message
    assert [x.code for x in findings] == ["python-syntax"]  # no missing-class guess for a file that does not parse


def test_fires_in_the_training_script(project) -> None:
    root = project({"pretrain.py": PRETRAIN.replace("    create_model(hydra_config)\n", "    create_model(hydra_config\n")})
    findings = only(check(root), "python-syntax")
    assert [where(root, f) for f in findings] == [("pretrain.py", Span(16, 16, 16, 17), "(")]
    assert "'(' was never closed" in findings[0].message


def test_silent_on_broken_files_no_chain_needs(project) -> None:
    root = project({"tools/scratch.py": "def broken(:\n    pass\n",
                    "models/recursive_reasoning/wip.py": "class WIP(\n"})
    assert check(root) == []
