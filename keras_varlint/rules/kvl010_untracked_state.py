from __future__ import annotations

from typing import Iterator

from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity, keras_variable_fix


class UntrackedState(Rule):
    """
    ## What it does
    Finds a non-trainable `tf.Variable` (`trainable=False`, or an integer or bool dtype)
    stored on a layer attribute.

    ## Why is this bad?
    It does not need gradients, but Keras 3 does not track it either: it is not part of
    `layer.weights`, so `model.save()` and `save_weights()` silently leave it out and a
    reloaded model restarts from its initial value (a step counter back at 0, running
    statistics reset). Use `self.add_weight(..., trainable=False)` or
    `keras.Variable(..., trainable=False)`.

    ## Fix safety
    The fix is KVL001's: `keras.Variable(...)` with the arguments mapped one to one, adding
    `trainable=False` when the call did not say (an integer or bool variable is never trained, and
    a Keras variable left trainable would be handed to the optimizer). Safe and unsafe as for
    KVL001. The variable is then in `layer.weights` and saved with the model.
    """

    code = "KVL010"
    name = "untracked-state"
    severity = Severity.WARNING
    summary = "non-trainable tf.Variable not saved with the model"
    default_enabled = False
    keras_versions = frozenset({3})
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Counter(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.steps = tf.Variable(0)  # KVL010

    def call(self, inputs):
        self.steps.assign_add(1)
        return inputs
""",
        ),
        valid=(
            """
import keras

class Counter(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.steps = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False)

    def call(self, inputs):
        self.steps.assign_add(1)
        return inputs
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for attr, creation in layer.stored_tf_variables(trainable=False):
            yield Report(
                creation.node,
                f"non-trainable tf.Variable in self.{attr} is not tracked by Keras 3, so it is not saved with the "
                "model; use self.add_weight(..., trainable=False)",
                attr,
                fix=keras_variable_fix(creation.node, frozen=True),
            )
