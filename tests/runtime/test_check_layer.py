"""``check_layer``'s contract: the seed article's examples, training modes, graph mode, what a finding
names, and the report's forms."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from keras_varlint.runtime.oracle import check_layer
from keras_varlint.runtime.report import RuntimeReport

pytestmark = pytest.mark.runtime


# The three examples of the seed article ("How can user-defined variables be differentiated within Keras
# layers?"), verbatim but for the usage code; `from tensorflow import keras` is Keras 3 on TF >= 2.16.
def seed_examples(tf: Any) -> dict[int, type]:
    from tensorflow import keras

    class Example1(keras.layers.Layer):
        def __init__(self, initial_value=0.5):
            super(Example1, self).__init__()
            self.my_variable = self.add_weight(
                name="my_var", shape=(), initializer=keras.initializers.Constant(initial_value), trainable=True
            )

        def call(self, inputs):
            return inputs * self.my_variable

    class Example2(keras.layers.Layer):
        def __init__(self, initial_value=0.5):
            super(Example2, self).__init__()
            self.my_variable = tf.Variable(initial_value, name="my_var", trainable=True)

        def call(self, inputs):
            return inputs * self.my_variable

    class Example3(keras.layers.Layer):
        def __init__(self, initial_values=[0.5, 0.1]):
            super(Example3, self).__init__()
            self.var1 = self.add_weight(
                name="var1", shape=(), initializer=keras.initializers.Constant(initial_values[0]), trainable=True
            )
            self.var2 = self.add_weight(
                name="var2", shape=(), initializer=keras.initializers.Constant(initial_values[1]), trainable=True
            )

        def call(self, inputs):
            return inputs * self.var1 + self.var2

    return {1: Example1, 2: Example2, 3: Example3}


@pytest.mark.parametrize("number", [1, 3])
def test_seed_examples_1_and_3_are_clean(number: int, tf: Any) -> None:
    report = check_layer(seed_examples(tf)[number](), tf.constant([1.0, 2.0, 3.0]))
    assert report.ok, str(report)
    assert all(v.tracked and v.gradient for v in report.variables)


def test_seed_example_2_uses_an_untracked_variable(tf: Any) -> None:
    layer = seed_examples(tf)[2]()
    report = check_layer(layer, tf.constant([1.0, 2.0, 3.0]))
    assert [(f.code, f.attribute, f.layer_path) for f in report.findings] == [("KVL901", "my_variable", layer.name)]
    finding = report.findings[0]
    assert finding.variable == "my_var"
    assert "'my_var'" in finding.message and "my_variable" in finding.message
    assert "KVL901 untracked-variable-used" in str(report)


def test_report_has_one_line_per_problem(keras3: Any, tf: Any) -> None:
    class Two(keras3.layers.Layer):
        def build(self, input_shape):
            self.unused = self.add_weight(shape=(), name="unused")
            self.raw = tf.Variable(1.0, name="raw")

        def call(self, x):
            return x * self.raw

    report = check_layer(Two(), tf.ones((2, 3)))
    lines = str(report).splitlines()
    assert not report.ok
    assert lines[0].startswith("Two (") and lines[0].endswith("2 problems")
    assert sorted(line.split()[0] for line in lines[1:]) == ["KVL901", "KVL902"]


def test_creation_site_of_a_variable_made_in_call(tf_keras: Any, tf: Any) -> None:
    class Local(tf_keras.layers.Layer):
        def call(self, x):
            v = tf.Variable(1.0, name="local")  # the reported line
            return x * v

    report = check_layer(Local(), tf.ones((2, 3)))
    (finding,) = report.findings
    source, first = inspect.getsourcelines(Local.call)
    assert finding.code == "KVL903"
    assert finding.file == __file__
    assert finding.line == first + next(i for i, text in enumerate(source) if "the reported line" in text)


def test_training_modes_are_checked_separately_and_together(keras3: Any, tf: Any) -> None:
    class Branch(keras3.layers.Layer):
        def build(self, input_shape):
            self.train_w = self.add_weight(shape=(), name="train_w")
            self.infer_w = self.add_weight(shape=(), name="infer_w")
            self.never = self.add_weight(shape=(), name="never")

        def call(self, x, training=None):
            return x * (self.train_w if training else self.infer_w)

    both = check_layer(Branch(), tf.ones((2, 3)))
    assert both.modes == [True, False]
    assert [f.attribute for f in both.findings] == ["never"]
    assert "training=True and training=False" in both.findings[0].message
    only_training = check_layer(Branch(), tf.ones((2, 3)), training=True)
    assert only_training.modes == [True]
    assert sorted(f.attribute for f in only_training.findings) == ["infer_w", "never"]


def test_variable_created_only_in_graph_mode_is_caught_by_the_tf_function_pass(keras3: Any, tf: Any) -> None:
    class GraphOnly(keras3.layers.Layer):
        def call(self, x):
            if not tf.executing_eagerly():
                return x * tf.Variable(1.0, name="graph_only")
            return x

    report = check_layer(GraphOnly(), tf.ones((2, 3)))
    assert [f.code for f in report.findings] == ["KVL903"]
    assert report.findings[0].error is not None and report.findings[0].error.phase == "graph"
    assert "tf.function" in report.findings[0].message


def test_call_kwargs_and_several_inputs_reach_the_layer(keras3: Any, tf: Any) -> None:
    class Mix(keras3.layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight(shape=(), name="a")
            self.b = self.add_weight(shape=(), name="b")

        def call(self, x, y, use_b=False):
            return x * self.a + (y * self.b if use_b else y)

    assert check_layer(Mix(), tf.ones((2, 3)), tf.ones((2, 3)), use_b=True).ok
    without = check_layer(Mix(), tf.ones((2, 3)), tf.ones((2, 3)))
    assert [f.attribute for f in without.findings] == ["b"]


def test_model_subclass_and_integer_outputs(keras3: Any, tf: Any) -> None:
    class Net(keras3.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras3.layers.Dense(2)
            self.temperature = tf.Variable(1.0, name="temperature")

        def call(self, x):
            return self.dense(x) / self.temperature

    report = check_layer(Net(), tf.ones((2, 3)))
    assert [(f.code, f.attribute) for f in report.findings] == [("KVL901", "temperature")]

    class ArgMax(keras3.layers.Layer):
        def call(self, x):
            return tf.argmax(x, axis=-1)

    discrete = check_layer(ArgMax(), tf.ones((2, 3)))
    assert discrete.ok and not discrete.gradients_checked
    assert any("no floating-point" in note for note in discrete.notes)


def test_a_layer_that_cannot_be_built_gives_kvl904_with_the_error(keras3: Any, tf: Any) -> None:
    class Broken(keras3.layers.Layer):
        def build(self, input_shape):
            raise RuntimeError("boom")

        def call(self, x):
            return x

    report = check_layer(Broken(), tf.ones((2, 3)))
    (finding,) = report.findings
    assert finding.code == "KVL904" and finding.error is not None
    assert finding.error.phase == "build" and finding.error.type == "RuntimeError"
    assert "boom" in finding.message and finding.file == __file__
    assert not report.completed


def test_rejects_what_is_not_a_layer(tf: Any) -> None:
    with pytest.raises(TypeError, match="expects a Keras layer"):
        check_layer(tf.Module(), tf.ones((2, 3)))


def test_report_survives_a_json_round_trip(keras3: Any, tf: Any) -> None:
    import json

    class Raw(keras3.layers.Layer):
        def build(self, input_shape):
            self.w = tf.Variable(1.0, name="raw")

        def call(self, x):
            return x * float(self.w.numpy())

    report = check_layer(Raw(), tf.ones((2, 3)))
    assert {f.code for f in report.findings} == {"KVL901", "KVL904"}
    again = RuntimeReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report and str(again) == str(report)
