from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import CREATION_METHODS, VARIABLE_KINDS, How, Kind
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class WeightDerivedOutsideCall(Rule):
    """
    ## What it does
    Finds an attribute set in `__init__` or `build` to an expression computed from weights,
    such as `self.kernel = self.mu + self.sigma * eps`.

    ## Why is this bad?
    The expression is evaluated once, when the layer is built. `call` then reads a constant
    tensor: the weights it came from (`mu`, `sigma`) get no gradient and never train.
    Compute the expression inside `call`.
    """

    code = "KVL005"
    name = "weight-derived-outside-call"
    severity = Severity.WARNING
    summary = "tensor derived from weights outside call"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class BayesDense(keras.layers.Layer):
    def build(self, input_shape):
        self.mu = self.add_weight(shape=(input_shape[-1], 4))
        self.sigma = self.add_weight(shape=(input_shape[-1], 4))
        self.kernel = self.mu + self.sigma * tf.random.normal((input_shape[-1], 4))  # KVL005

    def call(self, inputs):
        return inputs @ self.kernel
""",
        ),
        valid=(
            """
import keras
import tensorflow as tf

class BayesDense(keras.layers.Layer):
    def build(self, input_shape):
        self.mu = self.add_weight(shape=(input_shape[-1], 4))
        self.sigma = self.add_weight(shape=(input_shape[-1], 4))
        self.units = self.mu.shape[-1]

    def call(self, inputs):
        kernel = self.mu + self.sigma * tf.random.normal(tf.shape(self.mu))
        return inputs @ kernel
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for a in layer.facts.assignments():
            if a.method not in CREATION_METHODS or a.how is not How.ASSIGN or a.value.kind is not Kind.DERIVED:
                continue
            # A weight that call also reads directly still trains; the snapshot is deliberate.
            weights = sorted({
                s for s in a.value.sources
                if layer.holds(s, VARIABLE_KINDS) and layer.trainable(s) and not layer.value_reads_in_call(s)
            })
            if weights:
                names = ", ".join(f"self.{w}" for w in weights)
                yield Report(
                    a.node,
                    f"self.{a.attr} is computed from {names} once, in {a.method}(): those weights get no gradient; "
                    "compute it in call()",
                    a.attr,
                )
