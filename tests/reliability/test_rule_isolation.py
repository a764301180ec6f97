"""A crash inside one rule becomes a KVL000 internal-error finding naming it; other rules still report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from keras_varlint.findings import Severity
from keras_varlint.rules.base import _REGISTRY, Examples, Report, Rule
from tests.reliability.support import internal_errors, lint, rows, run_cli

BROKEN = "KVL998"

UNTRACKED = """\
import keras
import tensorflow as tf


class First(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(1.0)

    def call(self, x):
        return x * self.w


class Second(keras.layers.Layer):
    def build(self, input_shape):
        self.b = tf.Variable(0.0)

    def call(self, x):
        return x + self.b
"""
KVL001_ROWS = [("layers.py", 8, 17, "KVL001"), ("layers.py", 16, 17, "KVL001")]


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("this exception cannot be printed")


def _raise_zero_division(layer: object) -> Iterator[Report]:
    raise ZeroDivisionError("a bug in a rule")
    yield  # pragma: no cover


def _raise_unprintable(layer: object) -> Iterator[Report]:
    raise _Unprintable()
    yield  # pragma: no cover


def _report_a_detached_node(layer: object) -> Iterator[Report]:
    """A node that is not in the parsed tree: resolving its position fails (KeyError on the node)."""
    yield Report(node=cst.Name("detached"), message="a finding on a node outside the tree")


BEHAVIOURS = {
    "zero-division": _raise_zero_division,
    "unprintable-exception": _raise_unprintable,
    "detached-node": _report_a_detached_node,
}


def _register(behaviour: str) -> type[Rule]:
    check = BEHAVIOURS[behaviour]

    class BrokenOnPurpose(Rule):
        """A rule that fails on every layer, registered by the reliability tests only."""

        code = BROKEN
        name = "broken-on-purpose"
        severity = Severity.ERROR
        summary = "always fails"
        examples = Examples(invalid=("",), valid=("",))

        def check(self, layer: object) -> Iterator[Report]:  # type: ignore[override]
            return check(layer)

    return BrokenOnPurpose


@pytest.fixture
def broken_rule(request: pytest.FixtureRequest) -> Iterator[str]:
    """Register the deliberately broken rule (behaviour from ``request.param``); unregister it after."""
    assert BROKEN not in _REGISTRY
    _register(getattr(request, "param", "zero-division"))
    request.addfinalizer(lambda: _REGISTRY.pop(BROKEN, None))
    yield BROKEN


def _check_isolated(result_rows: list[tuple[str, int, int, str]], messages: list[str], classes: list[str]) -> None:
    assert [r for r in result_rows if r[3] == "KVL001"] == KVL001_ROWS
    assert len(messages) == len(classes)
    for message, cls in zip(messages, classes):
        assert f"rule {BROKEN} (broken-on-purpose)" in message and f"class {cls}" in message
        assert "\n" not in message and len(message) < 500, message  # one line of text output


@pytest.mark.parametrize(
    "broken_rule",
    list(BEHAVIOURS),
    indirect=True,
)
def test_broken_rule_is_an_internal_error_and_other_rules_still_report(tmp_path: Path, broken_rule: str) -> None:
    (tmp_path / "layers.py").write_text(UNTRACKED)
    result = lint([tmp_path / "layers.py"], select=[broken_rule, "KVL001"], keras_version=3)
    errors = internal_errors(result)
    _check_isolated(rows(result), [f.message for f in errors], ["First", "Second"])
    assert [(f.line, f.column) for f in errors] == [(5, 0), (14, 0)]  # the class lines


def test_broken_rule_in_worker_processes(tmp_path: Path, broken_rule: str) -> None:
    """The parallel path (forked workers, >= 8 components) isolates the rule the same way."""
    (tmp_path / "layers.py").write_text(UNTRACKED)
    for i in range(8):
        (tmp_path / f"extra{i}.py").write_text(UNTRACKED.replace("First", f"Extra{i}A").replace("Second", f"Extra{i}B"))
    result = lint([tmp_path], select=[broken_rule, "KVL001"], keras_version=3, jobs=2)
    assert len(internal_errors(result)) == 18
    assert len([f for f in result.findings if f.code == "KVL001"]) == 18
    mine = [f for f in result.findings if Path(f.path).name == "layers.py"]
    assert sorted((f.line, f.code) for f in mine) == [(5, "KVL000"), (8, "KVL001"), (14, "KVL000"), (16, "KVL001")]


def test_broken_rule_through_the_cli(tmp_path: Path, broken_rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "layers.py").write_text(UNTRACKED)
    monkeypatch.chdir(tmp_path)
    run = run_cli("--no-cache", "-j", "1", "--keras-version", "3", "--select", f"{broken_rule},KVL001", "layers.py")
    assert run.code == 1, run.stderr
    lines = [line for line in run.stdout.splitlines() if not line.startswith(("Found ", "[*] ", "No fixes "))]
    assert [line.split(" ")[0:2] for line in lines] == [
        ["layers.py:5:1:", "KVL000"], ["layers.py:8:18:", "KVL001"],
        ["layers.py:14:1:", "KVL000"], ["layers.py:16:18:", "KVL001"],
    ]
    assert all(BROKEN in line for line in lines if " KVL000 " in line)


def test_registry_is_clean_after_the_fixture() -> None:
    assert BROKEN not in _REGISTRY
