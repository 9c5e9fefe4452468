"""Values of Hydra override functions: sweeps, quoted strings, and the functions themselves.

A port of hydra-core 1.3's ``core/override_parser/types.py`` sweep classes and of
``_internal/grammar/grammar_functions.py`` + ``functions.py`` (argument binding
and the ``is_type_matching`` checks), without importing Hydra.  Used by
:mod:`trainpath.parsing.overrides`, which documents the public behaviour.

The functions raise what Hydra's raise (``TypeError``, ``ValueError``,
``AssertionError`` stand-ins ...); the parser turns any of them into an
``OverrideError``, as Hydra turns them into a parse error.
"""

from __future__ import annotations

import inspect
from copy import copy
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["ChoiceSweep", "Glob", "IntervalSweep", "Quoted", "RangeSweep", "Sweep", "UnknownFunction",
           "call_function", "to_plain"]


class UnknownFunction(Exception):
    """A function name Hydra does not register."""


# --------------------------------------------------------------------------- sweeps
@dataclass
class Sweep:
    """Base of the sweep values (Hydra's ``Sweep``); ``tags`` are set by ``tag()``."""

    tags: set[str] = field(default_factory=set)


@dataclass
class ChoiceSweep(Sweep):
    """``a,b`` (``simple_form``) or ``choice(a,b)``."""

    list: list[Any] = field(default_factory=list)
    simple_form: bool = False
    shuffle: bool = False


@dataclass
class RangeSweep(Sweep):
    """``range(start, stop, step)``."""

    start: Any = None
    stop: Any = None
    step: Any = 1
    shuffle: bool = False


@dataclass
class IntervalSweep(Sweep):
    """``interval(start, end)``."""

    start: Any = None
    end: Any = None


@dataclass
class Glob:
    """``glob(include, exclude)``; like Hydra's, not a ``Sweep`` subclass but still a sweep."""

    include: Any = field(default_factory=list)
    exclude: Any = field(default_factory=list)


@dataclass(frozen=True)
class Quoted:
    """Hydra's ``QuotedString`` during evaluation (no ordering, so sorting it fails as in Hydra)."""

    text: str
    quote: str


# ------------------------------------------------------------------------ functions
_NoneType = type(None)
_ELEMENT = (str, int, bool, float, list, dict)  # grammar ElementType
_PARSED = (str, int, float, bool, list, dict, Quoted, _NoneType)  # ParsedElementType
_CAST = _PARSED + (Sweep,)
_SORTABLE = _ELEMENT + (ChoiceSweep, RangeSweep)


def _check(value: Any, expected: type | tuple[type, ...]) -> bool:
    """Hydra's ``is_type_matching``: a plain type is matched exactly, a union by isinstance."""
    if isinstance(expected, tuple):
        return isinstance(value, expected)
    return type(value) is expected


def _normalize_cast(args: tuple[Any, ...], value: Any) -> Any:
    if args and value is not None:
        raise TypeError("cannot use both position and named arguments")
    if value is not None:
        return value
    if not args:
        raise TypeError("No positional args or value specified")
    if len(args) == 1:
        return args[0]
    return _simple_choice(args)


def _simple_choice(args: tuple[Any, ...]) -> ChoiceSweep:
    for arg in args:
        if not isinstance(arg, _PARSED):
            raise AssertionError(f"{type(arg).__name__} is not a value")
    return ChoiceSweep(list=list(args), simple_form=True)


def _make_cast(scalar: Callable[[Any], Any], name: str) -> Callable[..., Any]:
    def cast(*args: Any, value: Any = None) -> Any:
        v = _normalize_cast(args, value)
        if isinstance(v, Quoted):
            return cast(v.text)
        if isinstance(v, dict):
            return {k: cast(x) for k, x in v.items()}
        if isinstance(v, list):
            return [cast(x) for x in v]
        if isinstance(v, ChoiceSweep):
            items = []
            for item in v.list:
                c = cast(item)
                if not isinstance(c, _ELEMENT):
                    raise AssertionError(f"cannot cast {type(c).__name__}")
                items.append(c)
            return ChoiceSweep(list=items, simple_form=v.simple_form)
        if isinstance(v, RangeSweep):
            if name not in ("int", "float"):
                raise ValueError("Range can only be cast to int or float")
            return RangeSweep(start=cast(v.start), stop=cast(v.stop), step=cast(v.step))
        if isinstance(v, IntervalSweep):
            if name not in ("int", "float"):
                raise ValueError(f"Intervals cannot be cast to {name}")
            return IntervalSweep(start=cast(v.start), end=cast(v.end), tags=copy(v.tags))
        return scalar(v)

    return cast


