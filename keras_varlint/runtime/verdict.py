"""Judging a static finding against what running its class showed: confirmed, refuted or inconclusive.

A finding is confirmed when the runtime shows the same defect on the variable behind the same attribute
(or at the same source lines); refuted when the check ran and that variable is tracked and gets a
gradient; inconclusive otherwise, always with the reason.
"""

from __future__ import annotations

import ast
import functools
import linecache
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from keras_varlint.findings import Finding
from keras_varlint.runtime.harness import ClassResult
from keras_varlint.runtime.report import CheckError, RuntimeFinding, RuntimeReport, VariableInfo

UNTRACKED = frozenset({"KVL001", "KVL006", "KVL010", "KVL201"})
UNTRACKED_ANY_USE = frozenset({"KVL010"})  # non-trainable: the tape cannot see reads; untracked is the defect
CREATED_IN_CALL = frozenset({"KVL002", "KVL003"})
NO_GRADIENT = frozenset({"KVL005", "KVL007", "KVL008", "KVL101", "KVL102", "KVL103", "KVL104"})
PLAIN_TENSOR = frozenset({"KVL004"})
READ_ONLY_PROPERTY = frozenset({"KVL009"})
STATE_LOCK = "You cannot add new elements of state"

CONFIRMED, REFUTED, INCONCLUSIVE = "confirmed", "refuted", "inconclusive"


@dataclass
class Verdict:
    status: str
    detail: str
    evidence: list[RuntimeFinding] = field(default_factory=list)  # runtime findings this one accounts for

    def as_runtime(self) -> dict[str, str]:
        return {"status": self.status, "detail": self.detail}


def judge(finding: Finding, result: ClassResult) -> Verdict:
    """The verdict on one static finding of the class ``result`` is about."""
    code = finding.code
    if code not in UNTRACKED | CREATED_IN_CALL | NO_GRADIENT | PLAIN_TENSOR | READ_ONLY_PROPERTY:
        return Verdict(INCONCLUSIVE, f"{code} has no runtime check")
    scope = _Scope(finding, result)
    if code in CREATED_IN_CALL:
        return scope.created_in_call()
    if code in READ_ONLY_PROPERTY:
        return scope.read_only_property()
    if result.report is None:
        return Verdict(INCONCLUSIVE, result.reason or "the layer could not be checked")
    if not result.report.completed:
        return Verdict(INCONCLUSIVE, scope.failure())
    if code in UNTRACKED:
        return scope.untracked(any_use=code in UNTRACKED_ANY_USE)
    if code in PLAIN_TENSOR:
        return scope.plain_tensor()
    return scope.no_gradient()


