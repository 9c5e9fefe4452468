"""Sanity of the ground truth: the example project, the fixture projects and the synthetic generator.

None of this uses trainpath's engine.  It checks that every ``expected.json`` points at
real text (and agrees with its ``EXPECTED.md`` table), that only the deliberately broken
files fail to parse, and that Hydra itself (hydra-core, the oracle) agrees: every job line
in every project composes, except exactly those whose expected finding is one Hydra refuses.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from trainpath.findings import RULES

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
EXAMPLE = REPO / "examples" / "trm_project"
PROJECTS = [EXAMPLE] + sorted(p for p in FIXTURES.iterdir() if (p / "expected.json").is_file())
IDS = [p.name for p in PROJECTS]
CLEAN = {"clean_trm", "noexec"}

#: files that must not parse (relative to tests/fixtures)
BROKEN_YAML = {"broken_syntax/config/arch/trm_flow.yaml", "broken_syntax/config/arch/trm_tabs.yaml",
               "broken_syntax/config/arch/trm_binary.yaml"}
BROKEN_PY = {"broken_syntax/models/recursive_reasoning/trm_wip.py", "broken_syntax/pretrain_wip.py"}
#: codes whose job line Hydra itself refuses to compose
HYDRA_REFUSES = {"unknown-override-key", "append-existing-key", "missing-override-option"}
KEYS = ["path", "line", "column", "end_line", "end_column", "code"]


def load_expected(project: Path) -> list[dict]:
    return json.loads((project / "expected.json").read_text(encoding="utf-8"))


def text_at(project: Path, e: dict) -> str:
    lines = (project / e["path"]).read_text(encoding="utf-8").split("\n")
    assert e["line"] == e["end_line"], "single-line spans only"
    line = lines[e["line"] - 1]
    assert 1 <= e["column"] <= e["end_column"] <= len(line) + 1, (e, line)
    return line[e["column"] - 1:e["end_column"] - 1]


# --------------------------------------------------------------------------- expected.json

@pytest.mark.parametrize("project", PROJECTS, ids=IDS)
def test_expected_json_points_at_real_text(project: Path) -> None:
    entries = load_expected(project)
    assert isinstance(entries, list)
    if project.name in CLEAN:
        assert entries == []
    else:
        assert len(entries) >= 5
    assert len({tuple(e[k] for k in KEYS) for e in entries}) == len(entries), "duplicate entries"
    for e in entries:
        assert list(e) == KEYS
        assert e["code"] in RULES
        assert (project / e["path"]).is_file(), e
        if e["code"] == "unreadable-file":
            assert b"\x00" in (project / e["path"]).read_bytes()
            assert (e["line"], e["column"], e["end_line"], e["end_column"]) == (1, 1, 1, 1)
        else:
            assert text_at(project, e).strip() or text_at(project, e) == "\t", e


TABLE_ROW = re.compile(r"^\| `(?P<path>[^`]+)` \| (?P<l>\d+):(?P<c>\d+)-(?P<el>\d+):(?P<ec>\d+) \| "
                       r"(?:`(?P<text>[^`]*)`|\(none\)) \| `(?P<code>[a-z-]+)` \|")


@pytest.mark.parametrize("project", [p for p in PROJECTS if p.name not in CLEAN], ids=lambda p: p.name)
def test_expected_table_agrees_with_json_and_text(project: Path) -> None:
    rows = [m for line in (project / "EXPECTED.md").read_text(encoding="utf-8").split("\n")
            if (m := TABLE_ROW.match(line))]
    from_table = sorted((m["path"], int(m["l"]), int(m["c"]), int(m["el"]), int(m["ec"]), m["code"]) for m in rows)
    entries = load_expected(project)
    assert from_table == sorted(tuple(e[k] for k in KEYS) for e in entries)
    for m in rows:
        if m["text"] is None:
            continue
        e = dict(zip(KEYS, (m["path"], int(m["l"]), int(m["c"]), int(m["el"]), int(m["ec"]), m["code"])))
        assert text_at(project, e) == m["text"].replace("\\t", "\t").replace("\\|", "|")


def test_example_covers_every_pitfall_code() -> None:
    codes = {e["code"] for e in load_expected(EXAMPLE)}
    assert codes == {"config-name-mismatch", "stale-name", "missing-script", "invalid-choice",
                     "unknown-override-key", "append-existing-key", "missing-override-option",
                     "data-mode-mismatch", "missing-default", "unknown-model-param", "missing-act-param",
                     "missing-module", "train-mode-mismatch"}


# --------------------------------------------------------------------------- parsing

def all_files(suffix: str) -> list[Path]:
    return sorted(p for root in PROJECTS for p in root.rglob(f"*{suffix}") if "__pycache__" not in p.parts)


def test_only_the_deliberately_broken_yaml_fails() -> None:
    failed = set()
    for path in all_files(".yaml") + all_files(".yml"):
        try:
            yaml.safe_load(path.read_bytes().decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            failed.add(path.relative_to(FIXTURES).as_posix())
    assert failed == BROKEN_YAML


def test_only_the_deliberately_broken_python_fails_where_expected() -> None:
    failed = {}
    for path in all_files(".py"):
        try:
            ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError as exc:
            failed[path.relative_to(FIXTURES).as_posix()] = (exc.lineno, exc.offset)
    assert set(failed) == BROKEN_PY
    for e in load_expected(FIXTURES / "broken_syntax"):
        if e["code"] == "python-syntax":
            assert failed[f"broken_syntax/{e['path']}"] == (e["line"], e["column"])


def test_yaml_syntax_entries_match_pyyaml_marks() -> None:
    project = FIXTURES / "broken_syntax"
    for e in load_expected(project):
        if e["code"] != "yaml-syntax":
            continue
        with pytest.raises(yaml.YAMLError) as info:
            yaml.safe_load((project / e["path"]).read_text(encoding="utf-8"))
        mark = info.value.problem_mark  # type: ignore[attr-defined]
        assert (mark.line + 1, mark.column + 1) == (e["line"], e["column"])


def test_noexec_fixture_would_write_on_import() -> None:
    """Every Python file of the noexec project writes PWNED at module level: a trap, if anything imports it."""
    root = FIXTURES / "noexec"
    py = sorted(root.rglob("*.py"))
    assert len(py) >= 7
    for path in py:
        module = ast.parse(path.read_text(encoding="utf-8"))
        top = [ast.unparse(n) for n in module.body if isinstance(n, ast.Expr)]
        assert any("PWNED" in s and "write" in s for s in top), path
    assert not list(root.rglob("PWNED"))


# --------------------------------------------------------------------------- Hydra, the oracle

@dataclass(frozen=True)
class Job:
    path: str
    line: int  # 1-based line where the job starts
    end_line: int
    script: str
    config_name: str | None
    overrides: tuple[str, ...]


def read_jobs(project: Path, name: str) -> list[Job]:
    """The job lines of one of *our* job files (queue markers, env prefixes, `\\` continuations, [PID])."""
    raw = (project / name).read_text(encoding="utf-8").split("\n")
    jobs, i = [], 0
    while i < len(raw):
        start, text = i, raw[i]
        while text.endswith("\\"):
            i += 1
            text = text[:-1] + " " + raw[i]
        i += 1
        text = re.sub(r"^\s*\[[ x!-]\]\s*", "", text)
        text = re.sub(r"\s*\[\d+\]\s*$", "", text)
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        words = shlex.split(text)
        k = next(n for n, w in enumerate(words) if w.endswith(".py"))
        args, config_name, overrides = words[k + 1:], None, []
        while args:
            a = args.pop(0)
            if a in ("--config-name", "-cn"):
                config_name = args.pop(0)
            elif a.startswith("--config-name="):
                config_name = a.split("=", 1)[1]
            elif "=" in a or a.startswith("~"):
                overrides.append(a)
        jobs.append(Job(name, start + 1, i, words[k], config_name, tuple(overrides)))
    return jobs


DECORATOR = re.compile(r'@hydra\.main\(config_path="([^"]+)", config_name="([^"]+)"')


def try_compose(config_dir: Path, name: str, overrides: tuple[str, ...], resolve: bool) -> str | None:
    """None when Hydra composes (and resolves) the config, else the exception's type name."""
    try:
        with initialize_config_dir(config_dir=str(config_dir), version_base=None):
            cfg = compose(config_name=name, overrides=list(overrides))
            if resolve:
                OmegaConf.resolve(cfg)
    except Exception as exc:  # any refusal counts; the type name helps when a test fails
        return type(exc).__name__
    return None


