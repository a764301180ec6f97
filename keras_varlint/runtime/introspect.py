"""Looking inside a layer: its tree of sublayers, its variables, and which attribute holds what.

Works by duck typing on Keras 3 (TensorFlow backend) and tf_keras layers; TensorFlow is passed in.
"""

from __future__ import annotations

import collections.abc as abc
import functools
import inspect
from dataclasses import dataclass, field
from typing import Any, Iterator

_MAX_DEPTH = 4  # attribute nesting followed when looking for variables (e.g. ``holder.vs[0]``)
_MAX_ITEMS = 256  # container elements looked at per container
_MAX_NODES = 4096  # objects looked at per attribute
_LIBRARIES = ("tensorflow", "keras", "tf_keras", "numpy")
_BASE_INTERNALS: dict[type, frozenset[str]] = {}


def is_layer(obj: object) -> bool:
    return hasattr(obj, "_flatten_layers") and hasattr(obj, "trainable_variables") and callable(obj)


def keras_flavour(layer: object) -> str:
    """"keras3" or "tf_keras" from where the layer's Keras base class lives."""
    for klass in type(layer).__mro__:
        module = klass.__module__ or ""
        if module.startswith("tf_keras.") or module.startswith("tensorflow.python.keras."):
            return "tf_keras"
        if module.startswith("keras."):
            return "keras3"
    return "unknown"


def as_tf_variable(obj: object, tf: Any) -> Any | None:
    """The ``tf.Variable`` the tape sees for ``obj``: a Keras 3 Variable's ``_value``, an autocast
    variable's inner variable, a ``tf.Variable`` itself; None for anything else."""
    inner = getattr(obj, "_value", None)
    if not isinstance(obj, tf.Variable) and isinstance(inner, tf.Variable) and hasattr(obj, "assign"):
        obj = inner
    if not isinstance(obj, tf.Variable):
        return None
    wrapped = getattr(obj, "_variable", None)  # tf_keras AutocastVariable
    return wrapped if isinstance(wrapped, tf.Variable) else obj


def display_name(variable: object) -> str:
    """Keras 3 ``variable.path``; otherwise ``variable.name`` without the ``:0`` suffix."""
    path = getattr(variable, "path", None)
    if isinstance(path, str) and path:
        return path
    name = str(getattr(variable, "name", "") or "<unnamed>")
    return name[:-2] if name.endswith(":0") else name


def accepts_training(layer: object) -> bool:
    """Whether ``layer.call`` takes a ``training`` argument (explicitly or through ``**kwargs``)."""
    try:
        params = inspect.signature(layer.call).parameters  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return False
    return "training" in params


def layer_tree(root: object) -> list[tuple[str, object]]:
    """Every layer under ``root`` (itself first), breadth first, with its path of layer names."""
    result: list[tuple[str, object]] = [(str(getattr(root, "name", type(root).__name__)), root)]
    seen = {id(root)}
    index = 0
    while index < len(result):
        path, layer = result[index]
        index += 1
        try:
            children = layer._flatten_layers(include_self=False, recursive=False)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001  (a broken user layer must not break the walk)
            children = []
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                result.append((f"{path}/{getattr(child, 'name', type(child).__name__)}", child))
    return result


@dataclass
class AttributeIndex:
    """Which attribute of which layer in the tree holds each variable (by ``id`` of its tf.Variable),
    and which attributes hold plain float tensors."""

    variables: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (layer path, attribute)
    tensors: list[tuple[str, str, Any]] = field(default_factory=list)  # (layer path, attribute, tensor)
    arrays: list[tuple[str, str]] = field(default_factory=list)  # (layer path, attribute) of float numpy arrays
    sublayers: dict[str, tuple[str, str]] = field(default_factory=dict)  # child path -> (parent path, attribute)
    objects: dict[int, Any] = field(default_factory=dict)  # keeps indexed variables alive, by id

    def merge(self, other: "AttributeIndex") -> None:
        """Add what ``other`` knows and this index does not (earlier observations win)."""
        for key, where in other.variables.items():
            if key not in self.variables:
                self.variables[key] = where
                self.objects[key] = other.objects[key]


