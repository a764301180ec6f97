"""pytest plugin (entry point ``pytest11``): the ``keras_varlint`` fixture.

    def test_my_layer(keras_varlint):
        keras_varlint.check(MyLayer(units=4), np.ones((2, 8), "float32"))

``check`` runs ``keras_varlint.check_layer`` and fails the test with the readable summary when a
variable is untracked, gets no gradient, is created per call, or the layer cannot be built or called.
Loading the plugin does not import TensorFlow.
"""

from __future__ import annotations

from typing import Any

import pytest

from keras_varlint.runtime.report import RuntimeReport


class KerasVarlintChecker:
    """What the ``keras_varlint`` fixture provides."""

    def check(self, layer: Any, *inputs: Any, training: bool | None = None, **call_kwargs: Any) -> RuntimeReport:
        """Check ``layer`` called on ``inputs``; fail the test if anything is found, else return the report."""
        from keras_varlint.runtime.oracle import check_layer

        __tracebackhide__ = True
        report = check_layer(layer, *inputs, training=training, **call_kwargs)
        if not report.ok:
            pytest.fail(str(report), pytrace=False)
        return report


@pytest.fixture
def keras_varlint() -> KerasVarlintChecker:
    """Checks that a custom layer's variables are tracked, get gradients, and are created once."""
    return KerasVarlintChecker()
