"""Jupyter notebooks: linted like ruff lints them (issue 13, part 1).

Code cells are joined with a cell map, IPython syntax is masked, findings are placed by cell.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from keras_varlint.discovery.notebook import mask_magics, notebook_source
from keras_varlint.interfaces.cli import main

IMPORTS = "%matplotlib inline\n!pip install -q tensorflow\nimport tensorflow as tf\nfrom tensorflow import keras"
# Cell 3: the tf.Variable is on the cell's line 5, 1-based column 18, after a line magic in the block.
SCALE = (
    "class Scale(keras.layers.Layer):\n"
    "    def __init__(self, **kw):\n"
    "        super().__init__(**kw)\n"
    "        %time n = 1\n"
    "        self.w = tf.Variable(1.0)\n"
    "\n"
    "    def call(self, x):\n"
    "        return x * self.w"
)
QUIET = SCALE.replace("Scale", "Quiet").replace("tf.Variable(1.0)", "tf.Variable(1.0)  # noqa: KVL001")


def write_notebook(path: Path, *cells: tuple[str, str]) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
                      for kind, text in cells]
    nbformat.write(notebook, str(path))
    return path


def layers_notebook(path: Path, extra_markdown: int = 0) -> Path:
    return write_notebook(path, *[("md", "# notes")] * extra_markdown, ("md", "# Layers"), ("code", IMPORTS),
                          ("code", SCALE), ("code", "Scale?\n??keras.layers\n" + QUIET), ("code", "%%bash\necho hi"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# -- masking ---------------------------------------------------------------------------------------


def test_magics_are_masked_line_for_line() -> None:
    lines = ["%matplotlib inline", "!ls -l", "files = !ls", "for i in range(2):", "    %time f(i)",
             "keras.layers.Dense?", "??keras", "x = 1", "%run a \\", "  b.py"]
    masked = mask_magics(lines)
    assert masked == ["pass", "pass", "pass", "for i in range(2):", "    pass", "pass", "pass", "x = 1", "pass", ""]


def test_a_cell_magic_masks_its_cell_and_valid_python_is_untouched() -> None:
    assert mask_magics(["%%bash", "echo class A(B):", "ls"]) == ["pass", "", ""]
    text = ['s = """', "%not a magic inside a string", '"""']
    assert mask_magics(text) == text


def test_cell_map_counts_every_cell_from_one() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("a = 1\nb = 2\n"),
                      nbformat.v4.new_raw_cell("raw"), nbformat.v4.new_code_cell("c = 3")]
    source = notebook_source(nbformat.writes(notebook).encode())
    assert source.text == "a = 1\nb = 2\nc = 3\n"
    assert source.cell_map == [(2, 1), (2, 2), (4, 1)]


# -- the command line ------------------------------------------------------------------------------


def test_notebook_found_by_walking_reported_by_cell(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    layers_notebook(tmp_path / "layers.ipynb")
    status, out, err = run(capsys, "--no-cache", ".")
    assert status == 1, err
    # Quiet's finding in cell 4 is suppressed by its `# noqa: KVL001`
    findings = [line for line in out.splitlines() if ": KVL" in line]
    assert len(findings) == 1
    assert findings[0].startswith("layers.ipynb:cell 3:5:18: KVL001 tf.Variable stored in self.w")
    assert err == ""


def test_noqa_in_a_cell_is_what_suppresses(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_notebook(tmp_path / "nb.ipynb", ("code", IMPORTS), ("code", QUIET.replace("  # noqa: KVL001", "")))
    status, out, _ = run(capsys, "--no-cache", "nb.ipynb")
    assert status == 1 and out.startswith("nb.ipynb:cell 2:5:18: KVL001")


def test_json_carries_the_cell_and_the_line_in_it(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    layers_notebook(tmp_path / "layers.ipynb")
    (tmp_path / "plain.py").write_text("import tensorflow as tf\nfrom tensorflow import keras\n\n\n" + SCALE.replace("        %time n = 1\n", "        n = 1\n"))
    status, out, _ = run(capsys, "--no-cache", "--format", "json", ".")
    findings = json.loads(out)["findings"]
    by_path = {f["path"]: f for f in findings}
    notebook = by_path["layers.ipynb"]
    assert (notebook["cell"], notebook["line"], notebook["column"], notebook["end_line"]) == (3, 5, 17, 5)
    assert list(notebook)[-1] == "cell"
    assert notebook.get("fix") is None  # a fix's offsets would be in the joined text: --fix leaves notebooks alone
    assert "cell" not in by_path["plain.py"]  # Python files' findings keep the contract's keys


def test_cache_reuses_findings_and_follows_moved_cells(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = layers_notebook(tmp_path / "layers.ipynb")
    first = run(capsys, "--cache-dir", "c", ".")
    assert run(capsys, "--cache-dir", "c", ".") == first
    layers_notebook(path, extra_markdown=2)  # same code, two more cells above it
    status, out, _ = run(capsys, "--cache-dir", "c", ".")
    assert status == 1 and out.startswith("layers.ipynb:cell 5:5:18: KVL001")


def test_jobs_lint_many_notebooks_alike(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for i in range(10):
        write_notebook(tmp_path / f"nb{i}.ipynb", ("code", IMPORTS), ("md", "x"),
                       ("code", SCALE.replace("Scale", f"Scale{i}")))
    serial = run(capsys, "--no-cache", "-j", "1", ".")
    parallel = run(capsys, "--no-cache", "-j", "2", ".")
    assert serial == parallel
    assert serial[1].count(":cell 3:5:18: KVL001") == 10


def test_unreadable_notebook_is_a_parse_error(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.ipynb").write_text("{not json")
    status, out, _ = run(capsys, "--no-cache", ".")
    assert status == 1
    assert out.startswith("broken.ipynb:1:1: KVL000 cannot read notebook:")


def test_runtime_reports_notebook_findings_inconclusive(tmp_path: Path, capsys, monkeypatch) -> None:
    pytest.importorskip("tensorflow")
    monkeypatch.chdir(tmp_path)
    layers_notebook(tmp_path / "layers.ipynb")
    status, out, _ = run(capsys, "--no-cache", "--runtime", "--format", "json", ".")
    (finding,) = json.loads(out)["findings"]
    assert finding["runtime"] == {"status": "inconclusive",
                                  "detail": "layers defined in a notebook are not run by --runtime (its cells are not executed)"}


# -- the pre-commit hook ---------------------------------------------------------------------------


def test_precommit_hook_passes_notebooks(tmp_path: Path) -> None:
    """`types_or: [python, jupyter]`: pre-commit hands the hook the staged notebooks too."""
    from tests.interfaces import test_precommit as hook

    if hook.pre_commit_exe is None:
        pytest.skip("pre-commit is not installed: pip install pre-commit")
    repo_copy = tmp_path / "hook"
    listing = hook.subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                                   *hook.HOOK_REPO_FILES], cwd=hook.REPO, capture_output=True)
    if listing.returncode != 0:
        pytest.skip(f"{hook.REPO} is not a git checkout, so there is no hook repo to try")
    files = {}
    for name in filter(None, listing.stdout.decode().split("\0")):
        if (hook.REPO / name).is_file():
            files[name] = (hook.REPO / name).read_text()
    hook.new_repo(repo_copy, files)
    project = tmp_path / "repo"
    project.mkdir()
    layers_notebook(project / "layers.ipynb")
    (project / "pyproject.toml").write_text(hook.PYPROJECT)
    hook.git(project, "init", "-q")
    hook.git(project, "add", "-A")
    hook.git(project, "commit", "-q", "-m", "files")
    done = hook.try_repo(repo_copy, project)
    assert done.returncode == 1, done.stdout
    assert "layers.ipynb:cell 3:5:18: KVL001" in done.stdout