def _scalar_number(conv: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def f(v: Any) -> Any:
        if not isinstance(v, (int, float, bool, str)):
            raise AssertionError(f"cannot convert {type(v).__name__}")
        return conv(v)

    return f


def _scalar_str(v: Any) -> str:
    if not isinstance(v, (int, float, bool, str)):
        raise AssertionError(f"cannot convert {type(v).__name__}")
    return str(v).lower() if isinstance(v, bool) else str(v)


def _scalar_bool(v: Any) -> bool:
    if isinstance(v, str):
        if v.lower() == "false":
            return False
        if v.lower() == "true":
            return True
        raise ValueError(f"Cannot cast '{v}' to bool")
    return bool(v)


def _choice(*args: Any) -> ChoiceSweep:
    if not args:
        raise ValueError("empty choice is not legal")
    if len(args) == 1 and isinstance(args[0], ChoiceSweep):
        if args[0].simple_form:
            args[0].simple_form = False
            return args[0]
        raise ValueError("nesting choices is not supported")
    return ChoiceSweep(list=list(args))


def _range(start: Any, stop: Any = None, step: Any = 1) -> RangeSweep:
    if stop is None:
        start, stop = 0, start
    return RangeSweep(start=start, stop=stop, step=step)


def _interval(start: Any, end: Any) -> IntervalSweep:
    return IntervalSweep(start=float(start), end=float(end))


def _tag(*args: Any, sweep: Any = None) -> Any:
    if not args:
        raise ValueError("Not enough arguments to tag, must take at least a sweep")
    if sweep is not None:
        return _tag(*args, sweep)
    last = args[-1]
    if not isinstance(last, Sweep):
        raise ValueError("Last argument to tag() must be a choice(), range() or interval()")
    tags = set()
    for t in args[:-1]:
        if not isinstance(t, str):
            raise ValueError(f"tag arguments type must be string, got {type(t).__name__}")
        tags.add(t)
    last.tags = tags
    return last


_List = list  # the builtin, for the functions whose parameter is called 'list'


def _shuffle(*args: Any, sweep: Any = None, list: Any = None) -> Any:  # noqa: A002
    if list is not None:
        return _shuffle(list)
    if sweep is not None:
        return _shuffle(sweep)
    if len(args) == 1:
        arg = args[0]
        if isinstance(arg, (ChoiceSweep, RangeSweep)):
            out = copy(arg)
            out.shuffle = True
            return out
        if isinstance(arg, _List):
            return copy(arg)  # Hydra shuffles at random; the order is not reproducible
        return [arg]
    choice = _simple_choice(args)
    choice.shuffle = True
    return choice


def _sort(*args: Any, sweep: Any = None, list: Any = None, reverse: bool = False) -> Any:  # noqa: A002
    if list is not None:
        return _sort(list, reverse=reverse)
    if sweep is not None:
        return _sort_sweep(sweep, reverse)
    if len(args) == 1:
        arg = args[0]
        if isinstance(arg, (ChoiceSweep, RangeSweep)):
            return _sort_sweep(arg, reverse)
        if isinstance(arg, _List):
            return sorted(arg, reverse=reverse)
        if isinstance(arg, _PARSED):
            return arg
        raise TypeError(f"Invalid arguments: {args}")
    for arg in args:
        if not isinstance(arg, (int, float, bool, str)):
            raise TypeError(f"Invalid arguments: {args}")
    if not args:
        raise ValueError("empty sort input")
    return _sort_sweep(_simple_choice(args), reverse)


def _sort_sweep(sweep: Any, reverse: bool) -> Any:
    sweep = copy(sweep)
    if isinstance(sweep, ChoiceSweep):
        sweep.list = sorted(sweep.list, reverse=reverse)
        return sweep
    if not reverse:
        if sweep.start > sweep.stop:
            start = sweep.stop + abs(sweep.step)
            stop = sweep.start + abs(sweep.step)
            sweep.start, sweep.stop, sweep.step = start, stop, -sweep.step
    elif sweep.start < sweep.stop:
        start = sweep.stop - abs(sweep.step)
        stop = sweep.start - abs(sweep.step)
        sweep.start, sweep.stop, sweep.step = start, stop, -sweep.step
    return sweep


def _glob(include: Any, exclude: Any = None) -> Glob:
    if isinstance(include, str):
        include = [include]
    if exclude is None:
        exclude = []
    elif isinstance(exclude, str):
        exclude = [exclude]
    return Glob(include=include, exclude=exclude)


_N = (int, float)
_SWEEP_OR_NONE = (ChoiceSweep, RangeSweep, _NoneType)
#: name -> (implementation, expected type of each parameter, for Hydra's type check).
_FUNCTIONS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "int": (_make_cast(_scalar_number(int), "int"), {"args": _CAST, "value": _CAST}),
    "str": (_make_cast(_scalar_str, "str"), {"args": _CAST, "value": _CAST}),
    "bool": (_make_cast(_scalar_bool, "bool"), {"args": _CAST, "value": _CAST}),
    "float": (_make_cast(_scalar_number(float), "float"), {"args": _CAST, "value": _CAST}),
    "choice": (_choice, {"args": _ELEMENT + (ChoiceSweep,)}),
    "range": (_range, {"start": _N, "stop": _N + (_NoneType,), "step": _N}),
    "interval": (_interval, {"start": _N, "end": _N}),
    "tag": (_tag, {"args": (str, Sweep), "sweep": (Sweep, _NoneType)}),
    "sort": (_sort, {"args": _SORTABLE, "sweep": _SWEEP_OR_NONE, "list": (list, _NoneType), "reverse": bool}),
    "shuffle": (_shuffle, {"args": _SORTABLE, "sweep": _SWEEP_OR_NONE, "list": (list, _NoneType)}),
    "glob": (_glob, {"include": (list, str), "exclude": (list, str, _NoneType)}),
}
_SIGNATURES = {name: inspect.signature(fn) for name, (fn, _) in _FUNCTIONS.items()}


