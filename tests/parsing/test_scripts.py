"""Training-script parser: the @hydra.main entry point and model-loading helpers, read with ast only."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from trainpath.parsing.positions import Span
from trainpath.parsing.scripts import LoaderCall, load_script, parse_script

ROOT = Path("/proj")
SCRIPT = ROOT / "pretrain.py"


def at(text: str, needle: str, nth: int = 0) -> Span:
    """The span of the ``nth`` occurrence of ``needle`` in ``text`` (single line)."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start)
    col = start - (text.rfind("\n", 0, start) + 1)
    return Span(line, col, line, col + len(needle))


PRETRAIN = '''\
from typing import Optional, Any
import os
import torch
import torch.distributed as dist
import hydra
from omegaconf import DictConfig
from utils.functions import load_model_class, get_model_source_path
this_import_would_explode_if_run()


def create_model(config, train_metadata, rank: int, world_size: int):
    model_cls = load_model_class(config.arch.name)
    loss_head_cls = load_model_class(config.arch.loss.name)
    return model_cls, loss_head_cls


def create_evaluators(config, eval_metadata):
    for cfg in config.evaluators:
        cls = load_model_class(cfg.name, "evaluators.")
    return []


class Trainer:
    def _forward_train_online(self, batch):
        return batch

    def helper(self):
        pass


@hydra.main(config_path="config", config_name="cfg_pretrain", version_base=None)
def launch(hydra_config: DictConfig):
    config = hydra_config
    model = create_model(config, None, 0, 1)


if __name__ == "__main__":
    launch()
'''

FUNCTIONS = '''\
import importlib
import inspect


def load_model_class(identifier: str, prefix: str = "models."):
    module_path, class_name = identifier.split('@')
    module = importlib.import_module(prefix + module_path)
    return getattr(module, class_name)


def get_model_source_path(identifier: str, prefix: str = "models."):
    module_path, class_name = identifier.split('@')
    module = importlib.import_module(prefix + module_path)
    return inspect.getsourcefile(module)
'''


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "functions.py").write_text(FUNCTIONS)
    (tmp_path / "pretrain.py").write_text(PRETRAIN)
    return tmp_path


def test_realistic_pretrain_script(project: Path) -> None:
    script = project / "pretrain.py"
    info = load_script(script, project)
    assert info.findings == []
    e = info.entry
    assert e is not None
    assert e.function == "launch" and e.function_span == at(PRETRAIN, "launch", 0)
    dec = '@hydra.main(config_path="config", config_name="cfg_pretrain", version_base=None)'
    assert e.decorator_span == at(PRETRAIN, dec)
    assert (e.config_path, e.config_path_span, e.config_path_given) == ("config", at(PRETRAIN, '"config"'), True)
    assert (e.config_name, e.config_name_span) == ("cfg_pretrain", at(PRETRAIN, '"cfg_pretrain"'))
    assert e.version_base is None and e.dynamic is False
    assert e.config_dir == (project / "config").resolve()
    helper = project / "utils" / "functions.py"
    default = at(FUNCTIONS, '"models."')
    assert info.loader_calls == [
        LoaderCall("load_model_class", "config.arch.name", "models.", default, helper,
                   at(PRETRAIN, "load_model_class(config.arch.name)")),
        LoaderCall("load_model_class", "config.arch.loss.name", "models.", default, helper,
                   at(PRETRAIN, "load_model_class(config.arch.loss.name)")),
        LoaderCall("load_model_class", "cfg.name", "evaluators.", at(PRETRAIN, '"evaluators."'), script,
                   at(PRETRAIN, 'load_model_class(cfg.name, "evaluators.")')),
    ]  # fmt: skip
    assert (info.model_prefix, info.evaluator_prefix) == ("models.", "evaluators.")
    assert info.functions == {
        "create_model": at(PRETRAIN, "create_model"),
        "create_evaluators": at(PRETRAIN, "create_evaluators"),
        "Trainer._forward_train_online": at(PRETRAIN, "_forward_train_online"),
        "launch": at(PRETRAIN, "launch"),
    }


