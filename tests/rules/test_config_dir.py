"""Job lines with ``--config-dir``/``-cd``, and main configs with ``hydra.searchpath``: composed like Hydra.

Hydra searches the script's config folder first, then ``--config-dir``
(``run_hydra``'s ``add_conf_dir`` puts it before the ``schema`` source, after
``main``), then the primary config's ``hydra.searchpath`` entries; every
composition check runs on such jobs, at exact positions in the right folder.
"""

from tests.rules.conftest import ARCH_TRM, CFG, check, only, where
from trainpath.chain.build import build_project_model
from trainpath.chain.project import Project
from trainpath.parsing.positions import Span

EXP = "defaults:\n  - arch: big\n  - _self_\n\ndata_paths: ['data/arc-aug-1000']\nlr: 1e-4\nepochs: 3\n"
BIG = ARCH_TRM.replace("hidden_size: 512", "hidden_size: 1024")
EXTRA = {"extra/exp.yaml": EXP, "extra/arch/big.yaml": BIG}


def test_a_clean_config_dir_job_has_no_findings_and_composes_from_both_folders(project) -> None:
    root = project({**EXTRA, "jobs.txt": (
        "[ ] python pretrain.py --config-dir extra --config-name exp arch.hidden_size=256 +run_name=a\n"
        "[ ] python pretrain.py -cd extra arch=big +run_name=b\n"  # cfg from config/, arch/big from extra/
        "[ ] python pretrain.py --config-dir=extra -cn exp arch=trm\n"
    )})
    assert check(root) == []
    model = build_project_model(Project(root))
    jobs = [c for c in model.chains if c.root_kind == "job"]
    assert [c.compose.config["arch"]["hidden_size"] for c in jobs] == [256, 1024, 512]
    first = jobs[0]
    assert [(l.kind, l.name, l.target and l.target.path.relative_to(root).as_posix(), l.ok) for l in first.links[:4]] == [
        ("job", first.job.text, None, True), ("script", "pretrain.py", "pretrain.py", True),
        ("config", "exp", "extra/exp.yaml", True), ("arch", "arch: big", "extra/arch/big.yaml", True)]
    assert first.model is not None and first.model.name == "TRM"
    origin = jobs[1].compose.provenance[("arch", "hidden_size")]
    assert (origin.path.relative_to(root).as_posix(), origin.span) == ("extra/arch/big.yaml", Span(8, 0, 8, 11))


def test_missing_default_in_the_extra_folder_suggests_from_both(project) -> None:
    root = project({"extra/exp.yaml": EXP.replace("arch: big", "arch: bgi"), "extra/arch/big.yaml": BIG,
                    "jobs.txt": "[ ] python pretrain.py --config-dir extra --config-name exp\n"})
    [f] = check(root)
    assert (f.code, where(root, f), f.message) == (
        "missing-default", ("extra/exp.yaml", Span(1, 10, 1, 13), "bgi"), "no config `arch/bgi`; did you mean `big`?")


def test_override_findings_on_a_config_dir_job_line(project) -> None:
    root = project({**EXTRA, "jobs.txt": (
        "[ ] python pretrain.py --config-dir extra --config-name exp arch.hidden_sise=256 epoch=3\n"
        "[ ] python pretrain.py -cd extra arch=bgi +lr=1\n"
    )})
    findings = check(root)
    assert [(f.code, where(root, f)) for f in findings] == [
        ("unknown-override-key", ("jobs.txt", Span(0, 60, 0, 76), "arch.hidden_sise")),
        ("unknown-override-key", ("jobs.txt", Span(0, 81, 0, 86), "epoch")),
        ("missing-override-option", ("jobs.txt", Span(1, 38, 1, 41), "bgi")),
        ("append-existing-key", ("jobs.txt", Span(1, 42, 1, 45), "+lr")),
    ]
    assert findings[0].message.endswith("did you mean `arch.hidden_size`? (to add it as a new key use `+arch.hidden_sise=256`)")
    assert findings[2].message == "no config `arch/bgi`; did you mean `big`?"


def test_model_checks_reach_arch_configs_of_the_extra_folder(project) -> None:
    root = project({"extra/exp.yaml": EXP,
                    "extra/arch/big.yaml": BIG.replace("halt_max_steps: 16", "halt_max_step: 16"),
                    "jobs.txt": "[ ] python pretrain.py --config-dir extra --config-name exp\n"})
    findings = check(root)
    [f] = only(findings, "unknown-model-param")
    assert where(root, f) == ("extra/arch/big.yaml", Span(6, 0, 6, 13), "halt_max_step")
    assert sorted(x.code for x in findings) == ["missing-act-param", "unknown-model-param"]


