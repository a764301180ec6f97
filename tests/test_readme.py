"""The README's snippets stay true: its pytest example passes, its commands exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text()


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
