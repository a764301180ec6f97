"""Writing small projects of layer modules to disk, and static findings that point into them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from keras_varlint.findings import Finding, Severity


def write(root: Path, files: dict[str, str]) -> None:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")


def static(
    root: Path, rel: str, cls: str, code: str, attribute: str | None = None, marker: str | None = None
) -> Finding:
    """A static finding on ``cls`` in ``root/rel``, at the line containing ``marker`` (else the class line),
    with the ``extra`` the CLI engine provides."""
    path = root / rel
    lines = path.read_text(encoding="utf-8").splitlines()
    class_line = next(i for i, text in enumerate(lines, 1) if text.lstrip().startswith(f"class {cls.split('.')[-1]}"))
    line = next(i for i, text in enumerate(lines, 1) if marker in text) if marker else class_line
    module = ".".join(Path(rel).with_suffix("").parts)
    return Finding(
        path=rel,
        line=line,
        column=4,
        end_line=line,
        end_column=40,
        code=code,
        name="static-rule",
        severity=Severity.ERROR,
        message=f"static {code}",
        layer=cls,
        attribute=attribute,
        extra={"file": str(path), "module": module, "root": str(root), "class": cls, "class_line": class_line},
    )
