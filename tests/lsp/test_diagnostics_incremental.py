"""Incremental re-checks (``ProjectState.update``) give exactly the findings of a fresh build, and re-check little."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trainpath.lsp.state import ProjectState
from trainpath.parsing import sources

from .conftest import EXAMPLE, REPO

# (file, old text, new text): edits typed in the editor, each a real mistake or its repair
EDITS = [
    ("config/arch/etrm.yaml", "@TRMWithEncoder\n", "@TRMWithEncoderGone\n"),
    ("config/arch/etrm.yaml", "encoder_type: standard", "encoder_type: hybrid_standrd"),
    ("config/cfg_pretrain_etrm_arc_agi_1.yaml", "- arch: etrm\n", "- arch: etrm_gone\n"),
    ("config/cfg_pretrain_etrm_arc_agi_1.yaml", "halt_max_steps: 16", "halt_max_step: 16"),
    ("jobs-etrm-semi-final.txt", "pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 +run_name=sf1",
     "pretrain_etrm_gone.py --config-name cfg_pretrain_etrm_arc_agi_1 +run_name=sf1"),
    ("jobs-pitfalls.txt", "# Deliberate", "\n\n# Deliberate"),  # every job line moves down
    ("models/recursive_reasoning/etrm.py", "class TRMWithEncoder(", "class TRMWithEncoderRenamed("),
    ("models/encoders/factory.py", '"hybrid_standard"', '"hybrid_std"'),
    ("pretrain_etrm.py", 'config_name="cfg_pretrain_etrm_arc_agi_1"', 'config_name="cfg_pretrain_arc_agi_1"'),
]


def _copy(src: Path, tmp_path: Path):
    """A copy of the project ``src`` to edit; the editor's buffers of it are dropped afterwards."""
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    yield dst.resolve()
    for path in list(sources.OVERLAY):
        if str(path).startswith(str(tmp_path)):
            del sources.OVERLAY[path]


def _type(path: Path, old: str, new: str) -> None:
    """Edit ``path`` in the editor: its first ``old`` becomes ``new``."""
    text = sources.OVERLAY.get(path) or path.read_text()
    assert old in text, path
    sources.OVERLAY[path] = text.replace(old, new, 1)


@pytest.fixture
def root(tmp_path: Path):
    yield from _copy(EXAMPLE, tmp_path)


def _fresh(root: Path) -> dict:
    state = ProjectState(root)
    state.build()
    return _snapshot(state)


def _snapshot(state: ProjectState) -> dict:
    return {p: [(f.code, f.span, f.message, f.effective_severity) for f in fs] for p, fs in state.diagnostics.items()}


@pytest.mark.parametrize("rel,old,new", EDITS, ids=[f"{e[0]}:{e[2][:20]}" for e in EDITS])
def test_edit_then_revert_matches_a_fresh_build(root, rel, old, new):
    state = ProjectState(root)
    state.build()
    clean = _snapshot(state)
    path = root / rel
    text = path.read_text()
    assert old in text
    sources.OVERLAY[path] = text.replace(old, new, 1)
    changed = state.update({path})
    fresh = _fresh(root)
    assert _snapshot(state) == fresh
    assert changed == {p for p in set(fresh) | set(clean) if fresh.get(p) != clean.get(p)}
    sources.OVERLAY[path] = text
    state.update({path})
    assert _snapshot(state) == clean
    again = ProjectState(root)
    again.build()
    assert [c.key for c in state.model.chains] == [c.key for c in again.model.chains]


def test_a_sequence_of_edits_stays_equal_to_fresh_builds(root):
    state = ProjectState(root)
    state.build()
    for rel, old, new in EDITS:
        path = root / rel
        _type(path, old, new)
        state.update({path})
        assert _snapshot(state) == _fresh(root), rel
    assert state.rechecks == len(EDITS)


def test_after_edits_every_file_lists_the_chains_of_a_fresh_build(root):
    """A re-check unindexes a chain under the files it was indexed with (its ``files()``), none left stale."""
    state = ProjectState(root)
    state.build()
    for rel, old, new in EDITS:
        path = root / rel
        _type(path, old, new)
        state.update({path})
    fresh = ProjectState(root)
    fresh.build()
    assert _file_index(state) == _file_index(fresh)


def _file_index(state: ProjectState) -> dict:
    return {path: keys for path, keys in state._by_file_index.items() if keys}


def test_a_model_edit_rebuilds_only_the_chains_that_use_it(root):
    state = ProjectState(root)
    state.build()
    total = len(state.model.chains)
    mlp = root / "models" / "recursive_reasoning" / "mlp_baseline.py"  # imported by no other module
    users = state.model.chains_through(root / "config" / "arch" / "mlp_baseline.yaml")
    sources.OVERLAY[mlp] = mlp.read_text() + "\n# a comment\n"
    assert state.update({mlp}) == set()
    assert 0 < state.last_rebuilt == len(users) < total
    # trm.py is imported by etrm.py: every TRM and ETRM chain goes through it, the MLP ones do not
    trm = root / "models" / "recursive_reasoning" / "trm.py"
    sources.OVERLAY[trm] = trm.read_text() + "\n# a comment\n"
    state.update({trm})
    # all but 3 of 26: the missing-script job, the MLP baseline job and the config with a missing arch
    assert (total, state.last_rebuilt) == (26, 23)
    moved = root / "config" / "arch" / "etrm_moved.yaml"
    sources.OVERLAY[moved] = moved.read_text() + "\n# note\n"
    state.update({moved})
    assert state.last_rebuilt == len(state.model.chains_through(moved))


