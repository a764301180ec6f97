"""KVL000: a file that defines a layer and does not parse gets exactly one finding, at Python's error."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from keras_varlint.engine import lint_paths
from keras_varlint.settings import Settings

TWO_LAYERS = """
    import keras

    class A(keras.layers.Layer):
        def call(self, x):
            return x +

    class B(keras.layers.Layer):
        def call(self, x):
            return x +
"""

ERROR_OUTSIDE_CLASSES = """
    import keras

    class A(keras.layers.Layer):
        def call(self, x):
            return x

    def helper(:
        pass
"""

NOT_A_LAYER = """
    class A(object):
        pass

    def helper(:
        pass
"""


def parse_errors(tmp_path: Path, source: str) -> list[tuple[int, str]]:
    (tmp_path / "m.py").write_text(dedent(source))
    result = lint_paths([tmp_path], Settings(use_cache=False))
    return [(f.line, f.message) for f in result.findings if f.code == "KVL000"]


def test_one_kvl000_per_file_however_many_classes_are_broken(tmp_path):
    ((line, message),) = parse_errors(tmp_path, TWO_LAYERS)
    assert line == 6 and message.startswith("SyntaxError: ")


def test_a_syntax_error_outside_every_class_is_kvl000(tmp_path):
    assert [line for line, _ in parse_errors(tmp_path, ERROR_OUTSIDE_CLASSES)] == [8]


@pytest.mark.parametrize("source", [NOT_A_LAYER, "x = (\n"])
def test_a_file_without_layers_is_left_to_python(tmp_path, source):
    assert parse_errors(tmp_path, source) == []


def test_kvl000_is_reported_only_when_selected(tmp_path):
    """KVL000 is selected like any rule: ignoring it silences files that do not parse or decode."""
    (tmp_path / "m.py").write_text(dedent(TWO_LAYERS))
    (tmp_path / "latin1.py").write_bytes(b"import keras\n\n\nclass A(keras.layers.Layer):\n    name = 'caf\xe9'\n")

    def kvl000(**settings):
        result = lint_paths([tmp_path], Settings(use_cache=False, **settings))
        return sorted(Path(f.path).name for f in result.findings if f.code == "KVL000")

    assert kvl000() == ["latin1.py", "m.py"]
    assert kvl000(ignore=["KVL000"]) == []
    assert kvl000(select=["KVL001"]) == []
