from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import How
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity

READ_ONLY = frozenset(
    {"trainable_weights", "non_trainable_weights", "weights", "trainable_variables", "non_trainable_variables",
     "variables"}
)


class ManualTrainableWeights(Rule):
    """
    ## What it does
    Finds assignments to `self.trainable_weights`, `self.non_trainable_weights`,
    `self.weights` (and their `*_variables` aliases).

    ## Why is this bad?
    These are read-only properties computed from the variables Keras tracks. Assigning to
    them raises `AttributeError` in Keras 3 and in `tf.keras`, so the layer cannot even be
    built. Create weights with `self.add_weight(...)` and Keras lists them for you.
    """

    code = "KVL009"
    name = "manual-trainable-weights"
    severity = Severity.ERROR
    summary = "assignment to a read-only weights property"
    examples = Examples(
        invalid=(
            """
import keras

class Linear(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 4))
        self.trainable_weights = [self.w]  # KVL009

    def call(self, inputs):
        return inputs @ self.w
""",
        ),
        valid=(
            """
import keras

class Linear(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 4))

    def call(self, inputs):
        return inputs @ self.w
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for a in layer.facts.assignments():
            if a.attr in READ_ONLY and a.how in (How.ASSIGN, How.AUGMENTED):
                yield Report(
                    a.node,
                    f"self.{a.attr} is a read-only property: assigning it raises AttributeError; "
                    "create weights with self.add_weight(...) and Keras tracks them",
                    a.attr,
                )
