"""``confirm_findings``: each family of static codes confirmed, refuted or left inconclusive by running
the classes of a small project in worker processes (one run for the whole module, shared by the tests).

The static findings are the analyzer's own, from a lint run over the project as ``--runtime`` makes one;
a ``# <- KVLxxx`` comment marks the line a finding is expected at. The refuted cases are real false
positives of the analyzer: code that it flags and that never runs (a debug branch, lazy creation that
``build`` already did), or a Keras 2 class analysed as Keras 3."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest

from keras_varlint.findings import Finding
from keras_varlint.output.common import runtime_suffix
from keras_varlint.runtime.confirm import confirm_findings
from keras_varlint.settings import RuntimeExample, Settings

from .project import analyse, pick, write

pytestmark = pytest.mark.runtime

K3_UNTRACKED = """
    import tensorflow as tf
    import keras


    class RawVar(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = tf.Variable(1.0, name="raw")  # <- KVL001

        def call(self, x):
            return x * self.w


    class ListOfVars(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.vs = [tf.Variable(1.0, name="v0"), tf.Variable(2.0, name="v1")]  # <- KVL001

        def call(self, x):
            return x * self.vs[0] + self.vs[1]


    class Holder(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(1.0, name="held")


    class ModuleAttr(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.holder = Holder()  # <- KVL006

        def call(self, x):
            return x * self.holder.w


    def make_raw():
        return tf.Variable(2.0, name="other_raw")


    class Counter(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.calls = tf.Variable(0, trainable=False, name="calls")  # <- KVL010

        def call(self, x):
            self.calls.assign_add(1)
            return x


    class TwoDefects(keras.layers.Layer):
        def build(self, input_shape):
            self.unused = self.add_weight(shape=(), name="unused")  # <- KVL101
            self.raw = make_raw()  # the analyzer does not follow module-level helpers

        def call(self, x):
            return x * self.raw
"""

K3_CREATED = """
    import tensorflow as tf
    import keras


    class AddWeightInCall(keras.layers.Layer):
        def call(self, x):
            w = self.add_weight(shape=(), name="late")  # <- KVL002
            return x * w


    class LocalVariable(keras.layers.Layer):
        def call(self, x):
            v = tf.Variable(1.0, name="local")  # <- KVL002
            return x * v


    class LayerInCall(keras.layers.Layer):
        def call(self, x):
            return keras.layers.Dense(1, name="late_dense")(x)  # <- KVL003


    class CreatesNothing(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            if self.w is None:  # never: build made it
                self.w = self.add_weight(shape=(), name="w")  # <- KVL002
            return x * self.w
"""

K3_GRADIENTS = """
    import tensorflow as tf
    import keras


    class Reassigned(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            self.w = self.w * 0.5  # <- KVL007
            return x * self.w


    class NeverRead(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")
            self.unused = self.add_weight(shape=(), name="unused")  # <- KVL101

        def call(self, x):
            return x * self.w


    class NumpyInCall(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            return x * float(self.w.numpy())  # <- KVL102


    class DerivedInBuild(keras.layers.Layer):
        def build(self, input_shape):
            self.mu = self.add_weight(shape=(), name="mu")
            self.sigma = self.add_weight(shape=(), name="sigma")
            self.kernel = self.mu + self.sigma * tf.random.normal(())  # <- KVL005

        def call(self, x):
            return x * self.kernel


    class Healthy(keras.layers.Layer):
        def __init__(self, debug=False, **kwargs):
            super().__init__(**kwargs)
            self.debug = debug

        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            if self.debug:  # never: the gradient is not cut when it runs
                print("w =", float(self.w.numpy()))  # <- KVL102
            return x * self.w


    class Frozen(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(), name="scale", trainable=False)  # <- KVL105

        def call(self, x):
            return x * self.scale


    class PlainTensor(keras.layers.Layer):
        def build(self, input_shape):
            self.t = tf.random.normal((input_shape[-1],))  # <- KVL004

        def call(self, x):
            return x * self.t


    class SetsTrainableWeights(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")
            self.trainable_weights = [self.w]  # <- KVL009

        def call(self, x):
            return x * self.w


    class Outer:
        class Nested(keras.layers.Layer):
            def build(self, input_shape):
                self.unused = self.add_weight(shape=(), name="unused")  # <- KVL101

            def call(self, x):
                return x


    def factory():
        class Local(keras.layers.Layer):
            def build(self, input_shape):
                self.unused = self.add_weight(shape=(), name="unused")  # <- KVL101

            def call(self, x):
                return x

        return Local
"""

K2_LAYERS = """
    import tensorflow as tf
    import tf_keras


    class RawVar(tf_keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = tf.Variable(1.0, name="raw")  # <- KVL001 (when analysed as Keras 3)

        def call(self, x):
            return x * self.w


    class AddWeightInCall(tf_keras.layers.Layer):
        def call(self, x):
            w = self.add_weight(shape=(), name="late")  # <- KVL002
            return x * w


    class Reassigned(tf_keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            self.w = self.w * 0.5  # <- KVL007
            return x * self.w
"""

NEEDS_ARGS = """
    import keras
    from keras import ops


    class NeedsUnits(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.unused = self.add_weight(shape=(), name="unused")  # <- KVL101

        def call(self, x):
            return ops.matmul(x, self.kernel)


    class Configured(keras.layers.Layer):
        def __init__(self, depth, **kwargs):
            super().__init__(**kwargs)
            self.depth = depth

        def build(self, input_shape):
            if input_shape[-1] != 5:
                raise ValueError("this layer needs 5 features")
            self.ws = [self.add_weight(shape=(), name=f"w{i}") for i in range(self.depth)]
            self.scale = self.add_weight(shape=(), name="scale")

        def call(self, x):
            for w in self.ws:
                x = x * w
            return x * ops.stop_gradient(self.scale)  # <- KVL103


    class Unconstructible(keras.layers.Layer):
        def __init__(self, secret, **kwargs):
            super().__init__(**kwargs)

        def build(self, input_shape):
            self.unused = self.add_weight(shape=(), name="unused")  # <- KVL101

        def call(self, x):
            return x


    class FourDimensional(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.input_spec = keras.layers.InputSpec(ndim=4)

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), name="w")
            self.unused = self.add_weight(shape=(), name="unused")  # <- KVL101

        def call(self, x):
            return x * self.w
"""

DASHED = """
    import tensorflow as tf
    import keras


    class RawVar(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = tf.Variable(1.0, name="raw")  # <- KVL001

        def call(self, x):
            return x * self.w
"""

USES_NEEDS_ARGS = """
    from needs_args import NeedsUnits, Unconstructible

    units = 4
    a = NeedsUnits(units=4)
    b = NeedsUnits(units=units)  # not a literal: not harvested
    c = Unconstructible(secret=object())
"""


# (key, file, class as the finding names it, code, attribute); a key is ``[prefix.]Class:code``
EXPECTED_FINDINGS = [
    ("RawVar:KVL001", "k3/untracked.py", "RawVar", "KVL001", "w"),
    ("ListOfVars:KVL001", "k3/untracked.py", "ListOfVars", "KVL001", "vs"),
    ("ModuleAttr:KVL006", "k3/untracked.py", "ModuleAttr", "KVL006", "holder"),
    ("Counter:KVL010", "k3/untracked.py", "Counter", "KVL010", "calls"),
    ("TwoDefects:KVL101", "k3/untracked.py", "TwoDefects", "KVL101", "unused"),
    ("AddWeightInCall:KVL002", "k3/created.py", "AddWeightInCall", "KVL002", None),
    ("LocalVariable:KVL002", "k3/created.py", "LocalVariable", "KVL002", None),
    ("LayerInCall:KVL003", "k3/created.py", "LayerInCall", "KVL003", None),
    ("CreatesNothing:KVL002", "k3/created.py", "CreatesNothing", "KVL002", None),
    ("Reassigned:KVL007", "k3/gradients.py", "Reassigned", "KVL007", "w"),
    ("NeverRead:KVL101", "k3/gradients.py", "NeverRead", "KVL101", "unused"),
    ("NumpyInCall:KVL102", "k3/gradients.py", "NumpyInCall", "KVL102", "w"),
    ("DerivedInBuild:KVL005", "k3/gradients.py", "DerivedInBuild", "KVL005", "kernel"),
    ("Healthy:KVL102", "k3/gradients.py", "Healthy", "KVL102", "w"),
    ("Frozen:KVL105", "k3/gradients.py", "Frozen", "KVL105", "scale"),
    ("PlainTensor:KVL004", "k3/gradients.py", "PlainTensor", "KVL004", "t"),
    ("SetsTrainableWeights:KVL009", "k3/gradients.py", "SetsTrainableWeights", "KVL009", None),
    ("Outer.Nested:KVL101", "k3/gradients.py", "Outer.Nested", "KVL101", "unused"),
    ("factory.Local:KVL101", "k3/gradients.py", "Local", "KVL101", "unused"),  # the analyzer names it `Local`
    ("k2.AddWeightInCall:KVL002", "k2/layers.py", "AddWeightInCall", "KVL002", None),
    ("k2.Reassigned:KVL007", "k2/layers.py", "Reassigned", "KVL007", "w"),
    ("NeedsUnits:KVL101", "needs_args.py", "NeedsUnits", "KVL101", "unused"),
    ("Configured:KVL103", "needs_args.py", "Configured", "KVL103", "scale"),
    ("Unconstructible:KVL101", "needs_args.py", "Unconstructible", "KVL101", "unused"),
    ("FourDimensional:KVL101", "needs_args.py", "FourDimensional", "KVL101", "unused"),
    ("dashed.RawVar:KVL001", "not-a-package/dashed.py", "RawVar", "KVL001", "w"),
]


@pytest.fixture(scope="module")
def confirmed(tmp_path_factory: pytest.TempPathFactory, tf: Any) -> dict[str, Any]:
    """One confirm run over every static finding of the project (as ``--runtime`` makes it); the findings
    the tests look at keyed by ``Class:code``."""
    root = tmp_path_factory.mktemp("project")
    write(
        root,
        {
            "k3/untracked.py": K3_UNTRACKED,
            "k3/created.py": K3_CREATED,
            "k3/gradients.py": K3_GRADIENTS,
            "k2/layers.py": K2_LAYERS,
            "needs_args.py": NEEDS_ARGS,
            "tests/test_usage.py": USES_NEEDS_ARGS,
            "not-a-package/dashed.py": DASHED,  # not importable by name: loaded from its file
        },
    )
    analysed = analyse(root)
    findings = {
        key: pick(analysed, root, rel, cls, code, attribute, marker=f"<- {code}")
        for key, rel, cls, code, attribute in EXPECTED_FINDINGS
    }
    # Keras 2 tracks a raw tf.Variable: only a run that is told the code is Keras 3 reports one
    as_keras3 = analyse(root, keras_version=3)
    findings["k2.RawVar:KVL001"] = pick(as_keras3, root, "k2/layers.py", "RawVar", "KVL001", "w", "<- KVL001")
    settings = Settings(
        runtime_timeout=60,
        runtime_examples={"needs_args:Configured": RuntimeExample(kwargs={"depth": 2}, input_shape=[2, 5])},
    )
    every = [*analysed, findings["k2.RawVar:KVL001"]]
    start = time.monotonic()
    new = confirm_findings(every, settings, [root])
    return {"findings": findings, "every": every, "new": new, "seconds": time.monotonic() - start, "root": root}


def status(confirmed: dict[str, Any], key: str) -> tuple[str, str]:
    runtime = confirmed["findings"][key].runtime
    assert runtime is not None, key
    return runtime["status"], runtime["detail"]


@pytest.mark.parametrize(
    "key",
    [
        "RawVar:KVL001",
        "ListOfVars:KVL001",
        "ModuleAttr:KVL006",
        "Counter:KVL010",
        "AddWeightInCall:KVL002",
        "LocalVariable:KVL002",
        "LayerInCall:KVL003",
        "Reassigned:KVL007",
        "NeverRead:KVL101",
        "NumpyInCall:KVL102",
        "DerivedInBuild:KVL005",
        "PlainTensor:KVL004",
        "SetsTrainableWeights:KVL009",
        "TwoDefects:KVL101",
        "k2.AddWeightInCall:KVL002",
        "k2.Reassigned:KVL007",
        "dashed.RawVar:KVL001",
    ],
)
def test_confirmed(confirmed: dict[str, Any], key: str) -> None:
    assert status(confirmed, key)[0] == "confirmed", status(confirmed, key)


@pytest.mark.parametrize(
    ("key", "detail"),
    [
        ("Healthy:KVL102", "is tracked and gets a gradient"),  # the .numpy() read is in a debug branch
        ("CreatesNothing:KVL002", "no variable was created"),  # build made the weight call() would make
        ("k2.RawVar:KVL001", "is tracked and gets a gradient"),  # Keras 2 tracks a raw tf.Variable
    ],
)
def test_refuted(confirmed: dict[str, Any], key: str, detail: str) -> None:
    got = status(confirmed, key)
    assert got[0] == "refuted" and detail in got[1], got


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("Outer.Nested:KVL101", "nested or function-local class"),
        ("factory.Local:KVL101", "module k3.gradients has no attribute Local"),
        ("Frozen:KVL105", "no runtime check"),
        ("Unconstructible:KVL101", "could not construct Unconstructible: TypeError"),
    ],
)
def test_inconclusive(confirmed: dict[str, Any], key: str, reason: str) -> None:
    got = status(confirmed, key)
    assert got[0] == "inconclusive" and reason in got[1], got


def test_a_runtime_defect_no_static_finding_covers_becomes_a_new_finding(confirmed: dict[str, Any]) -> None:
    anchor: Finding = confirmed["findings"]["TwoDefects:KVL101"]
    static = [f for f in confirmed["every"] if f.extra["file"] == anchor.extra["file"] and f.layer == "TwoDefects"]
    assert [f.attribute for f in static] == ["unused"]  # the analyzer does not see `raw`
    new = [f for f in confirmed["new"] if f.extra["file"] == anchor.extra["file"] and f.layer == "TwoDefects"]
    assert [(f.code, f.name, f.attribute) for f in new] == [("KVL901", "untracked-variable-used", "raw")]
    assert (new[0].path, new[0].line, new[0].severity.value) == (anchor.path, anchor.extra["class_line"], "error")
    assert new[0].runtime == {"status": "confirmed", "detail": "found at runtime"}
    # findings the static ones confirmed are not reported twice
    assert [(f.extra["module"], f.layer, f.attribute) for f in confirmed["new"]] == [
        ("k3.untracked", "TwoDefects", "raw")
    ]


def test_constructor_arguments_come_from_call_sites_and_config(confirmed: dict[str, Any]) -> None:
    assert status(confirmed, "NeedsUnits:KVL101")[0] == "confirmed"  # NeedsUnits(units=4) in tests/
    assert status(confirmed, "Configured:KVL103")[0] == "confirmed"  # depth=2 and input_shape [2, 5] from config
    assert status(confirmed, "FourDimensional:KVL101")[0] == "confirmed"  # input_spec: ndim=4


def test_runtime_suffix_for_text_output(confirmed: dict[str, Any]) -> None:
    assert runtime_suffix(confirmed["findings"]["RawVar:KVL001"]) == "[confirmed at runtime]"
    assert runtime_suffix(confirmed["findings"]["k2.RawVar:KVL001"]).startswith("[refuted at runtime: variable ")
    assert runtime_suffix(confirmed["findings"]["Frozen:KVL105"]).startswith("[not confirmed: KVL105 has no")
    assert runtime_suffix(dataclasses.replace(confirmed["findings"]["RawVar:KVL001"], runtime=None)) == ""
