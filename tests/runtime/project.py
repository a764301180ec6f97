"""Writing small projects of layer modules to disk, and the static findings the analyzer reports on them."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from keras_varlint.engine import lint_paths
from keras_varlint.findings import Finding
from keras_varlint.settings import Settings


def write(root: Path, files: dict[str, str]) -> None:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")


def analyse(root: Path, **settings: Any) -> list[Finding]:
    """The static findings of a lint run over ``root`` with every rule selected (the default-off ones too),
    made by the engine the CLI runs, so they carry the ``extra`` that ``--runtime`` reads."""
    return lint_paths([root], Settings(select=["ALL"], use_cache=False, **settings)).findings


def pick(
    findings: list[Finding], root: Path, rel: str, cls: str, code: str,
    attribute: str | None = None, marker: str | None = None,
) -> Finding:
    """The analyzer's ``code`` finding on class ``cls`` (as the finding names it) of ``root/rel``, about
    ``attribute`` when given and on the line containing ``marker`` when given; fails when there is none,
    so that a test stops passing when the analyzer stops reporting what it confirms."""
    path = (root / rel).resolve()
    on_class = [f for f in findings if Path(f.extra["file"]).resolve() == path and f.extra.get("class") == cls]
    matches = [f for f in on_class if f.code == code and (attribute is None or f.attribute == attribute)]
    if marker is not None:
        lines = path.read_text(encoding="utf-8").splitlines()
        matches = [f for f in matches if marker in lines[f.line - 1]]
    reported = [(f.line, f.code, f.attribute) for f in on_class]
    assert matches, f"the analyzer reports no {code} on {cls} in {rel} (attribute {attribute}); it reports {reported}"
    return matches[0]
