from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import VARIABLE_KINDS, Use
from keras_varlint.analysis.layer_view import LayerView
from keras_varlint.findings import Severity
from keras_varlint.rules.base import Examples, Report, Rule


def only_used_as(layer: LayerView, uses: frozenset[Use]) -> Iterator[tuple[str, object]]:
    """(attribute, first read) for trainable weights whose every value read in call has one of ``uses``.

    The first read must be in this class's own code, where its position is known.
    """
    if not layer.complete:
        return
    own = set(map(id, layer.facts.methods.values()))
    for attr in layer.creating_assignments:
        if not (layer.holds(attr, VARIABLE_KINDS) and layer.trainable(attr)):
            continue
        reads = sorted(layer.value_reads_in_call(attr), key=lambda r: r.order)
        if reads and all(r.use in uses for r in reads):
            first = reads[0]
            if any(m.name == first.method and id(m) in own for m in layer.call_methods):
                yield attr, first


class GradientStopped(Rule):
    """
    ## What it does
    Finds a trainable weight whose every read in code reached from `call` is wrapped in
    `tf.stop_gradient` or `keras.ops.stop_gradient`. A weight that also reaches the output by
    another path, as in a straight-through estimator (`w + stop_gradient(q(w) - w)`), is not
    reported.

    ## Why is this bad?
    No gradient flows into the weight, so it keeps its initial value while Keras still lists
    it as trainable. If it is meant to be fixed, create it with `trainable=False`.
    """

    code = "KVL103"
    name = "gradient-stopped"
    severity = Severity.WARNING
    summary = "trainable weight only read under stop_gradient"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Shift(keras.layers.Layer):
    def build(self, input_shape):
        self.shift = self.add_weight(shape=(input_shape[-1],))

    def call(self, inputs):
        return inputs + tf.stop_gradient(self.shift)  # KVL103
""",
        ),
        valid=(
            """
import keras
import tensorflow as tf

class STEQuant(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],))

    def call(self, inputs):
        w = self.w + tf.stop_gradient(tf.round(self.w) - self.w)
        return inputs * w
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for attr, first in only_used_as(layer, frozenset({Use.STOPPED})):
            yield Report(
                first.wrapper,
                f"trainable weight self.{attr} is only read under stop_gradient, so it never trains; "
                "create it with trainable=False if it is meant to be fixed",
                attr,
            )
