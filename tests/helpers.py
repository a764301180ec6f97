"""Shared test helpers: lint source snippets and read expected codes from `# KVLxxx` markers."""

from __future__ import annotations

import re
from textwrap import dedent
from pathlib import Path

from keras_varlint.engine import lint_paths
from keras_varlint.settings import Settings

# A layer whose `tf.Variable` (line 8, 1-based column 18) Keras 3 does not track: KVL001.
UNTRACKED = dedent(
    """\
    import keras
    import tensorflow as tf


    class Scale(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(1.0)

        def call(self, x):
            return x * self.w
    """
)

MARKER = re.compile(r"#\s*(KVL\d{3}(?:\s*,\s*KVL\d{3})*)\s*$")


def expected_codes(source: str, only: str | None = None) -> list[tuple[int, str]]:
    """(line, code) pairs written as trailing `# KVL001` markers."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            found += [(number, c.strip()) for c in match.group(1).split(",") if only in (None, c.strip())]
    return sorted(found)


def lint_codes(paths: list[Path], **settings) -> list[tuple[str, int, str]]:
    result = lint_paths(paths, Settings(use_cache=False, **settings))
    return sorted((Path(f.path).name, f.line, f.code) for f in result.findings)


def lint_snippet(tmp_path: Path, source: str, name: str = "snippet.py", **settings) -> list[tuple[int, str]]:
    path = tmp_path / name
    path.write_text(source)
    return sorted((line, code) for _, line, code in lint_codes([path], **settings))
