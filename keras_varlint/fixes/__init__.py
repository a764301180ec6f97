"""Fixes, after ruff's model: a finding may carry a ``Fix`` (an applicability, a one-line message
and text edits); ``apply_fixes`` applies a file's fixes without overlaps and keeps the file as it
was when the result would not parse.

Positions follow ``Finding``'s: 1-based lines, 0-based columns counted in characters. An edit
replaces ``[line:column, end_line:end_column)`` with ``content``.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from typing import Any, Iterable

SAFE, UNSAFE = "safe", "unsafe"
APPLICABILITIES = (SAFE, UNSAFE)


@dataclass(frozen=True)
class Edit:
    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "content": self.content}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Edit":
        return cls(data["line"], data["column"], data["end_line"], data["end_column"], data["content"])


@dataclass
class Fix:
    applicability: str  # SAFE or UNSAFE
    message: str
    edits: list[Edit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message,
                "edits": [e.to_json() for e in self.edits]}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Fix | None":
        if data is None:
            return None
        return cls(data["applicability"], data["message"], [Edit.from_json(e) for e in data["edits"]])


def _offsets(text: str) -> list[int]:
    """Offset of the start of each line (index 0 is line 1), plus one past the end."""
    starts, total = [], 0
    for line in text.splitlines(keepends=True):
        starts.append(total)
        total += len(line)
    starts.append(total)
    return starts


def _span(edit: Edit, starts: list[int]) -> tuple[int, int] | None:
    last = len(starts) - 1  # a position on the line after the last is the end of the text
    if not (1 <= edit.line <= last + 1 and 1 <= edit.end_line <= last + 1):
        return None
    start = starts[min(edit.line - 1, last)] + edit.column
    end = starts[min(edit.end_line - 1, last)] + edit.end_column
    return (start, end) if start <= end <= starts[-1] else None


def parses(text: str) -> bool:
    try:
        compile(text, "<fixed>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """``text`` with as many of ``fixes`` as apply without overlapping each other, in order of
    position, and the fixes applied. Identical edits (the same import added by several fixes) are
    made once. When the result does not parse, ``text`` comes back unchanged with no fix applied."""
    starts = _offsets(text)
    taken: dict[tuple[int, int], str] = {}  # span -> content
    applied: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: min(((e.line, e.column) for e in f.edits), default=(0, 0))):
        spans = [(_span(e, starts), e.content) for e in fix.edits]
        if not spans or any(s is None for s, _ in spans):
            continue
        new = {}
        for span, content in spans:
            if taken.get(span) == content or new.get(span) == content:
                continue
            overlaps = any(_overlap(span, other) for other in [*taken, *new])
            if overlaps:
                break
            new[span] = content
        else:
            taken.update(new)
            applied.append(fix)
    if not applied:
        return text, []
    out = text
    for (start, end), content in sorted(taken.items(), reverse=True):
        out = out[:start] + content + out[end:]
    if not parses(out):
        return text, []
    return out, applied


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a == b:
        return True
    if a[0] == a[1] or b[0] == b[1]:  # an insertion conflicts only strictly inside another span
        point, span = (a, b) if a[0] == a[1] else (b, a)
        return span[0] < point[0] < span[1]
    return a[0] < b[1] and b[0] < a[1]


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=path, tofile=path,
    ))
