"""The conventions of modern linters (issue 13, part 3): --exit-zero, --output-file, --show-source,
--quiet, rule lookup by name, the misspelt [tool.keras_varlint] table, and the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from tests.helpers import UNTRACKED

import keras_varlint
from keras_varlint.interfaces.cli import main
from keras_varlint.selection import UsageError
from keras_varlint.testing import assert_lint_clean

CLEAN = UNTRACKED.replace("tf.Variable(1.0)", "self.add_weight(shape=())")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["--no-cache", *argv] if argv[:1] != ("rule",) else list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def finding_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": KVL" in line]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scale.py").write_text(UNTRACKED)
    return tmp_path


def test_exit_zero_keeps_the_report(tree: Path, capsys) -> None:
    status, out, _ = run(capsys, "scale.py")
    assert status == 1
    assert run(capsys, "--exit-zero", "scale.py") == (0, out, "")
    assert run(capsys, "--exit-zero", "missing.py")[0] == 2  # a usage error is still one


def test_output_file_gets_the_report(tree: Path, capsys) -> None:
    _, shown, _ = run(capsys, "scale.py")
    status, out, err = run(capsys, "--output-file", "report.txt", "scale.py")
    assert (status, out, err) == (1, "", "")
    assert (tree / "report.txt").read_text() == shown
    status, out, _ = run(capsys, "--format", "json", "--output-file", "report.json", "scale.py")
    assert status == 1 and out == ""
    assert [f["code"] for f in json.loads((tree / "report.json").read_text())["findings"]] == ["KVL001"]
    status, out, err = run(capsys, "--output-file", "no/such/dir/r.txt", "scale.py")
    assert status == 2 and err.startswith("keras-varlint: error: cannot write no/such/dir/r.txt: ")
    assert err.count("\n") == 1


def test_show_source_prints_the_line_and_a_caret(tree: Path, capsys) -> None:
    (tree / "tabs.py").write_text(UNTRACKED.replace("    ", "\t"))
    _, out, _ = run(capsys, "--show-source", "scale.py", "tabs.py")
    lines = out.splitlines()
    assert lines[0].startswith("scale.py:8:18: KVL001 ")
    assert lines[1:5] == [
        "  |",
        "8 |         self.w = tf.Variable(1.0)",
        "  |                  ^^^^^^^^^^^^^^^^",
        "  |",
    ]
    assert lines[5].startswith("tabs.py:8:12: KVL001 ")
    assert lines[7:9] == ["8 | \t\tself.w = tf.Variable(1.0)", "  | \t\t         ^^^^^^^^^^^^^^^^"]
    _, plain, _ = run(capsys, "scale.py")
    assert "^" not in plain


def test_show_source_in_a_notebook_shows_the_cells_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("%load_ext autoreload\n" + UNTRACKED)]
    nbformat.write(notebook, str(tmp_path / "nb.ipynb"))
    _, out, _ = run(capsys, "--show-source", "nb.ipynb")
    assert out.splitlines()[:4] == [finding_lines(out)[0], "  |", "9 |         self.w = tf.Variable(1.0)",
                                    "  |                  ^^^^^^^^^^^^^^^^"]
    assert finding_lines(out)[0].startswith("nb.ipynb:cell 1:9:18: KVL001")


def test_quiet_prints_the_findings_and_nothing_else(tree: Path, capsys) -> None:
    (tree / "empty").mkdir()
    status, out, err = run(capsys, "empty")
    assert status == 0 and "no Python files found" in err
    assert run(capsys, "-q", "empty") == (0, "", "")
    status, out, err = run(capsys, "--quiet", "scale.py")
    assert status == 1 and err == ""
    assert out.splitlines() == finding_lines(out) and len(finding_lines(out)) == 1


def test_rule_by_name_or_code(capsys) -> None:
    status, by_code, _ = run(capsys, "rule", "KVL001")
    assert status == 0 and by_code.startswith("# untracked-variable (KVL001)")
    assert run(capsys, "rule", "untracked-variable") == (0, by_code, "")
    assert run(capsys, "rule", "Untracked_Variable") == (0, by_code, "")
    assert run(capsys, "rule", "untracked") == (2, "", "keras-varlint: error: unknown rule name 'untracked'\n")
    assert run(capsys, "rule", "kvl999") == (2, "", "keras-varlint: error: unknown rule code 'kvl999'\n")


def test_misspelt_table_is_reported_not_ignored(tree: Path, capsys) -> None:
    (tree / "pyproject.toml").write_text("[tool.keras_varlint]\nkeras-version = 2\n")
    message = ("keras-varlint: error: pyproject.toml: [tool.keras_varlint] is not read: "
               "the table is [tool.keras-varlint], with a hyphen\n")
    assert run(capsys, "scale.py") == (2, "", message)
    assert run(capsys, "--config", "pyproject.toml", "scale.py") == (2, "", message)
    (tree / "pyproject.toml").write_text("[tool.keras-varlint]\nkeras-version = 2\n")
    assert run(capsys, "scale.py")[0] == 0  # the hyphenated table is read: Keras 2 tracks tf.Variable


# -- the Python API ------------------------------------------------------------------------------


def test_lint_returns_the_findings(tree: Path) -> None:
    (tree / "clean.py").write_text(CLEAN)
    (finding,) = keras_varlint.lint(tree)
    assert (Path(finding.path).name, finding.line, finding.column, finding.code) == ("scale.py", 8, 17, "KVL001")
    assert [f.code for f in keras_varlint.lint(["scale.py", "clean.py"], select="KVL001")] == ["KVL001"]
    assert keras_varlint.lint("scale.py", ignore=["KVL001"]) == []
    assert keras_varlint.lint("scale.py", select=["KVL1"]) == []
    assert keras_varlint.lint("scale.py", keras_version=2) == []  # Keras 2 tracks tf.Variable
    assert keras_varlint.lint(Path("clean.py")) == []
    with pytest.raises(UsageError, match="path does not exist: nope.py"):
        keras_varlint.lint("nope.py")
    with pytest.raises(UsageError, match="keras_version must be 2 or 3"):
        keras_varlint.lint("scale.py", keras_version=4)
    with pytest.raises(UsageError, match="unknown rule code"):
        keras_varlint.lint("scale.py", select="KVL999")


def test_assert_lint_clean_by_path_or_package_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, source in (("cleanpkg_kvl", CLEAN), ("dirtypkg_kvl", UNTRACKED)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / "layers.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path / "cleanpkg_kvl")  # names resolve through sys.path, not the current directory
    assert_lint_clean("cleanpkg_kvl")
    assert_lint_clean(tmp_path / "cleanpkg_kvl" / "layers.py")
    with pytest.raises(AssertionError, match=r"found 1 problem\(s\) in dirtypkg_kvl:\n.*layers.py:8:18: KVL001"):
        assert_lint_clean("dirtypkg_kvl")
    assert_lint_clean("dirtypkg_kvl", ignore="KVL001")
    with pytest.raises(AssertionError, match="neither a path nor an importable package"):
        assert_lint_clean("no_such_pkg_kvl")
