"""``keras_varlint.check_model``: real training steps, per-variable findings by attribute path, and the
model left exactly as it was. Also: ``check_layer`` leaves a layer's state as it found it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.runtime


@pytest.fixture
def kv(keras3: Any) -> Any:
    import keras_varlint

    return keras_varlint


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((8, 3), dtype="float32"), rng.random((8, 1), dtype="float32")


def _codes(report: Any) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.attribute) for f in report.findings)


def _models(keras: Any, tf: Any) -> dict[str, Any]:
    class DeadSublayer(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = keras.layers.Dense(4)
            self.unused = keras.layers.Dense(4)  # built, never called
            self.out = keras.layers.Dense(1)

        def build(self, shape: Any) -> None:
            self.unused.build(shape)
            super().build(shape)

        def call(self, x: Any) -> Any:
            return self.out(self.hidden(x))

    class Untracked(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.out = keras.layers.Dense(1)
            self.scale = tf.Variable(2.0, name="scale")  # Keras 3 does not track a raw tf.Variable

        def call(self, x: Any) -> Any:
            return self.out(x) * self.scale

    class DropsVariables(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = keras.layers.Dense(4)
            self.head = keras.layers.Dense(1)

        def call(self, x: Any) -> Any:
            return self.head(self.encoder(x))

        def train_step(self, data: Any) -> Any:
            x, y = data
            with tf.GradientTape() as tape:
                loss = self.compute_loss(x=x, y=y, y_pred=self(x, training=True))
            variables = self.head.trainable_variables  # the encoder is left out
            self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return {"loss": loss}

    class ZeroGradient(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.out = keras.layers.Dense(1)

        def build(self, shape: Any) -> None:
            self.gate = self.add_weight(shape=(), initializer="ones", name="gate")
            super().build(shape)

        def call(self, x: Any) -> Any:
            return self.out(x) * tf.sign(self.gate)  # d sign / d gate = 0

    class WithBatchNorm(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.dense = keras.layers.Dense(4)
            self.bn = keras.layers.BatchNormalization()
            self.drop = keras.layers.Dropout(0.5)
            self.out = keras.layers.Dense(1)

        def call(self, x: Any, training: Any = None) -> Any:
            h = self.bn(self.dense(x), training=training)
            self.add_loss(0.01 * tf.reduce_sum(self.dense.kernel ** 2))
            return self.out(self.drop(h, training=training))

    return {
        "dead": DeadSublayer,
        "untracked": Untracked,
        "drops": DropsVariables,
        "zero": ZeroGradient,
        "bn": WithBatchNorm,
    }


def test_dead_sublayer_is_kvl902_by_attribute_path(kv: Any, keras3: Any, tf: Any, data: Any) -> None:
    report = kv.check_model(_models(keras3, tf)["dead"](), *data)
    assert _codes(report) == [("KVL902", "unused.bias"), ("KVL902", "unused.kernel")]


def test_custom_train_step_that_drops_variables_is_kvl905(kv: Any, keras3: Any, tf: Any, data: Any) -> None:
    model = _models(keras3, tf)["drops"]()
    model.compile(optimizer="sgd", loss="mse")
    report = kv.check_model(model, *data)
    assert _codes(report) == [("KVL905", "encoder.bias"), ("KVL905", "encoder.kernel")]
    assert all(f.name == "not-updated" and "left it out" in f.message for f in report.findings)


def test_zero_gradient_everywhere_is_kvl905(kv: Any, keras3: Any, tf: Any, data: Any) -> None:
    report = kv.check_model(_models(keras3, tf)["zero"](), *data)
    assert _codes(report) == [("KVL905", "gate")]
    assert "zero everywhere" in report.findings[0].message


def test_untracked_tf_variable_is_kvl901(kv: Any, keras3: Any, tf: Any, data: Any) -> None:
    model = _models(keras3, tf)["untracked"]()
    model.compile(optimizer="adam", loss="mse")
    report = kv.check_model(model, *data)
    assert _codes(report) == [("KVL901", "scale")]
    (finding,) = report.findings
    source = Path(__file__).read_text().splitlines()
    assert finding.file == __file__
    assert "self.scale = tf.Variable(2.0" in source[finding.line - 1]  # where it was created, not the class


def _state(model: Any) -> list[np.ndarray]:
    values = [v.numpy().copy() for v in model.variables]
    values += [v.numpy().copy() for v in model.optimizer.variables]
    return values + [np.array(model.scale.numpy()) if hasattr(model, "scale") else np.zeros(())]


def test_state_is_unchanged_after_the_check(kv: Any, keras3: Any, tf: Any, data: Any) -> None:
    """Trainable and non-trainable variables (BatchNormalization's moving statistics), the optimizer's
    iterations and moments, and the compiled optimizer object itself."""
    model = _models(keras3, tf)["bn"]()
    model.compile(optimizer="adam", loss="mse")
    model.fit(*data, epochs=1, verbose=0)  # the optimizer is built and has moments
    optimizer = model.optimizer
    before = _state(model)
    report = kv.check_model(model, *data, steps=3)
    assert report.ok, str(report)
    after = _state(model)
    assert model.optimizer is optimizer
    assert len(before) == len(after)
    assert all(np.array_equal(b, a) for b, a in zip(before, after))
    assert int(optimizer.iterations.numpy()) == 1


def test_uncompiled_model_uses_given_loss_or_sum_and_leaves_it_uncompiled(
    kv: Any, keras3: Any, tf: Any, data: Any
) -> None:
    model = _models(keras3, tf)["bn"]()
    model(data[0])
    before = [v.numpy().copy() for v in model.variables]
    assert kv.check_model(model, data[0]).ok  # sum of outputs, SGD
    assert kv.check_model(model, *data, loss="mse", optimizer=keras3.optimizers.Adam(0.1)).ok
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(before, model.variables))
    assert not model.compiled


def test_functional_model_with_dict_inputs(kv: Any, keras3: Any, data: Any) -> None:
    a = keras3.Input((3,), name="a")
    b = keras3.Input((3,), name="b")
    used = keras3.layers.Dense(2)(a)
    keras3.layers.Dense(2)(b)  # a branch that never reaches the output
    model = keras3.Model({"a": a, "b": b}, keras3.layers.Dense(1)(used))
    model.compile(optimizer="sgd", loss="mse")
    report = kv.check_model(model, {"a": data[0], "b": data[0]}, data[1])
    assert report.ok, str(report)  # the dead branch is not part of the functional graph's variables


def test_sequential_and_tuple_inputs(kv: Any, keras3: Any, data: Any) -> None:
    seq = keras3.Sequential([keras3.Input((3,)), keras3.layers.Dense(4), keras3.layers.Dense(1)])
    seq.compile(optimizer="sgd", loss="mse")
    assert kv.check_model(seq, *data).ok
    a, b = keras3.Input((3,)), keras3.Input((3,))
    two = keras3.Model((a, b), keras3.layers.Dense(1)(keras3.layers.Concatenate()([a, b])))
    two.compile(optimizer="sgd", loss="mse")
    assert kv.check_model(two, (data[0], data[0]), data[1]).ok


def test_add_loss_only_model_without_y(kv: Any, keras3: Any, tf: Any, data: Any) -> None:
    class Regularised(keras3.Model):
        def __init__(self) -> None:
            super().__init__()
            self.dense = keras3.layers.Dense(2)
            self.other = keras3.layers.Dense(2)

        def call(self, x: Any) -> Any:
            self.add_loss(tf.reduce_sum(self.dense(x) ** 2))
            return self.other(x)

    model = Regularised()
    model.compile(optimizer="sgd")
    report = kv.check_model(model, data[0])
    assert _codes(report) == [("KVL902", "other.bias"), ("KVL902", "other.kernel")]


def test_check_layer_leaves_batchnorm_moving_mean_as_it_found_it(kv: Any, keras3: Any, tf: Any) -> None:
    x = (np.random.default_rng(1).random((8, 3)) * 5 + 3).astype("float32")
    built = keras3.layers.BatchNormalization()
    built(x)
    built.moving_mean.assign([1.0, 2.0, 3.0])
    kv.check_layer(built, x)
    np.testing.assert_array_equal(built.moving_mean.numpy(), [1.0, 2.0, 3.0])
    fresh = keras3.layers.BatchNormalization()
    kv.check_layer(fresh, x)  # built by the check: the moving statistics keep their initial values
    np.testing.assert_array_equal(fresh.moving_mean.numpy(), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(fresh.moving_variance.numpy(), [1.0, 1.0, 1.0])
