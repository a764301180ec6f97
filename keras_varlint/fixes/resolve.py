"""Turning a rule's ``FixSpec`` (nodes of one parsed class) into a ``Fix`` (positioned text edits)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from keras_varlint.fixes import Edit, Fix
from keras_varlint.fixes.codemod import FixSpec

if TYPE_CHECKING:
    import libcst as cst

    from keras_varlint.analysis.parse import ParsedClass, Positions
    from keras_varlint.discovery.bindings import ModuleSummary

# What a module name may already be bound to for ``module.X`` to mean what a fix wants.
_SAME_MODULE = {"keras": {"keras", "tensorflow.keras"}}


def resolve(spec: FixSpec, parsed: "ParsedClass", positions: "Positions", summary: "ModuleSummary", text: str) -> Fix | None:
    """The fix's edits, or None when one cannot be placed (no positions, a name taken)."""
    import libcst as cst

    edits: list[Edit] = []
    try:
        for node, replacement in spec.replacements:
            where = positions.range(parsed.module, node)
            if where is None:
                return None
            line, end_line = where.start.line + parsed.line_offset, where.end.line + parsed.line_offset
            if replacement is None:  # delete the statement's lines, its comment included
                if not isinstance(node, cst.SimpleStatementLine):
                    return None
                edits.append(Edit(line, 0, end_line + 1, 0, ""))
                continue
            edits.append(_replacement_edit(parsed, node, replacement))
    except LookupError:
        return None
    inside = positions.range(parsed.module, parsed.node)
    if inside is None:
        return None
    first, last = inside.start.line + parsed.line_offset, inside.end.line + parsed.line_offset
    if any(not (first <= e.line and e.end_line <= last + 1) for e in edits):
        return None  # a fix changes only its finding's class (and the file's imports)
    for module in spec.imports:
        bound = summary.bindings.get(module)
        if bound:
            if not set(bound) <= _SAME_MODULE.get(module, {module}):
                return None  # the name means something else here
            continue
        edit = import_edit(text, module)
        if edit is None:
            return None
        edits.append(edit)
    return Fix(spec.applicability, spec.message, edits)


def _replacement_edit(parsed: "ParsedClass", node: "cst.CSTNode", replacement: "cst.CSTNode | str") -> Edit:
    """The one edit that turns the parsed tree's code into the code with ``node`` replaced: rendered
    in place, so that the new node's lines keep the indentation of the blocks around it."""
    import libcst as cst

    if isinstance(replacement, str):
        replacement = cst.parse_expression(replacement) if isinstance(node, cst.BaseExpression) else cst.parse_statement(replacement)
    before = parsed.module.code
    after = parsed.module.deep_replace(node, replacement).code
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return Edit(*_position(before, start, parsed.line_offset), *_position(before, len(before) - end, parsed.line_offset),
                after[start:len(after) - end])


def _position(text: str, offset: int, line_offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line + line_offset, offset - (text.rfind("\n", 0, offset) + 1)


def import_edit(text: str, module: str) -> Edit | None:
    """An edit adding ``import <module>`` to the file's leading imports: before the first plain
    ``import`` that sorts after it (isort's order), else after the last one, else after the
    docstring and ``__future__`` imports."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    body = tree.body
    index = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        index = 1
    after = body[index - 1].end_lineno if index else 0  # line after which to insert by default
    last_plain = None
    for statement in body[index:]:
        if not isinstance(statement, (ast.Import, ast.ImportFrom)):
            break
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            after = statement.end_lineno
            continue
        if isinstance(statement, ast.Import):
            if statement.names[0].name.lower() > module:
                return Edit(statement.lineno, 0, statement.lineno, 0, f"import {module}\n")
            last_plain = statement.end_lineno
        elif last_plain is None:  # `from x import y` first: straight imports go before it (isort)
            return Edit(statement.lineno, 0, statement.lineno, 0, f"import {module}\n")
    if last_plain is not None:
        after = last_plain
    return Edit((after or 0) + 1, 0, (after or 0) + 1, 0, f"import {module}\n")
