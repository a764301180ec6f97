from __future__ import annotations

from typing import Iterator

from keras_varlint.analysis.facts import Kind, LayerState
from keras_varlint.rules.base import UNSAFE, Examples, FixSpec, LayerView, Report, Rule, Severity


class LayerCreatedInCall(Rule):
    """
    ## What it does
    Finds a Keras layer class, built-in or from your project, instantiated inside `call` or
    a method only `call` reaches. Not reported: layers that own no state (`Flatten()`,
    `Add()`, Keras 2's `Dropout`), functional helpers such as `layers.concatenate`, and
    weightless wrappers (`keras.layers.RNN(self.cell)`, `TimeDistributed(self.dense)`):
    their weights are those of the layer they wrap, which is reported where it is made if
    that is in `call`. `Bidirectional` is reported: it copies the layer it wraps into new
    forward and backward layers.

    ## Why is this bad?
    The layer, and every weight it makes, is new on each call: it starts from its initial
    values every batch and never trains. Eagerly it runs and the outer layer has 0 weights;
    under `model.fit` with TensorFlow it fails with a singleton-variable error, and on the
    JAX backend the loss silently never moves. Random layers (`Dropout`, `GaussianNoise`
    and the `Random*` augmentation layers in Keras 3; the `Random*` layers in Keras 2)
    have no weights, but each makes a random-seed state variable, so `fit` and `predict`
    fail the same way under `tf.function`. Create sublayers in `__init__`.

    ## Fix safety
    The fix moves `Ctor(args)(x)` out of `call`: the layer is made once at the end of the class's
    own `__init__` as `self._ctor`, and `call` calls `self._ctor(x)`. It is offered only when every
    argument is a literal or an attribute `__init__` sets, and the layer is applied where it is made,
    outside loops, comprehensions and lambdas (where each iteration had a layer of its own). It is
    unsafe: the layer's weights now persist and train, which changes what the layer computes, and a
    class without its own `__init__`, or a layer that needs the input shape, gets no fix (move it to
    `build` by hand).
    """

    code = "KVL003"
    name = "layer-created-in-call"
    severity = Severity.ERROR
    summary = "layer instantiated inside call"
    examples = Examples(
        invalid=(
            """
import keras

class Head(keras.layers.Layer):
    def call(self, inputs):
        return keras.layers.Dense(4)(inputs)  # KVL003
""",
        ),
        valid=(
            """
import keras

class Head(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(4)

    def call(self, inputs):
        return keras.layers.concatenate([self.dense(inputs), inputs])
""",
        ),
    )

    def check(self, layer: LayerView) -> Iterator[Report]:
        for creation in layer.created_in_call(frozenset({Kind.LAYER})):
            if creation.state in (LayerState.STATELESS, LayerState.WRAPPER):
                continue  # owns no variables; a layer it wraps is reported where it is made
            made = f"{creation.name}(...) in {creation.method}()"
            if creation.state is LayerState.SEEDED:
                message = (f"{made} makes a new random-seed variable on every call: under tf.function (fit, predict) "
                           "it fails with 'tf.function only supports singleton tf.Variables'; create it in __init__")
            elif creation.state is LayerState.UNTRAINABLE:
                message = (f"{made} makes a new layer with fresh state (lookup tables, statistics) on every call; "
                           "create it in __init__ and reuse it")
            elif creation.name == "Bidirectional":
                message = (f"{made} copies the layer it wraps into new forward and backward layers on every call, "
                           "so their weights are fresh each call and never train; create it in __init__")
            else:
                message = (f"{made} makes a new layer with fresh weights on every call; "
                           "create it in __init__ and reuse it")
            yield Report(creation.node, message, fix=_move_to_init_fix(layer, creation))



def _literal(node) -> bool:  # noqa: ANN001
    import libcst as cst

    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation):
        return _literal(node.expression)
    if isinstance(node, (cst.Tuple, cst.List)):
        return all(isinstance(e, cst.Element) and _literal(e.value) for e in node.elements)
    return False


def _move_to_init_fix(layer: LayerView, creation) -> FixSpec | None:  # noqa: ANN001
    """``Ctor(args)(x)`` in call-only code as ``self._ctor(x)``, the layer made at the end of this
    class's own ``__init__``; only when every argument is a literal or an attribute ``__init__`` sets,
    and the creation is not in a loop, comprehension or lambda (one layer per iteration)."""
    import libcst as cst

    init = layer.facts.methods.get("__init__")
    method = layer.facts.methods.get(creation.method)
    node = creation.node
    if init is None or method is None or not isinstance(init.node.body, cst.IndentedBlock):
        return None
    set_in_init = {a.attr for a in init.assignments}
    for arg in node.args:
        value = arg.value
        if arg.star or not (_literal(value) or isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name)
                            and value.value.value == "self" and value.attr.value in set_in_init):
            return None
    outer = _applied_call(method.node, node)
    if outer is None:
        return None
    taken = {a.attr for a in layer.facts.assignments()} | {r.attr for r in layer.facts.reads()} | set(layer.facts.methods)
    base = "_" + "".join("_" + c.lower() if c.isupper() else c for c in creation.name).lstrip("_")
    attr, n = base, 1
    while attr in taken:
        attr, n = f"{base}_{n}", n + 1
    target = cst.Attribute(cst.Name("self"), cst.Name(attr))
    store = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(target)], node)])
    block = init.node.body
    return FixSpec(
        UNSAFE,
        f"Create {creation.name}(...) once, as self.{attr} in __init__, and call it",
        [(block, block.with_changes(body=[*block.body, store])), (node, target)],
    )


def _applied_call(root, node):  # noqa: ANN001, ANN202
    """The call ``node(...)`` when ``node`` is called where it is made, outside loops, comprehensions
    and lambdas; else None."""
    import libcst as cst

    found: list[cst.Call] = []
    blocked = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda)

    class Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            self.depth = 0

        def on_visit(self, visited: cst.CSTNode) -> bool:
            if isinstance(visited, blocked):
                self.depth += 1
            if isinstance(visited, cst.Call) and visited.func is node and not self.depth:
                found.append(visited)
            return True

        def on_leave(self, original: cst.CSTNode) -> None:
            if isinstance(original, blocked):
                self.depth -= 1

    root.visit(Finder())
    return found[0] if found else None
