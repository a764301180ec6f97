"""``keras_varlint.callbacks.VariableCheck`` under TensorFlow (in process) and JAX (in a subprocess:
the Keras backend is fixed per process)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.runtime

ROOT = Path(__file__).resolve().parents[2]

# One model with every problem the callback looks for, importable under any backend.
MODELS = '''
import numpy as np
import keras


class Holder:  # a plain object: Keras does not track what it holds
    def __init__(self):
        self.w = keras.Variable(np.ones((4,), "float32"), name="hidden")


class Block(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(4)
        self.dead = keras.layers.Dense(4)  # built, never called: its weights never change
        self.holder = Holder()

    def build(self, shape):
        self.dense.build(shape)
        self.dead.build(shape)

    def call(self, x):
        return self.dense(x) * self.holder.w


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [Block(), Block()]
        self.out = keras.layers.Dense(1)

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return self.out(x)


class Clean(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(4)
        self.out = keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def data():
    rng = np.random.default_rng(0)
    return rng.random((64, 4), dtype="float32"), rng.random((64, 1), dtype="float32")
'''

EXPECTED_UNTRACKED = ["blocks[0].holder.w", "blocks[1].holder.w"]
EXPECTED_UNCHANGED = ["blocks[0].dead.kernel", "blocks[0].dead.bias", "blocks[1].dead.kernel", "blocks[1].dead.bias"]


def _line_of(text: str) -> int:
    (number,) = [i for i, line in enumerate(MODELS.splitlines(), 1) if text in line]
    return number


# where user code set each reported variable (or the library layer holding it) on an attribute
EXPECTED_SITES = {
    **{p: f"vc_models.py:{_line_of('self.w = keras.Variable')}" for p in EXPECTED_UNTRACKED},
    **{p: f"vc_models.py:{_line_of('self.dead = keras.layers.Dense')}" for p in EXPECTED_UNCHANGED},
}


def _sites(report: Any) -> dict[str, str]:
    return {path: site.rsplit("/", 1)[-1] for path, site in report.sites.items()}


@pytest.fixture
def models(tmp_path: Path, keras3: Any) -> Any:
    path = tmp_path / "vc_models.py"
    path.write_text(MODELS)
    spec = importlib.util.spec_from_file_location("vc_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fit(model: Any, x: Any, y: Any, callback: Any, epochs: int = 2) -> Any:
    model.compile(optimizer="adam", loss="mse")
    return model.fit(x, y, epochs=epochs, batch_size=16, verbose=0, callbacks=[callback])


def test_callback_lists_untracked_and_unchanged_by_attribute_path(models: Any) -> None:
    from keras_varlint.callbacks import VariableCheck

    reports: list[Any] = []
    _fit(models.Net(), *models.data(), VariableCheck(on_problem=reports.append), epochs=3)
    assert len(reports) == 1  # runs once
    report = reports[0]
    assert report.untracked == EXPECTED_UNTRACKED
    assert report.unchanged == EXPECTED_UNCHANGED
    assert report.steps == 1
    assert _sites(report) == EXPECTED_SITES
    assert "blocks[1].dead.bias  (set at " in str(report) and "KVL905" in str(report)


def test_callback_clean_model_is_silent_and_drops_its_copy(models: Any) -> None:
    from keras_varlint.callbacks import VariableCheck

    check = VariableCheck(after_steps=2, on_problem="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=UserWarning)
        _fit(models.Clean(), *models.data(), check)
    assert check.report is not None and check.report.ok and check.report.steps == 2
    assert check._snapshot is None  # the copy of the weights is released once compared


def test_callback_adds_nothing_to_later_steps(models: Any) -> None:
    """Once compared, the batch hook returns without touching the model, and the callback leaves
    ``on_train_batch_end`` to Keras's default so that Keras keeps dispatching batch ends asynchronously."""
    from keras.src import utils

    from keras_varlint.callbacks import VariableCheck

    check = VariableCheck(on_problem="raise")
    assert utils.is_default(check.on_train_batch_end) and utils.is_default(check.on_batch_end)
    _fit(models.Clean(), *models.data(), check)
    check._model = None  # any use of the model from here on would fail
    for batch in range(5):
        check.on_train_batch_begin(batch)
    check.on_epoch_end(0)
    check.on_train_end()


