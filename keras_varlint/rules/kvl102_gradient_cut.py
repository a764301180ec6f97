from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Use
from keras_varlint.rules.base import UNSAFE, Examples, FixSpec, LayerView, Report, Rule, Severity


class GradientCut(Rule):
    """
    ## What it does
    Finds a weight read in code reached from `call` through `.numpy()`, a NumPy function,
    `float()`, `int()`, `bool()`, `keras.ops.convert_to_numpy` or `tf.make_ndarray`.

    ## Why is this bad?
    The value leaves the TensorFlow graph: in eager mode the gradient to the weight is
    silently `None`, so it never trains; under `tf.function` (and so in `model.fit`) the call
    fails with "numpy() is only available when eager execution is enabled". Use the tensor
    ops of `tf` or `keras.ops` instead.

    ## Fix safety
    The fix keeps the value in the graph: `self.w.numpy()` and `float(self.w)` become `self.w`,
    and `np.<op>(...)` becomes `keras.ops.<op>(...)` for the NumPy functions whose `keras.ops`
    twin takes the same arguments (`tanh`, `exp`, `sum`, `clip`, `where`, ...), adding
    `import keras` when needed. It is unsafe: the value becomes a tensor where it was a NumPy
    array or a Python float (its dtype, and what later NumPy code does with it, can change), and
    the weight now gets a gradient, which the code may not have meant (a value only logged). There
    is no fix for other NumPy functions, for `keras.ops.convert_to_numpy`, or when the weight is
    read through another cut inside the call.
    """

    code = "KVL102"
    name = "gradient-cut"
    severity = Severity.ERROR
    summary = "weight read through numpy/float in call"
    examples = Examples(
        invalid=(
            """
import keras
import numpy as np

class Temperature(keras.layers.Layer):
    def build(self, input_shape):
        self.t = self.add_weight(shape=(), initializer="ones")

    def call(self, inputs):
        return inputs / float(self.t)  # KVL102
""",
            """
import keras
import numpy as np

class Gate(keras.layers.Layer):
    def build(self, input_shape):
        self.g = self.add_weight(shape=(input_shape[-1],))

    def call(self, inputs):
        return inputs * np.tanh(self.g.numpy())  # KVL102
""",
        ),
        valid=(
            """
import keras
import numpy as np

class Temperature(keras.layers.Layer):
    def build(self, input_shape):
        self.t = self.add_weight(shape=(), initializer="ones")
        self.size = int(np.prod(self.t.shape))

    def call(self, inputs):
        return inputs / keras.ops.softplus(self.t)
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        seen: set[tuple[int, str]] = set()
        for read in layer.own_call_reads(Use.CUT):
            key = (id(read.wrapper), read.attr)
            if key in seen:
                continue
            seen.add(key)
            yield Report(
                read.wrapper,
                f"{read.wrapper_name}() on self.{read.attr} leaves the graph: the weight gets no gradient, and "
                "tf.function fails; use tf/keras.ops instead",
                read.attr,
                fix=_in_graph_fix(read),
            )


# NumPy functions whose keras.ops twin has the same name and takes the same arguments.
_OPS_TWINS = frozenset({
    "abs", "absolute", "exp", "log", "log1p", "sqrt", "square", "tanh", "sin", "cos", "sign", "clip", "where",
    "maximum", "minimum", "sum", "mean", "max", "min", "prod", "matmul", "dot", "transpose", "power",
    "multiply", "add", "subtract", "divide", "negative", "reciprocal",
})


def _in_graph_fix(read) -> FixSpec | None:  # noqa: ANN001
    """``self.w.numpy()``/``float(self.w)`` as ``self.w``; ``np.op(...)`` as ``keras.ops.op(...)``."""
    import libcst as cst
    import libcst.matchers as m

    call = read.wrapper
    if not isinstance(call, cst.Call) or any(a.star for a in call.args):
        return None
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "numpy" and not call.args:
        return FixSpec(UNSAFE, "Use the variable, not its NumPy value", [(call, func.value)])
    if isinstance(func, cst.Name) and func.value == "float" and len(call.args) == 1 and call.args[0].keyword is None:
        return FixSpec(UNSAFE, "Use the variable, not a Python float", [(call, call.args[0].value)])
    if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("np", "numpy")
            and func.attr.value in _OPS_TWINS):
        cut = m.Call(func=m.Attribute(attr=m.Name("numpy") | m.Name("convert_to_numpy")) | m.Name("float"))
        if any(m.findall(arg.value, cut) for arg in call.args):
            return None  # still cut inside: keras.ops would not help
        ops = cst.Attribute(cst.Attribute(cst.Name("keras"), cst.Name("ops")), func.attr)
        return FixSpec(UNSAFE, f"Use keras.ops.{func.attr.value}, which keeps the gradient",
                       [(func, ops)], imports=("keras",))
    return None
