"""End-to-end runs of the installed command in a subprocess, on small trees."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import UNTRACKED




def keras_varlint(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "keras_varlint.interfaces.cli", "--no-cache", *argv]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_nonexistent_path_exits_2_with_one_line(tmp_path: Path) -> None:
    done = keras_varlint(tmp_path, "missing_dir")
    assert done.returncode == 2
    assert done.stderr == "keras-varlint: error: path does not exist: missing_dir\n"
    assert done.stdout == ""


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.keras-varlint]\nper-file-ignores = { "t/*" = ["KVL99x"] }\n')
    done = keras_varlint(tmp_path, ".")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert 'pyproject.toml: [tool.keras-varlint] per-file-ignores."t/*": unknown rule code' in done.stderr


def test_finds_an_untracked_variable(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "layers.py").write_text(UNTRACKED)
    done = keras_varlint(tmp_path, "pkg", "--keras-version", "3")
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0].startswith("pkg/layers.py:8:18: KVL001 ")

    done = keras_varlint(tmp_path, "pkg", "--format", "json")
    data = json.loads(done.stdout)
    assert data["version"] == 1 and data["files"] == 1
    assert [(f["path"], f["line"], f["column"], f["code"]) for f in data["findings"]] == [
        ("pkg/layers.py", 8, 17, "KVL001")
    ]

    assert keras_varlint(tmp_path, "pkg", "--ignore", "KVL001").returncode == 0
    assert keras_varlint(tmp_path, "pkg", "--keras-version", "2").returncode == 0


def test_parse_error_is_kvl000_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("import keras\n\n\nclass Broken(keras.layers.Layer):\n    def call(self, x)\n")
    (tmp_path / "good.py").write_text("import keras\n\n\nclass Fine(keras.layers.Layer):\n    pass\n")
    done = keras_varlint(tmp_path, ".", "--format", "json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["files"] == 2
    assert [(f["path"], f["code"]) for f in data["findings"]] == [("bad.py", "KVL000")]
    assert data["findings"][0]["line"] == 5


def test_directory_without_python_files_gives_a_note_and_exit_0(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.txt").write_text("nothing here\n")
    done = keras_varlint(tmp_path, "empty")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("keras-varlint: note: ")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_every_format_runs_clean(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "clean.py").write_text("def f(x):\n    return x\n")
    done = keras_varlint(tmp_path, "clean.py", "--format", fmt, "--statistics")
    assert done.returncode == 0, done.stderr
    if fmt in ("json", "sarif"):
        json.loads(done.stdout)
    else:
        assert done.stdout == ""


@pytest.mark.runtime
@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
def test_runtime_confirmation_in_text_and_json(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "layers.py").write_text(UNTRACKED)
    done = keras_varlint(tmp_path, "pkg", "--runtime", "--format", "json")
    assert done.returncode == 1, done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["code"] == "KVL001" and finding["runtime"]["status"] == "confirmed"
    done = keras_varlint(tmp_path, "pkg", "--runtime")
    assert done.stdout.splitlines()[0].endswith("[confirmed at runtime]"), done.stdout + done.stderr


def test_per_file_ignores_match_from_the_project_root_wherever_the_cli_runs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.keras-varlint]\nper-file-ignores = { "tests/*" = ["KVL001"] }\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_layers.py").write_text(UNTRACKED)
    (tmp_path / "layers.py").write_text(UNTRACKED)
    from_root = keras_varlint(tmp_path, "--keras-version", "3", ".")
    from_tests = keras_varlint(tmp_path / "tests", "--keras-version", "3", ".", "..")
    assert "test_layers.py" not in from_root.stdout and "layers.py:8" in from_root.stdout
    assert "test_layers.py" not in from_tests.stdout and "layers.py:8" in from_tests.stdout


NOQA_FORMS = {
    "bare.py": "  # noqa",
    "exact.py": "  # noqa: KVL001",
    "prefix.py": "  # noqa:KVL0",  # flake8 compares codes as prefixes
    "listed.py": "  # NOQA: E501, KVL001",
    "other_code.py": "  # noqa: E501",
    "no_comment.py": "",
}


def test_noqa_suppresses_what_it_names_in_the_cli(tmp_path: Path) -> None:
    for name, comment in NOQA_FORMS.items():
        (tmp_path / name).write_text(UNTRACKED.replace("tf.Variable(1.0)\n", f"tf.Variable(1.0){comment}\n"))
    done = keras_varlint(tmp_path, ".", "--keras-version", "3", "--format", "json")
    assert done.returncode == 1, done.stderr
    flagged = sorted(f["path"] for f in json.loads(done.stdout)["findings"] if f["code"] == "KVL001")
    assert flagged == ["no_comment.py", "other_code.py"]


def test_exclude_applies_to_files_named_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.keras-varlint]\nexclude = ["legacy/*"]\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(UNTRACKED)
    done = keras_varlint(tmp_path, "--keras-version", "3", "legacy/old.py")
    assert done.returncode == 0 and done.stdout == "", done.stdout