def job_files(project: Path) -> list[str]:
    return sorted(p.name for p in project.glob("jobs*.txt"))


@pytest.mark.parametrize("project", PROJECTS, ids=IDS)
def test_hydra_composes_every_job_except_the_refused_ones(project: Path) -> None:
    entries = load_expected(project)
    checked = 0
    for name in job_files(project):
        for job in read_jobs(project, name):
            codes = {e["code"] for e in entries if e["path"] == name and job.line <= e["line"] <= job.end_line}
            script = project / job.script
            if not script.is_file() or "not-hydra-script" in codes:
                assert codes & {"missing-script", "not-hydra-script"}, job
                continue
            found = DECORATOR.search(script.read_text(encoding="utf-8"))
            if found is None:  # a script that does not parse: nothing Hydra could run
                assert project.name == "broken_syntax", job
                continue
            config_dir = script.parent / found.group(1)
            refused = try_compose(config_dir, job.config_name or found.group(2), job.overrides,
                                  resolve=project.name in CLEAN or project == EXAMPLE)
            if any(e["path"] == job.script and e["code"] == "missing-config" for e in entries):
                assert refused is not None and not codes, (job, refused, codes)
            elif project.name == "broken_syntax":
                reached = {"trm_flow", "trm_tabs", "trm_binary"} & {o.split("=")[1] for o in job.overrides}
                assert (refused is not None) == bool(reached), (job, refused)
            else:
                assert (refused is not None) == bool(codes & HYDRA_REFUSES), (job, refused, codes)
            checked += 1
    assert checked >= 1


