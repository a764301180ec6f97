"""flake8-compatible text: ``path:line:col: CODE message``, with a 1-based column."""

from __future__ import annotations

from keras_varlint.findings import Finding
from keras_varlint.output.common import RuleTable, source_context, fix_applies, location, message_with_runtime
from keras_varlint.result import LintResult


def format_finding(finding: Finding, unsafe_fixes: bool = False) -> str:
    """``path:line:col: CODE message``; ``CODE [*] message`` when ``--fix`` would fix it (as ruff)."""
    marker = "[*] " if fix_applies(finding, unsafe_fixes) else ""
    return f"{location(finding)}:{finding.line}:{finding.column + 1}: {finding.code} {marker}{message_with_runtime(finding)}"


def render(result: LintResult, rules: RuleTable) -> str:
    return "".join(format_finding(finding, result.unsafe_fixes) + "\n" + (source_context(finding) if result.show_source else "")
                   for finding in result.findings)
