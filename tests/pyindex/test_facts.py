"""PyIndex facts: signatures, config classes, choices, training forward, halting (fixture project trm_like)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainpath.parsing.positions import Span
from trainpath.pyindex import Choices, Field, Halting, Param, PyIndex, TrainForward

ROOT = Path(__file__).parent / "projects" / "trm_like"
RR = ROOT / "models" / "recursive_reasoning"
TRM_PY = RR / "trm.py"
CHOICES_PY = ROOT / "models" / "choices_forms.py"


@pytest.fixture(scope="module")
def ix() -> PyIndex:
    return PyIndex([ROOT])


def sym(ix: PyIndex, module: str, name: str):
    found = ix.resolve(module, name)
    assert found is not None, (module, name)
    return found


# ------------------------------------------------------------------ signatures
def test_signature_own_init_with_kwargs(ix: PyIndex) -> None:
    assert ix.signature(sym(ix, "evaluators.arc", "ARC")) == ([
        Param("data_path", "positional", "str", None), Param("eval_metadata", "positional", None, None),
        Param("submission_K", "positional", "int", "2"), Param("args", "var_positional", None, None),
        Param("pass_Ks", "keyword", None, "(1, 2)"), Param("kwargs", "var_keyword", None, None)], True)
    assert ix.signature(sym(ix, "models.losses", "ACTLossHead"))[1] is True


def test_signature_functions_and_methods(ix: PyIndex) -> None:
    assert ix.signature(sym(ix, "pkg.exports", "helper")) == ([
        Param("x", "positional", None, None), Param("y", "positional", None, None), Param("z", "keyword", None, "1")], False)
    method = ix.resolve_dotted("models.recursive_reasoning.trm.TRM.forward")[2]
    assert ix.signature(method) == ([Param("carry", "positional", None, None), Param("batch", "positional", None, None)], False)


def test_signature_dataclass_pydantic_inherited_and_unknown(ix: PyIndex) -> None:
    assert ix.signature(sym(ix, "models.config_forms", "DCConfig")) == ([
        Param("hidden", "positional", "int", None), Param("layers", "positional", "int", "2"),
        Param("tags", "positional", "list", "field(default_factory=list)")], False)
    assert ix.signature(sym(ix, "models.recursive_reasoning.trm", "TRMCarry")) == (
        [Param("halted", "positional", "torch.Tensor", None)], False)
    # pydantic ignores unknown keys by default (accepts them), refuses them with extra="forbid"
    assert ix.signature(sym(ix, "models.config_forms", "V1Config")) == ([Param("size", "keyword", "int", None)], True)
    assert ix.signature(sym(ix, "models.config_forms", "KwConfig")) == ([Param("size", "keyword", "int", None)], False)
    assert ix.signature(sym(ix, "models.config_forms", "Inherits")) == ([Param("config_dict", "positional", None, None)], False)
    assert ix.signature(sym(ix, "models.recursive_reasoning.trm", "Helper")) == ([], False)
    assert ix.signature(sym(ix, "models.config_forms", "ExtConfig")) is None  # base outside the project
    assert ix.signature(sym(ix, "models.recursive_reasoning.trm", "TRM")) is not None
    assert ix.signature(sym(ix, "pkg.aliases", "Rate")) is None


def test_docstrings(ix: PyIndex) -> None:
    assert ix.docstring(sym(ix, "models.recursive_reasoning.trm", "TRM")) == "ACT wrapper."
    assert ix.docstring(sym(ix, "models.losses", "ACTLossHead")) is None


# -------------------------------------------------------------- config classes
def test_config_class_trm_pattern(ix: PyIndex) -> None:
    cc = ix.config_class(sym(ix, "models.recursive_reasoning.trm", "TRM"))
    assert (cc.name, cc.path, cc.span, cc.kind, cc.allows_extra) == ("TRMConfig", TRM_PY, Span(10, 6, 10, 15), "pydantic", False)
    assert list(cc.fields) == ["batch_size", "H_cycles", "halt_max_steps", "halt_exploration_prob", "puzzle_emb_len"]
    assert cc.fields["puzzle_emb_len"] == Field("puzzle_emb_len", "int", "16", "if non-zero, its specified to this value",
                                                Span(18, 4, 18, 18), TRM_PY)
    assert cc.fields["halt_max_steps"] == Field("halt_max_steps", "int", None, "Halting Q-learning config", Span(15, 4, 15, 18), TRM_PY)
    assert cc.fields["batch_size"].comment is None


def test_config_class_inherited_with_extra_allow(ix: PyIndex) -> None:
    for module, name in [("models.recursive_reasoning.etrm", "TRMWithEncoder"), ("models.recursive_reasoning.etrm_online", "OnlineTRM")]:
        cc = ix.config_class(sym(ix, module, name))
        assert (cc.name, cc.kind, cc.allows_extra, cc.span) == ("ETRMConfig", "pydantic", True, Span(6, 6, 6, 16))
        assert list(cc.fields) == ["batch_size", "H_cycles", "halt_max_steps", "halt_exploration_prob",
                                   "puzzle_emb_len", "encoder_type", "num_act_steps"]
        assert cc.fields["encoder_type"] == Field("encoder_type", "str", '"standard"', None, Span(9, 4, 9, 16), RR / "etrm.py")


def test_config_class_dataclass_with_comment_lines_above(ix: PyIndex) -> None:
    cc = ix.config_class(sym(ix, "models.config_forms", "DCModel"))
    assert (cc.name, cc.kind, cc.allows_extra) == ("DCConfig", "dataclass", False)
    assert list(cc.fields) == ["hidden", "layers", "tags"]  # field(init=False) is not a parameter
    assert cc.fields["layers"].comment == "how many layers (encoder only)"
    assert cc.fields["layers"].span == Span(10, 4, 10, 10)


@pytest.mark.parametrize("name, expected", [
    ("HelperModel", ("KwConfig", False)),  # self.config = make_config(d), make_config returns KwConfig(**d)
    ("Base", ("V1Config", True)),  # V1Config.model_validate(d); class Config: extra = "allow"
    ("Derived", ("V1Config", True)),  # super().__init__(config_dict)
    ("Inherits", ("V1Config", True)),  # no __init__ of its own
])
def test_config_class_indirect_forms(ix: PyIndex, name: str, expected: tuple) -> None:
    cc = ix.config_class(sym(ix, "models.config_forms", name))
    assert (cc.name, cc.allows_extra) == expected
    assert list(cc.fields) == ["size"]


@pytest.mark.parametrize("module, name", [
    ("models.config_forms", "ExtModel"),  # config class with a base outside the project
    ("models.config_forms", "Ambiguous"),  # two different config classes
    ("models.config_forms", "Typed"),  # no construction from a dict
    ("models.recursive_reasoning.etrm_online", "Unsure"),
    ("pkg.exports", "helper"),
])
def test_config_class_unsure_is_none(ix: PyIndex, module: str, name: str) -> None:
    assert ix.config_class(sym(ix, module, name)) is None


# -------------------------------------------------------------------- choices
def test_choices_followed_into_factory_module(ix: PyIndex) -> None:
    factory = ROOT / "models" / "encoders" / "factory.py"
    assert ix.choices(sym(ix, "models.recursive_reasoning.etrm", "TRMWithEncoder"), "encoder_type") == Choices(
        "encoder_type", ("standard", "hybrid_standard", "hybrid_variational"), True,
        [(factory, Span(4, 7, 4, 40)), (factory, Span(6, 9, 6, 73))])


@pytest.mark.parametrize("name, key, values, closed, spans", [
    ("OpenIf", "encoder_type", ("standard", "hybrid"), False, [Span(9, 11, 9, 49), Span(11, 13, 11, 49)]),
    ("ClosedElseRaise", "encoder_type", ("standard", "hybrid_standard", "lpn_standard"), True,
     [Span(18, 11, 18, 29), Span(20, 13, 20, 56)]),
    ("DictDispatch", "encoder_type", ("standard", "lpn"), True, [Span(28, 19, 28, 48)]),
    ("DictDispatch", "pooling", ("mean", "max"), False, [Span(29, 20, 29, 61)]),
    ("ModuleTuple", "pooling", ("mean", "attention"), True, [Span(34, 15, 34, 37)]),
    ("ModuleTuple", "encoder_type", ("a", "b"), True, [Span(35, 11, 35, 45)]),
    ("Matching", "encoder_type", ("standard", "hybrid"), True, [Span(41, 14, 41, 38)]),
    ("MatchingOpen", "encoder_type", ("standard",), False, [Span(50, 14, 50, 38)]),
    ("ByValue", "encoder_type", ("x",), False, [Span(61, 7, 61, 18)]),
])
def test_choices_forms(ix: PyIndex, name: str, key: str, values: tuple, closed: bool, spans: list) -> None:
    got = ix.choices(sym(ix, "models.choices_forms", name), key)
    assert got == Choices(key, values, closed, [(CHOICES_PY, s) for s in spans])


def test_choices_none_when_code_says_nothing(ix: PyIndex) -> None:
    assert ix.choices(sym(ix, "models.choices_forms", "NoChoices"), "encoder_type") is None
    assert ix.choices(sym(ix, "models.choices_forms", "OpenIf"), "pooling") is None
    assert ix.choices(sym(ix, "models.recursive_reasoning.trm", "TRM"), "encoder_type") is None
    assert ix.choices(sym(ix, "pkg.exports", "helper"), "encoder_type") is None


def test_choices_ignore_non_config_variables(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "class M:\n"
        "    def __init__(self, config, other):\n"
        "        if other.encoder_type == 'nope':\n"
        "            raise ValueError\n"
        "        if config.encoder_type == 'yes':\n"
        "            pass\n")
    ix = PyIndex([tmp_path])
    got = ix.choices(ix.resolve("m", "M"), "encoder_type")
    assert (got.values, got.closed, got.evidence) == (("yes",), False, [(tmp_path / "m.py", Span(4, 11, 4, 39))])


# -------------------------------------------------------------- train forward
def test_train_forward_dynamic_reencoded(ix: PyIndex) -> None:
    assert ix.train_forward(sym(ix, "models.recursive_reasoning.etrm", "TRMWithEncoder")) == TrainForward(
        ("_forward_train_original",), "dynamic",
        "forward() calls _forward_train_original() in training: _forward_train_original() uses halting "
        "(halt_exploration_prob, halt_max_steps, halted) and returns the carry; the encoder is called every step",
        Span(24, 8, 24, 31), RR / "etrm.py", "reencoded")


def test_train_forward_fixed_cached(ix: PyIndex) -> None:
    assert ix.train_forward(sym(ix, "models.recursive_reasoning.etrm_online", "OnlineTRM")) == TrainForward(
        ("_forward_train_online",), "fixed",
        "forward() calls _forward_train_online() in training: _forward_train_online() loops "
        "range(self.config.num_act_steps); the encoder is called once and cached",
        Span(13, 8, 13, 29), RR / "etrm_online.py", "cached")


@pytest.mark.parametrize("name, methods, mode, encoder, span", [
    ("FixedReencode", ("_train",), "fixed", "reencoded", Span(29, 8, 29, 14)),
    ("Unsure", ("_step",), None, None, Span(41, 8, 41, 13)),
    ("NamedOnly", ("_forward_train_dynamic",), "dynamic", None, Span(51, 8, 51, 30)),
])
def test_train_forward_forms(ix: PyIndex, name: str, methods: tuple, mode: str | None, encoder: str | None, span: Span) -> None:
    tf = ix.train_forward(sym(ix, "models.recursive_reasoning.etrm_online", name))
    assert (tf.methods, tf.mode, tf.encoder, tf.span, tf.dispatch_key, tf.by_value) == (methods, mode, encoder, span, None, {})
    if name == "NamedOnly":
        assert tf.evidence.endswith("_forward_train_dynamic() is named for dynamic mode (its body is not conclusive)")


def test_train_forward_inline_halting(ix: PyIndex) -> None:
    tf = ix.train_forward(sym(ix, "models.recursive_reasoning.trm", "TRM"))
    assert (tf.methods, tf.mode, tf.span, tf.path, tf.encoder) == (("forward",), "dynamic", Span(34, 8, 34, 15), TRM_PY, None)


def test_train_forward_dispatch_on_config_key(ix: PyIndex) -> None:
    tf = ix.train_forward(sym(ix, "models.recursive_reasoning.etrm_online", "Dispatching"))
    assert (tf.methods, tf.mode, tf.dispatch_key, tf.by_value) == (
        ("_forward_train_online", "_forward_train_original"), None, "act_mode",
        {"online": "fixed", "original": "dynamic", "*": "dynamic"})
    assert tf.evidence == ("forward() dispatches on config key 'act_mode': 'online' -> _forward_train_online(); "
                           "'original' -> _forward_train_original(); '*' -> _forward_train_original()")


def test_train_forward_none_without_forward(ix: PyIndex) -> None:
    assert ix.train_forward(sym(ix, "models.recursive_reasoning.etrm_online", "NoForward")) is None
    assert ix.train_forward(sym(ix, "pkg.exports", "helper")) is None


# --------------------------------------------------------------------- halting
@pytest.mark.parametrize("module, name, expected", [
    ("models.recursive_reasoning.trm", "TRM", Halting(True, ("halt_exploration_prob", "halt_max_steps"))),
    ("models.recursive_reasoning.etrm", "TRMWithEncoder", Halting(True, ("halt_exploration_prob", "halt_max_steps"))),
    ("models.recursive_reasoning.etrm_online", "OnlineTRM", Halting(False, ("num_act_steps",))),
    ("models.recursive_reasoning.etrm_online", "Unsure", Halting(False, ())),
    ("models.recursive_reasoning.etrm_online", "NoForward", Halting(False, ())),
    ("models.encoders.standard", "StandardEncoder", Halting(False, ())),
])
def test_halting(ix: PyIndex, module: str, name: str, expected: Halting) -> None:
    assert ix.halting(sym(ix, module, name)) == expected


def test_halting_max_steps_only_follows_training_mode(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "class Eval:\n"
        "    def forward(self, b):\n"
        "        if self.training:\n"
        "            return self._forward_train_online(b)\n"
        "        return self.run(self.config.halt_max_steps)\n"
        "    def _forward_train_online(self, b):\n"
        "        for _ in range(self.config.num_act_steps):\n"
        "            b = b + 1\n"
        "        return b\n")
    ix = PyIndex([tmp_path])
    assert ix.halting(ix.resolve("m", "Eval")) == Halting(False, ("halt_max_steps", "num_act_steps"))


def test_facts_are_cached_until_invalidated(tmp_path: Path) -> None:
    mod = tmp_path / "m.py"
    mod.write_text("class M:\n    def __init__(self, config):\n        assert config.kind in ('a',)\n")
    ix = PyIndex([tmp_path])
    assert ix.choices(ix.resolve("m", "M"), "kind").values == ("a",)
    mod.write_text("class M:\n    def __init__(self, config):\n        assert config.kind in ('a', 'b')\n")
    ix.invalidate(mod)
    assert ix.choices(ix.resolve("m", "M"), "kind").values == ("a", "b")
