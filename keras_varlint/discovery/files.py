"""Walking the paths given on the command line to the Python files and notebooks to lint."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", ".eggs", "node_modules",
     "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".keras_varlint_cache"}
)


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # skipped symlinks and the like
    errors: list[dict[str, str]] = field(default_factory=list)  # paths that could not be listed


def is_excluded(path: Path, patterns: list[str]) -> bool:
    """flake8-style exclusion: a pattern matches the file/directory name or its whole path."""
    if not patterns:
        return False
    name, full = path.name, path.as_posix()
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(full, p) or fnmatch.fnmatch(full, f"*/{p}") for p in patterns)


def is_excluded_below(path: Path, roots: list[Path], patterns: list[str]) -> bool:
    """Whether ``discover(roots, patterns)`` would leave ``path`` out by a pattern: the file
    matches, or, for a file below one of the directory ``roots``, one of its directories below
    that root does (the walk prunes them). Used for files found by another tool's walk."""
    if not patterns:
        return False
    if is_excluded(path, patterns):
        return True
    absolute = Path(os.path.abspath(path))
    for root in roots:
        try:
            below = absolute.relative_to(os.path.abspath(root))
        except ValueError:
            continue
        directory = root
        for part in below.parts[:-1]:
            directory = directory / part
            if is_excluded(directory, patterns):
                return True
    return False


def _is_virtualenv(directory: str) -> bool:
    return os.path.exists(os.path.join(directory, "pyvenv.cfg"))


def discover(paths: list[Path], exclude: list[str]) -> Discovery:
    """Expand files and directories into Python files and Jupyter notebooks, in a stable order.

    Directories are walked without following symlinked directories; a symlinked file is
    linted only when it points inside the directory being walked.
    """
    found = Discovery()
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    for root in paths:
        if not root.is_dir():
            if root.exists() and not root.is_file():
                found.notes.append(f"{root}: not a regular file, skipped")
            elif not is_excluded(root, exclude):  # excludes hold for named files too (pre-commit names them)
                add(root)  # named explicitly: lint it whatever its suffix
            continue
        real_root = Path(os.path.realpath(root))

        def on_error(err: OSError) -> None:
            found.errors.append({"path": str(err.filename), "message": f"cannot list directory: {err.strerror}"})

        for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
            kept = []
            for d in sorted(dirnames):
                sub = os.path.join(dirpath, d)
                if d in SKIPPED_DIRS or is_excluded(Path(sub), exclude) or _is_virtualenv(sub):
                    continue
                if os.path.islink(sub):
                    found.notes.append(f"{sub}: symlinked directory skipped")
                    continue
                kept.append(d)
            dirnames[:] = kept
            for name in sorted(filenames):
                if not name.endswith((".py", ".ipynb")):  # notebooks too, as ruff lints them
                    continue
                path = Path(dirpath, name)
                if is_excluded(path, exclude):
                    continue
                if path.is_symlink():
                    target = Path(os.path.realpath(path))  # never raises, even on a loop
                    if not target.exists():
                        found.notes.append(f"{path}: broken or looping symlink skipped")
                        continue
                    if real_root not in target.parents:
                        found.notes.append(f"{path}: symlink out of the tree skipped")
                        continue
                if not path.is_file():  # a FIFO, socket or device named .py would block the read
                    found.notes.append(f"{path}: not a regular file, skipped")
                    continue
                add(path)
    return found
