"""``check_model``: run real training steps on a Keras 3 model and report, per variable, what never trains.

Two phases, both on the TensorFlow backend:

1. a gradient pass: the training loss (compiled, else the given ``loss``, else the sum of the float outputs,
   plus ``model.losses``) under ``tf.GradientTape`` and ``tf.variable_creator_scope``: variables the tape
   watched that the model does not track (KVL901), trainable variables without a gradient (KVL902), and
   variables the call created although the model was built (KVL903);
2. ``steps`` real training steps: ``model.train_step`` (a custom one included) with a clone of the compiled
   optimizer when the model is compiled, else a plain step with a clone of ``optimizer`` or SGD. Trainable
   variables that got a gradient but did not change are KVL905.

Every variable of the model (trainable, non-trainable, metrics), the variables of its optimizer, untracked
variables reachable from its attributes and Keras's global seed generator are copied first and restored
afterwards, and the compiled optimizer is put back: the model is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from keras_varlint.runtime import introspect
from keras_varlint.runtime.errors import check_error, import_tensorflow
from keras_varlint.runtime.oracle import CreationLog, _loss
from keras_varlint.runtime.paths import creation_site, find_variables
from keras_varlint.runtime.report import RuntimeFinding, RuntimeReport, VariableInfo


def check_model(
    model: Any,
    x: Any,
    y: Any = None,
    *,
    loss: Any = None,
    optimizer: Any = None,
    steps: int = 1,
) -> RuntimeReport:
    """Check that every variable ``model`` uses is tracked, gets a gradient, is created once, and is
    changed by ``steps`` real training steps; leave the model, its optimizer and its variables as they were.

    ``x`` may be an array, a tuple/list or a dict of arrays, as ``model.fit`` takes it. Findings name each
    variable by its attribute path from the model (``attribute``, e.g. ``blocks[2].attn.kernel``).
    """
    tf = import_tensorflow()
    if not introspect.is_layer(model):
        raise TypeError(f"check_model expects a Keras model, got {type(model).__qualname__}")
    if int(steps) < 1:
        raise ValueError("steps must be at least 1")
    return _ModelCheck(tf, model, x, y, loss, optimizer, int(steps)).run()


@dataclass
class _Restore:
    """Copies of variable values, put back with ``assign``."""

    saved: list[tuple[Any, np.ndarray]]

    @classmethod
    def take(cls, variables: list[Any]) -> "_Restore":
        seen: set[int] = set()
        saved = []
        for variable in variables:
            if id(variable) in seen:
                continue
            seen.add(id(variable))
            saved.append((variable, np.array(variable.numpy(), copy=True)))
        return cls(saved)

    def put_back(self) -> None:
        for variable, value in self.saved:
            variable.assign(value)


class _ModelCheck:
    def __init__(self, tf: Any, model: Any, x: Any, y: Any, loss: Any, optimizer: Any, steps: int) -> None:
        self.tf, self.model, self.steps = tf, model, steps
        self.x = _as_tensors(tf, x)
        self.y = _as_tensors(tf, y) if y is not None else None
        self.loss, self.optimizer = loss, optimizer
        self.log = CreationLog()
        self.found: Any = None
        self.found_keys: dict[int, int] = {}
        self.paths: dict[int, str] = {}
        self.report = RuntimeReport(
            layer_class=type(model).__name__,
            layer_name=str(getattr(model, "name", type(model).__name__)),
            keras=introspect.keras_flavour(model),
            modes=[True],
        )

    def run(self) -> RuntimeReport:
        tf, model = self.tf, self.model
        try:
            with self.log.recording(tf):
                if not model.built or not model.variables:
                    model(self.x, training=False)  # build (its variables are new: nothing to restore)
        except Exception as exc:  # noqa: BLE001  (user code: any exception is a finding)
            return self._failed("build", exc, "building the model (first call) failed")
        state = _Restore.take(self._state_variables())
        compiled_optimizer = getattr(model, "optimizer", None)
        try:
            return self._check()
        finally:
            if compiled_optimizer is not None:
                model.optimizer = compiled_optimizer
            state.put_back()

    # -- phases -------------------------------------------------------------------------------

    def _check(self) -> RuntimeReport:
        tf, model = self.tf, self.model
        found = find_variables(model)
        self.found = found
        self.paths = {}
        self.found_keys = {}  # id of a variable or of its tf.Variable -> key in ``found``
        for key, path in found.paths.items():
            inner = introspect.as_tf_variable(found.objects[key], tf)
            self.paths[key] = path
            self.found_keys[key] = key
            if inner is not None:
                self.paths.setdefault(id(inner), path)
                self.found_keys.setdefault(id(inner), key)
        tracked = {id(introspect.as_tf_variable(v, tf)) for v in model.variables}
        trainable = {}
        for variable in model.trainable_variables:
            inner = introspect.as_tf_variable(variable, tf)
            if inner is not None and inner.dtype.is_floating:
                trainable.setdefault(id(inner), (variable, inner))
        try:
            with self.log.recording(tf) as log, tf.GradientTape() as tape:
                y_pred = model(self.x, training=True)
                loss = self._loss(y_pred)
            created = list(log.phase_created)
        except Exception as exc:  # noqa: BLE001
            return self._failed("call", exc, "the training forward pass failed")
        watched = {id(v): v for v in tape.watched_variables()}
        grads: dict[int, Any] = {}
        if loss is None:
            self.report.notes.append("the outputs have no floating-point tensor and there are no losses")
        else:
            inners = [inner for _, inner in trainable.values()]
            values = tape.gradient(loss, inners, unconnected_gradients=tf.UnconnectedGradients.NONE)
            grads = {id(inner): g for inner, g in zip(inners, values)}
            self.report.gradients_checked = True
        seed_state = _global_seed_state(tf)
        created = [v for v in created if id(v) != seed_state]  # made once, on the first training call
        created_ids = {id(v) for v in created}
        for variable in created:
            self._add("KVL903", variable, "is created by every call of the built model: it starts from its "
                      "initial value on each step and never trains (create weights once, in __init__ or build())")
        for key, variable in watched.items():
            if key not in tracked and key not in created_ids:
                self._add("KVL901", variable, "is read in the forward pass but the model does not track it: it is "
                          "not in model.trainable_variables, so fit() and optimizers never update it")
        before = {key: np.array(inner.numpy(), copy=True) for key, (_, inner) in trainable.items()}
        if self.report.gradients_checked:
            for key, (variable, inner) in trainable.items():
                if grads.get(key) is None:
                    self._add("KVL902", variable, "gets no gradient from the training loss, so training never "
                              "changes it (never read, read through stop_gradient or NumPy, or a dead branch)")
        try:
            self._train()
        except Exception as exc:  # noqa: BLE001
            return self._failed("train", exc, "the training step failed")
        self.report.graph_checked = False
        for key, (variable, inner) in trainable.items():
            gradient = grads.get(key)
            unchanged = np.array_equal(before[key], inner.numpy())
            if gradient is not None and unchanged:
                zero = _all_zero(tf, gradient)
                why = ("its gradient is zero everywhere" if zero else
                       "the optimizer step left it out (a custom train_step or an optimizer given other variables)")
                self._add("KVL905", variable, f"gets a gradient but {self.steps} training step(s) did not change it: "
                          f"{why}")
            self.report.variables.append(
                VariableInfo(
                    name=introspect.display_name(variable),
                    layer_path=None,
                    attribute=self.paths.get(key),
                    tracked=True,
                    trainable=True,
                    read_in_call=key in watched,
                    gradient=gradient is not None if self.report.gradients_checked else None,
                    zero_gradient=gradient is not None and _all_zero(tf, gradient),
                )
            )
        return self.report

    def _train(self) -> None:
        """``steps`` real training steps, on a copy of the optimizer state."""
        tf, model = self.tf, self.model
        compiled = getattr(model, "optimizer", None) is not None and getattr(model, "compiled", False)
        if compiled:
            clone = _clone_optimizer(model.optimizer, model)
            model.optimizer = clone
            data = (self.x,) if self.y is None else (self.x, self.y)
            for _ in range(self.steps):
                model.train_step(data)
            return
        import keras

        optimizer = _clone_optimizer(self.optimizer, model) if self.optimizer is not None else keras.optimizers.SGD(0.1)
        variables = list(model.trainable_variables)
        for _ in range(self.steps):
            with tf.GradientTape() as tape:
                loss = self._loss(model(self.x, training=True))
            if loss is None:
                return
            grads = tape.gradient(loss, variables)
            pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
            if pairs:
                optimizer.apply_gradients(pairs)

    # -- helpers ------------------------------------------------------------------------------

    def _loss(self, y_pred: Any) -> Any:
        tf, model = self.tf, self.model
        if getattr(model, "compiled", False):  # what fit() minimises: the compiled loss and model.losses
            return model.compute_loss(x=self.x, y=self.y, y_pred=y_pred, sample_weight=None, training=True)
        if self.loss is not None and self.y is not None:
            import keras

            value = keras.losses.get(self.loss)(self.y, y_pred) if isinstance(self.loss, str) else self.loss(
                self.y, y_pred
            )
            extra = [tf.reduce_sum(tf.cast(v, tf.float32)) for v in model.losses]
            return tf.add_n([tf.cast(tf.reduce_sum(value), tf.float32), *extra])
        return _loss(tf, y_pred, model)

    def _state_variables(self) -> list[Any]:
        """Everything a training step may change: the model's variables (metrics included), its optimizer's,
        untracked variables its attributes hold, and Keras's global seed generator."""
        model = self.model
        variables = list(model.variables)
        variables += list(getattr(model, "metrics_variables", []) or [])
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            variables += list(optimizer.variables)
        variables += list(find_variables(model).objects.values())
        try:
            from keras.src.backend.common import global_state

            generator = global_state.get_global_attribute("global_seed_generator")
            if generator is not None:
                variables.append(generator.state)
        except Exception:  # noqa: BLE001  (a Keras without it)
            pass
        return [v for v in variables if hasattr(v, "assign") and hasattr(v, "numpy")]

    def _add(self, code: str, variable: Any, text: str) -> None:
        inner = introspect.as_tf_variable(variable, self.tf)
        key = id(inner) if inner is not None else id(variable)
        attribute = self.paths.get(key) or self.paths.get(id(variable))
        site = self.log.sites.get(key)
        file, line = (site.file, site.line) if site else (None, None)
        found_key = self.found_keys.get(key, self.found_keys.get(id(variable)))
        if file is None and found_key is not None:  # built before the check: where user code set it
            file, line = creation_site(self.found, found_key) or (None, None)
        name = introspect.display_name(variable)
        held = f" ({attribute})" if attribute else ""
        message = f"variable '{name}'{held} {text}"
        layer_path = attribute.rsplit(".", 1)[0] if attribute and "." in attribute else self.report.layer_name
        self.report.findings.append(
            RuntimeFinding(
                code,
                message,
                name,
                layer_path,
                attribute,
                file,
                line,
            )
        )

    def _failed(self, phase: str, exc: BaseException, what: str) -> RuntimeReport:
        error = check_error(phase, exc)
        file, line = error.origin or (None, None)
        self.report.findings.append(
            RuntimeFinding("KVL904", f"{what}: {error.describe()}", layer_path=self.report.layer_name,
                           file=file, line=line, error=error)
        )
        return self.report


