"""The outcome of a lint run, as handed to the output formats."""

from __future__ import annotations

from dataclasses import dataclass, field

from keras_varlint.findings import Finding


@dataclass
class LintResult:
    files: int = 0  # Python files examined
    findings: list[Finding] = field(default_factory=list)  # sorted; selection, noqa and per-file-ignores applied
    errors: list[dict[str, str]] = field(default_factory=list)  # {"path": ..., "message": ...}: files that could not be examined
    notes: list[str] = field(default_factory=list)  # human notes for stderr, e.g. "no Python files under x/"
