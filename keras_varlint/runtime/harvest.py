"""Harvesting constructor arguments from literal call sites such as ``MyLayer(units=4)`` in the scanned tree.

The result maps ``"module:Class"`` to a list of keyword-argument dicts. Positional literal arguments, when
a call has them, are under the reserved key ``"*args"`` (a list). The module is resolved from the calling
file's imports (``from pkg.layers import MyLayer``, ``import pkg.layers as L; L.MyLayer(...)``) or is the
calling file's own module when the class is defined there; a call that cannot be resolved is keyed by the
bare class name. Only values ``ast.literal_eval`` accepts are kept: a keyword with another value is
dropped, and a call with a non-literal positional argument, ``*args`` or ``**kwargs`` is skipped.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from keras_varlint.discovery.bindings import resolve_relative
from keras_varlint.discovery.modules import module_name

ARGS_KEY = "*args"
MAX_PER_CLASS = 8


def harvest_call_sites(
    files: list[Path], class_names: set[str], roots: list[Path] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Literal constructor arguments of ``class_names``, gathered from calls in ``files``.

    Modules are named as static analysis names them (``discovery.modules.module_name``, with
    ``roots`` the scanned directories), so that keys match the findings' modules.
    """
    harvested: dict[str, list[dict[str, Any]]] = {}
    package_dirs: dict[Path, bool] = {}
    directories = [r.absolute() for r in roots or [] if r.is_dir()]
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if not any(name in text for name in class_names):
            continue
        try:
            tree = ast.parse(text, filename=str(path))
        except (SyntaxError, ValueError):
            continue
        module, is_package = module_name(path, package_dirs, directories)
        package = module if is_package else module.rpartition(".")[0]
        for key, entry in _calls(tree, class_names, module, package):
            entries = harvested.setdefault(key, [])
            if entry not in entries and len(entries) < MAX_PER_CLASS:
                entries.append(entry)
    return harvested


def _calls(tree: ast.Module, class_names: set[str], module: str, package: str) -> list[tuple[str, dict[str, Any]]]:
    names, modules = _imports(tree, class_names, package)
    defined_here = {n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.name in class_names}
    found: list[tuple[str, dict[str, Any]]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in names:
            cls, source = names[func.id]
        elif isinstance(func, ast.Name) and func.id in defined_here:
            cls, source = func.id, module
        elif isinstance(func, ast.Attribute) and func.attr in class_names:
            cls, source = func.attr, _dotted(func.value, modules)
        else:
            continue
        entry = _literal_arguments(node)
        if entry is not None:
            found.append((f"{source}:{cls}" if source else cls, entry))
    return found


def _imports(
    tree: ast.Module, class_names: set[str], package: str
) -> tuple[dict[str, tuple[str, str | None]], dict[str, str]]:
    """Local names bound to the classes (name -> (class, module)) and to modules (alias -> module)."""
    names: dict[str, tuple[str, str | None]] = {}
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = resolve_relative(node.module or "", node.level, package) or None
            for alias in node.names:
                if alias.name in class_names:
                    names[alias.asname or alias.name] = (alias.name, source)
                elif source is not None:  # ``from pkg import layers`` binds a module, maybe
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                modules[alias.asname or top] = alias.name if alias.asname else top
    return names, modules


def _dotted(node: ast.expr, modules: dict[str, str]) -> str | None:
    """``pkg.layers`` for the expression ``L`` after ``import pkg.layers as L`` (or ``pkg.layers`` itself)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in modules:
        return None
    return ".".join([modules[node.id], *reversed(parts)])


def _literal_arguments(call: ast.Call) -> dict[str, Any] | None:
    args: list[Any] = []
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            return None
        try:
            args.append(ast.literal_eval(arg))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return None
    kwargs: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:  # **kwargs
            return None
        try:
            kwargs[keyword.arg] = ast.literal_eval(keyword.value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    if args:
        kwargs[ARGS_KEY] = args
    return kwargs
