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



def test_silent_on_keys_the_training_script_reads_off_the_arch_node(project) -> None:
    # the model ignores these keys, the run does not: deleting them would change or crash it
    from tests.rules.conftest import PRETRAIN

    script = PRETRAIN.replace("    create_model(hydra_config)\n", (
        "    create_model(hydra_config)\n"
        "    noise = getattr(hydra_config.arch, \"grid_noise_prob\", 0.0)\n"
        "    if hydra_config.arch.puzzle_emb_dim == 0:\n"
        "        pass\n"
        "    if hasattr(hydra_config.arch, \"use_ema\") or hydra_config.arch.get(\"ema_rate\") "
        "or hydra_config.arch[\"seed_offset\"]:\n"
        "        pass\n"))
    root = project({
        "pretrain.py": script,
        "config/arch/trm.yaml": ARCH_TRM + ("grid_noise_prob: 0.1\npuzzle_emb_dim: 0\nuse_ema: true\nema_rate: 0.99\n"
                                            "seed_offset: 3\nnot_read: 1\n"),
        "jobs.txt": "[ ] python pretrain.py +arch.grid_noise_prob=0.2 +arch.also_not_read=2\n",
    })
    findings = only(check(root), "unknown-model-param")
    assert [where(root, f) for f in findings] == [
        ("config/arch/trm.yaml", Span(15, 0, 15, 8), "not_read"),
        ("jobs.txt", Span(0, 55, 0, 68), "also_not_read"),
    ]


def test_a_key_read_by_another_script_still_fires_on_a_job_of_this_one(project) -> None:
    from tests.rules.conftest import PRETRAIN

    reader = PRETRAIN.replace("    create_model(hydra_config)\n",
                              "    create_model(hydra_config)\n    print(hydra_config.arch.grid_noise_prob)\n")
    root = project({
        "pretrain_reader.py": reader,
        "jobs.txt": "[ ] python pretrain.py +arch.grid_noise_prob=0.2\n"
                    "[ ] python pretrain_reader.py +arch.grid_noise_prob=0.2\n",
    })
    findings = only(check(root), "unknown-model-param")
    assert [where(root, f) for f in findings] == [("jobs.txt", Span(0, 29, 0, 44), "grid_noise_prob")]


def test_a_dataclass_config_class_refuses_the_key_and_the_message_says_so(project) -> None:
    model = TRM_PY.replace("from pydantic import BaseModel\n", "from dataclasses import dataclass\n").replace(
        "class TRMConfig(BaseModel):\n    batch_size: int = 1\n    hidden_size: int\n    puzzle_emb_ndim: int = 0\n",
        "@dataclass\nclass TRMConfig:\n    hidden_size: int\n    halt_max_steps: int\n"
        "    halt_exploration_prob: float\n    batch_size: int = 1\n    puzzle_emb_ndim: int = 0\n").replace(
        "\n    halt_max_steps: int\n    halt_exploration_prob: float\n\n\nclass TRM", "\n\nclass TRM")
    root = project({"models/recursive_reasoning/trm.py": model,
                    "config/arch/trm.yaml": ARCH_TRM + "hiden_dim: 3\n"})
    [f] = only(check(root), "unknown-model-param")
    assert where(root, f) == ("config/arch/trm.yaml", Span(10, 0, 10, 9), "hiden_dim")
    assert f.message == ("`hiden_dim` is not a field of the dataclass `TRMConfig` (models/recursive_reasoning/trm.py): "
                         "building the model fails on it (TypeError); did you mean `hidden_size`?")
