from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import CREATION_METHODS, VARIABLE_KINDS, Use
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class FrozenWeightOnPath(Rule):
    """
    ## What it does
    Finds a non-trainable weight (`trainable=False`) that `call` reads but that nothing ever
    updates with `.assign(...)`.

    ## Why is this bad?
    Non-trainable weights are right for running statistics (updated with `.assign` in `call`)
    and for frozen random features. A frozen weight that is read but never updated keeps its
    initial value forever: if it was meant to learn, `trainable=False` is the bug. This rule
    is informational and off by default.
    """

    code = "KVL105"
    name = "frozen-weight-on-path"
    severity = Severity.INFO
    summary = "non-trainable weight read in call but never updated"
    default_enabled = False
    examples = Examples(
        invalid=(
            """
import keras

class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer="ones", trainable=False)  # KVL105

    def call(self, inputs):
        return inputs * self.scale
""",
        ),
        valid=(
            """
import keras

class RunningMean(keras.layers.Layer):
    def build(self, input_shape):
        self.mean = self.add_weight(shape=(input_shape[-1],), initializer="zeros", trainable=False)

    def call(self, inputs, training=False):
        if training:
            self.mean.assign(0.9 * self.mean + 0.1 * keras.ops.mean(inputs, axis=0))
        return inputs - self.mean
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        if layer.facts.dynamic or layer.facts.reads_collections:
            return
        for attr, assignments in layer.own_creating_assignments.items():
            made = [a for a in assignments if a.method in CREATION_METHODS and a.value.kind in VARIABLE_KINDS]
            if not made or any(c.trainable is not False for a in assignments for c in a.value.creations):
                continue
            if not layer.value_reads_in_call(attr):
                continue
            reads = list(layer.all_reads(attr))
            if any(r.use is Use.UPDATE for r in reads):
                continue
            yield Report(
                made[0].node,
                f"non-trainable weight self.{attr} is read in call() but never updated with .assign(): "
                "if it should learn, drop trainable=False",
                attr,
                extra={"unless_read_elsewhere": attr},
            )
