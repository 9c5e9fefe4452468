"""Job-file parser: exact word ranges on every messy form jobs and shell scripts take."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainpath.parsing.jobs import JobLine, Word, is_job_file, load_jobs, parse_jobs
from trainpath.parsing.positions import Span

TXT = Path("jobs-etrm.txt")
SH = Path("scripts/run.sh")


def at(text: str, needle: str, nth: int = 0) -> Span:
    """The span of the ``nth`` occurrence of ``needle`` in ``text`` (an oracle independent of the lexer)."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    end = start + len(needle)
    line = text.count("\n", 0, start)
    col = start - (text.rfind("\n", 0, start) + 1)
    end_line = text.count("\n", 0, end)
    end_col = end - (text.rfind("\n", 0, end) + 1)
    return Span(line, col, end_line, end_col)


def texts(words: list[Word]) -> list[str]:
    return [w.text for w in words]


def one(text: str, path: Path = TXT) -> JobLine:
    jobs = parse_jobs(text, path).jobs
    assert len(jobs) == 1, jobs
    return jobs[0]


EXAMPLE = """\
# SF1: ETRM semi-final
[ ] torchrun --nproc-per-node 4 pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 arch.encoder_type=standard
[-] CUDA_VISIBLE_DEVICES=0,1 torchrun --nproc_per_node=2 --master_port 29501 pretrain.py \\
      arch=trm +run_name="trm baseline" arch.L_cycles=4 [12345]
[x] python pretrain_etrm.py -cn cfg_pretrain_etrm_arc_agi_1 'arch.halt_max_steps=8'
[!] OMP_NUM_THREADS=8 uv run python -m scripts.train --config-name=cfg +data_paths='[data/a,data/b]'
accelerate launch --num_processes 2 pretrain.py epochs=10
python pretrain.py --config-path config --config-dir ../shared/cfg hydra.run.dir=out ~arch.loss
echo "python pretrain.py arch=nope"     # NOT a job: only text
"""


def test_example_file_finds_six_jobs_and_skips_echo_and_comment() -> None:
    jobs = parse_jobs(EXAMPLE, TXT).jobs
    assert [j.span.line for j in jobs] == [1, 2, 4, 5, 6, 7]
    assert [j.marker for j in jobs] == ["[ ]", "[-]", "[x]", "[!]", None, None]
    assert [(j.script.text if j.script else None) for j in jobs] == [
        "pretrain_etrm.py", "pretrain.py", "pretrain_etrm.py", None, "pretrain.py", "pretrain.py",
    ]  # fmt: skip
    assert all(j.path == TXT and j.cwd is None for j in jobs)


def test_torchrun_line_with_marker() -> None:
    j = parse_jobs(EXAMPLE, TXT).jobs[0]
    assert j.marker_span == Span(1, 0, 1, 3)
    assert j.span == Span(1, 0, 1, 117)
    assert texts(j.launcher) == ["torchrun", "--nproc-per-node", "4"]
    assert j.launcher[0].span == Span(1, 4, 1, 12)
    assert j.script == Word("pretrain_etrm.py", "pretrain_etrm.py", Span(1, 32, 1, 48))
    assert j.config_name == Word("cfg_pretrain_etrm_arc_agi_1", "cfg_pretrain_etrm_arc_agi_1", Span(1, 63, 1, 90))
    (ov,) = j.overrides
    assert ov.word.span == Span(1, 91, 1, 117) and ov.error is None and not ov.dynamic
    assert ov.override is not None and ov.override.key == "arch.encoder_type" and ov.override.value == "standard"
    assert ov.override.key_span == Span(1, 91, 1, 108)
    assert ov.override.value_span == Span(1, 109, 1, 117)
    assert j.args == [] and j.env == [] and j.pid is None and j.module is None


