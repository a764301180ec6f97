"""Layer discovery across import styles and modules, and the Keras version of each class."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from keras_varlint.discovery.index import ProjectIndex
from keras_varlint.discovery.summary import summarize
from keras_varlint.discovery.index import keras_version_of


def index_of(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    package_dirs: dict[Path, bool] = {}
    summaries = []
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(source))
    for name in files:
        path = tmp_path / name
        summaries.append(summarize(path, path.read_text(), package_dirs))
    return ProjectIndex(summaries)


def layer_names(index: ProjectIndex) -> set[str]:
    return {info.name for info in index.layers}


@pytest.mark.parametrize(
    "source",
    [
        "import keras\nclass L(keras.layers.Layer): pass\n",
        "import keras\nclass L(keras.Model): pass\n",
        "from keras import layers\nclass L(layers.Layer): pass\n",
        "from keras.layers import Layer as Base\nclass L(Base): pass\n",
        "import tensorflow as tf\nclass L(tf.keras.layers.Layer): pass\n",
        "from tensorflow import keras\nclass L(keras.layers.Layer): pass\n",
        "import tensorflow.keras.layers as KL\nclass L(KL.Layer): pass\n",
        "from tensorflow.keras import Model\nclass L(Model): pass\n",
        "import tf_keras\nclass L(tf_keras.layers.Layer): pass\n",
        "import keras\nclass L(keras.layers.Dense): pass\n",
        "from keras.layers import (\n    Dense,\n    Layer,\n)\nclass L(Dense): pass\n",
        "import keras\ndef f():\n    class L(keras.layers.Layer):\n        pass\n",
        "import keras\nclass L(\n    keras.layers.Layer,\n    metaclass=type,\n): pass\n",
    ],
)
def test_layer_found_however_imported(tmp_path, source):
    assert layer_names(index_of(tmp_path, {"m.py": source})) == {"L"}


@pytest.mark.parametrize(
    "source",
    [
        "class P(object): pass\n",
        "import tensorflow as tf\nclass M(tf.Module): pass\n",
        "import keras\nclass S(keras.layers.InputSpec): pass\n",
        'import keras\nDOC = """\nclass L(keras.layers.Layer): pass\n"""\n',
        "import keras\nclass C(keras.callbacks.Callback): pass\n",
    ],
)
def test_not_layers(tmp_path, source):
    assert layer_names(index_of(tmp_path, {"m.py": source})) == set()


def test_tf_module_subclass_is_known_as_module(tmp_path):
    index = index_of(tmp_path, {"m.py": "import tensorflow as tf\nclass M(tf.Module): pass\nclass N(M): pass\n"})
    assert all(index.classified(i).is_module and not i.is_layer for infos in index.classes.values() for i in infos)


def test_project_base_in_another_module(tmp_path):
    index = index_of(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.base import Base\n",
            "pkg/base.py": "import keras\nclass Base(keras.layers.Layer): pass\n",
            "pkg/child.py": "from .base import Base\nclass Child(Base): pass\n",
            "pkg/reexported.py": "from pkg import Base\nclass Other(Base): pass\n",
            "pkg/plain.py": "class Base: pass\nclass NotLayer(Base): pass\n",
        },
    )
    assert layer_names(index) == {"Base", "Child", "Other"}
    child = index.classes["pkg.child.Child"][0]
    assert [a.qualname for a in index.ancestors(child)] == ["pkg.base.Base"]
    assert child.complete


def test_builtin_base_makes_class_incomplete(tmp_path):
    index = index_of(tmp_path, {"m.py": "import keras\nclass D(keras.layers.Dense): pass\n"})
    (info,) = index.layers
    assert not info.complete  # Dense's own methods are not visible


@pytest.mark.parametrize(
    "source,override,version",
    [
        ("import keras\nclass L(keras.layers.Layer): pass\n", None, 3),
        ("import tensorflow as tf\nclass L(tf.keras.layers.Layer): pass\n", None, 3),
        ("import tf_keras\nclass L(tf_keras.layers.Layer): pass\n", None, 2),
        ("from tensorflow.python.keras.engine.base_layer import Layer\nclass L(Layer): pass\n", None, 2),
        ("from keras.engine.topology import Layer\nclass L(Layer): pass\n", None, 2),
        # the class's base decides, not the file's other imports: tf.keras is Keras 3 on TF >= 2.16
        ("import tensorflow as tf\nimport tf_keras\nclass L(tf.keras.layers.Layer): pass\n", None, 3),
        ("from tensorflow.python.keras import backend\nfrom tensorflow import keras\nclass L(keras.layers.Layer): pass\n", None, 3),
        # conditional bindings that disagree: unknown, so version-specific rules stay silent
        ("try:\n import tf_keras as keras\nexcept ImportError:\n import keras\nclass L(keras.layers.Layer): pass\n", None, None),
        ("try:\n import tf_keras as keras\nexcept ImportError:\n import keras\nclass L(keras.layers.Layer): pass\n", 2, 2),
        ("import keras\nclass L(keras.layers.Layer): pass\n", 2, 2),
        ("import tf_keras\nclass L(tf_keras.layers.Layer): pass\n", 3, 3),
    ],
)
def test_keras_version(tmp_path, source, override, version):
    (info,) = index_of(tmp_path, {"m.py": source}).layers
    assert keras_version_of(info, override) == version


def test_class_segment_ends_at_dedent_not_inside_strings(tmp_path):
    source = 'import keras\nclass L(keras.layers.Layer):\n    def f(self):\n        return """\nnot code\n"""\n\nx = 1\n'
    (header,) = summarize(tmp_path / "m.py", source, {}).classes
    assert (header.line, header.body_end) == (2, 6)


@pytest.mark.parametrize("patterns", [["legacy"], ["legacy/*"], ["*/gen/*"], ["src/gen"], ["old_*.py"], ["src"], []])
def test_is_excluded_below_agrees_with_the_walk(tmp_path, monkeypatch, patterns):
    """What the flake8 plugin asks of a file flake8 found is what ``discover`` decides walking the root."""
    import os

    from keras_varlint.discovery.files import discover, is_excluded_below

    for name in ["a.py", "old_a.py", "legacy/b.py", "src/gen/c.py", "src/d.py", "src/legacy/e.py"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    for root in (Path("."), Path("src"), tmp_path):
        kept = {os.path.abspath(p) for p in discover([root], patterns).files}
        every = {os.path.abspath(p) for p in discover([root], []).files}
        assert len(every) > len(kept) or not patterns or root == Path("src")
        for path in every:
            given = Path(os.path.join(root, os.path.relpath(path, root)))  # as a walk of root names it
            assert is_excluded_below(given, [root], patterns) == (path not in kept), (root, given)


def test_the_walk_skips_tool_build_and_virtualenv_directories(tmp_path):
    """Version control, caches, build output and virtualenvs are never walked into; a file in one
    that is named on the command line is still linted."""
    from keras_varlint.discovery.files import discover

    skipped = [".git/hooks/h.py", ".venv/lib/site.py", "build/lib/pkg/m.py", "dist/m.py", "node_modules/x/y.py",
               "pkg/__pycache__/m.py", ".tox/py311/m.py", "env/lib/site.py"]
    for name in ["pkg/m.py", *skipped]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # a virtualenv by any name
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], []).files] == ["pkg/m.py"]
    named = tmp_path / "build/lib/pkg/m.py"
    assert discover([named], []).files == [named]
