from __future__ import annotations

from keras_varlint.findings import Severity
from keras_varlint.rules.base import Examples, Rule


class ParseError(Rule):
    """
    ## What it does
    Reports a file the linter cannot read: undecodable bytes, a NUL byte (a binary file named
    `.py`), or a syntax error inside a file that defines a layer class. The message carries
    the decoder's or parser's reason. Files that cannot contain a layer class are never
    parsed, so their syntax errors are left to Python and flake8 (E999).

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
