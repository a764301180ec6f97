"""Jupyter notebooks as Python source, the way ruff lints them.

A notebook is read with ``nbformat``. Its code cells are joined into one Python text, each cell's
lines kept one for one, and a cell map records which cell and which line of it every line of the
text comes from. IPython syntax is masked, never parsed: a ``%%`` cell magic masks its whole cell;
a line magic (``%time f()``), a shell escape (``!pip install x``), an assignment from one
(``files = !ls``) and help (``obj?``, ``??obj``) mask their line, and the lines it continues with
a trailing backslash. A masked line becomes ``pass`` at the same indentation, so a magic inside a
block keeps the block valid and every other line keeps its number and columns. A cell that is
valid Python is never touched, so text that only looks like a magic inside a string stays as is.

Cells are numbered as Jupyter shows them and as ruff reports them: from 1, markdown and raw cells
included.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

NOTEBOOK_SUFFIX = ".ipynb"

_MAGIC = re.compile(r"^\s*(?:[%!?]|[\w.\[\]\s,*]+=\s*[%!])")
_HELP = re.compile(r"^\s*[\w.\[\]()]+\s*\?\??\s*$")


def is_notebook(path: Path | str) -> bool:
    return str(path).endswith(NOTEBOOK_SUFFIX)


@dataclass
class NotebookSource:
    """The Python text of a notebook's code cells and, per line of it, (cell, line in the cell)."""

    text: str
    cell_map: list[tuple[int, int]] = field(default_factory=list)

    def locate(self, line: int) -> tuple[int, int]:
        """The 1-based (cell, line in cell) of 1-based ``line`` of the text; past the end, the last."""
        if not self.cell_map:
            return 1, line
        return self.cell_map[min(max(line, 1), len(self.cell_map)) - 1]


class NotebookError(Exception):
    """The notebook cannot be read; the message is the reason."""


def _is_magic(line: str) -> bool:
    return bool(_MAGIC.match(line) or _HELP.match(line))


def mask_magics(lines: list[str]) -> list[str]:
    """``lines`` of one code cell with IPython syntax replaced by ``pass`` lines (same count)."""
    if not lines:
        return lines
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):  # a cell magic: the cell is not Python (%%bash, %%writefile)
        return ["pass" if i == 0 else "" for i in range(len(lines))]
    try:
        ast.parse("\n".join(lines))
        return lines  # valid Python: nothing to mask (and nothing inside a string gets masked)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    masked, continued = [], False
    for line in lines:
        if continued or _is_magic(line):
            indent = line[: len(line) - len(line.lstrip())]
            masked.append("" if continued else f"{indent}pass")
            continued = line.rstrip().endswith("\\")
        else:
            masked.append(line)
    return masked


def notebook_source(data: bytes) -> NotebookSource:
    """The Python text and cell map of a notebook file's bytes."""
    import nbformat

    try:  # read and converted to version 4, not validated: only the cells matter (and the
        # validator would log its complaints to stderr)
        notebook = nbformat.convert(nbformat.reader.reads(data.decode("utf-8-sig")), 4)
    except Exception as err:  # nbformat raises JSON, validation and version errors of many types
        raise NotebookError(f"cannot read notebook: {' '.join(str(err).split())[:200]}") from None
    lines: list[str] = []
    cell_map: list[tuple[int, int]] = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):  # a notebook not normalised by nbformat (v3 and older)
            source = "".join(source)
        cell_lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if cell_lines and cell_lines[-1] == "":
            cell_lines.pop()
        lines.extend(mask_magics(cell_lines))
        cell_map.extend((number, i) for i in range(1, len(cell_lines) + 1))
    return NotebookSource("\n".join(lines) + "\n" if lines else "", cell_map)
