"""Codes the runtime checker reports (``keras_varlint.check_layer``, ``keras-varlint --runtime``).

KVL905 comes from ``keras_varlint.check_model`` (and the ``VariableCheck`` callback).
They are catalogued here so they can be selected, ignored and documented like the static rules.
Their examples are run by the runtime tests, through ``check_layer``.
"""

from __future__ import annotations

from keras_varlint.rules.base import Examples, Rule, Severity


class UntrackedVariableUsed(Rule):
    """
    ## What it does
    At runtime, finds a variable that `call` reads (it is watched by `tf.GradientTape`) but
    that is not among the tracked variables of the layer or any of its sublayers.

    ## Why is this bad?
    An untracked variable is invisible to `model.fit`, to the optimizer and to saving: it
    keeps its initial value however long you train. This catches what source cannot show,
    such as variables created through `setattr` or by helper libraries.
    """

    code = "KVL901"
    name = "untracked-variable-used"
    severity = Severity.ERROR
    summary = "variable read in call but not tracked"
    reported_by = "runtime"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Scale(keras.layers.Layer):
    def __init__(self, name="scale"):
        super().__init__()
        self.param = name
        # A dynamic attribute name: invisible to the static rules.
        setattr(self, name, tf.Variable(0.5))  # KVL901

    def call(self, inputs):
        return inputs * getattr(self, self.param)
""",
        ),
        valid=(
            """
import keras

class Scale(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = keras.Variable(0.5)

    def call(self, inputs):
        return inputs * self.scale
""",
        ),
    )


class NoGradient(Rule):
    """
    ## What it does
    At runtime, finds a trainable variable of the layer tree whose gradient is `None` for the
    loss `sum(float outputs) + sum(layer.losses)`, in both training and inference mode.

    ## Why is this bad?
    The optimizer cannot update a variable without a gradient: it is unused, read through
    NumPy, cut by `stop_gradient`, or only reaches the output through non-differentiable ops.
    """

    code = "KVL902"
    name = "no-gradient"
    severity = Severity.ERROR
    summary = "trainable variable gets no gradient"
    reported_by = "runtime"
    examples = Examples(
        invalid=(
            """
import keras

class Affine(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 4))
        self.bias = self.add_weight(shape=(4,))  # KVL902

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
        self.bias = self.add_weight(shape=(4,))

    def call(self, inputs):
        return inputs @ self.kernel + self.bias
""",
        ),
    )


class VariableCreatedInCall(Rule):
    """
    ## What it does
    At runtime, finds variables created during a second call of an already built layer
    (seen through `tf.variable_creator_scope`).

    ## Why is this bad?
    A variable created on every call starts from its initial value each time, so it never
    learns, and `tf.function` refuses to create variables after its first trace.
    """

    code = "KVL903"
    name = "variable-created-in-call"
    severity = Severity.ERROR
    summary = "variables created on every call"
    reported_by = "runtime"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Noisy(keras.layers.Layer):
    def call(self, inputs):
        scale = tf.Variable(0.1)  # KVL903
        return inputs * scale
""",
        ),
        valid=(
            """
import keras

class Noisy(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale
""",
        ),
    )


class CheckFailed(Rule):
    """
    ## What it does
    Reports a layer the runtime checker could not build or call; the finding carries the
    exception, for example Keras 3's "You cannot add new elements of state (variables or
    sub-layers) to a layer that is already built".

    ## Why is this bad?
    Often the failure is the defect itself (state created in `call`, an assignment to
    `self.trainable_weights`). Otherwise the layer needs constructor arguments or an input
    shape: give them in `[tool.keras-varlint.runtime.examples]`.
    """

    code = "KVL904"
    name = "check-failed"
    severity = Severity.WARNING
    summary = "layer could not be built or called"
    reported_by = "runtime"
    examples = Examples(
        invalid=(
            """
import keras

class Bias(keras.layers.Layer):
    def call(self, inputs):
        bias = self.add_weight(shape=(inputs.shape[-1],))  # KVL904
        return inputs + bias
""",
        ),
        valid=(
            """
import keras

class Bias(keras.layers.Layer):
    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],))

    def call(self, inputs):
        return inputs + self.bias
""",
        ),
    )


class NotUpdated(Rule):
    """
    ## What it does
    At runtime (`keras_varlint.check_model`, and the `VariableCheck` callback during `fit`), finds a
    trainable variable that gets a gradient from the training loss but that real training steps
    leave unchanged.

    ## Why is this bad?
    The variable looks healthy to a gradient check, yet it never learns: its gradient is zero
    everywhere (`tf.sign`, a rounding op, a saturated branch), the optimizer was given another
    variable list, or a custom `train_step` applies gradients to only some of the variables.
    """

    code = "KVL905"
    name = "not-updated"
    severity = Severity.ERROR
    summary = "trainable variable unchanged by training steps"
    reported_by = "runtime"
    examples = Examples(
        invalid=(
            """
import keras
import tensorflow as tf

class Gated(keras.Model):
    def __init__(self):
        super().__init__()
        self.out = keras.layers.Dense(1)

    def build(self, input_shape):
        self.gate = self.add_weight(shape=(), initializer="ones")  # KVL905
        super().build(input_shape)

    def call(self, inputs):
        # tf.sign's gradient is zero everywhere: the gate never moves.
        return self.out(inputs) * tf.sign(self.gate)
""",
        ),
        valid=(
            """
import keras

class Gated(keras.Model):
    def __init__(self):
        super().__init__()
        self.out = keras.layers.Dense(1)

    def build(self, input_shape):
        self.gate = self.add_weight(shape=(), initializer="ones")
        super().build(input_shape)

    def call(self, inputs):
        return self.out(inputs) * self.gate
""",
        ),
    )
