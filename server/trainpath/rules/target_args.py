"""``unknown-target-arg``: a key beside ``_target_`` that the target's signature does not accept.

Only for targets resolved inside the project (third-party targets are not
ours to judge) whose signature has no ``**kwargs``, and not for classes whose
own ``__new__`` or metaclass decides what a call accepts.  Hydra never acts
on ``_target_`` by itself: in a project where no file calls
``hydra.utils.instantiate``/``call``, nothing is judged.  A node that also
has a ``name: module@Class`` is built by the script's loader from the whole
dict (``load_model_class(config.arch.name)(config_dict)``): Hydra never acts on
``_target_`` by itself, so its keys are not call arguments there.
"""

from __future__ import annotations

from typing import Iterable

from trainpath.findings import Finding, did_you_mean

CODES = ("unknown-target-arg",)
_HYDRA_KEYS = {"_target_", "_recursive_", "_convert_", "_partial_", "_args_"}
#: links whose node the training script builds itself through its loader
_LOADED_KINDS = ("model", "loss", "evaluator")


def check(model) -> Iterable[Finding]:
    if not model.project.instantiating:
        return
    idx = model.project.pyindex
    from trainpath.parsing.yaml_doc import load_yaml

    for path, links in model.name_links.items():
        loaded = {link.info.get("keypath", ())[:-1] for link in links if link.kind in _LOADED_KINDS}
        for link in links:
            if link.kind != "target" or not link.ok or link.info["keypath"][:-1] in loaded:
                continue
            sig = idx.signature(link.info["symbol"])
            if sig is None or _custom_construction(idx.class_info(link.info["symbol"])):
                continue
            params, var_kw = sig
            if var_kw:
                continue
            accepted = {p.name for p in params if p.kind in ("positional", "keyword")}
            doc = load_yaml(path)
            parent = doc.node(tuple(link.info["keypath"][:-1]))
            for entry in getattr(parent, "entries", ()):
                key = entry.key.value
                if not isinstance(key, str) or key in _HYDRA_KEYS or key in accepted:
                    continue
                near = did_you_mean(key, accepted)
                msg = f"`{key}` is not a parameter of `{link.name}`"
                if accepted:
                    msg += " (it takes " + ", ".join(f"`{a}`" for a in sorted(accepted)) + ")"
                if near:
                    msg += f"; did you mean `{near}`?"
                yield Finding("unknown-target-arg", msg, path, entry.key.span,
                              data=(("suggestion", near),) if near else ())


def _custom_construction(info) -> bool:
    """A class whose own ``__new__`` or metaclass decides what a call accepts: unsure, stay quiet."""
    if info is None:
        return False
    node = info[2]
    return (any(k.arg == "metaclass" for k in node.keywords)
            or any(getattr(stmt, "name", None) == "__new__" for stmt in node.body))
