"""Every editor feature on chains whose config search path has several folders, end to end over stdio.

The ``config_dir`` fixture project runs its jobs with ``--config-dir extra``:
Hydra searches ``config/`` (the script's folder) first, then ``extra/``, then
the ``hydra.searchpath`` of ``extra/exp.yaml`` (``shared/``).  Configs of
those folders that a chain composes are training-path files like those of
``config/``; ``extra/arch/unused.yaml`` (composed by no chain) and
``other/stray.yaml`` (in no search path) both name a missing class, and
neither gets a diagnostic, as ``trainpath check`` reports none for them.

jobs.txt (0-based lines)::

    1  [ ] python pretrain.py --config-dir extra --config-name exp arch.hidden_size=256 +run_name=a
    2  [ ] python pretrain.py -cd extra arch=big +run_name=b
    3  [ ] python pretrain.py -cd extra -cn exp opt=adam
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from ._util_diagnostics import change_doc, open_doc, pulled, pushed, rechecks, wait_for, wait_pushed
from ._util_fixes import begin, execute
from ._util_nav import doc, link, loc, pos
from .conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "config_dir"
JOBS = "jobs.txt"
EXP = "extra/exp.yaml"
BIG = "extra/arch/big.yaml"
FILE = "0:0-0:0"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    dst = tmp_path / "config_dir"
    shutil.copytree(FIXTURE, dst)
    return dst.resolve()


def cli_check(root: Path) -> dict[str, list[tuple]]:
    """``trainpath check --format json``: {path: sorted 0-based rows}."""
    out = subprocess.run([sys.executable, "-m", "trainpath", "check", str(root), "--format", "json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode in (0, 1), out.stderr
    rows: dict[str, list[tuple]] = {}
    for d in json.loads(out.stdout)["diagnostics"]:
        rows.setdefault(d["path"], []).append(
            (d["line"] - 1, d["column"] - 1, d["end_line"] - 1, d["end_column"] - 1, d["code"]))
    return {k: sorted(v) for k, v in rows.items()}


# ----------------------------------------------------------------------------- definition and references
DEFINITIONS = [
    # a job's --config-name -> the main config in the --config-dir folder
    ((JOBS, 1, 57), (EXP, FILE, FILE, "1:56-1:59")),
    # a group override -> an option only the --config-dir folder has (on the option, and on the key)
    ((JOBS, 2, 39), (BIG, FILE, FILE, "2:38-2:41")),
    ((JOBS, 2, 34), (BIG, FILE, FILE, "2:33-2:41")),
    ((JOBS, 3, 46), ("extra/opt/adam.yaml", FILE, FILE, "3:45-3:49")),
    # a key override -> the key that sets it without the override, composed along config/, extra/, shared/
    ((JOBS, 1, 65), (BIG, "8:0-8:11", "8:0-8:11", "1:60-1:80")),
    # defaults entries written in the --config-dir folder
    ((EXP, 2, 11), (BIG, FILE, FILE, "2:10-2:13")),
    ((EXP, 3, 10), ("extra/opt/sgd.yaml", FILE, FILE, "3:9-3:12")),
    # an interpolation in a file of the --config-dir folder
    ((BIG, 9, 22), (BIG, "8:0-8:11", "8:0-8:11", "9:17-9:32")),
]


async def test_definition_from_job_lines_and_extra_folder_files(client, root):
    await begin(client, root)
    got = {}
    for (rel, line, col), _ in DEFINITIONS:
        result = await client.text_document_definition_async(
            types.DefinitionParams(text_document=doc(root / rel), position=pos(line, col)))
        got[(rel, line, col)] = [link(root, r) for r in result] if result else result
    assert got == {where: [expected] for where, expected in DEFINITIONS}


async def _refs(client, root, rel, line, col, include=False):
    result = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(root / rel), position=pos(line, col),
        context=types.ReferenceContext(include_declaration=include)))
    return None if result is None else [loc(root, r) for r in result]


async def test_references_to_extra_folder_files(client, root):
    await begin(client, root)
    big_refs = [(EXP, "2:10-2:13"), (JOBS, "2:38-2:41")]
    assert await _refs(client, root, BIG, 0, 0) == big_refs
    assert await _refs(client, root, BIG, 8, 3, include=True) == [(BIG, FILE)] + big_refs
    # the main config of the --config-dir folder: the job lines whose --config-name selects it
    assert await _refs(client, root, EXP, 6, 0) == [(JOBS, "1:56-1:59"), (JOBS, "3:37-3:40")]
    # an option of a hydra.searchpath folder no chain selects, and a file in no search path
    assert await _refs(client, root, "shared/opt/adamw.yaml", 0, 0) == []
    assert await _refs(client, root, "other/stray.yaml", 1, 0) is None


# ----------------------------------------------------------------------------- hover
async def _hover(client, root, rel, line, col) -> types.Hover | None:
    return await client.text_document_hover_async(types.HoverParams(
        text_document=doc(root / rel), position=pos(line, col)))


def _range(hv: types.Hover) -> str:
    r = hv.range
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


HIDDEN_SIZE = ("**`hidden_size`**\n\nWidth of the model: the size of every token's hidden state.\n\n"
               "Config class `TRMConfig.hidden_size`: `int` (required) (models/recursive_reasoning/trm.py:10)\n\n"
               "Composed value:\n- `256` — set by job override `arch.hidden_size=256` (jobs.txt:2)")


async def test_hover_shows_values_and_where_the_extra_folder_sets_them(client, root):
    await begin(client, root)
    # a key of an arch config of the --config-dir folder: each job's value and the file:line that set it
    hv = await _hover(client, root, BIG, 8, 4)
    assert (_range(hv), hv.contents.value) == (
        "8:0-8:11", HIDDEN_SIZE + "\n- `1024` — set in extra/arch/big.yaml:9 (jobs.txt:3, jobs.txt:4)")
    # the key of a key override on a --config-dir job line: the value it sets (the arch comes from extra/)
    hv = await _hover(client, root, JOBS, 1, 66)
    assert (_range(hv), hv.contents.value) == ("1:60-1:76", HIDDEN_SIZE)
    hv = await _hover(client, root, BIG, 6, 3)
    assert "- `16` — set in extra/arch/big.yaml:7 (jobs.txt:2, jobs.txt:3, jobs.txt:4)" in hv.contents.value


async def test_hover_on_a_group_only_the_extra_folder_has_shows_the_chain(client, root):
    await begin(client, root)
    # `opt` is a group of extra/ only: `opt=adam` selects a file, it sets no key: the hover is the chain's
    hv = await _hover(client, root, JOBS, 3, 42)
    assert (_range(hv), hv.contents.value) == ("3:0-3:49", (
        "**Training path** of `jobs.txt:4` ✅\n\n"
        "1. ✅ Job file says `pretrain.py --config-name exp opt=adam`\n"
        "2. ✅ Script `pretrain.py` has `@hydra.main(config_path='config', config_name='cfg')`\n"
        "3. ✅ Main config `extra/exp.yaml`\n"
        "4. ✅ Config has `defaults: - opt: adam` (`jobs.txt`) → `extra/opt/adam.yaml`\n"
        "5. ✅ Config has `defaults: - arch: big` (`extra/exp.yaml`) → `extra/arch/big.yaml`\n"
        "6. ✅ Arch config has `name: recursive_reasoning.trm@TRM` → `models/recursive_reasoning/trm.py` exports "
        "`TRM` (line 17)\n"
        "7. ✅ Loss is `name: losses@ACTLossHead` → `models/losses.py` exports `ACTLossHead` (line 6)\n"
        "8. ✅ Model uses `_forward_train_original()` with dynamic halting\n\n"
        "All checks pass, training path is correct."))


# ----------------------------------------------------------------------------- completion
_VERSIONS: dict[str, int] = {}


async def _complete(client, root: Path, rel: str, text: str) -> list[types.CompletionItem]:
    lines = text.split("\n")
    line = next(i for i, t in enumerate(lines) if "‸" in t)
    col = lines[line].index("‸")
    uri = (root / rel).as_uri()
    version = _VERSIONS.get(uri, 0) + 1
    _VERSIONS[uri] = version
    body = text.replace("‸", "")
    if version == 1:
        open_doc(client, root / rel, body, "yaml" if rel.endswith(".yaml") else "plaintext")
    else:
        change_doc(client, root / rel, body, version)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc(root / rel), position=pos(line, col)))
    return [] if result is None else list(result.items)


def _items(items) -> list[tuple[str, str | None]]:
    return [(i.label, i.detail) for i in items]


async def test_completion_offers_options_of_every_folder_of_the_search_path(client, root):
    _VERSIONS.clear()
    await begin(client, root)
    jobs = (root / JOBS).read_text()
    options = [("adam", "extra/opt/adam.yaml"), ("adamw", "shared/opt/adamw.yaml"), ("sgd", "extra/opt/sgd.yaml")]
    # a group override on a --config-dir job line: extra/'s options and shared/'s (exp.yaml's hydra.searchpath)
    items = await _complete(client, root, JOBS, jobs.replace("opt=adam", "opt=a‸"))
    assert _items(items) == options
    assert items[0].text_edit.range == types.Range(start=pos(3, 45), end=pos(3, 46))
    # the arch group: config/'s option and extra/'s
    items = await _complete(client, root, JOBS, jobs.replace("-cd extra arch=big", "-cd extra arch=‸"))
    assert _items(items) == [("big", "extra/arch/big.yaml"), ("trm", "config/arch/trm.yaml"),
                             ("unused", "extra/arch/unused.yaml")]
    # --config-name after -cd: the script folder's configs and the --config-dir folder's
    items = await _complete(client, root, JOBS, jobs.replace("-cn exp opt=adam", "-cn ‸"))
    assert _items(items) == [("cfg", "config/cfg.yaml"), ("exp", "extra/exp.yaml")]
    # a defaults entry written in the --config-dir folder
    exp = (root / EXP).read_text()
    items = await _complete(client, root, EXP, exp.replace("  - opt: sgd", "  - opt: ‸"))
    assert _items(items) == options
    items = await _complete(client, root, EXP, exp.replace("  - opt: sgd", "  - ‸"))
    assert [i.label for i in items] == ["arch", "opt", "_self_"]


# ----------------------------------------------------------------------------- diagnostics
async def test_diagnostics_agree_with_check_and_follow_edits_of_extra_folder_files(client, root):
    big = root / BIG
    big.write_text(big.read_text().replace("losses@ACTLossHead", "losses@ACTLossHed"))
    await begin(client, root)
    expected = cli_check(root)
    assert expected == {BIG: [(2, 8, 2, 25, "missing-class")]}  # nothing for unused.yaml nor stray.yaml
    assert await wait_pushed(client, big, expected[BIG]) == expected[BIG]
    pushed_uris = {uri for uri, diags in client.diagnostics.items() if diags}
    assert pushed_uris == {big.as_uri()}
    # edit big.yaml (in extra/): the job line whose override set its renamed key is now wrong (jobs.txt)
    jobs = root / JOBS
    text = big.read_text()
    open_doc(client, big)
    change_doc(client, big, text.replace("hidden_size: 1024", "hidden_sise: 1024"), 2)
    want_jobs = [(1, 60, 1, 76, "unknown-override-key")]
    assert await wait_pushed(client, jobs, want_jobs) == want_jobs
    renamed = [(8, 0, 8, 11, "unknown-model-param"), (9, 17, 9, 32, "unresolved-interpolation")]  # ${.hidden_size}
    assert await wait_pushed(client, big, expected[BIG] + renamed) == expected[BIG] + renamed
    # repair the loss name in the editor: only that finding goes
    change_doc(client, big, text.replace("hidden_size: 1024", "hidden_sise: 1024").replace("ACTLossHed", "ACTLossHead"), 3)
    assert await wait_pushed(client, big, renamed) == renamed
    assert pushed(client, jobs) == want_jobs
    # revert: the job line is clean again
    change_doc(client, big, text.replace("ACTLossHed", "ACTLossHead"), 4)
    assert await wait_pushed(client, jobs, []) == []
    assert await wait_pushed(client, big, []) == []


async def test_an_extra_folder_file_starts_and_stops_being_checked_with_the_chains_using_it(client, root):
    await begin(client, root, caps="vscode")
    sgd = root / "extra" / "opt" / "sgd.yaml"
    exp = root / EXP
    open_doc(client, sgd)
    change_doc(client, sgd, "lr: 0.01\nmomentum: 0.9\nname: recursive_reasoning.trm@Gone\n", 2)
    assert await wait_for(lambda: len(rechecks(client)) >= 1)
    missing = [(2, 6, 2, 34, "missing-class")]
    assert await _pull_until(client, sgd, missing) == missing
    # exp.yaml stops selecting sgd: no chain composes it any more, so (as `check`) it is not judged
    open_doc(client, exp)
    change_doc(client, exp, exp.read_text().replace("  - opt: sgd\n", "  - opt: adam\n"), 2)
    assert await _pull_until(client, sgd, []) == []
    change_doc(client, exp, exp.read_text(), 3)
    assert await _pull_until(client, sgd, missing) == missing


async def _pull_until(client, path: Path, want, timeout: float = 20.0):
    got = await pulled(client, path)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while got != want and loop.time() < end:
        await asyncio.sleep(0.05)
        got = await pulled(client, path)
    return got


async def test_yaml_outside_every_search_path_gets_nothing(client, root):
    await begin(client, root)
    await wait_for(lambda: any("trainpath: indexed" in m.message for m in client.log_messages))
    stray = root / "other" / "stray.yaml"
    unused = root / "extra" / "arch" / "unused.yaml"
    for path in (stray, unused):
        open_doc(client, path)
        change_doc(client, path, path.read_text().replace("name:", "name: x.y@Z\nalso:"), 2)
    # unused.yaml is in a search folder: its edit is re-checked, and it stays quiet (no chain composes it)
    assert await wait_for(lambda: len(rechecks(client)) >= 1)
    assert rechecks(client)[0].startswith("trainpath: re-checked 1 file(s)")
    assert await pulled(client, stray) == [] and await pulled(client, unused) == []
    assert not any(client.diagnostics.get(p.as_uri()) for p in (stray, unused))
    # document symbols: a config file of a search folder has them, a stray YAML file none
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(root / BIG)))
    assert [s.name for s in symbols][:3] == ["name", "loss", "halt_exploration_prob"]
    assert await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(stray))) is None
    # workspace symbols: the configs of every folder of a search path, stray.yaml not
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="a"))
    files = [(s.name, s.container_name, loc(root, s.location)[0]) for s in found if s.kind == types.SymbolKind.File]
    assert files == [("arch/big", "extra", BIG), ("arch/trm", "config", "config/arch/trm.yaml"),
                     ("arch/unused", "extra", "extra/arch/unused.yaml"), ("opt/adam", "extra", "extra/opt/adam.yaml"),
                     ("opt/adamw", "shared", "shared/opt/adamw.yaml")]


# ----------------------------------------------------------------------------- commands
async def test_show_composed_config_of_a_config_dir_job(client, root):
    await begin(client, root, caps="vscode")
    text = await execute(client, "trainpath.showComposedConfig", (root / JOBS).as_uri(), 1)
    assert text == (
        "# exp as composed for jobs.txt:2\n"
        "arch:\n"
        "  name: recursive_reasoning.trm@TRM  # extra/arch/big.yaml:1\n"
        "  loss:  # extra/arch/big.yaml:2\n"
        "    name: losses@ACTLossHead  # extra/arch/big.yaml:3\n"
        "    loss_type: stablemax_cross_entropy  # extra/arch/big.yaml:4\n"
        "  halt_exploration_prob: 0.1  # extra/arch/big.yaml:6\n"
        "  halt_max_steps: 16  # extra/arch/big.yaml:7\n"
        "  hidden_size: 256  # jobs.txt:2 (override)\n"
        "  puzzle_emb_ndim: ${.hidden_size}  # extra/arch/big.yaml:10\n"
        "opt:\n"
        "  lr: 0.01  # extra/opt/sgd.yaml:1\n"
        "  momentum: 0.9  # extra/opt/sgd.yaml:2\n"
        "data_paths:  # extra/exp.yaml:7\n"
        "- data/arc-aug-1000\n"
        "lr: 0.0001  # extra/exp.yaml:8\n"
        "epochs: 3  # extra/exp.yaml:9\n"
        "run_name: a  # jobs.txt:2 (override)\n")
    # what Hydra itself composes for the job line (`--cfg job` prints it without running the task)
    hydra = subprocess.run([sys.executable, "pretrain.py", "--config-dir", "extra", "--config-name", "exp",
                            "arch.hidden_size=256", "+run_name=a", "--cfg", "job"],
                           cwd=root, capture_output=True, text=True, timeout=120)
    assert hydra.returncode == 0, hydra.stderr
    stripped = "\n".join(line.split("  # ")[0] for line in text.split("\n")[1:])
    assert stripped == hydra.stdout
    # on the main config of the --config-dir folder (no line): the chain composing it with the fewest overrides
    text = await execute(client, "trainpath.showComposedConfig", (root / EXP).as_uri())
    assert text.startswith("# exp as composed for jobs.txt:4\n")


# ----------------------------------------------------------------------------- rename
async def test_rename_an_option_of_the_extra_folder(client, root):
    from pygls.exceptions import JsonRpcException

    from .test_rename import REQUEST_FAILED, _prepare, _rename, _shape

    # a config of the --config-dir folder that no job uses yet names it too
    (root / "extra" / "exp_long.yaml").write_text("defaults:\n  - arch: big\n  - _self_\n\nepochs: 30\n")
    await begin(client, root, caps="vscode")
    prepared = await _prepare(client, root, EXP, 2, 11)
    assert (f"{prepared.range.start.line}:{prepared.range.start.character}-{prepared.range.end.character}",
            prepared.placeholder) == ("2:10-13", "big")
    assert _shape(root, await _rename(client, root, JOBS, 2, 39, "huge")) == [
        ("edit", "extra/exp.yaml", None, [("2:10-2:13", "huge")]),
        ("edit", "extra/exp_long.yaml", None, [("1:10-1:13", "huge")]),
        ("edit", "jobs.txt", None, [("2:38-2:41", "huge")]),
        ("rename", "extra/arch/big.yaml", "extra/arch/huge.yaml", (False, False)),
    ]
    # config/arch/trm.yaml comes first on the search path: `arch: trm` would select it, not the renamed file
    with pytest.raises(JsonRpcException) as info:
        await _rename(client, root, EXP, 2, 11, "trm")
    assert info.value.code == REQUEST_FAILED
    assert info.value.message == ("trainpath: cannot rename `big` to `trm`: `arch/trm.yaml` already exists in "
                                  "another folder of the config search path")


# ----------------------------------------------------------------------------- quick fixes
async def test_quick_fixes_create_a_missing_option_beside_its_nearest_sibling_in_the_search_path(client, root):
    from ._util_fixes import code_actions, diagnostics

    jobs = root / JOBS
    jobs.write_text(jobs.read_text().replace("opt=adam", "opt=adamm"))
    exp = root / EXP
    exp.write_text(exp.read_text().replace("  - arch: big", "  - arch: bgi"))
    await begin(client, root)
    diags = await diagnostics(client, jobs, "neovim")
    assert [(d.code, f"{d.range.start.line}:{d.range.start.character}-{d.range.end.character}") for d in diags] == [
        ("missing-override-option", "3:45-50")]
    actions = await code_actions(client, jobs, diags)
    assert [(a.title, a.is_preferred) for a in actions] == [
        ("Change `adamm` to `adam`", True),
        ("Create `extra/opt/adamm.yaml` from `extra/opt/adam.yaml`", None)]  # `opt` is a group of extra/ only
    diags = await diagnostics(client, exp, "neovim")
    actions = await code_actions(client, exp, diags)
    assert [(a.title, a.is_preferred) for a in actions] == [
        ("Change `bgi` to `big`", True),
        ("Create `extra/arch/bgi.yaml` from `extra/arch/big.yaml`", None)]  # beside `big`, not in config/arch
