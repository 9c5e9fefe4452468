"""``textDocument/documentSymbol`` (configs, job files) and ``workspace/symbol`` end to end."""

from __future__ import annotations

from lsprotocol import types

from ._util_nav import doc, loc, neovim_caps, rstr, start_nav, start_with

K = types.SymbolKind
MAIN = "config/cfg_pretrain_etrm_arc_agi_1.yaml"


def _tree(symbols) -> list:
    """(name, kind, range, selection, detail, children) tuples, recursively."""
    return [(s.name, s.kind, rstr(s.range), rstr(s.selection_range), s.detail, _tree(s.children or []))
            for s in symbols]


async def _doc_symbols(client, root, path):
    return await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(root / path)))


async def _ws(client, root, query):
    result = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    return [(s.name, s.kind, s.container_name) + loc(root, s.location) for s in result]


async def test_config_symbols_tree(client, project):
    await start_nav(client, project, caps="vscode")
    tree = _tree(await _doc_symbols(client, project, MAIN))
    assert tree[:4] == [
        ("defaults", K.Array, "2:0-4:10", "2:0-2:8", None, [
            ("arch: etrm", K.File, "3:4-3:14", "3:4-3:8", "config/arch/etrm.yaml", []),
            ("_self_", K.File, "4:4-4:10", "4:4-4:10", None, []),
        ]),
        ("hydra", K.Object, "6:0-7:21", "6:0-6:5", None, [
            ("output_subdir", K.Null, "7:2-7:21", "7:2-7:15", "null", []),
        ]),
        ("arch", K.Object, "10:0-13:20", "10:0-10:4", None, [
            ("encoder_type", K.String, "11:2-11:24", "11:2-11:14", "standard", []),
            ("halt_exploration_prob", K.Number, "12:2-12:28", "12:2-12:23", "0.5", []),
            ("halt_max_steps", K.Number, "13:2-13:20", "13:2-13:16", "16", []),
        ]),
        ("data_paths", K.Array, "16:0-16:47", "16:0-16:10", None, []),
    ]
    assert tree[5][:2] == ("evaluators", K.Array)
    assert tree[5][5] == [("[0]", K.Object, "20:4-20:17", "20:4-20:17", None, [
        ("name", K.String, "20:4-20:17", "20:4-20:8", "arc@ARC", [])])]
    assert [(name, kind) for name, kind, *_ in tree[6:]] == [
        ("global_batch_size", K.Number), ("epochs", K.Number), ("eval_interval", K.Number),
        # `1e-4` is a float for OmegaConf (its YAML 1.1 float fix)
        ("checkpoint_every_eval", K.Boolean), ("lr", K.Number), ("lr_min_ratio", K.Number),
        ("lr_warmup_steps", K.Number), ("beta1", K.Number), ("beta2", K.Number), ("weight_decay", K.Number),
        ("encoder_lr", K.Number), ("max_demos", K.Number), ("seed", K.Number), ("min_eval_interval", K.Number),
        ("ema", K.Boolean), ("ema_rate", K.Number)]
    # a missing defaults option has no target; a broken file has no symbols
    tree = _tree(await _doc_symbols(client, project, "config/cfg_pitfall_missing_arch.yaml"))
    assert tree[0][5] == [("arch: etmr", K.File, "3:4-3:14", "3:4-3:8", None, []),
                          ("_self_", K.File, "4:4-4:10", "4:4-4:10", None, [])]


async def test_job_file_symbols(client, project):
    await start_nav(client, project)
    tree = _tree(await _doc_symbols(client, project, "jobs-etrm-semi-final.txt"))
    assert tree == [
        ("[x] pretrain_etrm.py cfg_pretrain_etrm_arc_agi_1", K.Event, "4:0-4:104", "4:32-4:48", "+run_name=sf1", []),
        ("[-] pretrain_etrm.py cfg_pretrain_etrm_arc_agi_1", K.Event, "7:0-10:27", "7:50-7:66",
         "arch.encoder_type=hybrid_standard arch.encoder_num_layers=4 +run_name=sf2", []),
        ("[ ] pretrain_etrm.py cfg_pretrain_etrm_arc_agi_1", K.Event, "13:0-13:155", "13:61-13:77",
         "arch.halt_max_steps=8 +run_name=sf3", []),
        # no --config-name: the decorator's config
        ("[!] pretrain_etrm.py cfg_pretrain_etrm_arc_agi_1", K.Event, "16:0-16:129", "16:32-16:48",
         "arch=etrm arch.encoder_type=lpn_standard arch.encoder_num_layers=6 +run_name=sf4", []),
    ]
    tree = _tree(await _doc_symbols(client, project, "scripts/launch_etrm.sh"))
    assert tree == [("pretrain_etrm.py cfg_pretrain_etrm_arc_agi_1", K.Event, "12:0-15:31", "12:35-12:51",
                     'arch.encoder_type="$ENCODER" +run_name="etrm_${ENCODER}"', [])]
    assert await _doc_symbols(client, project, "pretrain_etrm.py") is None


async def test_flat_symbols_for_clients_without_hierarchy(client, project):
    await start_with(client, project, neovim_caps(hierarchical=False))
    result = await _doc_symbols(client, project, "config/arch/etrm.yaml")
    flat = [(s.name, s.kind, s.container_name) + loc(project, s.location) for s in result]
    assert flat[:4] == [
        ("name", K.String, None, "config/arch/etrm.yaml", "0:0-0:45"),
        ("loss", K.Object, None, "config/arch/etrm.yaml", "1:0-3:36"),
        ("name", K.String, "loss", "config/arch/etrm.yaml", "2:2-2:26"),
        ("loss_type", K.String, "loss", "config/arch/etrm.yaml", "3:2-3:36"),
    ]
    assert len(flat) == 21


async def test_workspace_symbols(client, project):
    await start_nav(client, project, caps="vscode")
    assert await _ws(client, project, "TRMWith") == [
        ("TRMWithEncoder", K.Class, "models.recursive_reasoning.etrm", "models/recursive_reasoning/etrm.py", "24:6-24:20")]
    assert await _ws(client, project, "arch/etrm") == [
        ("arch/etrm", K.File, "config", "config/arch/etrm.yaml", "0:0-0:0")] + [
        (f"arch/etrm_{n}", K.File, "config", f"config/arch/etrm_{n}.yaml", "0:0-0:0")
        for n in ("badchoice", "fixed", "moved", "noexplore", "typo")]
    # exact (a group option's own name) first, then prefixes, substrings, subsequences
    names = [name for name, *_ in await _ws(client, project, "trm")]
    assert names == ["arch/trm", "TRMWithEncoder", "arch/etrm", "arch/etrm_badchoice", "arch/etrm_fixed",
                     "arch/etrm_moved", "arch/etrm_noexplore", "arch/etrm_typo", "cfg_pitfalls_etrm",
                     "cfg_pretrain_etrm_arc_agi_1", "TinyRecursiveReasoningModel_ACTV1"]
    assert [name for name, *_ in await _ws(client, project, "cfgetrm")] == ["cfg_pitfalls_etrm", "cfg_pretrain_etrm_arc_agi_1"]
    assert [name for name, *_ in await _ws(client, project, "actloss")] == ["ACTLossHead"]
    everything = await _ws(client, project, "")
    assert len(everything) == 12 + 5  # configs + classes named by configs
    assert await _ws(client, project, "zzzz") == []
