"""SARIF 2.1.0 output, checked by hand against the schema's required properties."""

from __future__ import annotations

import json
from typing import Any

from keras_varlint.output import sarif
from keras_varlint.result import LintResult

LEVELS = {"none", "note", "warning", "error"}


def check_message(message: Any) -> None:
    assert isinstance(message, dict) and isinstance(message["text"], str) and message["text"]


def check_sarif(log: dict[str, Any]) -> None:
    """The properties SARIF 2.1.0 requires, and the invariants GitHub code scanning relies on."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "keras-varlint"
    assert isinstance(driver["version"], str) and driver["version"]
    assert driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert isinstance(rule["id"], str) and isinstance(rule["name"], str)
        check_message(rule["shortDescription"])
        for key in ("fullDescription", "help"):
            if key in rule:
                check_message(rule[key])
        assert rule["defaultConfiguration"]["level"] in LEVELS
    for invocation in run.get("invocations", []):
        assert isinstance(invocation["executionSuccessful"], bool)
        for notification in invocation.get("toolExecutionNotifications", []):
            check_message(notification["message"])
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in LEVELS
        check_message(result["message"])
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert "\\" not in uri and " " not in uri
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert region["endLine"] >= region["startLine"] and region["endColumn"] >= 1
        if region["endLine"] == region["startLine"]:
            assert region["endColumn"] >= region["startColumn"]


def render(result: LintResult, rules: dict) -> dict[str, Any]:
    return json.loads(sarif.render(result, rules))


def test_sarif_is_structurally_valid(result: LintResult, rules: dict) -> None:
    check_sarif(render(result, rules))
    check_sarif(render(LintResult(files=0), rules))
    check_sarif(render(LintResult(files=0), {}))


def test_sarif_rules_carry_metadata(result: LintResult, rules: dict) -> None:
    driver = render(result, rules)["runs"][0]["tool"]["driver"]
    by_id = {rule["id"]: rule for rule in driver["rules"]}
    assert list(by_id) == ["KVL000", "KVL001", "KVL101", "KVL105"]
    kvl001 = by_id["KVL001"]
    page = rules["KVL001"].documentation()
    assert kvl001["name"] == "untracked-variable"
    assert kvl001["shortDescription"] == {"text": "Summary of untracked-variable."}
    assert kvl001["fullDescription"] == {"text": page}
    assert kvl001["help"] == {"text": "Summary of untracked-variable.", "markdown": page}
    assert kvl001["defaultConfiguration"] == {"level": "error", "enabled": True}
    assert by_id["KVL101"]["defaultConfiguration"]["level"] == "warning"
    assert by_id["KVL105"]["defaultConfiguration"] == {"level": "note", "enabled": False}
    # A code outside the registry (here the parse error) still gets a descriptor.
    assert by_id["KVL000"]["name"] == "parse-error"


def test_sarif_results(result: LintResult, rules: dict) -> None:
    results = render(result, rules)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["KVL001", "KVL101", "KVL105", "KVL000"]
    assert [r["ruleIndex"] for r in results] == [1, 2, 3, 0]
    assert [r["level"] for r in results] == ["error", "warning", "note", "error"]
    first = results[0]
    assert first["message"]["text"] == "tf.Variable stored on self.w is not tracked by Keras 3"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "pkg/layers.py"},
        "region": {"startLine": 12, "startColumn": 18, "endLine": 12, "endColumn": 41},
    }
    assert first["properties"] == {"layer": "Dense2", "attribute": "w"}
    assert results[1]["properties"]["runtime"] == {"status": "refuted", "detail": "b gets a gradient"}
    assert results[1]["message"]["text"].endswith("[refuted at runtime: b gets a gradient]")
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "other%20dir/m.py"
    assert "properties" not in results[3]


def test_sarif_reports_unexaminable_files_as_notifications(result: LintResult, rules: dict) -> None:
    (invocation,) = render(result, rules)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "error",
            "message": {"text": "cannot read file: Permission denied"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "secret.py"}}}],
        }
    ]


def test_notification_without_a_path(rules: dict) -> None:
    log = render(LintResult(errors=[{"path": "", "message": "cannot list directory"}]), rules)
    check_sarif(log)
    (notification,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notification == {"level": "error", "message": {"text": "cannot list directory"}}


def test_artifact_uri() -> None:
    assert sarif.artifact_uri("pkg/mod.py") == "pkg/mod.py"
    assert sarif.artifact_uri("pkg\\win.py") == "pkg/win.py"
    assert sarif.artifact_uri("a b/ü.py") == "a%20b/%C3%BC.py"
    assert sarif.artifact_uri("/abs/path/m.py") == "file:///abs/path/m.py"
    assert sarif.artifact_uri("C:\\proj\\m.py") == "file:///C:/proj/m.py"


def test_sarif_results_carry_fixes(result: LintResult, rules: dict) -> None:
    from keras_varlint.fixes import Edit, Fix

    result.findings[0].fix = Fix("safe", "Replace tf.Variable with keras.Variable", [Edit(12, 17, 12, 19, "keras")])
    result.findings[1].fix = Fix("unsafe", "Delete it", [Edit(30, 0, 31, 0, "")])
    results = render(result, rules)["runs"][0]["results"]
    assert results[0]["fixes"] == [{
        "description": {"text": "Replace tf.Variable with keras.Variable"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "pkg/layers.py"},
            "replacements": [{
                "deletedRegion": {"startLine": 12, "startColumn": 18, "endLine": 12, "endColumn": 20},
                "insertedContent": {"text": "keras"},
            }],
        }],
    }]
    assert results[1]["fixes"][0]["description"]["text"] == "Delete it [unsafe fix]"
    assert "fixes" not in results[2]
