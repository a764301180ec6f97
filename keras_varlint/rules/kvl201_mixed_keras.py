from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Family, Kind
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class MixedKeras(Rule):
    """
    ## What it does
    Finds a layer that mixes Keras 2 (`tf_keras`) and Keras 3 (`keras`) objects: its base
    class from one, and sublayers or variables from the other.

    ## Why is this bad?
    Each Keras tracks only its own objects. A Keras 3 `Dense` inside a `tf_keras` layer (or
    the reverse) is not tracked by the outer layer: its weights are missing from
    `trainable_variables`, are never trained and are not saved. Pick one Keras per model.
    """

    code = "KVL201"
    name = "mixed-keras"
    severity = Severity.WARNING
    summary = "layer mixes Keras 2 and Keras 3 objects"
    examples = Examples(
        invalid=(
            """
import keras
import tf_keras

class Block(tf_keras.layers.Layer):  # KVL201
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(4)

    def call(self, inputs):
        return self.dense(inputs)
""",
        ),
        valid=(
            """
import tf_keras

class Block(tf_keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = tf_keras.layers.Dense(4)

    def call(self, inputs):
        return self.dense(inputs)
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        base = layer.facts.family
        if base not in (Family.KERAS2, Family.KERAS3):
            return  # tf.keras: which Keras it is depends on the installation
        for creation in layer.facts.creations():
            if creation.kind not in (Kind.LAYER, Kind.KERAS_VARIABLE):
                continue
            family = creation.family
            if family in (Family.KERAS2, Family.KERAS3) and family != base:
                other = "tf_keras" if family == Family.KERAS2 else "keras"
                yield Report(
                    layer.facts.class_node,
                    f"a Keras {int(base)} layer holds {creation.name} from {other} (Keras "
                    f"{int(family)}); it is not tracked, so its weights never train: use one Keras",
                )
                return
