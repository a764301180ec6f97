"""The ``keras-varlint`` command.

``keras-varlint [PATH ...] [options]`` lints files and directories; ``keras-varlint rule CODE``
and ``keras-varlint rule --all`` print rule pages; ``keras-varlint layers [PATH ...]`` lists the
layer classes that a run analyses and the classes whose bases could not be resolved (so a
directory named ``rule`` or ``layers`` is linted as ``./rule``). Exit codes: 0 nothing found, 1 findings (or
files that could not be examined), 2 usage error, reported as one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from keras_varlint.config import load_settings
from keras_varlint.findings import Finding
from keras_varlint.output import FORMATS, render, rule_docs, statistics, summary
from keras_varlint.output.common import TOOL_NAME, tool_version
from keras_varlint.result import LintResult
from keras_varlint.selection import UsageError
from keras_varlint.settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MACHINE_FORMATS = frozenset({"json", "sarif"})  # stdout must stay parseable: statistics go to stderr
NOTEBOOK_NOT_RUN = "layers defined in a notebook are not run by --runtime (its cells are not executed)"


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a ``UsageError`` rather than usage text and exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{value}'")
    return number


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got '{value}'")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The parser for the lint command (``keras-varlint [PATH ...]``)."""
    parser = _Parser(
        prog=TOOL_NAME,
        description="Find custom Keras layers whose variables are silently never trained.",
        epilog="Run 'keras-varlint rule CODE' or 'keras-varlint rule --all' for rule documentation.",
        allow_abbrev=False,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files and directories to lint (default: .)")
    rules = parser.add_argument_group("rule selection (comma-separated codes or prefixes; ALL for every rule)")
    rules.add_argument("--select", action="extend", type=_comma_list, metavar="CODES",
                       help="rules to run instead of the default set")
    rules.add_argument("--extend-select", action="extend", type=_comma_list, metavar="CODES",
                       help="rules to run in addition to the selected ones")
    rules.add_argument("--ignore", action="extend", type=_comma_list, metavar="CODES", help="rules not to run")
    parser.add_argument("--exclude", action="extend", type=_comma_list, metavar="GLOBS",
                        help="comma-separated globs of files and directories to skip (replaces the config's)")
    parser.add_argument("--format", choices=list(FORMATS), default="text",
                        help="output format (default: text)")
    parser.add_argument("--keras-version", type=int, choices=(2, 3),
                        help="analyse every file as this Keras version (default: from each class's base chain)")
    parser.add_argument("--statistics", action="store_true", help="print the number of findings per code")
    parser.add_argument("--show-source", action="store_true",
                        help="text output: show each finding's source line with a caret under it (as ruff)")
    parser.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--add-noqa", action="store_true",
                        help="add '# noqa: CODES' to the line of every finding (keeping the codes listed), then exit 0")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print the findings and nothing else (no notes, no summary line)")
    parser.add_argument("-j", "--jobs", type=_positive_int, metavar="N",
                        help="worker processes (default: the number of CPUs)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--cache-dir", metavar="DIR", help="cache directory (default: .keras_varlint_cache/)")
    parser.add_argument("--runtime", action="store_true",
                        help="confirm findings by running the layers (needs the 'runtime' extra)")
    parser.add_argument("--runtime-timeout", type=_positive_float, metavar="SECONDS",
                        help="time limit per module for --runtime (default: 60)")
    parser.add_argument("--config", metavar="PATH",
                        help="pyproject.toml to read instead of searching upward from the first path")
    parser.add_argument("--stdin-filename", metavar="PATH",
                        help="with '-' as the path: lint standard input as if it were the file PATH "
                             "(its config, Keras version and bases in other files; reported as PATH)")
    fixes = parser.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true", help="apply the safe fixes to the files")
    fixes.add_argument("--unsafe-fixes", dest="unsafe_fixes", action="store_const", const=True, default=None,
                       help="with --fix and --diff, apply unsafe fixes too (they may change what the code computes)")
    fixes.add_argument("--no-unsafe-fixes", dest="unsafe_fixes", action="store_const", const=False,
                       help="never apply unsafe fixes (overrides unsafe-fixes = true in the config)")
    fixes.add_argument("--diff", action="store_true",
                       help="print a unified diff of what --fix would change, write nothing; exit 1 when there is one")
    parser.add_argument("--version", action="version", version=f"{TOOL_NAME} {tool_version()}")
    return parser


