"""The README's runtime examples run and print what the README shows: ``check_model`` and the callback's
before/after on the seed article's Example 2 layer."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.runtime

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _block(first_line: str) -> str:
    (block,) = re.findall(r"```python\n(" + re.escape(first_line) + r".*?)```", README, re.S)
    return block


def _run(script: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_readme_check_model_example_prints_its_comment(tmp_path: Path, keras3: Any) -> None:
    source = _block("# check_model_example.py")
    expected = source.rstrip().splitlines()[-1].lstrip("# ")
    script = tmp_path / "check_model_example.py"
    script.write_text(source)
    run = _run(script, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1] == expected


def test_readme_callback_before_and_after_on_seed_example2(tmp_path: Path, keras3: Any) -> None:
    source = _block("# callback_example2.py")
    (shown,) = re.findall(r"```text\n(keras_varlint\.callbacks\.VariableCheckError:.*?)```", README, re.S)
    seed = (ROOT / "fixtures" / "seed" / "example2.py").read_text()
    (tmp_path / "example2.py").write_text(seed)
    script = tmp_path / "callback_example2.py"
    script.write_text(source)
    run = _run(script, tmp_path)
    assert run.returncode != 0
    assert run.stderr.rstrip().endswith(shown.rstrip()), run.stderr[-3000:]

    (fix,) = re.findall(r"With the fix \(`(self\.my_variable = [^`]+)`\)", README)
    old = "self.my_variable = tf.Variable(initial_value, name='my_var', trainable=True)"
    assert old in seed
    (tmp_path / "example2.py").write_text(seed.replace(old, fix).replace("Constant(0.5)", "Constant(initial_value)"))
    run = _run(script, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
