"""Attribute paths of the variables reachable from a Keras 3 model or layer (``blocks[2].attn.w``).

Backend-agnostic: only Keras, and TensorFlow's ``tf.Variable`` class when TensorFlow is already imported.
Paths through public attributes win over private ones, then shorter paths; layers that no attribute
reaches (a functional model's layers) are reached as ``layers[i]``.
"""

from __future__ import annotations

import collections.abc as abc
import heapq
import inspect
import itertools
import sys
from dataclasses import dataclass, field
from typing import Any

from keras_varlint.runtime import introspect

_MAX_DEPTH = 8
_MAX_ITEMS = 256
_MAX_NODES = 20000
_LIBRARY_PREFIXES = ("keras.", "tensorflow.", "tf_keras.", "jax.", "jaxlib.", "numpy.", "torch.")


def variable_types() -> tuple[type, ...]:
    """``keras.Variable`` (the backend-independent base), and ``tf.Variable`` if TensorFlow is loaded."""
    from keras.src.backend.common.variables import Variable

    types: list[type] = [Variable]
    tf = sys.modules.get("tensorflow")
    if tf is not None and hasattr(tf, "Variable"):
        types.append(tf.Variable)
    return tuple(types)


def variable_key(variable: Any) -> int:
    return id(variable)


def tracked_ids(model: Any) -> set[int]:
    """Ids of the variables ``model.variables`` lists, and of the backend variables they wrap."""
    ids: set[int] = set()
    for variable in model.variables:
        ids.add(id(variable))
        inner = getattr(variable, "_value", None)
        if inner is not None:
            ids.add(id(inner))
    return ids


@dataclass
class VariableMap:
    """Every variable found from the root: id -> (attribute path, variable)."""

    paths: dict[int, str] = field(default_factory=dict)
    objects: dict[int, Any] = field(default_factory=dict)

    def path(self, variable: Any) -> str:
        return self.paths.get(id(variable)) or introspect.display_name(variable)


def find_variables(root: Any) -> VariableMap:
    """Walk ``root``'s attributes (and those of its sublayers and plain holder objects) for variables."""
    kinds = variable_types()
    found = VariableMap()
    counter = itertools.count()
    heap: list[tuple[int, int, int, str, Any]] = [(0, 0, next(counter), "", root)]
    seen: set[int] = set()
    while heap and len(seen) < _MAX_NODES:
        private, depth, _, path, obj = heapq.heappop(heap)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, kinds):
            found.paths.setdefault(id(obj), path)
            found.objects.setdefault(id(obj), obj)
            continue
        if depth >= _MAX_DEPTH:
            continue
        for name, child, is_private in _children(obj):
            if id(child) in seen or isinstance(child, (str, bytes, int, float, bool, type(None))):
                continue
            child_path = _join(path, name)
            heapq.heappush(heap, (private + is_private, depth + 1, next(counter), child_path, child))
    return found


def _join(path: str, name: str) -> str:
    if name.startswith("["):
        return path + name
    return f"{path}.{name}" if path else name


def _children(obj: Any) -> list[tuple[str, Any, int]]:
    """(name, child, 1 if through a private attribute) for what ``obj`` holds."""
    if isinstance(obj, abc.Mapping):
        return [(f"[{k!r}]", v, 0) for k, v in itertools.islice(obj.items(), _MAX_ITEMS)]
    if isinstance(obj, (abc.Sequence, abc.Set)) and not isinstance(obj, (str, bytes)):
        return [(f"[{i}]", v, 0) for i, v in enumerate(itertools.islice(obj, _MAX_ITEMS))]
    if inspect.isroutine(obj):
        if (getattr(obj, "__module__", None) or "").split(".")[0] in ("keras", "tensorflow", "jax", "numpy"):
            return []
        code = getattr(obj, "__code__", None)
        result = []
        for name, cell in zip(getattr(code, "co_freevars", ()), getattr(obj, "__closure__", None) or ()):
            try:
                result.append((name, cell.cell_contents, 0))
            except ValueError:
                continue
        return result
    if introspect.is_layer(obj):
        internals = introspect._base_internals(obj)
        items = [
            (*_public_name(type(obj), name), value)
            for name, value in list(vars(obj).items())
            if name not in internals and not name.startswith("_self_") and not _skipped_value(value)
        ]
        items = [(name, value, private) for name, private, value in items]
        try:
            layers = list(obj.layers) if hasattr(type(obj), "layers") else []
        except Exception:  # noqa: BLE001
            layers = []
        items += [(f"layers[{i}]", layer, 1) for i, layer in enumerate(layers)]  # after attribute paths
        return items
    if inspect.ismodule(obj) or inspect.isclass(obj) or hasattr(obj, "dtype") or not hasattr(obj, "__dict__"):
        return []
    module = type(obj).__module__ or ""
    if module.startswith(_LIBRARY_PREFIXES) and type(obj).__name__ != "Module":
        return []  # optimizers, metrics, losses, initializers: not the model's state
    return [
        (name, value, int(name.startswith("_")))
        for name, value in list(vars(obj).items())
        if not name.startswith("_self_")
    ]


def _public_name(klass: type, name: str) -> tuple[str, int]:
    """``kernel`` for ``_kernel`` when the class has a ``kernel`` property (Keras's Dense); else the name,
    with 1 when it is private."""
    if name.startswith("_") and not name.startswith("__"):
        if isinstance(getattr(klass, name[1:], None), property):
            return name[1:], 0
        return name, 1
    return name, 0


def _skipped_value(value: Any) -> bool:
    """Objects a compiled model holds that are not its weights: optimizer, metrics, losses, history."""
    module = type(value).__module__ or ""
    if not module.startswith(("keras.", "tf_keras.")) or isinstance(value, variable_types()):
        return False
    return not introspect.is_layer(value) and not isinstance(value, (abc.Mapping, abc.Sequence, abc.Set))
