from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Use
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class GradientCut(Rule):
    """
    ## What it does
    Finds a weight read in code reached from `call` through `.numpy()`, a NumPy function,
    `float()`, `int()`, `bool()`, `keras.ops.convert_to_numpy` or `tf.make_ndarray`.

    ## Why is this bad?
    The value leaves the TensorFlow graph: in eager mode the gradient to the weight is
    silently `None`, so it never trains; under `tf.function` (and so in `model.fit`) the call
    fails with "numpy() is only available when eager execution is enabled". Use the tensor
    ops of `tf` or `keras.ops` instead.

    ## Fix safety
    No fix yet: whether a `keras.ops` twin computes the same value (and whether the value was
    meant to leave the graph, as for logging) needs a person to decide.
    """

    code = "KVL102"
    name = "gradient-cut"
    severity = Severity.ERROR
    summary = "weight read through numpy/float in call"
    examples = Examples(
        invalid=(
            """
import keras
import numpy as np

class Temperature(keras.layers.Layer):
    def build(self, input_shape):
        self.t = self.add_weight(shape=(), initializer="ones")

    def call(self, inputs):
        return inputs / float(self.t)  # KVL102
""",
            """
import keras
import numpy as np

class Gate(keras.layers.Layer):
    def build(self, input_shape):
        self.g = self.add_weight(shape=(input_shape[-1],))

    def call(self, inputs):
        return inputs * np.tanh(self.g.numpy())  # KVL102
""",
        ),
        valid=(
            """
import keras
import numpy as np

class Temperature(keras.layers.Layer):
    def build(self, input_shape):
        self.t = self.add_weight(shape=(), initializer="ones")
        self.size = int(np.prod(self.t.shape))

    def call(self, inputs):
        return inputs / keras.ops.softplus(self.t)
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        seen: set[tuple[int, str]] = set()
        for read in layer.own_call_reads(Use.CUT):
            key = (id(read.wrapper), read.attr)
            if key in seen:
                continue
            seen.add(key)
            yield Report(
                read.wrapper,
                f"{read.wrapper_name}() on self.{read.attr} leaves the graph: the weight gets no gradient, and "
                "tf.function fails; use tf/keras.ops instead",
                read.attr,
            )
