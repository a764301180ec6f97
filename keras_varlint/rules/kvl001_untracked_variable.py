from __future__ import annotations

from typing import Iterator

from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity, keras_variable_fix


class UntrackedVariable(Rule):
    """
    ## What it does
    Finds a trainable `tf.Variable` stored on a layer attribute, directly or inside a
    list, dict or tuple (including `self.vs.append(tf.Variable(...))`).

    ## Why is this bad?
    Keras 3 (and so `tf.keras` on TensorFlow >= 2.16) tracks only its own `keras.Variable`s.
    A raw `tf.Variable` is not in `layer.trainable_variables`, so `model.fit` never updates
    it and it is not saved with the model's weights. Nothing warns you: the model just does
    not learn that parameter. Under Keras 2 (`tf_keras`) the variable is tracked, so the rule
    stays silent there.

    ## Fix safety
    The fix replaces `tf.Variable(...)` with `keras.Variable(...)` and adds `import keras` when the
    file has no `keras` name (none when `keras` names something else). It is safe when every argument
    maps one to one: `initial_value` (positional, or `initializer=`), a literal `trainable`, `dtype`
    and a literal `name`: `keras.Variable` infers the same dtype from the same value (checked on
    Keras 3.15: Python floats and ints, NumPy arrays, tensors). The layer then tracks and trains the
    variable, which is what the code meant. It is unsafe when the outcome depends on values only
    known at run time: a `name` that is not a literal (a Keras variable name cannot hold `/`), a
    `shape` (a Keras variable's must be fully known), or a `caching_device`, which is dropped. There
    is no fix when `keras.Variable` has no place for an argument (`constraint`, `validate_shape`,
    `synchronization`, `aggregation` as TensorFlow enums, `*args`), for a lambda initial value (Keras
    calls an initializer only with a shape) or a name holding `/`. One caveat of the safe fix: an
    initial value that is a name holding a callable (rare) makes the layer's construction raise.
    """

    code = "KVL001"
    name = "untracked-variable"
    severity = Severity.ERROR
    summary = "tf.Variable on a layer attribute is not tracked by Keras 3"
    keras_versions = frozenset({3})
    examples = Examples(
        invalid=(
            """
import tensorflow as tf
from tensorflow import keras

class Scale(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = tf.Variable(0.5, name="scale")  # KVL001

    def call(self, inputs):
        return inputs * self.scale
""",
            """
import keras
import tensorflow as tf

class Mixture(keras.layers.Layer):
    def build(self, input_shape):
        self.experts = []
        for _ in range(3):
            self.experts.append(tf.Variable(tf.ones(input_shape[-1:])))  # KVL001
        self.gates = {"a": tf.Variable(1.0, trainable=True)}  # KVL001

    def call(self, inputs):
        return sum(inputs * e for e in self.experts) * self.gates["a"]
""",
        ),
        valid=(
            """
import tensorflow as tf
from tensorflow import keras

class Scale(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = self.add_weight(
            name="scale", shape=(), initializer=keras.initializers.Constant(0.5)
        )

    def call(self, inputs):
        return inputs * self.scale
""",
            """
import keras
import tensorflow as tf

class Counter(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = keras.Variable(0.5)
        self.steps = tf.Variable(0, trainable=False)  # KVL010 when selected, not KVL001

    def call(self, inputs):
        self.steps.assign_add(1)
        return inputs * self.scale
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for attr, creation in layer.stored_tf_variables(trainable=True):
            yield Report(
                creation.node,
                f"tf.Variable stored in self.{attr} is not tracked by Keras 3: it is not in trainable_variables "
                "and fit() never updates it; create it with self.add_weight(...) or keras.Variable(...)",
                attr,
                fix=keras_variable_fix(creation.node, frozen=False),
            )
