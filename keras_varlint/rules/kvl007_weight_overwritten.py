from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import VARIABLE_KINDS, How
from keras_varlint.rules.base import UNSAFE, Examples, FixSpec, LayerView, Report, Rule, Severity


class WeightOverwritten(Rule):
    """
    ## What it does
    Finds, in code reached from `call`, an assignment that replaces an attribute holding a
    weight made in `__init__`/`build` with an expression, such as `self.w = self.w * decay`.

    ## Why is this bad?
    The attribute now holds a tensor, not the variable. Keras 3 still tracks the variable,
    but from the second call on `call` reads the tensor, so the variable gets a `None`
    gradient ("No gradients provided for any variable" under `fit`); Keras 2 drops the
    variable from the layer altogether. Update a variable in place with `self.w.assign(...)`.

    ## Fix safety
    The fix writes `self.w.assign(<expr>)` (`self.w += d` as `self.w.assign_add(d)`, `-=` as
    `assign_sub`, other operators as `self.w.assign(self.w <op> (d))`). It is unsafe: the old
    code used the new value only in this call and the variable kept its value, while `assign`
    changes the variable itself on every call, and the assignment takes no gradient. It is what
    the code means in most cases (a decay, a constraint), but check it.
    """

    code = "KVL007"
    name = "weight-overwritten"
    severity = Severity.ERROR
    summary = "weight attribute replaced by a tensor in call"
    examples = Examples(
        invalid=(
            """
import keras

class Decay(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        self.w = self.w * 0.99  # KVL007
        return inputs * self.w
""",
        ),
        valid=(
            """
import keras

class Decay(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=False)

    def call(self, inputs):
        self.w.assign(self.w * 0.99)
        return inputs * self.w
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        own = set(map(id, layer.facts.methods.values()))
        # `self.weight_v = self.kernel`: the variable stays held (and tracked) by the other attribute.
        aliased = {a.value.alias_of for m in layer.facts.methods.values() for a in m.assignments if a.value.alias_of}
        for method in layer.call_methods:
            if id(method) not in own:
                continue
            for a in method.assignments:
                value = a.value
                if value.creations or value.alias_of or a.how not in (How.ASSIGN, How.AUGMENTED) or a.attr in aliased:
                    continue
                if layer.holds(a.attr, VARIABLE_KINDS):
                    yield Report(
                        a.node,
                        f"self.{a.attr} holds a weight; assigning an expression to it in {a.method}() replaces "
                        f"the variable with a tensor, which gets no gradient: use self.{a.attr}.assign(...)",
                        a.attr,
                        fix=_assign_fix(a.node, a.attr),
                    )


_AUGMENTED = {"AddAssign": "assign_add", "SubtractAssign": "assign_sub"}


def _assign_fix(node, attr: str) -> FixSpec | None:  # noqa: ANN001
    """``self.w = expr`` as ``self.w.assign(expr)``; ``self.w += d`` as ``self.w.assign_add(d)``,
    ``self.w *= c`` as ``self.w.assign(self.w * (c))``."""
    import libcst as cst

    if isinstance(node, cst.Assign):
        if len(node.targets) != 1:
            return None
        target, value, method = node.targets[0].target, node.value, "assign"
    elif isinstance(node, cst.AugAssign):
        target, operator = node.target, type(node.operator).__name__
        method = _AUGMENTED.get(operator, "assign")
        value = node.value
        if method == "assign":
            binary = getattr(cst, operator.removesuffix("Assign"), None)
            if binary is None:
                return None
            if not isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float)):
                value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            value = cst.BinaryOperation(target, binary(), value)
    else:
        return None
    if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self"):
        return None
    call = cst.Call(cst.Attribute(target, cst.Name(method)), [cst.Arg(value)])
    return FixSpec(UNSAFE, f"Update the variable in place: self.{attr}.{method}(...)", [(node, cst.Expr(call))])
