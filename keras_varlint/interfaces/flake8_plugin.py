"""The flake8 plugin: ``flake8`` reports the same KVL findings as ``keras-varlint``.

flake8 stays in charge of ``select``/``ignore``/``extend-select``, ``per-file-ignores`` and
``noqa``: the plugin yields every finding of the codes flake8 could report and lets flake8
filter them. Options (also readable from flake8 config): ``--kvl-keras-version {2,3}`` and
``--kvl-runtime``. TensorFlow is imported only with ``--kvl-runtime``.

The plugin also reads ``[tool.keras-varlint]`` from the ``pyproject.toml`` the CLI would read
(``config.find_config`` from the first path flake8 is given, else the current directory), for
what flake8 has no place for. Precedence, setting by setting:

* Keras version: ``--kvl-keras-version`` (command line or flake8 config) > ``keras-version`` in
  pyproject.toml > each class's base chain.
* Excludes: flake8's ``exclude``/``extend-exclude`` *and* pyproject's ``exclude``; a file either
  excludes gets no KVL finding (pyproject patterns match as the CLI matches them).
* Runtime: ``--kvl-runtime`` turns it on; ``runtime.examples`` and ``runtime-timeout`` come from
  pyproject.toml.
* Cache: ``cache-dir`` from pyproject.toml, else ``.keras_varlint_cache`` beside it (else in the
  current directory), as for the CLI.
* Codes: flake8's own ``select``, ``ignore``, ``extend-select``, ``extend-ignore``,
  ``per-file-ignores`` and ``# noqa`` only. pyproject's ``select``, ``ignore``,
  ``extend-select`` and ``per-file-ignores`` (and ``jobs``: flake8's ``-j`` decides) are left to
  the CLI, without a warning, since the same table configures both; ``flake8 -v`` logs them.

A pyproject.toml the CLI would reject stops flake8 with the CLI's message.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from flake8.exceptions import ExecutionError
from flake8.style_guide import Decision, DecisionEngine

from keras_varlint.discovery.files import is_excluded_below
from keras_varlint.settings import Settings

if TYPE_CHECKING:
    from keras_varlint.config import FileConfig
    from keras_varlint.engine import FileLinter
    from keras_varlint.findings import Finding

# Rules that run only when selected, as in the CLI. Spelled out rather than read from the rule
# registry, which imports libcst: flake8 registers options on every start, even `flake8 --version`.
DEFAULT_OFF = ("KVL010", "KVL100", "KVL105", "KVL106")  # KVL100: the plugin never reports it (flake8 applies noqa)

Result = tuple[int, int, str, type]

# Under flake8's logger, so that `flake8 -v` shows it.
LOG = logging.getLogger("flake8.keras_varlint")

# [tool.keras-varlint] keys that flake8's own options and `-j` replace.
LEFT_TO_FLAKE8 = ("select", "ignore", "extend-select", "per-file-ignores", "jobs")


@dataclass
class _Process:
    """What flake8's main process builds once, before its workers fork."""

    settings: Settings
    roots: list[Path]
    linter: FileLinter | None  # None: flake8 would report no KVL code, so there is nothing to do
    stdin_name: str | None = None  # the display name of standard input, when flake8 reads it
    project_exclude: tuple[str, ...] = ()  # pyproject.toml's exclude, on top of flake8's own


