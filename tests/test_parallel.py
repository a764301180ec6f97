"""``-j 1`` and ``-j 2`` give identical findings; workers share the index built by the parent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from keras_varlint import engine
from keras_varlint.discovery import project as project_module
from keras_varlint.engine import LintSession, lint_paths
from keras_varlint.settings import Settings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers are forked")

HEADER = "import keras\nimport tensorflow as tf\n\n\n"
# One layer per template and index: each is a component of its own, most with a finding.
LAYERS = {
    "untracked": """\
class Untracked{i}(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.v = tf.Variable(1.0)

    def call(self, x):
        return x * self.v
""",
    "unused": """\
class Unused{i}(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,))

    def call(self, x):
        return x
""",
    "in_call": """\
class InCall{i}(keras.layers.Layer):
    def call(self, x):
        w = self.add_weight(shape=(1,))
        return x * w
""",
    "stopped": """\
class Stopped{i}(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,))

    def call(self, x):
        return x * tf.stop_gradient(self.w)
""",
    "clean": """\
class Clean{i}(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,))

    def call(self, x):
        return x * self.w
""",
}
# A component spread over two files: the base's weight is read only by one subclass.
BASE = HEADER + """\
class Base{i}(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,))
        self.unused = self.add_weight(shape=(1,))

    def call(self, x):
        return x


class Store{i}(tf.Module):
    def __init__(self):
        self.v = tf.Variable(1.0)
"""
SUBCLASSES = """\
import tensorflow as tf

from pkg.base{i} import Base{i}, Store{i}


class Reader{i}(Base{i}):
    def call(self, x):
        return x * self.w


class Holder{i}(Base{i}):
    def __init__(self):
        super().__init__()
        self.holder = Store{i}()
        self.sub = Unused{i}()

    def call(self, x):
        return x


from pkg.layers{i} import Unused{i}  # noqa: E402
"""


def make_tree(root: Path, copies: int = 3) -> Path:
    """``5 * copies`` single-layer components plus ``copies`` two-file components."""
    package = root / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for i in range(copies):
        (package / f"layers{i}.py").write_text(HEADER + "\n\n".join(t.format(i=i) for t in LAYERS.values()))
        (package / f"base{i}.py").write_text(BASE.format(i=i))
        (package / f"sub{i}.py").write_text(SUBCLASSES.format(i=i))
    return package


def findings(package: Path, **settings: Any) -> list[dict[str, Any]]:
    result = lint_paths([package], Settings(use_cache=False, **settings))
    return [f.to_json() for f in result.findings]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path)


# Forked workers inherit these; the spies append their process ids to the files.
_WORKER_LOG: Path | None = None
_SUMMARY_LOG: Path | None = None
_ORIGINAL_WORKER = engine._analyse_component
_ORIGINAL_SUMMARIZE = project_module.summarize


def _spy_worker(*args: Any) -> Any:
    assert _WORKER_LOG is not None
    with _WORKER_LOG.open("a") as log:
        log.write(f"{os.getpid()}\n")
    return _ORIGINAL_WORKER(*args)


def _spy_summarize(*args: Any, **kwargs: Any) -> Any:
    assert _SUMMARY_LOG is not None
    with _SUMMARY_LOG.open("a") as log:
        log.write(f"{os.getpid()}\n")
    return _ORIGINAL_SUMMARIZE(*args, **kwargs)


def _pids(log: Path) -> list[int]:
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def test_the_tree_has_enough_components_to_go_parallel(tree: Path) -> None:
    components = LintSession(Settings(use_cache=False), [tree]).project.index.components()
    assert len(components) >= 10
    assert any(len({i.summary.path for i in c}) > 1 for c in components)  # some span files
    codes = {f["code"] for f in findings(tree, jobs=1)}
    assert {"KVL001", "KVL002", "KVL101", "KVL103", "KVL006"} <= codes


def test_jobs_1_and_2_give_identical_findings(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "_WORKER_LOG", tmp_path / "workers.log")
    monkeypatch.setattr(sys.modules[__name__], "_SUMMARY_LOG", tmp_path / "summaries.log")
    monkeypatch.setattr(engine, "_analyse_component", _spy_worker)
    monkeypatch.setattr(project_module, "summarize", _spy_summarize)
    serial = findings(tree, jobs=1)
    assert set(_pids(tmp_path / "workers.log")) == {os.getpid()}
    summarised_serially = len(_pids(tmp_path / "summaries.log"))
    (tmp_path / "summaries.log").unlink()
    (tmp_path / "workers.log").unlink()

    parallel = findings(tree, jobs=2)
    assert parallel == serial
    assert serial
    workers = _pids(tmp_path / "workers.log")
    assert workers and os.getpid() not in workers, "-j 2 did not analyse in worker processes"
    # Each file is summarised once (in parallel too), and the analysis workers share the index.
    assert len(_pids(tmp_path / "summaries.log")) == summarised_serially


def test_jobs_2_is_repeatable(tree: Path) -> None:
    first = findings(tree, jobs=2)
    assert all(findings(tree, jobs=2) == first for _ in range(3))


def test_parallel_and_serial_runs_share_the_cache(tree: Path, tmp_path: Path) -> None:
    expected = findings(tree, jobs=1)
    cache = tmp_path / "cache"
    for jobs in (2, 1, 2):  # -j 2 fills it, -j 1 reads it, and back
        result = lint_paths([tree], Settings(jobs=jobs, cache_dir=cache))
        assert [f.to_json() for f in result.findings] == expected, jobs


def test_cli_jobs_1_and_2_print_the_same_report(tree: Path) -> None:
    def report(jobs: str) -> list[dict[str, Any]]:
        command = [sys.executable, "-m", "keras_varlint.interfaces.cli", "pkg", "--no-cache", "-j", jobs,
                   "--format", "json"]
        done = subprocess.run(command, cwd=tree.parent, capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stderr
        data = json.loads(done.stdout)
        return data["findings"] if isinstance(data, dict) else data

    one = report("1")
    assert one and report("2") == one
