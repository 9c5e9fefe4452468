"""``trainpath chain``: the review, link by link, in text, markdown and JSON."""

from __future__ import annotations

import json

from .conftest import EXAMPLE, FIXTURES, run_cli


def test_markdown_review_in_the_guides_shape():
    proc = run_cli("chain", str(EXAMPLE), "--job", "jobs-etrm-semi-final.txt:5", "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "**Task**: Verify the training path of `jobs-etrm-semi-final.txt` line 5\n\n"
        "**Step 1**: Job file says `pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 +run_name=sf1` ✅\n\n"
        "**Step 2**: Script `pretrain_etrm.py` has `@hydra.main(config_path='config', config_name='cfg_pretrain_etrm_arc_agi_1')` ✅\n\n"
        "**Step 3**: Main config `config/cfg_pretrain_etrm_arc_agi_1.yaml` ✅\n\n"
        "**Step 4**: Config has `defaults: - arch: etrm` (`config/cfg_pretrain_etrm_arc_agi_1.yaml`) → `config/arch/etrm.yaml` ✅\n\n"
        "**Step 5**: Arch config has `name: recursive_reasoning.etrm@TRMWithEncoder` → `models/recursive_reasoning/etrm.py` exports `TRMWithEncoder` (line 25) ✅\n\n"
        "**Step 6**: Loss is `name: losses@ACTLossHead` → `models/losses.py` exports `ACTLossHead` (line 9) ✅\n\n"
        "**Step 7**: Evaluator `name: arc@ARC` → `evaluators/arc.py` exports `ARC` (line 6) ✅\n\n"
        "**Step 8**: Model uses `_forward_train_original()` with dynamic halting; the demos are re-encoded every step ✅\n\n"
        "**Result**: All checks pass, training path is correct.\n"
    )


def test_text_marks_the_broken_link_and_says_why():
    proc = run_cli("chain", str(EXAMPLE), "--job", "jobs-pitfalls.txt:10")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("jobs-pitfalls.txt:10: ")
    assert lines[2] == "  [BAD] script    Script pretrain_v2.py: no script pretrain_v2.py"
    assert lines[3].startswith("          missing-script: job runs a missing script")
    assert lines[-1] == "  => training path is broken"


def test_json_shape_of_the_contract():
    proc = run_cli("chain", str(EXAMPLE), "--job", "jobs-pitfalls.txt:13", "--format", "json")
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    (chain,) = out["chains"]
    assert chain["job"] == {"path": "jobs-pitfalls.txt", "line": 13}
    kinds = [l["kind"] for l in chain["links"]]
    assert kinds == ["job", "script", "config", "arch", "model", "loss", "evaluator"]
    for link in chain["links"]:
        assert {"kind", "name", "path", "line", "ok", "codes"} <= set(link)
    job = chain["links"][0]
    assert job["codes"] == ["invalid-choice"] and job["ok"] is False
    model = chain["links"][4]
    assert model == {"kind": "model", "name": "recursive_reasoning.etrm@TRMWithEncoder",
                     "path": "models/recursive_reasoning/etrm.py", "line": 25, "ok": True, "codes": [],
                     "source": {"path": "config/arch/etrm.yaml", "line": 1, "column": 7}}


def test_every_job_by_default_and_clean_exit():
    proc = run_cli("chain", str(FIXTURES / "clean_trm"), "--format", "json")
    assert proc.returncode == 0, proc.stdout
    chains = json.loads(proc.stdout)["chains"]
    assert len(chains) >= 5 and all(c["ok"] for c in chains)


def test_job_selection_errors_are_usage_errors():
    proc = run_cli("chain", str(EXAMPLE), "--job", "jobs-etrm-semi-final.txt:3")
    assert (proc.returncode, proc.stderr) == (2, "trainpath: error: no job at `jobs-etrm-semi-final.txt:3`\n")
    proc = run_cli("chain", str(EXAMPLE), "--job", "nope.txt")
    assert (proc.returncode, proc.stderr) == (2, "trainpath: error: no job lines in `nope.txt`\n")


