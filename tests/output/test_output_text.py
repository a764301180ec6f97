"""The flake8-compatible text format and runtime suffixes."""

from __future__ import annotations

import re

import pytest

from keras_varlint.findings import Finding, Severity
from keras_varlint.output import common, text
from keras_varlint.result import LintResult

FLAKE8_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.+)$")


def test_text_lines(result: LintResult, rules: dict) -> None:
    assert text.render(result, rules).splitlines() == [
        "pkg/layers.py:12:18: KVL001 tf.Variable stored on self.w is not tracked by Keras 3",
        "pkg/layers.py:30:1: KVL101 weight self.b is never read [refuted at runtime: b gets a gradient]",
        "other dir/m.py:5:9: KVL105 non-trainable weight self.scale, 50% sure: never assigned [confirmed at runtime]",
        "broken.py:3:5: KVL000 invalid syntax",
    ]


def test_text_is_parseable_like_flake8(result: LintResult, rules: dict) -> None:
    for line, finding in zip(text.render(result, rules).splitlines(), result.findings):
        match = FLAKE8_LINE.match(line)
        assert match, line
        assert int(match["line"]) == finding.line and int(match["col"]) == finding.column + 1
        assert match["code"] == finding.code


def test_text_without_findings_is_empty(rules: dict) -> None:
    assert text.render(LintResult(files=3), rules) == ""


@pytest.mark.parametrize(
    ("runtime", "suffix"),
    [
        (None, ""),
        ({"status": "confirmed", "detail": "w is not tracked"}, "[confirmed at runtime]"),
        ({"status": "refuted", "detail": "w gets a gradient"}, "[refuted at runtime: w gets a gradient]"),
        ({"status": "refuted", "detail": ""}, "[refuted at runtime]"),
        ({"status": "inconclusive", "detail": "import failed: No module named 'x'"},
         "[not confirmed: import failed: No module named 'x']"),
        ({"status": "inconclusive"}, "[not confirmed]"),
    ],
)
def test_runtime_suffix(runtime: dict | None, suffix: str) -> None:
    finding = Finding("a.py", 1, 0, 1, 1, "KVL001", "untracked-variable", Severity.ERROR, "msg", runtime=runtime)
    assert common.runtime_suffix(finding) == suffix
    assert text.format_finding(finding) == f"a.py:1:1: KVL001 msg {suffix}".rstrip()
