"""The flake8 plugin: ``flake8`` reports the same KVL findings as ``keras-varlint``.

flake8 stays in charge of ``select``/``ignore``/``extend-select``, ``per-file-ignores`` and
``noqa``: the plugin yields every finding of the codes flake8 could report and lets flake8
filter them. Options (also readable from flake8 config): ``--kvl-keras-version {2,3}`` and
``--kvl-runtime``. TensorFlow is imported only with ``--kvl-runtime``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from flake8.exceptions import ExecutionError
from flake8.style_guide import Decision, DecisionEngine

from keras_varlint.settings import Settings

if TYPE_CHECKING:
    from keras_varlint.engine import FileLinter
    from keras_varlint.findings import Finding

# Rules that run only when selected, as in the CLI. Spelled out rather than read from the rule
# registry, which imports libcst: flake8 registers options on every start, even `flake8 --version`.
DEFAULT_OFF = ("KVL010", "KVL105")

Result = tuple[int, int, str, type]


@dataclass
class _Process:
    """What flake8's main process builds once, before its workers fork."""

    settings: Settings
    roots: list[Path]
    linter: FileLinter | None  # None: flake8 would report no KVL code, so there is nothing to do
    stdin_name: str | None = None  # the display name of standard input, when flake8 reads it


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
            "--kvl-keras-version", type=int, choices=(2, 3), default=None, parse_from_config=True,
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


def reportable_codes(options: argparse.Namespace, codes: list[str]) -> list[str]:
    """The codes flake8's own select/ignore logic would report (per-file-ignores only remove)."""
    engine = DecisionEngine(options)
    return [code for code in codes if engine.decision_for(code) is Decision.Selected]


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
    settings = Settings(
        select=codes,  # rules whose findings flake8 would drop are not run; flake8 still decides
        exclude=[*(options.exclude or []), *(options.extend_exclude or [])],
        keras_version=options.kvl_keras_version,
        runtime=options.kvl_runtime,
        jobs=1,  # flake8's -j decides the processes; its workers are daemons and cannot fork
    )
    stdin_name = (options.stdin_display_name or "stdin") if "-" in options.filenames else None
    linter = FileLinter(settings, roots)
    if stdin_name is None:  # flake8's workers fork from here: analyse once, for all of them
        jobs = getattr(options, "jobs", None)
        linter.analyse_all(os.cpu_count() or 1 if jobs is None or jobs.is_auto else max(1, jobs.n_jobs))
    return _Process(settings, roots, linter, stdin_name)


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
