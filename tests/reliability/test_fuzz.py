"""Property: for any valid Python program, analysis raises no exception and no rule crashes.

hypothesmith generates programs (one to three, concatenated) from the grammar and from libcst
nodes. Each is linted four ways:

* raw, as a module (exercises decoding, the regex summary and the class index);
* indented into ``__init__``/``build``/a helper/``call`` of a Keras 3 layer that already holds
  real weights, so that the libcst parser, the fact extractor and every rule see it;
* "kerasified", as a module and inside the layer: an ``ast`` pass first maps generated names onto
  the vocabulary the rules look for (``tf.Variable``, ``self.add_weight``, ``self.kernel``,
  ``.numpy``, ``tf.stop_gradient``, layer base classes...), so that random programs actually
  create, store, read and cut weights, and define layer classes of their own.

An exception or a KVL000 internal-error finding (a rule that raised) fails the test.

CI runs a bounded number of examples; ``pytest -m slow tests/reliability`` runs many more.
"""

from __future__ import annotations

import ast
import zlib
from pathlib import Path
from typing import Callable

import hypothesmith
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from tests.reliability.support import assert_no_internal_error, compiles, in_layer, lint_source

CI_EXAMPLES = 60
SLOW_EXAMPLES = 2000

# Dotted names the rules react to; generated names are mapped onto these.
CALLABLES = (
    "tf.Variable", "keras.Variable", "self.add_weight", "keras.layers.Dense", "keras.layers.Layer",
    "tf.keras.layers.Layer", "tf_keras.layers.Layer", "tf.Module", "tf.stop_gradient",
    "keras.ops.stop_gradient", "np.asarray", "tf.argmax", "tf.round", "tf.cast", "float",
    "tf.random.normal", "tf.zeros", "keras.ops.convert_to_numpy", "layers.concatenate", "super",
)
ATTRIBUTES = (
    "w", "kernel", "bias", "dense", "vs", "numpy", "assign", "append", "trainable_weights",
    "non_trainable_weights", "weights", "built", "units",
)