def test_helper_in_package_init_and_reexport(tmp_path: Path) -> None:
    (tmp_path / "utils" / "functions").mkdir(parents=True)
    (tmp_path / "utils" / "functions" / "__init__.py").write_text("from .loading import load_model_class\n")
    (tmp_path / "utils" / "functions" / "loading.py").write_text(
        "from importlib import import_module\n\ndef load_model_class(name, prefix='nets.'):\n"
        "    return import_module(prefix + name)\n"
    )
    text = "from utils.functions import load_model_class as lmc\nlmc(cfg.arch.name)\n"
    info = parse_script(text, tmp_path / "train.py", tmp_path)
    (call,) = info.loader_calls
    assert (call.function, call.arg, call.prefix) == ("load_model_class", "cfg.arch.name", "nets.")
    assert call.prefix_path == tmp_path / "utils" / "functions" / "loading.py"
    assert call.prefix_span == Span(2, 34, 2, 41)
    assert info.model_prefix == "nets." and info.evaluator_prefix is None


def test_module_attribute_call_and_keyword_prefix(project: Path) -> None:
    text = "import utils.functions as uf\nuf.load_model_class(identifier=c.arch.name, prefix='m2.')\n"
    info = parse_script(text, project / "train.py", project)
    (call,) = info.loader_calls
    assert (call.arg, call.prefix, call.prefix_span, call.prefix_path) == (
        "c.arch.name", "m2.", at(text, "'m2.'"), project / "train.py")


def test_non_literal_prefix_is_unknown(project: Path) -> None:
    text = "from utils.functions import load_model_class\nP = 'x.'\nload_model_class(cfg.arch.name, P)\n"
    (call,) = parse_script(text, project / "train.py", project).loader_calls
    assert (call.prefix, call.prefix_span, call.prefix_path) == (None, None, None)


