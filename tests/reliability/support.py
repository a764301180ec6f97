"""Helpers shared by the reliability tests: lint a file or a source text, run the CLI in-process."""

from __future__ import annotations

import io
import textwrap
import warnings
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from keras_varlint.engine import lint_paths
from keras_varlint.findings import Finding
from keras_varlint.interfaces.cli import main
from keras_varlint.result import LintResult
from keras_varlint.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

LAYER_HEADER = "import keras\nimport tensorflow as tf\n\n\nclass L(keras.layers.Layer):\n"


def lint(paths: list[Path], **settings: object) -> LintResult:
    """Lint without the cache, in this process (no worker pool unless ``jobs`` says so)."""
    options: dict[str, object] = {"use_cache": False, "jobs": 1, **settings}
    return lint_paths(paths, Settings(**options))  # type: ignore[arg-type]


def lint_source(path: Path, source: str | bytes, **settings: object) -> LintResult:
    """Write ``source`` to ``path`` (overwriting it) and lint that one file."""
    if isinstance(source, str):
        path.write_text(source, encoding="utf-8")
    else:
        path.write_bytes(source)
    return lint([path], **settings)


def rows(result: LintResult) -> list[tuple[str, int, int, str]]:
    """(file name, line, column, code) of every finding, sorted."""
    return sorted((Path(f.path).name, f.line, f.column, f.code) for f in result.findings)


def internal_errors(result: LintResult) -> list[Finding]:
    return [f for f in result.findings if f.code == "KVL000" and f.name == "internal-error"]


def assert_no_internal_error(result: LintResult, source: str = "") -> None:
    errors = internal_errors(result)
    assert not errors, "\n".join(f"{f.path}:{f.line}: {f.message}" for f in errors) + "\n--- source ---\n" + source


def in_layer(*, init: str = "", build: str = "", call: str = "", helper: str = "") -> str:
    """A module with one Keras 3 layer whose methods have the given bodies (each may be empty).

    ``helper`` is a method reached only from ``call``. Every body gets a trailing ``pass``, so a
    body made only of comments still parses.
    """

    def method(signature: str, body: str, prefix: str = "") -> str:
        return f"    def {signature}:\n{prefix}" + textwrap.indent(body, " " * 8, lambda _: True).rstrip(" ") + (
            "\n" if body and not body.endswith("\n") else "") + "        pass\n"

    return LAYER_HEADER + "".join([
        method("__init__(self, **kwargs)", init, "        super().__init__(**kwargs)\n"),
        method("build(self, input_shape)", build),
        method("helper(self, x)", helper),
        method("call(self, x)", call, "        self.helper(x)\n"),
    ])


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str


def run_cli(*argv: str) -> CliRun:
    """``keras-varlint ARGV`` in this process (relative paths are taken from the current directory)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return CliRun(code, out.getvalue(), err.getvalue())


def compiles(source: str) -> bool:
    """Whether CPython accepts ``source`` (the inputs of these tests are meant to be valid)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for generated code such as `1()`
        try:
            compile(source, "<test>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True
