#!/usr/bin/env python
"""Lint the installed tensorflow, keras and tf_keras packages and report counts (the reliability sweep over real trees).

    python scripts/lint_installed_trees.py [PACKAGE ...] [-j N]

The packages are located with ``importlib.util.find_spec`` (nothing is imported) and linted in one
``keras-varlint --no-cache --format json`` run. The script prints the files linted, the time, and
the findings per code, and exits 1 when the run crashed: an exit status other than 0 or 1, a
traceback on stderr, unparseable output, or a KVL000 internal-error finding (a rule that raised).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PACKAGES = ("tensorflow", "keras", "tf_keras")


@dataclass
class Sweep:
    packages: list[str]
    paths: list[Path]
    exit_code: int
    seconds: float
    files: int = 0
    findings: Counter[str] = field(default_factory=Counter)  # "KVL001 untracked-variable" -> count
    internal_errors: list[str] = field(default_factory=list)  # "path:line: message"
    errors: list[str] = field(default_factory=list)  # files that could not be examined
    problems: list[str] = field(default_factory=list)  # why the run counts as a crash

    @property
    def crashed(self) -> bool:
        return bool(self.problems)

    def report(self) -> str:
        lines = [
            f"packages: {', '.join(self.packages)}",
            f"files linted: {self.files}",
            f"time: {self.seconds:.1f} s",
            f"exit code: {self.exit_code}",
            f"findings: {sum(self.findings.values())}",
            *(f"  {count:6d} {code}" for code, count in sorted(self.findings.items())),
            f"files that could not be examined: {len(self.errors)}",
            *(f"  {error}" for error in self.errors[:20]),
        ]
        lines += [f"internal error: {error}" for error in self.internal_errors]
        lines += [f"CRASH: {problem}" for problem in self.problems]
        return "\n".join(lines)


def package_paths(packages: list[str]) -> list[Path]:
    """Installed package directories, found without importing the packages."""
    paths = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(f"package not installed: {name}")
        paths += [Path(location) for location in spec.submodule_search_locations]
    return paths


def sweep(packages: list[str], jobs: int = 2, timeout: float = 3600) -> Sweep:
    """Lint ``packages`` in one run of the installed command, with no cache."""
    paths = package_paths(packages)
    command = [sys.executable, "-m", "keras_varlint.interfaces.cli", "--no-cache", "--format", "json",
               "-j", str(jobs), *map(str, paths)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    result = Sweep(packages, paths, done.returncode, time.perf_counter() - start)
    if done.returncode not in (0, 1):
        result.problems.append(f"exit code {done.returncode}")
    if "Traceback (most recent call last)" in done.stderr:
        result.problems.append("traceback on stderr:\n" + done.stderr[-4000:])
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        result.problems.append("output is not JSON:\n" + done.stdout[:2000] + done.stderr[-2000:])
        return result
    result.files = report["files"]
    for finding in report["findings"]:
        result.findings[f"{finding['code']} {finding['name']}"] += 1
        if finding["code"] == "KVL000" and finding["name"] == "internal-error":
            result.internal_errors.append(f"{finding['path']}:{finding['line']}: {finding['message']}")
    result.errors = [f"{e.get('path')}: {e.get('message')}" for e in report.get("errors", [])]
    if result.internal_errors:
        result.problems.append(f"{len(result.internal_errors)} internal-error findings")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", default=list(DEFAULT_PACKAGES), metavar="PACKAGE")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="worker processes (default: 2)")
    args = parser.parse_args(argv)
    result = sweep(args.packages, args.jobs)
    print(result.report())
    return 1 if result.crashed else 0


if __name__ == "__main__":
    sys.exit(main())
