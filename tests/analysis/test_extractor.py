"""The facts the extractor records: what attributes hold and how each read uses them."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

import pytest

from keras_varlint.analysis.component import _facts
from keras_varlint.analysis.facts import Kind, LayerFacts, Use
from keras_varlint.analysis.layer_view import LayerView
from keras_varlint.engine import LintSession
from keras_varlint.settings import Settings

HEADER = "import keras\nimport numpy as np\nimport tensorflow as tf\n\n"


def facts_of(tmp_path: Path, body: str) -> LayerFacts:
    path = tmp_path / "m.py"
    path.write_text(HEADER + "class L(keras.layers.Layer):\n" + indent(dedent(body).strip("\n"), "    ") + "\n")
    project = LintSession(Settings(use_cache=False), [path]).project
    (info,) = project.index.layers
    result = _facts(project, info)
    assert result is not None
    return result[0]


def uses(facts: LayerFacts, attr: str, method: str = "call") -> list[Use]:
    return [r.use for r in facts.methods[method].reads if r.attr == attr]


@pytest.mark.parametrize(
    "expression,use",
    [
        ("x * self.w", Use.VALUE),
        ("x * self.w.shape[0]", Use.METADATA),
        ("tf.shape(self.w)", Use.METADATA),
        ("len(self.w)", Use.METADATA),
        ("self.w is None", Use.METADATA),
        ("self.w.numpy()", Use.CUT),
        ("np.sum(self.w * x)", Use.CUT),
        ("float(self.w)", Use.CUT),
        ("keras.ops.convert_to_numpy(self.w)", Use.CUT),
        ("tf.stop_gradient(self.w)", Use.STOPPED),
        ("keras.ops.stop_gradient(self.w * 2)", Use.STOPPED),
        ("tf.argmax(self.w)", Use.NONDIFF),
        ("tf.cast(self.w, tf.int32)", Use.NONDIFF),
        ("tf.cast(self.w, tf.float16)", Use.VALUE),
        ("tf.cast(self.w, self.compute_dtype_hint)", Use.VALUE),
        ("keras.ops.cast(self.w, 'int32')", Use.NONDIFF),
        ("self.w > 0", Use.NONDIFF),
        ("x[self.w]", Use.NONDIFF),
        ("self.w[0] * x", Use.VALUE),
        ("tf.gather(x, self.w)", Use.NONDIFF),
        ("tf.gather(self.w, x)", Use.VALUE),
        ("self.w.assign(x)", Use.UPDATE),
    ],
)
def test_read_use(tmp_path, expression, use):
    facts = facts_of(tmp_path, f"def call(self, x):\n    return {expression}\n")
    assert uses(facts, "w") == [use]


def test_aliases_count_as_reads(tmp_path):
    facts = facts_of(tmp_path, "def call(self, x):\n    k, b = self.kernel, self.bias\n    w = self.w\n    return np.sum(w) + x @ k + b\n")
    assert uses(facts, "w") == [Use.CUT]
    assert uses(facts, "kernel") == [Use.VALUE]
    assert uses(facts, "bias") == [Use.VALUE]


@pytest.mark.parametrize(
    "statement,kind,trainable,integer",
    [
        ("self.a = tf.Variable(1.0)", Kind.TF_VARIABLE, True, False),
        ("self.a = tf.Variable(0)", Kind.TF_VARIABLE, True, True),
        ("self.a = tf.Variable(1.0, trainable=False)", Kind.TF_VARIABLE, False, False),
        ("self.a = tf.Variable(1.0, False)", Kind.TF_VARIABLE, False, False),
        ("self.a = tf.Variable(tf.zeros(3), dtype=tf.int64)", Kind.TF_VARIABLE, True, True),
        ("self.a = tf.Variable(1.0, trainable=flag)", Kind.TF_VARIABLE, None, False),
        ("self.a = keras.Variable(1.0)", Kind.KERAS_VARIABLE, True, False),
        ("self.a = self.add_weight(shape=(), trainable=False)", Kind.WEIGHT, False, False),
        ("self.a = keras.layers.Dense(3)", Kind.LAYER, True, False),
        ("self.a = keras.layers.Flatten()", Kind.LAYER, False, False),
        ("self.a = tf.random.normal((3, 3))", Kind.TENSOR, True, False),
        ("self.a = keras.initializers.GlorotUniform()((3, 3))", Kind.TENSOR, True, False),
    ],
)
def test_created_values(tmp_path, statement, kind, trainable, integer):
    facts = facts_of(tmp_path, f"def __init__(self, flag=True):\n    super().__init__()\n    {statement}\n")
    (assignment,) = [a for a in facts.assignments() if a.attr == "a"]
    assert assignment.value.kind is kind
    (creation,) = assignment.value.creations
    assert (creation.trainable, creation.integer) == (trainable, integer)


def test_containers_and_helpers(tmp_path):
    facts = facts_of(
        tmp_path,
        """
        def build(self, shape):
            self.vs = [tf.Variable(1.0) for _ in range(3)]
            self.d = {"a": tf.Variable(1.0)}
            self.more = []
            self.more.append(tf.Variable(2.0))
            self.h = self._make()
            v = tf.Variable(3.0)
            self.local = v

        def _make(self):
            return tf.Variable(4.0)
        """,
    )
    made = {a.attr: [c.kind for c in a.value.creations] for a in facts.assignments() if a.value.creations}
    assert made == {attr: [Kind.TF_VARIABLE] * n for attr, n in {"vs": 1, "d": 1, "more": 1, "h": 1, "local": 1}.items()}


def test_dynamic_access_is_flagged(tmp_path):
    assert facts_of(tmp_path, "def call(self, x):\n    return getattr(self, self.name) * x\n").dynamic
    assert not facts_of(tmp_path, "def call(self, x):\n    return getattr(self, 'w') * x\n").dynamic


def test_call_reachability_and_lazy_guards(tmp_path):
    facts = facts_of(
        tmp_path,
        """
        def build(self, shape):
            self._setup()

        def call(self, x):
            if not self._ready:
                self._lazy()
            return self._step(x) + self.scale

        def _step(self, x):
            return x

        def _lazy(self):
            self.w = self.add_weight(shape=())

        def _setup(self):
            pass

        @property
        def scale(self):
            return 2.0
        """,
    )
    view = LayerView(facts, [], [], complete=True)
    assert {m.name for m in view.call_methods} == {"call", "_step", "_lazy", "scale"}
    assert {m.name for m in view.call_only_methods} == {"call", "_step", "_lazy", "scale"}
    assert {m.name for m in view.call_methods if id(m) in view.lazily_built_methods} == {"_lazy"}
