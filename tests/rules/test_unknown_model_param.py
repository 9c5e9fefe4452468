"""``unknown-model-param``: an arch config key the model's config class has no field for."""

from tests.rules.conftest import ARCH_TRM, CFG, TRM_PY, check, only, where
from trainpath.parsing.positions import Span


def test_fires_at_the_yaml_key_with_the_nearest_field(project) -> None:
    root = project({"config/arch/trm.yaml": ARCH_TRM.replace("halt_max_steps: 16", "halt_max_step: 16")})
    findings = check(root)
    [f] = only(findings, "unknown-model-param")
    assert where(root, f) == ("config/arch/trm.yaml", Span(6, 0, 6, 13), "halt_max_step")
    assert f.message == ("`halt_max_step` is not a field of `TRMConfig` (models/recursive_reasoning/trm.py): "
                         "the model would silently ignore it; did you mean `halt_max_steps`?")
    assert dict(f.data) == {"suggestion": "halt_max_steps"}
    # the real field is now unset: the ACT rule says so at the model name
    assert sorted(x.code for x in findings) == ["missing-act-param", "unknown-model-param"]


def test_fires_at_keys_a_main_config_or_a_job_adds_to_the_arch_node(project) -> None:
    root = project({"config/cfg.yaml": CFG + "arch:\n  hiden_size: 256\n",
                    "jobs.txt": "[ ] python pretrain.py +arch.dropout=0.1\n"})
    findings = only(check(root), "unknown-model-param")
    assert [(where(root, f), dict(f.data)) for f in findings] == [
        (("config/cfg.yaml", Span(8, 2, 8, 12), "hiden_size"), {"suggestion": "hidden_size"}),
        (("jobs.txt", Span(0, 29, 0, 36), "dropout"), {}),
    ]
    assert findings[1].message == ("`dropout` is not a field of `TRMConfig` (models/recursive_reasoning/trm.py): "
                                   "the model would silently ignore it")


def test_silent_on_fields_script_keys_and_open_config_classes(project) -> None:
    open_py = TRM_PY.replace("class TRMConfig(BaseModel):\n",
                             "class TRMConfig(BaseModel):\n    model_config = ConfigDict(extra=\"allow\")\n\n").replace(
        "from pydantic import BaseModel", "from pydantic import BaseModel, ConfigDict").replace("class TRM:", "class TRMOpen:")
    root = project({
        # `name`, `loss` and a nested `_target_` table are the script's, not the model's
        "config/arch/trm.yaml": ARCH_TRM + "batch_size: 8\noptim:\n  _target_: torch.optim.AdamW\n  lr: 0.1\n",
        "models/recursive_reasoning/trm_open.py": open_py,
        "config/arch/trm_open.yaml": ARCH_TRM.replace("trm@TRM", "trm_open@TRMOpen") + "anything_goes: 1\n",
        "jobs.txt": "[ ] python pretrain.py arch.hidden_size=256 arch.batch_size=4\n"
                    "[ ] python pretrain.py arch=trm_open +arch.extra_flag=true\n",
    })
    assert check(root) == []


def test_silent_on_keys_the_model_takes_from_the_dict_itself(project) -> None:
    model = TRM_PY.replace("        self.config = TRMConfig(**config_dict)\n",
                           "        self.vocab = config_dict.pop(\"vocab_path\")\n"
                           "        self.config = TRMConfig(**config_dict)\n")
    root = project({"models/recursive_reasoning/trm.py": model,
                    "config/arch/trm.yaml": ARCH_TRM + "vocab_path: data/vocab.json\n"})
    assert check(root) == []

