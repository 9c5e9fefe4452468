"""``textDocument/completion`` for configs and job lines, answered from the index.

Config files (the context is read from the text, which is often half-written):

* ``defaults:`` items: group names, then the options of a group (files that exist);
* ``name:`` values: modules under the model (or evaluator) prefix, then the
  classes of the module after ``@``; ``_target_:`` values: dotted modules,
  then their classes and functions;
* keys beside a ``_target_``: the target's parameters; keys of an arch config
  (or of a main config's ``arch:`` block): the model config class's fields not
  yet set, with type and default in ``detail``; values of keys the model's code
  accepts a closed set of strings for (``encoder_type``);
* ``${…}``: keys of the composed config (relative to the cursor's node for ``${.``).

Job lines: Hydra scripts, ``--config-name`` values, override keys of the
composed config (``arch.`` → arch's keys; ``+arch.`` → config-class fields not
yet set), group options after ``arch=``, and choices after ``arch.encoder_type=``.
"""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from trainpath.chain import query, query_values as qv
from trainpath.chain.build import chain_search_repo
from trainpath.lsp import param_docs
from trainpath.lsp.convert import lines_of, position_from_client, span_to_range
from trainpath.lsp.server import TrainpathServer, server
from trainpath.parsing.positions import Span

TRIGGERS = [":", " ", "=", ".", "@", "{", "/"]
_RETRIGGER = types.Command(title="suggest", command="editor.action.triggerSuggest")
_MAX_ITEMS = 300


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGERS))
def completion(ls: TrainpathServer, params: types.CompletionParams) -> types.CompletionList | None:
    try:
        items = _complete(ls, params)
    except Exception as exc:  # noqa: BLE001 - never fail the editor on odd input
        ls.log(f"trainpath: completion failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
        items = None
    if not items:
        return None
    for i, item in enumerate(items[:_MAX_ITEMS]):
        item.sort_text = f"{i:04d}"
    return types.CompletionList(is_incomplete=False, items=items[:_MAX_ITEMS])


class _Ctx:
    """The request: state, file, cursor, and the line's text."""

    def __init__(self, state, path: Path, line: int, col: int) -> None:
        self.state, self.path, self.line, self.col = state, path, line, col
        self.lines = lines_of(path)
        self.text = self.lines[line] if line < len(self.lines) else ""
        self.head = self.text[:col]

    def edit(self, start: int, new_text: str) -> types.TextEdit:
        """Replace the line's text from ``start`` to the cursor."""
        return types.TextEdit(range=span_to_range(self.path, Span(self.line, start, self.line, self.col)), new_text=new_text)

    def item(self, label: str, start: int, new_text: str | None = None, kind=None, detail=None, doc=None,
             retrigger: bool = False) -> types.CompletionItem:
        return types.CompletionItem(
            label=label, kind=kind, detail=detail,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=doc) if doc else None,
            text_edit=self.edit(start, label if new_text is None else new_text),
            filter_text=label, command=_RETRIGGER if retrigger else None)


def _complete(ls: TrainpathServer, params: types.CompletionParams) -> list[types.CompletionItem] | None:
    state, path = ls.state_for(params.text_document.uri)
    if state is None or path is None or state.model is None or state.project is None:
        return None
    line, col = position_from_client(path, params.position)
    if line != params.position.line:
        return None
    ctx = _Ctx(state, path, line, col)
    if state.project.is_job_file(path):
        return job_items(ctx)
    if path.suffix == ".yaml" and state.project.is_config_file(path):
        return yaml_items(ctx)
    return None


# --------------------------------------------------------------------------- YAML

_DEFAULT_OPTION = re.compile(r"^\s*-\s+(?:override\s+)?(?P<group>[\w/.\-]+)(?:@[\w.\-]*)?\s*:\s*(?P<opt>[\w/.\-]*)$")
_DEFAULT_GROUP = re.compile(r"^\s*-\s*(?:override\s+)?(?P<group>[\w/.\-]*)$")
_NAME_VALUE = re.compile(r"^\s*(?:-\s+)*(?P<key>name|_target_)\s*:\s*['\"]?(?P<val>[\w.@]*)$")
_KEY_VALUE = re.compile(r"^(?P<indent>\s*)(?:-\s+)*(?P<key>[A-Za-z_]\w*)\s*:\s*(?P<val>[\w\-]*)$")
_KEY_START = re.compile(r"^(?P<indent>\s*)(?P<dash>(?:-\s+)*)(?P<key>[A-Za-z_]\w*|)$")


