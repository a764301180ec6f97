"""A rule needs only the facts model and the rule base: no extractor, libcst or discovery internals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import keras_varlint.rules

RULES = sorted(Path(keras_varlint.rules.__file__).parent.glob("kvl*.py"))
ALLOWED = {"keras_varlint.analysis.facts", "keras_varlint.rules.base"}


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_rule_imports_only_the_facts_and_the_rule_base(path: Path) -> None:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    ours = {name for name in imported if name.split(".")[0] == "keras_varlint"}
    assert ours <= ALLOWED, f"{path.name} imports {sorted(ours - ALLOWED)}"