def call_function(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Hydra's ``Functions.eval``: unquote top-level strings, bind, type-check, call."""
    if name not in _FUNCTIONS:
        raise UnknownFunction(f"unknown function '{name}' (available: {', '.join(sorted(_FUNCTIONS))})")
    fn, types = _FUNCTIONS[name]
    args = [a.text if isinstance(a, Quoted) else a for a in args]
    kwargs = {k: v.text if isinstance(v, Quoted) else v for k, v in kwargs.items()}
    bound = _SIGNATURES[name].bind(*args, **kwargs)
    for pname, value in bound.arguments.items():
        expected = types[pname]
        values = value if pname == "args" else (value,)
        for v in values:
            if not _check(v, expected):
                raise TypeError(f"mismatch type argument {pname}: {type(v).__name__}")
    return fn(*bound.args, **bound.kwargs)


def to_plain(v: Any) -> Any:
    """Quoted strings to ``str``, recursively, also inside sweeps."""
    if isinstance(v, Quoted):
        return v.text
    if isinstance(v, list):
        return [to_plain(x) for x in v]
    if isinstance(v, dict):
        return {to_plain(k): to_plain(x) for k, x in v.items()}
    if isinstance(v, ChoiceSweep):
        return ChoiceSweep(tags=set(v.tags), list=to_plain(v.list), simple_form=v.simple_form, shuffle=v.shuffle)
    if isinstance(v, Glob):
        return Glob(include=to_plain(v.include), exclude=to_plain(v.exclude))
    return v
