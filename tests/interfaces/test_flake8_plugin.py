"""The flake8 plugin, run as ``python -m flake8`` in a subprocess, against the CLI and flake8's own rules."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from keras_varlint.findings import Finding
from keras_varlint.output.common import message_with_runtime
from tests.helpers import UNTRACKED

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
FORMAT = "--format=%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"

Row = tuple[str, int, int, str, str]  # (path, line, 1-based column, code, message)

W_LINE, W_COL = 8, 18  # the `tf.Variable(` call above, as flake8 prints it (1-based column)

COUNTER = textwrap.dedent(
    """\
    import keras
    import tensorflow as tf


    class Counter(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.count = tf.Variable(0, trainable=False)

        def call(self, x):
            self.count.assign_add(1)
            return x
    """
)

PLAIN = "def double(x):\n    return 2 * x\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def flake8(cwd: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[set[Row], subprocess.CompletedProcess]:
    """Run flake8 (no user or project config unless ``cwd`` has one) and parse its report."""
    done = subprocess.run(
        [sys.executable, "-m", "flake8", FORMAT, *argv],
        cwd=cwd, capture_output=True, text=True, timeout=600, env=env,
    )
    assert done.returncode in (0, 1), done.stderr
    rows = set()
    for line in done.stdout.splitlines():
        path, row, col, code, text = line.split("\t")  # flake8 splits "KVL001 message" into code, text
        rows.add((os.path.normpath(path), int(row), int(col), code, text))
    return rows, done


def cli_json(cwd: Path, *argv: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "keras_varlint.interfaces.cli", "--format", "json", *argv],
        cwd=cwd, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def cli_rows(report: dict) -> set[Row]:
    return {
        (os.path.normpath(f["path"]), f["line"], f["column"] + 1, f["code"], f["message"])
        for f in report["findings"]
    }


def codes(rows: set[Row]) -> list[tuple[str, int, str]]:
    return sorted((path, line, code) for path, line, _, code, _ in rows)


# -- registration and options ---------------------------------------------------------------------


def test_plugin_is_registered_with_its_options(tmp_path: Path) -> None:
    version = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "keras-varlint:" in version.stdout
    helptext = subprocess.run([sys.executable, "-m", "flake8", "--help"], capture_output=True, text=True).stdout
    assert "--kvl-keras-version {2,3}" in helptext and "--kvl-runtime" in helptext


def test_reports_the_finding_with_flake8_positions(tmp_path: Path) -> None:
    write(tmp_path, {"scale.py": UNTRACKED})
    rows, done = flake8(tmp_path, "scale.py")
    assert done.returncode == 1
    assert codes(rows) == [("scale.py", W_LINE, "KVL001")]
    [(_, _, col, _, message)] = rows
    assert col == W_COL  # the plugin yields 0-based columns and flake8 adds 1
    assert message.startswith("tf.Variable stored in self.w")


def test_default_off_list_matches_the_rules() -> None:
    from keras_varlint.interfaces.flake8_plugin import DEFAULT_OFF
    from keras_varlint.rules.base import registry

    assert set(DEFAULT_OFF) == {code for code, rule in registry().items() if not rule.default_enabled}


def test_default_off_codes_need_selecting(tmp_path: Path) -> None:
    write(tmp_path, {"counter.py": COUNTER})
    assert flake8(tmp_path, "counter.py")[0] == set()
    assert codes(flake8(tmp_path, "--extend-select", "KVL010", "counter.py")[0]) == [("counter.py", 8, "KVL010")]
    assert codes(flake8(tmp_path, "--select", "KVL", "counter.py")[0]) == [("counter.py", 8, "KVL010")]


def test_flake8_selection_decides(tmp_path: Path) -> None:
    write(tmp_path, {"scale.py": UNTRACKED + "\n\nx = 1;\n"})  # E703, a pycodestyle code
    assert {r[3] for r in flake8(tmp_path, "scale.py")[0]} == {"E703", "KVL001"}
    assert {r[3] for r in flake8(tmp_path, "--select", "E", "scale.py")[0]} == {"E703"}
    assert {r[3] for r in flake8(tmp_path, "--select", "KVL0", "scale.py")[0]} == {"KVL001"}
    assert {r[3] for r in flake8(tmp_path, "--extend-ignore", "KVL001", "scale.py")[0]} == {"E703"}


def test_keras_version_option_and_config(tmp_path: Path) -> None:
    write(tmp_path, {"scale.py": UNTRACKED})
    assert flake8(tmp_path, "--kvl-keras-version", "2", "scale.py")[0] == set()  # KVL001 is Keras 3 only
    assert codes(flake8(tmp_path, "--kvl-keras-version", "3", "scale.py")[0]) == [("scale.py", W_LINE, "KVL001")]
    (tmp_path / "setup.cfg").write_text("[flake8]\nkvl-keras-version = 2\n")
    assert flake8(tmp_path, "scale.py")[0] == set()
    for value in ("4", "three"):  # flake8's own one-line option error (after its usage line), no traceback
        (tmp_path / "setup.cfg").write_text(f"[flake8]\nkvl_keras_version = {value}\n")
        done = subprocess.run([sys.executable, "-m", "flake8", "scale.py"], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.splitlines()[-1] == f"flake8: error: argument --kvl-keras-version: must be 2 or 3, not '{value}'"
    done = subprocess.run([sys.executable, "-m", "flake8", "--kvl-keras-version", "three", "scale.py"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.splitlines()[-1].endswith("must be 2 or 3, not 'three'")


# -- [tool.keras-varlint] in pyproject.toml ---------------------------------------------------------

# Conditional imports that disagree: the Keras version is unknown and KVL001 stays silent unless
# a version is configured.
AMBIGUOUS = UNTRACKED.replace("import keras\n", "try:\n    import tf_keras as keras\nexcept ImportError:\n    import keras\n")
AMBIGUOUS_LINE = W_LINE + 3


def pyproject(root: Path, table: str) -> None:
    (root / "pyproject.toml").write_text(f"[project]\nname = 'demo'\n\n[tool.keras-varlint]\n{table}\n")


def test_pyproject_keras_version_is_read(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/ambiguous.py": AMBIGUOUS, "pkg/scale.py": UNTRACKED})
    assert codes(flake8(tmp_path, "pkg")[0]) == [("pkg/scale.py", W_LINE, "KVL001")]
    pyproject(tmp_path, "keras-version = 3")
    three = [("pkg/ambiguous.py", AMBIGUOUS_LINE, "KVL001"), ("pkg/scale.py", W_LINE, "KVL001")]
    assert codes(flake8(tmp_path, "pkg")[0]) == three
    assert codes(flake8(tmp_path, "-j", "2", "pkg")[0]) == three  # read before the workers fork
    # found as the CLI finds it: the nearest pyproject.toml with the table, above the first path
    (tmp_path / "pkg" / "pyproject.toml").write_text("[project]\nname = 'inner'\n")  # no table: skipped
    assert {(line, code) for _, line, _, code, _ in flake8(tmp_path / "pkg", ".")[0]} == {
        (AMBIGUOUS_LINE, "KVL001"), (W_LINE, "KVL001")}
    pyproject(tmp_path, "keras-version = 2")
    assert flake8(tmp_path, "pkg")[0] == set()  # KVL001 is Keras 3 only


def test_flake8_keras_version_overrides_pyproject(tmp_path: Path) -> None:
    write(tmp_path, {"ambiguous.py": AMBIGUOUS})
    pyproject(tmp_path, "keras-version = 3")
    assert flake8(tmp_path, "--kvl-keras-version", "2", "ambiguous.py")[0] == set()
    (tmp_path / "setup.cfg").write_text("[flake8]\nkvl-keras-version = 2\n")
    assert flake8(tmp_path, "ambiguous.py")[0] == set()
    pyproject(tmp_path, "keras-version = 2")
    assert codes(flake8(tmp_path, "--kvl-keras-version", "3", "ambiguous.py")[0]) == [
        ("ambiguous.py", AMBIGUOUS_LINE, "KVL001")]


def test_pyproject_exclude_adds_to_flake8_exclude(tmp_path: Path) -> None:
    write(tmp_path, {
        "scale.py": UNTRACKED, "legacy/old.py": UNTRACKED + "x = 1;\n", "vendored/lib.py": UNTRACKED,
        "src/gen/made.py": UNTRACKED,
    })
    pyproject(tmp_path, 'exclude = ["legacy", "src/gen/*"]')
    rows, _ = flake8(tmp_path, "--select", "KVL,E703", "--extend-exclude", "vendored", ".")
    assert codes(rows) == [("legacy/old.py", 12, "E703"), ("scale.py", W_LINE, "KVL001")]  # flake8's own codes stay
    assert codes(flake8(tmp_path, "--select", "KVL", "-j", "2", ".")[0]) == [
        ("scale.py", W_LINE, "KVL001"), ("vendored/lib.py", W_LINE, "KVL001")]
    assert codes(flake8(tmp_path, "--select", "KVL", "src/gen/made.py", "scale.py")[0]) == [("scale.py", W_LINE, "KVL001")]
    done = subprocess.run(  # standard input, excluded by its display name as flake8 excludes it
        [sys.executable, "-m", "flake8", "--select", "KVL", "--stdin-display-name", "src/gen/made.py", "-"],
        cwd=tmp_path, input=UNTRACKED, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_pyproject_codes_are_left_to_flake8(tmp_path: Path) -> None:
    """flake8's select, ignore and per-file-ignores decide; the table's are the CLI's alone."""
    write(tmp_path, {"scale.py": UNTRACKED, "counter.py": COUNTER})
    pyproject(tmp_path, textwrap.dedent(
        """\
        select = ["KVL010"]
        extend-select = ["KVL105"]
        ignore = ["KVL001"]
        per-file-ignores = { "scale.py" = ["ALL"] }
        cache-dir = "kvl-cache"
        """
    ))
    assert codes(cli_rows(cli_json(tmp_path, "--no-cache", "."))) == [("counter.py", 8, "KVL010")]  # the CLI obeys
    assert codes(flake8(tmp_path, ".")[0]) == [("scale.py", W_LINE, "KVL001")]
    assert (tmp_path / "kvl-cache").is_dir() and not (tmp_path / ".keras_varlint_cache").exists()  # but its cache-dir holds
    assert codes(flake8(tmp_path, "--extend-select", "KVL010", ".")[0]) == [
        ("counter.py", 8, "KVL010"), ("scale.py", W_LINE, "KVL001")]
    log = subprocess.run([sys.executable, "-m", "flake8", "-v", "."], cwd=tmp_path, capture_output=True, text=True).stderr
    assert "flake8's own options replace its select, ignore, extend-select, per-file-ignores" in log


def test_invalid_pyproject_stops_flake8_with_the_cli_message(tmp_path: Path) -> None:
    write(tmp_path, {"scale.py": UNTRACKED})
    pyproject(tmp_path, "keras-versoin = 3")
    done = subprocess.run([sys.executable, "-m", "flake8", "scale.py"], cwd=tmp_path, capture_output=True, text=True)
    message = "pyproject.toml: [tool.keras-varlint] keras-versoin: unknown key (did you mean 'keras-version'?)"
    assert done.returncode == 1 and message in done.stdout
    assert message in subprocess.run([sys.executable, "-m", "keras_varlint.interfaces.cli", "scale.py"],
                                     cwd=tmp_path, capture_output=True, text=True).stderr


NEEDS_DEPTH = UNTRACKED.replace("def __init__(self):", "def __init__(self, depth):")


@pytest.mark.runtime
@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="--kvl-runtime needs TensorFlow")
def test_runtime_uses_the_pyproject_examples(tmp_path: Path) -> None:
    write(tmp_path, {"needs.py": NEEDS_DEPTH})
    [(*_, message)] = flake8(tmp_path, "--select", "KVL", "--kvl-runtime", "needs.py")[0]
    assert "[not confirmed: " in message  # Scale(depth) cannot be built without an example
    pyproject(tmp_path, '[tool.keras-varlint.runtime.examples."needs:Scale"]\nkwargs = { depth = 2 }')
    [(*_, message)] = flake8(tmp_path, "--select", "KVL", "--kvl-runtime", "needs.py")[0]
    assert message.endswith("[confirmed at runtime]")


