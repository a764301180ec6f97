"""Each rule's fix, before and after, through the command line: what --fix writes, what stays
unfixed, what needs --unsafe-fixes; --diff writes nothing; fixing twice is fixing once."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from keras_varlint.interfaces.cli import main


@pytest.fixture
def lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.chdir(tmp_path)

    def run(source: str, *flags: str) -> tuple[str, int, str]:
        path = tmp_path / "layers.py"
        path.write_text(textwrap.dedent(source).lstrip())
        code = main(["layers.py", "--no-cache", "-j", "1", *flags])
        return path.read_text(), code, capsys.readouterr().out

    return run


def fixes(lint, source: str, *flags: str) -> list[dict | None]:
    _, _, out = lint(source, "--format", "json", *flags)
    return [f["fix"] for f in json.loads(out)["findings"]]


KVL001_SEED = '''
    import tensorflow as tf
    from tensorflow import keras

    class MyCustomLayer(keras.layers.Layer):
        def __init__(self, initial_value=0.5):
            super(MyCustomLayer, self).__init__()
            self.my_variable = tf.Variable(initial_value, name='my_var', trainable=True)

        def call(self, inputs):
            return inputs * self.my_variable
'''


def test_kvl001_seed_example_uses_the_files_keras(lint) -> None:
    after, code, out = lint(KVL001_SEED, "--fix")
    assert after == textwrap.dedent(KVL001_SEED).lstrip().replace(
        "tf.Variable(initial_value", "keras.Variable(initial_value")
    assert code == 0 and out == "Found 1 error (1 fixed, 0 remaining).\n"


def test_kvl001_adds_import_keras_and_maps_arguments(lint) -> None:
    after, code, _ = lint('''
        """Layers."""
        import numpy as np
        import tensorflow as tf

        class Gates(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.scale = tf.Variable(0.5, True, name="scale")
                self.bias = tf.Variable(initial_value=np.zeros(3, "float32"), dtype=tf.float32)
                self.experts = []
                self.experts.append(tf.Variable(1.0))
                self.gates = {"a": tf.Variable(  # gate
                    1.0,
                    trainable=True,
                )}

            def call(self, x):
                return x * self.scale + self.bias + self.experts[0] * self.gates["a"]
    ''', "--fix")
    assert after == textwrap.dedent('''
        """Layers."""
        import keras
        import numpy as np
        import tensorflow as tf

        class Gates(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.scale = keras.Variable(0.5, trainable=True, name="scale")
                self.bias = keras.Variable(initializer=np.zeros(3, "float32"), dtype=tf.float32)
                self.experts = []
                self.experts.append(keras.Variable(1.0))
                self.gates = {"a": keras.Variable(  # gate
                    1.0,
                    trainable=True,
                )}

            def call(self, x):
                return x * self.scale + self.bias + self.experts[0] * self.gates["a"]
    ''').lstrip()
    assert code == 0


@pytest.mark.parametrize("call", [
    "tf.Variable(1.0, constraint=lambda w: w)",
    "tf.Variable(1.0, validate_shape=False)",
    "tf.Variable(1.0, name='a/b')",
    "tf.Variable(lambda: tf.ones([2]))",
    "tf.Variable(1.0, aggregation=tf.VariableAggregation.MEAN)",
    "tf.Variable(*args)",
])
def test_kvl001_no_fix_where_keras_variable_has_no_place(lint, call: str) -> None:
    source = f'''
        import keras
        import tensorflow as tf

        class L(keras.layers.Layer):
            def __init__(self, *args):
                super().__init__()
                self.v = {call}

            def call(self, x):
                return x * self.v
    '''
    assert fixes(lint, source) == [None]
    after, code, _ = lint(source, "--fix", "--unsafe-fixes")
    assert code == 1 and after == textwrap.dedent(source).lstrip()


@pytest.mark.parametrize("call,fixed", [
    ("tf.Variable(1.0, caching_device='/cpu:0')", "keras.Variable(1.0)"),
    ("tf.Variable(1.0, name=f'v{flag}')", "keras.Variable(1.0, name=f'v{flag}')"),
    ("tf.Variable(tf.ones([2]), shape=[2])", "keras.Variable(tf.ones([2]), shape=[2])"),
])
def test_kvl001_unsafe_when_meaning_depends_on_run_time_values(lint, call: str, fixed: str) -> None:
    source = f'''
        import keras
        import tensorflow as tf

        class L(keras.layers.Layer):
            def __init__(self, flag=True):
                super().__init__()
                self.v = {call}

            def call(self, x):
                return x * self.v
    '''
    (fix,) = fixes(lint, source)
    assert fix["applicability"] == "unsafe" and "unsafe:" in fix["message"]
    after, code, out = lint(source, "--fix")
    assert after == textwrap.dedent(source).lstrip() and code == 1
    assert "No fixes available (1 hidden fix can be enabled with --unsafe-fixes)." in out
    after, code, _ = lint(source, "--fix", "--unsafe-fixes")
    assert after == textwrap.dedent(source).lstrip().replace(call, fixed) and code == 0


def test_kvl001_no_fix_when_keras_names_something_else(lint) -> None:
    source = '''
        import tensorflow as tf
        from mypkg import keras

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.v = tf.Variable(1.0)

            def call(self, x):
                return x * self.v
    '''
    assert fixes(lint, source) == [None]


def test_kvl010_writes_trainable_false(lint) -> None:
    source = '''
        import keras
        import tensorflow as tf

        class Counter(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.steps = tf.Variable(0, name="steps")
                self.mean = tf.Variable(tf.zeros([3]), trainable=False)

            def call(self, x):
                self.steps.assign_add(1)
                return x - self.mean
    '''
    after, code, _ = lint(source, "--extend-select", "KVL010", "--fix")
    assert after == textwrap.dedent(source).lstrip().replace(
        'tf.Variable(0, name="steps")', 'keras.Variable(0, name="steps", trainable=False)').replace(
        "tf.Variable(tf.zeros([3]), trainable=False)", "keras.Variable(tf.zeros([3]), trainable=False)")
    assert code == 0


KVL007 = '''
    import keras

    class Decay(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
            self.b = self.add_weight(shape=(input_shape[-1],), initializer="zeros")
            self.s = self.add_weight(shape=(), initializer="ones")

        def call(self, inputs, a=1.0, c=2.0):
            self.w = self.w * 0.99
            self.b += inputs[0]
            self.s *= a + c
            return inputs * self.w + self.b * self.s
'''


def test_kvl007_assign_is_unsafe(lint) -> None:
    assert [f["applicability"] for f in fixes(lint, KVL007)] == ["unsafe"] * 3
    after, code, _ = lint(KVL007, "--fix")
    assert after == textwrap.dedent(KVL007).lstrip() and code == 1
    after, code, _ = lint(KVL007, "--fix", "--unsafe-fixes")
    assert after == textwrap.dedent(KVL007).lstrip().replace(
        "self.w = self.w * 0.99", "self.w.assign(self.w * 0.99)").replace(
        "self.b += inputs[0]", "self.b.assign_add(inputs[0])").replace(
        "self.s *= a + c", "self.s.assign(self.s * (a + c))")
    assert code == 0


def test_kvl009_deletes_the_assignment_or_leaves_pass(lint) -> None:
    source = '''
        import keras

        class Linear(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 4))
                self.b = self.add_weight(shape=(4,))
                self.trainable_weights = [self.w, self.b]  # listed by hand

            def call(self, inputs):
                return inputs @ self.w + self.b

        class Only(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.k = self.add_weight(shape=(2,))
                if True:
                    self.weights = [self.k]

            def call(self, inputs):
                return inputs * self.k
    '''
    after, code, _ = lint(source, "--fix")
    assert after == textwrap.dedent(source).lstrip().replace(
        "        self.trainable_weights = [self.w, self.b]  # listed by hand\n", "").replace(
        "self.weights = [self.k]", "pass")
    assert code == 0


def test_kvl009_no_fix_when_an_element_is_not_an_add_weight_attribute(lint) -> None:
    source = '''
        import keras

        class Wrapper(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(2)
                self.w = self.add_weight(shape=(2,))
                self.trainable_weights = [self.w, self.dense.kernel]

            def call(self, inputs):
                return self.dense(inputs) * self.w
    '''
    assert fixes(lint, source) == [None]


def test_diff_writes_nothing_and_exits_1(lint, capsys) -> None:
    after, code, out = lint(KVL001_SEED, "--diff")
    assert after == textwrap.dedent(KVL001_SEED).lstrip() and code == 1
    assert out.startswith("--- layers.py\n+++ layers.py\n@@ ")
    assert "-        self.my_variable = tf.Variable(" in out and "+        self.my_variable = keras.Variable(" in out
    _, code, out = lint(KVL007, "--diff")  # only unsafe fixes: no diff without --unsafe-fixes
    assert (code, out) == (0, "")
    _, code, out = lint(KVL007, "--diff", "--unsafe-fixes")
    assert code == 1 and out.count("assign(") == 2


def test_no_write_without_fix(lint, tmp_path: Path) -> None:
    after, code, out = lint(KVL001_SEED)
    assert after == textwrap.dedent(KVL001_SEED).lstrip() and code == 1
    assert out.endswith("Found 1 error.\n[*] 1 fixable with --fix\n") and " KVL001 [*] " in out


def test_fix_is_idempotent(lint, tmp_path: Path) -> None:
    once, _, _ = lint(KVL007 + KVL001_SEED.replace("MyCustomLayer", "Seed"), "--fix", "--unsafe-fixes")
    assert "self.w.assign(" in once and "keras.Variable(" in once
    twice, code, out = lint(once, "--fix", "--unsafe-fixes")
    assert twice == once and code == 0 and out == ""


def test_config_fixable_unfixable_and_unsafe_fixes(lint, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.keras-varlint]\nunsafe-fixes = true\nunfixable = ["KVL001"]\n')
    source = KVL007 + KVL001_SEED.replace("MyCustomLayer", "Seed")
    after, _, _ = lint(source, "--fix")
    assert "self.w.assign(" in after and "keras.Variable(" not in after
    after, _, _ = lint(source, "--fix", "--no-unsafe-fixes")
    assert after == textwrap.dedent(source).lstrip()
    (tmp_path / "pyproject.toml").write_text('[tool.keras-varlint]\nfixable = ["KVL001"]\nunsafe-fixes = true\n')
    after, _, _ = lint(source, "--fix")
    assert "self.w.assign(" not in after and "keras.Variable(" in after


def test_every_rule_with_a_fix_documents_its_fix_safety() -> None:
    import inspect

    from keras_varlint.rules.base import registry

    with_fix = {code for code, rule in registry().items() if "fix=" in inspect.getsource(inspect.getmodule(rule))}
    assert with_fix >= {"KVL001", "KVL007", "KVL009", "KVL010"}
    for code in with_fix:
        page = registry()[code].documentation()
        assert "\n## Fix safety\n" in page and (" safe" in page or "unsafe" in page), code
    rules_md = (Path(__file__).parent.parent.parent / "docs" / "rules.md").read_text()
    assert rules_md.count("### Fix safety") >= len(with_fix)


def test_notebook_findings_carry_no_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    nbformat = pytest.importorskip("nbformat")
    monkeypatch.chdir(tmp_path)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(KVL001_SEED).lstrip())])
    nbformat.write(notebook, str(tmp_path / "layers.ipynb"))
    before = (tmp_path / "layers.ipynb").read_text()
    assert main(["layers.ipynb", "--no-cache", "-j", "1", "--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert finding["code"] == "KVL001" and finding["fix"] is None
    assert main(["layers.ipynb", "--no-cache", "-j", "1", "--fix"]) == 1
    assert (tmp_path / "layers.ipynb").read_text() == before


KVL102 = '''
    import numpy as np
    import tensorflow as tf

    class Gate(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.gate = self.add_weight(shape=(input_shape[-1],), initializer="zeros")
            self.t = self.add_weight(shape=(), initializer="ones")
            self.o = self.add_weight(shape=(input_shape[-1],), initializer="zeros")
            self.p = self.add_weight(shape=(input_shape[-1],), initializer="zeros")

        def call(self, inputs):
            g = np.clip(self.gate, 0.0, 1.0)
            return inputs * g / float(self.t) + self.o.numpy() + np.percentile(self.p, 50)
'''


def test_kvl102_keeps_the_value_in_the_graph_unsafely(lint) -> None:
    assert [f and f["applicability"] for f in fixes(lint, KVL102)] == ["unsafe", "unsafe", "unsafe", None]
    after, code, _ = lint(KVL102, "--fix", "--unsafe-fixes")
    assert after == "import keras\n" + textwrap.dedent(KVL102).lstrip().replace(
        "np.clip(self.gate", "keras.ops.clip(self.gate").replace("float(self.t)", "self.t").replace(
        "self.o.numpy()", "self.o")
    assert code == 1  # np.percentile has no keras.ops twin: left as it is


def test_kvl102_no_fix_when_the_value_is_still_cut_inside(lint) -> None:
    source = '''
        import keras
        import numpy as np
        from keras import ops

        class Clipped(keras.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def call(self, inputs):
                return inputs * np.clip(ops.convert_to_numpy(self.scale), 0.1, 10.0)
    '''
    assert fixes(lint, source) == [None]


KVL003 = '''
    import keras
    from keras import layers

    class Head(layers.Layer):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, inputs):
            x = layers.Dense(self.units, activation="relu")(inputs)
            y = layers.Dense(2)(x)
            for _ in range(2):
                y = layers.Dense(2)(y)
            return layers.Dense(inputs.shape[-1])(y)
'''


def test_kvl003_moves_the_layer_to_init_unsafely(lint) -> None:
    assert [f and f["applicability"] for f in fixes(lint, KVL003)] == ["unsafe", "unsafe", None, None]
    after, code, _ = lint(KVL003, "--fix")
    assert after == textwrap.dedent(KVL003).lstrip() and code == 1
    after, code, _ = lint(KVL003, "--fix", "--unsafe-fixes")
    assert after == textwrap.dedent(KVL003).lstrip().replace(
        "        self.units = units\n",
        '        self.units = units\n        self._dense = layers.Dense(self.units, activation="relu")\n'
        "        self._dense_1 = layers.Dense(2)\n").replace(
        'x = layers.Dense(self.units, activation="relu")(inputs)', "x = self._dense(inputs)").replace(
        "y = layers.Dense(2)(x)", "y = self._dense_1(x)")
    assert code == 1  # the loop's layer and the shape-dependent one stay


def test_kvl003_no_fix_without_an_own_init(lint) -> None:
    source = '''
        import keras

        class Block(keras.layers.Layer):
            def call(self, inputs):
                return keras.layers.Dense(4)(inputs)
    '''
    assert fixes(lint, source) == [None]


def test_fixes_survive_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "layers.py").write_text(textwrap.dedent(KVL001_SEED).lstrip())
    runs = []
    for _ in range(2):  # cold, then from the cache
        main(["layers.py", "--cache-dir", str(tmp_path / "cache"), "--format", "json"])
        runs.append(json.loads(capsys.readouterr().out)["findings"])
    assert runs[0] == runs[1] and runs[0][0]["fix"]["applicability"] == "safe"
    assert main(["layers.py", "--cache-dir", str(tmp_path / "cache"), "--fix"]) == 0
    assert "keras.Variable(initial_value" in (tmp_path / "layers.py").read_text()
