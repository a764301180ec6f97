"""The binding pass: names resolve as Python binds them (order, branches, scopes, star imports, hops)."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from keras_varlint.discovery.bindings import OPAQUE, UNBOUND
from keras_varlint.discovery.modules import module_name
from keras_varlint.discovery.summary import summarize
from keras_varlint.discovery.index import keras_version_of
from keras_varlint.engine import LintSession, lint_paths
from keras_varlint.interfaces.cli import main
from keras_varlint.settings import Settings


def summary_of(source: str, tmp_path: Path, name: str = "m.py"):
    return summarize(tmp_path / name, dedent(source), {})


def write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(source))


def session(paths: list[Path], **settings: object) -> LintSession:
    return LintSession(Settings(use_cache=False, **settings), paths)


def layers_of(paths: list[Path]) -> dict[str, int | None]:
    """Qualified names of the layer classes a run sees, with their Keras version."""
    run = session(paths)
    return {info.qualname: keras_version_of(info, None) for info in run.project.index.layers}


# -- one module's bindings ---------------------------------------------------------------------


def test_branches_record_every_alternative(tmp_path):
    summary = summary_of(
        """
        try:
            import tf_keras as keras
        except ImportError:
            from tensorflow import keras
        if flag:
            Base = keras.layers.Layer
        else:
            Base = object
        """,
        tmp_path,
    )
    assert summary.bindings["keras"] == ["tf_keras", "tensorflow.keras"]
    assert summary.bindings["Base"] == ["tf_keras.layers.Layer", "tensorflow.keras.layers.Layer", "builtins.object"]


def test_bindings_follow_statement_order(tmp_path):
    summary = summary_of(
        """
        import keras
        Base = keras.layers.Layer
        class Early(Base): pass
        Base = object
        class Late(Base): pass
        """,
        tmp_path,
    )
    early, late = summary.classes
    assert early.base_scope == {"Base": ["keras.layers.Layer"]}
    assert late.base_scope == {"Base": ["builtins.object"]}
    assert summary.bindings["Base"] == ["builtins.object"]


def test_imports_inside_functions_bind_only_there(tmp_path):
    summary = summary_of(
        """
        import numpy as np
        import keras
        def helper():
            import jax.numpy as np
            return np
        class L(keras.layers.Layer):
            def call(self, x):
                from keras import ops as np
                return x
            def other(self, x):
                return x
        """,
        tmp_path,
    )
    assert summary.bindings["np"] == ["numpy"]
    (header,) = summary.classes
    assert header.method_scopes == {"call": {"np": ["keras.ops"]}}


def test_a_module_bound_by_a_function_call(tmp_path):
    summary = summary_of(
        """
        import tensorflow as tf
        def _get_keras():
            if tf.__version__ > "3":
                import tf_keras as keras_internal
            else:
                keras_internal = tf.keras
            return keras_internal
        def _not_a_module():
            return 3
        keras = _get_keras()
        other = _not_a_module()
        """,
        tmp_path,
    )
    assert summary.bindings["keras"] == ["tf_keras", "tensorflow.keras"]
    assert summary.bindings["other"] == [OPAQUE]


def test_parenthesised_import_with_comments(tmp_path):
    summary = summary_of(
        """
        from tensorflow.keras.layers import (  # noqa: E501
            Dense,  # a comment
            Layer as Base,
        )
        """,
        tmp_path,
    )
    assert summary.bindings["Dense"] == ["tensorflow.keras.layers.Dense"]
    assert summary.bindings["Base"] == ["tensorflow.keras.layers.Layer"]


def test_names_bound_nowhere_wait_for_star_imports(tmp_path):
    summary = summary_of("from keras.layers import *\nAlias = Layer\n", tmp_path)
    assert summary.star_imports == ["keras.layers"]
    assert summary.bindings["Alias"] == [UNBOUND + "Layer"]


def test_a_file_python_cannot_parse_is_recovered_from_its_text(tmp_path):
    summary = summary_of("import keras\nclass L(keras.layers.Layer):\n    def call(self, x) return x\n", tmp_path)
    assert summary.syntax_error is not None and summary.syntax_error[1] == 3
    assert [c.name for c in summary.classes] == ["L"]
    assert summary.bindings["keras"] == ["keras"]


# -- module names -------------------------------------------------------------------------------


def test_module_names_for_packages_and_namespace_folders(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/m.py": "", "ns/inner/m.py": "",
                     "odd-name.data/ns2/m.py": ""})
    dirs: dict[Path, bool] = {}
    assert module_name(tmp_path / "pkg/sub/m.py", dirs) == ("pkg.sub.m", False)
    assert module_name(tmp_path / "pkg/sub/__init__.py", dirs) == ("pkg.sub", True)
    assert module_name(tmp_path / "ns/inner/m.py", dirs) == ("m", False)  # no root given
    assert module_name(tmp_path / "ns/inner/m.py", dirs, [tmp_path]) == ("ns.inner.m", False)
    assert module_name(tmp_path / "odd-name.data/ns2/m.py", dirs, [tmp_path]) == ("ns2.m", False)


# -- across modules -----------------------------------------------------------------------------

SHIMS = {
    "mypkg/__init__.py": "from tensorflow.keras.layers import Layer\n",
    "mypkg/backend/__init__.py": "import keras\nfrom tensorflow.keras import layers\n",
    "mypkg/legacy.py": "from tf_keras import *\n",
    "mypkg/hop.py": "from mypkg.backend import keras\n",
    "mypkg/hop2.py": "from mypkg.hop import keras as k\n",
    "mypkg/star_user.py": "from mypkg.legacy import *\nclass ViaStarShim(layers.Layer): pass\n",
    "mypkg/users.py": """
        from mypkg import Layer
        from mypkg.backend import keras, layers
        from mypkg.hop2 import k
        from mypkg.legacy import layers as legacy_layers
        class ViaPackage(Layer): pass
        class ViaBackendModule(keras.layers.Layer): pass
        class ViaBackendLayers(layers.Layer): pass
        class ViaTwoHops(k.layers.Dense): pass
        class ViaStar(legacy_layers.Layer): pass
        class NotALayer(object): pass
    """,
}


def test_names_are_followed_through_project_shims(tmp_path):
    write(tmp_path, SHIMS)
    assert layers_of([tmp_path]) == {
        "mypkg.users.ViaPackage": 3,
        "mypkg.users.ViaBackendModule": 3,
        "mypkg.users.ViaBackendLayers": 3,
        "mypkg.users.ViaTwoHops": 3,
        "mypkg.users.ViaStar": 2,
        "mypkg.star_user.ViaStarShim": 2,
    }


def test_shims_are_found_on_disk_when_one_file_is_linted(tmp_path):
    write(tmp_path, SHIMS)
    assert set(layers_of([tmp_path / "mypkg" / "users.py"])) == {
        "mypkg.users.ViaPackage", "mypkg.users.ViaBackendModule", "mypkg.users.ViaBackendLayers",
        "mypkg.users.ViaTwoHops", "mypkg.users.ViaStar",
    }


def test_each_extra_dot_of_a_relative_import_climbs_one_package(tmp_path):
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/base.py": "import keras\nclass Base(keras.layers.Layer): pass\n",
        "pkg/models/__init__.py": "",
        "pkg/models/base.py": "class Base: pass\n",  # the same name one package down: not a layer
        "pkg/models/deep/__init__.py": "",
        "pkg/models/deep/child.py": """
            from ... import base as top
            from ...base import Base
            from ..base import Base as Near
            from .... import beyond
            class Child(Base): pass
            class ViaModule(top.Base): pass
            class NotALayer(Near): pass
        """,
    })
    summary = session([tmp_path]).project.index.modules["pkg.models.deep.child"]
    assert summary.bindings["top"] == ["pkg.base"]
    assert summary.bindings["Base"] == ["pkg.base.Base"]
    assert summary.bindings["Near"] == ["pkg.models.base.Base"]
    assert summary.bindings["beyond"] == [OPAQUE]  # above the top-level package: Python refuses it
    assert set(layers_of([tmp_path])) == {"pkg.base.Base", "pkg.models.deep.child.Child", "pkg.models.deep.child.ViaModule"}


def test_namespace_packages_resolve_under_a_given_root(tmp_path):
    write(tmp_path, {
        "ns/base.py": "import keras\nclass Base(keras.layers.Layer): pass\n",
        "ns/deep/child.py": "from ns.base import Base\nclass Child(Base): pass\n",
    })
    assert set(layers_of([tmp_path])) == {"ns.base.Base", "ns.deep.child.Child"}


def test_unresolved_bases_are_listed_with_the_reason(tmp_path):
    write(tmp_path, {
        "mypkg/__init__.py": "",
        "mypkg/tools.py": "",
        "mypkg/users.py": """
            from mypkg.compat import Layer
            from mypkg import tools
            import torch
            class FromMissingModule(Layer): pass
            class FromMissingName(tools.Base): pass
            def factory(base):
                class Dynamic(base): pass
                return Dynamic
            class External(torch.nn.Module): pass
        """,
    })
    result = lint_paths([tmp_path], Settings(use_cache=False))
    reasons = {entry.qualname.rpartition(".")[2]: entry.reason for entry in result.unresolved}
    assert reasons == {
        "FromMissingModule": "base mypkg.compat.Layer: module mypkg.compat not found",
        "FromMissingName": "base mypkg.tools.Base: module mypkg.tools has no name Base",
        "Dynamic": "base base is bound to a value, not to a class name (a parameter?)",
    }


# -- the `layers` command -----------------------------------------------------------------------


def test_layers_command_lists_layers_and_unresolved_classes(tmp_path, capsys):
    write(tmp_path, {**SHIMS, "mypkg/broken.py": "from mypkg.compat import Layer\nclass Lost(Layer): pass\n"})
    assert main(["layers", str(tmp_path / "mypkg"), "--no-cache"]) == 0
    out = capsys.readouterr().out.splitlines()
    users = str(tmp_path / "mypkg" / "users.py")
    assert f"{users}:6: mypkg.users.ViaPackage (Keras 3): mypkg.users.ViaPackage -> tensorflow.keras.layers.Layer" in out
    assert any(line.endswith("mypkg.users.ViaStar (Keras 2): mypkg.users.ViaStar -> tf_keras.layers.Layer") for line in out)
    assert any("mypkg.broken.Lost: unresolved: base mypkg.compat.Layer: module mypkg.compat not found" in line for line in out)
    assert out[-1] == "6 layer classes; 1 classes with unresolved bases."

    assert main(["layers", str(tmp_path / "mypkg"), "--no-cache", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["layers"]) == 6
    assert data["layers"][0].keys() == {"path", "line", "class", "keras_version", "bases"}
    assert data["unresolved"] == [{
        "path": str(tmp_path / "mypkg" / "broken.py"), "line": 2, "class": "mypkg.broken.Lost",
        "reason": "base mypkg.compat.Layer: module mypkg.compat not found",
    }]


def test_lint_json_counts_layers_and_lists_unresolved(tmp_path, capsys):
    write(tmp_path, {**SHIMS, "mypkg/broken.py": "from mypkg.compat import Layer\nclass Lost(Layer): pass\n"})
    main([str(tmp_path), "--no-cache", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["layers"] == 6
    assert [entry["class"] for entry in data["unresolved"]] == ["mypkg.broken.Lost"]


# -- reads elsewhere come from syntax -----------------------------------------------------------


UNUSED_WEIGHT = """
    import keras
    class L(keras.layers.Layer):
        def build(self, input_shape):
            self.post_bias = self.add_weight(shape=(), name="post_bias")
        def call(self, x):
            return x
