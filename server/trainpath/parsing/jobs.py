"""Job files: the command lines that launch training, with exact positions.

A job file is a job-queue text file (``jobs*.txt``: one command per line, an
optional ``[ ]``/``[-]``/``[x]``/``[!]`` marker in front and a ``[PID]`` at
the end of a running job) or a shell script (``*.sh``).  :func:`parse_jobs`
finds every command whose program is a Python training script or module and
splits it into environment prefixes, launcher, script, Hydra's own options
(``--config-name`` ...) and overrides, each a :class:`Word` with its exact
range in the file.

Tokenising is done by a small shell-word lexer (``shlex`` loses positions):
quotes, ``\\``-newline continuations, comments, heredocs, ``$(...)``,
redirections and the operators ``; & && || | ( )`` are understood.  Text in
quotes, comments or heredocs, and arguments of other programs (``echo "python
x.py"``) are never jobs.  An unterminated quote makes the rest of its line one
word.  Nothing is executed; ``$VAR`` is kept literally.

Programs recognised as launchers (conservative on purpose):

* ``python``, ``python3``, ``python3.11``, any path ending in one of those
  (``.venv/bin/python``), with ``-m module`` (``-c`` and ``-`` are not jobs;
  ``python -m torch.distributed.run`` behaves like ``torchrun``);
* ``torchrun``, ``deepspeed``, ``accelerate launch``;
* ``uv run``, ``conda run``/``mamba run``/``micromamba run``, ``poetry run``,
  ``pipenv run``, ``pixi run`` followed by one of the above or by a ``*.py``;
* a word ending in ``.py`` used as the program (``./train.py``).

Wrappers skipped in front of the launcher: ``nohup``, ``time``, ``exec``,
``command``, ``env`` (its ``NAME=value`` words count as env), and ``nice``,
``ionice``, ``taskset``, ``numactl``, ``srun``, ``timeout``, ``stdbuf``,
``setsid``, ``sudo``, ``xvfb-run``, ``caffeinate`` (their own options are
skipped up to the first launcher word).  ``cd``/``pushd``/``popd`` and
variables holding the script's own folder (``SCRIPT_DIR=$(cd "$(dirname
"$0")" && pwd)``) are followed to give each job its working folder.

In shell scripts, a command kept in a variable and run later is a job too,
at the variable's value: ``CMD="torchrun ... pretrain.py arch=trm"`` then a
command that is exactly ``$CMD``, ``${CMD}`` or ``eval [\"]$CMD[\"]`` (nothing
after it).  Its working folder is the one where it runs.  A value built up
step by step (``CMD="$CMD x=1"``, ``CMD+=...``), a run with extra words
after the variable, and a plain ``$CMD`` whose value holds quotes (word
splitting would not remove them) are not followed: unsure, so not judged.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from trainpath.findings import Finding
from trainpath.parsing.positions import Span
from trainpath.parsing.shellwords import REDIRECT_RE, Lexer, Tok, expand, resolve_dir
from trainpath.parsing.sources import read_source

if TYPE_CHECKING:  # pragma: no cover
    from trainpath.parsing.overrides import Override

DEFAULT_JOB_GLOBS: tuple[str, ...] = ("jobs*.txt", "**/jobs*.txt", "*.sh", "**/*.sh")

__all__ = [
    "DEFAULT_JOB_GLOBS",
    "JobFile",
    "JobLine",
    "JobOverride",
    "Word",
    "is_job_file",
    "load_jobs",
    "parse_jobs",
]


@dataclass(frozen=True)
class Word:
    text: str  # the shell word after unquoting ('$VAR' kept literally, unexpanded)
    raw: str  # as written in the file
    span: Span  # exact range of the raw word in the file
    #: the word holds a shell expansion ($VAR, ${...}, $(...), backquotes): its
    #: text is not what the program receives
    dynamic: bool = False


@dataclass(frozen=True)
class JobOverride:
    word: Word
    override: "Override | None"  # None when the grammar refuses it or the word holds shell expansions
    error: str | None  # OverrideError message when Hydra's grammar refuses it
    #: the word holds a shell expansion (``lr=$LR``, ``$(...)``): its value is
    #: unknown statically, so it is not parsed (override and error are None)
    dynamic: bool = False


@dataclass
class JobLine:
    path: Path
    span: Span
    marker: str | None
    marker_span: Span | None
    pid: str | None
    env: list[Word]
    launcher: list[Word]
    script: Word | None
    module: Word | None
    config_name: Word | None
    config_path: Word | None
    config_dir: Word | None
    overrides: list[JobOverride]
    args: list[Word]
    cwd: str | None
    text: str


@dataclass
class JobFile:
    path: Path
    jobs: list[JobLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


# --------------------------------------------------------------------------- launchers

_PYTHON_RE = re.compile(r"python(?:\d+(?:\.\d+)?)?")
_RESERVED = frozenset({"!", "{", "}", "then", "do", "else", "elif", "if", "while", "until", "fi", "done", "esac"})
_SKIP_COMMANDS = frozenset({"for", "select", "case", "function", "[[", "[", "test", "echo", "printf"})
_SIMPLE_WRAPPERS = frozenset({"nohup", "exec", "command", "time"})
_SEARCH_WRAPPERS = frozenset(
    {"nice", "ionice", "taskset", "numactl", "srun", "timeout", "stdbuf", "setsid", "sudo", "xvfb-run", "caffeinate"}
)
_RUNNERS = {"uv": "run", "conda": "run", "mamba": "run", "micromamba": "run", "poetry": "run",
            "pipenv": "run", "pixi": "run", "accelerate": "launch"}  # fmt: skip
#: options that take a value, per launcher (anything else starting with '-' is a flag)
_VALUE_OPTS = {
    "uv": frozenset({"--with", "--with-editable", "--with-requirements", "--python", "-p", "--project",
                     "--directory", "--extra", "--group", "--only-group", "--no-group", "--env-file",
                     "--index", "--index-url", "--default-index", "--extra-index-url", "--package",
                     "--config-file", "--cache-dir", "--color", "--no-extra", "--no-binary-package"}),
    "conda": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
    "pixi": frozenset({"-e", "--environment", "--manifest-path"}),
}  # fmt: skip
#: flags of launchers whose unknown options are assumed to take a value
_FLAGS = {
    "torchrun": frozenset({"--standalone", "--run-path", "--run_path", "--no-python", "--no_python",
                           "-m", "--module"}),
    "accelerate": frozenset({"--cpu", "--multi_gpu", "--multi-gpu", "--tpu", "--ipex", "--use_deepspeed",
                             "--use_fsdp", "--use_megatron_lm", "--use_xpu", "-m", "--module", "--no_python",
                             "--debug", "-q", "--quiet", "--same_network", "--enable_cpu_affinity",
                             "--dynamo_use_fullgraph", "--dynamo_use_dynamic", "--downcast_bf16",
                             "--tpu_use_cluster", "--tpu_use_sudo", "-h", "--help"}),
    "deepspeed": frozenset({"--no_python", "--module", "--no_local_rank", "--force_multi", "--save_pid",
                            "--bind_cores_to_rank", "--no_ssh", "--no_ssh_check", "--elastic_training"}),
}  # fmt: skip
_NOT_TRAINING_MODULES = frozenset(
    {"pip", "pytest", "venv", "ensurepip", "http.server", "json.tool", "unittest", "black", "ruff", "mypy",
     "isort", "flake8", "pylint", "coverage", "ipykernel", "jupyter", "notebook", "build", "twine", "cProfile",
     "pdb", "timeit", "site", "torch.utils.collect_env", "wandb", "tensorboard", "huggingface_hub"}
)  # fmt: skip
_TORCHRUN_MODULES = frozenset({"torch.distributed.run", "torch.distributed.launch"})
_HYDRA_FLAGS = frozenset({"--multirun", "-m", "--run", "-r", "--resolve", "--help", "-h", "--hydra-help",
                          "--version", "--shell-completion", "-sc"})  # fmt: skip
_HYDRA_VALUE_OPTS = frozenset({"--cfg", "-c", "--package", "-p", "--experimental-rerun"})
_HYDRA_INFO_CHOICES = frozenset({"all", "config", "defaults", "defaults-tree", "plugins", "searchpath"})
_CONFIG_OPTS = {"--config-name": "config_name", "-cn": "config_name", "--config-path": "config_path",
                "-cp": "config_path", "--config-dir": "config_dir", "-cd": "config_dir"}  # fmt: skip
_ASSIGN_RE = re.compile(r"[A-Za-z_]\w*=")
_APPEND_RE = re.compile(r"([A-Za-z_]\w*)\+=")
_VAR_RE = re.compile(r"\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})")
_PID_RE = re.compile(r"\[(\d+)\]")


def _base(t: Tok) -> str:
    return t.text.rsplit("/", 1)[-1]


def _is_python(t: Tok) -> bool:
    return not t.dynamic and bool(_PYTHON_RE.fullmatch(_base(t)))


def _starts_launcher(words: list[Tok], k: int) -> bool:
    t = words[k]
    b = _base(t)
    if t.dynamic:
        return False
    if _is_python(t) or b in ("torchrun", "deepspeed") or (b.endswith(".py") and b != ".py"):
        return True
    return b in _RUNNERS and k + 1 < len(words) and words[k + 1].text == _RUNNERS[b]


@dataclass
class _Launch:
    launcher: list[Tok]
    script: Tok | None = None
    module: Tok | None = None
    rest: int = 0  # index of the first script argument


def _launch(words: list[Tok], k: int) -> _Launch | None:
    """Parse the launcher starting at ``words[k]``; None when this is no Python job."""
    t = words[k]
    b = _base(t)
    n = len(words)
    if _is_python(t):
        j = k + 1
        while j < n:
            x = words[j].text
            if x in ("-W", "-X", "--check-hash-based-pycs"):
                j += 2
                continue
            if re.fullmatch(r"-[bBdEhiIOPqsSuvRx]*m", x):
                if j + 1 >= n or words[j + 1].dynamic or words[j + 1].text in _NOT_TRAINING_MODULES:
                    return None
                mod = words[j + 1]
                if mod.text in _TORCHRUN_MODULES:
                    return _torchrun(words, k, j + 2)
                return _Launch(words[k : j + 1], module=mod, rest=j + 2)
            if x == "-" or re.fullmatch(r"-[bBdEhiIOPqsSuvRx]*c.*", x) or x.startswith("--") and x != "--":
                return None
            if x.startswith("-"):
                j += 1
                continue
            break
        if j >= n or words[j].dynamic or _base(words[j]) == "setup.py":
            return None
        return _Launch(words[k:j], script=words[j], rest=j + 1)
    if b == "torchrun":
        return _torchrun(words, k, k + 1)
    if b == "deepspeed":
        return _generic(words, k, k + 1, "deepspeed")
    if b in _RUNNERS and k + 1 < n and words[k + 1].text == _RUNNERS[b]:
        if b == "accelerate":
            return _generic(words, k, k + 2, "accelerate")
        values = _VALUE_OPTS.get(b, _VALUE_OPTS["conda"] if b in ("mamba", "micromamba") else frozenset())
        j = k + 2
        while j < n and words[j].text.startswith("-") and words[j].text not in ("-m", "--module"):
            x = words[j].text
            j += 2 if ("=" not in x and x in values) else 1
        if j >= n:
            return None
        if words[j].text in ("-m", "--module") and b == "uv":
            if j + 1 >= n or words[j + 1].dynamic:
                return None
            return _Launch(words[k : j + 1], module=words[j + 1], rest=j + 2)
        if not _starts_launcher(words, j):
            return None
        inner = _launch(words, j)
        if inner is None:
            return None
        inner.launcher = words[k:j] + inner.launcher
        return inner
    if b.endswith(".py") and b != ".py" and not t.dynamic:
        return _Launch([], script=t, rest=k + 1)
    return None


def _torchrun(words: list[Tok], k: int, j: int) -> _Launch | None:
    return _generic(words, k, j, "torchrun")


def _generic(words: list[Tok], k: int, j: int, kind: str) -> _Launch | None:
    """torchrun / deepspeed / accelerate launch: options, then the script (or ``-m`` module)."""
    flags = _FLAGS[kind]
    module = False
    n = len(words)
    while j < n and words[j].text.startswith("-"):
        x = words[j].text
        if x in ("--no-python", "--no_python"):
            return None
        if x in ("-m", "--module"):
            module = True
            j += 1
        elif "=" in x or x in flags:
            j += 1
        else:  # an option taking a value, unless the next word looks like the script
            nxt = words[j + 1].text if j + 1 < n else ""
            j += 1 if (nxt.startswith("-") or nxt.endswith(".py")) else 2
    if j >= n or words[j].dynamic:
        return None
    if module:
        if words[j].text in _NOT_TRAINING_MODULES:
            return None
        return _Launch(words[k:j], module=words[j], rest=j + 1)
    return _Launch(words[k:j], script=words[j], rest=j + 1)


# --------------------------------------------------------------------------- commands -> jobs


class _Builder:
    """Walk the tokens command by command, following cd/variables and collecting jobs."""

    def __init__(self, text: str, path: Path, shell: bool) -> None:
        self.s = text
        self.path = path
        self.shell = shell
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.vars: dict[str, str] = {}
        self.cwd: str | None = "."
        self.stack: list[str | None] = []  # cwd saved by '('
        self.dirstack: list[str | None] = []  # pushd
        self.marker: Tok | None = None
        self.jobs: list[JobLine] = []
        self.braces: list[tuple[bool, str | None]] = []  # '{' seen: (function body, cwd to restore)
        self.pending_function = False  # 'name()' or 'function name' was just seen
        self.prev: Tok | None = None
        #: variables holding a launch command: name -> (its words, at their places in the file; value has quotes)
        self.commands: dict[str, tuple[list[Tok], bool]] = {}
        self.ran: set[str] = set()  # command variables already turned into a job

    # positions
    def pos(self, off: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, off) - 1
        return line, off - self.line_starts[line]

    def span(self, a: int, b: int) -> Span:
        return Span(*self.pos(a), *self.pos(b))

    def word(self, t: Tok) -> Word:
        return Word(t.text, self.s[t.start : t.end], self.span(t.start, t.end), t.dynamic)

    def subword(self, t: Tok, k: int) -> Word:
        """The part of ``t`` from text index ``k`` (just after an '='), raw to the word's end."""
        start = t.origins[k - 1] + 1 if 0 < k <= len(t.origins) else t.end
        return Word(t.text[k:], self.s[start : t.end], self.span(start, t.end), t.dynamic)

    # driving
    def run(self, toks: list[Tok]) -> list[JobLine]:
        cur: list[Tok] = []
        for tok in toks:
            prev, self.prev = self.prev, tok
            if tok.kind == "marker":
                self.marker = tok
                continue
            if tok.kind == "word" or (tok.kind == "op" and REDIRECT_RE.fullmatch(tok.text)):
                cur.append(tok)
                continue
            self.command(cur)
            cur = []
            if tok.kind == "nl":
                self.marker = None
                if not self.shell:
                    self.cwd, self.stack, self.dirstack, self.vars, self.braces = ".", [], [], {}, []
            elif tok.text == "(":
                self.stack.append(self.cwd)
            elif tok.text == ")" and self.stack:
                self.cwd = self.stack.pop()
                self.pending_function = prev is not None and prev.text == "("
        self.command(cur)
        return self.jobs

    def command(self, cur: list[Tok]) -> None:
        if not cur:
            return
        words: list[Tok] = []
        k = 0
        while k < len(cur):
            if cur[k].kind == "op":
                k += 2 if k + 1 < len(cur) and cur[k + 1].kind == "word" else 1
                continue
            words.append(cur[k])
            k += 1
        while words and words[0].text in _RESERVED and not words[0].dynamic:
            self.brace(words.pop(0).text)
        if words and words[0].text == "function":
            self.pending_function = True
            if words[-1].text == "{":
                self.brace("{")
            return
        self.pending_function = False
        if not words or words[0].text in ("for", "select", "case"):
            return
        first = words[0].text
        append = _APPEND_RE.match(first)
        if append:
            self.commands.pop(append.group(1), None)
        if first in ("unset", "read"):
            for w in words[1:]:
                self.commands.pop(w.text, None)
        if self.shell and self.run_variable(words):
            return
        if all(_ASSIGN_RE.match(w.text) for w in words):
            self.assign(words)
        elif first in ("export", "declare", "local", "readonly", "typeset"):
            self.assign([w for w in words[1:] if _ASSIGN_RE.match(w.text)])
        elif first in ("cd", "pushd"):
            args = [w for w in words[1:] if not (w.text.startswith("-") and w.text != "-")]
            target = expand(args[0].text, self.vars) if args else None
            if first == "pushd":
                self.dirstack.append(self.cwd)
            self.cwd = resolve_dir(target, self.cwd)
        elif first == "popd":
            self.cwd = self.dirstack.pop() if self.dirstack else None
        else:
            self.job(words, cur[-1].end)

    def brace(self, word: str) -> None:
        """Track ``{ ... }``: a function body's ``cd`` does not change the folder of what follows."""
        if word == "{":
            self.braces.append((self.pending_function, self.cwd))
            self.pending_function = False
        elif word == "}" and self.braces:
            function, cwd = self.braces.pop()
            if function:
                self.cwd = cwd

    def assign(self, words: list[Tok]) -> None:
        for w in words:
            name, _, value = w.text.partition("=")
            expanded = expand(value, self.vars)
            if expanded is None:
                self.vars.pop(name, None)
            else:
                self.vars[name] = expanded
            self.commands.pop(name, None)
            if self.shell:
                inner = self.command_words(w, len(name) + 1)
                if inner:
                    self.commands[name] = (inner, any(c in value for c in "'\"\\"))

    def command_words(self, w: Tok, k: int) -> list[Tok] | None:
        """The words of ``w``'s text from index ``k`` when they launch a Python job, at their file offsets."""
        value = w.text[k:]
        if not value.strip() or len(w.origins) != len(w.text):
            return None
        toks = Lexer(value, multiline_quotes=True).run()
        if any(t.kind != "word" for t in toks):
            return None  # operators, several commands: not one job
        origins = w.origins
        out = [Tok("word", origins[k + t.start], origins[k + t.end - 1] + 1, t.text,
                   tuple(origins[k + o] for o in t.origins), t.dynamic) for t in toks]
        j = 0
        while j < len(out) and _ASSIGN_RE.match(out[j].text):
            j += 1
        return out if j < len(out) and _starts_launcher(out, j) and _launch(out, j) is not None else None

    def run_variable(self, words: list[Tok]) -> bool:
        """``$CMD`` / ``${CMD}`` / ``eval $CMD`` alone: the job kept in ``CMD``, once (True when handled)."""
        evaluated = words[0].text == "eval" and not words[0].dynamic
        rest = words[1:] if evaluated else words
        if len(rest) != 1:
            return False
        m = _VAR_RE.fullmatch(rest[0].text)
        if m is None or not rest[0].dynamic:
            return False
        name = m.group(1) or m.group(2)
        held = self.commands.get(name)
        if held is None:
            return False
        inner, quoted = held
        if name not in self.ran and (evaluated or not quoted):
            self.ran.add(name)
            self.marker = None
            self.job(list(inner), inner[-1].end)
        return True

    def job(self, words: list[Tok], end: int) -> None:
        n = len(words)
        k = 0
        env: list[Tok] = []
        while k < n and _ASSIGN_RE.match(words[k].text):
            env.append(words[k])
            k += 1
        while k < n:
            b = words[k].text
            if b in _SIMPLE_WRAPPERS:
                k += 2 if b == "time" and k + 1 < n and words[k + 1].text == "-p" else 1
            elif b == "env":
                k += 1
                while k < n and words[k].text.startswith("-"):
                    k += 2 if words[k].text in ("-u", "--unset", "-C", "--chdir", "-S") else 1
                while k < n and _ASSIGN_RE.match(words[k].text):
                    env.append(words[k])
                    k += 1
            elif b in _SEARCH_WRAPPERS:
                k = next((j for j in range(k + 1, n) if _starts_launcher(words, j)), n)
            else:
                break
        if k >= n or not _starts_launcher(words, k):
            return
        launch = _launch(words, k)
        if launch is None:
            return
        rest = words[launch.rest :]
        pid = None
        if rest and not rest[-1].dynamic and _PID_RE.fullmatch(rest[-1].text):
            pid = _PID_RE.fullmatch(rest[-1].text).group(1)  # type: ignore[union-attr]
            rest = rest[:-1]
        marker = self.marker
        self.marker = None  # a marker belongs to the first job of its line
        start = marker.start if marker else words[0].start
        text = re.sub(r"[ \t]*\\\n[ \t]*", " ", self.s[start:end])
        job = JobLine(
            path=self.path,
            span=self.span(start, end),
            marker=_normal_marker(marker.text) if marker else None,
            marker_span=self.span(marker.start, marker.end) if marker else None,
            pid=pid,
            env=[self.word(t) for t in env],
            launcher=[self.word(t) for t in launch.launcher],
            script=self.word(launch.script) if launch.script else None,
            module=self.word(launch.module) if launch.module else None,
            config_name=None,
            config_path=None,
            config_dir=None,
            overrides=[],
            args=[],
            cwd=self.cwd if self.cwd not in (None, ".") else None,
            text=text,
        )
        self.script_args(job, rest)
        self.jobs.append(job)

    def script_args(self, job: JobLine, items: list[Tok]) -> None:
        j = 0
        while j < len(items):
            t = items[j]
            x = t.text
            nxt = items[j + 1] if j + 1 < len(items) else None
            if t.dynamic and not x.startswith("-"):
                eq = x.find("=")
                dyn_at = min((i for i in (x.find("$"), x.find("`")) if i >= 0), default=0)
                if eq < 0 or dyn_at < eq:
                    job.args.append(self.word(t))
                else:
                    job.overrides.append(JobOverride(self.word(t), None, None, True))
            elif x.startswith("-"):
                name, eq, _ = x.partition("=")
                if name in _CONFIG_OPTS:
                    if eq:
                        setattr(job, _CONFIG_OPTS[name], self.subword(t, len(name) + 1))
                    elif nxt is not None:
                        setattr(job, _CONFIG_OPTS[name], self.word(nxt))
                        j += 1
                    else:
                        job.args.append(self.word(t))
                elif x in _HYDRA_FLAGS:
                    job.args.append(self.word(t))
                elif x in _HYDRA_VALUE_OPTS or (x in ("--info", "-i") and nxt and nxt.text in _HYDRA_INFO_CHOICES):
                    job.args.append(self.word(t))
                    if nxt is not None:
                        job.args.append(self.word(nxt))
                        j += 1
                else:
                    job.args.append(self.word(t))
                    if not eq and nxt is not None and not nxt.text.startswith(("-", "+", "~")) and "=" not in nxt.text:
                        job.args.append(self.word(nxt))
                        j += 1
            else:
                job.overrides.append(self.override(t))
            j += 1

    def override(self, t: Tok) -> JobOverride:
        w = self.word(t)
        try:
            from trainpath.parsing.overrides import OverrideError, parse_override
        except ImportError:  # pragma: no cover - the override parser is part of the package
            return JobOverride(w, None, None)
        try:
            if w.raw == w.text and "\n" not in w.raw:
                return JobOverride(w, parse_override(w.text, w.span.line, w.span.col), None)
            return JobOverride(w, self.remap(parse_override(w.text, 0, 0), t), None)
        except OverrideError as exc:
            return JobOverride(w, None, getattr(exc, "message", None) or str(exc))

    def remap(self, ov: "Override", t: Tok) -> "Override":
        """Move the spans of an override parsed from unquoted text onto the raw word in the file."""
        if not dataclasses.is_dataclass(ov):
            return ov
        changes = {}
        for f in dataclasses.fields(ov):
            sp = getattr(ov, f.name)
            if not isinstance(sp, Span) or sp.line != 0 or sp.end_line != 0:
                continue
            a, b = sp.col, sp.end_col
            start = t.origins[a] if a < len(t.origins) else t.end
            end = t.origins[b - 1] + 1 if a < b <= len(t.origins) else start
            changes[f.name] = self.span(start, end)
        return dataclasses.replace(ov, **changes)  # type: ignore[type-var]


