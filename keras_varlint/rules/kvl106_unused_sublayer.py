from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Kind
from keras_varlint.rules.base import Examples, LayerView, Report, Rule, Severity


class UnusedSublayer(Rule):
    """
    ## What it does
    Finds a sublayer created in `__init__`/`build` that is never used: never called, built,
    passed on or read anywhere (in the class, its project relatives, or as `obj.attr` in the
    files being linted). A sublayer that owns weights although it is never called is
    `unused-weight` (KVL101) instead. This rule is informational and off by default.

    ## Why is this bad?
    The sublayer is never built, so it owns no weights and nothing fails to train; but the
    computation it stands for never happens. Usually a forgotten call (a residual projection,
    a dropout or a gate that the code looks like it applies) or a leftover of a refactoring.
    """

    code = "KVL106"
    name = "unused-sublayer"
    severity = Severity.INFO
    summary = "sublayer never called or used"
    default_enabled = False
    examples = Examples(
        invalid=(
            """
import keras

class Residual(keras.layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.body = keras.layers.Dense(units)
        self.shortcut = keras.layers.Dense(units)  # KVL106

    def call(self, inputs):
        return inputs + self.body(inputs)
""",
        ),
        valid=(
            """
import keras

class Residual(keras.layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.body = keras.layers.Dense(units)
        self.shortcut = keras.layers.Dense(units)

    def call(self, inputs):
        return self.shortcut(inputs) + self.body(inputs)
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        if not layer.sees_every_read:
            return
        for attr, first in layer.made_before_call():
            if not all(c.kind is Kind.LAYER and not c.built for c in first.value.creations):
                continue
            if next(layer.all_reads(attr), None) is None:
                yield Report(
                    first.node,
                    f"sublayer self.{attr} is created but never used: it is never called, so the computation "
                    "it stands for never happens (it owns no weights)",
                    attr,
                    extra={"unless_read_elsewhere": attr},
                )