"""


@pytest.mark.parametrize(
    "elsewhere,read",
    [
        ("def f(layer):\n    return layer.post_bias\n", True),
        ("# layer.post_bias is read by the head\n", False),
        ('"""Docs: layer.post_bias."""\n', False),
        ("from ..ops.post_bias import x\n", False),
        ("def f(layer):\n    layer.post_bias = 1\n", False),
    ],
)
def test_read_elsewhere_counts_only_attribute_loads(tmp_path, elsewhere, read):
    write(tmp_path, {"layer.py": UNUSED_WEIGHT, "other.py": elsewhere})
    result = lint_paths([tmp_path], Settings(use_cache=False, select=["KVL101"]))
    assert bool(result.findings) is not read


# -- the cache never changes a result -----------------------------------------------------------


def lint_cached(root: Path, cache: Path, paths: list[Path] | None = None) -> set[tuple[str, int, str]]:
    result = lint_paths(paths or [root], Settings(cache_dir=cache, select=["KVL001", "KVL002"]))
    return {(Path(f.path).name, f.line, f.code) for f in result.findings}


def test_cache_follows_a_changed_shim(tmp_path):
    root, cache = tmp_path / "src", tmp_path / "cache"
    write(root, {
        "mypkg/__init__.py": "",
        "mypkg/compat.py": "import tf_keras as keras\n",
        "mypkg/layer.py": """
            import tensorflow as tf
            from mypkg.compat import keras
            class L(keras.layers.Layer):
                def __init__(self):
                    super().__init__()
                    self.v = tf.Variable(1.0)
                def call(self, x):
                    return x * self.v
        """,
    })
    assert lint_cached(root, cache) == set()  # Keras 2 tracks a tf.Variable
    (root / "mypkg/compat.py").write_text("import keras\n")
    assert lint_cached(root, cache) == {("layer.py", 7, "KVL001")}


def test_cache_follows_an_added_init_file(tmp_path):
    root, cache = tmp_path / "src", tmp_path / "cache"
    write(root, {
        "pkg/base.py": "import keras\nclass Base(keras.layers.Layer): pass\n",
        "pkg/child.py": """
            from .base import Base
            class Child(Base):
                def call(self, x):
                    return x * self.add_weight(shape=())
        """,
    })
    child = root / "pkg" / "child.py"
    # Without __init__.py, pkg/child.py named alone is a top-level module: `.base` resolves nowhere.
    assert lint_cached(root, cache, [child]) == set()
    (root / "pkg" / "__init__.py").write_text("")
    assert lint_cached(root, cache, [child]) == {("child.py", 5, "KVL002")}


def test_cache_follows_a_namespace_folder_turned_package(tmp_path):
    root, cache = tmp_path / "src", tmp_path / "cache"
    write(root, {
        "app/ns/base.py": "import keras\nclass Base(keras.layers.Layer): pass\n",
        "app/ns/child.py": """
            from ns.base import Base
            class Child(Base):
                def call(self, x):
                    return x * self.add_weight(shape=())
        """,
    })
    assert lint_cached(root / "app", cache) == {("child.py", 5, "KVL002")}  # ns is a namespace package
    (root / "app" / "ns" / "__init__.py").write_text("")
    (root / "app" / "__init__.py").write_text("")  # now app.ns: `ns.base` is no longer importable
    assert lint_cached(root / "app", cache) == set()


# -- runtime example keys use the same module names ----------------------------------------------


def test_runtime_example_keys_that_match_no_class_are_reported(tmp_path):
    from keras_varlint.settings import RuntimeExample

    write(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "",
                     "pkg/sub/layers.py": "import keras\nclass MyLayer(keras.layers.Layer): pass\n"})
    examples = {"pkg.sub.layers:MyLayer": RuntimeExample(), "sub.layers:MyLayer": RuntimeExample()}
    result = lint_paths([tmp_path / "pkg" / "sub"], Settings(use_cache=False, runtime_examples=examples))
    assert [n for n in result.notes if "runtime example" in n] == [
        "runtime example 'sub.layers:MyLayer' matches no layer class of this run "
        "(keys are 'module:Class', the module as `keras-varlint layers` names it)"
    ]


def test_a_function_walked_for_its_return_value_records_its_classes_once(tmp_path):
    summary = summary_of(
        """
        import keras
        def make():
            class Local(keras.layers.Layer): pass
            return Local
        def test():
            model = make()
        """,
        tmp_path,
    )
    assert [c.name for c in summary.classes] == ["Local"]


def test_tf_keras_is_keras_2_in_a_package_that_refuses_keras_3(tmp_path):
    write(tmp_path, {
        "gnnlike/__init__.py": """
            def _check_keras_version():
                import tensorflow as tf
                keras_version = tf.keras.version()
                if keras_version.startswith("3."):
                    raise ImportError("needs Keras 2: set TF_USE_LEGACY_KERAS=1")
            _check_keras_version()
        """,
        "gnnlike/layers.py": "import tensorflow as tf\nclass L(tf.keras.layers.Layer): pass\n",
        "other/__init__.py": "",
        "other/layers.py": "import tensorflow as tf\nclass M(tf.keras.layers.Layer): pass\n",
    })
    assert layers_of([tmp_path]) == {"gnnlike.layers.L": 2, "other.layers.M": 3}