def _normal_marker(text: str) -> str:
    inner = text[1:-1]
    if inner in ("", " "):
        return "[ ]"
    return "[x]" if inner == "X" else text


# --------------------------------------------------------------------------- public API


def parse_jobs(text: str, path: Path) -> JobFile:
    """Every job in ``text`` (the contents of the job file ``path``)."""
    shell = path.suffix.lower() != ".txt"
    toks = Lexer(text, multiline_quotes=shell).run()
    return JobFile(path, _Builder(text, path, shell).run(toks), [])


_CACHE: dict[Path, tuple[bytes, JobFile]] = {}


def load_jobs(path: Path) -> JobFile:
    """Read and parse ``path``; cached by content (treat the result as read-only)."""
    source = read_source(path)
    if source.text is None:
        return JobFile(path, [], [source.problem] if source.problem else [])
    digest = hashlib.blake2b(source.text.encode("utf-8"), digest_size=16).digest()
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == digest:
        return hit[1]
    result = parse_jobs(source.text, path)
    _CACHE[path] = (digest, result)
    return result


_GLOB_CACHE: dict[str, re.Pattern[str]] = {}


def _glob_re(glob: str) -> re.Pattern[str]:
    rx = _GLOB_CACHE.get(glob)
    if rx is not None:
        return rx
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and glob.find("]", i + 2) > 0:
            j = glob.find("]", i + 2)
            body = glob[i + 1 : j]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = j + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    rx = _GLOB_CACHE[glob] = re.compile("".join(out) + r"\Z")
    return rx


def is_job_file(rel_path: str, globs: Sequence[str] = DEFAULT_JOB_GLOBS) -> bool:
    """True when ``rel_path`` (relative to the project root) matches one of ``globs``.

    ``*`` stays inside one folder, ``**/`` spans any number of folders (also none);
    a glob without ``/`` matches at the top only (``**/`` makes it match anywhere).
    """
    rel = rel_path.replace("\\", "/")
    while rel.startswith("./"):
        rel = rel[2:]
    for glob in globs:
        try:
            if _glob_re(glob).match(rel):
                return True
        except re.error:
            continue
    return False
