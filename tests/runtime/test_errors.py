"""Exception summaries and locations, and the error raised when TensorFlow is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keras_varlint.findings import Finding, Severity
from keras_varlint.runtime import confirm
from keras_varlint.runtime.client import Worker
from keras_varlint.runtime.errors import INSTALL_HINT, RuntimeUnavailable, check_error, summarize_message
from keras_varlint.settings import Settings

KERAS3_GRAPH_ERROR = (
    'in user code:\n\n    File "/proj/layers.py", line 17, in f  *\n        y = l(x)\n'
    f'    File "{os.__file__}", line 122, in error_handler  **\n'
    "        raise e.with_traceback(filtered_tb) from None\n"
    '    File "/proj/layers.py", line 7, in call\n        return x * float(self.w.numpy()[0])\n\n'
    "    NotImplementedError: Exception encountered when calling N.call().\n    \n"
    "    \x1b[1mnumpy() is only available when eager execution is enabled.\x1b[0m\n    \n"
    "    Arguments received by N.call():\n      \u2022 x=tf.Tensor(shape=(2, 4), dtype=float32)\n"
)
TF_KERAS_SINGLETON = (
    "in user code:\n\n"
    "    ValueError: Exception encountered when calling layer 'c' (type C).\n    \n    in user code:\n    \n"
    '        File "/proj/layers.py", line 10, in call  *\n            v = self.add_weight(shape=(), name="late")\n'
    "    \n        ValueError: tf.function only supports singleton tf.Variables created on the first call.\n"
    "    \n    Call arguments received by layer 'c' (type C):\n      \u2022 x=tf.Tensor(shape=(2, 4), dtype=float32)\n"
)


@pytest.mark.parametrize(
    ("message", "summary"),
    [
        (KERAS3_GRAPH_ERROR, "numpy() is only available when eager execution is enabled."),
        (TF_KERAS_SINGLETON, "tf.function only supports singleton tf.Variables created on the first call."),
        ("plain message", "plain message"),
        ("x" * 500, "x" * 297 + "..."),
    ],
)
def test_summaries_drop_keras_and_tensorflow_framing(message: str, summary: str) -> None:
    assert summarize_message(ValueError(message)) == summary


def test_error_locations_come_from_the_traceback_and_the_message() -> None:
    try:
        raise ValueError(KERAS3_GRAPH_ERROR)
    except ValueError as exc:
        error = check_error("graph", exc)
    assert error.frames[0][0] == __file__
    assert error.frames[1:] == [("/proj/layers.py", 17), ("/proj/layers.py", 7)]  # library frame dropped
    assert error.origin == ("/proj/layers.py", 7)


def test_missing_tensorflow_raises_runtime_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(confirm.importlib.util, "find_spec", lambda name: None)
    finding = Finding("a.py", 1, 0, 1, 1, "KVL001", "untracked-variable", Severity.ERROR, "m", "L", "w")
    with pytest.raises(RuntimeUnavailable) as caught:
        confirm.confirm_findings([finding], Settings(), [tmp_path])
    assert INSTALL_HINT in str(caught.value) and "\n" not in str(caught.value)


def test_a_worker_that_cannot_import_tensorflow_raises_runtime_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text("raise ImportError('no TensorFlow here\\nsecond line')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    worker = Worker(memory_mb=0)
    with pytest.raises(RuntimeUnavailable, match="no TensorFlow here") as caught:
        worker.start()
    assert worker.process is None
    assert "\n" not in str(caught.value) and INSTALL_HINT in str(caught.value)
