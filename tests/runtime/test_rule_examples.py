"""The documented examples of the runtime codes (KVL901-KVL905), run through the oracle (``check_layer``;
a model example through ``check_model``): each invalid example reports exactly its ``# KVLxxx`` markers at
their lines, each valid example is clean."""

from __future__ import annotations

import importlib.util
import inspect
import textwrap
from pathlib import Path
from typing import Any

import pytest

from keras_varlint.rules import registry
from keras_varlint.runtime.inputs import make_inputs, plan_inputs
from keras_varlint.runtime.oracle import CreationLog, run_check
from keras_varlint.runtime.report import RuntimeReport
from tests.helpers import expected_codes

pytestmark = pytest.mark.runtime

RUNTIME_RULES = [rule for rule in registry().values() if rule.reported_by == "runtime"]
EXAMPLES = [
    (rule.code, kind, index, source)
    for rule in RUNTIME_RULES
    for kind, sources in (("invalid", rule.examples.invalid), ("valid", rule.examples.valid))
    for index, source in enumerate(sources)
]


def run_example(source: str, path: Path, tf: Any) -> RuntimeReport:
    """Import the example from a file (so findings have lines), construct its layer and check it."""
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (cls,) = [c for c in vars(module).values() if inspect.isclass(c) and c.__module__ == module.__name__]
    if any(k.__name__ == "Model" for k in cls.__mro__):
        import numpy as np

        from keras_varlint.runtime.model import check_model

        return check_model(cls(), np.ones((4, 3), "float32"))
    log = CreationLog()
    with log.recording(tf):
        layer = cls()
    return run_check(layer, make_inputs(plan_inputs(layer)[0]), {}, log=log)


def test_every_runtime_code_has_examples() -> None:
    assert sorted(rule.code for rule in RUNTIME_RULES) == ["KVL901", "KVL902", "KVL903", "KVL904", "KVL905"]


@pytest.mark.parametrize(("code", "kind", "index", "source"), EXAMPLES, ids=[f"{c}-{k}{i}" for c, k, i, _ in EXAMPLES])
def test_rule_example(code: str, kind: str, index: int, source: str, tmp_path: Path, tf: Any) -> None:
    report = run_example(source, tmp_path / f"{code.lower()}_{kind}{index}.py", tf)
    found = sorted((f.line, f.code) for f in report.findings)
    expected = expected_codes(textwrap.dedent(source).lstrip("\n")) if kind == "invalid" else []
    assert found == expected, str(report)
    if kind == "invalid":
        assert expected and all(code == c for _, c in expected)
