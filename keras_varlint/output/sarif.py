"""SARIF 2.1.0, with one ``reportingDescriptor`` per rule, as GitHub code scanning reads it."""

from __future__ import annotations

import json
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from keras_varlint.findings import Finding, Severity
from keras_varlint.output.common import (
    TOOL_NAME,
    RuleTable,
    end_position,
    information_uri,
    message_with_runtime,
    tool_version,
)
from keras_varlint.result import LintResult
from keras_varlint.rules.base import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str) -> str:
    """A relative path as a forward-slash URI reference; an absolute one as a ``file://`` URI."""
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        pure: PurePath = PureWindowsPath(path) if PureWindowsPath(path).drive else PurePosixPath(path)
        return pure.as_uri()
    return quote(path.replace("\\", "/"))


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    page = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": page},
        "help": {"text": rule.summary, "markdown": page},  # GitHub code scanning shows help.markdown
        "defaultConfiguration": {"level": LEVELS[Severity(rule.severity)], "enabled": bool(rule.default_enabled)},
    }


def _unregistered_descriptor(finding: Finding) -> dict[str, Any]:
    """For codes outside the rule registry (parse errors, runtime-only findings)."""
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "defaultConfiguration": {"level": LEVELS[Severity(finding.severity)]},
    }


def _region(finding: Finding) -> dict[str, int]:
    end_line, end_column = end_position(finding)
    return {"startLine": finding.line, "startColumn": finding.column + 1, "endLine": end_line, "endColumn": end_column}


def _result(finding: Finding, index: int) -> dict[str, Any]:
    properties = {
        key: value
        for key, value in (("layer", finding.layer), ("attribute", finding.attribute), ("runtime", finding.runtime))
        if value is not None
    }
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": LEVELS[Severity(finding.severity)],
        "message": {"text": message_with_runtime(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding.path)},
                    "region": _region(finding),
                }
            }
        ],
    }
    if properties:
        result["properties"] = properties
    if finding.fix is not None:
        result["fixes"] = [_fix(finding)]
    return result


def _fix(finding: Finding) -> dict[str, Any]:
    """The finding's fix as a SARIF ``fix``: its edits as replacements in the finding's file (whatever
    its applicability: the description says when it is unsafe)."""
    fix = finding.fix
    assert fix is not None
    replacements = [
        {
            "deletedRegion": {"startLine": e.line, "startColumn": e.column + 1, "endLine": e.end_line,
                              "endColumn": e.end_column + 1},
            "insertedContent": {"text": e.content},
        }
        for e in fix.edits
    ]
    text = fix.message if fix.applicability == "safe" else f"{fix.message} [unsafe fix]"
    return {
        "description": {"text": text},
        "artifactChanges": [{"artifactLocation": {"uri": artifact_uri(finding.path)}, "replacements": replacements}],
    }


def _notification(error: dict[str, str]) -> dict[str, Any]:
    """A file that could not be examined, as a tool execution notification."""
    notification: dict[str, Any] = {"level": "error", "message": {"text": error.get("message") or "error"}}
    if error.get("path"):
        notification["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(error["path"])}}}]
    return notification


def to_data(result: LintResult, rules: RuleTable) -> dict[str, Any]:
    descriptors = {code: rule_descriptor(rule) for code, rule in rules.items()}
    for finding in result.findings:
        descriptors.setdefault(finding.code, _unregistered_descriptor(finding))
    codes = sorted(descriptors)
    index = {code: i for i, code in enumerate(codes)}
    notifications = [_notification(error) for error in result.errors]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version(),
                        "informationUri": information_uri(),
                        "rules": [descriptors[code] for code in codes],
                    }
                },
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "results": [_result(finding, index[finding.code]) for finding in result.findings],
            }
        ],
    }


def render(result: LintResult, rules: RuleTable) -> str:
    return json.dumps(to_data(result, rules), indent=2, ensure_ascii=False) + "\n"
