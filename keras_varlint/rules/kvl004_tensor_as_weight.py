from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import CREATION_METHODS, Kind
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class TensorAsWeight(Rule):
    """
    ## What it does
    Finds an attribute set in `__init__` or `build` directly to a freshly initialised tensor
    (`tf.random.*`, `np.random.*`, `keras.random.*`, an initializer called with a shape, or
    `tf.zeros`/`tf.ones`/`tf.fill` shaped from `input_shape`) and then read in `call`.
    Constant tables computed from data (`tf.constant(np.sin(...))`, a mask from `np.eye`) are
    not reported.

    ## Why is this bad?
    A tensor is not a variable: it gets no gradient, the optimizer never sees it, and it is
    not saved with the model's weights, so a reloaded model draws different random values.
    If it should train, use `self.add_weight(...)`; if it is a frozen random projection, use
    `self.add_weight(..., trainable=False)` so at least it is saved.
    """

    code = "KVL004"
    name = "tensor-as-weight"
    severity = Severity.WARNING
    summary = "freshly initialised tensor used as a weight"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Projection(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = tf.random.normal((input_shape[-1], 8))  # KVL004

    def call(self, inputs):
        return inputs @ self.kernel
""",
        ),
        valid=(
            """
import keras

class Projection(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 8), initializer="random_normal")

    def call(self, inputs):
        return inputs @ self.kernel
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for attr in {a.attr for a in layer.facts.assignments()}:
            assignments = [a for a in layer.facts.assignments() if a.attr == attr]
            if any(a.value.kind is not Kind.TENSOR and a.value.creations for a in assignments):
                continue  # later wrapped in a variable, or replaced by one
            tensors = [a for a in assignments if a.value.kind is Kind.TENSOR and a.method in CREATION_METHODS]
            if tensors and layer.value_reads_in_call(attr):
                yield Report(
                    tensors[0].node,
                    f"self.{attr} holds a plain tensor, not a variable: it never trains and is not saved; "
                    "use self.add_weight(...) (trainable=False if it must stay fixed)",
                    attr,
                )
