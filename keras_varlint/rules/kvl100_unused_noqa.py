from __future__ import annotations

from keras_varlint.rules.base import Examples, Rule, Severity


class UnusedNoqa(Rule):
    """
    ## What it does
    Reports a `# noqa: KVLxxx` directive that suppresses nothing: no finding of that code is on
    its line (`unused`), the rule is not enabled in this run (`non-enabled`), or no rule has that
    code (`unknown`). Codes of other tools (`E501`, `F401`) and of the runtime checker (KVL9xx),
    and bare `# noqa` comments, are never judged; a directive that lists KVL100 itself silences
    the report on its line, as any `# noqa` does.
    Only the command line reports it (flake8 runs its plugins file by file and applies `# noqa`
    itself). This rule is ruff's RUF100 for keras-varlint's codes.

    ## Why is this bad?
    A directive left behind after the code was fixed hides the next real bug on that line, and a
    misspelt code suppresses nothing while looking as if it did.
    """

    code = "KVL100"
    name = "unused-noqa"
    severity = Severity.INFO
    summary = "`# noqa` directive that suppresses nothing"
    default_enabled = False
    reported_by = "engine"
    examples = Examples(
        invalid=(
            """
import keras


class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(), initializer="ones")  # noqa: KVL001  # KVL100

    def call(self, x):
        return x * self.w
""",
            """
x = 1  # noqa: KVL999  # KVL100
""",
        ),
        valid=(
            """
import keras


class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(), initializer="ones")

    def call(self, x):
        return x * self.w
""",
            """
x = 1  # noqa: E501 (another tool's code)
""",
        ),
    )
