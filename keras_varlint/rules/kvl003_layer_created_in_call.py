from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Kind, LayerState
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class LayerCreatedInCall(Rule):
    """
    ## What it does
    Finds a Keras layer class, built-in or from your project, instantiated inside `call` or
    a method only `call` reaches. Not reported: layers that own no state (`Flatten()`,
    `Add()`, Keras 2's `Dropout`), functional helpers such as `layers.concatenate`, and
    weightless wrappers (`keras.layers.RNN(self.cell)`, `TimeDistributed(self.dense)`):
    their weights are those of the layer they wrap, which is reported where it is made if
    that is in `call`. `Bidirectional` is reported: it copies the layer it wraps into new
    forward and backward layers.

    ## Why is this bad?
    The layer, and every weight it makes, is new on each call: it starts from its initial
    values every batch and never trains. Eagerly it runs and the outer layer has 0 weights;
    under `model.fit` with TensorFlow it fails with a singleton-variable error, and on the
    JAX backend the loss silently never moves. Random layers (`Dropout`, `GaussianNoise`
    and the `Random*` augmentation layers in Keras 3; the `Random*` layers in Keras 2)
    have no weights, but each makes a random-seed state variable, so `fit` and `predict`
    fail the same way under `tf.function`. Create sublayers in `__init__`.

    ## Fix safety
    No fix yet: moving the construction to `__init__` or `build` is only right when its arguments
    are known there, and the stored layer must then be called in place of the new one.
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
        for creation in layer.created_in_call(frozenset({Kind.LAYER})):
            if creation.state in (LayerState.STATELESS, LayerState.WRAPPER):
                continue  # owns no variables; a layer it wraps is reported where it is made
            made = f"{creation.name}(...) in {creation.method}()"
            if creation.state is LayerState.SEEDED:
                message = (f"{made} makes a new random-seed variable on every call: under tf.function (fit, predict) "
                           "it fails with 'tf.function only supports singleton tf.Variables'; create it in __init__")
            elif creation.state is LayerState.UNTRAINABLE:
                message = (f"{made} makes a new layer with fresh state (lookup tables, statistics) on every call; "
                           "create it in __init__ and reuse it")
            elif creation.name == "Bidirectional":
                message = (f"{made} copies the layer it wraps into new forward and backward layers on every call, "
                           "so their weights are fresh each call and never train; create it in __init__")
            else:
                message = (f"{made} makes a new layer with fresh weights on every call; "
                           "create it in __init__ and reuse it")
            yield Report(creation.node, message)

