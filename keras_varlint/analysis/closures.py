"""Module-level functions that build layers and hand back a closure over them (for KVL006)."""

from __future__ import annotations

import ast
import re
from typing import Callable

from keras_varlint.discovery.bindings import dotted_name


_RETURNS_CALLABLE = re.compile(r"^[ \t]+def[ \t]|\blambda\b|\bpartial\b", re.M)


def _function_source(text: str, name: str) -> str | None:
    match = re.search(rf"^def[ \t]+{re.escape(name)}[ \t]*\(", text, re.M)
    if match is None:
        return None
    lines = text[match.start():].split("\n")
    end = 1
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() and not line[0].isspace() and not line.lstrip().startswith("#"):
            break
        end = i + 1
    return "\n".join(lines[:end])


def returns_layer_closure(text: str, name: str, is_layer_class: Callable[[str], bool]) -> bool:
    """Whether module-level ``name`` creates layers and returns a nested function, lambda or partial."""
    source = _function_source(text, name)
    if source is None or not _RETURNS_CALLABLE.search(source):
        return False
    try:
        function = ast.parse(source).body[0]
    except (SyntaxError, IndexError, RecursionError):
        return False
    if not isinstance(function, ast.FunctionDef):
        return False
    nested = {n.name for n in function.body if isinstance(n, ast.FunctionDef)}
    makes_layers = any(
        isinstance(n, ast.Call) and (callee := dotted_name(n.func)) is not None and is_layer_class(callee)
        for n in ast.walk(function)
    )
    if not makes_layers:
        return False
    for node in function.body:
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            if isinstance(value, ast.Lambda) or isinstance(value, ast.Name) and value.id in nested:
                return True
            if isinstance(value, ast.Call) and (dotted_name(value.func) or "").endswith("partial"):
                return True
    return False