def test_local_helper_with_importlib_and_string_concatenation(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        import importlib as il

        def get_cls(ident):
            mod, cls = ident.split("@")
            return getattr(il.import_module("models." + mod), cls)

        model = get_cls(config.arch.name)
        other = str(config.arch.name)
    """)
    info = parse_script(text, tmp_path / "t.py", tmp_path)
    (call,) = info.loader_calls
    assert (call.function, call.prefix, call.prefix_span, call.prefix_path) == (
        "get_cls", "models.", at(text, '"models."'), tmp_path / "t.py")
    assert info.model_prefix == "models." and info.entry is None


def test_unresolvable_or_plain_imports_are_not_loaders(project: Path) -> None:
    text = "from missing.mod import load_model_class\nfrom os.path import join\nload_model_class(c.arch.name)\njoin(a)\n"
    info = parse_script(text, project / "train.py", project)
    assert info.loader_calls == [] and info.model_prefix is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('import hydra\n@hydra.main("conf", "cfg", "1.3")\ndef run(c): ...\n',
         ("run", "conf", True, "cfg", "1.3", False)),
        ('from hydra import main\n@main(config_path=None, config_name="x")\ndef run(c): ...\n',
         ("run", None, True, "x", None, False)),
        ('from hydra import main as hm\n@hm(config_name="x")\ndef run(c): ...\n',
         ("run", None, False, "x", None, False)),
        ('import hydra as h\n@h.main(version_base=None, config_path=CONF, config_name="x")\ndef run(c): ...\n',
         ("run", None, True, "x", None, True)),
        ('import hydra\n@hydra.main(config_path="c", config_name=f"cfg_{X}")\ndef run(c): ...\n',
         ("run", "c", True, None, None, True)),
        ('import hydra\n@hydra.main(**opts)\ndef run(c): ...\n', ("run", None, False, None, None, True)),
        ('import hydra\n@other.main()\n@hydra.main()\nasync def run(c): ...\n',
         ("run", None, False, None, None, False)),
        ('import hydra\nif True:\n    @hydra.main(config_name="n")\n    def inner(c): ...\n',
         ("inner", None, False, "n", None, False)),
    ],
)  # fmt: skip
def test_decorator_forms(source: str, expected: tuple) -> None:
    e = parse_script(source, SCRIPT).entry
    assert e is not None
    assert (e.function, e.config_path, e.config_path_given, e.config_name, e.version_base, e.dynamic) == expected
    assert e.function_span == at(source, e.function, source.count(e.function) - 1)


def test_positional_spans_and_config_dir() -> None:
    src = 'import hydra\n\n@hydra.main( "../conf" ,\n    "cfg")\ndef  main_fn(c): ...\n'
    e = parse_script(src, SCRIPT).entry
    assert e is not None
    assert e.decorator_span == Span(2, 0, 3, 10)
    assert e.config_path_span == at(src, '"../conf"') and e.config_name_span == at(src, '"cfg"')
    assert e.function_span == at(src, "main_fn")
    assert e.config_dir == Path("/conf")
    assert parse_script('import hydra\n@hydra.main(config_path="pkg://a.b")\ndef f(c): ...\n', SCRIPT).entry.config_dir is None  # type: ignore[union-attr]  # noqa: E501


def test_non_ascii_columns_are_code_points() -> None:
    src = 'import hydra\n@hydra.main(config_name="ünïcödé", config_path="κ")\ndef f(c): ...\n'
    e = parse_script(src, SCRIPT).entry
    assert e is not None
    assert e.config_name_span == at(src, '"ünïcödé"') and e.config_path_span == at(src, '"κ"')
    assert e.decorator_span == Span(1, 0, 1, len(src.splitlines()[1]))


def test_no_entry_point() -> None:
    info = parse_script("import hydra\ndef main(): ...\n@main\ndef f(): ...\nhydra.main()\n", SCRIPT)
    assert info.entry is None and info.findings == []


@pytest.mark.parametrize(
    ("source", "span", "fragment"),
    [
        ("def f(:\n    pass\n", Span(0, 6, 0, 7), "invalid syntax"),
        ('a = "ü" )\n', Span(0, 8, 0, 9), "unmatched ')'"),
        ("x = 1\n  y = 2\n", Span(1, 2, 1, 7), "unexpected indent"),
        ("if x:\npass\n", Span(1, 0, 1, 4), "expected an indented block"),
        ("é = 1; x = (1,\n", Span(0, 11, 0, 12), "'(' was never closed"),
        ("x = 1\x00\n", Span(0, 0, 0, 0), "null"),
    ],
)
def test_syntax_errors_give_one_finding_at_the_error(source: str, span: Span, fragment: str) -> None:
    info = parse_script(source, SCRIPT)
    (f,) = info.findings
    assert f.code == "python-syntax" and f.path == SCRIPT and f.span == span
    assert fragment in f.message and "pretrain.py" in f.message
    assert info.entry is None and info.loader_calls == []


def test_load_script_cache_follows_script_and_helper_content(project: Path) -> None:
    script = project / "pretrain.py"
    first = load_script(script, project)
    assert load_script(script, project) is first
    (project / "utils" / "functions.py").write_text(FUNCTIONS.replace('"models."', '"nets."'))
    second = load_script(script, project)
    assert second is not first and second.model_prefix == "nets."
    script.write_text("def broken(:\n")
    third = load_script(script, project)
    assert [f.code for f in third.findings] == ["python-syntax"]
    (project / "bin.py").write_bytes(b"\x00\x01")
    assert [f.code for f in load_script(project / "bin.py", project).findings] == ["unreadable-file"]
    assert [f.code for f in load_script(project / "gone.py", project).findings] == ["unreadable-file"]
