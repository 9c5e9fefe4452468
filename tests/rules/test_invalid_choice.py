"""``invalid-choice``: a value the resolved model's own code does not accept."""

from tests.rules.conftest import ARCH_TRM, TRM_PY, check, only, where
from trainpath.parsing.positions import Span

# the model accepts exactly `rope` / `learned` (else: raise); `norm_style` is open (anything but "pre" is post-norm)
CHOICES_PY = TRM_PY.replace(
    "    halt_exploration_prob: float\n",
    "    halt_exploration_prob: float\n    pos_encodings: str = \"rope\"\n    norm_style: str = \"pre\"\n",
).replace(
    "        self.config = TRMConfig(**config_dict)\n",
    "        self.config = TRMConfig(**config_dict)\n"
    "        if self.config.pos_encodings == \"rope\":\n"
    "            self.pos = \"rotary\"\n"
    "        elif self.config.pos_encodings == \"learned\":\n"
    "            self.pos = \"table\"\n"
    "        else:\n"
    "            raise ValueError(self.config.pos_encodings)\n"
    "        if self.config.norm_style == \"pre\":\n"
    "            self.norm = \"pre\"\n"
    "        else:\n"
    "            self.norm = \"post\"\n",
)
FILES = {"models/recursive_reasoning/trm.py": CHOICES_PY}


def test_fires_at_the_yaml_value_with_the_nearest_choice(project) -> None:
    root = project({**FILES, "config/arch/trm.yaml": ARCH_TRM + "pos_encodings: rpoe\n"})
    findings = check(root)
    [f] = only(findings, "invalid-choice")
    assert where(root, f) == ("config/arch/trm.yaml", Span(10, 15, 10, 19), "rpoe")
    assert f.message == ("`pos_encodings: rpoe` is not accepted by `TRM` (its code accepts `rope`, `learned`); "
                         "did you mean `rope`?")
    assert dict(f.data) == {"suggestion": "rope"}
    assert [x.code for x in findings] == ["invalid-choice"]


def test_fires_at_a_job_overrides_value(project) -> None:
    root = project({**FILES, "jobs.txt": "[ ] python pretrain.py +arch.pos_encodings=learnd\n"})
    [f] = only(check(root), "invalid-choice")
    assert where(root, f) == ("jobs.txt", Span(0, 43, 0, 49), "learnd")
    assert f.message.endswith("did you mean `learned`?")


def test_silent_on_accepted_open_and_interpolated_values(project) -> None:
    root = project({
        **FILES,
        "config/arch/trm.yaml": ARCH_TRM + "pos_encodings: learned\nnorm_style: sandwich\n",
        "config/arch/trm_interp.yaml": ARCH_TRM + "pos_encodings: ${oc.env:POS}\n",
        "jobs.txt": "[ ] python pretrain.py arch.pos_encodings=rope arch.norm_style=post\n"
                    "[ ] python pretrain.py arch=trm_interp\n",
    })
    assert check(root) == []


def test_fires_against_a_factory_dispatch_dict(project) -> None:
    factory = ("ENCODERS = {\"standard\": object, \"hybrid_standard\": object}\n\n\n"
               "def create_encoder(config):\n    return ENCODERS[config.encoder_type]()\n")
    model = TRM_PY.replace("from pydantic import BaseModel\n", "from pydantic import BaseModel\n\n"
                           "from models.encoders.factory import create_encoder\n").replace(
        "    halt_exploration_prob: float\n", "    halt_exploration_prob: float\n    encoder_type: str = \"standard\"\n").replace(
        "        self.config = TRMConfig(**config_dict)\n",
        "        self.config = TRMConfig(**config_dict)\n        self.encoder = create_encoder(self.config)\n")
    root = project({"models/encoders/__init__.py": "", "models/encoders/factory.py": factory,
                    "models/recursive_reasoning/trm.py": model,
                    "config/cfg.yaml": "defaults:\n  - arch: trm\n  - _self_\n\ndata_paths: ['data/arc-encoder-aug']\n",
                    "jobs.txt": "[ ] python pretrain.py +arch.encoder_type=hybird_standard\n"})
    findings = check(root)
    [f] = only(findings, "invalid-choice")
    assert where(root, f) == ("jobs.txt", Span(0, 42, 0, 57), "hybird_standard")
    assert f.message == ("`encoder_type: hybird_standard` is not accepted by `TRM` (its code accepts `standard`, "
                         "`hybrid_standard`); did you mean `hybrid_standard`?")
    assert [x.code for x in findings] == ["invalid-choice"]
