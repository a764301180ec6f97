from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Use
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class NonDifferentiablePath(Rule):
    """
    ## What it does
    Finds a trainable weight whose every read in code reached from `call` goes only through
    `argmax`, `argmin`, `round`, `floor`, `ceil`, `sign`, a cast to an integer or bool dtype,
    a comparison, or use as an index.

    ## Why is this bad?
    These operations have no gradient (or a zero one): the weight's gradient is `None`, so it
    never trains. Use a differentiable relaxation (softmax instead of argmax, a
    straight-through estimator for rounding), or make the weight non-trainable.
    """

    code = "KVL104"
    name = "non-differentiable-path"
    severity = Severity.WARNING
    summary = "trainable weight only read through non-differentiable ops"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Router(keras.layers.Layer):
    def build(self, input_shape):
        self.logits = self.add_weight(shape=(4,))

    def call(self, inputs):
        expert = tf.argmax(self.logits)  # KVL104
        return inputs * tf.cast(expert, inputs.dtype)
""",
        ),
        valid=(
            """
import keras
import tensorflow as tf

class Router(keras.layers.Layer):
    def build(self, input_shape):
        self.logits = self.add_weight(shape=(4,))

    def call(self, inputs):
        weights = tf.nn.softmax(self.logits)
        return inputs * tf.reduce_sum(weights * tf.range(4, dtype=inputs.dtype))
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for attr, first in layer.only_used_as(frozenset({Use.NONDIFF})):
            yield Report(
                first.wrapper,
                f"trainable weight self.{attr} is only read through {first.wrapper_name}, which has no gradient, "
                "so it never trains",
                attr,
            )
