"""Shared findings and a fake rule registry for the output-format tests."""

from __future__ import annotations

import pytest

from keras_varlint.findings import Finding, Severity
from keras_varlint.result import LintResult


def fake_rule(code: str, name: str, severity: Severity, default_enabled: bool = True) -> type:
    """A stand-in with Rule's metadata; not a Rule subclass, so the real registry stays untouched."""

    def documentation(cls: type) -> str:
        return f"# {cls.name} ({cls.code})\n\n## What it does\nFinds {cls.name} | things.\n"

    return type(code, (), {
        "code": code, "name": name, "severity": severity, "summary": f"Summary of {name}.",
        "default_enabled": default_enabled, "documentation": classmethod(documentation),
    })


@pytest.fixture
def rules() -> dict[str, type]:
    return {
        "KVL001": fake_rule("KVL001", "untracked-variable", Severity.ERROR),
        "KVL101": fake_rule("KVL101", "unused-weight", Severity.WARNING),
        "KVL105": fake_rule("KVL105", "frozen-weight-on-path", Severity.INFO, default_enabled=False),
    }


@pytest.fixture
def findings() -> list[Finding]:
    return [
        Finding("pkg/layers.py", 12, 17, 12, 40, "KVL001", "untracked-variable", Severity.ERROR,
                "tf.Variable stored on self.w is not tracked by Keras 3", layer="Dense2", attribute="w"),
        Finding("pkg/layers.py", 30, 0, 31, 4, "KVL101", "unused-weight", Severity.WARNING,
                "weight self.b is never read", layer="Dense2", attribute="b",
                runtime={"status": "refuted", "detail": "b gets a gradient"}),
        Finding("other dir/m.py", 5, 8, 5, 20, "KVL105", "frozen-weight-on-path", Severity.INFO,
                "non-trainable weight self.scale, 50% sure: never assigned", layer="Norm", attribute="scale",
                runtime={"status": "confirmed", "detail": ""}),
        Finding("broken.py", 3, 4, 3, 4, "KVL000", "parse-error", Severity.ERROR, "invalid syntax"),
    ]


@pytest.fixture
def result(findings: list[Finding]) -> LintResult:
    return LintResult(
        files=7, findings=findings, errors=[{"path": "secret.py", "message": "cannot read file: Permission denied"}]
    )
