"""pytest plugin (entry point ``pytest11``): the ``varlint`` fixture.

    def test_my_layer(varlint):
        varlint.assert_variables_train(MyLayer(units=4), np.ones((2, 8), "float32"))

    def test_my_model(varlint):
        varlint.assert_model_trains(model, x, y)

The fixture is named ``varlint`` so that it does not shadow the ``keras_varlint`` module in a test that
also imports it. It offers ``check_layer`` and ``check_model`` (return the report), and
``assert_variables_train`` / ``assert_model_trains`` (fail the test with the readable summary when a
variable is untracked, gets no gradient, is created per call, is not updated, or the check cannot run).
The old fixture name ``keras_varlint`` still works (same object; ``check`` is ``assert_variables_train``).
Loading the plugin does not import TensorFlow.
"""

from __future__ import annotations

from typing import Any

import pytest

from keras_varlint.runtime.report import RuntimeReport


class KerasVarlintChecker:
    """What the ``varlint`` fixture provides."""

    def check_layer(self, layer: Any, *inputs: Any, training: bool | None = None, **call_kwargs: Any) -> RuntimeReport:
        """``keras_varlint.check_layer``: the report, whatever it says."""
        from keras_varlint.runtime.oracle import check_layer

        return check_layer(layer, *inputs, training=training, **call_kwargs)

    def check_model(self, model: Any, x: Any, y: Any = None, **kwargs: Any) -> RuntimeReport:
        """``keras_varlint.check_model``: the report, whatever it says."""
        from keras_varlint.runtime.model import check_model

        return check_model(model, x, y, **kwargs)

    def assert_variables_train(
        self, layer: Any, *inputs: Any, training: bool | None = None, **call_kwargs: Any
    ) -> RuntimeReport:
        """Check ``layer`` called on ``inputs``; fail the test if anything is found, else return the report."""
        __tracebackhide__ = True
        report = self.check_layer(layer, *inputs, training=training, **call_kwargs)
        if not report.ok:
            pytest.fail(str(report), pytrace=False)
        return report

    check = assert_variables_train  # the name of the first release

    def assert_model_trains(self, model: Any, x: Any, y: Any = None, **kwargs: Any) -> RuntimeReport:
        """Run ``check_model`` (real training steps, model restored); fail the test if anything is found."""
        __tracebackhide__ = True
        report = self.check_model(model, x, y, **kwargs)
        if not report.ok:
            pytest.fail(str(report), pytrace=False)
        return report


@pytest.fixture
def varlint() -> KerasVarlintChecker:
    """Checks that a custom layer's or model's variables are tracked, get gradients and train."""
    return KerasVarlintChecker()


@pytest.fixture(name="keras_varlint")
def keras_varlint_fixture() -> KerasVarlintChecker:
    """The old name of ``varlint`` (it shadows the module in a test that imports ``keras_varlint``)."""
    return KerasVarlintChecker()
