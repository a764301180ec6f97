"""A module's summary: its bindings and class headers, from ``ast`` (see ``bindings.py``).

A file Python cannot parse still gets a summary, recovered by regular expressions over its text
(import statements and class headers, outside triple-quoted strings), so that its classes can be
judged and its syntax error reported once. Each class header yields its source segment (the lines
of its body), so that only layer classes are ever parsed by libcst.
"""

from __future__ import annotations

import ast
import bisect
import gc
import re
from pathlib import Path
from typing import Iterable

from keras_varlint.discovery.bindings import ClassHeader, ModuleSummary, bind_module, resolve_relative
from keras_varlint.discovery.modules import module_name

# A file is worth a look only if it defines a class with bases.
# On raw bytes: any identifier (not only ASCII), after \n, \r\n or an old Mac \r.
CLASS_PREFILTER = re.compile(rb"(?:^|\r)[ \t\f]*class[ \t]+[^\s(:]+[ \t]*\(", re.M)

# Outside strings: a comment, a triple-quote opener, or a one-line string (skipped whole).
_LEXEME = re.compile(r"#[^\n]*|" + r'"""' + r"|'''|" + r'"(?:[^"\\\n]|\\.)*"' + r"|'(?:[^'\\\n]|\\.)*'")
_TRIPLES = ('"' * 3, "'" * 3)
_CLASS = re.compile(r"^([ \t]*)class[ \t]+(\w+)[ \t]*(\(|:)", re.M)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+(?:\\\n[^\n#;]*)*)", re.M)
_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]+(?:\\\n[^\n#;]*)*)", re.M)
_DOTTED = re.compile(r"[A-Za-z_][\w.]*")
_DEF = re.compile(r"^def[ \t]+(\w+)", re.M)


def string_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of triple-quoted strings; quotes inside comments and one-line strings are skipped."""
    spans: list[tuple[int, int]] = []
    if _TRIPLES[0] not in text and _TRIPLES[1] not in text:
        return spans
    pos = 0
    while True:
        m = _LEXEME.search(text, pos)
        if m is None:
            return spans
        token = m.group()
        if token not in _TRIPLES:
            pos = m.end()  # a comment or a one-line string
            continue
        end = m.end()
        while True:  # the closing delimiter, not an escaped one
            end = text.find(token, end)
            if end < 0:
                spans.append((m.start(), len(text)))
                return spans
            backslashes = 0
            while backslashes < end and text[end - 1 - backslashes] == "\\":  # walk back, no copy
                backslashes += 1
            if backslashes % 2 == 0:
                break
            end += 1
        spans.append((m.start(), end + 3))
        pos = end + 3


class _Spans:
    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts = [s for s, _ in spans]
        self.spans = spans

    def inside(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and self.spans[i][0] < pos < self.spans[i][1]


def _split_top_level(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _closing_paren(text: str, start: int) -> int:
    """Index of the parenthesis closing the one just before ``start``, or -1 (comments skipped)."""
    depth, i, end = 1, start, min(len(text), start + 4000)
    while i < end:
        ch = text[i]
        if ch == "#":
            i = text.find("\n", i)
            if i < 0:
                return -1
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _parse_imports(text: str, spans: _Spans, summary: ModuleSummary) -> None:
    for m in _IMPORT.finditer(text):
        if spans.inside(m.start()):
            continue
        for item in m.group(1).replace("\\\n", " ").split(","):
            words = item.split()
            if not words or not _DOTTED.fullmatch(words[0]):
                continue
            if len(words) == 3 and words[1] == "as":
                summary.bindings[words[2]] = [words[0]]
            else:
                head = words[0].split(".")[0]
                summary.bindings[head] = [head]
    for m in _FROM.finditer(text):
        if spans.inside(m.start()):
            continue
        written = m.group(1)
        level = len(written) - len(written.lstrip("."))
        source = resolve_relative(written[level:], level, summary.package)
        if source is None:
            continue
        names = re.sub(r"#[^\n]*", "", m.group(2)).replace("\\\n", " ").strip("() \t\n")
        for item in names.split(","):
            item = item.split("#")[0]
            words = item.split()
            if not words:
                continue
            if words[0] == "*":
                summary.star_imports.append(source)
            elif len(words) == 3 and words[1] == "as":
                summary.bindings[words[2]] = [f"{source}.{words[0]}"]
            elif len(words) == 1 and words[0].isidentifier():
                summary.bindings[words[0]] = [f"{source}.{words[0]}"]


def _segment_end(lines: list[str], offsets: list[int], first_body: int, col: int, spans: _Spans) -> int:
    """0-based index of the last line belonging to a class whose body starts at ``first_body``."""
    last = first_body - 1
    for i in range(first_body, len(lines)):
        line = lines[i]
        stripped = line.lstrip(" \t\f")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent <= col and not spans.inside(offsets[i] + indent):
            break
        last = i
    return last


def summarize(path: Path, text: str, package_dirs: dict[Path, bool], roots: Iterable[Path] = ()) -> ModuleSummary:
    """The bindings and class headers of one module; ``roots`` as for ``module_name``."""
    module, is_package = module_name(path, package_dirs, roots)
    summary = ModuleSummary(str(path), module, is_package)
    collecting = gc.isenabled()
    gc.disable()  # the trees are freed by reference counting; collections only cost time here
    try:
        return _summarize(text, summary)
    finally:
        if collecting:
            gc.enable()


def _summarize(text: str, summary: ModuleSummary) -> ModuleSummary:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        line = getattr(err, "lineno", None) or 1
        column = max(0, (getattr(err, "offset", None) or 1) - 1)
        message = f"{type(err).__name__}: {err.msg}" if isinstance(err, SyntaxError) else f"cannot parse: {type(err).__name__}"
        summary.syntax_error = (message, line, column)
        return _recover(text, summary)
    try:
        return bind_module(tree, summary)
    except RecursionError:  # nested too deep for the binding walk: fall back to the text
        return _recover(text, ModuleSummary(summary.path, summary.module, summary.is_package))


def _recover(text: str, summary: ModuleSummary) -> ModuleSummary:
    """Imports and class headers found by regular expressions, for a file ``ast`` cannot walk."""
    spans = _Spans(string_spans(text))
    _parse_imports(text, spans, summary)
    summary.functions = frozenset(_DEF.findall(text))
    headers = [m for m in _CLASS.finditer(text) if not spans.inside(m.start(2))]
    if not headers:
        return summary
    lines = text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    enclosing: list[ClassHeader] = []  # open classes, innermost last
    for m in headers:
        col = len(m.group(1))
        line_index = bisect.bisect_right(offsets, m.start(2)) - 1
        bases: tuple[str, ...] = ()
        header_end = m.end()
        if m.group(3) == "(":
            close = _closing_paren(text, m.end())
            if close < 0:
                bases, header_end = ("<malformed>",), m.end()
            else:
                written = re.sub(r"#[^\n]*", "", text[m.end():close])
                bases = tuple(b for b in _split_top_level(written) if "=" not in b and _DOTTED.fullmatch(b))
                header_end = close
        first_body = bisect.bisect_right(offsets, header_end)
        # A body on the header line (`class A(B): pass`) ends there.
        end = _segment_end(lines, offsets, first_body, col, spans) if first_body < len(lines) else line_index
        end = max(end, bisect.bisect_right(offsets, header_end) - 1)
        while enclosing and not (enclosing[-1].line - 1 < line_index <= enclosing[-1].body_end - 1):
            enclosing.pop()
        # Class nested in a function: its indentation is deeper than the enclosing class body.
        local = col > 0 and (not enclosing or _in_function(lines, line_index, col))
        outer = ".".join(c.name for c in enclosing)
        header = ClassHeader(
            name=m.group(2),
            qualname=f"{outer}.{m.group(2)}" if outer and not local else m.group(2),
            line=line_index + 1,
            col=col,
            bases=bases,
            body_end=end + 1,
            local=local,
        )
        summary.classes.append(header)
        enclosing.append(header)
    return summary


def _in_function(lines: list[str], line_index: int, col: int) -> bool:
    """Whether the nearest less-indented statement above opens a function, not a class."""
    for i in range(line_index - 1, -1, -1):
        stripped = lines[i].lstrip(" \t")
        if not stripped or stripped.startswith(("#", "@")):
            continue
        if len(lines[i]) - len(stripped) < col:
            return not stripped.startswith("class ")
    return False
