"""Suite-wide policy: in CI (``KVL_REQUIRE_TOOLS=1``, set by ``.ci/run``) the tests that need
TensorFlow, Keras, tf_keras or pre-commit must run; a skip for a missing tool is a failure."""

from __future__ import annotations

import os
from typing import Any

import pytest

_TOOL_WORDS = ("tensorflow", "keras", "tf_keras", "pre-commit", "pyyaml", "pypi is unreachable")


def _needs_a_tool(item: pytest.Item, reason: str) -> bool:
    where = item.nodeid.replace("\\\\", "/")
    return (where.startswith(("tests/runtime/", "tests/interfaces/test_precommit.py"))
            or any(word in reason.lower() for word in _TOOL_WORDS))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("KVL_REQUIRE_TOOLS") != "1" or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if _needs_a_tool(item, reason):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every tool must be installed: {reason}"
