"""The ``keras_varlint`` pytest fixture (loaded through the ``pytest11`` entry point) and
``keras_varlint.testing.assert_variables_train``."""

from __future__ import annotations

from typing import Any

import pytest

from keras_varlint.testing import assert_variables_train

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.runtime

USER_TESTS = """
import tensorflow as tf
import keras

from keras_varlint.testing import assert_variables_train


class Raw(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = tf.Variable(2.0, name="scale")

    def call(self, x):
        return x * self.scale


class Good(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), name="scale")

    def call(self, x):
        return x * self.scale


def test_untracked_variable_fails(keras_varlint):
    keras_varlint.check(Raw(), tf.ones((2, 3)))


def test_good_layer_passes_and_returns_the_report(keras_varlint):
    report = keras_varlint.check(Good(), tf.ones((2, 3)), training=False)
    assert report.ok and report.modes == [False]


def test_helper_outside_the_fixture():
    assert_variables_train(Good(), tf.ones((2, 3)))
"""


def test_fixture_fails_the_test_with_the_summary(pytester: pytest.Pytester, tf: Any) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_untracked_variable_fails*",
            "Raw ('raw*', Keras 3): 1 problem",
            "*KVL901 untracked-variable-used: variable 'scale' (held in raw*.scale) is read in call()*",
        ]
    )
    assert "Traceback" not in result.stdout.str()  # the summary, not a stack of Keras frames


def test_assert_variables_train_raises_with_the_summary(keras3: Any, tf: Any) -> None:
    class Unused(keras3.layers.Layer):
        def build(self, input_shape):
            self.used = self.add_weight(shape=(), name="used")
            self.spare = self.add_weight(shape=(), name="spare")

        def call(self, x):
            return x * self.used

    with pytest.raises(AssertionError) as caught:
        assert_variables_train(Unused(), tf.ones((2, 3)))
    lines = str(caught.value).splitlines()
    assert len(lines) == 2 and lines[1].strip().startswith("KVL902 no-gradient: trainable variable 'unused/spare'")