def build_rule_parser() -> argparse.ArgumentParser:
    """The parser for ``keras-varlint rule``."""
    parser = _Parser(prog=f"{TOOL_NAME} rule", description="Print the documentation of a rule.", allow_abbrev=False)
    parser.add_argument("code", nargs="?", metavar="CODE",
                        help="a rule code or name, e.g. KVL001 or untracked-variable")
    parser.add_argument("--all", action="store_true", help="print every rule's page (the source of docs/rules.md)")
    return parser


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace | int:
    """Parsed arguments, or the exit status of ``--help``/``--version``."""
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_CLEAN


def _registry() -> dict[str, Any]:
    from keras_varlint.rules.base import registry

    return registry()


def _rule_code(name: str, rules: dict[str, Any]) -> str:
    """The code of a rule given by code (``KVL001``) or by name (``untracked-variable``)."""
    code = name.strip().upper()
    if code in rules:
        return code
    by_name = {rule.name: code for code, rule in rules.items()}
    wanted = name.strip().lower().replace("_", "-")
    if wanted in by_name:
        return by_name[wanted]
    kind = "code" if code.startswith("KVL") else "name"
    raise UsageError(f"unknown rule {kind} '{name}'")


def _rule_command(argv: Sequence[str], stdout: IO[str]) -> int:
    args = _parse(build_rule_parser(), argv)
    if isinstance(args, int):
        return args
    if args.all == bool(args.code):
        raise UsageError("rule: give either a rule code or --all")
    rules = _registry()
    if args.all:
        stdout.write(rule_docs.render_all(rules))
        return EXIT_CLEAN
    stdout.write(rules[_rule_code(args.code, rules)].documentation())
    return EXIT_CLEAN


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _confirm_at_runtime(result: LintResult, settings: Settings, roots: list[Path]) -> None:
    """Set each finding's runtime verdict and add the runtime-only findings (``--runtime``)."""
    try:
        from keras_varlint.runtime import RuntimeUnavailable
        from keras_varlint.runtime.confirm import confirm_findings
    except ImportError as err:  # a broken install; TensorFlow itself is only imported by the workers
        raise UsageError(f"--runtime is unavailable: {_one_line(str(err))}") from None
    runnable = [f for f in result.findings if f.cell is None]
    for finding in result.findings:
        if finding.cell is not None:
            finding.runtime = {"status": "inconclusive", "detail": NOTEBOOK_NOT_RUN}
    try:
        added = confirm_findings(runnable, settings, roots, harvested=None)
    except RuntimeUnavailable as err:
        raise UsageError(_one_line(str(err))) from None
    result.findings = sorted([*result.findings, *added], key=Finding.sort_key)


def _stdin_source(args: argparse.Namespace) -> dict[Path, bytes] | None:
    """``keras-varlint -``: standard input, linted as if it were the file ``--stdin-filename``
    (default ``-``), which need not exist. ``--stdin-filename`` with no path reads it too (as ruff)."""
    name = getattr(args, "stdin_filename", None)
    if "-" not in args.paths:
        if name is None:
            return None
        if args.paths:
            raise UsageError("--stdin-filename names standard input: give '-' as the only path")
    elif args.paths != ["-"]:
        raise UsageError("'-' (standard input) cannot be linted together with other paths")
    if getattr(args, "fix", False) or getattr(args, "diff", False):
        raise UsageError("--fix and --diff do not apply to standard input")
    if getattr(args, "runtime", False):
        raise UsageError("--runtime does not apply to standard input: it runs the files on disk")
    args.paths = [name or "-"]
    args.stdin_path = args.paths[0]
    return {Path(args.stdin_path): sys.stdin.buffer.read()}


