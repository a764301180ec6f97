"""What a runtime check found, as plain data (no TensorFlow), so it can cross process boundaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CODE_NAMES = {
    "KVL901": "untracked-variable-used",
    "KVL902": "no-gradient",
    "KVL903": "variable-created-in-call",
    "KVL904": "check-failed",
    "KVL905": "not-updated",
}


@dataclass
class CheckError:
    """An exception raised while constructing, building or calling a layer."""

    phase: str  # "construct", "build", "call", "graph"
    type: str  # exception class name, e.g. "ValueError"
    message: str  # one-line summary of the exception
    frames: list[tuple[str, int]] = field(default_factory=list)  # user-code (file, line), outermost first

    @property
    def origin(self) -> tuple[str, int] | None:
        """The innermost user-code frame, where the error surfaced."""
        return self.frames[-1] if self.frames else None

    def describe(self) -> str:
        where = f" at {short_path(self.origin[0])}:{self.origin[1]}" if self.origin else ""
        return f"{self.type}: {self.message}{where}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CheckError":
        return cls(data["phase"], data["type"], data["message"], [tuple(f) for f in data.get("frames", [])])


@dataclass
class RuntimeFinding:
    """One problem the runtime check proved."""

    code: str  # KVL901..KVL905
    message: str
    variable: str | None = None  # Keras 3 ``variable.path``; Keras 2 ``variable.name`` without ``:0``
    layer_path: str | None = None  # owning layer in the layer tree, e.g. ``block/dense``
    attribute: str | None = None  # how the owner holds it, e.g. ``w``, ``vs[1]``, ``helper.kernel``
    file: str | None = None  # where the variable was created, or where the error surfaced
    line: int | None = None
    error: CheckError | None = None  # KVL904 and graph-mode failures
    # user frames that created the variable: (file, line, first and last line of the function), outermost first
    stack: list[tuple[str, int, int, int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return CODE_NAMES[self.code]

    def location(self) -> str | None:
        return f"{short_path(self.file)}:{self.line}" if self.file and self.line else None

    def __str__(self) -> str:
        return f"{self.code} {self.name}: {self.message}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RuntimeFinding":
        data = dict(data)
        if data.get("error"):
            data["error"] = CheckError.from_dict(data["error"])
        data["stack"] = [tuple(f) for f in data.get("stack", [])]
        return cls(**data)


@dataclass
class VariableInfo:
    """One variable the check saw: tracked by the layer tree, or read in ``call`` without being tracked."""

    name: str
    layer_path: str | None
    attribute: str | None
    tracked: bool
    trainable: bool
    read_in_call: bool  # watched by the tape in some call (trainable variables only)
    gradient: bool | None  # got a gradient in some mode; None when not computed (untracked, non-float, failed)
    zero_gradient: bool = False  # every gradient it got was exactly zero (e.g. through tf.sign)
    created_in_call: bool = False
    file: str | None = None  # creation site in user code, when it was seen
    line: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "VariableInfo":
        return cls(**data)


@dataclass
class TensorAttribute:
    """A layer attribute holding a plain float tensor or numpy array (not a variable)."""

    layer_path: str
    attribute: str
    output_depends: bool | None  # the loss has a gradient w.r.t. it; None when not computed

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TensorAttribute":
        return cls(**data)


@dataclass
class Sublayer:
    """A layer in the tree below the checked one, and the attribute of its parent that holds it."""

    layer_path: str
    parent_path: str
    attribute: str | None
    built: bool  # False after the check: it was never called

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Sublayer":
        return cls(**data)


@dataclass
class RuntimeReport:
    """The outcome of ``check_layer``: ``ok`` when no finding, ``str()`` gives one line per problem."""

    layer_class: str
    layer_name: str
    keras: str  # "keras3", "tf_keras" or "unknown"
    findings: list[RuntimeFinding] = field(default_factory=list)
    variables: list[VariableInfo] = field(default_factory=list)
    tensor_attributes: list[TensorAttribute] = field(default_factory=list)
    sublayers: list[Sublayer] = field(default_factory=list)
    modes: list[bool | None] = field(default_factory=list)  # training values checked
    graph_checked: bool = False
    gradients_checked: bool = False  # False when the outputs had nothing to differentiate
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def completed(self) -> bool:
        """The layer was built and called (the checks ran), whatever they found."""
        return not any(f.code == "KVL904" and f.error and f.error.phase in ("build", "call") for f in self.findings)

    def summary(self) -> str:
        flavour = {"keras3": "Keras 3", "tf_keras": "tf_keras"}.get(self.keras, "Keras")
        head = f"{self.layer_class} ({self.layer_name!r}, {flavour})"
        if self.ok:
            lines = [f"{head}: every variable is tracked and gets a gradient"]
        else:
            count = len(self.findings)
            lines = [f"{head}: {count} problem{'s' if count != 1 else ''}"]
            lines += [f"  {f}" for f in self.findings]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RuntimeReport":
        data = dict(data)
        data["findings"] = [RuntimeFinding.from_dict(f) for f in data.get("findings", [])]
        data["variables"] = [VariableInfo.from_dict(v) for v in data.get("variables", [])]
        data["tensor_attributes"] = [TensorAttribute.from_dict(t) for t in data.get("tensor_attributes", [])]
        data["sublayers"] = [Sublayer.from_dict(s) for s in data.get("sublayers", [])]
        return cls(**data)


def short_path(path: str) -> str:
    """A path as shown in messages: relative to the working directory when under it."""
    import os

    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
