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
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator

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
    # id(object) -> (the object holding it, the attribute or index it is held under, as written in code)
    parents: dict[int, tuple[Any, str]] = field(default_factory=dict)

    def path(self, variable: Any) -> str:
        return self.paths.get(id(variable)) or introspect.display_name(variable)


def find_variables(root: Any) -> VariableMap:
    """Walk ``root``'s attributes (and those of its sublayers and plain holder objects) for variables."""
    kinds = variable_types()
    found = VariableMap()
    counter = itertools.count()
    heap: list[tuple[int, int, int, str, Any, Any, str]] = [(0, 0, next(counter), "", root, None, "")]
    seen: set[int] = set()
    while heap and len(seen) < _MAX_NODES:
        private, depth, _, path, obj, parent, raw = heapq.heappop(heap)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if parent is not None:
            found.parents[id(obj)] = (parent, raw)
        if isinstance(obj, kinds):
            found.paths.setdefault(id(obj), path)
            found.objects.setdefault(id(obj), obj)
            continue
        if depth >= _MAX_DEPTH:
            continue
        for name, child, is_private, raw_name in _children(obj):
            if id(child) in seen or isinstance(child, (str, bytes, int, float, bool, type(None))):
                continue
            child_path = _join(path, name)
            heapq.heappush(heap, (private + is_private, depth + 1, next(counter), child_path, child, obj, raw_name))
    return found


def _join(path: str, name: str) -> str:
    if name.startswith("["):
        return path + name
    return f"{path}.{name}" if path else name


def _children(obj: Any) -> list[tuple[str, Any, int, str]]:
    """(name, child, 1 if through a private attribute, the name as written in code) for what ``obj`` holds."""
    if isinstance(obj, abc.Mapping):
        return [(f"[{k!r}]", v, 0, f"[{k!r}]") for k, v in itertools.islice(obj.items(), _MAX_ITEMS)]
    if isinstance(obj, (abc.Sequence, abc.Set)) and not isinstance(obj, (str, bytes)):
        return [(f"[{i}]", v, 0, f"[{i}]") for i, v in enumerate(itertools.islice(obj, _MAX_ITEMS))]
    if inspect.isroutine(obj):
        if (getattr(obj, "__module__", None) or "").split(".")[0] in ("keras", "tensorflow", "jax", "numpy"):
            return []
        code = getattr(obj, "__code__", None)
        result = []
        for name, cell in zip(getattr(code, "co_freevars", ()), getattr(obj, "__closure__", None) or ()):
            try:
                result.append((name, cell.cell_contents, 0, "[closure]"))
            except ValueError:
                continue
        return result
    if introspect.is_layer(obj):
        internals = introspect._base_internals(obj)
        items = [
            (*_public_name(type(obj), name), value, name)
            for name, value in list(vars(obj).items())
            if name not in internals and not name.startswith("_self_") and not _skipped_value(value)
        ]
        items = [(name, value, private, raw) for name, private, value, raw in items]
        try:
            layers = list(obj.layers) if hasattr(type(obj), "layers") else []
        except Exception:  # noqa: BLE001
            layers = []
        items += [(f"layers[{i}]", layer, 1, "[layers]") for i, layer in enumerate(layers)]  # after attributes
        return items
    if inspect.ismodule(obj) or inspect.isclass(obj) or hasattr(obj, "dtype") or not hasattr(obj, "__dict__"):
        return []
    module = type(obj).__module__ or ""
    if module.startswith(_LIBRARY_PREFIXES) and type(obj).__name__ != "Module":
        return []  # optimizers, metrics, losses, initializers: not the model's state
    return [
        (name, value, int(name.startswith("_")), name)
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


def creation_site(found: VariableMap, key: int) -> tuple[str, int] | None:
    """Where user code put the variable ``key`` (or the library layer holding it) on an attribute: the line
    ``self.<attribute> = ...`` (or ``.append(...)``, ``setattr(self, "<attribute>", ...)``) in the innermost
    user class on its path; that class's ``class`` line when no such line is found; None without one."""
    from keras_varlint.runtime.errors import is_user_file

    node, fallback = key, None
    for _ in range(64):
        if node not in found.parents:
            break
        holder, raw = found.parents[node]
        node = id(holder)
        if raw.startswith("[") or isinstance(holder, (abc.Mapping, abc.Sequence, abc.Set)):
            continue
        pattern = re.compile(
            rf"\bself\.{re.escape(raw)}\s*(?::[^=]*)?=(?!=)|\bself\.{re.escape(raw)}\.append\("
            rf"|setattr\(\s*self\s*,\s*['\"]{re.escape(raw)}['\"]"
        )
        for klass in type(holder).__mro__:
            for file, start, lines in _method_sources(klass):
                if not is_user_file(file):
                    break
                fallback = fallback or _class_line(klass, file, start)
                for offset, text in enumerate(lines):
                    if pattern.search(text):
                        return file, start + offset
    return fallback


def _method_sources(klass: type) -> Iterator[tuple[str, int, list[str]]]:
    """(file, first line, source lines) of each function defined in ``klass`` (from their code objects,
    so it works for a class whose module is not in ``sys.modules``)."""
    for value in list(vars(klass).values()):
        function = getattr(value, "__func__", value)
        code = getattr(function, "__code__", None)
        if code is None:
            continue
        try:
            lines, start = inspect.getsourcelines(function)
        except (OSError, TypeError):
            continue
        yield code.co_filename, start, lines


def _class_line(klass: type, file: str, method_start: int) -> tuple[str, int]:
    try:
        return file, inspect.getsourcelines(klass)[1]
    except (OSError, TypeError):
        return file, method_start
