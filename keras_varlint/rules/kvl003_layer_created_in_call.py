from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Kind
from keras_varlint.analysis.layer_view import LayerView
from keras_varlint.findings import Severity
from keras_varlint.rules.base import Examples, Report, Rule
from keras_varlint.rules.kvl002_state_created_in_call import created_in_call


class LayerCreatedInCall(Rule):
    """
    ## What it does
    Finds a Keras layer class, built-in or from your project, instantiated inside `call` or
    a method only `call` reaches. Functional helpers such as `layers.concatenate` are not
    classes and are not reported.

    ## Why is this bad?
    The layer, and every weight it makes, is new on each call: it starts from its initial
    values every batch and never trains. Eagerly it runs and the outer layer has 0 weights;
    under `model.fit` with TensorFlow it fails with a singleton-variable error, and on the
    JAX backend the loss silently never moves. Create sublayers in `__init__`.
    """

    code = "KVL003"
    name = "layer-created-in-call"
    severity = Severity.ERROR
    summary = "layer instantiated inside call"
    examples = Examples(
        invalid=(
            """
import keras

class Head(keras.layers.Layer):
    def call(self, inputs):
        return keras.layers.Dense(4)(inputs)  # KVL003
""",
        ),
        valid=(
            """
import keras

class Head(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(4)

    def call(self, inputs):
        return keras.layers.concatenate([self.dense(inputs), inputs])
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for creation in created_in_call(layer, frozenset({Kind.LAYER})):
            if creation.stateless:
                continue  # Flatten(), Add(), ...: nothing to lose
            name = creation.callee.rpartition(".")[2]
            yield Report(
                creation.node,
                f"{name}(...) in {creation.method}() makes a new layer with fresh weights on every call; "
                "create it in __init__ and reuse it",
            )