# -- noqa, per-file-ignores, syntax errors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "reported"),
    [("  # noqa", False), ("  # noqa: KVL001", False), ("  # noqa:KVL0", False), ("  # noqa: E501", True)],
)
def test_noqa(tmp_path: Path, comment: str, reported: bool) -> None:
    lines = UNTRACKED.splitlines()
    lines[W_LINE - 1] += comment
    write(tmp_path, {"scale.py": "\n".join(lines) + "\n"})
    assert bool(flake8(tmp_path, "--select", "KVL", "scale.py")[0]) is reported


def test_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path, {"a/scale.py": UNTRACKED, "b/scale.py": UNTRACKED})
    (tmp_path / "setup.cfg").write_text("[flake8]\nper-file-ignores =\n    a/*: KVL001\n")
    assert codes(flake8(tmp_path, "--select", "KVL", ".")[0]) == [("b/scale.py", W_LINE, "KVL001")]


def test_syntax_error_is_e999_only(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": UNTRACKED + "\ndef oops(:\n    pass\n"})
    rows, _ = flake8(tmp_path, "--select", "KVL,E999", "broken.py")
    assert [r[3] for r in rows] == ["E999"]


def test_undecodable_file_is_kvl000_like_the_cli(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b'name = "caf\xe9"\n')  # not UTF-8, no coding cookie
    rows, _ = flake8(tmp_path, "--select", "KVL,E9", "latin.py")  # flake8 itself falls back to latin-1
    assert codes(rows) == [("latin.py", 1, "KVL000")]
    assert rows == cli_rows(cli_json(tmp_path, "--no-cache", "latin.py"))


def test_standard_input_is_linted_as_read(tmp_path: Path) -> None:
    write(tmp_path, {"scale.py": PLAIN})  # on disk: clean; on standard input: the bug
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "KVL", "--stdin-display-name", "scale.py", "-"],
        cwd=tmp_path, input=UNTRACKED, capture_output=True, text=True, timeout=600,
    )
    assert f"scale.py:{W_LINE}:{W_COL}: KVL001 " in done.stdout, done.stdout + done.stderr