CLEAN_EXTRA = [  # configs no job line reaches, and the shell scripts' jobs (written out by hand)
    (EXAMPLE, "cfg_pretrain_etrm_arc_agi_1", ("arch.encoder_type=lpn_standard", "+run_name=etrm_lpn_standard")),
    (EXAMPLE, "cfg_pitfalls_etrm", ()),
    (FIXTURES / "clean_trm", "cfg_pretrain_arc_agi_1", ("arch=trm_experimental",)),
    (FIXTURES / "clean_trm", "cfg_pretrain_etrm_arc_agi_1", ("arch.encoder_type=hybrid_standard", "+run_name=etrm_1")),
    (FIXTURES / "clean_trm", "cfg_pretrain_arc_agi_1", ("+run_name=trm_from_script",)),
]


@pytest.mark.parametrize("project,name,overrides", CLEAN_EXTRA, ids=lambda v: getattr(v, "name", None))
def test_clean_configs_compose_and_resolve(project: Path, name: str, overrides: tuple[str, ...]) -> None:
    assert try_compose(project / "config", name, overrides, resolve=True) is None


def test_every_decorator_config_of_a_clean_project_composes() -> None:
    seen = 0
    for project in [EXAMPLE, FIXTURES / "clean_trm", FIXTURES / "noexec"]:
        for script in project.glob("*.py"):
            found = DECORATOR.search(script.read_text(encoding="utf-8"))
            if found:
                assert try_compose(script.parent / found.group(1), found.group(2), (), resolve=True) is None, script
                seen += 1
    assert seen == 7


