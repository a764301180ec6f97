"""The findings cache never changes results: warm, edited, corrupt, unwritable and concurrent.

Every test lints a small package whose layers depend on each other across files (a base class
and its subclasses in different modules, a layer holding an instance of a class defined
elsewhere) and compares what the cache gives with a run that does not use it.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from keras_varlint.analysis.parse import FileParser
from keras_varlint.cache import cache_file_name
from keras_varlint.engine import lint_paths
from keras_varlint.interfaces.cli import main
from keras_varlint.settings import Settings

CACHE_FILE = cache_file_name()

PROJECT = {
    "pkg/__init__.py": "",
    # Base creates a weight that only the subclass Child reads.
    "pkg/base.py": """\
import keras


class Base(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,))

    def call(self, x):
        return x
""",
    "pkg/child.py": """\
import tensorflow as tf

from pkg.base import Base


class Child(Base):
    def call(self, x):
        return x * self.w


class Untracked(Base):
    def __init__(self):
        super().__init__()
        self.v = tf.Variable(1.0)

    def call(self, x):
        return x * self.v
""",
    # Outer's findings depend on what Plain and Holder are, though neither is in its component.
    "pkg/plain.py": """\
import keras


class Plain(keras.layers.Layer):
    def call(self, x):
        return x
""",
    "pkg/holder.py": """\
import tensorflow as tf


class Holder(tf.Module):
    def __init__(self):
        self.v = tf.Variable(1.0)
""",
    "pkg/outer.py": """\
import keras

from pkg.holder import Holder
from pkg.plain import Plain


class Outer(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.sub = Plain()
        self.h = Holder()

    def call(self, x):
        return x * self.h.v
""",
}

Findings = list[dict[str, Any]]


def write_project(root: Path, files: dict[str, str] = PROJECT) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path)


def lint(root: Path, **settings: Any) -> Findings:
    """Every field of every finding, paths relative to ``root``, in a stable order."""
    options: dict[str, Any] = {"jobs": 1, "cache_dir": root / "cache", **settings}
    result = lint_paths([root / "pkg"], Settings(**options))
    found = []
    for finding in result.findings:
        data = finding.to_json()
        data["path"] = Path(finding.path).absolute().relative_to(root).as_posix()
        found.append(data)
    return sorted(found, key=lambda f: (f["path"], f["line"], f["column"], f["code"]))


def uncached(root: Path, **settings: Any) -> Findings:
    return lint(root, use_cache=False, **settings)


def codes(findings: Findings) -> set[tuple[str, str]]:
    return {(f["path"], f["code"]) for f in findings}


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the classes libcst parses from now on."""
    names: list[str] = []
    original = FileParser.parse_class

    def spy(self: FileParser, header: Any) -> Any:
        names.append(header.name)
        return original(self, header)

    monkeypatch.setattr(FileParser, "parse_class", spy)
    return names


def forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: FileParser, header: Any) -> Any:
        raise AssertionError(f"class {header.name} was parsed on a warm run")

    monkeypatch.setattr(FileParser, "parse_class", refuse)


def cache_file(root: Path) -> Path:
    return root / "cache" / CACHE_FILE


def assert_valid_cache(root: Path) -> None:
    data = json.loads(cache_file(root).read_text())
    assert isinstance(data, dict)
    assert data["summaries"] and data["components"]
    assert not list(cache_file(root).parent.glob(".tmp-*")), "a temporary file was left behind"


# -- the baseline: what the fixture project reports ------------------------------------------------


def test_project_findings_pin_the_cross_file_facts(project: Path) -> None:
    """The scenarios below are meaningful only if these findings hold (and they change with edits)."""
    assert codes(uncached(project)) == {("pkg/child.py", "KVL001"), ("pkg/outer.py", "KVL006")}


# -- warm runs ---------------------------------------------------------------------------------------


def test_warm_run_gives_identical_findings_without_parsing(
    project: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = lint(project)
    assert set(parsed) == {"Base", "Child", "Untracked", "Plain", "Outer"}  # the spy sees parsing
    assert cache_file(project).is_file()
    assert cold == uncached(project)
    forbid_parsing(monkeypatch)
    assert lint(project) == cold


def test_rewriting_a_file_with_the_same_bytes_keeps_the_cache_warm(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = lint(project)
    for name in ("pkg/base.py", "pkg/outer.py"):
        path = project / name
        path.write_bytes(path.read_bytes())
        os.utime(path, (1, 1))
    forbid_parsing(monkeypatch)
    assert lint(project) == cold


def test_editing_one_file_reparses_only_the_classes_it_affects(project: Path, parsed: list[str]) -> None:
    lint(project)
    parsed.clear()
    outer = project / "pkg/outer.py"
    outer.write_text(outer.read_text().replace("return x * self.h.v", "return x * self.h.v * self.sub(x)"))
    warm = lint(project)
    assert parsed == ["Outer"]
    assert warm == uncached(project)


# -- edits: the cached run equals an uncached run, also when another file changed -------------------


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new))

    return edit


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda root: (root / name).write_text(text)


