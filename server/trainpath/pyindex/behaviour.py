"""What a model class's code does with its config: accepted values, training mode, halting.

All three read the class's own methods (and those of its project bases) with
``ast``:

- :func:`choices`: string values compared with ``self.config.<key>`` /
  ``config.<key>`` / a local bound to it (``==``, ``!=``, ``in``, ``match``),
  and dispatch dicts indexed by it; one factory call whose argument is the
  config (or the value) is followed into a project function or class.
  ``closed`` only when the code refuses other values (``else: raise``,
  ``D[key]``, ``assert key in ...``, ``if key not in ...: raise``).
- :func:`train_forward`: which methods ``forward`` calls under
  ``self.training`` and whether they loop ``num_act_steps`` times (fixed) or
  halt dynamically and return the carry (dynamic).
- :func:`halting`: which ``halt_*`` / ``num_act_steps`` keys the code reads.

Each method is walked once (:func:`~trainpath.pyindex.summary.nodes`); every
question above reads that walk's nodes by type.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from trainpath.parsing.positions import Span
from trainpath.pyindex.summary import NodeDigest, Parsed, def_spans, node_span, nodes, walk, _dotted
from trainpath.pyindex.types import Choices, Halting, Symbol, TrainForward

if TYPE_CHECKING:
    from trainpath.pyindex.index import ClassInfo, PyIndex

FnDef = ast.FunctionDef | ast.AsyncFunctionDef


def _configish(name: str) -> bool:
    low = name.lower()
    return "config" in low or "cfg" in low


class _Scope:
    """Which expressions mean "the config" and "the value of ``key``" inside one function."""

    def __init__(self, key: str, cfg_names: frozenset[str] = frozenset(), key_names: frozenset[str] = frozenset()):
        self.key = key
        self.cfg_names = set(cfg_names)
        self.key_names = set(key_names)

    def is_cfg(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.cfg_names or _configish(node.id)
        return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
                and _configish(node.attr))

    def is_key(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.key_names
        if isinstance(node, ast.Attribute):
            return node.attr == self.key and self.is_cfg(node.value)
        if isinstance(node, ast.Subscript):
            s = node.slice
            return isinstance(s, ast.Constant) and s.value == self.key and self.is_cfg(node.value)
        if isinstance(node, ast.Call):
            f, args = node.func, node.args
            if isinstance(f, ast.Name) and f.id == "getattr" and len(args) >= 2:
                return self.is_cfg(args[0]) and isinstance(args[1], ast.Constant) and args[1].value == self.key
            if isinstance(f, ast.Attribute) and f.attr == "get" and args:
                return self.is_cfg(f.value) and isinstance(args[0], ast.Constant) and args[0].value == self.key
        return False


class _Collector:
    def __init__(self, index: PyIndex, key: str) -> None:
        self.index = index
        self.key = key
        self.values: list[str] = []
        self.closed = False
        self.evidence: list[tuple[Path, Span]] = []
        self.done: set[tuple[Path, int]] = set()

    def add(self, parsed: Parsed, node: ast.AST, values: list[str], closed: bool) -> None:
        if not values:
            return
        for v in values:
            if v not in self.values:
                self.values.append(v)
        self.closed = self.closed or closed
        site = (parsed.path, node_span(parsed.lines, node))
        if site not in self.evidence:
            self.evidence.append(site)

    # -- literal containers -------------------------------------------------------
    def literal(self, module: str, info: ClassInfo, node: ast.AST) -> ast.AST | None:
        """A tuple/list/set/dict literal ``node`` is, or names (module constant, class attribute)."""
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
            return node
        if isinstance(node, ast.Call) and _dotted(node.func) == ("dict",) and not node.args:
            return node
        parts = _dotted(node)
        if len(parts) == 2 and parts[0] in ("self", info[0].name):
            for cls in self.index.mro(info[0]):
                for stmt in cls[2].body:
                    if (isinstance(stmt, ast.Assign) and stmt.value is not None
                            and any(isinstance(t, ast.Name) and t.id == parts[1] for t in stmt.targets)):
                        return self.literal(cls[0].module, cls, stmt.value)
            return None
        if len(parts) != 1:
            return None
        sym = self.index.resolve(module, parts[0])
        if sym is None or sym.kind != "variable":
            return None
        parsed = self.index.files.parsed(sym.path)
        if parsed is None:
            return None
        for stmt in parsed.statements_at(sym.span.line):
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    if isinstance(t, ast.Name) and t.id == sym.name and t.lineno - 1 == sym.span.line:
                        v = stmt.value
                        return v if isinstance(v, (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Call)) else None
        return None

    @staticmethod
    def strings(node: ast.AST | None) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if isinstance(node, ast.Dict):
            return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        if isinstance(node, ast.Call):  # dict(a=A, b=B)
            return [k.arg for k in node.keywords if k.arg]
        return []

    # -- one function ------------------------------------------------------------
    def function(self, info: ClassInfo, parsed: Parsed, fn: FnDef, scope: _Scope, follow: bool) -> None:
        marker = (parsed.path, fn.lineno)
        if marker in self.done:
            return
        self.done.add(marker)
        module = info[0].module
        found = nodes(parsed, fn).select(_CHOICE_TYPES)
        for node in found:  # locals bound to the key
            if isinstance(node, (ast.Assign, ast.NamedExpr)) and scope.is_key(node.value):
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    if isinstance(t, ast.Name):
                        scope.key_names.add(t.id)
        chained: set[int] = set()
        for node in found:
            if isinstance(node, ast.If) and id(node) not in chained:
                self._if_chain(module, info, parsed, node, scope, chained)
            elif isinstance(node, ast.Compare):
                self._compare(module, info, parsed, node, scope, closed=False)
            elif isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
                self._compare(module, info, parsed, node.test, scope, closed=True)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and scope.is_key(node.slice):
                table = self.literal(module, info, node.value)
                self.add(parsed, node, self.strings(table) if isinstance(table, (ast.Dict, ast.Call)) else [], True)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                    and node.args and scope.is_key(node.args[0]):
                table = self.literal(module, info, node.func.value)
                self.add(parsed, node, self.strings(table) if isinstance(table, (ast.Dict, ast.Call)) else [], False)
            elif isinstance(node, ast.Match) and scope.is_key(node.subject):
                self._match(parsed, node)
            if follow and isinstance(node, ast.Call):
                self._follow_call(info, node, scope)

    def _compare(self, module: str, info: ClassInfo, parsed: Parsed, node: ast.Compare, scope: _Scope, closed: bool) -> list[str]:
        found: list[str] = []
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            if isinstance(op, (ast.Eq, ast.NotEq)):
                if scope.is_key(left):
                    found += self.strings(right) if isinstance(right, ast.Constant) else []
                elif scope.is_key(right):
                    found += self.strings(left) if isinstance(left, ast.Constant) else []
            elif isinstance(op, (ast.In, ast.NotIn)) and scope.is_key(left):
                found += self.strings(self.literal(module, info, right))
            left = right
        self.add(parsed, node, found, closed)
        return found

    def _if_chain(self, module: str, info: ClassInfo, parsed: Parsed, node: ast.If, scope: _Scope, chained: set[int]) -> None:
        """``if k == "a" ... elif k == "b" ... else: raise`` (closed) and ``if k not in X: raise``."""
        tests: list[ast.expr] = []
        cur: ast.If = node
        while True:
            tests.append(cur.test)
            chained.add(id(cur))
            if len(cur.orelse) == 1 and isinstance(cur.orelse[0], ast.If):
                cur = cur.orelse[0]
                continue
            break
        refusing = [t for t in tests if _negative(t, scope)]
        raises_else = bool(cur.orelse) and any(isinstance(s, ast.Raise) for s in cur.orelse)
        for t in tests:
            if not isinstance(t, ast.Compare):
                continue
            if t in refusing:
                closed = any(isinstance(s, ast.Raise) for s in (node.body if t is node.test else []))
            else:
                closed = raises_else and all(isinstance(x, ast.Compare) and _positive(x, scope) for x in tests)
            self._compare(module, info, parsed, t, scope, closed)

    def _match(self, parsed: Parsed, node: ast.Match) -> None:
        found: list[str] = []
        closed = False
        for case in node.cases:
            pats = case.pattern.patterns if isinstance(case.pattern, ast.MatchOr) else [case.pattern]
            for p in pats:
                if isinstance(p, ast.MatchValue) and isinstance(p.value, ast.Constant) and isinstance(p.value.value, str):
                    found.append(p.value.value)
                elif isinstance(p, ast.MatchAs) and p.pattern is None and case.guard is None:
                    closed = any(isinstance(s, ast.Raise) for s in case.body)
        self.add(parsed, node.subject, found, closed)

    def _follow_call(self, info: ClassInfo, call: ast.Call, scope: _Scope) -> None:
        parts = _dotted(call.func)
        if not parts or parts[0] == "self":
            return
        passed = [*call.args, *(k.value for k in call.keywords if k.arg)]
        if not any(scope.is_key(arg) or scope.is_cfg(arg) for arg in passed):
            return  # neither the config nor the value reaches the callee, whatever it is
        target = self.index.qualify(info[0].module, parts)
        if not isinstance(target, Symbol):
            return
        fn: FnDef | None = None
        tinfo: ClassInfo | None = None
        offset = 0
        if target.kind == "function":
            node = self.index._def_node(target)
            fn = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
            tinfo = (target, self.index.files.parsed(target.path), info[2])  # type: ignore[assignment]
        elif target.kind == "class":
            init = self.index.methods(target).get("__init__")
            if init is not None:
                tinfo, fn = init
                offset = 1
        if fn is None or tinfo is None or tinfo[1] is None:
            return
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args][offset:]
        cfg_names: set[str] = set()
        key_names: set[str] = set()
        bound = list(zip(params, call.args)) + [(k.arg, k.value) for k in call.keywords if k.arg]
        for pname, arg in bound:
            if scope.is_key(arg):
                key_names.add(pname)
            elif scope.is_cfg(arg):
                cfg_names.add(pname)
        if cfg_names or key_names:
            self.function(tinfo, tinfo[1], fn, _Scope(self.key, frozenset(cfg_names), frozenset(key_names)), False)


#: the nodes the choices of one function are read from
_CHOICE_TYPES = (ast.Assign, ast.NamedExpr, ast.If, ast.Compare, ast.Assert, ast.Subscript, ast.Call, ast.Match)


def _positive(test: ast.Compare, scope: _Scope) -> bool:
    return all(isinstance(op, (ast.Eq, ast.In)) for op in test.ops) and (
        scope.is_key(test.left) or any(scope.is_key(c) for c in test.comparators))


def _negative(test: ast.expr, scope: _Scope) -> bool:
    return (isinstance(test, ast.Compare) and all(isinstance(op, (ast.NotEq, ast.NotIn)) for op in test.ops)
            and (scope.is_key(test.left) or any(scope.is_key(c) for c in test.comparators)))


def choices(index: PyIndex, sym: Symbol, key: str) -> Choices | None:
    if index.class_info(sym) is None:
        return None
    collector = _Collector(index, key)
    for _, (info, fn) in index.methods(sym).items():
        collector.function(info, info[1], fn, _Scope(key), follow=True)
    if not collector.values:
        return None
    return Choices(key, tuple(collector.values), collector.closed, collector.evidence)


# ---------------------------------------------------------------- training forward
_HALT_ATTRS = frozenset({"halt_max_steps", "halt_exploration_prob", "halted"})


def _conditional_encoder_calls(digest: NodeDigest, owner: ast.AST, body: list[ast.stmt]) -> list[bool]:
    """For each encoder call in ``body`` (of ``owner``): whether it sits under an ``if`` (or
    conditional expression) there, not in its test."""
    out: list[bool] = []
    for call in digest.of(ast.Call):
        if not _is_encoder_call(call):
            continue
        conditional = False
        child, node = call, digest.parent(call)
        while node is not None and node is not owner:
            if isinstance(node, (ast.If, ast.IfExp)) and child is not node.test:
                conditional = True
            child, node = node, digest.parent(node)
        if node is owner and any(child is stmt for stmt in body):
            out.append(conditional)
    return out


def _reads_num_act_steps(node: ast.AST) -> bool:
    return any(_dotted(n)[-1:] == ("num_act_steps",) for n in walk(node))


def _num_act_loop(digest: NodeDigest) -> ast.For | ast.While | None:
    for node in digest.select((ast.For, ast.While)):
        if isinstance(node, ast.For):
            if (isinstance(node.iter, ast.Call) and _dotted(node.iter.func) == ("range",)
                    and _reads_num_act_steps(node.iter)):
                return node
        elif _reads_num_act_steps(node.test):
            return node
    return None


def _is_encoder_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    parts = _dotted(node.func)
    return len(parts) >= 2 and parts[0] == "self" and any("encod" in p.lower() for p in parts[1:])


def _encoder(digest: NodeDigest, fn: FnDef, loop: ast.For | ast.While | None) -> str | None:
    if not any(_is_encoder_call(n) for n in digest.of(ast.Call)):
        return None
    uses_cache = (any("cache" in n.id.lower() for n in digest.of(ast.Name))
                  or any("cache" in n.attr.lower() for n in digest.of(ast.Attribute)))
    owner, body = (fn, fn.body) if loop is None else (loop, loop.body)
    conditional = _conditional_encoder_calls(digest, owner, body)
    if loop is None and not conditional:
        return None
    if not all(conditional):
        return None if uses_cache else "reencoded"
    return "cached"


def _returns_carry(digest: NodeDigest) -> bool:
    return any(n.value is not None and any(
        (isinstance(x, ast.Name) and "carry" in x.id.lower()) or (isinstance(x, ast.Call) and "Carry" in ".".join(_dotted(x.func)))
        for x in walk(n.value)) for n in digest.of(ast.Return))


def _mode(method: str, found: tuple[ClassInfo, FnDef]) -> tuple[str | None, str, str | None]:
    """(mode, what was seen, encoder use) of one training method (as :meth:`PyIndex.methods` found it)."""
    info, fn = found
    digest = nodes(info[1], fn)
    loop = _num_act_loop(digest)
    halting = sorted({n.attr for n in digest.of(ast.Attribute) if n.attr in _HALT_ATTRS}
                     | {n.id for n in digest.of(ast.Name) if n.id in _HALT_ATTRS})
    carry = _returns_carry(digest)
    low = method.lower()
    by_name = "fixed" if ("online" in low or "fixed" in low) else "dynamic" if ("original" in low or "dynamic" in low) else None
    if loop is not None and not halting:
        iter_text = ast.unparse(loop.iter if isinstance(loop, ast.For) else loop.test)
        mode, seen = "fixed", f"{method}() loops {iter_text}"
    elif halting and carry and loop is None:
        mode, seen = "dynamic", f"{method}() uses halting ({', '.join(halting)}) and returns the carry"
    elif by_name is not None:
        mode, seen = by_name, f"{method}() is named for {by_name} mode (its body is not conclusive)"
    else:
        mode, seen = None, f"{method}() shows no num_act_steps loop and no dynamic halting"
    encoder = _encoder(digest, fn, loop)
    if encoder is not None:
        seen += "; the encoder is " + ("called once and cached" if encoder == "cached" else "called every step")
    return mode, seen, encoder


def _training_branch(digest: NodeDigest) -> list[ast.stmt] | None:
    for node in digest.of(ast.If):
        if _dotted(node.test) == ("self", "training"):
            return node.body
        if (isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)
                and _dotted(node.test.operand) == ("self", "training")):
            return node.orelse
    return None


def _self_calls(body: list[ast.stmt], known: dict) -> list[str]:
    out: list[str] = []
    for stmt in body:
        for n in walk(stmt):
            if isinstance(n, ast.Call):
                parts = _dotted(n.func)
                if len(parts) == 2 and parts[0] == "self" and parts[1] in known and parts[1] != "forward":
                    if parts[1] not in out:
                        out.append(parts[1])
    return out


def _dispatch_test(test: ast.expr) -> tuple[str, str] | None:
    """``self.config.K == "v"`` -> (K, v)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return None
    right = test.comparators[0]
    parts = _dotted(test.left)
    if not (isinstance(right, ast.Constant) and isinstance(right.value, str)):
        return None
    if len(parts) < 2 or not any(_configish(p) for p in parts[:-1]):
        return None
    return parts[-1], right.value