def test_running_job_with_env_continuation_quotes_and_pid() -> None:
    j = parse_jobs(EXAMPLE, TXT).jobs[1]
    assert j.marker == "[-]" and j.pid == "12345"
    assert j.env == [Word("CUDA_VISIBLE_DEVICES=0,1", "CUDA_VISIBLE_DEVICES=0,1", Span(2, 4, 2, 28))]
    assert texts(j.launcher) == ["torchrun", "--nproc_per_node=2", "--master_port", "29501"]
    assert j.span == Span(2, 0, 3, 63)  # through the [PID] on the continuation line
    assert texts([o.word for o in j.overrides]) == ["arch=trm", "+run_name=trm baseline", "arch.L_cycles=4"]
    quoted = j.overrides[1]
    assert quoted.word.raw == '+run_name="trm baseline"'
    assert quoted.word.span == at(EXAMPLE, '+run_name="trm baseline"')
    assert quoted.override is not None and quoted.override.value == "trm baseline"
    assert quoted.override.key_span == at(EXAMPLE, "run_name")
    assert quoted.override.value_span == at(EXAMPLE, "trm baseline")  # inside the quotes
    assert j.overrides[0].override.span == Span(3, 6, 3, 14)  # type: ignore[union-attr]
    assert j.text == (
        "[-] CUDA_VISIBLE_DEVICES=0,1 torchrun --nproc_per_node=2 --master_port 29501 pretrain.py "
        'arch=trm +run_name="trm baseline" arch.L_cycles=4 [12345]'
    )


def test_short_config_name_and_single_quoted_override() -> None:
    j = parse_jobs(EXAMPLE, TXT).jobs[2]
    assert texts(j.launcher) == ["python"]
    assert j.config_name is not None and j.config_name.span == Span(4, 32, 4, 59)
    (ov,) = j.overrides
    assert ov.word.raw == "'arch.halt_max_steps=8'" and ov.word.span == Span(4, 60, 4, 83)
    assert ov.override is not None and ov.override.value == 8
    assert ov.override.key_span == Span(4, 61, 4, 80) and ov.override.value_span == Span(4, 81, 4, 82)


def test_uv_run_module_and_config_name_equals() -> None:
    j = parse_jobs(EXAMPLE, TXT).jobs[3]
    assert texts(j.env) == ["OMP_NUM_THREADS=8"]
    assert texts(j.launcher) == ["uv", "run", "python", "-m"]
    assert j.script is None and j.module == Word("scripts.train", "scripts.train", Span(5, 39, 5, 52))
    assert j.config_name == Word("cfg", "cfg", Span(5, 67, 5, 70))  # just the value after '='
    (ov,) = j.overrides
    assert ov.word.text == "+data_paths=[data/a,data/b]"
    assert ov.override is not None and ov.override.value == ["data/a", "data/b"] and ov.override.type == "add"


def test_accelerate_and_config_path_dir_and_delete_override() -> None:
    acc, plain = parse_jobs(EXAMPLE, TXT).jobs[4:6]
    assert texts(acc.launcher) == ["accelerate", "launch", "--num_processes", "2"]
    assert texts([o.word for o in acc.overrides]) == ["epochs=10"]
    assert plain.config_path == Word("config", "config", Span(7, 33, 7, 39))
    assert plain.config_dir == Word("../shared/cfg", "../shared/cfg", Span(7, 53, 7, 66))
    assert [o.override.type for o in plain.overrides] == ["change", "delete"]  # type: ignore[union-attr]
    assert plain.config_name is None


@pytest.mark.parametrize(
    ("line", "marker"),
    [("[] python t.py", "[ ]"), ("[X] python t.py", "[x]"), ("  [x]\tpython t.py", "[x]"), ("python t.py", None)],
)
def test_marker_forms(line: str, marker: str | None) -> None:
    j = one(line)
    assert j.marker == marker
    if marker:
        assert j.marker_span == at(line, line.strip().split()[0]) and j.span.col == j.marker_span.col
    assert j.script is not None and j.script.span == at(line, "t.py")