def yaml_items(ctx: _Ctx) -> list[types.CompletionItem] | None:
    head = ctx.head
    opened = qv.open_interpolation(ctx.text, ctx.col)
    if opened is not None:
        return interpolation_items(ctx, *opened)
    if qv.defaults_context(ctx.lines, ctx.line):
        m = _DEFAULT_OPTION.match(head)
        if m:
            return option_items(ctx, m.group("group"), m.group("opt"), ctx.col - len(m.group("opt")))
        m = _DEFAULT_GROUP.match(head)
        if m:
            return group_items(ctx, m.group("group"), ctx.col - len(m.group("group")))
        return None
    m = _NAME_VALUE.match(head)
    if m:
        start = ctx.col - len(m.group("val"))
        if m.group("key") == "name":
            evaluators = "evaluators" in qv.text_keypath(ctx.lines, ctx.line, _key_col(head))
            builder = ctx.state.builder
            prefix = (builder.evaluator_prefix() if evaluators else builder.model_prefix()) if builder else "models."
            return name_items(ctx, m.group("val"), start, prefix)
        return target_items(ctx, m.group("val"), start)
    m = _KEY_VALUE.match(head)
    if m:
        return choice_items(ctx, m.group("key"), m.group("val"), ctx.col - len(m.group("val")), len(m.group("indent")))
    m = _KEY_START.match(head)
    if m and ":" not in ctx.text[ctx.col:]:
        indent = len(m.group("indent")) + len(m.group("dash"))
        return key_items(ctx, m.group("key"), indent)
    return None


def _key_col(head: str) -> int:
    stripped = head.lstrip(" -")
    return len(head) - len(stripped)


def _own_group(ctx: _Ctx) -> str:
    return qv.config_group_of(ctx.state.project, ctx.path)


def _repo(ctx: _Ctx):
    """The config search path the file is composed on (its folder, with the other folders of chains using it)."""
    return qv.config_repo_of(ctx.state.model, ctx.path)


def _full_group(ctx: _Ctx, group: str) -> str:
    """A defaults entry's group, absolute (entries of a non-primary config are relative to its group)."""
    if group.startswith("/"):
        return group.strip("/")
    own = _own_group(ctx)
    return f"{own}/{group}" if own else group


def option_items(ctx: _Ctx, group: str, typed: str, start: int) -> list[types.CompletionItem]:
    repo = _repo(ctx)
    if repo is None:
        return []
    full = _full_group(ctx, group)
    items = []
    for option in repo.options(full):
        file = repo.file(f"{full}/{option}")
        detail = ctx.state.project.rel(file) if file is not None else None
        items.append(ctx.item(option, start, kind=types.CompletionItemKind.File, detail=detail))
    return items


def group_items(ctx: _Ctx, typed: str, start: int) -> list[types.CompletionItem]:
    repo = _repo(ctx)
    if repo is None:
        return []
    own = _own_group(ctx)
    items = []
    for group in repo.groups(own):
        rel = group[len(own) + 1:] if own else group
        options = repo.options(group)
        items.append(ctx.item(rel, start, f"{rel}: ", kind=types.CompletionItemKind.Module,
                              detail=f"config group ({', '.join(options[:6])}{', …' if len(options) > 6 else ''})",
                              retrigger=True))
    items.append(ctx.item("_self_", start, kind=types.CompletionItemKind.Keyword, detail="this config's own keys"))
    return items


def _modules_under(idx, package: str, depth: int = 3) -> list[str]:
    out: list[str] = []
    for mod in idx.submodules(package):
        out.append(mod)
        if depth > 1:
            out.extend(_modules_under(idx, mod, depth - 1))
    return out


def name_items(ctx: _Ctx, typed: str, start: int, prefix: str) -> list[types.CompletionItem]:
    idx = ctx.state.project.pyindex
    if "@" in typed:
        module, _, _ = typed.partition("@")
        items = []
        names = [s for s in idx.exported_names(prefix + module) if s.kind in ("class", "function")]
        names.sort(key=lambda s: (s.module != prefix + module, s.kind != "class"))
        for sym in names:
            kind = types.CompletionItemKind.Class if sym.kind == "class" else types.CompletionItemKind.Function
            items.append(ctx.item(sym.name, start + len(module) + 1, kind=kind,
                                  detail=f"{ctx.state.project.rel(sym.path)}:{sym.span.line + 1}"))
        return items
    package = prefix.rstrip(".")
    if package and not idx.module_exists(package):
        return []
    items = []
    cut = len(package) + 1 if package else 0
    for mod in _modules_under(idx, package):
        rel = mod[cut:]
        path = idx.module_path(mod)
        if path is None or path.is_dir() or path.name == "__init__.py" and not idx.exported_names(mod):
            continue
        items.append(ctx.item(rel, start, kind=types.CompletionItemKind.Module, detail=mod))
    return items


