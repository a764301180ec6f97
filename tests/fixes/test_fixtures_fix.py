"""``keras-varlint --fix`` on a copy of the bundled fixtures: afterwards a plain run finds only
findings that carry no fix; every fixed file parses; nothing outside a finding's class changes
but an added ``import keras``; and a second --fix changes nothing."""

from __future__ import annotations

import ast
import difflib
import json
import shutil
from pathlib import Path

import pytest

from keras_varlint.interfaces.cli import main

FIXTURES = Path(__file__).parent.parent.parent / "fixtures"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([".", "--no-cache", "--select", "ALL", *args])
    return code, capsys.readouterr().out


def _sources(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.py"))}


def _changed_outside_classes(before: str, after: str) -> list[str]:
    classes = [(n.lineno, n.end_lineno) for n in ast.walk(ast.parse(before)) if isinstance(n, ast.ClassDef)]
    old, new = before.splitlines(), after.splitlines()
    outside = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "insert" and new[j1:j2] == ["import keras"]:
            continue
        if tag == "insert":  # after old line i1 (1-based): inside a class when that line is
            inside = any(a <= i1 <= b - 1 for a, b in classes)
        else:
            inside = all(any(a <= line + 1 <= b for a, b in classes) for line in range(i1, i2))
        if not inside:
            outside.append(f"{tag} {old[i1:i2]} -> {new[j1:j2]}")
    return outside


def test_fixing_the_fixtures_leaves_only_findings_without_a_fix(tmp_path, monkeypatch, capsys) -> None:
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    monkeypatch.chdir(root)
    before = _sources(root)
    code, out = _run(capsys, "--format", "json")
    findings = json.loads(out)["findings"]
    kinds = [f["fix"]["applicability"] for f in findings if f["fix"]]
    assert kinds.count("safe") >= 25 and kinds.count("unsafe") >= 8, kinds

    code, out = _run(capsys, "--fix", "--unsafe-fixes")
    remaining = len(findings) - len(kinds)
    assert out.endswith(f"Found {len(findings)} errors ({len(kinds)} fixed, {remaining} remaining).\n")
    after = _sources(root)
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) >= 8
    for name in changed:
        ast.parse(after[name])  # every fixed file parses
        assert _changed_outside_classes(before[name], after[name]) == [], name

    code, out = _run(capsys, "--format", "json")
    left = json.loads(out)["findings"]
    assert len(left) == remaining and [f for f in left if f["fix"]] == []

    code, out = _run(capsys, "--fix", "--unsafe-fixes")
    assert _sources(root) == after  # idempotent
    assert f"Found {remaining} errors (0 fixed, {remaining} remaining)." in out


def test_diff_shows_exactly_what_fix_writes(tmp_path, monkeypatch, capsys) -> None:
    from keras_varlint.fixes import unified_diff

    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    monkeypatch.chdir(root)
    before = _sources(root)
    code, diff = _run(capsys, "--diff", "--unsafe-fixes")
    assert code == 1 and _sources(root) == before  # --diff writes nothing
    _run(capsys, "--fix", "--unsafe-fixes")
    after = _sources(root)
    assert diff == "".join(unified_diff(name, before[name], after[name]) for name in sorted(before) if before[name] != after[name])
