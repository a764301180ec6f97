"""The fixes, run: each layer, once fixed by ``--fix --unsafe-fixes``, is built and called under
Keras 3, and the variables its findings were about are now tracked and get a gradient (or, for
KVL010's non-trainable state, are among the layer's weights, so saved). The unfixed layers are
run too, to show that the fix is what made the difference."""

from __future__ import annotations

import importlib.util
import textwrap
import types
from pathlib import Path

import pytest

from keras_varlint.interfaces.cli import main

CASES = {
    "kvl001_seed": ('''
        import tensorflow as tf
        from tensorflow import keras

        class MyCustomLayer(keras.layers.Layer):
            def __init__(self, initial_value=0.5):
                super(MyCustomLayer, self).__init__()
                self.my_variable = tf.Variable(initial_value, name='my_var', trainable=True)

            def call(self, inputs):
                return inputs * self.my_variable
    ''', ["my_variable"]),
    "kvl001_containers": ('''
        import tensorflow as tf

        class Mixture(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.experts = []
                for _ in range(2):
                    self.experts.append(tf.Variable(tf.ones(input_shape[-1:])))
                self.gates = {"a": tf.Variable(1.0, trainable=True, name="gate")}
                self.pair = (tf.Variable(initial_value=2.0, dtype=tf.float32), tf.Variable(0.0, True))

            def call(self, inputs):
                return sum(inputs * e for e in self.experts) * self.gates["a"] * self.pair[0] + self.pair[1]
    ''', ["experts[0]", "experts[1]", 'gates["a"]', "pair[0]", "pair[1]"]),
    "kvl007": ('''
        import keras

        class Decay(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
                self.s = self.add_weight(shape=(), initializer="ones")

            def call(self, inputs):
                self.w = self.w * 0.99
                self.s *= 0.5
                return inputs * self.w * self.s
    ''', ["w", "s"]),
    "kvl009": ('''
        import keras

        class Linear(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 4))
                self.b = self.add_weight(shape=(4,), initializer="zeros")
                self.trainable_weights = [self.w, self.b]

            def call(self, inputs):
                return inputs @ self.w + self.b
    ''', ["w", "b"]),
    "kvl102": ('''
        import keras
        import numpy as np

        class NumpyGate(keras.layers.Layer):
            def build(self, input_shape):
                self.gate = self.add_weight(shape=(input_shape[-1],), initializer="zeros")
                self.offset = self.add_weight(shape=(input_shape[-1],), initializer="zeros")
                self.t = self.add_weight(shape=(), initializer="ones")

            def call(self, inputs):
                gate = np.tanh(self.gate)
                return inputs * gate / float(self.t) + self.offset.numpy()
    ''', ["gate", "offset", "t"]),
    "kvl003": ('''
        import keras
        import tensorflow as tf
        from keras import layers

        class ClassifierHead(layers.Layer):
            def __init__(self, num_classes=3, **kwargs):
                super().__init__(**kwargs)
                self.num_classes = num_classes

            def call(self, inputs):
                logits = layers.Dense(self.num_classes, use_bias=True)(inputs)
                return tf.nn.relu(logits)
    ''', ["_dense.kernel", "_dense.bias"]),
}

KVL010 = '''
    import keras
    import tensorflow as tf

    class Counter(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.steps = tf.Variable(0, name="steps")
            self.mean = tf.Variable(tf.zeros([3]), trainable=False, name="mean")

        def call(self, inputs):
            self.steps.assign_add(1)
            return inputs - self.mean
'''


