"""Module names: the one function that turns a file path into the dotted name Python imports it by.

Static analysis, the runtime worker and runtime example keys all use it, so that a name means
the same thing everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable


def module_name(path: Path, package_dirs: dict[Path, bool], roots: Iterable[Path] = ()) -> tuple[str, bool]:
    """Dotted module name of ``path`` and whether it is a package's ``__init__.py``.

    The name starts at the outermost folder holding an ``__init__.py`` above the file; up to two
    folders without one in between are namespace packages (``pkg/models/sub/m.py``, with ``pkg``
    and ``sub`` packages, is ``pkg.models.sub.m``). A module in no package sits in a namespace
    package when it lies below one of ``roots``, the directories given on the command line
    (the deepest one holding it): ``root/ns/mod.py`` is ``ns.mod``. Folder names that are not
    identifiers end the name. ``package_dirs`` memoises which folders hold an ``__init__.py``.
    """
    path = path.absolute()
    is_init = path.name == "__init__.py"
    chain: list[Path] = []  # folders above the file that could be part of its name
    top_package = 0  # how many of them the name spans
    directory = path.parent
    while directory.name.isidentifier() and len(chain) - top_package < _NAMESPACE_GAP:
        chain.append(directory)
        if is_package(directory, package_dirs):
            top_package = len(chain)
        directory = directory.parent
    folders = chain[:top_package]
    if not folders:
        root = _deepest_root(path.parent, roots)
        folders = [d for d in chain if root is not None and root in d.parents]
    parts = [d.name for d in reversed(folders)] + ([] if is_init else [path.stem])
    return ".".join(parts) or path.stem, is_init


_NAMESPACE_GAP = 3  # folders without __init__.py looked through for a package further up


def is_package(directory: Path, package_dirs: dict[Path, bool]) -> bool:
    """Whether ``directory`` holds an ``__init__.py`` (memoised in ``package_dirs``)."""
    known = package_dirs.get(directory)
    if known is None:
        known = package_dirs[directory] = (directory / "__init__.py").is_file()
    return known


def _deepest_root(directory: Path, roots: Iterable[Path]) -> Path | None:
    """The deepest of ``roots`` at or above ``directory`` (where ``sys.path`` would point)."""
    holding = [r for r in roots if r == directory or r in directory.parents]
    return max(holding, key=lambda r: len(r.parts)) if holding else None
