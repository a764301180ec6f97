"""``# noqa`` directives (issue 13, part 4): KVL100 unused-noqa and ``--add-noqa``."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from tests.helpers import UNTRACKED

from keras_varlint.interfaces.cli import main
from keras_varlint.noqa import add_to_source, with_codes

LAYER = '''import keras
import tensorflow as tf


class Scale(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(1.0)  # noqa: KVL001
        self.v = tf.Variable(2.0)  # noqa: KVL101, E501
        self.u = self.add_weight(shape=())  # noqa: KVL999
        self.t = self.add_weight(shape=())  # noqa: KVL001, KVL100
        s = "# noqa: KVL001"

    def call(self, x):
        return x * self.w * self.v * self.u * self.t  # noqa: KVL105
'''


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["--no-cache", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def kvl_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": KVL" in line]


# -- KVL100 ----------------------------------------------------------------------------------------


def test_unused_noqa_reports_unused_unknown_and_non_enabled_codes(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.py").write_text(LAYER)
    _, out, _ = run(capsys, "--extend-select", "KVL100", "a.py")
    assert [line.split(" [*]")[0] for line in kvl_lines(out)] == [
        "a.py:9:18: KVL001",
        "a.py:9:36: KVL100 unused `noqa` directive (unused: KVL101)",
        "a.py:10:45: KVL100 unused `noqa` directive (unknown: KVL999)",
        "a.py:15:55: KVL100 unused `noqa` directive (non-enabled: KVL105)",
    ]  # line 8's is used, line 11's lists KVL100, E501 and the string on line 12 are not judged


def test_unused_noqa_is_off_by_default(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.py").write_text(LAYER)
    assert "KVL100" not in run(capsys, "a.py")[1]


def test_unused_noqa_in_a_notebook_cell(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("x"), nbformat.v4.new_code_cell("%time 1\ny = 2  # noqa: KVL003")]
    nbformat.write(notebook, "nb.ipynb")
    _, out, _ = run(capsys, "--extend-select", "KVL100", "nb.ipynb")
    assert kvl_lines(out) == ["nb.ipynb:cell 2:2:8: KVL100 unused `noqa` directive (unused: KVL003)"]


# -- --add-noqa ------------------------------------------------------------------------------------


def test_with_codes_keeps_what_the_line_has() -> None:
    assert with_codes("x = 1", ["KVL001"]) == "x = 1  # noqa: KVL001"
    assert with_codes("x = 1  # why", ["KVL001"]) == "x = 1  # why  # noqa: KVL001"
    assert with_codes("x = 1  # noqa: E501  # why", ["KVL001"]) == "x = 1  # noqa: E501, KVL001  # why"
    assert with_codes("x = 1  # noqa:KVL001,E501", ["KVL001", "KVL101"]) == "x = 1  # noqa:KVL001, E501, KVL101"
    assert with_codes("x = 1  # noqa", ["KVL001"]) == "x = 1  # noqa"
    assert add_to_source("a\r\nb = 1\r\n", {2: ["KVL001"]}) == ("a\r\nb = 1  # noqa: KVL001\r\n", 1)
    assert add_to_source("a = (1 + \\\n 2)\n", {1: ["KVL001"]}) == ("a = (1 + \\\n 2)\n", 0)


def test_add_noqa_silences_every_finding(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.py").write_text(LAYER)
    Path("b.py").write_text(UNTRACKED.replace("tf.Variable(1.0)", "tf.Variable(1.0)  # noqa: E501"))
    assert run(capsys, "--add-noqa", ".") == (0, "", "Added 2 noqa directives.\n")
    assert "        self.v = tf.Variable(2.0)  # noqa: KVL101, E501, KVL001\n" in Path("a.py").read_text()
    assert "        self.w = tf.Variable(1.0)  # noqa: E501, KVL001\n" in Path("b.py").read_text()
    assert run(capsys, ".")[0] == 0
    assert run(capsys, "--add-noqa", ".") == (0, "", "Added 0 noqa directives.\n")


def test_add_noqa_edits_a_notebook_cell(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("%matplotlib inline\n" + UNTRACKED)]
    nbformat.write(notebook, "nb.ipynb")
    assert run(capsys, "--add-noqa", "nb.ipynb") == (0, "", "Added 1 noqa directive.\n")
    cell = nbformat.read("nb.ipynb", as_version=4).cells[1].source
    assert cell.splitlines()[0] == "%matplotlib inline"
    assert cell.splitlines()[8] == "        self.w = tf.Variable(1.0)  # noqa: KVL001"
    assert run(capsys, "nb.ipynb")[0] == 0


def test_add_noqa_with_fix_is_a_usage_error(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("b.py").write_text(UNTRACKED)
    status, _, err = run(capsys, "--add-noqa", "--fix", "b.py")
    assert status == 2 and "--add-noqa cannot be combined with --fix" in err
    assert Path("b.py").read_text() == UNTRACKED
