"""``config-name-mismatch``: a job's ``--config-name`` trains another model than the decorator's config."""

from tests.rules.conftest import check, only, where
from trainpath.parsing.positions import Span

MLP_PY = '''\
"""A one-shot MLP baseline: no recursion, no halting."""

from pydantic import BaseModel


class MLPConfig(BaseModel):
    hidden_size: int
    num_layers: int = 4


class MLP:
    def __init__(self, config_dict: dict):
        self.config = MLPConfig(**config_dict)

    def forward(self, batch, carry=None):
        return carry, batch
'''

MLP_FILES = {
    "models/recursive_reasoning/mlp.py": MLP_PY,
    "config/arch/mlp.yaml": "name: recursive_reasoning.mlp@MLP\nloss:\n  name: losses@ACTLossHead\n"
                            "  loss_type: softmax_cross_entropy\n\nhidden_size: 256\n",
    "config/cfg_mlp.yaml": "defaults:\n  - arch: mlp\n  - _self_\n\ndata_paths: ['data/arc-aug-1000']\n",
}


def test_fires_at_the_jobs_config_name_when_the_model_differs(project) -> None:
    root = project({**MLP_FILES, "jobs.txt": "[ ] torchrun --nproc-per-node 4 pretrain.py --config-name cfg_mlp\n"})
    findings = check(root)
    [f] = only(findings, "config-name-mismatch")
    assert where(root, f) == ("jobs.txt", Span(0, 58, 0, 65), "cfg_mlp")
    assert f.message == ("`--config-name cfg_mlp` trains `MLP` (models.recursive_reasoning.mlp), but pretrain.py's "
                         "decorator config `cfg` trains `TRM` (models.recursive_reasoning.trm); did you mean `cfg`?")
    assert dict(f.data) == {"suggestion": "cfg"}
    assert [x.code for x in findings] == ["config-name-mismatch"]


def test_silent_on_the_decorators_config_and_on_configs_with_the_same_model(project) -> None:
    root = project({
        **MLP_FILES,
        # extends the decorator's config: same model, longer run
        "config/cfg_long.yaml": "defaults:\n  - cfg\n  - _self_\n\nepochs: 1000\n",
        # a different file that picks the same arch
        "config/cfg_small.yaml": "defaults:\n  - arch: trm\n  - _self_\n\ndata_paths: ['data/small']\n"
                                 "arch:\n  hidden_size: 128\n",
        "jobs.txt": (
            "[ ] python pretrain.py --config-name cfg\n"
            "[ ] python pretrain.py --config-name cfg.yaml\n"
            "[ ] python pretrain.py --config-name cfg_long\n"
            "[ ] python pretrain.py -cn cfg_small\n"
            "[ ] python pretrain.py --config-name cfg_mlp arch=trm\n"
        ),
    })
    assert check(root) == []


def test_silent_when_the_jobs_model_does_not_resolve(project) -> None:
    # the broken link is reported by its own rule; comparing models would be a guess
    files = dict(MLP_FILES)
    files["config/arch/mlp.yaml"] = files["config/arch/mlp.yaml"].replace("@MLP", "@MLPX")
    root = project({**files, "jobs.txt": "[ ] python pretrain.py --config-name cfg_mlp\n"})
    assert [f.code for f in check(root)] == ["missing-class"]