def _delete(name: str) -> Callable[[Path], None]:
    return lambda root: (root / name).unlink()


EDITS: dict[str, tuple[Callable[[Path], None], set[tuple[str, str]], set[tuple[str, str]]]] = {
    # id: (edit, findings it must add, findings it must remove)
    "base stops being a layer": (
        _replace("pkg/base.py", "class Base(keras.layers.Layer):", "class Base(object):"),
        set(), {("pkg/child.py", "KVL001")},
    ),
    "subclass stops reading the base's weight": (
        _replace("pkg/child.py", "return x * self.w", "return x"), {("pkg/base.py", "KVL101")}, set(),
    ),
    "base reads the weight itself": (  # the base changes, the subclass' file does not
        _replace("pkg/base.py", "        return x\n", "        return x * self.w\n"), set(), set(),
    ),
    "sublayer class gains a weight made on construction": (
        _write("pkg/plain.py", PROJECT["pkg/plain.py"].replace(
            "    def call(self, x):",
            "    def __init__(self):\n        super().__init__()\n        self.k = self.add_weight(shape=(1,))\n\n"
            "    def call(self, x):",
        )),
        {("pkg/outer.py", "KVL101")}, set(),
    ),
    "held tf.Module becomes a layer": (
        _replace("pkg/holder.py", "class Holder(tf.Module):", "class Holder(tf.keras.layers.Layer):"),
        set(), {("pkg/outer.py", "KVL006")},
    ),
    "held class is deleted": (_delete("pkg/holder.py"), set(), {("pkg/outer.py", "KVL006")}),
    "a new subclass reads nothing": (
        _write("pkg/other.py", "from pkg.base import Base\n\n\nclass Other(Base):\n    pass\n"), set(), set(),
    ),
}


