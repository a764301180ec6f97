"""Resolved run settings: what the CLI, config file and flake8 options all turn into."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RuntimeExample:
    """How to construct and call one layer class in the runtime checker (from config)."""

    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    input_shape: list | None = None


@dataclass
class Settings:
    select: list[str] = field(default_factory=list)  # empty: the default rule set
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)  # glob patterns, matched like flake8's
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> codes
    keras_version: int | None = None  # None: detect per file from its imports
    jobs: int | None = None  # None: os.cpu_count()
    cache_dir: Path | None = None  # None: <project root>/.keras_varlint_cache
    use_cache: bool = True
    runtime: bool = False
    runtime_timeout: float = 60.0
    runtime_examples: dict[str, RuntimeExample] = field(default_factory=dict)  # "pkg.mod:Class" -> example
    project_root: Path | None = None  # directory holding the pyproject.toml that was read
    fixable: list[str] = field(default_factory=list)  # codes/prefixes whose fixes apply; empty: all
    unfixable: list[str] = field(default_factory=list)  # codes/prefixes whose fixes never apply
    unsafe_fixes: bool = False  # --fix applies unsafe fixes too