# -- several files, processes and modules ----------------------------------------------------------


def test_jobs_and_mixed_files_agree_with_serial_and_cli(tmp_path: Path) -> None:
    files = {f"pkg/layer_{i}.py": UNTRACKED.replace("Scale", f"Scale{i}") for i in range(6)}
    files |= {f"pkg/plain_{i}.py": PLAIN for i in range(6)}
    files["pkg/counter.py"] = COUNTER
    write(tmp_path, files)
    serial, _ = flake8(tmp_path, "--select", "KVL", "-j", "1", "pkg")
    parallel, _ = flake8(tmp_path, "--select", "KVL", "-j", "2", "pkg")
    assert parallel == serial
    assert codes(serial) == sorted(
        [(f"pkg/layer_{i}.py", W_LINE, "KVL001") for i in range(6)] + [("pkg/counter.py", 8, "KVL010")]
    )
    assert serial == cli_rows(cli_json(tmp_path, "--no-cache", "--select", "ALL", "pkg"))


CROSS_FILE = {
    "proj/__init__.py": "",
    "proj/base.py": "import keras\n\n\nclass Base(keras.layers.Layer):\n    pass\n",
    "proj/child.py": textwrap.dedent(
        """\
        import tensorflow as tf

        from proj.base import Base


        class Child(Base):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(1.0)

            def call(self, x):
                return x * self.w
        """
    ),
    "proj/grandchild.py": textwrap.dedent(
        """\
        import tensorflow as tf

        from .child import Child


        class GrandChild(Child):
            def build(self, input_shape):
                self.v = tf.Variable(2.0)

            def call(self, x):
                return super().call(x) * self.v
        """
    ),
}
CROSS_FILE_FINDINGS = [("proj/child.py", 9, "KVL001"), ("proj/grandchild.py", 8, "KVL001")]