def _dispatch(body: list[ast.stmt], known: dict) -> tuple[str, list[tuple[str, list[str]]]] | None:
    """``if self.config.K == "v": return self.m1(...) elif ... else: ...`` -> (K, [(value|'*', methods)])."""
    for stmt in body:
        if not isinstance(stmt, ast.If) or _dispatch_test(stmt.test) is None:
            continue
        key: str | None = None
        branches: list[tuple[str, list[str]]] = []
        cur = stmt
        while True:
            found = _dispatch_test(cur.test)
            if found is None or key not in (None, found[0]):
                return None  # a chain mixing other tests: unsure
            key = found[0]
            branches.append((found[1], _self_calls(cur.body, known)))
            if len(cur.orelse) == 1 and isinstance(cur.orelse[0], ast.If):
                cur = cur.orelse[0]
                continue
            if cur.orelse:
                branches.append(("*", _self_calls(cur.orelse, known)))
            break
        return key, branches  # type: ignore[return-value]
    return None


def train_forward(index: PyIndex, sym: Symbol) -> TrainForward | None:
    known = index.methods(sym)
    if "forward" not in known:
        return None
    finfo, forward = known["forward"]
    branch = _training_branch(nodes(finfo[1], forward))
    scope = branch if branch is not None else forward.body

    def place(name: str) -> tuple[Span, Path]:
        info, fn = known[name]
        return def_spans(info[1].lines, fn)[0], info[1].path

    disp = _dispatch(scope, known)
    if disp is not None:
        key, branches = disp
        by_value: dict[str, str | None] = {}
        methods: list[str] = []
        texts: list[str] = []
        for value, called in branches:
            modes = {_mode(m, known[m])[0] for m in called}
            by_value[value] = modes.pop() if len(modes) == 1 else None
            methods += [m for m in called if m not in methods]
            texts.append(f"{value!r} -> {', '.join(m + '()' for m in called) or 'nothing'}")
        if methods:
            distinct = set(by_value.values())
            mode = distinct.pop() if len(distinct) == 1 else None
            span, path = place(methods[0])
            evidence = f"forward() dispatches on config key {key!r}: " + "; ".join(texts)
            return TrainForward(tuple(methods), mode, evidence, span, path, None, key, by_value)
    called = _self_calls(branch, known) if branch is not None else []
    if called:
        results = [_mode(m, known[m]) for m in called]
        modes = {r[0] for r in results if r[0] is not None}
        mode = modes.pop() if len(modes) == 1 and all(r[0] for r in results) else None
        encoders = {r[2] for r in results if r[2] is not None}
        span, path = place(called[0])
        evidence = "forward() calls " + "; ".join(f"{m}() in training: {r[1]}" for m, r in zip(called, results))
        return TrainForward(tuple(called), mode, evidence, span, path, encoders.pop() if len(encoders) == 1 else None)
    mode, seen, encoder = _mode("forward", known["forward"])
    span, path = place("forward")
    return TrainForward(("forward",), mode, seen, span, path, encoder)