def test_the_script_folder_wins_over_config_dir(project) -> None:
    # extra/cfg.yaml and extra/arch/trm.yaml are shadowed by config/: their mistakes are not reached
    root = project({"extra/cfg.yaml": "defaults:\n  - arch: nope\n", "extra/arch/trm.yaml": "hidden_size: [\n",
                    "jobs.txt": "[ ] python pretrain.py --config-dir extra +run_name=x\n"})
    model = build_project_model(Project(root))
    [job] = [c for c in model.chains if c.root_kind == "job"]
    assert job.compose.config["arch"]["hidden_size"] == 512
    assert check(root) == []


def test_a_missing_config_dir_is_reported_at_its_word(project) -> None:
    root = project({**EXTRA, "jobs.txt": "[ ] python pretrain.py --config-dir extar --config-name exp\n"})
    [f] = check(root)
    assert (f.code, where(root, f), f.message) == (
        "missing-config", ("jobs.txt", Span(0, 36, 0, 41), "extar"),
        "no config folder `extar` (`--config-dir`); did you mean `extra`?")


def test_a_config_dir_the_shell_builds_stays_quiet(project) -> None:
    root = project({"jobs.txt": "[ ] python pretrain.py -cd $EXTRA -cn exp2 arch.nope=1\n"})
    assert check(root) == []


def test_hydra_searchpath_of_the_main_config(project) -> None:
    cfg = CFG.replace("arch: trm", "arch: big") + "hydra:\n  searchpath:\n    - file://shared\n"
    root = project({"config/cfg.yaml": cfg, "shared/arch/big.yaml": BIG,
                    "jobs.txt": "[ ] python pretrain.py arch.hidden_size=256\n[ ] python pretrain.py arch.hiden_size=1\n"})
    findings = check(root)
    assert [(f.code, where(root, f)) for f in findings] == [
        ("unknown-override-key", ("jobs.txt", Span(1, 23, 1, 38), "arch.hiden_size"))]
    model = build_project_model(Project(root))
    arch = [c for c in model.chains if c.root_kind == "job"][0].link("arch")
    assert arch.target.path.relative_to(root).as_posix() == "shared/arch/big.yaml"
    # a package entry trainpath cannot see: a default it may hold is not reported
    root = project({"config/cfg.yaml": cfg.replace("file://shared", "pkg://my_pkg.conf")})
    assert check(root) == []


def test_chain_repo_gives_later_questions_the_chains_search_path(project) -> None:
    from trainpath.chain.build import chain_repo
    from trainpath.compose import compose, searched_repo

    root = project({**EXTRA, "shared/opt/sgd.yaml": "lr: 1\n",
                    "extra/exp.yaml": EXP + "hydra:\n  searchpath: [file://shared]\n",
                    "jobs.txt": "[ ] python pretrain.py -cd extra -cn exp arch.hidden_size=8\n"})
    proj = Project(root)
    model = build_project_model(proj)
    job = next(c for c in model.chains if c.root_kind == "job")
    repo, cwd = chain_repo(proj, job)
    assert (repo.dirs, cwd) == ((root / "config", root / "extra"), root)
    assert repo is chain_repo(proj, job)[0]  # the project keeps it: compositions share their plans
    assert compose(repo, job.config_name, [], cwd=cwd).config["arch"]["hidden_size"] == 1024
    full = searched_repo(repo, job.config_name, [], cwd)
    assert full.dirs == (root / "config", root / "extra", root / "shared") and full.is_group("opt")
    assert not repo.is_group("opt") and full.options("arch") == ["big", "trm"]
    plain = next(c for c in model.chains if c.root_kind == "script")
    assert chain_repo(proj, plain) == (proj.repo(root / "config"), root)


def test_a_config_dir_job_does_not_judge_the_plain_config_for_its_chain(project) -> None:
    # with `-cd extra` the optional `tag: default` comes from extra/ and sets `run_tag`; the plain `cfg` leaves it `???`
    cfg = CFG.replace("  - _self_\n", "  - _self_\n  - optional tag: default\n") + "run_tag: ???\n"
    root = project({"config/cfg.yaml": cfg,
                    "extra/tag/default.yaml": "# @package _global_\nrun_tag: x\n",
                    "jobs.txt": "[ ] python pretrain.py -cd extra\n"})
    assert [(f.code, where(root, f)) for f in check(root)] == [
        ("missing-mandatory", ("config/cfg.yaml", Span(8, 9, 8, 12), "???"))]
