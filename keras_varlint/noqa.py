"""``# noqa`` directives: the unused ones (KVL100) and adding them (``--add-noqa``).

A directive is a comment matched by flake8's own pattern (``# noqa`` or ``# noqa: CODES``,
codes compared as prefixes), found with ``tokenize`` so that text in strings never counts.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flake8.defaults import NOQA_INLINE_REGEXP
from flake8.utils import parse_comma_separated_list

from keras_varlint.findings import Finding, Severity

UNUSED_NOQA = ("KVL100", "unused-noqa")
_CODE = re.compile(r"^KVL\d+$")


@dataclass(frozen=True)
class Directive:
    line: int  # 1-based
    column: int  # 0-based, of the comment's "#"
    end_column: int
    codes: tuple[str, ...]  # empty: a bare "# noqa"


def directives(text: str) -> list[Directive]:
    """The ``# noqa`` comments of ``text`` (Python source), in order."""
    if "noqa" not in text.lower():
        return []
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT:
                continue
            match = NOQA_INLINE_REGEXP.search(token.string)
            if match is None:
                continue
            codes = tuple(parse_comma_separated_list(match.group("codes") or ""))
            found.append(Directive(token.start[0], token.start[1], token.end[1], codes))
    except (tokenize.TokenError, SyntaxError, ValueError):  # a file Python cannot read: KVL000's
        return found
    return found


def unused_noqa(file: str, text: str, reported: Mapping[int, set[str]], enabled: frozenset[str],
                known: Mapping[str, str]) -> list[Finding]:
    """KVL100 findings for ``file``: each directive listing a KVL code that suppressed nothing.

    ``reported`` maps a line to the codes found on it before ``# noqa`` was applied; ``enabled``
    are the codes this run checks; ``known`` maps every rule code to who reports it (``Rule.
    reported_by``). A code of a rule not enabled is unused too (ruff's "non-enabled"); codes of
    other tools and of the runtime checker are never judged. (A directive listing KVL100 then
    suppresses the report on its own line, as any ``# noqa`` does.)
    """
    findings = []
    for directive in directives(text):
        on_line = reported.get(directive.line, set())
        unused, unknown, disabled = [], [], []
        for code in directive.codes:
            if not _CODE.match(code):
                continue  # another tool's code (E501, F401)
            if not any(k.startswith(code) for k in known):
                unknown.append(code)
            elif all(known[k] == "runtime" for k in known if k.startswith(code)):
                continue  # found only by --runtime: cannot be judged from the source
            elif not any(k.startswith(code) for k in enabled):
                disabled.append(code)
            elif not any(found.startswith(code) for found in on_line):
                unused.append(code)
        parts = [f"{label}: {', '.join(codes)}" for label, codes in
                 (("unused", unused), ("non-enabled", disabled), ("unknown", unknown)) if codes]
        if parts:
            findings.append(Finding(
                file, directive.line, directive.column, directive.line, directive.end_column, *UNUSED_NOQA,
                Severity.INFO, f"unused `noqa` directive ({'; '.join(parts)})", extra={"file": file},
            ))
    return findings


# -- --add-noqa ------------------------------------------------------------------------------------


def with_codes(line: str, codes: list[str]) -> str:
    """``line`` with a ``# noqa`` directive listing ``codes`` besides those it already lists."""
    match = NOQA_INLINE_REGEXP.search(line)
    if match is None:
        return f"{line.rstrip()}  # noqa: {', '.join(codes)}"
    if not match.group("codes"):
        return line  # a bare "# noqa" already suppresses everything
    listed = list(parse_comma_separated_list(match.group("codes")))
    merged = listed + [code for code in codes if code not in listed]
    start = match.start("codes")
    end = start + len(match.group("codes").rstrip(", \t"))  # the group takes the separators after it
    return f"{line[:start]}{', '.join(merged)}{line[end:]}"


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def add_to_source(text: str, codes_by_line: Mapping[int, list[str]]) -> tuple[str, int]:
    """``text`` (line endings kept) with the codes added on their lines; and how many lines changed.
    A line continued with a backslash is left alone: a comment there would end the statement."""
    lines = [m.group(0) for m in _LINE.finditer(text)][:-1] or [text]
    changed = 0
    for number, codes in codes_by_line.items():
        if not 0 < number <= len(lines):
            continue
        raw = lines[number - 1]
        body = raw.rstrip("\r\n")
        if body.rstrip().endswith("\\"):
            continue
        new = with_codes(body, sorted(codes))
        if new != body:
            lines[number - 1] = new + raw[len(body):]
            changed += 1
    return "".join(lines), changed


def add_noqa(findings: list[Finding]) -> tuple[int, list[str]]:
    """Add ``# noqa: CODES`` for every finding to its file (or notebook cell); return how many
    lines changed and notes on the files left alone."""
    by_file: dict[str, dict[tuple[int | None, int], list[str]]] = {}
    for finding in findings:
        file = finding.extra.get("file")
        if not file or finding.code.startswith("KVL9") or finding.code in ("KVL000", UNUSED_NOQA[0]):
            continue  # runtime findings have no source line; a parse error or a stale directive wants a fix
        codes = by_file.setdefault(file, {}).setdefault((finding.cell, finding.line), [])
        if finding.code not in codes:
            codes.append(finding.code)
    changed, notes = 0, []
    for file, places in sorted(by_file.items()):
        path = Path(file)
        try:
            if path.suffix == ".ipynb":
                changed += _add_to_notebook(path, places)
                continue
            data = path.read_bytes()
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            text, count = add_to_source(data.decode(encoding), {line: codes for (_, line), codes in places.items()})
            if count:
                path.write_bytes(text.encode(encoding))
            changed += count
        except (OSError, SyntaxError, UnicodeError, LookupError) as err:
            notes.append(f"{file}: --add-noqa left it alone: {err}")
    return changed, notes


def _add_to_notebook(path: Path, places: Mapping[tuple[int | None, int], list[str]]) -> int:
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    changed = 0
    for (cell, line), codes in places.items():
        if cell is None or not 0 < cell <= len(notebook.cells):
            continue
        source = notebook.cells[cell - 1].source
        text, count = add_to_source(source, {line: codes})
        notebook.cells[cell - 1].source = text
        changed += count
    if changed:
        nbformat.write(notebook, str(path))
    return changed
