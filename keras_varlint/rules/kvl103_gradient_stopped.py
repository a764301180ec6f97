from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Use
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class GradientStopped(Rule):
    """
    ## What it does
    Finds a trainable weight whose every read in code reached from `call` is wrapped in
    `tf.stop_gradient` or `keras.ops.stop_gradient`. A weight that also reaches the output by
    another path, as in a straight-through estimator (`w + stop_gradient(q(w) - w)`), is not
    reported.

    ## Why is this bad?
    No gradient flows into the weight, so it keeps its initial value while Keras still lists
    it as trainable. If it is meant to be fixed, create it with `trainable=False`.
    """

    code = "KVL103"
    name = "gradient-stopped"
    severity = Severity.WARNING
    summary = "trainable weight only read under stop_gradient"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Shift(keras.layers.Layer):
    def build(self, input_shape):
        self.shift = self.add_weight(shape=(input_shape[-1],))

    def call(self, inputs):
        return inputs + tf.stop_gradient(self.shift)  # KVL103
""",
        ),
        valid=(
            """
import keras
import tensorflow as tf

class STEQuant(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],))

    def call(self, inputs):
        w = self.w + tf.stop_gradient(tf.round(self.w) - self.w)
        return inputs * w
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for attr, first in layer.only_used_as(frozenset({Use.STOPPED})):
            yield Report(
                first.wrapper,
                f"trainable weight self.{attr} is only read under stop_gradient, so it never trains; "
                "create it with trainable=False if it is meant to be fixed",
                attr,
            )
