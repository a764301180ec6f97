"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding."""

from __future__ import annotations

from keras_varlint.findings import Finding, Severity
from keras_varlint.output.common import TOOL_NAME, RuleTable, end_position, message_with_runtime
from keras_varlint.result import LintResult

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message, as ``@actions/core`` does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value: the message escapes plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    props = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in properties.items() if value not in (None, "")
    )
    return f"::{level} {props}::{escape_data(message)}" if props else f"::{level}::{escape_data(message)}"


def format_finding(finding: Finding) -> str:
    end_line, end_column = end_position(finding)
    return command(
        LEVELS[Severity(finding.severity)],
        message_with_runtime(finding),
        file=finding.path,
        line=finding.line,
        col=finding.column + 1,
        endLine=end_line,
        endColumn=end_column,
        title=f"{finding.code} {finding.name}",
    )


def render(result: LintResult, rules: RuleTable) -> str:
    lines = [format_finding(finding) for finding in result.findings]
    lines += [
        command("error", error.get("message", ""), file=error.get("path"), title=f"{TOOL_NAME} error")
        for error in result.errors
    ]
    return "".join(line + "\n" for line in lines)
