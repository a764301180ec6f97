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


NEW_FIXTURE_TESTS = """
import numpy as np
import tensorflow as tf
import keras

import keras_varlint


class Raw(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = tf.Variable(2.0, name="scale")

    def call(self, x):
        return x * self.scale


class Partial(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = keras.layers.Dense(4)
        self.head = keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.encoder(x))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = self.compute_loss(x=x, y=y, y_pred=self(x, training=True))
        variables = self.head.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return {}


X, Y = np.ones((4, 3), "float32"), np.ones((4, 1), "float32")


def test_module_and_fixture_together(varlint):
    assert keras_varlint.check_layer(keras.layers.Dense(2), X).ok  # the module is not shadowed
    assert varlint.check_layer(keras.layers.Dense(2), X).ok
    assert not varlint.check_layer(Raw(), X).ok  # check_* return the report, they do not fail


def test_layer_fails(varlint):
    varlint.assert_variables_train(Raw(), X)


def test_model_fails(varlint):
    model = Partial()
    model.compile(optimizer="sgd", loss="mse")
    varlint.assert_model_trains(model, X, Y)


def test_model_passes(varlint):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert varlint.assert_model_trains(model, X, Y).ok
    assert varlint.check_model(model, X, Y).ok


def test_old_fixture_name_still_works(keras_varlint):
    assert keras_varlint.check(keras.layers.Dense(2), X).ok
"""


def test_varlint_fixture_does_not_shadow_the_module(pytester: pytest.Pytester, tf: Any) -> None:
    pytester.makepyfile(test_user=NEW_FIXTURE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*test_layer_fails*",
            "*KVL901 untracked-variable-used: variable 'scale'*",
            "*test_model_fails*",
            "Partial ('partial*', Keras 3): 2 problems",
            "*KVL905 not-updated: variable '*' (encoder.*) gets a gradient but 1 training step(s) did not change it*",
        ]
    )


def test_assert_model_trains_helper(keras3: Any, tf: Any) -> None:
    from keras_varlint.testing import assert_model_trains

    model = keras3.Sequential([keras3.Input((3,)), keras3.layers.Dense(2), keras3.layers.Dense(1)])
    model.layers[0].trainable = True
    assert assert_model_trains(model, tf.ones((4, 3)), tf.ones((4, 1)), loss="mse").ok

    class Frozen(keras3.Model):
        def __init__(self) -> None:
            super().__init__()
            self.a = keras3.layers.Dense(2)
            self.b = keras3.layers.Dense(1)

        def call(self, x: Any) -> Any:
            return self.b(tf.stop_gradient(self.a(x)))

    with pytest.raises(AssertionError, match="KVL902 no-gradient: variable '.*' \\(a.kernel\\)"):
        assert_model_trains(Frozen(), tf.ones((4, 3)), tf.ones((4, 1)), loss="mse")