def target_items(ctx: _Ctx, typed: str, start: int) -> list[types.CompletionItem]:
    idx = ctx.state.project.pyindex
    head, _, _ = typed.rpartition(".")
    items = []
    if not head:
        for mod in idx.submodules(""):
            items.append(ctx.item(mod, start, kind=types.CompletionItemKind.Module))
        return items
    if not idx.module_exists(head):
        return []
    for mod in idx.submodules(head):
        items.append(ctx.item(mod, start, kind=types.CompletionItemKind.Module))
    for sym in idx.exported_names(head):
        if sym.kind in ("class", "function"):
            kind = types.CompletionItemKind.Class if sym.kind == "class" else types.CompletionItemKind.Function
            items.append(ctx.item(f"{head}.{sym.name}", start, kind=kind))
    return items


def _model_for_block(ctx: _Ctx, keypath: tuple):
    """The model whose config fields the keys of the block at ``keypath`` are (arch config / main config's arch:)."""
    model = ctx.state.model
    if keypath == ():
        builder = ctx.state.builder
        prefix = builder.model_prefix() if builder is not None else "models."
        return qv.model_for_config(model, ctx.path, prefix, ctx.lines)
    if keypath == ("arch",) and _own_group(ctx) == "":
        builder = ctx.state.builder
        return qv.model_for_arch_block(model, ctx.path, builder.model_prefix() if builder else "models.", ctx.lines)
    return None


def key_items(ctx: _Ctx, typed: str, indent: int) -> list[types.CompletionItem] | None:
    keypath = qv.text_keypath(ctx.lines, ctx.line, indent)
    siblings = qv.sibling_keys(ctx.lines, ctx.line, indent)
    start = ctx.col - len(typed)
    idx = ctx.state.project.pyindex
    if "_target_" in siblings:
        resolved = idx.resolve_dotted(siblings["_target_"])
        sym = resolved[2] if resolved else None
        sig = idx.signature(sym) if sym is not None else None
        if sig is None:
            return None
        items = []
        for p in sig[0]:
            if p.kind in ("var_positional", "var_keyword") or p.name in siblings:
                continue
            items.append(ctx.item(p.name, start, f"{p.name}: ", kind=types.CompletionItemKind.Property,
                                  detail=_detail(p.annotation, p.default)))
        return items
    sym = _model_for_block(ctx, keypath)
    if sym is None:
        return None
    cc = idx.config_class(sym)
    if cc is None:
        return None
    items = []
    for name, f in cc.fields.items():
        if name in siblings:
            continue
        doc = param_docs.param_doc(name)
        items.append(ctx.item(name, start, f"{name}: ", kind=types.CompletionItemKind.Field,
                              detail=_detail(f.annotation, f.default),
                              doc=(doc.text if doc else f.comment)))
    return items


def _detail(annotation: str | None, default: str | None) -> str:
    typ = annotation or "any"
    return f"{typ} = {default}" if default is not None else f"{typ} (required)"


def choice_items(ctx: _Ctx, key: str, typed: str, start: int, indent: int) -> list[types.CompletionItem] | None:
    keypath = qv.text_keypath(ctx.lines, ctx.line, indent)
    sym = _model_for_block(ctx, keypath)
    if sym is None:
        return None
    choices = ctx.state.project.pyindex.choices(sym, key)
    if choices is None:
        return None
    return [ctx.item(v, start, kind=types.CompletionItemKind.EnumMember, detail=f"{key} accepted by {sym.name}")
            for v in choices.values]


