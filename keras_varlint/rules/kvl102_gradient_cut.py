from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import VARIABLE_KINDS, Read, Use
from keras_varlint.analysis.layer_view import LayerView
from keras_varlint.findings import Severity
from keras_varlint.rules.base import Examples, Report, Rule


def own_call_reads(layer: LayerView, use: Use) -> Iterator[Read]:
    """Reads of weight attributes with ``use`` in this class's own call-reachable methods."""
    own = set(map(id, layer.facts.methods.values()))
    for method in layer.call_methods:
        if id(method) in own:
            for read in method.reads:
                if read.use is use and layer.holds(read.attr, VARIABLE_KINDS):
                    yield read


def wrapper_name(read: Read) -> str:
    from keras_varlint.analysis.extractor import dotted_name  # libcst: loaded only when classes are analysed

    node = read.wrapper
    func = getattr(node, "func", None)
    name = dotted_name(func) if func is not None else None
    return name.rpartition(".")[2] if name else type(node).__name__.lower()


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
        for read in own_call_reads(layer, Use.CUT):
            key = (id(read.wrapper), read.attr)
            if key in seen:
                continue
            seen.add(key)
            yield Report(
                read.wrapper,
                f"{wrapper_name(read)}() on self.{read.attr} leaves the graph: the weight gets no gradient, and "
                "tf.function fails; use tf/keras.ops instead",
                read.attr,
            )
