from __future__ import annotations

from keras_varlint.rules.base import Examples, Rule, Severity


class ParseError(Rule):
    """
    ## What it does
    Reports a file the linter cannot read: undecodable bytes, a NUL byte (a binary file named
    `.py`), or a syntax error anywhere in a file that defines a layer class, once per file, at
    Python's own error line with Python's message. A file whose classes are not layers (or
    that has no class) is left to Python and flake8 (E999).

    ## Why is this bad?
    A layer the linter cannot parse is a layer it cannot check: its variables may be lost
    without any warning. The rest of the run goes on.
    """

    code = "KVL000"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "file cannot be decoded or parsed"
    reported_by = "engine"
    examples = Examples(
        invalid=(
            """
import keras

class Broken(keras.layers.Layer):
    def call(self, inputs)  # KVL000
        return inputs
""",
        ),
        valid=(
            """
import keras

class Fixed(keras.layers.Layer):
    def call(self, inputs):
        return inputs
""",
        ),
    )
