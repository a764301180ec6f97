"""The runtime checker: prove at runtime which layer variables are untracked, untrained or recreated.

``check_layer`` (in ``oracle``) checks one layer instance; ``confirm_findings`` (in ``confirm``) runs the
classes behind static findings in isolated worker processes. Importing this package does not import
TensorFlow.
"""

from __future__ import annotations

from typing import Any

from keras_varlint.runtime.errors import RuntimeUnavailable
from keras_varlint.runtime.report import RuntimeFinding, RuntimeReport

__all__ = ["RuntimeFinding", "RuntimeReport", "RuntimeUnavailable", "check_layer", "confirm_findings"]

_LAZY = {
    "check_layer": "keras_varlint.runtime.oracle",
    "confirm_findings": "keras_varlint.runtime.confirm",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