def test_three_line_continuation_with_tabs_keeps_each_word_position() -> None:
    text = "python \\\n\tpretrain.py \\\n\t\t--config-name=c  a=1 \\\n   b=2"
    j = one(text)
    assert j.script is not None and j.script.span == Span(1, 1, 1, 12)
    assert j.config_name == Word("c", "c", Span(2, 16, 2, 17))
    assert [o.word.span for o in j.overrides] == [Span(2, 19, 2, 22), Span(3, 3, 3, 6)]
    assert j.span == Span(0, 0, 3, 6)
    assert j.text == "python pretrain.py --config-name=c  a=1 b=2"


def test_quoted_config_name_after_equals_keeps_quotes_in_raw() -> None:
    line = 'python t.py --config-name="my cfg" -cp=conf'
    j = one(line)
    assert j.config_name == Word("my cfg", '"my cfg"', at(line, '"my cfg"'))
    assert j.config_path == Word("conf", "conf", at(line, "conf", 1))


def test_unterminated_quote_takes_rest_of_line_and_carries_on() -> None:
    text = "python a.py x=1 \"y=2 z=3\npython b.py w='q\n"
    a, b = parse_jobs(text, TXT).jobs
    assert [o.word.raw for o in a.overrides] == ["x=1", '"y=2 z=3']
    assert a.overrides[1].word.text == "y=2 z=3" and a.overrides[1].word.span == Span(0, 16, 0, 24)
    assert b.script is not None and b.script.text == "b.py"
    assert b.overrides[0].word.text == "w=q"


def test_trailing_comment_and_hash_inside_word() -> None:
    line = "python t.py a=x#y b=2   # a note: c=3"
    j = one(line)
    assert texts([o.word for o in j.overrides]) == ["a=x#y", "b=2"]
    assert j.span == at(line, "python t.py a=x#y b=2")


def test_pid_only_as_last_word() -> None:
    j = one("[-] python t.py [777] a=1")
    assert j.pid is None
    assert texts([o.word for o in j.overrides]) == ["[777]", "a=1"]
    assert j.overrides[0].override is None and j.overrides[0].error  # the grammar refuses it


def test_override_grammar_error_is_reported_not_raised() -> None:
    j = one("python t.py install a=1")
    bad, good = j.overrides
    assert bad.override is None and isinstance(bad.error, str) and bad.error
    assert good.override is not None and good.error is None


def test_dynamic_words_are_flagged_not_parsed() -> None:
    line = 'python t.py lr=$LR "name=${RUN}" $EXTRA "${ARGS[@]}" a=1'
    j = one(line, SH)
    lr, name, a = j.overrides
    assert (lr.dynamic, lr.override, lr.error) == (True, None, None) and lr.word.dynamic
    assert name.dynamic and name.word.text == "name=${RUN}"
    assert not a.dynamic and a.override is not None
    assert texts(j.args) == ["$EXTRA", "${ARGS[@]}"]


def test_hydra_flags_and_unknown_options_go_to_args() -> None:
    j = one("python t.py -m --cfg job --info defaults --seed 3 --resolve a=1 --foo=1")
    assert texts(j.args) == ["-m", "--cfg", "job", "--info", "defaults", "--seed", "3", "--resolve", "--foo=1"]
    assert texts([o.word for o in j.overrides]) == ["a=1"]