def test_a_job_file_edit_keeps_the_chains_of_unchanged_lines(root):
    state = ProjectState(root)
    state.build()
    job = root / "jobs-pitfalls.txt"
    text = job.read_text()
    sources.OVERLAY[job] = text.replace("+run_name=pf2", "+run_name=pf2b", 1)
    state.update({job})
    assert state.last_rebuilt == 1


def test_settings_change_of_severities_only_judges_again(root):
    state = ProjectState(root)
    state.build()
    model = state.model
    changed = state.set_editor_settings({"rules": {"stale-name": "off"}})
    assert state.model is model  # not rebuilt
    assert changed == {root / "jobs-pitfalls.txt"}
    assert "stale-name" not in {f.code for fs in state.diagnostics.values() for f in fs}
    state.set_editor_settings({"jobFiles": ["jobs-etrm*.txt"]})
    assert state.model is not model
    assert root / "jobs-pitfalls.txt" not in state.diagnostics


def test_a_file_starting_to_call_instantiate_judges_target_keys(root):
    # Hydra never acts on `_target_` by itself: its keys are judged once some file calls instantiate()
    (root / "config" / "optim").mkdir()
    (root / "config" / "optim" / "adamw.yaml").write_text("_target_: utils.optim.make_adamw\nlr: 0.1\nweight_decy: 0.1\n")
    optim = root / "utils" / "optim.py"
    optim.write_text("import hydra\n\n\ndef make_adamw(lr: float, weight_decay: float = 0.0):\n    return lr\n")
    state = ProjectState(root)
    state.build()
    adamw = root / "config" / "optim" / "adamw.yaml"

    def codes():
        return [(f.code, f.span.line) for f in state.diagnostics.get(adamw, [])]

    assert codes() == []
    text = optim.read_text()
    sources.OVERLAY[optim] = text + "\n\ndef build(node):\n    return hydra.utils.instantiate(node)\n"
    state.update({optim})
    assert codes() == [("unknown-target-arg", 2)]
    assert _snapshot(state) == _fresh(root)
    sources.OVERLAY[optim] = text
    state.update({optim})
    assert codes() == []


# --------------------------------------------------------------------------- config search paths
CONFIG_DIR = REPO / "tests" / "fixtures" / "config_dir"

# edits of a project whose jobs run with `--config-dir extra` (files outside the config folder, composed by chains)
EXTRA_EDITS = [
    ("extra/arch/big.yaml", "losses@ACTLossHead", "losses@ACTLossHed"),  # a composed extra-folder file: name links
    ("extra/arch/big.yaml", "halt_max_steps: 16", "halt_max_step: 16"),
    ("extra/exp.yaml", "epochs: 3\n", "epochs: ${nope}\n"),
    ("extra/exp.yaml", "  - arch: big\n", "  - arch: trm\n"),  # big.yaml is then composed by one job only
    ("extra/opt/sgd.yaml", "lr: 0.01\n", "lr: 0.01\nname: nowhere@Nothing\n"),
    ("extra/arch/unused.yaml", "@Nope\n", "@StillNope\n"),  # composed by no chain: not checked
    ("other/stray.yaml", "@Nothing\n", "@Nobody\n"),  # in no search path
    ("jobs.txt", "-cd extra arch=big", "-cd extra arch=trm"),
    ("jobs.txt", "--config-dir extra --config-name exp", "--config-dir extar --config-name exp"),
    ("jobs.txt", "[ ] python pretrain.py -cd extra -cn exp opt=adam\n",
     "[ ] python pretrain.py -cd extra -cn exp opt=adam\n[ ] python pretrain.py -cd shared opt=adamw +run_name=c\n"),
]


@pytest.fixture
def cd_root(tmp_path: Path):
    yield from _copy(CONFIG_DIR, tmp_path)


@pytest.mark.parametrize("rel,old,new", EXTRA_EDITS, ids=[f"{e[0]}:{e[2][:24]}" for e in EXTRA_EDITS])
def test_config_dir_edit_then_revert_matches_a_fresh_build(cd_root, rel, old, new):
    test_edit_then_revert_matches_a_fresh_build(cd_root, rel, old, new)


def test_config_dir_edits_in_sequence_stay_equal_to_fresh_builds(cd_root):
    state = ProjectState(cd_root)
    state.build()
    big = cd_root / "extra" / "arch" / "big.yaml"
    seen = []
    for rel, old, new in EXTRA_EDITS:
        path = cd_root / rel
        _type(path, old, new)
        state.update({path})
        assert _snapshot(state) == _fresh(cd_root), (rel, new)
        assert _links(state, big) == _links(_fresh_state(cd_root), big), (rel, new)
        seen.append(sorted(f.code for f in state.diagnostics.get(big, ())))
    # big.yaml is checked while a chain composes it: not after the exp.yaml edit and the `arch=trm` override
    assert seen == [["missing-class"]] + [["missing-act-param", "missing-class", "unknown-model-param"]] * 6 + [[]] * 3


def _fresh_state(root: Path) -> ProjectState:
    state = ProjectState(root)
    state.build()
    return state


def _links(state: ProjectState, path: Path) -> list:
    """The links written in ``path`` (name links included), as comparable rows."""
    return sorted((l.kind, l.name, l.source.span, l.ok, l.target and (l.target.path, l.target.span))
                  for l in state.model.graph.links_in(path))
