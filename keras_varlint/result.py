"""The outcome of a lint run, as handed to the output formats."""

from __future__ import annotations

from dataclasses import dataclass, field

from keras_varlint.findings import Finding


@dataclass
class ClassEntry:
    """A class the run looked at: a layer that was analysed, or a class whose bases did not resolve."""

    path: str
    line: int
    qualname: str
    keras_version: int | None = None  # None: its bases resolve to Keras 2 and 3 on different branches
    bases: list[str] = field(default_factory=list)  # layers: the class, its project bases, the Keras roots
    reason: str = ""  # unresolved classes: which base failed, and why

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "line": self.line, "class": self.qualname}
        if self.reason:
            data["reason"] = self.reason
        else:
            data.update(keras_version=self.keras_version, bases=self.bases)
        return data


@dataclass
class LintResult:
    files: int = 0  # Python files examined
    findings: list[Finding] = field(default_factory=list)  # sorted; selection, noqa and per-file-ignores applied
    errors: list[dict[str, str]] = field(default_factory=list)  # {"path": ..., "message": ...}: files that could not be examined
    notes: list[str] = field(default_factory=list)  # human notes for stderr, e.g. "no Python files under x/"
    layers: list[ClassEntry] = field(default_factory=list)  # layer classes of the target files, analysed
    unresolved: list[ClassEntry] = field(default_factory=list)  # classes whose bases could not be resolved
    show_source: bool = False  # text output shows each finding's source line and a caret (--show-source)
    unsafe_fixes: bool = False  # unsafe fixes count as applicable (--unsafe-fixes): text marks them [*]
    fixed: list[Finding] | None = None  # with --fix: the findings fixed (with --runtime, extra["fix_verified"])