class Kerasify(ast.NodeTransformer):
    """Deterministically (per ``seed``) turn names into Keras API names and ``self`` attributes."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _pick(self, name: str, modulus: int) -> int:
        return (zlib.crc32(name.encode()) + self.seed) % modulus

    def visit_NamedExpr(self, node: ast.NamedExpr) -> ast.AST:
        node.value = self.visit(node.value)  # the target must stay a plain name
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        choice = self._pick(node.id, 3 + len(CALLABLES))
        if choice == 0:
            return node
        if choice <= 2:
            attr = ATTRIBUTES[self._pick(node.id[::-1], len(ATTRIBUTES))]
            return ast.copy_location(ast.Attribute(ast.Name("self", ast.Load()), attr, node.ctx), node)
        dotted = ast.parse(CALLABLES[choice - 3], mode="eval").body
        assert isinstance(dotted, (ast.Attribute, ast.Name))
        dotted.ctx = node.ctx
        return ast.copy_location(dotted, node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if self._pick(node.attr, 2):
            node.attr = ATTRIBUTES[self._pick(node.attr, len(ATTRIBUTES))]
        return node


def kerasify(code: str, seed: int) -> str | None:
    try:
        tree = ast.parse(code)
        return ast.unparse(ast.fix_missing_locations(Kerasify(seed).visit(tree)))
    except (SyntaxError, ValueError, RecursionError):
        return None


# Real weights around the generated code, so that it can overwrite, read and cut them.
SKELETON_INIT = "self.dense = keras.layers.Dense(2)\nself.v = tf.Variable(1.0)\n"
SKELETON_BUILD = "self.kernel = self.add_weight(shape=(2,))\nself.w = self.add_weight(shape=())\n"
SKELETON_CALL = "y = self.dense(x) * self.kernel + self.v\nz = tf.stop_gradient(self.w)\n"


def as_layer(code: str) -> str:
    return in_layer(
        init=SKELETON_INIT + code, build=SKELETON_BUILD + code, helper=code, call=code + "\n" + SKELETON_CALL
    )


def programs(generator: Callable[..., st.SearchStrategy[str]], target: bool) -> st.SearchStrategy[str]:
    """One to three generated programs, one after the other: longer code, more interactions.

    Only the first draw may feed hypothesmith's targeting (a label may be targeted once per
    example); ``from_node`` targets a label twice on its own now and then, so it never targets.
    """
    parts = st.tuples(generator(auto_target=target), st.lists(generator(auto_target=False), max_size=2))
    return parts.map(lambda drawn: "\n".join(p.rstrip("\\") for p in (drawn[0], *drawn[1])))


def check_program(directory: Path, code: str, seed: int) -> None:
    """Lint the four variants of ``code``; any exception or internal-error finding fails."""
    variants = {"raw": code, "layer": as_layer(code)}
    kerasified = kerasify(code, seed)
    event(f"wrapped program compiles: {compiles(variants['layer'])}")
    if kerasified is None:
        event("kerasify failed")
    else:
        variants["module_kerasified"] = "import keras\nimport tensorflow as tf\nimport numpy as np\n" + kerasified
        variants["layer_kerasified"] = as_layer(kerasified)
        event(f"kerasified layer compiles: {compiles(variants['layer_kerasified'])}")
    for name, source in variants.items():
        result = lint_source(directory / f"{name}.py", source)
        assert_no_internal_error(result, source)
        event(f"{name}: {'KVL000' if any(f.code == 'KVL000' for f in result.findings) else 'parsed'}")
        if name == "layer_kerasified":
            for code in sorted({f.code for f in result.findings}):
                event(f"kerasified layer reported {code}")


FUZZ_SETTINGS = dict(
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],  # "explain" can take minutes
)


@settings(max_examples=CI_EXAMPLES, **FUZZ_SETTINGS)
@given(code=programs(hypothesmith.from_grammar, target=True), seed=st.integers(0, 1 << 16))
def test_any_program_from_the_grammar(tmp_path_factory: pytest.TempPathFactory, code: str, seed: int) -> None:
    check_program(tmp_path_factory.mktemp("grammar"), code, seed)


@settings(max_examples=CI_EXAMPLES // 2, **FUZZ_SETTINGS)
@given(code=programs(hypothesmith.from_node, target=False), seed=st.integers(0, 1 << 16))
def test_any_program_from_libcst_nodes(tmp_path_factory: pytest.TempPathFactory, code: str, seed: int) -> None:
    check_program(tmp_path_factory.mktemp("node"), code, seed)


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES, **FUZZ_SETTINGS)
@given(code=programs(hypothesmith.from_grammar, target=True), seed=st.integers(0, 1 << 16))
def test_any_program_from_the_grammar_slow(tmp_path_factory: pytest.TempPathFactory, code: str, seed: int) -> None:
    check_program(tmp_path_factory.mktemp("grammar"), code, seed)


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES // 2, **FUZZ_SETTINGS)
@given(code=programs(hypothesmith.from_node, target=False), seed=st.integers(0, 1 << 16))
def test_any_program_from_libcst_nodes_slow(tmp_path_factory: pytest.TempPathFactory, code: str, seed: int) -> None:
    check_program(tmp_path_factory.mktemp("node"), code, seed)


def test_kerasify_reaches_the_rules(tmp_path: Path) -> None:
    """The fuzz harness is only worth its time if kerasified programs produce real findings."""
    code = "a = b(c)\nd.e = a\nf(d.e)\n"
    seeds_with_findings = 0
    for seed in range(40):
        kerasified = kerasify(code, seed)
        assert kerasified is not None
        result = lint_source(tmp_path / "k.py", as_layer(kerasified))
        assert_no_internal_error(result)
        seeds_with_findings += any(f.code != "KVL000" for f in result.findings)
    assert seeds_with_findings >= 5
