from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import How, Kind
from keras_varlint.rules.base import (
    DELETE,
    SAFE,
    Examples,
    FixSpec,
    LayerView,
    Report,
    Rule,
    Severity,
    enclosing_statement,
)

READ_ONLY = frozenset(
    {"trainable_weights", "non_trainable_weights", "weights", "trainable_variables", "non_trainable_variables",
     "variables"}
)


class ManualTrainableWeights(Rule):
    """
    ## What it does
    Finds assignments to `self.trainable_weights`, `self.non_trainable_weights`,
    `self.weights` (and their `*_variables` aliases).

    ## Why is this bad?
    These are read-only properties computed from the variables Keras tracks. Assigning to
    them raises `AttributeError` in Keras 3 and in `tf.keras`, so the layer cannot even be
    built. Create weights with `self.add_weight(...)` and Keras lists them for you.

    ## Fix safety
    The fix deletes the statement (leaving `pass` when it is the only one in its block). It is
    safe when every listed element is a `self.<attr>` that this layer creates with
    `self.add_weight(...)`: Keras already tracks each of them, and the statement only raises.
    There is no fix when an element is anything else (a sublayer's weight, a `tf.Variable`, a
    computed list): the author may have meant to track something Keras does not.
    """

    code = "KVL009"
    name = "manual-trainable-weights"
    severity = Severity.ERROR
    summary = "assignment to a read-only weights property"
    examples = Examples(
        invalid=(
            """
import keras

class Linear(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 4))
        self.trainable_weights = [self.w]  # KVL009

    def call(self, inputs):
        return inputs @ self.w
""",
        ),
        valid=(
            """
import keras

class Linear(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 4))

    def call(self, inputs):
        return inputs @ self.w
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for a in layer.facts.assignments():
            if a.attr in READ_ONLY and a.how in (How.ASSIGN, How.AUGMENTED):
                yield Report(
                    a.node,
                    f"self.{a.attr} is a read-only property: assigning it raises AttributeError; "
                    "create weights with self.add_weight(...) and Keras tracks them",
                    a.attr,
                    fix=_delete_fix(layer, a),
                )


def _delete_fix(layer: LayerView, assignment) -> FixSpec | None:  # noqa: ANN001
    """Delete the statement when every element it lists is an ``add_weight`` attribute of the layer:
    Keras already tracks each of them, and the statement only raises."""
    import libcst as cst

    node = assignment.node
    if isinstance(node, cst.Assign):
        if len(node.targets) != 1:
            return None
        value = node.value
    elif isinstance(node, cst.AugAssign):
        value = node.value
    else:
        return None
    if not isinstance(value, (cst.List, cst.Tuple)) or not value.elements:
        return None
    for element in value.elements:
        item = element.value
        if not (isinstance(element, cst.Element) and isinstance(item, cst.Attribute)
                and isinstance(item.value, cst.Name) and item.value.value == "self"
                and layer.holds(item.attr.value, {Kind.WEIGHT})):
            return None
    method = layer.facts.methods.get(assignment.method)
    found = enclosing_statement(method.node, node) if method is not None else None
    if found is None:
        return None
    line, in_block = found
    replacement = DELETE if in_block > 1 else cst.SimpleStatementLine([cst.Pass()])
    return FixSpec(SAFE, f"Delete the assignment to self.{assignment.attr}", [(line, replacement)])