class KerasVarlintChecker:
    """flake8 checker for one file, backed by a per-process ``FileLinter``.

    flake8 only runs plugins that take ``tree``, ``logical_line`` or ``physical_line``; ``tree``
    is free, since flake8 parses every file anyway (and reports E999 without calling plugins
    when that fails, so syntax errors never become KVL000 here). The tree itself is unused: the
    engine reads the file, and only layer classes, with libcst.
    """

    name = "keras-varlint"
    version = metadata.version("keras-varlint")

    _options: ClassVar[argparse.Namespace | None] = None
    _process: ClassVar[_Process | None] = None

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    # -- flake8 hooks ----------------------------------------------------------------------------

    @staticmethod
    def add_options(manager: Any) -> None:
        """Register ``--kvl-keras-version`` and ``--kvl-runtime``, and the default-off codes."""
        manager.add_option(
            "--kvl-keras-version", type=_keras_version, metavar="{2,3}", default=None, parse_from_config=True,
            help="keras-varlint: analyse every file as this Keras version (default: from each class's base chain)",
        )
        manager.add_option(
            "--kvl-runtime", action="store_true", default=False, parse_from_config=True,
            help="keras-varlint: confirm findings by running the layers (needs TensorFlow)",
        )
        manager.extend_default_ignore(list(DEFAULT_OFF))

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Check the options and index the project, once, in flake8's main process: its ``-j``
        workers are forked from it and share the index instead of each building its own."""
        if options.kvl_keras_version not in (None, 2, 3):  # flake8 checks `choices` on the command line only
            raise ExecutionError(f"kvl-keras-version must be 2 or 3, not {options.kvl_keras_version}")
        if options.kvl_runtime and importlib.util.find_spec("tensorflow") is None:
            raise ExecutionError("--kvl-runtime needs TensorFlow: pip install 'keras-varlint[runtime]'")
        cls._options = options
        cls._process = _build(options) if getattr(options, "filenames", None) is not None else None

    def run(self) -> Iterator[Result]:
        """Yield ``(line, 0-based column, "KVLxxx message", type)`` for each finding in the file."""
        from keras_varlint.output.common import message_with_runtime

        process = self._state()
        if process.linter is None:
            return
        path = Path(self.filename)
        if is_excluded_below(path, process.roots, list(process.project_exclude)):
            return
        if process.stdin_name == self.filename:  # `flake8 -`: lint what flake8 read, not the disk
            findings = process.linter.lint(path, text="".join(self.lines))
        else:
            findings = process.linter.lint(path)
        if findings and process.settings.runtime:
            findings = _confirm(findings, process.settings, process.roots, path)
        for finding in findings:
            yield finding.line, finding.column, f"{finding.code} {message_with_runtime(finding)}", type(self)

    # -- per-process state -----------------------------------------------------------------------

    @classmethod
    def _state(cls) -> _Process:
        """The linter, as built by ``parse_options`` (inherited by forked workers), or built here
        on the first file where workers are not forked."""
        if cls._process is None:
            cls._process = _build(cls._options)
        return cls._process


def _keras_version(value: str) -> int:
    """``--kvl-keras-version``'s type. Not ``int``: flake8 reads an ``int`` option from its config
    with ``getint``, which raises a traceback on ``three``; a string goes through argparse, whose
    error is one line."""
    if str(value).strip() not in ("2", "3"):
        raise argparse.ArgumentTypeError(f"must be 2 or 3, not '{value}'")
    return int(value)


def reportable_codes(options: argparse.Namespace, codes: list[str]) -> list[str]:
    """The codes flake8's own select/ignore logic would report (per-file-ignores only remove)."""
    engine = DecisionEngine(options)
    return [code for code in codes if engine.decision_for(code) is Decision.Selected]


def _project_config(roots: list[Path], codes: list[str]) -> FileConfig | None:
    """The ``[tool.keras-varlint]`` table the CLI would read for these paths, if there is one."""
    from keras_varlint.config import ConfigError, find_config, read_config

    try:
        path = find_config(roots[0] if roots else Path.cwd())
        config = read_config(path, codes) if path else None
    except ConfigError as err:
        raise ExecutionError(str(err)) from None
    if config is not None:
        left = [key for key in LEFT_TO_FLAKE8 if getattr(config, key.replace("-", "_")) not in ([], {}, None)]
        LOG.info("keras-varlint: read %s%s", path,
                 f"; flake8's own options replace its {', '.join(left)}" if left else "")
    return config


def _build(options: argparse.Namespace | None) -> _Process:
    from keras_varlint.engine import FileLinter
    from keras_varlint.rules.base import registry

    if options is None:
        raise RuntimeError("flake8 did not call KerasVarlintChecker.parse_options")
    # flake8 lints "." when given nothing; standard input ("-") has no root of its own.
    roots = [Path(name) for name in options.filenames or ["."] if name != "-"]
    codes = reportable_codes(options, list(registry()))
    if not codes:
        return _Process(Settings(), roots, None)
    config = _project_config(roots, list(registry()))
    project_exclude = tuple(config.exclude) if config else ()
    settings = Settings(
        select=codes,  # rules whose findings flake8 would drop are not run; flake8 still decides
        exclude=[*(options.exclude or []), *(options.extend_exclude or []), *project_exclude],
        keras_version=options.kvl_keras_version,
        runtime=options.kvl_runtime,
        jobs=1,  # flake8's -j decides the processes; its workers are daemons and cannot fork
    )
    if config is not None:
        settings.project_root = config.path.resolve().parent
        if settings.keras_version is None:
            settings.keras_version = config.keras_version
        settings.runtime_examples = config.runtime_examples
        if config.runtime_timeout is not None:
            settings.runtime_timeout = config.runtime_timeout
        if config.cache_dir is not None:
            settings.cache_dir = config.cache_dir.absolute()
    stdin_name = (options.stdin_display_name or "stdin") if "-" in options.filenames else None
    linter = FileLinter(settings, roots)
    if stdin_name is None:  # flake8's workers fork from here: analyse once, for all of them
        jobs = getattr(options, "jobs", None)
        linter.analyse_all(os.cpu_count() or 1 if jobs is None or jobs.is_auto else max(1, jobs.n_jobs))
    return _Process(settings, roots, linter, stdin_name, project_exclude)


def _confirm(findings: list[Finding], settings: Settings, roots: list[Path], path: Path) -> list[Finding]:
    """Findings with their runtime verdicts, plus the runtime-only findings in ``path``."""
    from keras_varlint.runtime.confirm import confirm_findings
    from keras_varlint.runtime.errors import RuntimeUnavailable

    try:
        added = confirm_findings(findings, settings, roots, harvested=None)
    except RuntimeUnavailable as err:
        raise ExecutionError(str(err)) from None
    here = path.resolve()
    return [*findings, *(f for f in added if Path(f.path).resolve() == here)]