@pytest.mark.parametrize(
    "argv",
    [
        ["proj/child.py", "proj/grandchild.py"],  # the base module is not among the files
        ["proj"],
        ["-j", "2", "proj"],
        ["-j", "2", "proj/grandchild.py", "proj/child.py"],
    ],
    ids=["only-subclasses", "package", "package-j2", "only-subclasses-j2"],
)
def test_base_layer_in_another_module_is_found(tmp_path: Path, argv: list[str]) -> None:
    write(tmp_path, CROSS_FILE)
    rows, _ = flake8(tmp_path, "--select", "KVL", *argv)
    assert codes(rows) == CROSS_FILE_FINDINGS


def test_base_layer_found_when_one_file_is_checked(tmp_path: Path) -> None:
    write(tmp_path, CROSS_FILE)
    assert codes(flake8(tmp_path, "--select", "KVL", "proj/grandchild.py")[0]) == CROSS_FILE_FINDINGS[1:]
    src = tmp_path / "src"  # run from elsewhere: resolution starts from the file's location
    src.mkdir()
    rows, _ = flake8(src, "--select", "KVL", str(tmp_path / "proj" / "child.py"))
    assert [(line, code) for _, line, _, code, _ in rows] == [(9, "KVL001")]


# -- no TensorFlow unless asked ------------------------------------------------------------------


