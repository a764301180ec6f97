"""The finding record shared by every part of the tool (rules, runtime, outputs)."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from keras_varlint.fixes import Fix


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass
class Finding:
    """One problem at one place. Field names and order are the JSON report's contract."""

    path: str
    line: int  # 1-based
    column: int  # 0-based
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    layer: str | None = None
    attribute: str | None = None
    # Set by the runtime checker: {"status": "confirmed"|"refuted"|"inconclusive", "detail": str}
    runtime: dict[str, str] | None = None
    fix: Fix | None = None  # how to fix it (a rule's FixSpec, positioned); ``--fix`` applies it
    # A notebook's finding: the 1-based cell (markdown cells counted), ``line``/``end_line`` then
    # within it. In JSON only when set: Python files' reports keep their keys.
    cell: int | None = None
    # Not part of the JSON contract: where the layer class lives, for the runtime checker.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        if data["cell"] is None:
            data.pop("cell")
        data["severity"] = self.severity.value
        data["fix"] = self.fix.to_json() if self.fix is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Finding":
        data = dict(data)
        data["severity"] = Severity(data["severity"])
        data["fix"] = Fix.from_json(data.get("fix"))
        return cls(**data)


PARSE_ERROR = ("KVL000", "parse-error")


def parse_error_finding(path: str, message: str, line: int = 1, column: int = 0) -> Finding:
    """KVL000 for a file that cannot be read, decoded or parsed."""
    return Finding(path, line, column, line, column, *PARSE_ERROR, Severity.ERROR, message, extra={"file": path})
