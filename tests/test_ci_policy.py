"""In CI, a test that skips because TensorFlow or pre-commit is missing fails instead."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).parent / "conftest.py").read_text()
PROBE = """
import pytest

def test_needs_tensorflow():
    pytest.skip("TensorFlow is not installed")

def test_root_only():
    pytest.skip("root ignores directory permissions")
"""


@pytest.mark.parametrize("required,failed", [("1", 1), ("", 0)])
def test_tool_skips_fail_only_when_tools_are_required(pytester, monkeypatch, required, failed):
    monkeypatch.setenv("KVL_REQUIRE_TOOLS", required)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_probe=PROBE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(failed=failed, skipped=2 - failed)