def _clone_optimizer(optimizer: Any, model: Any) -> Any:
    """A new optimizer of the same class and config whose state (if built) equals ``optimizer``'s."""
    import keras

    optimizer = keras.optimizers.get(optimizer)
    clone = type(optimizer).from_config(optimizer.get_config())
    if getattr(optimizer, "built", False):
        clone.build(model.trainable_variables)
        for target, source in zip(clone.variables, optimizer.variables):
            if tuple(target.shape) == tuple(source.shape):
                target.assign(source.numpy())
    return clone


def _as_tensors(tf: Any, data: Any) -> Any:
    """NumPy arrays as tensors, inside dicts, tuples and lists too (structure kept)."""
    if isinstance(data, np.ndarray):
        return tf.convert_to_tensor(data)
    if isinstance(data, dict):
        return {k: _as_tensors(tf, v) for k, v in data.items()}
    if isinstance(data, (tuple, list)):
        return type(data)(_as_tensors(tf, v) for v in data)
    return data


def _global_seed_state(tf: Any) -> int | None:
    """Id of the tf.Variable of Keras's process-wide seed generator, if it exists."""
    try:
        from keras.src.backend.common import global_state

        generator = global_state.get_global_attribute("global_seed_generator")
    except Exception:  # noqa: BLE001
        return None
    if generator is None:
        return None
    inner = introspect.as_tf_variable(generator.state, tf)
    return id(inner) if inner is not None else None


def _all_zero(tf: Any, gradient: Any) -> bool:
    values = gradient.values if isinstance(gradient, tf.IndexedSlices) else gradient
    return bool(tf.reduce_all(tf.equal(values, 0)))