def _verify_fixes(outcome: Any, settings: Settings, roots: list[Path]) -> int:
    """``--fix --runtime``: write the fixes, check each fixed class at runtime, roll back the files
    whose fixes broke a layer (and lint again); return how many fixes were rolled back."""
    try:
        from keras_varlint.fixes.apply import hide_unfixable
        from keras_varlint.fixes.verify import BROKE, verify_fixes
        from keras_varlint.runtime import RuntimeUnavailable
    except ImportError as err:
        raise UsageError(f"--runtime is unavailable: {_one_line(str(err))}") from None
    try:
        rolled_back = verify_fixes(outcome, settings, roots)
    except RuntimeUnavailable as err:
        raise UsageError(_one_line(str(err))) from None
    if rolled_back:
        outcome.result = importlib.import_module("keras_varlint.engine").lint_paths(roots, settings)
        hide_unfixable(outcome.result.findings, settings)
    return sum(f.extra.get("fix_verified", {}).get("status") == BROKE for f in outcome.fixed)


def _add_noqa(result: LintResult, stderr: IO[str]) -> int:
    """``--add-noqa``: a ``# noqa`` directive for every finding, on its line; exit 0 as ruff does."""
    from keras_varlint.noqa import add_noqa

    for error in result.errors:
        stderr.write(f"{TOOL_NAME}: error: {error.get('path', '')}: {_one_line(error.get('message', ''))}\n")
    changed, notes = add_noqa(result.findings)
    for note in notes:
        stderr.write(f"{TOOL_NAME}: note: {_one_line(note)}\n")
    stderr.write(f"Added {changed} noqa directive{'' if changed == 1 else 's'}.\n")
    return EXIT_CLEAN


def _paths_and_settings(args: argparse.Namespace) -> tuple[list[Path], Settings, dict[str, Any]]:
    missing = [path for path in args.paths
               if not os.path.lexists(path) and path != getattr(args, "stdin_path", None)]
    if missing:
        raise UsageError(f"path does not exist: {missing[0]}")
    paths = [Path(path) for path in args.paths or ["."]]
    rules = _registry()
    return paths, load_settings(args, rules), rules


def _layers_command(argv: Sequence[str], stdout: IO[str]) -> int:
    """``keras-varlint layers``: what a run would analyse, and what it could not resolve."""
    parser = build_parser()
    parser.prog = f"{TOOL_NAME} layers"
    parser.description = "List the layer classes keras-varlint analyses, and the classes whose bases it cannot resolve."
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args
    paths, settings, _ = _paths_and_settings(args)
    engine = importlib.import_module("keras_varlint.engine")
    result: LintResult = engine.list_classes(paths, settings)
    if args.format == "json":
        data = {"layers": [e.to_json() for e in result.layers], "unresolved": [e.to_json() for e in result.unresolved]}
        stdout.write(json.dumps(data, indent=2) + "\n")
        return EXIT_CLEAN
    for entry in result.layers:
        version = "Keras ?" if entry.keras_version is None else f"Keras {entry.keras_version}"
        stdout.write(f"{entry.path}:{entry.line}: {entry.qualname} ({version}): {' -> '.join(entry.bases)}\n")
    for entry in result.unresolved:
        stdout.write(f"{entry.path}:{entry.line}: {entry.qualname}: unresolved: {entry.reason}\n")
    stdout.write(f"{len(result.layers)} layer classes; {len(result.unresolved)} classes with unresolved bases.\n")
    return EXIT_CLEAN


