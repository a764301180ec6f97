"""Test helpers for custom Keras layers. TensorFlow is imported only when a check runs."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from keras_varlint.runtime.report import RuntimeReport

__all__ = ["assert_lint_clean", "assert_model_trains", "assert_variables_train"]


def assert_lint_clean(target: str | os.PathLike[str], **options: Any) -> None:
    """Raise ``AssertionError`` listing the findings if ``keras_varlint.lint`` finds anything in
    ``target``: a file or directory, or else the name of an importable package or module (found
    with ``importlib.util.find_spec``: not imported, only a dotted name's parent packages are).
    ``options`` are ``keras_varlint.lint``'s (``select``, ``ignore``, ``keras_version``, ...).

    Example::

        def test_package_is_lint_clean():
            assert_lint_clean("mypkg")
    """
    from keras_varlint.api import lint
    from keras_varlint.output.text import format_finding

    path = os.fspath(target)
    if not os.path.lexists(path):
        try:
            spec = importlib.util.find_spec(path) if path.replace(".", "").replace("_", "").isalnum() else None
        except (ImportError, ValueError):  # a dotted name whose parent is missing
            spec = None
        if spec is None or not (spec.submodule_search_locations or spec.origin):
            raise AssertionError(f"{path} is neither a path nor an importable package or module")
        locations = list(spec.submodule_search_locations or [])
        path = locations[0] if locations else str(spec.origin)
    findings = lint(path, **options)
    if findings:
        lines = "\n".join(format_finding(finding) for finding in findings)
        raise AssertionError(f"keras-varlint found {len(findings)} problem(s) in {os.fspath(target)}:\n{lines}")


def assert_variables_train(layer: Any, *inputs: Any, training: bool | None = None, **call_kwargs: Any) -> RuntimeReport:
    """Run ``check_layer`` and raise ``AssertionError`` with its summary if any variable is untracked,
    gets no gradient, is created per call, or the layer fails to build or run.

    Example::

        def test_my_layer_trains():
            assert_variables_train(MyLayer(4), np.ones((2, 8), "float32"))
    """
    from keras_varlint.runtime.oracle import check_layer

    report = check_layer(layer, *inputs, training=training, **call_kwargs)
    if not report.ok:
        raise AssertionError(str(report))
    return report


def assert_model_trains(model: Any, x: Any, y: Any = None, **kwargs: Any) -> RuntimeReport:
    """Run ``check_model`` (real training steps; the model is restored afterwards) and raise
    ``AssertionError`` with its summary if any variable is untracked, gets no gradient, is created per
    call or is not updated by the steps. ``kwargs``: ``loss``, ``optimizer``, ``steps``."""
    from keras_varlint.runtime.model import check_model

    report = check_model(model, x, y, **kwargs)
    if not report.ok:
        raise AssertionError(str(report))
    return report
