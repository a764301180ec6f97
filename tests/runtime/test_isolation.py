"""User code runs in worker processes: an import error, a hang, ``os.abort()``, ``sys.exit()``, megabytes
of output, a huge allocation, and global-state edits in one module must not affect the run or the next
module, and no process may outlive the run."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from keras_varlint.runtime.confirm import confirm_findings
from keras_varlint.settings import Settings

from .project import analyse, pick, write

pytestmark = pytest.mark.runtime

TIMEOUT = 10.0
SLEEP_MARKER = "86399"  # `sleep 86399`: the grandchild the hanging module starts

CLEAN_LAYER = """
class Clean(keras.layers.Layer):
    debug = False

    def build(self, input_shape):
        self.w = self.add_weight(shape=(), name="w")

    def call(self, x):
        if self.debug:
            print(float(self.w.numpy()))  # KVL102 to the analyzer; never runs, so the runtime refutes it
        return x * self.w
"""


def module(body: str) -> str:
    """``body`` followed by a layer class that is clean at runtime (whose static finding the test looks at)."""
    return textwrap.dedent(body).strip() + "\n\n\n" + CLEAN_LAYER


MODULES = {
    "raises.py": module("import keras\nraise RuntimeError('broken on purpose')"),
    "polluter.py": module(
        """
        import os
        import sys

        import keras

        sys.path.insert(0, "/polluted")
        os.environ["KVL_POLLUTED"] = "1"
        os.chdir("/")
        sys.stdout = open(os.devnull, "w")
        """
    ),
    "observer.py": module(
        """
        import os
        import resource
        import sys

        import keras

        # TensorFlow runs under the worker's address-space cap (every module here does)
        assert resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY, "no memory cap"
        assert "/polluted" not in sys.path, "sys.path leaked"
        assert "KVL_POLLUTED" not in os.environ, "os.environ leaked"
        assert os.path.realpath(os.getcwd()) == os.path.realpath(os.path.dirname(__file__)), "cwd leaked"
        """
    ),
    "sleeper.py": module(
        f"""
        import subprocess
        import time

        import keras

        subprocess.Popen(["sleep", "{SLEEP_MARKER}"])
        time.sleep(600)
        """
    ),
    "aborter.py": module("import os\nimport keras\n\nos.abort()"),
    "exiter.py": module("import sys\nimport keras\n\nsys.exit(3)"),
    "chatty.py": module(
        """
        import sys

        import keras

        for _ in range(5000):
            print("x" * 1000)
            print("e" * 200, file=sys.stderr)
        """
    ),
    "hog.py": module("import numpy as np\nimport keras\n\nblock = np.empty(12 * 2**30, dtype=np.uint8)"),
    "after.py": module("import keras"),
}
ORDER = ["raises", "polluter", "observer", "sleeper", "aborter", "exiter", "chatty", "hog", "after"]


def _our_processes() -> list[str]:
    """Command lines of live processes that are workers of this test run or the hanging module's grandchild."""
    found = []
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = stat.rsplit(")", 1)[1].split()[1]
        if cmdline.startswith(f"sleep {SLEEP_MARKER}") or ("keras_varlint.runtime.worker" in cmdline and ppid == me):
            found.append(cmdline)
    return found


@pytest.fixture(scope="module")
def isolated_run(tmp_path_factory: pytest.TempPathFactory, tf: Any) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("isolation")
    write(root, MODULES)
    analysed = analyse(root)
    findings = {name: pick(analysed, root, f"{name}.py", "Clean", "KVL102", "w") for name in ORDER}
    settings = Settings(runtime_timeout=TIMEOUT, jobs=1)  # one worker: modules run in ORDER
    start = time.monotonic()
    confirm_findings([findings[name] for name in ORDER], settings, [root])
    return {"findings": findings, "seconds": time.monotonic() - start}


def outcome(run: dict[str, Any], module: str) -> tuple[str, str]:
    runtime = run["findings"][module].runtime
    return runtime["status"], runtime["detail"]


@pytest.mark.parametrize(
    ("module", "reason"),
    [
        ("raises", "importing raises failed: RuntimeError: broken on purpose at raises.py:2"),
        ("sleeper", f"timed out after {TIMEOUT:g} s while importing the module"),
        ("aborter", "the worker was killed by SIGABRT while importing the module (at aborter.py:4)"),
        ("exiter", "importing exiter failed: the module called sys.exit(3)"),
        ("hog", "importing hog failed: MemoryError"),
    ],
)
def test_a_broken_module_is_inconclusive_with_the_reason(
    isolated_run: dict[str, Any], module: str, reason: str
) -> None:
    status, detail = outcome(isolated_run, module)
    assert status == "inconclusive"
    assert detail.startswith(reason), detail


@pytest.mark.parametrize("module", ["polluter", "observer", "chatty", "after"])
def test_the_run_goes_on_and_state_does_not_leak(isolated_run: dict[str, Any], module: str) -> None:
    assert outcome(isolated_run, module) == ("refuted", "variable 'clean/w' is tracked and gets a gradient")


def test_only_the_hanging_module_waits_for_the_timeout(isolated_run: dict[str, Any]) -> None:
    assert isolated_run["seconds"] < TIMEOUT + 120  # the module sleeps 600 s


def test_no_process_outlives_the_run(isolated_run: dict[str, Any]) -> None:
    assert _our_processes() == []
