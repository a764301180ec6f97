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


def test_kvl003_says_what_each_kind_of_layer_loses(tmp_path):
    """A random layer has no weights: its message names the seed variable tf.function refuses;
    Bidirectional's names the copies it makes; a layer with weights gets the fresh-weights message."""
    from keras_varlint.engine import lint_paths
    from keras_varlint.settings import Settings

    path = tmp_path / "heads.py"
    path.write_text("""
import keras

class Head(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.rnn = keras.layers.GRU(4)

    def call(self, inputs):
        x = keras.layers.Dropout(0.1)(inputs)
        x = keras.layers.Bidirectional(self.rnn)(x)
        return keras.layers.Dense(4)(x)
""")
    result = lint_paths([path], Settings(use_cache=False, select=["KVL003"]))
    messages = {f.message.partition("(")[0]: f.message for f in result.findings}
    assert set(messages) == {"Dropout", "Bidirectional", "Dense"}
    assert "random-seed variable" in messages["Dropout"] and "tf.function" in messages["Dropout"]
    assert "fresh weights" not in messages["Dropout"]
    assert "copies the layer it wraps" in messages["Bidirectional"]
    assert "fresh weights" in messages["Dense"]
