"""Several config dirs: the primary dir, a job's ``--config-dir`` and the primary's ``hydra.searchpath``.

Hydra 1.3 (``hydra/_internal/utils.py`` ``run_hydra``/``add_conf_dir``,
``config_search_path_impl.py``, ``config_repository.py``,
``config_loader_impl.py`` ``_process_config_searchpath``) is the oracle: the
search path is ``pkg://hydra.conf``, the primary dir (``main``), the
``--config-dir`` (``command-line``, placed before ``schema``, so *after*
main), then ``hydra.searchpath`` entries; a config comes from the first dir
that has it, a group's options are the union over the dirs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trainpath.chain.project import Project
from trainpath.compose import ConfigRepo, compose
from trainpath.compose.repo import SearchPathRepo
from trainpath.parsing.overrides import parse_override
from trainpath.parsing.positions import Span

from tests.compose.harness import HydraFailed, agree_search_path, oracle, ordered, write_dirs

MAIN = {
    "cfg.yaml": "defaults:\n  - db: a\n  - arch: x\n  - _self_\nlr: 1\n",
    "db/a.yaml": "p: main\n",
    "db/m.yaml": "p: main_m\n",
}
EXTRA = {
    "cfg.yaml": "only: extra\n",  # shadowed: main has cfg.yaml
    "solo.yaml": "defaults:\n  - db: b\n  - _self_\nonly: extra2\n",
    "db/a.yaml": "p: extra\nq: 1\n",  # shadowed by main's db/a.yaml
    "db/b.yaml": "p: extra_b\n",
    "arch/x.yaml": "k: 1\nname: m@C\n",
    "arch/y.yaml": "k: 2\n",
    "opt/sgd.yaml": "lr: 0.1\n",
    "exp.yaml": "defaults:\n  - db: bb\n  - _self_\n",
}


def dirs(tmp_path: Path, extra: dict[str, str] | None = None, main: dict[str, str] | None = None):
    made = write_dirs(tmp_path, {"main": MAIN if main is None else main, "extra": EXTRA if extra is None else extra})
    return made["main"], made["extra"]


def rel(path: Path | None, tmp_path: Path) -> str | None:
    return None if path is None else path.relative_to(tmp_path).as_posix()


def test_main_dir_wins_and_defaults_reach_into_the_extra_dir(tmp_path):
    main, extra = dirs(tmp_path)
    r = agree_search_path(main, extra, "cfg")
    assert r.config == {"db": {"p": "main"}, "arch": {"k": 1, "name": "m@C"}, "lr": 1}
    assert [(e.group, e.option, rel(e.path, tmp_path)) for e in r.defaults if not e.is_self] == [
        ("db", "a", "main/db/a.yaml"), ("arch", "x", "extra/arch/x.yaml")]
    assert (rel(r.provenance[("arch", "name")].path, tmp_path), r.provenance[("arch", "name")].span) == (
        "extra/arch/x.yaml", Span(1, 0, 1, 4))
    assert rel(r.provenance[("db", "p")].path, tmp_path) == "main/db/a.yaml"
    assert {rel(p, tmp_path) for p in r.files} == {"main/cfg.yaml", "main/db/a.yaml", "extra/arch/x.yaml"}


def test_config_only_in_the_extra_dir(tmp_path):
    main, extra = dirs(tmp_path)
    r = agree_search_path(main, extra, "solo")
    assert r.config == {"db": {"p": "extra_b"}, "only": "extra2"}
    assert (rel(r.provenance[("only",)].path, tmp_path), r.provenance[("only",)].span) == (
        "extra/solo.yaml", Span(3, 0, 3, 4))


def test_group_overrides_see_the_union_of_the_dirs(tmp_path):
    main, extra = dirs(tmp_path)
    r = agree_search_path(main, extra, "cfg", ["db=b", "arch=y", "+opt=sgd", "arch.k=5", "+arch.z=1", "lr=2"])
    assert r.config == {"db": {"p": "extra_b"}, "arch": {"k": 5, "z": 1}, "lr": 2, "opt": {"lr": 0.1}}
    assert rel(r.provenance[("opt", "lr")].path, tmp_path) == "extra/opt/sgd.yaml"
    assert agree_search_path(main, extra, "cfg", ["db=m"]).config["db"] == {"p": "main_m"}


def test_missing_option_suggests_from_every_dir(tmp_path):
    main, extra = dirs(tmp_path)
    r = agree_search_path(main, extra, "cfg", ["db=bb"])
    [f] = r.findings
    assert (f.code, f.message, f.span, dict(f.data)) == (
        "missing-override-option", "no config `db/bb`; did you mean `b`?", Span(0, 3, 0, 5), {"override": "db=bb"})
    r = agree_search_path(main, extra, "cfg", ["db=mm"])
    assert r.findings[0].message == "no config `db/mm`; did you mean `m`?"


def test_missing_default_in_a_file_of_the_extra_dir(tmp_path):
    main, extra = dirs(tmp_path)
    r = agree_search_path(main, extra, "exp")
    [f] = r.findings
    assert (f.code, rel(f.path, tmp_path), f.span, f.message) == (
        "missing-default", "extra/exp.yaml", Span(1, 8, 1, 10), "no config `db/bb`; did you mean `b`?")


def test_missing_primary_lists_every_dir(tmp_path):
    main, extra = dirs(tmp_path)
    r = agree_search_path(main, extra, "sol")
    [f] = r.findings
    assert (f.code, f.message) == ("missing-config", f"no primary config `sol` in `{main}`, `{extra}`")


def test_unknown_and_existing_keys(tmp_path):
    main, extra = dirs(tmp_path)
    [f] = agree_search_path(main, extra, "cfg", ["arch.kk=2"]).findings
    assert f.code == "unknown-override-key"
    [f] = agree_search_path(main, extra, "cfg", ["+arch.k=2"]).findings
    assert f.code == "append-existing-key"


def test_without_the_extra_dir_the_same_repo_composes_alone(tmp_path):
    main, extra = dirs(tmp_path)
    project = Project(tmp_path)  # a project keeps one repo per search path, made of its repos per folder
    alone = project.repo(main)
    both = alone.searching([extra])
    assert isinstance(both, SearchPathRepo) and both.dirs == (main, extra) and alone.searching([extra]) is both
    assert both.repos == (alone, project.repo(extra)) and both.searching([main, extra]) is both
    assert alone.searching([]) is alone and alone.searching([main]) is alone
    for _ in range(2):  # the plans of one repo never leak into the other
        r = compose(alone, "cfg")
        assert r.config is None and r.findings[0].code == "missing-default"
        assert isinstance(oracle(main, "cfg"), HydraFailed)
        assert compose(both, "cfg").config["arch"] == {"k": 1, "name": "m@C"}


def test_a_change_in_any_dir_invalidates_the_plans(tmp_path):
    main, extra = dirs(tmp_path)
    both = ConfigRepo(main).searching([extra])
    assert compose(both, "cfg", [parse_override("db=b")]).config["db"] == {"p": "extra_b"}
    (main / "db" / "b.yaml").write_text("p: main_b\n")  # a new file in main now shadows extra's
    both.repos[0].invalidate(main / "db" / "b.yaml")
    assert agree_search_path(main, extra, "cfg", ["db=b"]).config["db"] == {"p": "main_b"}
    assert compose(both, "cfg", [parse_override("db=b")]).config["db"] == {"p": "main_b"}
    (extra / "arch" / "x.yaml").unlink()
    both.repos[1].invalidate(extra / "arch" / "x.yaml")
    r = compose(both, "cfg")
    assert (r.config, [f.code for f in r.findings]) == (None, ["missing-default"])


def test_three_dirs_with_hydra_searchpath(tmp_path, monkeypatch):
    third = {"arch/x.yaml": "k: third\n", "arch/t.yaml": "k: t\n", "db/a.yaml": "p: third\n"}
    made = write_dirs(tmp_path, {"main": MAIN, "extra": EXTRA, "third": third})
    main, extra = made["main"], made["extra"]
    monkeypatch.chdir(tmp_path)  # Hydra resolves a relative searchpath entry from the working directory
    for entry in ("file://third", f"file://{made['third']}", "third"):
        (main / "sp.yaml").write_text(f"defaults:\n  - arch: t\n  - _self_\nhydra:\n  searchpath:\n    - {entry}\n")
        r = agree_search_path(main, extra, "sp", ["+db=b"], cwd=tmp_path)
        assert r.config == {"arch": {"k": "t"}, "db": {"p": "extra_b"}}
        assert rel(r.provenance[("arch", "k")].path, tmp_path) == "third/arch/t.yaml"
        # main, then --config-dir, then the searchpath: arch/x comes from --config-dir
        assert agree_search_path(main, extra, "sp", ["arch=x"], cwd=tmp_path).config["arch"] == {"k": 1, "name": "m@C"}
        # without --config-dir
        assert agree_search_path(main, None, "sp", ["arch=x"], cwd=tmp_path).config == {"arch": {"k": "third"}}
        [f] = agree_search_path(main, None, "sp", ["arch=tt"], cwd=tmp_path).findings
        assert f.message == "no config `arch/tt`; did you mean `t`?"


def test_command_line_searchpath_replaces_the_primarys(tmp_path, monkeypatch):
    made = write_dirs(tmp_path, {"main": {"c.yaml": "defaults:\n  - arch: t\nhydra:\n  searchpath: [file://one]\n"},
                                 "one": {"arch/t.yaml": "k: one\n"}, "two": {"arch/t.yaml": "k: two\n"}})
    monkeypatch.chdir(tmp_path)
    assert agree_search_path(made["main"], None, "c", cwd=tmp_path).config == {"arch": {"k": "one"}}
    assert agree_search_path(made["main"], None, "c", ["hydra.searchpath=[file://two]"], cwd=tmp_path).config == {
        "arch": {"k": "two"}}
    [f] = agree_search_path(made["main"], None, "c", ["hydra.searchpath=two"], cwd=tmp_path).findings
    assert (f.code, f.span) == ("missing-config", Span(0, 17, 0, 20))


def test_searchpath_must_be_a_list_and_only_in_the_primary(tmp_path, monkeypatch):
    made = write_dirs(tmp_path, {"main": {
        "c.yaml": "hydra:\n  searchpath: file://one\n",
        "d.yaml": "defaults:\n  - g: a\n  - _self_\nx: 1\n",
        "g/a.yaml": "# @package _global_\nhydra:\n  searchpath: [file://one]\n",
        "e.yaml": "defaults:\n  - g: b\n", "g/b.yaml": "hydra:\n  searchpath: [file://one]\n",
    }})
    monkeypatch.chdir(tmp_path)
    [f] = agree_search_path(made["main"], None, "c", cwd=tmp_path).findings
    assert (f.code, f.span) == ("missing-config", Span(1, 14, 1, 24))
    [f] = agree_search_path(made["main"], None, "d", cwd=tmp_path).findings
    assert (f.code, rel(f.path, tmp_path), f.span) == ("unknown-override-key", "main/g/a.yaml", Span(2, 2, 2, 12))
    # below its group's package it is `g.hydra.searchpath`: plain data
    assert agree_search_path(made["main"], None, "e", cwd=tmp_path).config == {
        "g": {"hydra": {"searchpath": ["file://one"]}}}


def test_missing_searchpath_dir_only_warns_and_pkg_entries_stay_quiet(tmp_path, monkeypatch):
    made = write_dirs(tmp_path, {"main": {
        "c.yaml": "defaults:\n  - arch: t\nhydra:\n  searchpath: [file://nowhere, file:///no/such/dir]\n",
        "arch/t.yaml": "k: 1\n",
        "p.yaml": "defaults:\n  - arch: t\nhydra:\n  searchpath: [pkg://some_pkg.conf]\n",
        "q.yaml": "defaults:\n  - arch: u\nhydra:\n  searchpath: [pkg://some_pkg.conf]\n",
        "r.yaml": "defaults:\n  - arch: u\nhydra:\n  searchpath: ['file://${oc.env:HOME}/conf']\n",
    }})
    monkeypatch.chdir(tmp_path)
    main = made["main"]
    assert agree_search_path(main, None, "c", cwd=tmp_path).config == {"arch": {"k": 1}}
    assert agree_search_path(main, None, "p", cwd=tmp_path).config == {"arch": {"k": 1}}
    # Hydra fails: `arch/u` is nowhere; but a package trainpath cannot see might hold it: no finding
    for name in ("q", "r"):
        assert isinstance(oracle(main, name), HydraFailed)
        r = compose(ConfigRepo(main), name, cwd=tmp_path)
        assert (r.config, r.findings) == (None, [])
    # relative entries without a working directory: unknown, quiet as well
    r = compose(ConfigRepo(main), "q")
    assert (r.config, r.findings) == (None, [])


def test_the_harness_search_path_is_hydras_command_line(tmp_path):
    """``python app.py --config-dir extra`` (Hydra's own argument parsing) composes what the harness does."""
    main, extra = dirs(tmp_path)
    (tmp_path / "app.py").write_text(
        "import hydra\n@hydra.main(config_path='main', config_name='cfg', version_base=None)\n"
        "def f(cfg):\n    pass\nif __name__ == '__main__':\n    f()\n")
    import yaml

    for args in ([], ["db=b", "arch=y"], ["-cn", "solo"]):
        out = subprocess.run([sys.executable, "app.py", "--config-dir", "extra", "--cfg", "job", *args],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        name = "solo" if args[:1] == ["-cn"] else "cfg"
        ovs = [a for a in args if "=" in a]
        got = agree_search_path(main, extra, name, ovs)
        assert ordered(got.config) == ordered(yaml.safe_load(out.stdout))
    out = subprocess.run([sys.executable, "app.py", "--config-dir", "nope", "--cfg", "job"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and f"Additional config directory '{tmp_path / 'nope'}' not found" in out.stderr


def test_project_refresh_reaches_searchpath_folders_and_leaves_no_cycles(tmp_path, monkeypatch):
    import gc

    made = write_dirs(tmp_path, {"main": {"c.yaml": "defaults:\n  - arch: t\nhydra:\n  searchpath: [file://one]\n"},
                                 "one": {"arch/t.yaml": "k: one\n"}})
    project = Project(tmp_path)
    repo = project.repo(made["main"])
    assert compose(repo, "c", cwd=tmp_path).config == {"arch": {"k": "one"}}
    (made["main"] / "arch").mkdir()
    (made["main"] / "arch" / "t.yaml").write_text("k: main\n")
    assert compose(repo, "c", cwd=tmp_path).config == {"arch": {"k": "one"}}  # listings are cached ...
    project.refresh()
    assert compose(repo, "c", cwd=tmp_path).config == {"arch": {"k": "main"}}  # ... until the project refreshes
    (made["main"] / "arch" / "t.yaml").unlink()
    (tmp_path / "one" / "arch" / "u.yaml").write_text("k: u\n")
    project.refresh()
    r = compose(repo, "c", [parse_override("arch=u")], cwd=tmp_path)
    assert r.config == {"arch": {"k": "u"}}
    assert [k for k in project._searches] == [((made["main"], (tmp_path / "one").resolve()), False)]
    del r, repo
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        del project
        gc.collect()
        leaked = [type(o).__name__ for o in gc.garbage if type(o).__name__ in ("Project", "ConfigRepo", "SearchPathRepo")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert leaked == []