@pytest.mark.parametrize(
    ("line", "launcher", "script", "module"),
    [
        ("python3.11 -u -W ignore t.py", ["python3.11", "-u", "-W", "ignore"], "t.py", None),
        (".venv/bin/python scripts/train.py", [".venv/bin/python"], "scripts/train.py", None),
        ("python -um pkg.train", ["python", "-um"], None, "pkg.train"),
        ("python -m torch.distributed.run --nproc_per_node 2 t.py",
         ["python", "-m", "torch.distributed.run", "--nproc_per_node", "2"], "t.py", None),
        ("torchrun --standalone --nnodes=1 -m pkg.train", ["torchrun", "--standalone", "--nnodes=1", "-m"], None,
         "pkg.train"),
        ("deepspeed --num_gpus 2 --no_local_rank t.py", ["deepspeed", "--num_gpus", "2", "--no_local_rank"], "t.py",
         None),
        ("uv run --with rich --frozen python t.py", ["uv", "run", "--with", "rich", "--frozen", "python"], "t.py",
         None),
        ("uv run --python python3.11 t.py", ["uv", "run", "--python", "python3.11"], "t.py", None),
        ("uv run -m pkg.train", ["uv", "run", "-m"], None, "pkg.train"),
        ("uv run torchrun --nproc-per-node 2 t.py", ["uv", "run", "torchrun", "--nproc-per-node", "2"], "t.py", None),
        ("conda run -n env --no-capture-output python t.py",
         ["conda", "run", "-n", "env", "--no-capture-output", "python"], "t.py", None),
        ("nohup time env -u X A=1 nice -n 5 python t.py", ["python"], "t.py", None),
        ("srun --gres=gpu:1 -n 2 torchrun t.py", ["torchrun"], "t.py", None),
        ("./train.py", [], "./train.py", None),
    ],
)  # fmt: skip
def test_launchers(line: str, launcher: list[str], script: str | None, module: str | None) -> None:
    j = one(line)
    assert texts(j.launcher) == launcher
    assert (j.script.text if j.script else None) == script
    assert (j.module.text if j.module else None) == module
    for w in j.launcher + [x for x in (j.script, j.module) if x]:
        assert w.span == at(line, w.raw, line[: w.span.col].count(w.raw))


def test_env_wrapper_assignments_count_as_env() -> None:
    j = one("A=1 env B=2 python t.py")
    assert texts(j.env) == ["A=1", "B=2"]
    assert j.span.col == 0


@pytest.mark.parametrize(
    "line",
    [
        'echo "python pretrain.py arch=nope"',
        "python -c 'import train'",
        "python - < t.py",
        "python --version",
        "python -m pip install -e .",
        "python setup.py develop",
        "uv run pytest tests",
        "accelerate config",
        "torchrun --no-python bash x.sh",
        "bash train.sh",
        "cat jobs.txt | grep python",
        "git commit -m 'python t.py'",
        "$PYTHON t.py",
        "python $SCRIPT a=1",
        "export CMD='python t.py'",
        "CMD=(python t.py a=1)",
        "# python t.py",
    ],
)
def test_not_jobs(line: str) -> None:
    assert parse_jobs(line + "\n", SH).jobs == []


SCRIPT = """\
#!/bin/bash
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python at_start.py
cd "$SCRIPT_DIR/.."
for enc in standard hybrid_standard; do
    nohup torchrun --nproc-per-node 4 pretrain_etrm.py arch.encoder_type=$enc > "logs/$enc.log" 2>&1 &
done
if [ -d out ]; then
\tpython3 -u pretrain.py \\
\t    arch=trm \\
\t    epochs=5
fi
cat <<-'EOT'
\tpython heredoc.py arch=fake
\tEOT
(cd sub && python in_sub.py a=1)
python after_sub.py
ROOT="$(dirname "$(readlink -f "$0")")/.."
cd $ROOT/models && python in_models.py
cd $UNKNOWN
python unknown.py
"""


def test_shell_script_jobs_cwd_and_spans() -> None:
    jobs = parse_jobs(SCRIPT, SH).jobs
    names = [j.script.text for j in jobs if j.script]
    assert names == ["at_start.py", "pretrain_etrm.py", "pretrain.py", "in_sub.py", "after_sub.py",
                     "in_models.py", "unknown.py"]  # fmt: skip
    assert [j.cwd for j in jobs] == [None, "..", "..", "../sub", "..", "../models", None]
    nohup = jobs[1]
    assert nohup.span == at(SCRIPT, 'nohup torchrun --nproc-per-node 4 pretrain_etrm.py arch.encoder_type=$enc > '
                                    '"logs/$enc.log" 2>&1')  # fmt: skip
    assert len(nohup.overrides) == 1 and nohup.args == []  # the redirections are not arguments
    assert nohup.overrides[0].dynamic and nohup.overrides[0].word.text == "arch.encoder_type=$enc"
    cont = jobs[2]
    assert cont.span == Span(9, 1, 11, 13)
    assert [o.word.span for o in cont.overrides] == [Span(10, 5, 10, 13), Span(11, 5, 11, 13)]
    assert jobs[3].span == at(SCRIPT, "python in_sub.py a=1")