def _lint_command(argv: Sequence[str], stdout: IO[str], stderr: IO[str]) -> int:
    args = _parse(build_parser(), argv)
    if isinstance(args, int):
        return args
    if args.output_file is None:
        return _lint(args, stdout, stderr)
    try:
        report = open(args.output_file, "w", encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {args.output_file}: {err.strerror or err}") from None
    with report:
        return _lint(args, report, stderr)


def _lint(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    """Lint as the parsed ``args`` say; the report goes to ``stdout`` (``--output-file``'s file)."""
    stdin = _stdin_source(args)
    paths, settings, rules = _paths_and_settings(args)

    engine = importlib.import_module("keras_varlint.engine")
    fixed: int | None = None  # with --fix: how many findings were fixed
    if args.add_noqa and (args.fix or args.diff or settings.runtime or stdin is not None):
        raise UsageError("--add-noqa cannot be combined with --fix, --diff, --runtime or standard input")
    if args.fix or args.diff:
        from keras_varlint.fixes.apply import fix_paths

        outcome = fix_paths(paths, settings, write=not (args.diff or settings.runtime), relint=not args.diff)
        result: LintResult = outcome.result
        if args.diff:
            for note in result.notes:
                stderr.write(f"{TOOL_NAME}: note: {_one_line(note)}\n")
            stdout.write(outcome.diff())
            count = len(outcome.fixed)
            stderr.write(f"Would fix {count} error{'' if count == 1 else 's'}.\n" if count else "No errors would be fixed.\n")
            return EXIT_FINDINGS if outcome.after else EXIT_CLEAN
        fixed = len(outcome.fixed)
        if settings.runtime and outcome.after:
            fixed -= _verify_fixes(outcome, settings, paths)
            result = outcome.result
        result.fixed = outcome.fixed
    else:
        from keras_varlint.fixes.apply import hide_unfixable

        result = engine.lint_paths(paths, settings) if stdin is None else engine.lint_paths(paths, settings, sources=stdin)
        hide_unfixable(result.findings, settings)
        if args.add_noqa:
            return _add_noqa(result, stderr)
    result.unsafe_fixes = settings.unsafe_fixes
    if settings.runtime:
        _confirm_at_runtime(result, settings, paths)

    for note in [] if args.quiet else result.notes:
        stderr.write(f"{TOOL_NAME}: note: {_one_line(note)}\n")
    result.show_source = args.show_source
    for error in result.errors:
        stderr.write(f"{TOOL_NAME}: error: {error.get('path', '')}: {_one_line(error.get('message', ''))}\n")
    stdout.write(render(args.format, result, rules))
    if args.statistics:
        (stderr if args.format in MACHINE_FORMATS else stdout).write(statistics.render(result.findings))
    if args.format == "text" and not getattr(args, "quiet", False):
        stdout.write(summary.render(result, fixed))
    return EXIT_FINDINGS if (result.findings or result.errors) and not args.exit_zero else EXIT_CLEAN


def _server_command(argv: Sequence[str]) -> int:
    """``keras-varlint server``: the Language Server, over standard input/output."""
    parser = _Parser(prog=f"{TOOL_NAME} server", allow_abbrev=False,
                     description="Run the keras-varlint Language Server over standard input/output.")
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args
    try:
        from keras_varlint.interfaces.lsp import serve
    except ImportError as err:
        raise UsageError(f"server needs pygls and lsprotocol: pip install 'keras-varlint[lsp]' ({_one_line(str(err))})") from None
    return serve()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments[:1] == ["rule"]:
            return _rule_command(arguments[1:], sys.stdout)
        if arguments[:1] == ["layers"]:
            return _layers_command(arguments[1:], sys.stdout)
        if arguments[:1] == ["server"]:
            return _server_command(arguments[1:])
        return _lint_command(arguments, sys.stdout, sys.stderr)
    except UsageError as err:
        sys.stderr.write(f"{TOOL_NAME}: error: {_one_line(str(err))}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly, as Unix tools do
        try:  # keep the interpreter's final flush from failing again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FINDINGS


if __name__ == "__main__":
    sys.exit(main())
