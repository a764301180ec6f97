"""The README's snippets stay true: its pytest example passes, its commands exist."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.runtime
def test_readme_pytest_example_passes(tmp_path):
    (example,) = re.findall(r"```python\n(# test_my_layers\.py.*?)```", README, re.S)
    (tmp_path / "test_my_layers.py").write_text(example)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert f"```bash\n{ci}\n```" in README


CONSOLE = re.findall(r"```console\n\$ (keras-varlint [^\n]*)\n(.*?)```", README, re.S)


@pytest.mark.parametrize("command,output", [c for c in CONSOLE if "--runtime" not in c[0]], ids=lambda c: str(c)[:60])
def test_readme_console_examples_print_what_they_show(command, output, tmp_path):
    """Each `$ keras-varlint ...` example, run from the repository root, prints exactly its lines."""
    args = command.split()[1:] + ["--cache-dir", str(tmp_path)]
    run = subprocess.run([sys.executable, "-m", "keras_varlint.interfaces.cli", *args],
                         capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=300)
    assert run.stdout == output, run.stderr


def test_readme_has_console_examples_to_check():
    assert len([c for c in CONSOLE if "--runtime" not in c[0]]) >= 2


def test_the_first_example_is_among_the_checked_ones():
    """The finding the README opens with (its line and column included) is a real run's output."""
    first = re.search(r"```console\n\$ (keras-varlint [^\n]*)\n(.*?)```", README, re.S)
    assert first is not None and (first.group(1), first.group(2)) in CONSOLE
    assert "--runtime" not in first.group(1)


