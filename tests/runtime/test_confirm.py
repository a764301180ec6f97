"""``confirm_findings``: each family of static codes confirmed, refuted or left inconclusive by running
the classes of a small project in worker processes (one run for the whole module, shared by the tests)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest

from keras_varlint.findings import Finding
from keras_varlint.output.common import runtime_suffix
from keras_varlint.runtime.confirm import confirm_findings
from keras_varlint.settings import RuntimeExample, Settings

from .project import static, write

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
            self.vs = [tf.Variable(1.0, name="v0"), tf.Variable(2.0, name="v1")]

        def call(self, x):
            return x * self.vs[0] + self.vs[1]


    class Holder(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(1.0, name="held")


    class ModuleAttr(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.holder = Holder()

        def call(self, x):
            return x * self.holder.w


    class Tracked(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), name="w")

        def call(self, x):
            return x * self.w


    class TwoDefects(keras.layers.Layer):
        def build(self, input_shape):
            self.unused = self.add_weight(shape=(), name="unused")
            self.raw = tf.Variable(2.0, name="other_raw")

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
            v = tf.Variable(1.0, name="local")  # <- KVL003
            return x * v


    class CreatesNothing(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            return x * self.w  # <- KVL002
"""

K3_GRADIENTS = """
    import tensorflow as tf
    import keras


    class Reassigned(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            self.w = self.w * 0.5  # <- KVL005
            return x * self.w


    class NeverRead(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")
            self.unused = self.add_weight(shape=(), name="unused")

        def call(self, x):
            return x * self.w


    class NumpyInCall(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            return x * float(self.w.numpy())  # <- KVL008


    class DerivedInBuild(keras.layers.Layer):
        def build(self, input_shape):
            self.mu = self.add_weight(shape=(), name="mu")
            self.sigma = self.add_weight(shape=(), name="sigma")
            self.kernel = self.mu + self.sigma * tf.random.normal(())

        def call(self, x):
            return x * self.kernel


    class Healthy(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")

        def call(self, x):
            return x * self.w


    class PlainTensor(keras.layers.Layer):
        def build(self, input_shape):
            self.t = tf.random.normal((input_shape[-1],))

        def call(self, x):
            return x * self.t


    class SetsTrainableWeights(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), name="w")
            self.trainable_weights = [self.w]  # <- KVL009

        def call(self, x):
            return x * self.w


    def factory():
        class Local(keras.layers.Layer):
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
            self.w = tf.Variable(1.0, name="raw")

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
            self.w = self.w * 0.5
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
            self.unused = self.add_weight(shape=(), name="unused")

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

        def call(self, x):
            for w in self.ws:
                x = x * w
            return x


    class Unconstructible(keras.layers.Layer):
        def __init__(self, secret, **kwargs):
            super().__init__(**kwargs)

        def call(self, x):
            return x


    class FourDimensional(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.input_spec = keras.layers.InputSpec(ndim=4)

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), name="w")
            self.unused = self.add_weight(shape=(), name="unused")

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


@pytest.fixture(scope="module")
def confirmed(tmp_path_factory: pytest.TempPathFactory, tf: Any) -> dict[str, Any]:
    """One confirm run over the project; findings keyed by ``Class:code[:attribute]``."""
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
            "not-a-package/dashed.py": K3_UNTRACKED,  # not importable by name: loaded from its file
        },
    )
    u, c, g, k2, n = "k3/untracked.py", "k3/created.py", "k3/gradients.py", "k2/layers.py", "needs_args.py"
    findings = {
        "RawVar:KVL001": static(root, u, "RawVar", "KVL001", "w", "<- KVL001"),
        "ListOfVars:KVL006": static(root, u, "ListOfVars", "KVL006", "vs"),
        "ModuleAttr:KVL010": static(root, u, "ModuleAttr", "KVL010", "holder"),
        "Tracked:KVL001": static(root, u, "Tracked", "KVL001", "w"),
        "TwoDefects:KVL007": static(root, u, "TwoDefects", "KVL007", "unused"),
        "AddWeightInCall:KVL002": static(root, c, "AddWeightInCall", "KVL002", None, "<- KVL002"),
        "LocalVariable:KVL003": static(root, c, "LocalVariable", "KVL003", None, "<- KVL003"),
        "CreatesNothing:KVL002": static(root, c, "CreatesNothing", "KVL002", None, "<- KVL002"),
        "Reassigned:KVL005": static(root, g, "Reassigned", "KVL005", "w", "<- KVL005"),
        "NeverRead:KVL007": static(root, g, "NeverRead", "KVL007", "unused"),
        "NumpyInCall:KVL008": static(root, g, "NumpyInCall", "KVL008", "w", "<- KVL008"),
        "DerivedInBuild:KVL101": static(root, g, "DerivedInBuild", "KVL101", "kernel"),
        "Healthy:KVL102": static(root, g, "Healthy", "KVL102", "w"),
        "PlainTensor:KVL004": static(root, g, "PlainTensor", "KVL004", "t"),
        "SetsTrainableWeights:KVL009": static(root, g, "SetsTrainableWeights", "KVL009", None, "<- KVL009"),
        "factory.Local:KVL007": static(root, g, "factory.<locals>.Local", "KVL007", "w"),
        "Healthy:KVL999": static(root, g, "Healthy", "KVL999", "w"),
        "k2.RawVar:KVL001": static(root, k2, "RawVar", "KVL001", "w"),
        "k2.AddWeightInCall:KVL002": static(root, k2, "AddWeightInCall", "KVL002", None, "<- KVL002"),
        "k2.Reassigned:KVL005": static(root, k2, "Reassigned", "KVL005", "w"),
        "NeedsUnits:KVL007": static(root, n, "NeedsUnits", "KVL007", "unused"),
        "Configured:KVL103": static(root, n, "Configured", "KVL103", "ws"),
        "Unconstructible:KVL007": static(root, n, "Unconstructible", "KVL007", "w"),
        "FourDimensional:KVL007": static(root, n, "FourDimensional", "KVL007", "unused"),
        "dashed.RawVar:KVL001": static(root, "not-a-package/dashed.py", "RawVar", "KVL001", "w"),
    }
    settings = Settings(
        runtime_timeout=60,
        runtime_examples={"needs_args:Configured": RuntimeExample(kwargs={"depth": 2}, input_shape=[2, 5])},
    )
    start = time.monotonic()
    new = confirm_findings(list(findings.values()), settings, [root])
    return {"findings": findings, "new": new, "seconds": time.monotonic() - start, "root": root}


def status(confirmed: dict[str, Any], key: str) -> tuple[str, str]:
    runtime = confirmed["findings"][key].runtime
    assert runtime is not None, key
    return runtime["status"], runtime["detail"]


@pytest.mark.parametrize(
    "key",
    [
        "RawVar:KVL001",
        "ListOfVars:KVL006",
        "ModuleAttr:KVL010",
        "AddWeightInCall:KVL002",
        "LocalVariable:KVL003",
        "Reassigned:KVL005",
        "NeverRead:KVL007",
        "NumpyInCall:KVL008",
        "DerivedInBuild:KVL101",
        "PlainTensor:KVL004",
        "SetsTrainableWeights:KVL009",
        "TwoDefects:KVL007",
        "k2.AddWeightInCall:KVL002",
        "k2.Reassigned:KVL005",
        "dashed.RawVar:KVL001",
    ],
)
def test_confirmed(confirmed: dict[str, Any], key: str) -> None:
    assert status(confirmed, key)[0] == "confirmed", status(confirmed, key)


@pytest.mark.parametrize(
    ("key", "detail"),
    [
        ("Tracked:KVL001", "is tracked and gets a gradient"),
        ("Healthy:KVL102", "is tracked and gets a gradient"),
        ("CreatesNothing:KVL002", "no variable was created"),
        ("k2.RawVar:KVL001", "is tracked and gets a gradient"),  # Keras 2 tracks a raw tf.Variable
    ],
)
def test_refuted(confirmed: dict[str, Any], key: str, detail: str) -> None:
    got = status(confirmed, key)
    assert got[0] == "refuted" and detail in got[1], got


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("factory.Local:KVL007", "nested or function-local class"),
        ("Healthy:KVL999", "no runtime check"),
        ("Unconstructible:KVL007", "could not construct Unconstructible: TypeError"),
    ],
)
def test_inconclusive(confirmed: dict[str, Any], key: str, reason: str) -> None:
    got = status(confirmed, key)
    assert got[0] == "inconclusive" and reason in got[1], got


def test_a_runtime_defect_no_static_finding_covers_becomes_a_new_finding(confirmed: dict[str, Any]) -> None:
    anchor: Finding = confirmed["findings"]["TwoDefects:KVL007"]
    new = [f for f in confirmed["new"] if f.layer == "TwoDefects"]
    assert [(f.code, f.name, f.attribute) for f in new] == [("KVL901", "untracked-variable-used", "raw")]
    assert (new[0].path, new[0].line, new[0].severity.value) == (anchor.path, anchor.extra["class_line"], "error")
    assert new[0].runtime == {"status": "confirmed", "detail": "found at runtime"}
    # findings the static ones confirmed are not reported twice
    assert not [f for f in confirmed["new"] if f.layer in {"RawVar", "NeverRead", "Reassigned"}]


def test_constructor_arguments_come_from_call_sites_and_config(confirmed: dict[str, Any]) -> None:
    assert status(confirmed, "NeedsUnits:KVL007")[0] == "confirmed"  # NeedsUnits(units=4) in tests/
    assert status(confirmed, "Configured:KVL103")[0] == "refuted"  # depth=2 and input_shape [2, 5] from config
    assert status(confirmed, "FourDimensional:KVL007")[0] == "confirmed"  # input_spec: ndim=4


def test_runtime_suffix_for_text_output(confirmed: dict[str, Any]) -> None:
    assert runtime_suffix(confirmed["findings"]["RawVar:KVL001"]) == "[confirmed at runtime]"
    assert runtime_suffix(confirmed["findings"]["Tracked:KVL001"]).startswith("[refuted at runtime: variable ")
    assert runtime_suffix(confirmed["findings"]["Healthy:KVL999"]).startswith("[not confirmed: KVL999 has no")
    assert runtime_suffix(dataclasses.replace(confirmed["findings"]["RawVar:KVL001"], runtime=None)) == ""
