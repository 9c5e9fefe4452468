"""``data-mode-mismatch``: an encoder-mode chain on embedding-mode data, or the reverse."""

from tests.rules.conftest import ARCH_TRM, CFG, PRETRAIN, TRM_PY, check, only, where
from trainpath.parsing.positions import Span

# an encoder-mode model: its config class has `encoder_type` and no puzzle embedding
ETRM_PY = TRM_PY.replace("class TRMConfig", "class ETRMConfig").replace("TRMConfig(**", "ETRMConfig(**").replace(
    "    puzzle_emb_ndim: int = 0\n", "    encoder_type: str = \"standard\"\n").replace("class TRM:", "class ETRM:")
ETRM_FILES = {
    "models/recursive_reasoning/etrm.py": ETRM_PY,
    "config/arch/etrm.yaml": ARCH_TRM.replace("trm@TRM", "etrm@ETRM").replace("puzzle_emb_ndim: ${.hidden_size}\n",
                                                                           "encoder_type: standard\n"),
    "pretrain_etrm.py": PRETRAIN.replace('config_name="cfg"', 'config_name="cfg_etrm"'),
    "config/cfg_etrm.yaml": CFG.replace("arch: trm", "arch: etrm").replace("data/arc-aug-1000", "data/arc-encoder-aug-1000"),
}


def test_fires_at_the_path_for_embedding_model_on_encoder_data(project) -> None:
    root = project({"config/cfg.yaml": CFG.replace("data/arc-aug-1000", "data/arc-encoder-aug-1000")})
    findings = check(root)
    [f] = only(findings, "data-mode-mismatch")
    assert where(root, f) == ("config/cfg.yaml", Span(4, 14, 4, 39), "data/arc-encoder-aug-1000")
    assert f.message == "`TRM` is an embedding-mode model, but `data/arc-encoder-aug-1000` is encoder-mode data"
    assert [x.code for x in findings] == ["data-mode-mismatch"]


def test_fires_at_a_job_override_for_encoder_model_on_embedding_data(project) -> None:
    root = project({**ETRM_FILES,
                    "jobs.txt": "[ ] python pretrain_etrm.py data_paths=[data/arc-encoder,data/arc-aug]\n"})
    [f] = only(check(root), "data-mode-mismatch")
    assert where(root, f) == ("jobs.txt", Span(0, 57, 0, 69), "data/arc-aug")
    assert f.message == "`ETRM` is an encoder-mode model, but `data/arc-aug` is embedding-mode data"


def test_silent_on_matching_data_and_interpolated_paths(project) -> None:
    root = project({
        **ETRM_FILES,
        "config/cfg.yaml": CFG.replace("['data/arc-aug-1000']", "['data/arc-aug-1000', '${oc.env:DATA}/encoder']"),
        "jobs.txt": "[ ] python pretrain_etrm.py --config-name cfg_etrm\n"
                    "[ ] python pretrain.py\n",
    })
    assert check(root) == []