def index_attributes(tree: list[tuple[str, object]], tf: Any) -> AttributeIndex:
    """Walk ``vars()`` of every layer in the tree for variables, tensors and sublayers, preferring public
    names."""
    index = AttributeIndex()
    ranks: dict[int, tuple[int, int]] = {}
    in_tree = {id(layer) for _, layer in tree}
    paths = {id(layer): path for path, layer in tree}
    for path, layer in tree:
        internals = _base_internals(layer)
        for name, value in list(vars(layer).items()):
            if name in internals or name.startswith("_self_"):
                continue
            private = int(name.startswith("_"))
            for expr, depth, obj in _walk(value, name, 0, in_tree, set()):
                variable = as_tf_variable(obj, tf)
                if variable is not None:
                    key = id(variable)
                    rank = (private, depth)
                    if key not in ranks or rank < ranks[key]:
                        ranks[key] = rank
                        index.variables[key] = (path, expr)
                        index.objects[key] = variable
                elif depth <= 1 and _is_float_tensor(obj, tf):
                    index.tensors.append((path, expr, obj))
                elif depth == 0 and _is_float_array(obj):
                    index.arrays.append((path, expr))
                elif id(obj) in in_tree and paths[id(obj)].startswith(path + "/"):
                    index.sublayers.setdefault(paths[id(obj)], (path, expr))
    return index


def _walk(value: Any, expr: str, depth: int, in_tree: set[int], seen: set[int]) -> Iterator[tuple[str, int, Any]]:
    """Yield (attribute expression, depth, object) for ``value`` and what it contains."""
    if id(value) in seen or depth > _MAX_DEPTH or len(seen) > _MAX_NODES:
        return
    seen.add(id(value))
    yield expr, depth, value
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        return
    if isinstance(value, functools.partial):
        parts = [("func", value.func), *((f"args[{i}]", a) for i, a in enumerate(value.args))]
        parts += [(f"keywords[{k!r}]", v) for k, v in value.keywords.items()]
        for name, item in parts:
            yield from _walk(item, f"{expr}.{name}", depth + 1, in_tree, seen)
        return
    if inspect.isroutine(value):  # a closure over layers or variables, or a bound method of a holder
        if (getattr(value, "__module__", None) or "").split(".")[0] in _LIBRARIES:
            return  # an activation or other library function
        code = getattr(value, "__code__", None)
        cells = getattr(value, "__closure__", None) or ()
        for name, cell in zip(getattr(code, "co_freevars", ()), cells):
            try:
                item = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            yield from _walk(item, f"{expr}.{name}", depth + 1, in_tree, seen)
        owner = getattr(value, "__self__", None)
        if owner is not None and not inspect.ismodule(owner):
            yield from _walk(owner, expr, depth + 1, in_tree, seen)
        return
    if is_layer(value):
        if id(value) in in_tree:
            return  # a sublayer: indexed as its own tree node
        for variable in _safe_list(lambda: value.variables):  # a layer Keras does not see: not tracked
            yield f"{expr}.{display_name(variable).rsplit('/', 1)[-1]}", depth + 1, variable
        return
    if inspect.ismodule(value) or inspect.isclass(value) or hasattr(value, "dtype"):
        return  # tensors, variables, numpy arrays
    if isinstance(value, abc.Mapping):
        for i, (key, item) in enumerate(value.items()):
            if i >= _MAX_ITEMS:
                break
            yield from _walk(item, f"{expr}[{key!r}]", depth + 1, in_tree, seen)
    elif isinstance(value, (abc.Sequence, abc.Set)):
        for i, item in enumerate(value):
            if i >= _MAX_ITEMS:
                break
            yield from _walk(item, f"{expr}[{i}]", depth + 1, in_tree, seen)
    elif hasattr(value, "__dict__"):  # a tf.Module or a plain holder object
        for name, item in list(vars(value).items()):
            if not name.startswith("_self_"):
                yield from _walk(item, f"{expr}.{name}", depth + 1, in_tree, seen)


def _safe_list(get: Any) -> list:
    try:
        return list(get())
    except Exception:  # noqa: BLE001
        return []


def _is_float_array(obj: Any) -> bool:
    kind = getattr(getattr(obj, "dtype", None), "kind", None)
    return type(obj).__module__ == "numpy" and kind == "f" and getattr(obj, "ndim", 0) > 0


def _is_float_tensor(obj: Any, tf: Any) -> bool:
    return tf.is_tensor(obj) and not isinstance(obj, tf.Variable) and obj.dtype.is_floating and hasattr(obj, "numpy")


def _base_internals(layer: object) -> frozenset[str]:
    """Attribute names Keras's own base ``Layer`` sets on every instance (bookkeeping, not user state)."""
    base = next(
        (
            k
            for k in type(layer).__mro__
            if k.__name__ == "Layer" and (k.__module__ or "").startswith(("keras.", "tf_keras.", "tensorflow."))
        ),
        None,
    )
    if base is None:
        return frozenset()
    if base not in _BASE_INTERNALS:
        try:
            names = frozenset(vars(base()))
        except Exception:  # noqa: BLE001
            names = frozenset()
        _BASE_INTERNALS[base] = names - {"name"}
    return _BASE_INTERNALS[base]
