"""``keras-varlint -`` and ``--stdin-filename`` (issue 13, part 2): an editor's unsaved buffer,
linted as if it were a file of the project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat

# A layer whose base class is in another module of the project: without the project around it,
# nothing says it is a Keras layer.
CHILD = (
    "import tensorflow as tf\n"
    "from pkg.base import Base\n"
    "\n"
    "\n"
    "class Scale(Base):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.w = tf.Variable(1.0)\n"
    "\n"
    "    def call(self, x):\n"
    "        return x * self.w\n"
)
BASE = "from tensorflow import keras\n\n\nclass Base(keras.layers.Layer):\n    pass\n"


def project(root: Path, config: str = "") -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "base.py").write_text(BASE)
    (root / "pyproject.toml").write_text(f"[tool.keras-varlint]\n{config}")
    return root


def keras_varlint(cwd: Path, stdin: str, *argv: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "keras_varlint.interfaces.cli", "--no-cache", *argv]
    return subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300)


def codes(done: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in json.loads(done.stdout)["findings"]]


def test_stdin_is_placed_in_the_project_by_its_filename(tmp_path: Path) -> None:
    root = project(tmp_path / "proj")
    done = keras_varlint(root, CHILD, "--format", "json", "-", "--stdin-filename", "pkg/unsaved.py")
    assert done.returncode == 1, done.stderr
    assert codes(done) == [("pkg/unsaved.py", 8, "KVL001")]  # the base class came from pkg/base.py
    assert not (root / "pkg" / "unsaved.py").exists()


def test_the_text_read_is_stdin_not_the_file_on_disk(tmp_path: Path) -> None:
    root = project(tmp_path / "proj")
    (root / "pkg" / "layer.py").write_text(CHILD)  # saved with the bug; the buffer has it fixed
    fixed = CHILD.replace("tf.Variable(1.0)", "self.add_weight(shape=())")
    done = keras_varlint(root, fixed, "-", "--stdin-filename", "pkg/layer.py")
    assert done.returncode == 0, done.stdout + done.stderr
    done = keras_varlint(root, CHILD, "-", "--stdin-filename", "pkg/layer.py")
    assert done.returncode == 1 and done.stdout.startswith("pkg/layer.py:8:18: KVL001")


def test_config_comes_from_the_filename(tmp_path: Path) -> None:
    """The pyproject.toml above --stdin-filename decides, not the one of the current directory."""
    elsewhere = project(tmp_path / "elsewhere")
    keras2 = project(tmp_path / "keras2", "keras-version = 2\n")
    ignored = project(tmp_path / "ignored", 'per-file-ignores = { "pkg/*" = ["KVL001"] }\n')
    assert keras_varlint(elsewhere, CHILD, "-", "--stdin-filename", "pkg/x.py").returncode == 1
    for root in (keras2, ignored):
        done = keras_varlint(elsewhere, CHILD, "-", "--stdin-filename", str(root / "pkg" / "x.py"))
        assert done.returncode == 0, (root, done.stdout)


def test_without_a_filename_stdin_is_reported_as_dash(tmp_path: Path) -> None:
    standalone = CHILD.replace("from pkg.base import Base", "from tensorflow import keras").replace(
        "Scale(Base)", "Scale(keras.layers.Layer)")
    done = keras_varlint(tmp_path, standalone, "-")
    assert done.returncode == 1 and done.stdout.startswith("-:8:18: KVL001"), done.stderr
    assert keras_varlint(tmp_path, "x = 1\n", "-").returncode == 0


def test_stdin_notebook(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("%load_ext autoreload\nimport tensorflow as tf"),
                      nbformat.v4.new_code_cell(CHILD.replace("import tensorflow as tf\n", ""))]
    root = project(tmp_path / "proj")
    done = keras_varlint(root, nbformat.writes(notebook), "-", "--stdin-filename", "pkg/try.ipynb")
    assert done.returncode == 1 and done.stdout.startswith("pkg/try.ipynb:cell 2:7:18: KVL001"), done.stderr


def test_stdin_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    for argv, message in [
        (["-", "a.py"], "'-' (standard input) cannot be linted together with other paths"),
        (["a.py", "--stdin-filename", "b.py"], "--stdin-filename names standard input: give '-' as the only path"),
        (["-", "--runtime"], "--runtime does not apply to standard input: it runs the files on disk"),
    ]:
        done = keras_varlint(tmp_path, "x = 1\n", *argv)
        assert (done.returncode, done.stderr) == (2, f"keras-varlint: error: {message}\n"), argv