@pytest.mark.parametrize(
    ("setup", "cwd"),
    [
        ("cd ..", ".."),
        ('cd "$(dirname "$0")"', None),
        ('cd "$(dirname "$0")/.."', ".."),
        ('DIR="$( cd -- "$( dirname -- "${BASH_SOURCE[0]}" )" &> /dev/null && pwd )"\ncd "$DIR"/../..', "../.."),
        ("HERE=$(dirname $(realpath $0))\nexport TOP=$HERE/..\ncd ${TOP}/x", "../x"),
        ("cd /abs/path", None),
        ("cd ~/proj", None),
        ("cd a\ncd -", None),
        ("pushd a/b\npopd", None),
        ("pushd a/b >/dev/null", "a/b"),
    ],
)
def test_cd_forms(setup: str, cwd: str | None) -> None:
    text = setup + "\npython t.py\n"
    assert one(text, SH).cwd == cwd


def test_job_txt_lines_do_not_inherit_cd() -> None:
    jobs = parse_jobs("[ ] cd exp && python a.py\n[ ] python b.py\n", TXT).jobs
    assert [(j.script.text, j.cwd, j.marker) for j in jobs] == [("a.py", "exp", "[ ]"), ("b.py", None, "[ ]")]
    assert jobs[0].span == Span(0, 0, 0, 25)  # from the marker


def test_multiline_double_quote_is_one_word_in_shell_scripts() -> None:
    text = 'python t.py "+note=two\nlines" a=1\npython u.py\n'
    a, b = parse_jobs(text, SH).jobs
    assert a.overrides[0].word.text == "+note=two\nlines" and a.overrides[0].word.span == Span(0, 12, 1, 6)
    assert a.overrides[1].word.span == Span(1, 7, 1, 10)
    assert b.script is not None and b.script.span == Span(2, 7, 2, 11)


def test_heredoc_function_and_single_quoted_dollar() -> None:
    text = "cat > x.py <<EOF\npython fake.py\nEOF\ntrain() { cd sub; python f.py 'a=$x'; }\ncd ..\npython g.py\n"
    f, g = parse_jobs(text, SH).jobs
    assert (f.script.text, f.cwd, g.script.text, g.cwd) == ("f.py", "sub", "g.py", "..")  # type: ignore[union-attr]
    (ov,) = f.overrides
    assert not ov.dynamic and ov.override is not None and ov.override.value == "$x"


def test_operators_split_commands() -> None:
    text = "python a.py x=1; python b.py|tee log && python c.py y=2 || echo fail &"
    jobs = parse_jobs(text, SH).jobs
    assert [j.script.text for j in jobs if j.script] == ["a.py", "b.py", "c.py"]
    assert [j.span for j in jobs] == [at(text, "python a.py x=1"), at(text, "python b.py"), at(text, "python c.py y=2")]


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("jobs.txt", True), ("jobs-etrm-semi-final.txt", True), ("exp/jobs_a.txt", True), ("run.sh", True),
        ("scripts/slurm/run.sh", True), ("notes.txt", False), ("jobs.txt.bak", False), ("myjobs.txt", False),
        ("./jobs.txt", True), ("scripts\\run.sh", True),
    ],
)  # fmt: skip
def test_is_job_file_default_globs(rel: str, expected: bool) -> None:
    assert is_job_file(rel) is expected


def test_is_job_file_custom_globs() -> None:
    assert is_job_file("queue/a.jobs", ["queue/*.jobs"])
    assert not is_job_file("other/queue/a.jobs", ["queue/*.jobs"])
    assert is_job_file("x/y/a.jobs", ["**/*.jobs"]) and is_job_file("a.jobs", ["**/*.jobs"])
    assert is_job_file("run1.sh", ["run[0-9].sh"]) and not is_job_file("runx.sh", ["run[!x].sh"])


