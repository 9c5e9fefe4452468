"""``yaml-syntax``: a config file is not valid YAML, reported at PyYAML's problem mark."""

from tests.rules.conftest import ARCH_TRM, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_tab_that_starts_a_token(project) -> None:
    root = project({"config/arch/trm.yaml": ARCH_TRM.replace("loss:\n  name:", "loss:\n\tname:")})
    findings = check(root)
    [f] = only(findings, "yaml-syntax")
    assert where(root, f) == ("config/arch/trm.yaml", Span(2, 0, 2, 1), "\t")
    assert "tab" in f.message.lower()
    assert [x.code for x in findings] == ["yaml-syntax"]  # the chain stops at the broken file: no guesses after it


def test_fires_in_a_config_no_chain_uses(project) -> None:
    root = project({"config/arch/trm_wip.yaml": "name: recursive_reasoning.trm@TRM\nloss: {name: losses@ACTLossHead\n"
                                                "hidden_size: 512\n"})
    [f] = check(root)
    assert f.code == "yaml-syntax"
    assert f.path.name == "trm_wip.yaml"
    assert (f.span.line, f.span.end_line, f.span.end_col - f.span.col) == (2, 2, 1)  # one character on line 3


def test_silent_on_valid_but_unusual_yaml(project) -> None:
    root = project({"config/arch/trm_extra.yaml": (
        "# @package _global_\n"
        "---\n"
        "arch:\n"
        "  note: 'a: b # not a comment'\n"
        "  tags: &tags [x, y]\n"
        "  more_tags: *tags\n"
        "  doc: |\n"
        "    multi-line\n"
        "      text: here\n"
        "  empty:\n"
        "  quoted_key: \"tab\\there\"\n"
    )})
    assert only(check(root), "yaml-syntax") == []
