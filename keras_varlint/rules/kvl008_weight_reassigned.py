from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Assignment, How, Kind
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


def _surely_both_run(a: Assignment, b: Assignment) -> bool:
    """Whenever ``b`` runs, ``a`` ran before it: every branch taken to reach ``a`` is taken to reach ``b``
    too, and ``a``'s branch does not return first. Two separate ifs may exclude each other: silent."""
    later = dict(b.branch)
    if any(later.get(node) != which for node, which in a.branch):
        return False
    return all(node in later for node in a.exits)


class WeightReassigned(Rule):
    """
    ## What it does
    Finds an attribute given a second new weight in the same method while the first is still
    unused, for example a conditional re-creation in `build`.

    ## Why is this bad?
    The first weight stays tracked (Keras 3) but nothing reads it any more: it sits in
    `trainable_variables` with a `None` gradient, is saved and restored for nothing, and the
    optimizer warns "Gradients do not exist for variables". Keras 2 drops it instead. Create
    each weight once, choosing its arguments first.
    """

    code = "KVL008"
    name = "weight-reassigned"
    severity = Severity.WARNING
    summary = "attribute given a second weight"
    examples = Examples(
        invalid=(
            """
import keras

class Gain(keras.layers.Layer):
    def __init__(self, per_channel=False):
        super().__init__()
        self.per_channel = per_channel

    def build(self, input_shape):
        self.gain = self.add_weight(shape=(), initializer="ones")
        if self.per_channel:
            self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones")  # KVL008

    def call(self, inputs):
        return inputs * self.gain
""",
        ),
        valid=(
            """
import keras

class Gain(keras.layers.Layer):
    def __init__(self, per_channel=False):
        super().__init__()
        self.per_channel = per_channel

    def build(self, input_shape):
        if self.per_channel:
            self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        else:
            self.gain = self.add_weight(shape=(), initializer="ones")

    def call(self, inputs):
        return inputs * self.gain
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        tracked = {Kind.WEIGHT, Kind.KERAS_VARIABLE} | ({Kind.TF_VARIABLE} if layer.keras_version == 2 else set())
        for method in layer.facts.methods.values():
            made = [a for a in method.assignments if a.how is How.ASSIGN and a.value.kind in tracked and a.value.creations]
            for i, second in enumerate(made):
                for first in made[:i]:
                    if first.attr != second.attr or not _surely_both_run(first, second):
                        continue
                    read_between = any(first.order < r.order < second.order for r in method.reads if r.attr == first.attr)
                    if not read_between:
                        yield Report(
                            second.node,
                            f"self.{second.attr} is given a second weight; the first one stays tracked but is never "
                            "used and gets no gradient",
                            second.attr,
                        )
                        break
