"""``--runtime`` on the bundled ``fixtures/``: every static finding whose rule has a runtime counterpart is
confirmed, nothing is found that the static rules missed, and the layer classes of the clean fixtures
run clean. One worker run for the whole module."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from keras_varlint.runtime.confirm import ClassTarget, apply_results, group_findings, run_classes
from keras_varlint.runtime.verdict import CREATED_IN_CALL, NO_GRADIENT, PLAIN_TENSOR, READ_ONLY_PROPERTY, UNTRACKED
from keras_varlint.settings import Settings

pytestmark = pytest.mark.runtime

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CHECKED = UNTRACKED | CREATED_IN_CALL | NO_GRADIENT | PLAIN_TENSOR | READ_ONLY_PROPERTY
MIN_CLEAN_CHECKED = 0.9  # share of the clean leaf classes that must be constructible and callable


def clean_leaf_classes() -> list[ClassTarget]:
    """Top-level classes of ``*clean*.py`` fixtures (and the seed's clean examples) that no other code in
    their file instantiates or subclasses: a class used inside another is only clean in that context."""
    files = sorted(FIXTURES.glob("*clean*.py")) + [FIXTURES / "seed" / "example1.py", FIXTURES / "seed" / "example3.py"]
    targets = []
    for path in files:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
        used = {b.id for c in classes for b in c.bases if isinstance(b, ast.Name)}
        used |= {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        module = ".".join(path.relative_to(FIXTURES).with_suffix("").parts)
        targets += [ClassTarget(str(FIXTURES), module, str(path), c.name) for c in classes if c.name not in used]
    return targets


@pytest.fixture(scope="module")
def fixture_run(tf: Any) -> dict[str, Any]:
    from keras_varlint.engine import lint_paths

    findings = lint_paths([FIXTURES], Settings(select=["ALL"], use_cache=False)).findings
    groups = group_findings(findings)
    clean = [t for t in clean_leaf_classes() if t not in groups]
    results = run_classes([*groups, *clean], Settings(), [FIXTURES])
    return {"findings": findings, "new": apply_results(groups, results), "clean": {t: results[t] for t in clean}}


def test_every_finding_with_a_runtime_counterpart_is_confirmed(fixture_run: dict[str, Any]) -> None:
    checked = [f for f in fixture_run["findings"] if f.code in CHECKED]
    assert checked, "the static analysis found nothing to confirm in fixtures/"
    unconfirmed = [
        f"{f.path}:{f.line} {f.code} {f.runtime}" for f in checked if (f.runtime or {}).get("status") != "confirmed"
    ]
    assert not unconfirmed, "\n".join(unconfirmed)


def test_the_runtime_finds_nothing_the_static_rules_missed(fixture_run: dict[str, Any]) -> None:
    assert [f"{f.path}:{f.line} {f.code} {f.message}" for f in fixture_run["new"]] == []


def test_clean_fixture_classes_run_clean(fixture_run: dict[str, Any]) -> None:
    clean = {t: r for t, r in fixture_run["clean"].items() if r.is_layer}  # helpers such as tf.Module subclasses
    problems = [f"{t.module}:{t.name}\n{r.report}" for t, r in clean.items() if r.checked and not r.report.ok]
    assert not problems, "\n".join(problems)
    unchecked = {f"{t.module}:{t.name}": r.reason for t, r in clean.items() if not r.checked}
    assert len(unchecked) <= (1 - MIN_CLEAN_CHECKED) * len(clean), unchecked