def test_parts_known_only_at_run_time_are_never_called_correct(tmp_path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    (root / "jobs-dyn.txt").write_text('[ ] python pretrain.py --config-name "$CFG" +run_name=a\n'
                                       "[ ] python pretrain.py arch=$ARCH\n"
                                       "[ ] python pretrain.py +run_name=b\n")
    text = run_cli("chain", str(root), "--job", "jobs-dyn.txt:1").stdout
    assert text.splitlines()[-3:] == [
        "  [ok ] script    Script pretrain.py has @hydra.main(config_path='config', config_name='cfg_pretrain_arc_agi_1')",
        "  [ ? ]           not checked: the config name $CFG is only known at run time",
        "  => no problem found in the links that could be followed; the rest is not checked",
    ]
    md = run_cli("chain", str(root), "--job", "jobs-dyn.txt:2", "--format", "markdown").stdout
    assert md.endswith("**Not checked**: the override `arch=$ARCH` is only known at run time\n\n"
                       "**Result**: No problem found in the links that could be followed; the rest is not checked.\n")
    chains = json.loads(run_cli("chain", str(root), "--job", "jobs-dyn.txt", "--format", "json").stdout)["chains"]
    assert [(c["job"]["line"], c["ok"], c["unchecked"]) for c in chains] == [
        (1, True, ["the config name `$CFG` is only known at run time"]),
        (2, True, ["the override `arch=$ARCH` is only known at run time"]),
        (3, True, []),
    ]
    assert run_cli("chain", str(root), "--job", "jobs-dyn.txt:3").stdout.endswith("  => training path is correct\n")


def test_entry_points_no_job_runs_are_reviewed_too(tmp_path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    (root / "pretrain_solo.py").write_text((root / "pretrain.py").read_text())
    chains = json.loads(run_cli("chain", str(root), "--format", "json").stdout)["chains"]
    jobs = [c for c in chains if c["links"][0]["kind"] == "job"]
    rest = [c for c in chains if c["links"][0]["kind"] != "job"]
    assert chains[:len(jobs)] == jobs  # job lines first, in file order
    assert [(c["job"], [l["kind"] for l in c["links"]][:3]) for c in rest] == [
        ({"path": "pretrain_solo.py", "line": 138}, ["script", "config", "arch"])]


def test_a_finding_at_a_composed_key_outside_every_link_is_a_step_of_the_review(tmp_path):
    # `check` warns at `num_act_steps` in the arch config; the review must not call the chain correct
    import shutil

    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    arch = root / "config" / "arch" / "etrm.yaml"
    arch.write_text(arch.read_text() + "num_act_steps: 4\n")
    lines = run_cli("chain", str(root), "--job", "jobs-etrm-semi-final.txt:5").stdout.splitlines()
    assert lines[8] == "  [BAD] key       Config sets arch.num_act_steps (config/arch/etrm.yaml line 32)"
    assert lines[9].startswith("          train-mode-mismatch: the config selects fixed/online (loop num_act_steps")
    assert lines[10].startswith("          unknown-model-param: `num_act_steps` is not a field of `TRMWithEncoderConfig`")
    assert lines[11].startswith("  [BAD] mode      Model uses _forward_train_original() with dynamic halting")
    assert lines[-1] == "  => training path is broken"
    (chain,) = json.loads(run_cli("chain", str(root), "--job", "jobs-etrm-semi-final.txt:5", "--format", "json").stdout)["chains"]
    assert chain["ok"] is False


def test_the_mode_step_says_when_halt_max_steps_1_turns_act_off(tmp_path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    (root / "jobs-h.txt").write_text("[ ] python pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 "
                                     "arch.halt_max_steps=1\n"
                                     "[ ] python pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 "
                                     "arch.halt_max_steps=2\n")
    one, two = (run_cli("chain", str(root), "--job", f"jobs-h.txt:{n}").stdout.splitlines()[-2] for n in (1, 2))
    assert one == ("  [ok ] mode      Model uses _forward_train_original() with dynamic halting (but halt_max_steps: 1 "
                   "halts every sample after one step: ACT is off); the demos are re-encoded every step")
    assert two == ("  [ok ] mode      Model uses _forward_train_original() with dynamic halting; "
                   "the demos are re-encoded every step")


def test_where_hydra_or_python_stops_the_chain_is_a_step_and_the_path_is_broken(tmp_path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    script = (root / "pretrain.py").read_text()
    (root / "pretrain_text.py").write_text(script.replace('config_name="cfg_pretrain_arc_agi_1"', 'config_name="cfg_text"'))
    (root / "config" / "cfg_text.yaml").write_text("defaults:\n  - arch: trm_generative\n  - _self_\n\nlr: 1e-4\n")
    (root / "pretrain_broken.py").write_text(script + "\n\ndef f():\n    ...\n        x = 1\n")
    (root / "jobs-stop.txt").write_text("[ ] python pretrain_broken.py\n")
    text = run_cli("chain", str(root), "--job", "jobs-stop.txt:1").stdout.splitlines()
    assert text[2:] == [
        "  [ok ] script    Script pretrain_broken.py does not parse, so its @hydra.main cannot be read",
        "  [BAD] stop      Script pretrain_broken.py line 157 does not parse",
        "          python-syntax: `pretrain_broken.py` does not parse: unexpected indent (line 157)",
        "  => training path is broken",
    ]
    proc = run_cli("chain", str(root), "--format", "json")
    assert proc.returncode == 1
    [text_chain] = [c for c in json.loads(proc.stdout)["chains"] if c["job"]["path"] == "pretrain_text.py"]
    assert text_chain["ok"] is False
    md = run_cli("chain", str(root), "--format", "markdown").stdout
    assert ("**Step 3**: Hydra stops at `config/cfg_text.yaml` line 2 ❌\n"
            "  - missing-default: no config `arch/trm_generative`") in md


BACKBONE_PY = '''\
"""A recurrent transformer whose shared backbone is called `encoder`: no demos, no encoder mode."""

from pydantic import BaseModel


class LoopConfig(BaseModel):
    hidden_size: int
    recursion_steps: int


class Loop:
    def __init__(self, config_dict: dict):
        self.config = LoopConfig(**config_dict)

    def forward(self, inputs):
        z = inputs
        for _ in range(self.config.recursion_steps):
            z = self.encoder(z)
        return z
'''


def test_a_backbone_named_encoder_is_not_described_as_a_demo_encoder(tmp_path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    (root / "models" / "recursive_reasoning" / "loop.py").write_text(BACKBONE_PY)
    (root / "config" / "arch" / "loop.yaml").write_text(
        "name: recursive_reasoning.loop@Loop\nloss:\n  name: losses@ACTLossHead\nhidden_size: 64\nrecursion_steps: 3\n")
    (root / "jobs-loop.txt").write_text("[ ] python pretrain.py arch=loop\n")
    lines = run_cli("chain", str(root), "--job", "jobs-loop.txt:1").stdout.splitlines()
    assert [l for l in lines if "mode " in l] == ["  [ok ] mode      Model uses forward() with no dynamic halting"]