@pytest.mark.parametrize("edit_id", list(EDITS))
def test_edit_then_lint_equals_an_uncached_run(
    project: Path, edit_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit, added, removed = EDITS[edit_id]
    before = lint(project)
    assert lint(project) == before  # warm
    edit(project)
    after = lint(project)
    assert after == uncached(project)
    assert added <= codes(after) and not added & codes(before)
    assert removed <= codes(before) and not removed & codes(after)
    forbid_parsing(monkeypatch)
    assert lint(project) == after  # the rewritten cache is warm, and right


def test_a_chain_of_edits_never_diverges_from_uncached_runs(project: Path) -> None:
    """Apply every edit in turn (and undo some), linting with the cache after each."""
    for edit_id, (edit, _, _) in EDITS.items():
        edit(project)
        assert lint(project) == uncached(project), edit_id
    write_project(project)  # back to the start: every file changed again
    (project / "pkg/other.py").unlink()
    assert lint(project) == uncached(project)


def test_the_cache_is_keyed_by_keras_version_and_selected_rules(project: Path) -> None:
    lint(project)
    for settings in ({"keras_version": 2}, {"select": ["KVL006"]}, {"ignore": ["KVL001"]}, {}):
        assert lint(project, **settings) == uncached(project, **settings), settings
    assert ("pkg/child.py", "KVL001") not in codes(lint(project, keras_version=2))  # tracked in Keras 2


def test_a_wider_selection_never_reuses_what_a_narrower_run_cached(project: Path) -> None:
    """A run of one rule caches a component's findings of that rule only: a run of more rules
    must analyse the component again, not reuse them."""
    narrow = lint(project, select=["KVL006"])
    wide = lint(project)
    assert wide == uncached(project)
    assert codes(wide) - codes(narrow) == {("pkg/child.py", "KVL001")}


# -- names in a layer's methods that resolve through other modules ----------------------------------

# The layers' own files never change below: only the modules their `Variable` resolves through.
SHIMMED = {
    "pkg/__init__.py": "",
    "pkg/compat.py": "import tensorflow as tf\n\nVariable = tf.Variable\n",
    "pkg/star.py": "from pkg.compat import *\n",
    "pkg/layers.py": """\
import keras

from pkg.compat import Variable
from pkg.missing import Variable as Later


class ViaAlias(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = Variable(1.0)

    def call(self, x):
        return x * self.w


class ViaLater(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = Later(1.0)

    def call(self, x):
        return x * self.w
""",
    "pkg/starred.py": """\
import keras

from pkg.star import *


class ViaStar(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = Variable(1.0)

    def call(self, x):
        return x * self.w
""",
}
ALIAS, STAR, LATER = ("pkg/layers.py", 10), ("pkg/starred.py", 9), ("pkg/layers.py", 19)
SHIM_EDITS: dict[str, tuple[Callable[[Path], None], set[tuple[str, int]], set[tuple[str, int]]]] = {
    # id: (edit, where KVL001 is reported before, after)
    "the alias now names keras.Variable": (
        _write("pkg/compat.py", "import keras\n\nVariable = keras.Variable\n"), {ALIAS, STAR}, set(),
    ),
    "the star-imported module stops providing it": (
        _write("pkg/star.py", "from keras import Variable\n"), {ALIAS, STAR}, {ALIAS},
    ),
    "the module a name comes from appears": (
        _write("pkg/missing.py", "from tensorflow import Variable\n"), {ALIAS, STAR}, {ALIAS, STAR, LATER},
    ),
}


def kvl001_lines(findings: Findings) -> set[tuple[str, int]]:
    return {(f["path"], f["line"]) for f in findings if f["code"] == "KVL001"}


@pytest.mark.parametrize("edit_id", list(SHIM_EDITS))
def test_a_name_resolved_through_an_edited_module_is_resolved_again(
    tmp_path: Path, edit_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit, before, after = SHIM_EDITS[edit_id]
    write_project(tmp_path, SHIMMED)
    assert kvl001_lines(lint(tmp_path)) == before == kvl001_lines(uncached(tmp_path))
    edit(tmp_path)
    assert kvl001_lines(uncached(tmp_path)) == after
    assert lint(tmp_path) == uncached(tmp_path)
    forbid_parsing(monkeypatch)
    assert kvl001_lines(lint(tmp_path)) == after  # the rewritten cache is warm, and right


# -- a damaged cache is ignored and rewritten --------------------------------------------------------


def _mangle(transform: Callable[[dict[str, Any]], Any]) -> Callable[[str], str]:
    return lambda text: json.dumps(transform(json.loads(text)))


def _each_value(section: str, value: Callable[[Any], Any]) -> Callable[[dict[str, Any]], Any]:
    def transform(data: dict[str, Any]) -> dict[str, Any]:
        data[section] = {key: value(old) for key, old in data[section].items()}
        return data

    return transform


def _component_field(name: str, value: Any) -> Callable[[Any], Any]:
    return lambda entry: {**entry, name: value}


DAMAGE: dict[str, Callable[[str], str]] = {
    "empty": lambda text: "",
    "truncated": lambda text: text[: len(text) // 2],
    "not json": lambda text: "this is not JSON {",
    "binary": lambda text: "\udcff\x00\x01",
    "a list": lambda text: "[1, 2, 3]",
    "null": lambda text: "null",
    "sections of the wrong type": lambda text: json.dumps({"summaries": [1, 2], "components": "x"}),
    "sections are strings": lambda text: json.dumps({"summaries": "abc", "components": "xy"}),
    "summary entries are numbers": _mangle(_each_value("summaries", lambda old: 5)),
    "summary entries are malformed": _mangle(_each_value("summaries", lambda old: [old[0], {"bogus": 1}])),
    "summary classes are malformed": _mangle(_each_value(
        "summaries", lambda old: [old[0], {**old[1], "classes": [{"name": 1}]}])),
    "component entries are strings": _mangle(_each_value("components", lambda old: "x")),
    "component files are a list": _mangle(_each_value("components", _component_field("files", []))),
    "component queries are a list": _mangle(_each_value("components", _component_field("queries", [1]))),
    "component findings are malformed": _mangle(_each_value(
        "components", _component_field("findings", [{"line": "one"}]))),
    "component findings are not a list": _mangle(_each_value("components", _component_field("findings", 7))),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_cache_is_ignored_and_rewritten(project: Path, damage: str) -> None:
    expected = lint(project)
    path = cache_file(project)
    path.write_text(DAMAGE[damage](path.read_text()), errors="surrogateescape")
    assert lint(project) == expected
    assert_valid_cache(project)


def _cache_file_is_a_directory(root: Path) -> Path:
    path = cache_file(root)
    path.unlink()
    path.mkdir()  # reading it fails with IsADirectoryError, and so does replacing it
    return path


def test_an_unreadable_cache_file_is_ignored(project: Path) -> None:
    expected = lint(project)
    _cache_file_is_a_directory(project)
    assert lint(project) == expected
    assert lint(project) == expected


def test_a_failed_cache_write_leaves_no_temporary_file(project: Path) -> None:
    lint(project)
    path = _cache_file_is_a_directory(project)
    lint(project)
    assert not list(path.parent.glob(".tmp-*"))


# -- where the cache lives, and when it is not written ------------------------------------------------


@pytest.mark.parametrize("blocker", ["parent is a file", "read-only directory"])
def test_an_unwritable_cache_dir_does_not_break_the_run(project: Path, blocker: str) -> None:
    expected = uncached(project)
    if blocker == "parent is a file":
        (project / "blocked").write_text("")
        cache_dir = project / "blocked" / "cache"
    else:
        if os.geteuid() == 0:
            pytest.skip("root ignores directory permissions")
        cache_dir = project / "readonly"
        cache_dir.mkdir()
        cache_dir.chmod(0o555)
    try:
        assert lint(project, cache_dir=cache_dir) == expected
        assert lint(project, cache_dir=cache_dir) == expected
    finally:
        if cache_dir.exists():
            cache_dir.chmod(0o755)
    assert not cache_dir.exists() or not list(cache_dir.iterdir())


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_no_cache_reads_and_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text("[tool.keras-varlint]\n")
    monkeypatch.chdir(project)
    before = _tree(project)
    assert main(["pkg", "--no-cache"]) == 1
    assert _tree(project) == before
    assert uncached(project) and not cache_file(project).exists()
    # A cache that would give a wrong answer is not read either.
    assert main(["pkg"]) == 1
    default = project / ".keras_varlint_cache" / CACHE_FILE
    default.write_text(_mangle(_each_value("components", _component_field("findings", [])))(default.read_text()))
    capsys.readouterr()
    assert main(["pkg", "--no-cache"]) == 1
    assert "KVL006" in capsys.readouterr().out


def test_the_default_cache_is_at_the_project_root(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text("[tool.keras-varlint]\n")
    monkeypatch.chdir(project / "pkg")
    assert main(["."]) == 1
    assert json.loads((project / ".keras_varlint_cache" / CACHE_FILE).read_text())["components"]
    assert [p.name for p in project.rglob(".keras_varlint_cache")] == [".keras_varlint_cache"]


def test_cache_dir_option_is_honoured(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text("[tool.keras-varlint]\n")
    monkeypatch.chdir(project)
    assert main(["pkg", "--cache-dir", "elsewhere/kvl"]) == 1
    assert json.loads((project / "elsewhere" / "kvl" / CACHE_FILE).read_text())["components"]
    assert not list(project.rglob(".keras_varlint_cache"))
    forbid_parsing(monkeypatch)
    assert main(["pkg", "--cache-dir", "elsewhere/kvl"]) == 1  # and it is read from there


def test_cache_dir_from_the_config_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text('[tool.keras-varlint]\ncache-dir = "build-cache"\n')
    monkeypatch.chdir(project / "pkg")
    assert main(["."]) == 1
    assert (project / "build-cache" / CACHE_FILE).is_file()
    assert not list(project.rglob(".keras_varlint_cache"))


# -- concurrent runs --------------------------------------------------------------------------------


def _lint_in_child(root: str, barrier: Any, out: Any) -> None:
    barrier.wait()
    try:
        out.put(lint(Path(root)))
    except BaseException as err:  # report, do not hang the parent
        out.put(repr(err))


def _concurrently(root: Path, processes: int = 2) -> Iterator[Findings | str]:
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    barrier, out = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_lint_in_child, args=(str(root), barrier, out)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    return iter(results)


def test_concurrent_runs_leave_a_valid_cache_and_correct_results(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edits = [None, *(edit for edit, _, _ in EDITS.values())]
    for round_, edit in enumerate(edits):
        if edit is not None:
            edit(project)
        expected = uncached(project)
        for result in _concurrently(project):
            assert result == expected, f"round {round_}"
        assert_valid_cache(project)
    expected = uncached(project)
    forbid_parsing(monkeypatch)
    assert lint(project) == expected
