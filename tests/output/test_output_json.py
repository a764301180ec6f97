"""The JSON report is a public contract: keys, order and types."""

from __future__ import annotations

import json

from keras_varlint.findings import Finding
from keras_varlint.output import json as json_format
from keras_varlint.result import LintResult

FINDING_KEYS = [
    "path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message",
    "layer", "attribute", "runtime", "fix",
]


def test_json_shape_and_key_order(result: LintResult, rules: dict) -> None:
    data = json.loads(json_format.render(result, rules))
    assert list(data) == ["version", "files", "findings", "errors", "layers", "unresolved"]
    assert data["version"] == 1 and data["files"] == 7
    assert data["errors"] == [{"path": "secret.py", "message": "cannot read file: Permission denied"}]
    assert [list(item) for item in data["findings"]] == [FINDING_KEYS] * len(result.findings)


def test_json_finding_values(result: LintResult, rules: dict) -> None:
    first, second = json.loads(json_format.render(result, rules))["findings"][:2]
    assert first == {
        "path": "pkg/layers.py", "line": 12, "column": 17, "end_line": 12, "end_column": 40,
        "code": "KVL001", "name": "untracked-variable", "severity": "error",
        "message": "tf.Variable stored on self.w is not tracked by Keras 3",
        "layer": "Dense2", "attribute": "w", "runtime": None, "fix": None,
    }
    assert second["runtime"] == {"status": "refuted", "detail": "b gets a gradient"}
    assert second["severity"] == "warning"


def test_json_round_trips_findings(result: LintResult, rules: dict) -> None:
    data = json.loads(json_format.render(result, rules))
    assert [Finding.from_json(item) for item in data["findings"]] == result.findings


def test_json_for_a_clean_run(rules: dict) -> None:
    assert json.loads(json_format.render(LintResult(files=2), rules)) == {
        "version": 1, "files": 2, "findings": [], "errors": [], "layers": 0, "unresolved": [],
    }


def test_json_fix_is_an_added_key_with_applicability_message_and_edits(result: LintResult, rules: dict) -> None:
    from keras_varlint.fixes import Edit, Fix

    result.findings[0].fix = Fix("safe", "Replace tf.Variable with keras.Variable", [Edit(12, 17, 12, 19, "keras")])
    data = json.loads(json_format.render(result, rules))
    assert data["findings"][0]["fix"] == {
        "applicability": "safe", "message": "Replace tf.Variable with keras.Variable",
        "edits": [{"line": 12, "column": 17, "end_line": 12, "end_column": 19, "content": "keras"}],
    }
    assert [Finding.from_json(item) for item in data["findings"]] == result.findings