class _Scope:
    """A static finding together with the runtime facts of its class."""

    def __init__(self, finding: Finding, result: ClassResult) -> None:
        self.finding = finding
        self.result = result
        self.report: RuntimeReport | None = result.report
        self.attribute = (finding.attribute or "").removeprefix("self.") or None
        self.file = os.path.realpath(str(finding.extra.get("file", finding.path)))
        self.lines = range(finding.line, max(finding.end_line, finding.line) + 1)
        self.root = self.report.layer_name if self.report else None
        # layers held by the attribute (``self.block = Block()``): their variables are the attribute's too
        self.held_layers = [
            s.layer_path
            for s in (self.report.sublayers if self.report else [])
            if s.parent_path == self.root and _same_attribute(s.attribute, self.attribute)
        ]

    # -- per rule family ----------------------------------------------------------------------

    def untracked(self, any_use: bool) -> Verdict:
        hits = [f for f in self._runtime("KVL901") if self._mine(f.layer_path, f.attribute, f.file, f.line)]
        if not hits and self.attribute is None and self.finding.line == self.finding.extra.get("class_line"):
            hits = self._runtime("KVL901")  # a finding about the whole class (KVL201: a layer of the other Keras)
        if hits:
            return Verdict(CONFIRMED, f"variable '{hits[0].variable}' is read in call() but not tracked", hits)
        if any_use:
            lost = [v for v in self._variables() if not v.tracked]
            if lost:
                return Verdict(CONFIRMED, f"variable '{lost[0].name}' is not tracked by the layer, so it is not saved")
        return self._from_variables(
            untracked_unread="is not tracked, but call() never reads it",
            tracked_no_gradient="is tracked (so not lost), but gets no gradient",
        )

    def created_in_call(self) -> Verdict:
        for error in self._errors():
            if STATE_LOCK in error.message and self._error_here(error):
                return Verdict(CONFIRMED, f"Keras refuses to create state in call(): {error.message}")
        created = self._runtime("KVL903")
        for matches in (self._made_at_these_lines, self._made_in_this_function, self._made_by_calling_it):
            hits = [f for f in created if matches(f)]
            if hits:
                return Verdict(CONFIRMED, f"variable '{hits[0].variable}' is created by every call", hits)
        if self.report is None:
            return Verdict(INCONCLUSIVE, self.result.reason or "the layer could not be checked")
        if not self.report.completed:
            return Verdict(INCONCLUSIVE, self.failure())
        if created:
            where = created[0].location() or "another place"
            return Verdict(INCONCLUSIVE, f"variables are created in call(), but at {where}, not here")
        return Verdict(REFUTED, "no variable was created by calls after the build")

    def no_gradient(self) -> Verdict:
        hits = [f for f in self._runtime("KVL902") if self._mine(f.layer_path, f.attribute, f.file, f.line)]
        if hits:
            return Verdict(CONFIRMED, f"variable '{hits[0].variable}' gets no gradient", hits)
        graph = [
            f
            for f in self._runtime("KVL904")
            if f.error and f.error.phase == "graph" and self._error_here(f.error, strict=True)
        ]
        if graph and graph[0].error:
            return Verdict(CONFIRMED, f"fails under tf.function: {graph[0].error.message}", graph)
        zero = [v for v in self._variables() if v.zero_gradient]
        if zero:
            return Verdict(CONFIRMED, f"variable '{zero[0].name}' only ever gets a zero gradient")
        assert self.report is not None
        unbuilt = [s for s in self.report.sublayers if s.layer_path in self.held_layers and not s.built]
        if unbuilt:
            return Verdict(CONFIRMED, f"sublayer '{unbuilt[0].layer_path}' is never called, so it never trains")
        if self.attribute and any(
            t.layer_path == self.root and t.attribute == self.attribute for t in self.report.tensor_attributes
        ):
            return self._derived_tensor()
        return self._from_variables(
            untracked_unread="is not tracked and call() never reads it",
            tracked_no_gradient="is tracked and gets no gradient",
        )

    def plain_tensor(self) -> Verdict:
        assert self.report is not None
        tensors = [
            t
            for t in self.report.tensor_attributes
            if t.layer_path == self.root and _same_attribute(t.attribute, self.attribute)
        ]
        for tensor in tensors:
            if tensor.output_depends:
                return Verdict(
                    CONFIRMED,
                    f"attribute '{tensor.attribute}' holds a plain tensor and the output depends on it: "
                    "it never trains",
                )
        if tensors and all(t.output_depends is False for t in tensors):
            return Verdict(REFUTED, f"attribute '{tensors[0].attribute}' holds a tensor the output does not depend on")
        if tensors:
            return Verdict(INCONCLUSIVE, "gradients were not computed (the outputs have nothing to differentiate)")
        return self._from_variables(
            untracked_unread="is a variable, not a tensor, and call() never reads it",
            tracked_no_gradient="is a tracked variable, not a tensor, but gets no gradient",
        )

    def read_only_property(self) -> Verdict:
        for error in self._errors():
            if error.type == "AttributeError" and self._error_here(error, strict=True):
                return Verdict(CONFIRMED, f"AttributeError: {error.message}")
        if self.report is not None and self.report.completed:
            return Verdict(REFUTED, "building and calling the layer raised no AttributeError")
        return Verdict(INCONCLUSIVE, self.result.reason or "the layer could not be checked")

    def failure(self) -> str:
        assert self.report is not None
        return next(f.message for f in self.report.findings if f.code == "KVL904")

    # -- helpers ------------------------------------------------------------------------------

    def _derived_tensor(self) -> Verdict:
        """The attribute holds a tensor computed from weights (e.g. in build): do those weights train?"""
        lost = [f for f in self._runtime("KVL902") if f.layer_path == self.root]
        if lost:
            names = ", ".join(f"'{f.variable}'" for f in lost)
            return Verdict(
                CONFIRMED,
                f"attribute '{self.attribute}' holds a tensor; the variables of the layer {names} get no gradient",
                lost,
            )
        return Verdict(
            REFUTED, f"attribute '{self.attribute}' holds a tensor, but every variable of the layer gets a gradient"
        )

    def _from_variables(self, untracked_unread: str, tracked_no_gradient: str) -> Verdict:
        """Refuted when the attribute's variables are tracked and train; inconclusive otherwise."""
        variables = self._variables()
        if not variables:
            what = f"attribute '{self.attribute}'" if self.attribute else f"line {self.finding.line}"
            return Verdict(INCONCLUSIVE, f"no variable behind {what} was seen on the built layer")
        trained = [v for v in variables if v.tracked and v.gradient]
        if len(trained) == len(variables):
            return Verdict(REFUTED, f"variable '{variables[0].name}' is tracked and gets a gradient")
        problem = next(v for v in variables if v not in trained)
        if problem.tracked and problem.gradient is None:
            return Verdict(INCONCLUSIVE, f"gradients of variable '{problem.name}' were not computed")
        text = tracked_no_gradient if problem.tracked else untracked_unread
        return Verdict(INCONCLUSIVE, f"variable '{problem.name}' {text}")

    def _variables(self) -> list[VariableInfo]:
        variables = self.report.variables if self.report else []
        return [v for v in variables if self._mine(v.layer_path, v.attribute, v.file, v.line)]

    def _mine(self, layer_path: str | None, attribute: str | None, file: str | None, line: int | None) -> bool:
        """Whether a runtime variable is the one behind this finding: the same attribute of the class's own
        layer, a variable of a sublayer that attribute holds, or one created at the finding's lines."""
        if self.attribute and layer_path == self.root and _same_attribute(attribute, self.attribute):
            return True
        if layer_path and any(layer_path == p or layer_path.startswith(p + "/") for p in self.held_layers):
            return True
        return file is not None and self._at_lines(file, line)

    def _made_at_these_lines(self, created: RuntimeFinding) -> bool:
        """A KVL903 variable whose creation passed through the finding's lines (or has no known site)."""
        if created.file is None:
            return True
        return self._at_lines(created.file, created.line) or any(
            self._at_lines(path, line) for path, line, _, _ in created.stack
        )

    def _made_in_this_function(self, created: RuntimeFinding) -> bool:
        """A KVL903 variable created while a function containing the finding ran (``layer = Dense(4)`` on one
        line of ``call``, ``layer(x)`` on the next)."""
        return any(
            os.path.realpath(path) == self.file and first <= self.finding.line <= last
            for path, _, first, last in created.stack
        )

    def _made_by_calling_it(self, created: RuntimeFinding) -> bool:
        """A KVL903 variable created on a line that calls the function containing the finding
        (``return Dense(4)`` in ``_head``, ``self._head()(x)`` in ``call``)."""
        name = _enclosing_function(self.file, self.finding.line)
        if name is None:
            return False
        call = re.compile(rf"\b{re.escape(name)}\s*\(")
        return any(
            os.path.realpath(path) == self.file and call.search(linecache.getline(path, line))
            for path, line, _, _ in created.stack
        )

    def _at_lines(self, file: str | None, line: int | None) -> bool:
        return file is not None and line in self.lines and os.path.realpath(file) == self.file

    def _error_here(self, error: CheckError, strict: bool = False) -> bool:
        """The error passed through the finding's lines; unless ``strict``, also when it has no frame in
        the finding's file at all (a class-level error such as Keras's state lock)."""
        if any(self._at_lines(path, line) for path, line in error.frames):
            return True
        return not strict and not any(os.path.realpath(path) == self.file for path, _ in error.frames)

    def _errors(self) -> list[CheckError]:
        errors = list(self.result.errors)
        if self.report is not None:
            errors += [f.error for f in self.report.findings if f.error is not None]
        return errors

    def _runtime(self, code: str) -> list[RuntimeFinding]:
        return [f for f in self.report.findings if f.code == code] if self.report else []


@functools.lru_cache(maxsize=256)
def _functions(file: str) -> tuple[tuple[int, int, str], ...]:
    """(first line, last line, name) of every function in ``file``."""
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return ()
    return tuple(
        (node.lineno, node.end_lineno or node.lineno, node.name)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _enclosing_function(file: str, line: int) -> str | None:
    """The innermost function of ``file`` containing ``line``."""
    spans = [(first, last, name) for first, last, name in _functions(file) if first <= line <= last]
    return min(spans, key=lambda span: span[1] - span[0])[2] if spans else None


def _same_attribute(runtime: str | None, static: str | None) -> bool:
    """``vs[0]`` and ``m.w`` belong to the static attribute ``vs`` / ``m``."""
    if not runtime or not static:
        return False
    return runtime == static or runtime.startswith((static + "[", static + "."))
