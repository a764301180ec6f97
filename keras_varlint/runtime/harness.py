"""Checking one layer class found in source: construct it, find inputs it accepts, run the oracle.

Runs in the worker process. ``ClassResult`` is plain data and is also what the parent receives.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field
from typing import Any

from keras_varlint.runtime.errors import check_error
from keras_varlint.runtime.report import CheckError, RuntimeReport

MAX_ATTEMPTS = 24  # constructions x input plans tried per class


@dataclass
class Construction:
    """One way to instantiate a class: positional and keyword arguments, and where they came from."""

    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    source: str = "no arguments"  # "no arguments", "call site", "config"
    input_shape: list | None = None  # from config only

    def render(self, class_name: str) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{class_name}({', '.join(parts)})"

    def to_wire(self) -> dict[str, Any]:
        """JSON-safe form; argument values travel as Python literals so tuples stay tuples."""
        return {
            "args": repr(self.args),
            "kwargs": repr(self.kwargs),
            "source": self.source,
            "input_shape": self.input_shape,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> "Construction":
        args, kwargs = ast.literal_eval(data["args"]), ast.literal_eval(data["kwargs"])
        return cls(args, kwargs, data["source"], data.get("input_shape"))


@dataclass
class ClassResult:
    """What happened when one class was checked."""

    class_name: str
    checked: bool = False  # the oracle built and called an instance
    reason: str | None = None  # why not, when not checked
    is_layer: bool = True  # False when an instance turned out not to be a Keras layer
    construction: str | None = None  # e.g. "MyLayer(units=4) (call site)"
    inputs: str | None = None  # e.g. "(2, 8) (ladder)"
    report: RuntimeReport | None = None
    errors: list[CheckError] = field(default_factory=list)  # failed constructions and builds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ClassResult":
        data = dict(data)
        data["report"] = RuntimeReport.from_dict(data["report"]) if data.get("report") else None
        data["errors"] = [CheckError.from_dict(e) for e in data.get("errors", [])]
        return cls(**data)


def check_class(cls: Any, name: str, constructions: list[Construction]) -> ClassResult:
    """Try each construction with each input plan until one builds; report what the oracle found."""
    from keras_varlint.runtime import inputs as inputs_mod
    from keras_varlint.runtime.introspect import is_layer
    from keras_varlint.runtime.oracle import CreationLog, run_check

    result = ClassResult(name)
    attempts = 0
    for construction in constructions:
        log = CreationLog()
        layer = _construct(cls, construction, log, result)
        if layer is None:
            continue
        if not is_layer(layer):
            result.reason = f"{name} is not a Keras layer ({type(layer).__qualname__})"
            result.is_layer = False
            return result
        label = f"{construction.render(name)} ({construction.source})"
        for plan in inputs_mod.plan_inputs(layer, construction.input_shape):
            if attempts >= MAX_ATTEMPTS:
                break
            attempts += 1
            if layer is None:  # a fresh instance: a failed build can leave a layer half-built
                log = CreationLog()
                layer = _construct(cls, construction, log, result)
                if layer is None:
                    break
            report = run_check(layer, inputs_mod.make_inputs(plan), {}, log=log)
            layer = None
            build_error = next(
                (f.error for f in report.findings if f.code == "KVL904" and f.error and f.error.phase == "build"), None
            )
            if build_error is not None:
                build_error.message = f"{build_error.message} [inputs {plan.describe()}, {label}]"
                result.errors.append(build_error)
                continue
            result.checked, result.report, result.construction, result.inputs = True, report, label, plan.describe()
            return result
    if not result.errors:
        result.reason = f"no way to construct {name} was found"
    elif all(e.phase == "construct" for e in result.errors):
        result.reason = f"could not construct {name}: {result.errors[0].describe()}"
    else:
        first = next(e for e in result.errors if e.phase == "build")
        result.reason = f"building {name} failed for every input tried; first error: {first.describe()}"
    return result


def _construct(cls: Any, construction: Construction, log: Any, result: ClassResult) -> Any | None:
    import tensorflow as tf

    try:
        with log.recording(tf):
            return cls(*construction.args, **construction.kwargs)
    except Exception as exc:  # noqa: BLE001  (user code)
        error = check_error("construct", exc)
        error.message = f"{error.message} [{construction.render(result.class_name)} ({construction.source})]"
        if all(e.message != error.message for e in result.errors):
            result.errors.append(error)
        return None