@pytest.mark.parametrize("command,output", [c for c in CONSOLE if "--runtime" in c[0]], ids=lambda c: str(c)[:60])
def test_readme_runtime_examples_show_real_static_findings(command, output, tmp_path):
    """A `--runtime` example's lines, without their verdict and with `...` for the elided part,
    are lines of the static run (which needs no TensorFlow)."""
    args = [a for a in command.split()[1:] if a != "--runtime"] + ["--cache-dir", str(tmp_path)]
    run = subprocess.run([sys.executable, "-m", "keras_varlint.interfaces.cli", *args],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    static = run.stdout.splitlines()
    for shown in output.splitlines():
        shown = re.sub(r" \[(confirmed at runtime|refuted at runtime: .*|not confirmed: .*)\]$", "", shown)
        pattern = re.compile(".*".join(map(re.escape, shown.split("..."))))
        assert any(pattern.fullmatch(line) for line in static), (shown, static)


def test_readme_json_example_is_a_real_run(tmp_path):
    section = README.split("### JSON report\n", 1)[1]
    (command,) = re.findall(r"\(`(keras-varlint --format json [^`]*)`", section.split("```json", 1)[0])
    shown = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    run = subprocess.run([sys.executable, "-m", "keras_varlint.interfaces.cli", *command.split()[1:],
                          "--cache-dir", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    report = json.loads(run.stdout)
    for finding in report["findings"]:
        finding["message"] = "..."
    assert report == shown


def test_readme_slow_checks_are_the_slow_tests():
    """The README names what `-m slow` adds; each slow test maps to its words there."""
    described = {  # slow test -> the README's words for it
        "test_any_program_from_the_grammar_slow": "long fuzzing",
        "test_any_program_from_libcst_nodes_slow": "long fuzzing",
        "test_mutated_fixtures_slow": "mutation runs",
        "test_serial_and_parallel_runs_agree_on_keras": "serial-against-parallel sweep of the installed\nkeras",
        "test_5mb_generated_file_of_layers_only": "a 5 MB file of 10,000 layer classes",
    }
    slow, default = set(), set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text())
        module_slow = "pytest.mark.slow" in "".join(
            ast.unparse(node.value) for node in tree.body
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                marks = {ast.unparse(d) for d in node.decorator_list}
                (slow if module_slow or "pytest.mark.slow" in marks else default).add(node.name)
    assert slow == set(described)
    sentence = README.split("The slow checks (", 1)[1].split("are excluded by default", 1)[0]
    assert all(words in sentence for words in described.values())
    assert "test_installed_tensorflow_keras_and_tf_keras" in default
    assert "The sweep over the installed TensorFlow, Keras and tf_keras\ntrees (about 30 s) is part of the default run." in README


def test_readme_lists_what_is_skipped_by_default(tmp_path, monkeypatch):
    from keras_varlint.discovery.files import SKIPPED_DIRS, discover

    bullet = README.split("* Paths are files or directories", 1)[1].split("\n* ", 1)[0]
    named = re.findall(r"`([^`]+)`", bullet.split("directories named", 1)[1].split("any virtualenv", 1)[0])
    assert set(named) == SKIPPED_DIRS
    for name in [*named, "env", "legacy"]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.py").write_text("x = 1\n")
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")  # a virtualenv of any name
    monkeypatch.chdir(tmp_path)
    assert discover([Path(".")], []).files == [Path("legacy/a.py")]
    # a named file: a glob on its path excludes it, a glob naming only its directory does not
    assert discover([Path("legacy/a.py")], ["legacy/*"]).files == []
    assert discover([Path("legacy/a.py")], ["legacy"]).files == [Path("legacy/a.py")]
    assert discover([Path(".")], ["legacy"]).files == []


def test_readme_kvl000_scope(tmp_path):
    from keras_varlint.engine import lint_paths
    from keras_varlint.settings import Settings

    assert ("| KVL000 | parse-error | error | a file that cannot be decoded (or holds a NUL byte); a syntax error "
            "anywhere in a file that defines a layer class, once per file, at Python's error |") in README
    files = {
        # two syntax errors, both outside the layer class: one KVL000, at Python's (the first)
        "layer_bad.py": b"import keras\n\n\nclass L(keras.layers.Layer):\n    def call(self, x):\n"
                        b"        return x\n\n\ndef f(:\n    pass\n\nx = (\n",
        "plain_bad.py": b"class A(object):\n    pass\n\n\ndef f(:\n    pass\n",  # no layer: left to Python
        "nul.py": b"x = 1\n\x00\n",
        "latin.py": b'name = "caf\xe9"\n',  # no layer, but undecodable
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = lint_paths([tmp_path], Settings(use_cache=False, select=["ALL"]))
    assert sorted((Path(f.path).name, f.line, f.column, f.code) for f in result.findings) == [
        ("latin.py", 1, 0, "KVL000"), ("layer_bad.py", 9, 6, "KVL000"), ("nul.py", 1, 0, "KVL000")]


STAR_PROJECT = {
    "pkg/__init__.py": "",
    "pkg/shim.py": "__all__ = ['Other']\nfrom keras.layers import Layer\nfrom keras.layers import Layer as _Hidden\nOther = 1\n",
    "pkg/shim2.py": "from pkg.shim import *\n",
    "pkg/a.py": "from pkg.shim import *\n\n\nclass NotInAll(Layer):\n    pass\n\n\nclass Private(_Hidden):\n    pass\n",
    "pkg/b.py": "from pkg.shim2 import *\n\n\nclass Transitive(Layer):\n    pass\n",
    "pkg/c.py": "from somelib.nn import *\n\n\nclass ThirdParty(Layer):\n    pass\n",
    "pkg/d.py": "class Layer:\n    pass\n\n\nfrom keras.layers import *\n\n\nclass BoundFirst(Layer):\n    pass\n",
    "pkg/e.py": "from keras import *\n\n\nclass Sub(layers.Layer):\n    pass\n\n\n"
                "from tensorflow.keras.layers import *\n\n\nclass K3(Dense):\n    pass\n",
}


def test_readme_star_imports(tmp_path):
    """What the README says a star import provides, and what it does not."""
    from keras_varlint.engine import list_classes
    from keras_varlint.settings import Settings

    for name, text in STAR_PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = list_classes([tmp_path / "pkg"], Settings(use_cache=False))
    layers = {entry.qualname.rpartition(".")[2] for entry in result.layers}
    unresolved = {entry.qualname.rpartition(".")[2]: entry.reason for entry in result.unresolved}
    # project shims, followed in turn, without __all__ or the underscore rule; Keras namespaces
    assert layers == {"NotInAll", "Private", "Transitive", "Sub", "K3"}
    assert unresolved == {"ThirdParty": "base Layer: name Layer is not bound in the module"}  # other modules: nothing
    # BoundFirst is not a layer: its module binds `Layer` itself, so the later star import is not consulted
    assert "never looked up in star imports, even one that\nfollows the binding" in README
    assert "(`__all__` and the underscore rule\nare not applied)" in README
