"""``check_layer`` on each row of docs/keras-tracking.md's table, on Keras 3 and on tf_keras (Keras 2).

Each case builds a small layer with the pattern of one row and states what the oracle must report on
each Keras: a set of ``(code, variable name suffix, attribute)``. An empty set means clean.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import pytest

from keras_varlint.runtime.oracle import check_layer

pytestmark = pytest.mark.runtime

Expected = set[tuple[str, str | None, str | None]]
CASES: dict[str, Callable[[Any, Any], Any]] = {}
EXPECT: dict[str, dict[str, Expected]] = {}


def case(keras3: Expected, tf_keras: Expected | None) -> Callable[[Callable[[Any, Any], Any]], Any]:
    """Register a row: ``tf_keras=None`` when the pattern does not exist in Keras 2."""

    def register(factory: Callable[[Any, Any], Any]) -> Any:
        CASES[factory.__name__] = factory
        EXPECT[factory.__name__] = {"keras3": keras3, **({"tf_keras": tf_keras} if tf_keras is not None else {})}
        return factory

    return register


CLEAN: Expected = set()


@case(keras3=CLEAN, tf_keras=CLEAN)
def add_weight_in_build(base: Any, tf: Any) -> Any:
    class Scale(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), name="w")

        def call(self, x):
            return x * self.w

    return Scale()


@case(keras3=CLEAN, tf_keras=None)
def keras_variable(base: Any, tf: Any) -> Any:
    class Scale(base.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = base.Variable(1.0, name="w")

        def call(self, x):
            return x * self.w

    return Scale()


@case(keras3={("KVL901", "raw", "w")}, tf_keras=CLEAN)
def raw_tf_variable(base: Any, tf: Any) -> Any:
    class Scale(base.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(1.0, name="raw")

        def call(self, x):
            return x * self.w

    return Scale()


@case(keras3={("KVL901", "lv", "vs[0]"), ("KVL901", "dv", "vd['a']")}, tf_keras=CLEAN)
def list_and_dict_of_tf_variables(base: Any, tf: Any) -> Any:
    class Scale(base.layers.Layer):
        def __init__(self):
            super().__init__()
            self.vs = []
            self.vs.append(tf.Variable(1.0, name="lv"))
            self.vd = {"a": tf.Variable(2.0, name="dv")}

        def call(self, x):
            return x * self.vs[0] * self.vd["a"]

    return Scale()


@case(keras3=CLEAN, tf_keras=CLEAN)
def list_of_add_weight_mutated(base: Any, tf: Any) -> Any:
    class Scale(base.layers.Layer):
        def build(self, input_shape):
            self.ws = []
            for i in range(2):
                self.ws.append(self.add_weight(shape=(), name=f"w{i}"))

        def call(self, x):
            return x * self.ws[0] + self.ws[1]

    return Scale()


@case(keras3={("KVL901", "modw", "m.w")}, tf_keras=CLEAN)
def tf_module_attribute(base: Any, tf: Any) -> Any:
    class Holder(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(2.0, name="modw")

    class Scale(base.layers.Layer):
        def __init__(self):
            super().__init__()
            self.m = Holder()

        def call(self, x):
            return x * self.m.w

    return Scale()


@case(keras3={("KVL901", "kernel", "holder.dense.kernel")}, tf_keras={("KVL901", "kernel", "holder.dense.kernel")})
def layer_in_plain_object(base: Any, tf: Any) -> Any:
    class Holder:
        def __init__(self):
            self.dense = base.layers.Dense(3, use_bias=False)

    class Wrapper(base.layers.Layer):
        def __init__(self):
            super().__init__()
            self.holder = Holder()

        def call(self, x):
            return self.holder.dense(x)

    return Wrapper()


@case(
    keras3={("KVL901", "kernel", "project.args[0].kernel")},
    tf_keras={("KVL901", "kernel", "project.args[0].kernel")},
)
def layer_in_partial(base: Any, tf: Any) -> Any:
    dense = base.layers.Dense(3, use_bias=False)

    class Wrapper(base.layers.Layer):
        def __init__(self):
            super().__init__()
            self.project = functools.partial(lambda layer, x: layer(x), dense)

        def call(self, x):
            return self.project(x)

    return Wrapper()


@case(keras3={("KVL901", "kernel", "mlp.dense.kernel")}, tf_keras={("KVL901", "kernel", "mlp.dense.kernel")})
def layer_in_closure(base: Any, tf: Any) -> Any:
    def make_mlp() -> Any:
        dense = base.layers.Dense(3, use_bias=False)
        return lambda x: dense(x)

    class Wrapper(base.layers.Layer):
        def __init__(self):
            super().__init__()
            self.mlp = make_mlp()

        def call(self, x):
            return self.mlp(x)

    return Wrapper()


@case(keras3={("KVL904", None, None)}, tf_keras={("KVL903", "late", None)})
def add_weight_in_call(base: Any, tf: Any) -> Any:
    class Late(base.layers.Layer):
        def call(self, x):
            w = self.add_weight(shape=(), name="late")
            return x * w

    return Late()


@case(keras3={("KVL903", "local", None)}, tf_keras={("KVL903", "local", None)})
def local_tf_variable_in_call(base: Any, tf: Any) -> Any:
    class Local(base.layers.Layer):
        def call(self, x):
            v = tf.Variable(1.0, name="local")
            return x * v

    return Local()


@case(keras3={("KVL903", "kernel", None)}, tf_keras={("KVL903", "kernel", None)})
def dense_created_in_call(base: Any, tf: Any) -> Any:
    class Fresh(base.layers.Layer):
        def call(self, x):
            return base.layers.Dense(4)(x)

    return Fresh()


@case(keras3={("KVL902", "w", "w")}, tf_keras={("KVL902", "w", "w")})
def attribute_reassigned_in_call(base: Any, tf: Any) -> Any:
    class Decay(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            self.w = self.w * 0.5
            return x * self.w

    return Decay()


@case(keras3={("KVL902", "unused", "unused")}, tf_keras={("KVL902", "unused", "unused")})
def weight_never_read(base: Any, tf: Any) -> Any:
    class Partial(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")
            self.unused = self.add_weight(shape=(), name="unused")

        def call(self, x):
            return x * self.w

    return Partial()


@case(
    keras3={("KVL902", "w", "w"), ("KVL904", None, None)},
    tf_keras={("KVL902", "w", "w"), ("KVL904", None, None)},
)
def numpy_on_weight(base: Any, tf: Any) -> Any:
    class Eager(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            return x * float(self.w.numpy())

    return Eager()


@case(keras3={("KVL902", "w", "w")}, tf_keras={("KVL902", "w", "w")})
def stop_gradient_only_use(base: Any, tf: Any) -> Any:
    class Frozen(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            return x * tf.stop_gradient(self.w)

    return Frozen()


@case(keras3={("KVL902", "w", "w")}, tf_keras={("KVL902", "w", "w")})
def argmax_only_use(base: Any, tf: Any) -> Any:
    class Pick(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), name="w")

        def call(self, x):
            return x * tf.cast(tf.argmax(self.w), x.dtype)

    return Pick()


@case(
    keras3={("KVL902", "mu", "mu"), ("KVL902", "sigma", "sigma")},
    tf_keras={("KVL902", "mu", "mu"), ("KVL902", "sigma", "sigma")},
)
def tensor_derived_in_build(base: Any, tf: Any) -> Any:
    class Noisy(base.layers.Layer):
        def build(self, input_shape):
            self.mu = self.add_weight(shape=(), name="mu")
            self.sigma = self.add_weight(shape=(), name="sigma")
            self.kernel = self.mu + self.sigma * tf.random.normal(())

        def call(self, x):
            return x * self.kernel

    return Noisy()


@case(keras3={("KVL902", "first", "w")}, tf_keras={("KVL902", "first", "w")})
def second_add_weight_same_attribute(base: Any, tf: Any) -> Any:
    class Twice(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="first")
            self.w = self.add_weight(shape=(), name="second")

        def call(self, x):
            return x * self.w

    return Twice()


@case(keras3={("KVL904", None, None)}, tf_keras={("KVL904", None, None)})
def assigning_trainable_weights(base: Any, tf: Any) -> Any:
    class Assign(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")
            self.trainable_weights = [self.w]

        def call(self, x):
            return x * self.w

    return Assign()


@case(keras3=CLEAN, tf_keras=CLEAN)
def non_trainable_running_statistic(base: Any, tf: Any) -> Any:
    class Center(base.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(), name="scale")
            self.mean = self.add_weight(shape=(), name="mean", trainable=False, initializer="zeros")

        def call(self, x, training=None):
            if training:
                self.mean.assign(0.9 * self.mean + 0.1 * tf.reduce_mean(x))
            return (x - self.mean) * self.scale

    return Center()


@case(keras3=CLEAN, tf_keras=CLEAN)
def weights_used_in_one_training_mode_each(base: Any, tf: Any) -> Any:
    class Branch(base.layers.Layer):
        def build(self, input_shape):
            self.train_w = self.add_weight(shape=(), name="train_w")
            self.infer_w = self.add_weight(shape=(), name="infer_w")

        def call(self, x, training=None):
            return x * (self.train_w if training else self.infer_w)

    return Branch()


@case(keras3=CLEAN, tf_keras=CLEAN)
def weight_trained_through_add_loss_only(base: Any, tf: Any) -> Any:
    class Penalty(base.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            self.add_loss(tf.square(self.w))
            return x

    return Penalty()


@case(keras3={("KVL901", "raw", "w")}, tf_keras=CLEAN)
def untracked_variable_in_sublayer(base: Any, tf: Any) -> Any:
    class Inner(base.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = tf.Variable(1.0, name="raw")

        def call(self, x):
            return x * self.w

    class Block(base.layers.Layer):
        def __init__(self):
            super().__init__(name="block")
            self.inner = Inner(name="inner")
            self.dense = base.layers.Dense(3)

        def call(self, x):
            return self.dense(self.inner(x))

    return Block()


@pytest.mark.parametrize(
    ("row", "flavour"), [(row, flavour) for row in sorted(CASES) for flavour in EXPECT[row]]
)
def test_table_row(row: str, flavour: str, request: pytest.FixtureRequest, tf: Any) -> None:
    base = request.getfixturevalue(flavour)  # the keras3 or tf_keras fixture
    report = check_layer(CASES[row](base, tf), tf.random.normal((2, 4), seed=1))
    got = {(f.code, f.variable, f.attribute) for f in report.findings}
    expected = EXPECT[row][flavour]
    assert {(code, attr) for code, _, attr in got} == {(code, attr) for code, _, attr in expected}, str(report)
    for code, suffix, attribute in expected:
        if suffix is not None:
            names = [v for c, v, a in got if c == code and a == attribute]
            assert any(v and v.rsplit("/", 1)[-1] == suffix for v in names), str(report)
    assert report.ok == (not expected)
    assert report.keras == flavour
