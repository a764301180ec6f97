"""Reading ``[tool.keras-varlint]`` from pyproject.toml and merging it with command-line options.

The command line wins over the file. Rule selection follows ruff: a ``--select`` on the
command line replaces the file's ``select``, ``extend-select`` and ``ignore``; ``--ignore`` and
``--extend-select`` alone adjust the set the file selected.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keras_varlint.selection import Selection, UsageError, expand, resolve
from keras_varlint.settings import RuntimeExample, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    from keras_varlint.rules.base import Rule

__all__ = ["ConfigError", "FileConfig", "UsageError", "find_config", "load_settings", "read_config"]

TABLE = "tool.keras-varlint"
KEYS = (
    "select", "ignore", "extend-select", "exclude", "keras-version", "per-file-ignores",
    "jobs", "cache-dir", "runtime-timeout", "runtime", "fixable", "unfixable", "unsafe-fixes",
)
_EXAMPLE_KEY = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")


class ConfigError(UsageError):
    """A bad config file or value; the one-line message names the file and the key."""


@dataclass
class FileConfig:
    """The validated contents of one ``[tool.keras-varlint]`` table."""

    path: Path
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    keras_version: int | None = None
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    jobs: int | None = None
    cache_dir: Path | None = None
    runtime_timeout: float | None = None
    runtime_examples: dict[str, RuntimeExample] = field(default_factory=dict)
    fixable: list[str] = field(default_factory=list)
    unfixable: list[str] = field(default_factory=list)
    unsafe_fixes: bool | None = None


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        message = " ".join(str(err).split())
        raise ConfigError(f"{_display(path)}: invalid TOML: {message}") from None


def _tool_table(document: Mapping[str, Any], path: Path) -> Any:
    tool = document.get("tool")
    if isinstance(tool, dict) and "keras_varlint" in tool:  # never silently ignored: a likely typo
        raise ConfigError(f"{_display(path)}: [tool.keras_varlint] is not read: the table is [{TABLE}], with a hyphen")
    return tool.get("keras-varlint") if isinstance(tool, dict) else None


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.keras-varlint]`` table, from ``start`` upward."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        try:
            data = candidate.read_bytes()
        except OSError:
            continue
        if (b"keras-varlint" in data or b"keras_varlint" in data) and _tool_table(_parse_toml(candidate, data), candidate) is not None:
            return candidate
    return None


class _Checker:
    """Type checks for config values, raising ``ConfigError`` that names file and key."""

    def __init__(self, path: Path, codes: Sequence[str]) -> None:
        self.path = path
        self.codes = codes

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{_display(self.path)}: [{TABLE}] {key}: {problem}")

    def strings(self, key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        return [item.strip() for item in value if item.strip()]

    def selectors(self, key: str, value: Any) -> list[str]:
        selectors = [item.upper() for item in self.strings(key, value)]
        try:
            expand(selectors, self.codes)
        except UsageError as err:
            raise self.fail(key, str(err)) from None
        return selectors

    def positive(self, key: str, value: Any, kind: type) -> Any:
        allowed = (int, float) if kind is float else (int,)
        if isinstance(value, bool) or not isinstance(value, allowed) or not 0 < value < float("inf"):
            noun = "a positive number" if kind is float else "a positive integer"
            raise self.fail(key, f"expected {noun}, got {value!r}")
        return kind(value)

    def shape(self, key: str, value: Any) -> list:
        def is_dims(item: Any) -> bool:
            return isinstance(item, list) and bool(item) and all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in item
            )

        if is_dims(value) or (isinstance(value, list) and value and all(is_dims(v) for v in value)):
            return value
        raise self.fail(key, f"expected a list of positive integers (or a list of such lists), got {value!r}")

    def example(self, name: str, value: Any) -> RuntimeExample:
        key = f'runtime.examples."{name}"'
        if not _EXAMPLE_KEY.match(name):
            raise self.fail(key, "expected a key of the form 'package.module:ClassName'")
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table with args, kwargs and input_shape, got {value!r}")
        unknown = sorted(set(value) - {"args", "kwargs", "input_shape"})
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}", "unknown key (expected args, kwargs or input_shape)")
        example = RuntimeExample()
        if "args" in value:
            if not isinstance(value["args"], list):
                raise self.fail(f"{key}.args", f"expected a list, got {value['args']!r}")
            example.args = value["args"]
        if "kwargs" in value:
            if not isinstance(value["kwargs"], dict):
                raise self.fail(f"{key}.kwargs", f"expected a table, got {value['kwargs']!r}")
            example.kwargs = value["kwargs"]
        if "input_shape" in value:
            example.input_shape = self.shape(f"{key}.input_shape", value["input_shape"])
        return example


def _unknown_key(check: _Checker, key: str, known: Sequence[str], prefix: str = "") -> ConfigError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
    return check.fail(f"{prefix}{key}", f"unknown key{hint}")


def read_config(path: Path, codes: Sequence[str]) -> FileConfig:
    """Read and validate the ``[tool.keras-varlint]`` table of ``path`` (empty if it has none).

    ``codes`` are the known rule codes, against which selectors are checked.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{_display(path)}: cannot read config file: {err.strerror or err}") from None
    table = _tool_table(_parse_toml(path, data), path)
    check = _Checker(path, codes)
    config = FileConfig(path=path)
    if table is None:
        return config
    if not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: [{TABLE}] must be a table")
    for key, value in table.items():
        if key in ("select", "ignore", "extend-select"):
            setattr(config, key.replace("-", "_"), check.selectors(key, value))
        elif key == "exclude":
            config.exclude = check.strings(key, value)
        elif key == "keras-version":
            if isinstance(value, bool) or not isinstance(value, int) or value not in (2, 3):
                raise check.fail(key, f"expected 2 or 3, got {value!r}")
            config.keras_version = int(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise check.fail(key, f"expected a table of glob = [codes], got {value!r}")
            # Stored as code prefixes, the form the engine matches findings against: ALL is KVL.
            config.per_file_ignores = {
                glob: ["KVL" if s == "ALL" else s for s in check.selectors(f'{key}."{glob}"', codes_)]
                for glob, codes_ in value.items()
            }
        elif key == "jobs":
            config.jobs = check.positive(key, value, int)
        elif key == "cache-dir":
            if not isinstance(value, str) or not value.strip():
                raise check.fail(key, f"expected a directory path, got {value!r}")
            config.cache_dir = path.parent / value
        elif key in ("fixable", "unfixable"):
            setattr(config, key, check.selectors(key, value))
        elif key == "unsafe-fixes":
            if not isinstance(value, bool):
                raise check.fail(key, f"expected true or false, got {value!r}")
            config.unsafe_fixes = value
        elif key == "runtime-timeout":
            config.runtime_timeout = check.positive(key, value, float)
        elif key == "runtime":
            if not isinstance(value, dict):
                raise check.fail(key, f"expected a table, got {value!r}")
            for sub, examples in value.items():
                if sub != "examples":
                    raise _unknown_key(check, sub, ["examples"], prefix="runtime.")
                if not isinstance(examples, dict):
                    raise check.fail("runtime.examples", f"expected a table, got {examples!r}")
                config.runtime_examples = {name: check.example(name, ex) for name, ex in examples.items()}
        else:
            raise _unknown_key(check, key, KEYS)
    return config


def _cli_selectors(option: str, values: Sequence[str] | None, codes: Sequence[str]) -> list[str]:
    selectors = [value.strip().upper() for value in values or () if value.strip()]
    try:
        expand(selectors, codes)
    except UsageError as err:
        raise UsageError(f"{option}: {err}") from None
    return selectors


def _merge_selection(
    settings: Settings, file_layer: Selection, cli_layer: Selection, registry: Mapping[str, type[Rule]]
) -> None:
    """Fold the file's and the command line's selection into the single layer Settings holds."""
    if cli_layer.select or not any(file_layer):
        chosen = cli_layer
    elif not any(cli_layer):
        chosen = file_layer
    else:  # both layers matter and ruff applies them in turn: store the resolved set itself
        codes = sorted(resolve([file_layer, cli_layer], registry))
        chosen = Selection(tuple(codes)) if codes else Selection(ignore=("ALL",))
    settings.select = list(chosen.select)
    settings.extend_select = list(chosen.extend_select)
    settings.ignore = list(chosen.ignore)


def _common_parent(paths: Sequence[Path]) -> Path:
    directories = [str(p if p.is_dir() else p.parent) for p in (path.resolve() for path in paths)]
    return Path(os.path.commonpath(directories))


def load_settings(args: Any, registry: Mapping[str, type[Rule]] | None = None) -> Settings:
    """Resolve command-line ``args`` and the config file into ``Settings``.

    ``args`` is the CLI's namespace; it may lack any attribute: ``paths``, ``config``,
    ``select``, ``ignore``, ``extend_select``, ``exclude``, ``keras_version``, ``jobs``,
    ``no_cache``, ``cache_dir``, ``runtime``, ``runtime_timeout``, ``unsafe_fixes``. ``registry`` defaults to
    every registered rule. Raises ``UsageError`` (``ConfigError`` for the file).
    """
    if registry is None:
        from keras_varlint.rules.base import registry as rule_registry

        registry = rule_registry()
    codes = list(registry)
    paths = [Path(p) for p in getattr(args, "paths", None) or ["."]]

    explicit = getattr(args, "config", None)
    if explicit is not None:
        config_path: Path | None = Path(explicit)
        if not config_path.is_file():
            raise UsageError(f"config file not found: {explicit}")
    else:
        config_path = find_config(paths[0])
    file_config = read_config(config_path, codes) if config_path else None

    settings = Settings()
    if file_config is not None:
        settings.project_root = file_config.path.resolve().parent
        settings.exclude = list(file_config.exclude)
        settings.keras_version = file_config.keras_version
        settings.per_file_ignores = file_config.per_file_ignores
        settings.jobs = file_config.jobs
        settings.cache_dir = file_config.cache_dir
        settings.runtime_examples = file_config.runtime_examples
        settings.fixable, settings.unfixable = list(file_config.fixable), list(file_config.unfixable)
        if file_config.unsafe_fixes is not None:
            settings.unsafe_fixes = file_config.unsafe_fixes
        if file_config.runtime_timeout is not None:
            settings.runtime_timeout = file_config.runtime_timeout
        file_layer = Selection(tuple(file_config.select), tuple(file_config.extend_select), tuple(file_config.ignore))
    else:
        settings.project_root = _common_parent(paths)
        file_layer = Selection()

    cli_layer = Selection(
        tuple(_cli_selectors("--select", getattr(args, "select", None), codes)),
        tuple(_cli_selectors("--extend-select", getattr(args, "extend_select", None), codes)),
        tuple(_cli_selectors("--ignore", getattr(args, "ignore", None), codes)),
    )
    _merge_selection(settings, file_layer, cli_layer, registry)

    if getattr(args, "exclude", None) is not None:
        settings.exclude = list(args.exclude)
    for name in ("keras_version", "jobs", "runtime_timeout"):
        if getattr(args, name, None) is not None:
            setattr(settings, name, getattr(args, name))
    if getattr(args, "cache_dir", None) is not None:
        settings.cache_dir = Path(args.cache_dir)
    if settings.cache_dir is not None:
        settings.cache_dir = settings.cache_dir.absolute()
    settings.use_cache = not getattr(args, "no_cache", False)
    settings.runtime = bool(getattr(args, "runtime", False))
    if getattr(args, "unsafe_fixes", None) is not None:  # --unsafe-fixes / --no-unsafe-fixes
        settings.unsafe_fixes = bool(args.unsafe_fixes)
    return settings
