from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Kind
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class UntrackedHolder(Rule):
    """
    ## What it does
    Finds state held where Keras does not look for it: an attribute holding an instance of a
    `tf.Module` subclass defined in your project (Keras 3 only), or holding a callable returned
    by a function that creates layers and returns a closure over them (Keras 3 and Keras 2).

    ## Why is this bad?
    Keras 3 tracks `keras.Variable`s, layers, and lists/dicts of them. A `tf.Module` that owns
    variables is opaque to it, and no version of Keras looks inside a closure,
    `functools.partial` or plain object. The variables inside are missing from
    `trainable_variables`: `fit` never trains them and they are not saved.
    """

    code = "KVL006"
    name = "untracked-holder"
    severity = Severity.ERROR
    summary = "state held in an object Keras does not track"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Scales(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(1.0)

class Scaled(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scales = Scales()  # KVL006

    def call(self, inputs):
        return inputs * self.scales.w
""",
            """
import keras

def make_head(units):
    dense = keras.layers.Dense(units)
    def head(x):
        return dense(x)
    return head

class Model(keras.Model):
    def __init__(self):
        super().__init__()
        self.head = make_head(4)  # KVL006

    def call(self, inputs):
        return self.head(inputs)
""",
        ),
        valid=(
            """
import keras

class Scales(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(), initializer="ones")

class Scaled(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scales = Scales()

    def call(self, inputs):
        return inputs * self.scales.w
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for a in layer.facts.assignments():
            kind = a.value.kind
            if kind is Kind.MODULE and layer.keras_version == 3:
                callee = a.value.creations[0].name
                yield Report(
                    a.node,
                    f"self.{a.attr} holds a tf.Module ({callee}); Keras 3 does not track the variables inside it: "
                    "make it a keras.layers.Layer",
                    a.attr,
                )
            elif kind is Kind.CLOSURE:
                yield Report(
                    a.node,
                    f"self.{a.attr} holds a closure over layers; Keras does not track layers inside closures: "
                    "store the layers themselves on self",
                    a.attr,
                )