def interpolation_items(ctx: _Ctx, typed: str, start: int) -> list[types.CompletionItem] | None:
    model = ctx.state.model
    dot = typed.rfind(".")
    parent_expr = typed[: dot + 1] if dot >= 0 else ""
    indent = _key_col(ctx.head)
    doc_node = qv.text_keypath(ctx.lines, ctx.line, indent)
    chains = sorted(query.chains_using(model, ctx.path), key=lambda c: c.root_kind == "job")  # no job's overrides
    for chain in chains:
        if chain.compose is None or chain.compose.config is None:
            continue
        base = query.composed_keypath(chain, ctx.path, doc_node)
        if base is None:
            continue
        if parent_expr.strip(".") == "":
            target = qv.resolve_interpolation(base, parent_expr + "x")
            target = target[:-1] if target is not None else None
        else:
            target = qv.resolve_interpolation(base, parent_expr.rstrip("."))
        if target is None:
            return None
        found, node = query.lookup(chain.compose.config, target)
        if not found or not isinstance(node, dict):
            return None
        items = []
        for key, value in node.items():
            if not isinstance(key, str):
                continue
            if isinstance(value, dict):
                items.append(ctx.item(key, start + dot + 1, kind=types.CompletionItemKind.Module, detail="{…}"))
            else:
                items.append(ctx.item(key, start + dot + 1, kind=types.CompletionItemKind.Variable,
                                      detail=qv.format_value(value, 60)))
        return items
    return None


# --------------------------------------------------------------------------- job lines

_LAUNCH_OPTS = ("--config-name", "-cn", "--config-path", "-cp", "--config-dir", "-cd")


def _job_words(ctx: _Ctx) -> list[str]:
    """Words of the job line before the cursor's word (continuation lines joined)."""
    head = ctx.head
    i = ctx.line - 1
    while i >= 0 and ctx.lines[i].rstrip().endswith("\\"):
        head = ctx.lines[i].rstrip()[:-1] + " " + head
        i -= 1
    words = head.split()
    if head and not head[-1].isspace() and words:
        words = words[:-1]
    return words


def job_items(ctx: _Ctx) -> list[types.CompletionItem] | None:
    head = ctx.head
    start = len(head) - len(head.split()[-1]) if head and not head[-1].isspace() else len(head)
    word = head[start:]
    words = _job_words(ctx)
    project = ctx.state.project
    script = next((w for w in words if w.endswith(".py")), None)
    if words and words[-1] in ("--config-name", "-cn"):
        return config_name_items(ctx, _script_config_dir(ctx, script), start, _config_dir_word(ctx, words))
    if script is None:
        real = [w for w in words if not re.fullmatch(r"\[.?\]?|\]|\[\d+\]|\w+=.*", w)]
        if not real or word.startswith("-") or "=" in word:
            return None
        items = []
        for info in project.scripts():
            rel = project.rel(info.path)
            items.append(ctx.item(rel, start, kind=types.CompletionItemKind.File,
                                  detail=f"@hydra.main(config_name={info.entry.config_name!r})"))
        return items
    for opt in ("--config-name=", "-cn="):
        if word.startswith(opt):
            return config_name_items(ctx, _script_config_dir(ctx, script), start + len(opt), _config_dir_word(ctx, words))
    if word.startswith("-"):
        return None
    chain = _job_chain(ctx, script, words)
    if chain is None:
        return None
    if "=" in word:
        key, _, value = word.partition("=")
        return override_value_items(ctx, chain, key.lstrip("+~"), start + len(key) + 1)
    prefix = len(word) - len(word.lstrip("+~"))
    return override_key_items(ctx, chain, word[prefix:], start + prefix, word[:prefix])


def _script_config_dir(ctx: _Ctx, script: str | None) -> Path | None:
    project = ctx.state.project
    if script is not None:
        for base in (project.root, ctx.path.parent):
            path = (base / script).resolve()
            for info in project.scripts():
                if info.path == path and info.entry.config_dir is not None:
                    return info.entry.config_dir
    return project.config_dirs[0] if project.config_dirs else None


def _config_dir_word(ctx: _Ctx, words: list[str]) -> Path | None:
    """The folder a ``--config-dir``/``-cd`` already typed on the line names (Hydra searches it after the script's)."""
    text = None
    for i, w in enumerate(words):
        if w in ("--config-dir", "-cd") and i + 1 < len(words):
            text = words[i + 1]
        elif w.startswith(("--config-dir=", "-cd=")):
            text = w.partition("=")[2]
    if not text or any(c in text for c in "$`~"):
        return None
    for base in (ctx.state.project.root, ctx.path.parent):
        if (base / text).is_dir():
            return (base / text).resolve()
    return None


