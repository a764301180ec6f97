"""``VariableCheck``: a Keras 3 callback that finds, during ``fit``, variables that never train.

    model.fit(x, y, callbacks=[keras_varlint.callbacks.VariableCheck(after_steps=1, on_problem="raise")])

It uses only Keras and NumPy, so it works on every Keras 3 backend (TensorFlow, JAX, PyTorch):

* on ``on_train_begin`` it walks the model's layers and attributes and lists every ``keras.Variable`` or
  ``tf.Variable`` reachable from the model that ``model.variables`` does not list (untracked: ``fit`` never
  updates or saves it), and copies the trainable variables once;
* after ``after_steps`` training batches it lists the trainable variables whose value did not change.

It runs once: the copy is dropped after the comparison, and later batches only return from a method.
``on_problem`` is ``"warn"`` (one ``VariableCheckWarning`` with a readable block), ``"raise"``
(``VariableCheckError`` stops training; untracked variables stop it before the first step) or a callable
that receives the ``VariableCheckReport``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import keras
import numpy as np

from keras_varlint.runtime.paths import VariableMap, creation_site, find_variables, tracked_ids
from keras_varlint.runtime.report import short_path

__all__ = ["VariableCheck", "VariableCheckError", "VariableCheckReport", "VariableCheckWarning"]


class VariableCheckError(RuntimeError):
    """Raised by ``VariableCheck(on_problem="raise")``; ``.report`` holds the details."""

    def __init__(self, report: "VariableCheckReport") -> None:
        super().__init__(str(report))
        self.report = report


class VariableCheckWarning(UserWarning):
    """Issued by ``VariableCheck(on_problem="warn")``."""


@dataclass
class VariableCheckReport:
    """What the callback found. Paths are attribute paths from the model (``blocks[2].attn.w``)."""

    model: str
    untracked: list[str] = field(default_factory=list)  # attribute paths of untracked variables
    unchanged: list[str] = field(default_factory=list)  # trainable variables the steps did not change
    steps: int = 0  # training batches run before the comparison (0: not compared yet)
    sites: dict[str, str] = field(default_factory=dict)  # path -> "file:line" where user code set it

    @property
    def ok(self) -> bool:
        return not self.untracked and not self.unchanged

    def __str__(self) -> str:
        lines = [f"keras-varlint VariableCheck on model {self.model!r}:"]
        if self.untracked:
            lines.append(
                f"  {len(self.untracked)} variable(s) reachable from the model but not in model.variables "
                "(KVL901: fit() never updates or saves them):"
            )
            lines += [self._line(p) for p in self.untracked]
        if self.unchanged:
            lines.append(
                f"  {len(self.unchanged)} trainable variable(s) unchanged after {self.steps} training step(s) "
                "(KVL905: no gradient, a zero gradient, or left out of the update):"
            )
            lines += [self._line(p) for p in self.unchanged]
        if self.ok:
            lines.append(
                "  every reachable variable is tracked"
                + (f" and every trainable variable changed in {self.steps} step(s)" if self.steps else "")
            )
        return "\n".join(lines)

    def _line(self, path: str) -> str:
        site = self.sites.get(path)
        return f"    {path}" + (f"  (set at {site})" if site else "")


class VariableCheck(keras.callbacks.Callback):
    """Check once, during ``fit``, that every variable of the model is tracked and trains.

    Args:
        after_steps: training batches to run before comparing the trainable variables with their copy.
        on_problem: ``"warn"``, ``"raise"``, or a callable that receives the ``VariableCheckReport``.
    """

    def __init__(
        self, after_steps: int = 1, on_problem: str | Callable[[VariableCheckReport], Any] = "warn"
    ) -> None:
        super().__init__()
        if int(after_steps) < 1:
            raise ValueError("after_steps must be at least 1")
        if not callable(on_problem) and on_problem not in ("warn", "raise"):
            raise ValueError(f"on_problem must be 'warn', 'raise' or a callable, not {on_problem!r}")
        self.after_steps = int(after_steps)
        self.on_problem = on_problem
        self.report: VariableCheckReport | None = None
        self._snapshot: dict[int, tuple[Any, np.ndarray]] | None = None
        self._paths: dict[int, str] = {}
        self._found: VariableMap | None = None
        self._batches = 0
        self._start = 0  # batches run when the copy was last extended
        self._done = False

    # -- Keras hooks --------------------------------------------------------------------------

    def on_train_begin(self, logs: Any = None) -> None:
        if self._done:
            return
        model = self.model
        self.report = VariableCheckReport(model=str(getattr(model, "name", type(model).__name__)))
        self._note_untracked(model)
        self._batches = 0
        self._start = 0
        self._snapshot = {}
        if self.report.untracked and self.on_problem == "raise":
            self._finish()  # stop before spending a step
            return
        self._refresh(model)

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        if self._done:
            return
        self._refresh(self._model)
        if self._ready():
            self._compare()
            return
        self._batches += 1

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if not self._done and self.report is not None:
            self._refresh(self._model)
            if self._ready():
                self._compare()

    def on_train_end(self, logs: Any = None) -> None:
        if not self._done and self.report is not None:
            self._refresh(self._model)
            if self._ready():
                self._compare()
            else:
                self._finish()  # too few steps to compare

    # -- the checks ---------------------------------------------------------------------------

    def _note_untracked(self, model: Any) -> None:
        found = find_variables(model)
        self._found = found
        self._paths = dict(found.paths)
        tracked = tracked_ids(model)
        assert self.report is not None
        for key, variable in found.objects.items():
            path = found.paths[key]
            if key not in tracked and path not in self.report.untracked:
                self.report.untracked.append(path)
                self._note_site(found, key, path)

    def _note_site(self, found: VariableMap, key: int, path: str) -> None:
        """Only for variables with a problem: reading class sources is not free."""
        assert self.report is not None
        site = creation_site(found, key)
        if site is not None:
            self.report.sites[path] = f"{short_path(site[0])}:{site[1]}"

    def _refresh(self, model: Any) -> None:
        """Copy trainable variables not copied yet. A model that builds in its first traced step (the
        TensorFlow trainer without a distribution strategy) has them only after that step; the
        ``after_steps`` count starts again from the last copy."""
        assert self._snapshot is not None
        new = [v for v in model.trainable_variables if id(v) not in self._snapshot]
        if not new:
            return
        self.model  # noqa: B018  (the property syncs JAX's training state into the variables)
        for variable in new:
            self._snapshot[id(variable)] = (variable, np.array(keras.ops.convert_to_numpy(variable.value)))
        self._start = self._batches

    def _ready(self) -> bool:
        return bool(self._snapshot) and self._batches - self._start >= self.after_steps

    def _compare(self) -> None:
        model = self.model  # on JAX this syncs the training state back into the variables
        assert self.report is not None
        self._note_untracked(model)  # a lazily built model may have made more variables
        self.report.steps = self._batches - self._start
        for key, (variable, before) in (self._snapshot or {}).items():
            now = keras.ops.convert_to_numpy(variable.value)
            if np.array_equal(before, now):
                path = self._paths.get(key) or str(getattr(variable, "path", variable.name))
                self.report.unchanged.append(path)
                if self._found is not None:
                    self._note_site(self._found, key, path)
        self._finish()

    def _finish(self) -> None:
        self._done = True
        self._snapshot = None  # drop the copy
        self._found = None
        report = self.report
        assert report is not None
        if report.ok:
            return
        if callable(self.on_problem):
            self.on_problem(report)
        elif self.on_problem == "raise":
            if self._model is not None:
                self._model.stop_training = True
            raise VariableCheckError(report)
        else:
            warnings.warn(str(report), VariableCheckWarning, stacklevel=2)
