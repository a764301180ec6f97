"""The stable JSON report: ``{"version": 1, "files": N, "findings": [...], "errors": [...], "layers": N,
"unresolved": [...]}``, and with ``--fix`` a last key ``"fixed"``: the findings it fixed, each with
``"fix_verified"`` (``{"status": "verified" | "not verified" | "broke the layer", "detail"}`` with
``--runtime``, else null). ``layers`` counts the layer classes analysed; ``unresolved`` lists the classes
whose bases could not be resolved (``path``, ``line``, ``class``, ``reason``)."""

from __future__ import annotations

import json
from typing import Any

from keras_varlint.output.common import RuleTable
from keras_varlint.result import LintResult

FORMAT_VERSION = 1


def to_data(result: LintResult) -> dict[str, Any]:
    data = {
        "version": FORMAT_VERSION,
        "files": result.files,
        "findings": [finding.to_json() for finding in result.findings],
        "errors": [dict(error) for error in result.errors],
        "layers": len(result.layers),
        "unresolved": [entry.to_json() for entry in result.unresolved],
    }
    if result.fixed is not None:  # --fix: what it fixed; with --runtime, whether each fix was verified
        data["fixed"] = [{**f.to_json(), "fix_verified": f.extra.get("fix_verified")} for f in result.fixed]
    return data


def render(result: LintResult, rules: RuleTable) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False) + "\n"
