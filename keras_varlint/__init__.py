"""keras-varlint: find custom Keras layers whose variables are silently never trained.

Importing this package never imports TensorFlow; ``check_layer`` loads it on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "callbacks", "check_layer", "check_model", "lint", "lint_paths"]

if TYPE_CHECKING:
    from keras_varlint import callbacks
    from keras_varlint.api import lint
    from keras_varlint.engine import lint_paths
    from keras_varlint.runtime.model import check_model
    from keras_varlint.runtime.oracle import check_layer


def __getattr__(name: str) -> Any:
    if name == "check_layer":
        from keras_varlint.runtime.oracle import check_layer

        return check_layer
    if name == "check_model":
        from keras_varlint.runtime.model import check_model

        return check_model
    if name == "callbacks":  # imports Keras
        import importlib

        return importlib.import_module("keras_varlint.callbacks")
    if name == "lint":
        from keras_varlint.api import lint

        return lint
    if name == "lint_paths":
        from keras_varlint.engine import lint_paths

        return lint_paths
    raise AttributeError(f"module 'keras_varlint' has no attribute {name!r}")