def halting(index: PyIndex, sym: Symbol) -> Halting | None:
    known = index.methods(sym)
    if index.class_info(sym) is None:
        return None
    scope = _Scope("")
    reads: set[str] = set()
    bare: set[str] = set()  # read with no fallback value: the config must provide it
    for _, (info, fn) in known.items():
        digest = nodes(info[1], fn)
        read = [(n.attr, True) for n in digest.of(ast.Attribute) if scope.is_cfg(n.value)]
        for n in digest.of(ast.Call):
            # getattr(cfg, "k"[, default]) and cfg.get("k"[, default])
            if _dotted(n.func) == ("getattr",) and len(n.args) >= 2 and scope.is_cfg(n.args[0]):
                name, has_default = n.args[1], len(n.args) >= 3
            elif isinstance(n.func, ast.Attribute) and n.func.attr == "get" and n.args and scope.is_cfg(n.func.value):
                name, has_default = n.args[0], len(n.args) >= 2 or any(k.arg == "default" for k in n.keywords)
            else:
                continue
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                read.append((name.value, not has_default))
        for name, without_default in read:
            if name.startswith("halt_") or name == "num_act_steps":
                reads.add(name)
                if without_default:
                    bare.add(name)
    dynamic = "halt_exploration_prob" in reads
    if not dynamic and reads:
        tf = train_forward(index, sym)
        dynamic = tf is not None and tf.mode == "dynamic"
    return Halting(dynamic, tuple(sorted(reads)), tuple(sorted(reads - bare)))
