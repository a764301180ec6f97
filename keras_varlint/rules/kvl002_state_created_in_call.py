from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import VARIABLE_KINDS, Kind
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class StateCreatedInCall(Rule):
    """
    ## What it does
    Finds `tf.Variable(...)`, `keras.Variable(...)` or `self.add_weight(...)` inside `call`,
    or inside a method that only `call` reaches.

    ## Why is this bad?
    `call` runs on every batch. A variable made there is new on every call, so nothing it
    learns survives the step. Keras 3 refuses outright once the layer is built ("You cannot
    add new elements of state (variables or sub-layers) to a layer that is already built"),
    and under `tf.function` TensorFlow fails with "tf.function only supports singleton
    tf.Variables created on the first call". Create state in `__init__` or `build`.

    ## Fix safety
    No fix: moving the creation to `build()` needs the shape and the names it reads in `call`,
    which are not known statically in general.
    """

    code = "KVL002"
    name = "state-created-in-call"
    severity = Severity.ERROR
    summary = "variable created inside call"
    examples = Examples(
        invalid=(
            """
import keras

class Bias(keras.layers.Layer):
    def call(self, inputs):
        bias = self.add_weight(shape=(inputs.shape[-1],), initializer="zeros")  # KVL002
        return inputs + bias
""",
            """
import keras
import tensorflow as tf

class Noisy(keras.layers.Layer):
    def call(self, inputs):
        return self._noise(inputs)

    def _noise(self, inputs):
        scale = tf.Variable(0.1)  # KVL002
        return inputs + scale * tf.random.normal(tf.shape(inputs))
""",
        ),
        valid=(
            """
import keras

class Bias(keras.layers.Layer):
    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer="zeros")

    def call(self, inputs):
        return inputs + self.bias
""",
            """
import tf_keras as keras

class LazyBias(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.bias = None

    def call(self, inputs):
        if self.bias is None:  # Keras 2 creates it once, on the first call
            self.bias = self.add_weight(shape=(inputs.shape[-1],), initializer="zeros")
        return inputs + self.bias
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for creation in layer.created_in_call(VARIABLE_KINDS):
            what = "self.add_weight(...)" if creation.kind is Kind.WEIGHT else creation.name
            yield Report(
                creation.node,
                f"{what} in {creation.method}() creates a new variable on every call; create it in build()",
            )
