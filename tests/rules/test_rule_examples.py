"""Every rule's own examples: invalid ones flag exactly their marked lines, valid ones stay clean."""

from __future__ import annotations

import pytest

from keras_varlint.rules import registry
from tests.helpers import expected_codes, lint_snippet

RULES = registry()
CASES = [
    pytest.param(rule, kind, i, id=f"{code}-{kind}-{i}")
    for code, rule in RULES.items()
    if rule.reported_by != "runtime"  # run through check_layer in tests/runtime
    for kind in ("invalid", "valid")
    for i in range(len(getattr(rule.examples, kind)))
]


@pytest.mark.parametrize("rule,kind,index", CASES)
def test_rule_example(tmp_path, rule, kind, index):
    source = getattr(rule.examples, kind)[index]
    found = lint_snippet(tmp_path, source, select=[rule.code], keras_version=rule.examples.keras_version)
    expected = expected_codes(source, only=rule.code) if kind == "invalid" else []
    if kind == "invalid":
        assert expected, "an invalid example must mark at least one line"
    assert found == expected


def test_every_rule_has_docs_and_examples():
    for code, rule in RULES.items():
        page = rule.documentation()
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert heading in page, (code, heading)
        assert rule.examples.invalid and rule.examples.valid


# -- what the examples do not show ------------------------------------------------------------------


def test_a_weight_read_twice_inside_one_cut_is_one_kvl102(tmp_path):
    source = """
import keras
import numpy as np

class LeakyGain(keras.layers.Layer):
    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * np.maximum(self.gain, 0.1 * self.gain)  # KVL102
"""
    assert lint_snippet(tmp_path, source, select=["KVL102"]) == expected_codes(source)
