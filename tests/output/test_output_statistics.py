"""``--statistics`` counts per code."""

from __future__ import annotations

from keras_varlint.findings import Finding, Severity
from keras_varlint.output import statistics


def make(code: str, name: str, n: int) -> list[Finding]:
    return [Finding("a.py", i + 1, 0, i + 1, 1, code, name, Severity.ERROR, "m") for i in range(n)]


def test_counts_per_code_in_code_order() -> None:
    findings = make("KVL101", "unused-weight", 1) + make("KVL001", "untracked-variable", 3)
    assert statistics.render(findings) == "  3 KVL001 untracked-variable\n  1 KVL101 unused-weight\n"


def test_wide_counts_stay_aligned() -> None:
    findings = make("KVL002", "state-created-in-call", 1200) + make("KVL003", "layer-created-in-call", 2)
    assert statistics.render(findings).splitlines() == [
        "1200 KVL002 state-created-in-call",
        "   2 KVL003 layer-created-in-call",
    ]


def test_no_findings_no_statistics() -> None:
    assert statistics.render([]) == ""