def test_tensorflow_is_not_imported(tmp_path: Path) -> None:
    """A ``tensorflow`` package first on the path records any import of it and fails."""
    shim, marker = tmp_path / "shim", tmp_path / "tensorflow-was-imported"
    write(shim, {
        "tensorflow/__init__.py": f"open({str(marker)!r}, 'a').close()\nraise ImportError('no tensorflow here')\n",
    })
    write(tmp_path, {"work/scale.py": UNTRACKED, "work/counter.py": COUNTER, "work/plain.py": PLAIN})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shim), os.environ.get("PYTHONPATH", "")])}

    control = subprocess.run([sys.executable, "-c", "import tensorflow"], env=env, capture_output=True, text=True)
    assert control.returncode == 1 and marker.exists(), "the shim must catch an import of tensorflow"
    marker.unlink()

    for jobs in ("1", "2"):
        rows, _ = flake8(tmp_path / "work", "--select", "KVL", "-j", jobs, ".", env=env)
        assert codes(rows) == [("counter.py", 8, "KVL010"), ("scale.py", W_LINE, "KVL001")]
        assert not marker.exists()


@pytest.mark.runtime
@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="--kvl-runtime needs TensorFlow")
def test_runtime_verdicts_match_the_cli(tmp_path: Path) -> None:
    write(tmp_path, {"work/scale.py": UNTRACKED, "work/counter.py": COUNTER})
    rows, _ = flake8(tmp_path / "work", "--select", "KVL", "--kvl-runtime", ".")
    assert ("scale.py", W_LINE, W_COL, "KVL001") in {row[:4] for row in rows}
    assert all(row[4].endswith("]") for row in rows)  # every message carries a verdict
    report = cli_json(tmp_path / "work", "--no-cache", "--select", "ALL", "--runtime", ".")
    assert rows == {
        (os.path.normpath(f["path"]), f["line"], f["column"] + 1, f["code"], message_with_runtime(Finding.from_json(f)))
        for f in report["findings"]
    }


