"""Bad input, one test (or parametrized group) per kind of bad input.

Every test that lints a bad file lints a good one in the same run, to show that the run goes on.
"""

from __future__ import annotations

import os
import pathlib
import textwrap
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from keras_varlint.result import LintResult
from tests.reliability.support import (
    LAYER_HEADER, assert_no_internal_error, compiles, in_layer, lint, rows, run_cli,
)

GOOD = LAYER_HEADER + """\
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(1.0)

    def call(self, x):
        return x * self.w
"""
GOOD_ROW = ("good.py", 8, 17, "KVL001")


def with_good(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def kvl000(result: LintResult, name: str) -> list[str]:
    return [f.message for f in result.findings if f.code == "KVL000" and Path(f.path).name == name]


# -- undecodable bytes, a binary file named .py, a NUL byte ----------------------------------------

UNREADABLE_BYTES = {
    "undecodable": (b"import keras\nclass A(keras.layers.Layer):\n    name = 'caf\xe9'\n", "cannot decode"),
    "binary": (bytes(range(256)) * 40, "NUL byte"),
    "nul": (b"import keras\nclass A(keras.layers.Layer):\n    x = 1\x00\n", "NUL byte"),
    "unknown-codec": (b"# -*- coding: klingon -*-\nimport keras\n", "cannot decode"),
    "bom-and-latin1-cookie": (b"\xef\xbb\xbf# coding: latin-1\nimport keras\n", "cannot decode"),
}


@pytest.mark.parametrize("kind", sorted(UNREADABLE_BYTES))
def test_undecodable_file_is_kvl000_with_reason_and_the_run_goes_on(tmp_path: Path, kind: str) -> None:
    data, reason = UNREADABLE_BYTES[kind]
    (with_good(tmp_path) / "bad.py").write_bytes(data)
    result = lint([tmp_path])
    assert rows(result) == [("bad.py", 1, 0, "KVL000"), GOOD_ROW]
    assert reason in kvl000(result, "bad.py")[0]


def test_undecodable_file_exits_1_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the output, a file that could not be examined must not pass as clean (exit 0)."""
    (tmp_path / "bad.py").write_bytes(UNREADABLE_BYTES["nul"][0])
    monkeypatch.chdir(tmp_path)
    run = run_cli("--no-cache", "bad.py")
    assert run.code == 1, (run.stdout, run.stderr)


# -- a latin-1 file ----------------------------------------------------------------------------------

LATIN1 = """\
# -*- coding: latin-1 -*-
\"\"\"Couche d'échelle: « température » apprise.\"\"\"
import keras
import tensorflow as tf


class Echelle(keras.layers.Layer):
    def __init__(self, nom="échelle"):
        super().__init__(name=nom)
        self.température = tf.Variable(1.0)  # « apprise »

    def call(self, x):
        return x * self.température  # façade
"""


def test_latin1_file_with_non_ascii_names_reports_at_the_right_place(tmp_path: Path) -> None:
    (with_good(tmp_path) / "latin.py").write_bytes(LATIN1.encode("latin-1"))
    result = lint([tmp_path])
    column = LATIN1.splitlines()[9].index("tf.Variable")
    assert rows(result) == [GOOD_ROW, ("latin.py", 10, column, "KVL001")]
    finding = next(f for f in result.findings if f.path.endswith("latin.py"))
    assert finding.attribute == "température" and "self.température" in finding.message


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8"])
def test_non_ascii_class_name_is_analysed(tmp_path: Path, encoding: str) -> None:
    source = LATIN1.replace("class Echelle", "class Échelle")
    if encoding == "utf-8":
        source = source.replace("latin-1", "utf-8")
    (with_good(tmp_path) / "accents.py").write_bytes(source.encode(encoding))
    result = lint([tmp_path])
    assert rows(result) == [("accents.py", 10, 27, "KVL001"), GOOD_ROW]
    assert next(f for f in result.findings if f.path.endswith("accents.py")).layer == "Échelle"


def test_utf8_bom_file_is_handled(tmp_path: Path) -> None:
    (with_good(tmp_path) / "bom.py").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert rows(lint([tmp_path])) == [("bom.py", *GOOD_ROW[1:]), GOOD_ROW]


# -- a syntax error; no trailing newline; CRLF line endings -----------------------------------------

def test_syntax_error_in_a_layer_file_is_kvl000_with_reason(tmp_path: Path) -> None:
    broken = GOOD.replace("def call(self, x):", "def call(self, x)")
    (with_good(tmp_path) / "broken.py").write_text(broken)
    result = lint([tmp_path])
    assert rows(result) == [("broken.py", 10, 21, "KVL000"), GOOD_ROW]
    assert kvl000(result, "broken.py") == ["SyntaxError: expected ':'"]


def test_syntax_error_exits_1_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken.py").write_text(GOOD.replace("return x * self.w", "return x * (self.w"))
    monkeypatch.chdir(tmp_path)
    run = run_cli("--no-cache", "broken.py")
    assert run.code == 1 and run.stdout.startswith("broken.py:") and " KVL000 " in run.stdout, run


# Findings on several lines, the last one on the file's last line (where a missing newline bites).
LINE_ENDINGS = LAYER_HEADER + """\
    def __init__(self):
        super().__init__()
        self.v = tf.Variable(1.0)
        self.unused = self.add_weight(shape=())

    def build(self, input_shape):
        self.k = self.add_weight(shape=())

    def call(self, x):
        y = tf.stop_gradient(self.k) * self.v
        self.last = tf.Variable(3.0)
"""


def _full_rows(result: LintResult) -> list[tuple[int, int, int, int, str]]:
    return sorted((f.line, f.column, f.end_line, f.end_column, f.code) for f in result.findings)


VARIANTS: dict[str, Callable[[str], str]] = {
    "no-trailing-newline": lambda text: text.rstrip("\n"),
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "crlf-no-trailing-newline": lambda text: text.replace("\n", "\r\n").rstrip("\r\n"),
    "mixed": lambda text: "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(text.split("\n")[:-1])),
    # Old Mac line endings, which Python still reads (the byte prefilter must match after a lone \r).
    "cr-only": lambda text: text.replace("\n", "\r"),
    # A form feed line between methods: Python treats \f as whitespace, so the class goes on.
    "form-feed": lambda text: text.replace("\n\n    def", "\n\f\n    def"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_line_endings_do_not_move_findings(tmp_path: Path, variant: str) -> None:
    transform = VARIANTS[variant]
    assert compiles(transform(LINE_ENDINGS))
    lf = tmp_path / "lf.py"
    lf.write_text(LINE_ENDINGS)
    expected = _full_rows(lint([lf]))
    assert len(expected) >= 4 and expected[-1][0] == LINE_ENDINGS.count("\n")  # a finding on the last line
    other = tmp_path / "other.py"
    other.write_bytes(transform(LINE_ENDINGS).encode())
    assert _full_rows(lint([other])) == expected


# -- expressions nested hundreds deep --------------------------------------------------------------

DEEP = {
    "parens-300-in-call": dict(call="y = " + "(" * 300 + "x" + ")" * 300),
    "sum-500-in-call": dict(call="y = " + " + ".join(["x"] * 500)),
    "weight-sum-500-in-call": dict(
        build="self.w = self.add_weight(shape=())", call="y = " + " + ".join(["self.w"] * 500)
    ),
    "calls-300-in-call": dict(call="y = " + "f(" * 300 + "x" + ")" * 300),
    "attribute-chain-3000-in-call": dict(call="y = x" + ".a" * 3000),
    "lambda-500-in-call": dict(call="y = " + "lambda: " * 500 + "x"),
    # Positions of findings in a class holding a deep expression (libcst's own recursion).
    "sum-500-in-build-with-a-finding": dict(
        build="self.w = self.add_weight(shape=())\nself.k = " + " + ".join(["x"] * 500), call="y = self.k"
    ),
    "lists-300-around-a-variable-in-call": dict(call="self.v = " + "[" * 300 + "tf.Variable(1.0)" + "]" * 300),
    "lists-150-around-a-variable-in-call": dict(call="self.v = " + "[" * 150 + "tf.Variable(1.0)" + "]" * 150),
}


@pytest.mark.parametrize("case", list(DEEP))
def test_deep_nesting_never_lets_recursion_error_escape(tmp_path: Path, case: str) -> None:
    (with_good(tmp_path) / "deep.py").write_text(in_layer(**DEEP[case]))
    result = lint([tmp_path])
    assert GOOD_ROW in rows(result)  # the run went on
    deep = [f for f in result.findings if f.path.endswith("deep.py")]
    assert all(f.code != "KVL000" or f.name == "parse-error" for f in deep), [f.message for f in deep]


# -- a 5 MB generated file -------------------------------------------------------------------------

def generated_module(target_bytes: int, layer_every: int, finding_every: int) -> tuple[str, int]:
    """A module of about ``target_bytes``: plain classes and functions, every ``layer_every``-th block a
    Keras layer, and every ``finding_every``-th layer one with an untracked variable. Returns the
    text and the number of KVL001 findings it must give."""
    parts = ["import keras\nimport tensorflow as tf\n\n\n"]
    size, block, layers, expected = 0, 0, 0, 0
    while size < target_bytes:
        if block % layer_every == 0:
            flagged = layers % finding_every == 0
            variable = "tf.Variable(1.0)" if flagged else "self.add_weight(shape=())"
            part = (
                f"class Layer{block}(keras.layers.Layer):\n"
                f'    """Generated layer {block}."""\n\n'
                f"    def __init__(self, units={block % 7 + 1}, **kwargs):\n"
                f"        super().__init__(**kwargs)\n"
                f"        self.units = units\n"
                f"        self.scale = {variable}\n\n"
                f"    def build(self, input_shape):\n"
                f"        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))\n\n"
                f"    def call(self, inputs):\n"
                f"        return keras.ops.matmul(inputs, self.kernel) * self.scale\n\n\n"
            )
            layers += 1
            expected += flagged
        else:
            part = (
                f"class Record{block}(object):\n"
                f"    def __init__(self, value={block}):\n"
                f"        self.value = value\n\n"
                f"    def double(self):\n"
                f"        return [self.value * 2 for _ in range({block % 5})]\n\n\n"
                f"def helper_{block}(x, y={block}):\n"
                f"    return {{'x': x, 'y': y, 'z': (x + y) % {block % 11 + 1}}}\n\n\n"
            )
        parts.append(part)
        size += len(part)
        block += 1
    return "".join(parts), expected


def _time_generated(tmp_path: Path, layer_every: int, finding_every: int, limit: float, jobs: int) -> None:
    text, expected = generated_module(5_000_000, layer_every, finding_every)
    (with_good(tmp_path) / "big.py").write_text(text)
    start = time.perf_counter()
    result = lint([tmp_path], jobs=jobs)
    elapsed = time.perf_counter() - start
    classes = text.count("(keras.layers.Layer)")
    print(f"\n5 MB file ({len(text) / 1e6:.1f} MB, {classes} layer classes, {expected} flagged): {elapsed:.1f} s")
    assert_no_internal_error(result)
    assert len([f for f in result.findings if f.path.endswith("big.py") and f.code == "KVL001"]) == expected
    assert GOOD_ROW in rows(result)
    assert elapsed < limit


def test_5mb_generated_file(tmp_path: Path) -> None:
    """About 1,200 layer classes among 5 MB of plain classes and functions, one in ten flagged."""
    _time_generated(tmp_path, layer_every=10, finding_every=10, limit=120, jobs=2)


@pytest.mark.slow
def test_5mb_generated_file_of_layers_only(tmp_path: Path) -> None:
    """The worst case: ~10,000 layer classes, every one with a finding (positions computed for each)."""
    _time_generated(tmp_path, layer_every=1, finding_every=1, limit=600, jobs=2)


# -- a symlink loop, or a symlink out of the tree ----------------------------------------------------

def _tree_with_links(tmp_path: Path) -> Path:
    (tmp_path / "tree").mkdir()
    tree = with_good(tmp_path / "tree")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.py").write_text(GOOD)
    (tree / "sub").mkdir()
    (tree / "sub" / "loop").symlink_to("..")  # directory loop
    (tree / "out_dir").symlink_to(outside)  # directory out of the tree
    (tree / "out_file.py").symlink_to(outside / "elsewhere.py")  # file out of the tree
    (tree / "broken.py").symlink_to(tree / "missing.py")
    (tree / "zz_alias.py").symlink_to(tree / "good.py")  # inside the tree: linted once
    return tree


def test_symlinks_out_of_the_tree_and_directory_loops_are_skipped_with_a_note(tmp_path: Path) -> None:
    tree = _tree_with_links(tmp_path)
    result = lint([tree])
    assert rows(result) == [GOOD_ROW]
    notes = "\n".join(result.notes)
    for name in ("loop", "out_dir", "out_file.py", "broken.py"):
        assert name in notes, notes


@pytest.mark.parametrize("shape", ["self", "pair"])
def test_file_symlink_loop_is_skipped_with_a_note(tmp_path: Path, shape: str) -> None:
    tree = with_good(tmp_path)
    if shape == "self":
        (tree / "self.py").symlink_to("self.py")
    else:
        (tree / "a.py").symlink_to("b.py")
        (tree / "b.py").symlink_to("a.py")
    result = lint([tree])
    assert rows(result) == [GOOD_ROW]
    assert any("self.py" in note or "a.py" in note for note in result.notes), result.notes


# -- a file that is unreadable ---------------------------------------------------------------------
# We run as root, so chmod 000 does not stop reads. The test makes Path.read_bytes raise the
# PermissionError the OS would raise, for that one file, so keras_varlint's own read_source still
# turns it into a SourceError.

def test_unreadable_file_is_reported_and_the_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = with_good(tmp_path) / "secret.py"
    secret.write_text(GOOD)
    real_read_bytes = pathlib.Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    result = lint([tmp_path])
    assert GOOD_ROW in rows(result)
    reported = kvl000(result, "secret.py") + [e["message"] for e in result.errors if "secret.py" in e.get("path", "")]
    assert any("Permission denied" in message for message in reported), (result.findings, result.errors)


def _unblock_fifo_after(path: Path, delay: float) -> threading.Thread:
    """Open the FIFO for writing after ``delay`` seconds, if anyone is reading it, so no reader hangs forever."""

    def writer() -> None:
        time.sleep(delay)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # nobody is reading: nothing to unblock
            return
        os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    return thread


def test_fifo_named_py_does_not_block_the_run(tmp_path: Path) -> None:
    fifo = with_good(tmp_path) / "pipe.py"
    os.mkfifo(fifo)
    delay = 5.0
    writer = _unblock_fifo_after(fifo, delay)
    start = time.perf_counter()
    result = lint([tmp_path])
    elapsed = time.perf_counter() - start
    writer.join()
    assert GOOD_ROW in rows(result)
    assert elapsed < delay, f"blocked {elapsed:.1f} s reading a FIFO"


# -- a path that does not exist; an empty directory ------------------------------------------------

@pytest.mark.parametrize("argv", [["missing"], ["good.py", "missing"], ["missing/deeper.py"]])
def test_nonexistent_path_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    with_good(tmp_path)
    monkeypatch.chdir(tmp_path)
    run = run_cli("--no-cache", *argv)
    missing = next(a for a in argv if a.startswith("missing"))
    assert (run.code, run.stdout, run.stderr) == (2, "", f"keras-varlint: error: path does not exist: {missing}\n")


@pytest.mark.parametrize("content", ["nothing", "no-python", "empty-python"])
def test_empty_directory_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str) -> None:
    (tmp_path / "empty").mkdir()
    if content == "no-python":
        (tmp_path / "empty" / "README.md").write_text("# not python\n")
    elif content == "empty-python":
        (tmp_path / "empty" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    run = run_cli("--no-cache", "empty")
    assert (run.code, run.stdout) == (0, ""), run
    if content != "empty-python":
        assert run.stderr == "keras-varlint: note: no Python files found in empty\n"


# -- a bad config value in pyproject.toml ----------------------------------------------------------

BAD_VALUES = {
    "keras-version": ["4", '"3"', "3.0"],
    "jobs": ["0", "-2", "true", '"2"'],
    "select": ['"KVL001"', '["KVL999"]', "[1]"],
    "ignore": ['["NOPE"]'],
    "extend-select": ["{}"],
    "exclude": ["3"],
    "cache-dir": ["5", '""'],
    "runtime-timeout": ["-1", "0", '"10"', "nan", "inf"],
    "per-file-ignores": ["3", '{ "a.py" = "KVL001" }', '{ "a.py" = ["KVL99x"] }'],
    "runtime": ["3", "{ examples = 3 }"],
    "bogus-key": ["1"],
}


@pytest.mark.parametrize("setting", [f"{key} = {value}" for key, values in BAD_VALUES.items() for value in values])
def test_bad_config_value_exits_2_naming_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    key = setting.split(" = ")[0]
    (with_good(tmp_path) / "pyproject.toml").write_text(f"[tool.keras-varlint]\n{setting}\n")
    monkeypatch.chdir(tmp_path)
    run = run_cli("--no-cache", "good.py")
    assert run.code == 2, run
    assert run.stdout == "" and run.stderr.count("\n") == 1, run
    assert run.stderr.startswith(f"keras-varlint: error: pyproject.toml: [tool.keras-varlint] {key}"), run


def test_good_config_values_are_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The counterpart of the table above: the same keys with sound values lint normally."""
    (with_good(tmp_path) / "pyproject.toml").write_text(
        "[tool.keras-varlint]\nkeras-version = 3\njobs = 1\nruntime-timeout = 10.5\nselect = [\"KVL0\"]\n"
        'per-file-ignores = { "other.py" = ["KVL001"] }\n'
    )
    monkeypatch.chdir(tmp_path)
    run = run_cli("--no-cache", "good.py")
    assert (run.code, run.stderr) == (1, ""), run


# -- tricky but valid layout: every layer class is still found ----------------------------------------
# Not a row of the table, but the same promise ("never lose a line"): the cheap regex pass decides
# which classes get parsed, so a layout it misreads silently hides a layer.

HEADER = "import keras\nimport tensorflow as tf\n\n\n"
UNTRACKED_BODY = """\
    def build(self, input_shape):
        self.w = tf.Variable(1.0)

    def call(self, x):
        return x * self.w
"""
LAYOUTS: dict[str, tuple[str, list[int]]] = {  # source, lines that must carry KVL001
    "tab-indented": (HEADER + "class L(keras.layers.Layer):\n" + UNTRACKED_BODY.replace("    ", "\t"), [7]),
    "header-on-several-lines": (HEADER + "class L(\n    keras.layers.Layer,\n):\n" + UNTRACKED_BODY, [9]),
    "continuation-at-column-0": (
        HEADER + "class L(keras.layers.Layer):\n" + UNTRACKED_BODY.replace("(1.0)", "(\n1.0)"), [7]
    ),
    "backslash-continuation-at-column-0": (
        HEADER + "class L(keras.layers.Layer):\n" + UNTRACKED_BODY.replace("x * self.w", "x * \\\nself.w"), [7]
    ),
    "docstring-text-at-column-0": (
        HEADER + 'class L(keras.layers.Layer):\n    """Doc, with a paren (\n"""\n' + UNTRACKED_BODY, [9]
    ),
    "class-text-in-a-string": (
        HEADER + 'EXAMPLE = """\nclass Fake(keras.layers.Layer):\n"""\n\n\nclass L(keras.layers.Layer):\n'
        + UNTRACKED_BODY, [12]
    ),
    "same-name-twice": (
        HEADER + "class L(keras.layers.Layer):\n" + UNTRACKED_BODY + "\n\nclass L(keras.layers.Layer):\n"
        + UNTRACKED_BODY, [7, 15]
    ),
    "inside-if": (
        HEADER + "if True:\n" + textwrap.indent("class L(keras.layers.Layer):\n" + UNTRACKED_BODY, "    "), [8]
    ),
    "metaclass-keyword": (HEADER + "class L(keras.layers.Layer, metaclass=type):\n" + UNTRACKED_BODY, [7]),
    # Once misread by discovery.summary: a triple quote outside a triple-quoted string opened a "span"
    # hiding every class after it; a parenthesis in a comment of a multi-line header broke the bases.
    "triple-quote-in-a-string": (
        HEADER + "QUOTE = \"'''\"\n\n\nclass L(keras.layers.Layer):\n" + UNTRACKED_BODY, [10]
    ),
    "triple-quote-in-a-comment": (
        HEADER + "class L(keras.layers.Layer):\n"
        + UNTRACKED_BODY.replace("tf.Variable(1.0)", 'tf.Variable(1.0)  # see """')
        + "\n\nclass M(keras.layers.Layer):\n" + UNTRACKED_BODY, [7, 15]
    ),
    "paren-in-a-header-comment": (HEADER + "class L(\n    keras.layers.Layer,  # (base\n):\n" + UNTRACKED_BODY, [9]),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layer_is_found_whatever_the_layout(tmp_path: Path, layout: str) -> None:
    source, lines = LAYOUTS[layout]
    assert compiles(source)
    (tmp_path / "layout.py").write_text(source)
    result = lint([tmp_path / "layout.py"], keras_version=3)
    assert [(f.line, f.code) for f in result.findings] == [(line, "KVL001") for line in lines]
