from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Kind, Use
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class UnusedWeight(Rule):
    """
    ## What it does
    Finds a trainable weight created in `__init__`/`build` that is never read anywhere else:
    not in the class, its helper methods and properties, its project base and subclasses, nor
    as `obj.attr` anywhere in the files being linted. Finds a sublayer that is built (by
    `self.sub.build(shape)`, or on construction) but never called: it is read only for its
    metadata (`self.sub.get_config()`, `self.sub.supports_masking`). A sublayer that is never
    called nor built owns no weights and is not reported. Classes that reach their attributes
    dynamically (`getattr(self, name)`, `self.__dict__`, `self.weights`) or inherit code the
    linter cannot see are skipped.

    ## Why is this bad?
    A weight that is never read gets a `None` gradient: it is saved, counted in the parameter
    total and in `trainable_variables`, and handed to the optimizer, which warns "Gradients do
    not exist for variables ... when minimizing the loss", but it never affects the output.
    Usually a typo or a refactoring left it behind.
    """

    code = "KVL101"
    name = "unused-weight"
    severity = Severity.WARNING
    summary = "weight or sublayer never read"
    examples = Examples(
        invalid=(
            """
import keras

class Affine(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 4))
        self.bias = self.add_weight(shape=(4,), initializer="zeros")  # KVL101

    def call(self, inputs):
        return inputs @ self.kernel
""",
        ),
        valid=(
            """
import keras

class Affine(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 4))
        self.bias = self.add_weight(shape=(4,), initializer="zeros")

    def call(self, inputs):
        return self._project(inputs) + self.bias

    def _project(self, inputs):
        return inputs @ self.kernel
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        if not layer.sees_every_read:
            return
        for attr, first in layer.made_before_call():
            if not layer.trainable(attr):
                continue  # nothing to train: frozen weights, Flatten(), Dropout()
            reads = list(layer.all_reads(attr))
            if all(c.kind is Kind.LAYER for c in first.value.creations):
                if any(r.use is not Use.METADATA for r in reads):
                    continue  # called, passed on, or read in a way that may run its weights
                if not any(c.built for c in first.value.creations) and not any(
                    r.member == "build" and r.called for r in reads
                ):
                    continue  # never built: it owns no weights
                message = (f"sublayer self.{attr} is built, so it owns weights, but it is never called: they are in "
                           "trainable_variables but get no gradient and never train")
            elif reads:
                continue
            else:
                message = f"weight self.{attr} is created but never read, so it gets no gradient and never trains"
            yield Report(first.node, message, attr, extra={"unless_read_elsewhere": attr})