def test_the_broken_defaults_do_not_compose() -> None:
    assert try_compose(EXAMPLE / "config", "cfg_pitfall_missing_arch", (), False) == "MissingConfigException"
    assert try_compose(FIXTURES / "broken_links" / "config", "cfg_pretrain_arc_agi_2", (), False) == "MissingConfigException"
    assert try_compose(FIXTURES / "broken_syntax" / "config", "cfg_cycle_a", (), False) == "RecursionError"


# --------------------------------------------------------------------------- the synthetic generator

def load_generator():
    """bench/ is not a package: load the script as module ``gen_synthetic`` (once)."""
    if "gen_synthetic" in sys.modules:
        return sys.modules["gen_synthetic"]
    spec = importlib.util.spec_from_file_location("gen_synthetic", REPO / "bench" / "gen_synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_synthetic"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_generator_counts_at_scale_1_and_10() -> None:
    gen = load_generator()
    for scale in (1, 10):
        repo = gen.generate(scale, 0)
        files = repo.files
        configs = [p for p in files if p.startswith("config/")]
        modules = [p for p in files if p.startswith("models/recursive_reasoning/") and not p.endswith("__init__.py")]
        job_lines = [ln for p in files if p.startswith("jobs-") for ln in files[p] if ln.startswith("[")]
        assert (len(configs), len(modules), len(job_lines)) == (50 * scale, 10 * scale, 20 * scale)
        assert len([p for p in files if p.startswith("pretrain_etrm_")]) == 2 * scale
        assert len([p for p in files if p.startswith("jobs-")]) == 2 + scale // 10
        assert all(300 <= len(files[p]) <= 600 for p in modules)
        assert sorted(e["code"] for e in repo.seeded) == sorted(gen.SEEDED_CODES * scale)
        for e in repo.seeded:
            line = files[e["path"]][e["line"] - 1]
            assert 1 <= e["column"] < e["end_column"] <= len(line) + 1


def test_generator_is_deterministic_and_seeded(tmp_path: Path) -> None:
    gen = load_generator()
    a, b, c = gen.generate(1, 7), gen.generate(1, 7), gen.generate(1, 8)
    assert a.files == b.files and a.seeded == b.seeded
    assert a.files != c.files
    assert gen.main(["--scale", "1", "--out", str(tmp_path / "x"), "--seed", "7"]) == 0
    assert json.loads((tmp_path / "x" / "seeded.json").read_text()) == a.seeded
    assert (tmp_path / "x" / "config" / "arch" / "net_0000.yaml").read_text() == "\n".join(a.files["config/arch/net_0000.yaml"])
    for path in (tmp_path / "x").rglob("*.py"):
        ast.parse(path.read_text())
    with pytest.raises(SystemExit):  # refuses to overwrite without --force
        gen.main(["--scale", "1", "--out", str(tmp_path / "x")])


def test_generated_repo_agrees_with_hydra(tmp_path: Path) -> None:
    """At x1: every job composes unless its seeded finding is one Hydra refuses; seeded main configs fail."""
    gen = load_generator()
    out = tmp_path / "syn"
    gen.main(["--scale", "1", "--out", str(out), "--seed", "3"])
    seeded = json.loads((out / "seeded.json").read_text())
    checked = 0
    for name in job_files(out):
        for job in read_jobs(out, name):
            codes = {e["code"] for e in seeded if e["path"] == name and e["line"] == job.line}
            if "missing-script" in codes:
                assert not (out / job.script).exists()
                continue
            decorated = DECORATOR.search((out / job.script).read_text()).group(2)
            assert job.config_name in (None, decorated)
            refused = try_compose(out / "config", decorated, job.overrides, resolve=True)
            assert (refused is not None) == bool(codes & HYDRA_REFUSES), (job, refused, codes)
            checked += 1
    assert checked == 19
    for main in sorted((out / "config").glob("cfg_run_*.yaml")):
        broken = any(e["path"] == f"config/{main.name}" for e in seeded)
        assert (try_compose(out / "config", main.stem, (), resolve=True) is not None) == broken, main