# -- the fixtures, against the CLI ---------------------------------------------------------------


def test_fixtures_match_the_cli() -> None:
    """``flake8 --select KVL fixtures`` and ``keras-varlint --select ALL fixtures`` agree exactly."""
    rows, _ = flake8(REPO, "--select", "KVL,E999", "-j", "2", "fixtures")
    syntax_errors = {path for path, *_, code, _ in rows if code == "E999"}
    expected = {row for row in cli_rows(cli_json(REPO, "--select", "ALL", "fixtures"))
                if not (row[3] == "KVL000" and row[0] in syntax_errors)  # flake8's E999 instead
                and row[3] != "KVL100"}  # unused noqa: only the CLI judges directives
    assert {row for row in rows if row[3] != "E999"} == expected
    assert expected, "the fixtures should produce findings"


# -- the README section ---------------------------------------------------------------------------

DOCS = REPO / "README.md"
DOCS_EXAMPLE = textwrap.dedent(
    """\
    import keras
    import tensorflow as tf


    class Scale(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(1.0)

        def call(self, x):
            return x * self.w


    class Head(keras.layers.Layer):
        def call(self, x):
            return keras.layers.Dense(1)(x)


    class Gate(keras.layers.Layer):
        def build(self, input_shape):
            self.bias = self.add_weight(shape=(), initializer="zeros")

        def call(self, x):
            return x + float(self.bias)
    """
)


def doc_blocks(section: str) -> list[tuple[str, str]]:
    """The ``(language, text)`` of each fenced block under the ``## section`` heading of the docs."""
    text = DOCS.read_text().split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    parts = text.split("```")
    return [(block.split("\n", 1)[0], block.split("\n", 1)[1]) for block in parts[1::2]]


def test_docs_flake8_section_is_a_real_run(tmp_path: Path) -> None:
    [(lang, config), (console_lang, console)] = doc_blocks("Use with flake8")
    assert (lang, console_lang) == ("ini", "console")
    command, *output = console.splitlines()
    assert command.startswith("$ flake8 ")
    write(tmp_path, {".flake8": config, "model/layers.py": DOCS_EXAMPLE, "tests/test_layers.py": PLAIN})
    done = subprocess.run([sys.executable, "-m", *command[2:].split()], cwd=tmp_path, capture_output=True, text=True)
    assert done.stdout.splitlines() == output, done.stderr


NOQA_FORMS = [
    "# noqa", "# NOQA", "# NoQA", "# noqa: KVL001", "# noqa:KVL001", "# NOQA: KVL001,KVL101", "# noqa: KVL0",
    "# noqa: KVL1", "# NOQA: kvl001", "# noqa: E501", "#noqa", "# noqa: KVL", "# noqa : KVL001",
]


def test_noqa_forms_suppress_the_same_findings_in_flake8_and_the_cli(tmp_path: Path) -> None:
    """Every spelling of `# noqa` decides alike in both: the CLI uses flake8's own pattern."""
    lines = UNTRACKED.splitlines()
    (index,) = [i for i, line in enumerate(lines) if "tf.Variable" in line]
    files = {f"m{n}.py": "\n".join([*lines[:index], f"{lines[index]}  {form}", *lines[index + 1:]]) + "\n"
             for n, form in enumerate(NOQA_FORMS)}
    write(tmp_path, files)
    rows, _ = flake8(tmp_path, "--select", "KVL", "--kvl-keras-version", "3", ".")
    by_flake8 = {os.path.basename(path) for path, *_ in rows}
    by_cli = {os.path.basename(f["path"]) for f in cli_json(tmp_path, "--no-cache", "--keras-version", "3", ".")["findings"]}
    assert by_cli == by_flake8
    reported = {NOQA_FORMS[int(name[1:-3])] for name in by_cli}
    assert reported == {"# noqa: KVL1", "# NOQA: kvl001", "# noqa: E501", "#noqa"}