def config_name_items(ctx: _Ctx, config_dir: Path | None, start: int,
                      extra: Path | None = None) -> list[types.CompletionItem] | None:
    """Primary configs: the script's folder's, then those only the ``--config-dir`` folder has."""
    if config_dir is None or not config_dir.is_dir():
        return None
    found = {p.stem: p for p in sorted(config_dir.glob("*.yaml"))}
    if extra is not None and extra != config_dir:
        for p in sorted(extra.glob("*.yaml")):
            found.setdefault(p.stem, p)
    return [ctx.item(stem, start, kind=types.CompletionItemKind.File, detail=ctx.state.project.rel(p))
            for stem, p in sorted(found.items(), key=lambda kv: kv[1].name)]


def _job_chain(ctx: _Ctx, script: str, words: list[str]):
    """The chain of this job line; while it is being typed, the script's (or the named config's) own chain."""
    model = ctx.state.model
    chain = query.chain_at(model, ctx.path, ctx.line)
    if chain is not None and chain.compose is not None and chain.compose.config is not None:
        return chain
    name = None
    for i, w in enumerate(words[:-1]):
        if w in ("--config-name", "-cn"):
            name = words[i + 1]
    config_dir = _script_config_dir(ctx, script)
    project = ctx.state.project
    script_paths = {(b / script).resolve() for b in (project.root, ctx.path.parent)}
    for c in model.chains:
        if c.compose is None or c.compose.config is None or c.root_kind == "job":
            continue
        if name is not None:
            if c.config_name == name and c.config_dir == config_dir:
                return c
        elif c.root_kind == "script" and c.root.path in script_paths:
            return c
    return None


def override_key_items(ctx: _Ctx, chain, typed: str, start: int, sign: str) -> list[types.CompletionItem] | None:
    config = chain.compose.config
    parent, dot, _ = typed.rpartition(".")
    parts = tuple(parent.split(".")) if parent else ()
    found, node = query.lookup(config, parts)
    if not found or not isinstance(node, dict):
        return None
    lead = f"{parent}." if parent else ""
    items = []
    if sign == "+":
        if parts == ("arch",) and chain.model is not None:
            cc = ctx.state.project.pyindex.config_class(chain.model)
            for name, f in (cc.fields.items() if cc is not None else ()):
                if name not in node:
                    items.append(ctx.item(lead + name, start, f"{lead}{name}=", kind=types.CompletionItemKind.Field,
                                          detail=_detail(f.annotation, f.default)))
        return items
    repo = chain_search_repo(ctx.state.project, chain)
    if not parts and repo is not None and not sign:
        for group in repo.groups():
            choice = chain.compose.choices.get(group)
            items.append(ctx.item(f"{group}=", start, kind=types.CompletionItemKind.Module,
                                  detail=f"config group (now {choice})" if choice else "config group", retrigger=True))
    for key, value in node.items():
        if not isinstance(key, str):
            continue
        full = lead + key
        if isinstance(value, dict):
            items.append(ctx.item(full, start, f"{full}.", kind=types.CompletionItemKind.Module, detail="{…}",
                                  retrigger=True))
        elif sign == "~":
            items.append(ctx.item(full, start, kind=types.CompletionItemKind.Property, detail=qv.format_value(value, 60)))
        else:
            items.append(ctx.item(full, start, f"{full}=", kind=types.CompletionItemKind.Property,
                                  detail=qv.format_value(value, 60)))
    return items


def override_value_items(ctx: _Ctx, chain, key: str, start: int) -> list[types.CompletionItem] | None:
    repo = chain_search_repo(ctx.state.project, chain)  # `--config-dir` and `hydra.searchpath` folders too
    group = key.split("@")[0]
    if repo is not None and repo.is_user_group(group):
        items = []
        for option in repo.options(group):
            file = repo.file(f"{group}/{option}")
            items.append(ctx.item(option, start, kind=types.CompletionItemKind.File,
                                  detail=ctx.state.project.rel(file) if file else None))
        return items
    parts = key.split(".")
    if len(parts) == 2 and parts[0] == "arch" and chain.model is not None:
        choices = ctx.state.project.pyindex.choices(chain.model, parts[1])
        if choices is not None:
            return [ctx.item(v, start, kind=types.CompletionItemKind.EnumMember,
                             detail=f"{parts[1]} accepted by {chain.model.name}") for v in choices.values]
    return None