def test_callback_warns_once_with_one_block(models: Any) -> None:
    from keras_varlint.callbacks import VariableCheck, VariableCheckWarning

    with pytest.warns(VariableCheckWarning) as caught:
        _fit(models.Net(), *models.data(), VariableCheck(), epochs=3)
    ours = [w for w in caught if issubclass(w.category, VariableCheckWarning)]
    assert len(ours) == 1
    assert all(path in str(ours[0].message) for path in EXPECTED_UNTRACKED + EXPECTED_UNCHANGED)


def test_callback_raises_on_seed_example2_inside_a_model(keras3: Any, tf: Any) -> None:
    """The README's before/after: the seed article's Example 2 layer (a raw ``tf.Variable``) in a model."""
    from keras_varlint.callbacks import VariableCheck, VariableCheckError

    spec = importlib.util.spec_from_file_location("seed_example2", ROOT / "fixtures" / "seed" / "example2.py")
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    model = keras3.Sequential([keras3.Input((3,)), seed.MyCustomLayer(), keras3.layers.Dense(1)])
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    with pytest.raises(VariableCheckError) as info:
        _fit(model, x, y, VariableCheck(on_problem="raise"))
    assert info.value.report.untracked == ["layers[0].my_variable"]
    assert "layers[0].my_variable" in str(info.value)
    assert model.optimizer.iterations.numpy() == 0  # stopped before the first step


def test_callback_rejects_bad_arguments() -> None:
    from keras_varlint.callbacks import VariableCheck

    with pytest.raises(ValueError):
        VariableCheck(after_steps=0)
    with pytest.raises(ValueError):
        VariableCheck(on_problem="ignore")


JAX_SCRIPT = '''
import json, sys
sys.path.insert(0, {folder!r})
import keras
assert keras.backend.backend() == "jax", keras.backend.backend()
import vc_models
from keras_varlint.callbacks import VariableCheck, VariableCheckError

reports = []
x, y = vc_models.data()
net = vc_models.Net()
net.compile(optimizer="adam", loss="mse")
net.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[VariableCheck(on_problem=reports.append)])
clean = vc_models.Clean()
clean.compile(optimizer="adam", loss="mse")
check = VariableCheck(on_problem="raise")
clean.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[check])
try:
    net2 = vc_models.Net()
    net2.compile(optimizer="adam", loss="mse")
    net2.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[VariableCheck(on_problem="raise")])
    raised = False
except VariableCheckError:
    raised = True
print("RESULT", json.dumps({{
    "untracked": reports[0].untracked, "unchanged": reports[0].unchanged, "count": len(reports),
    "sites": {{p: s.rsplit("/", 1)[-1] for p, s in reports[0].sites.items()}},
    "clean_ok": check.report.ok, "clean_steps": check.report.steps, "raised": raised,
    "tensorflow_loaded": "tensorflow" in sys.modules,
}}))
'''


def test_callback_under_jax(tmp_path: Path, keras3: Any) -> None:
    pytest.importorskip("jax")
    (tmp_path / "vc_models.py").write_text(MODELS)
    script = tmp_path / "run_jax.py"
    script.write_text(JAX_SCRIPT.format(folder=str(tmp_path)))
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert result["untracked"] == EXPECTED_UNTRACKED
    assert result["unchanged"] == EXPECTED_UNCHANGED
    assert result["count"] == 1
    assert result["sites"] == EXPECTED_SITES
    assert result["clean_ok"] and result["clean_steps"] == 1
    assert result["raised"]
    assert not result["tensorflow_loaded"]  # Keras and NumPy only


def test_callback_module_is_reachable_from_the_package(keras3: Any) -> None:
    import keras_varlint

    assert keras_varlint.callbacks.VariableCheck.__name__ == "VariableCheck"
