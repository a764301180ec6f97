"""Test helpers for custom Keras layers. TensorFlow is imported only when a check runs."""

from __future__ import annotations

from typing import Any

from keras_varlint.runtime.report import RuntimeReport

__all__ = ["assert_model_trains", "assert_variables_train"]


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
