"""``workspace/executeCommand``: ``trainpath.showChain`` and ``trainpath.showComposedConfig``, end to end.

The chain review must be exactly what ``trainpath chain --format markdown``
prints for the same selection; the composed config, once its provenance
comments are stripped, exactly what Hydra itself composes
(``OmegaConf.to_yaml``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from ._util_fixes import begin, execute

SHOW_CHAIN = "trainpath.showChain"
SHOW_COMPOSED = "trainpath.showComposedConfig"
INVALID_PARAMS = -32602
REQUEST_FAILED = -32803


def cli_chain(root: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "trainpath", "chain", str(root), "--format", "markdown", *args],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode in (0, 1), out.stderr
    return out.stdout


def hydra_yaml(config_dir: Path, name: str, overrides: list[str]) -> str:
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    with initialize_config_dir(config_dir=str(config_dir), version_base=None):
        return OmegaConf.to_yaml(compose(name, overrides=overrides))


def strip_comments(text: str) -> str:
    lines = [line for line in text.split("\n") if not line.startswith("# ")]
    return "\n".join(line.split("  # ")[0] for line in lines)


async def test_show_chain(client, project):
    init = await begin(client, project, "vscode")
    assert {SHOW_CHAIN, SHOW_COMPOSED} <= set(init.capabilities.execute_command_provider.commands)
    jobs = project / "jobs-pitfalls.txt"
    # one job line (0-based line 9 = the file's line 10)
    one = await execute(client, SHOW_CHAIN, jobs.as_uri(), 9)
    assert one.startswith("**Task**: Verify the training path of `jobs-pitfalls.txt` line 10\n\n")
    assert "  - missing-script: job runs a missing script: no script `pretrain_v2.py`; did you mean `pretrain.py`?\n" in one
    assert one.endswith("**Result**: 1 link needs attention.\n")
    assert one == cli_chain(project, "--job", "jobs-pitfalls.txt:10")
    # a line that roots no chain (a comment, past the end, no line): every chain through the file
    whole = cli_chain(project, "--job", "jobs-pitfalls.txt")
    assert whole.count("**Task**") == 13
    assert await execute(client, SHOW_CHAIN, jobs.as_uri(), 0) == whole
    assert await execute(client, SHOW_CHAIN, jobs.as_uri(), 10_000) == whole
    assert await execute(client, SHOW_CHAIN, jobs.as_uri()) == whole
    # no arguments: every job chain of the workspace
    assert await execute(client, SHOW_CHAIN) == cli_chain(project)
    # a decorator
    script = await execute(client, SHOW_CHAIN, (project / "pretrain.py").as_uri(), 137)
    assert script.startswith("**Task**: Verify the training path of `pretrain.py` line 138\n\n**Step 1**: Script `pretrain.py` "
                             "has `@hydra.main(config_path='config', config_name='cfg_pretrain_arc_agi_1')` ✅\n")
    assert script.endswith("**Result**: All checks pass, training path is correct.\n")
    # a file no chain goes through
    assert await execute(client, SHOW_CHAIN, (project / "README.md").as_uri(), 0) == \
        "No training path goes through `README.md`.\n"


async def test_show_composed_config(client, project):
    await begin(client, project, "neovim")
    semi = project / "jobs-etrm-semi-final.txt"
    text = await execute(client, SHOW_COMPOSED, semi.as_uri(), 7)
    lines = text.split("\n")
    assert lines[0] == "# cfg_pretrain_etrm_arc_agi_1 as composed for jobs-etrm-semi-final.txt:8"
    assert lines[1:6] == [
        "arch:  # config/cfg_pretrain_etrm_arc_agi_1.yaml:11",
        "  name: recursive_reasoning.etrm@TRMWithEncoder  # config/arch/etrm.yaml:1",
        "  loss:  # config/arch/etrm.yaml:2",
        "    name: losses@ACTLossHead  # config/arch/etrm.yaml:3",
        "    loss_type: stablemax_cross_entropy  # config/arch/etrm.yaml:4",
    ]
    for line in ("  encoder_type: hybrid_standard  # jobs-etrm-semi-final.txt:10 (override)",
                 "  encoder_num_layers: 4  # jobs-etrm-semi-final.txt:10 (override)",
                 "data_paths:  # config/cfg_pretrain_etrm_arc_agi_1.yaml:17",
                 "- data/arc-agi-1-encoder-aug-1000",
                 "evaluators:  # config/cfg_pretrain_etrm_arc_agi_1.yaml:20",
                 "- name: arc@ARC  # config/cfg_pretrain_etrm_arc_agi_1.yaml:21",
                 "lr: 0.0001  # config/cfg_pretrain_etrm_arc_agi_1.yaml:30",
                 "run_name: sf2  # jobs-etrm-semi-final.txt:11 (override)"):
        assert line in lines
    # every key carries its origin
    assert all("  # " in line for line in lines[1:] if line and not line.startswith("- "))
    config = project / "config"
    assert strip_comments(text) == hydra_yaml(
        config, "cfg_pretrain_etrm_arc_agi_1",
        ["arch.encoder_type=hybrid_standard", "arch.encoder_num_layers=4", "+run_name=sf2"])
    # an override that replaces a list: the list's comment names the job line
    pf8 = await execute(client, SHOW_COMPOSED, (project / "jobs-pitfalls.txt").as_uri(), 18)
    assert "data_paths:  # jobs-pitfalls.txt:19 (override)\n- data/arc-agi-1-aug-1000\n" in pf8
    # a script (no line): its decorator's config
    script = await execute(client, SHOW_COMPOSED, (project / "pretrain.py").as_uri())
    assert script.split("\n")[0] == "# cfg_pretrain_arc_agi_1 as composed for pretrain.py:138"
    assert strip_comments(script) == hydra_yaml(config, "cfg_pretrain_arc_agi_1", [])
    # a main config: the chain of the script that names it
    main = await execute(client, SHOW_COMPOSED, (config / "cfg_pretrain_etrm_arc_agi_1.yaml").as_uri())
    assert main.split("\n")[0] == "# cfg_pretrain_etrm_arc_agi_1 as composed for pretrain_etrm.py:142"
    # an arch config: the first chain through it
    arch = await execute(client, SHOW_COMPOSED, (config / "arch" / "etrm.yaml").as_uri(), 3)
    assert arch.split("\n")[0] == "# cfg_pretrain_etrm_arc_agi_1 as composed for jobs-etrm-semi-final.txt:5"
    # a main config that does not compose
    broken = await execute(client, SHOW_COMPOSED, (config / "cfg_pitfall_missing_arch.yaml").as_uri())
    assert broken == ("# cfg_pitfall_missing_arch as composed for config/cfg_pitfall_missing_arch.yaml:1\n"
                      "# the config does not compose: missing-default: no config `arch/etmr`; did you mean `etrm`?\n")


@pytest.mark.parametrize("caps", ["neovim", "vscode"])
async def test_bad_arguments_are_errors(client, project, tmp_path, caps):
    await begin(client, project, caps)
    jobs = (project / "jobs-pitfalls.txt").as_uri()
    cases = [
        (SHOW_COMPOSED, [], INVALID_PARAMS, "`trainpath.showComposedConfig` takes [uri, line?]: the document uri is missing"),
        (SHOW_COMPOSED, [42], INVALID_PARAMS, "`trainpath.showComposedConfig` takes [uri, line?]: the uri must be a string, got int"),
        (SHOW_COMPOSED, [jobs, -1], INVALID_PARAMS,
         "`trainpath.showComposedConfig` takes [uri, line?]: the line must be a 0-based line number, got -1"),
        (SHOW_COMPOSED, [jobs, "3"], INVALID_PARAMS,
         "`trainpath.showComposedConfig` takes [uri, line?]: the line must be a 0-based line number, got '3'"),
        (SHOW_COMPOSED, [jobs, True], INVALID_PARAMS,
         "`trainpath.showComposedConfig` takes [uri, line?]: the line must be a 0-based line number, got True"),
        (SHOW_CHAIN, [jobs, 1, 2], INVALID_PARAMS, "`trainpath.showChain` takes [uri?, line?]: got 3 arguments"),
        (SHOW_CHAIN, [None, 3], INVALID_PARAMS, "`trainpath.showChain` takes [uri?, line?]: the document uri is missing"),
        (SHOW_CHAIN, [{"uri": jobs}], INVALID_PARAMS, "`trainpath.showChain` takes [uri?, line?]: the uri must be a string, got dict"),
        (SHOW_CHAIN, [(tmp_path / "x.txt").as_uri()], INVALID_PARAMS, f"`{(tmp_path / 'x.txt').as_uri()}` is not in a workspace folder"),
        (SHOW_CHAIN, ["not a uri"], INVALID_PARAMS, "`not a uri` is not in a workspace folder"),
        (SHOW_COMPOSED, [(project / "README.md").as_uri(), 0], REQUEST_FAILED, "no training path at `README.md:1`"),
        ("trainpath.noSuchCommand", [], INVALID_PARAMS, "Invalid Params: Command name 'trainpath.noSuchCommand' is not defined"),
    ]
    for command, args, code, message in cases:
        with pytest.raises(JsonRpcException) as info:
            await execute(client, command, *args)
        assert (info.value.code, info.value.message) == (code, message), (command, args)
    # the server still answers
    assert (await execute(client, SHOW_CHAIN, jobs, 9)).startswith("**Task**: Verify the training path of `jobs-pitfalls.txt` line 10")
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=jobs)))
    assert len(lenses) == 13
