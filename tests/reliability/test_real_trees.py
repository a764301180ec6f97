"""Lint the installed tensorflow, keras and tf_keras packages (~3,300 files) with no crash.

The full sweep takes about 30 s with ``-j 2`` on the 2-core machine, so it is in the default run.
It goes through ``scripts/lint_installed_trees.py``, which CI or a person can also run directly.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "lint_installed_trees.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lint_installed_trees", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


script = _load_script()


def _require(packages: list[str]) -> None:
    for name in packages:
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"{name} is not installed")


def _sweep(packages: list[str], jobs: int = 2) -> "script.Sweep":
    _require(packages)
    result = script.sweep(packages, jobs=jobs)
    print("\n" + result.report())
    assert not result.crashed, result.report()
    assert result.exit_code in (0, 1)
    return result


def test_installed_tensorflow_keras_and_tf_keras() -> None:
    result = _sweep(list(script.DEFAULT_PACKAGES))
    assert result.files >= 2500  # the trees were really walked


@pytest.mark.slow
def test_serial_and_parallel_runs_agree_on_keras() -> None:
    serial, parallel = _sweep(["keras"], jobs=1), _sweep(["keras"], jobs=2)
    assert (serial.files, serial.findings) == (parallel.files, parallel.findings)


def test_sweep_detects_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The script's crash detection itself: an internal-error finding and a bad exit code count."""
    report = (
        '{"version": 1, "files": 1, "errors": [], "findings": [{"path": "a.py", "line": 3, "code": "KVL000", '
        '"name": "internal-error", "message": "internal error in rule KVL001"}]}'
    )

    class Done:
        returncode, stdout, stderr = 2, report, ""

    monkeypatch.setattr(script.subprocess, "run", lambda *args, **kwargs: Done())
    result = script.sweep(["keras"])
    assert result.crashed and result.problems == ["exit code 2", "1 internal-error findings"]
    assert result.findings == {"KVL000 internal-error": 1}