def test_load_jobs_caches_by_content_and_reports_unreadable(tmp_path: Path) -> None:
    f = tmp_path / "jobs.txt"
    f.write_text("[ ] python a.py\r\n")
    first = load_jobs(f)
    assert [j.script.text for j in first.jobs if j.script] == ["a.py"] and first.findings == []
    assert load_jobs(f) is first
    f.write_text("[ ] python b.py\n")
    assert [j.script.text for j in load_jobs(f).jobs if j.script] == ["b.py"]
    bad = tmp_path / "jobs2.txt"
    bad.write_bytes(b"python \x00 a.py")
    result = load_jobs(bad)
    assert result.jobs == [] and [x.code for x in result.findings] == ["unreadable-file"]
    missing = load_jobs(tmp_path / "nope.sh")
    assert missing.jobs == [] and [x.code for x in missing.findings] == ["unreadable-file"]


SHELLISH = st.text(alphabet=list("pythonrc. =-+~$(){}[]'\"\\\n\t#;&|<>x123/`"), max_size=80)


@settings(max_examples=300, deadline=None)
@given(SHELLISH, st.sampled_from([TXT, SH]))
def test_never_raises_and_word_spans_match_raw(body: str, path: Path) -> None:
    text = "python t.py " + body
    lines = text.split("\n")
    for job in parse_jobs(text, path).jobs:
        words = job.env + job.launcher + job.args + [o.word for o in job.overrides]
        words += [w for w in (job.script, job.module, job.config_name, job.config_path, job.config_dir) if w]
        for w in words:
            s = w.span
            if s.line == s.end_line:
                assert lines[s.line][s.col : s.end_col] == w.raw
            assert (s.line, s.col) <= (s.end_line, s.end_col)


CMD_VARS = """\
#!/bin/bash
cd "$(dirname "$0")/.."
CMD="torchrun --nproc-per-node 4 pretrain.py --config-name cfg_a arch.L_cycles=4"
echo "running $CMD"
$CMD 2>&1 | tee log.txt
$CMD
QUOTED="python pretrain.py +run_name='a b'"
$QUOTED
eval "$QUOTED"
GROWN="python pretrain.py"
GROWN="$GROWN arch=grown"
$GROWN
APP="python pretrain.py"
APP+=" arch=appended"
${APP}
EXTRA="python pretrain.py"
$EXTRA arch=extra
GONE="python pretrain.py arch=gone"
unset GONE
$GONE
NOTAJOB="pip install -e ."
$NOTAJOB
"""


def test_a_command_kept_in_a_variable_is_a_job_at_its_value_once() -> None:
    jobs = parse_jobs(CMD_VARS, SH).jobs
    assert [(j.span, j.script.text, j.script.span, j.cwd) for j in jobs] == [
        (at(CMD_VARS, "torchrun --nproc-per-node 4 pretrain.py --config-name cfg_a arch.L_cycles=4"), "pretrain.py",
         at(CMD_VARS, "pretrain.py"), ".."),
        (at(CMD_VARS, "python pretrain.py +run_name='a b'"), "pretrain.py", at(CMD_VARS, "pretrain.py", 1), ".."),
    ]
    first, quoted = jobs
    assert (first.config_name.text, first.config_name.span) == ("cfg_a", at(CMD_VARS, "cfg_a"))
    assert [(o.word.text, o.word.span) for o in first.overrides] == [("arch.L_cycles=4", at(CMD_VARS, "arch.L_cycles=4"))]
    assert first.text == "torchrun --nproc-per-node 4 pretrain.py --config-name cfg_a arch.L_cycles=4"
    assert [(o.word.text, o.word.span) for o in quoted.overrides] == [("+run_name=a b", at(CMD_VARS, "+run_name='a b'"))]


def test_command_variables_are_shell_only() -> None:
    assert parse_jobs('CMD="python pretrain.py"\n$CMD\n', TXT).jobs == []