def _load(path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"fixed_{path.stem}_{id(path)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_and_fix(tmp_path: Path, name: str, source: str, *flags: str) -> tuple[Path, Path]:
    before, after = tmp_path / f"{name}_before.py", tmp_path / f"{name}_after.py"
    before.write_text(textwrap.dedent(source).lstrip())
    after.write_text(textwrap.dedent(source).lstrip())
    assert main([str(after), "--no-cache", "-j", "1", "--fix", "--unsafe-fixes", *flags]) == 0
    assert after.read_text() != before.read_text()
    return before, after


def _train_check(tf, module: types.ModuleType, attrs: list[str]) -> list[str]:
    """The attributes whose variable is not in trainable_variables or gets no gradient."""
    (cls,) = [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]
    layer = cls()
    x = tf.ones([2, 3])
    layer(x)  # build, and a first call
    with tf.GradientTape(persistent=True) as tape:
        loss = tf.reduce_sum(layer(x))  # the second call: KVL007's tensor would show here
    tracked = layer.trainable_variables
    bad = []
    for attr in attrs:
        variable = eval(f"layer.{attr}", {"layer": layer})
        keras_owned = [v for v in tracked if v is variable]
        if not keras_owned:
            bad.append(f"{attr}: not in trainable_variables")
            continue
        if tape.gradient(loss, keras_owned[0]) is None:
            bad.append(f"{attr}: no gradient")
    return bad


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixed_layer_variables_are_tracked_and_get_gradients(name, tmp_path, tf, keras3) -> None:
    source, attrs = CASES[name]
    before, after = _write_and_fix(tmp_path, name, source)
    assert _train_check(tf, _load(after), attrs) == []
    try:  # and the fix is what made the difference
        problems = _train_check(tf, _load(before), attrs)
    except (AttributeError, TypeError, ValueError):  # KVL009: the property has no setter
        problems = ["raised"]
    assert problems


def test_fixed_untracked_state_is_saved_with_the_layer(tmp_path, tf, keras3) -> None:
    before, after = _write_and_fix(tmp_path, "kvl010", KVL010, "--extend-select", "KVL010")
    for path, expected in ((after, {"steps", "mean"}), (before, set())):
        layer = _load(path).Counter()
        layer(tf.ones([2, 3]))
        assert {w.name for w in layer.weights} == expected
        assert layer.trainable_variables == []
    assert "keras.Variable(0, name=\"steps\", trainable=False)" in after.read_text()


CALLABLE_INIT = '''
    import keras
    import tensorflow as tf


    def ones():
        return tf.ones([3])


    class FromCallable(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(ones)  # TensorFlow calls it; keras.Variable needs a shape for that

        def call(self, x):
            return x * self.v
'''


def test_fix_runtime_verifies_fixes_and_rolls_back_what_broke_a_layer(tmp_path, monkeypatch, capsys, tf, keras3) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    good, bad = tmp_path / "seed.py", tmp_path / "callable_init.py"
    good.write_text(textwrap.dedent(CASES["kvl001_seed"][0]).lstrip())
    bad.write_text(textwrap.dedent(CALLABLE_INIT).lstrip())
    original_bad = bad.read_text()
    code = main([".", "--no-cache", "--fix", "--runtime", "--runtime-timeout", "300", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    verdicts = {f["path"]: f["fix_verified"] for f in report["fixed"]}
    assert verdicts["seed.py"]["status"] == "verified", verdicts
    assert verdicts["callable_init.py"]["status"] == "broke the layer", verdicts
    assert "construct" in verdicts["callable_init.py"]["detail"] and "shape" in verdicts["callable_init.py"]["detail"]
    assert "keras.Variable(initial_value" in good.read_text()
    assert bad.read_text() == original_bad  # rolled back
    assert [f["path"] for f in report["findings"]] == ["callable_init.py"] and code == 1


def test_fixed_fixtures_are_verified_at_runtime(tmp_path, monkeypatch, capsys, tf, keras3) -> None:
    """--fix --unsafe-fixes --runtime on the fixtures with fixes: every fix is verified (the
    variable is tracked and gets a gradient; KVL010's is tracked and saved; KVL009's layer builds)."""
    import collections
    import json
    import shutil

    fixtures = Path(__file__).parent.parent.parent / "fixtures"
    for name in ("kvl001_flagged.py", "kvl001_flagged_containers.py", "kvl001_flagged_helpers.py",
                 "kvl001_flagged_base_decides.py", "kvl007_flagged.py", "kvl009_flagged.py", "kvl010_flagged.py"):
        shutil.copy(fixtures / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    main([".", "--no-cache", "--select", "ALL", "--fix", "--unsafe-fixes", "--runtime", "--runtime-timeout", "300",
          "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    verdicts = collections.Counter((f["code"], f["fix_verified"]["status"]) for f in report["fixed"])
    assert verdicts == {("KVL001", "verified"): 18, ("KVL007", "verified"): 3, ("KVL009", "verified"): 4,
                        ("KVL010", "verified"): 5}, [(f["path"], f["line"], f["fix_verified"]) for f in report["fixed"]]
    assert report["findings"] == []


def test_readme_migration_example_is_verified_at_runtime(tmp_path, monkeypatch, capsys, tf, keras3) -> None:
    import json
    import shutil

    example = Path(__file__).parent.parent.parent / "docs" / "examples" / "keras2_migration.py"
    shutil.copy(example, tmp_path / example.name)
    monkeypatch.chdir(tmp_path)
    main([".", "--no-cache", "--fix", "--unsafe-fixes", "--runtime", "--runtime-timeout", "300", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert {(f["layer"], f["fix_verified"]["status"]) for f in report["fixed"]} == {
        (layer, "verified") for layer in
        ("Scale", "Bias", "Experts", "Gates", "Linear", "Temperature", "Offset", "Decay", "Dense2")
    }, [(f["layer"], f["fix_verified"]) for f in report["fixed"]]
    assert len(report["fixed"]) == 10
    assert [(f["layer"], f["code"]) for f in report["findings"]] == [("NonNegative", "KVL001")]
