"""Lint a set of paths: discover, summarise, index, analyse layer classes, run rules.

The cheap pass (regex summaries) covers every file; libcst parses only the classes the project
index says are Keras layers, grouped by inheritance so each group is analysed in one place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from keras_varlint.analysis.closures import returns_layer_closure
from keras_varlint.analysis.extractor import extract
from keras_varlint.analysis.facts import Kind, LayerFacts
from keras_varlint.analysis.layer_view import LayerView
from keras_varlint.analysis.parse import FileParser, ParsedClass, Positions
from keras_varlint.discovery.files import discover
from keras_varlint.discovery.index import ClassInfo, ProjectIndex
from keras_varlint.discovery.keras_names import Family, builtin_layer_state, keras_layer_family
from keras_varlint.discovery.source import SourceError, decode, read_source
from keras_varlint.discovery.summary import CLASS_PREFILTER, ModuleSummary, summarize
from keras_varlint.findings import Finding, Severity
from keras_varlint.result import LintResult
from keras_varlint.rules.base import Rule, registry
from keras_varlint.settings import Settings

PARSE_ERROR = ("KVL000", "parse-error")
# Anything that could give a class variables or sublayers.
_MAKES_STATE = re.compile(r"add_weight|add_variable|Variable\s*\(|SeedGenerator|self\.\w+\s*=\s*[\w.]*\b[A-Z]\w*\s*\(")
_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z][A-Z0-9]*(?:[,\s]+[A-Z][A-Z0-9]*)*))?", re.I)


def display_path(path: Path) -> str:
    """Relative to the current directory when under it, as given otherwise."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_error_finding(path: str, message: str, line: int = 1, column: int = 0) -> Finding:
    return Finding(path, line, column, line, column, *PARSE_ERROR, Severity.ERROR, message)


def keras_version_of(info: ClassInfo, override: int | None) -> int:
    if override:
        return override
    if info.family in (Family.KERAS2, Family.KERAS3):
        return int(info.family)
    return 2 if info.summary.keras2 else 3


@dataclass
class Project:
    """Everything known about one run before any class is parsed."""

    index: ProjectIndex
    texts: dict[str, str]  # summary.path -> decoded text
    settings: Settings
    rules: list[Rule]
    parsers: dict[str, FileParser] = field(default_factory=dict)
    _closures: dict[tuple[str, str], bool] = field(default_factory=dict)

    def parser(self, summary: ModuleSummary) -> FileParser:
        if summary.path not in self.parsers:
            self.parsers[summary.path] = FileParser(self.texts[summary.path], summary.classes)
        return self.parsers[summary.path]

    def layer_state(self, qualname: str, keras_version: int) -> str:
        if keras_layer_family(qualname) is not None:
            return builtin_layer_state(qualname, keras_version)
        info = self.index.find_class(qualname)
        if info is None or not info.is_layer or not info.complete:
            return "trainable"  # cannot tell: assume the worst
        for cls in (info, *self.index.ancestors(info)):
            lines = self.texts[cls.summary.path].split("\n")[cls.header.line - 1: cls.header.body_end]
            if _MAKES_STATE.search("\n".join(lines)):
                return "trainable"
        return "none"

    def class_kind(self, qualname: str) -> Kind | None:
        """What calling ``qualname`` makes: a layer, a tf.Module, a closure over layers, or None."""
        if keras_layer_family(qualname) is not None:
            return Kind.LAYER
        info = self.index.find_class(qualname)
        if info is not None:
            return Kind.LAYER if info.is_layer else Kind.MODULE if info.is_module else None
        module, _, name = qualname.rpartition(".")
        summary = self.index.modules.get(module)
        if summary is not None and name in summary.functions:
            key = (summary.path, name)
            if key not in self._closures:
                self._closures[key] = False  # a recursive function asks about itself
                self._closures[key] = returns_layer_closure(
                    self.texts[summary.path], name,
                    lambda dotted: self.class_kind(self.index.resolve(dotted, summary)) is Kind.LAYER,
                )
            return Kind.CLOSURE if self._closures[key] else None
        return None


def _analyse_class(project: Project, info: ClassInfo) -> tuple[LayerFacts, ParsedClass] | None:
    parsed = project.parser(info.summary).parse_class(info.header)
    if parsed is None:
        return None
    facts = LayerFacts(
        name=info.name,
        qualname=info.qualname,
        path=info.summary.path,
        line=info.header.line,
        col=info.header.col,
        keras_version=keras_version_of(info, project.settings.keras_version),
        family=None if info.family is None else int(info.family),
        class_node=parsed.node,
        module_node=parsed.module,
        line_offset=parsed.line_offset,
    )
    summary = info.summary
    extract(parsed.node, facts, lambda dotted: project.index.resolve(dotted, summary), project)
    return facts, parsed


def analyse_component(project: Project, component: list[ClassInfo]) -> list[Finding]:
    """Parse every class of one inheritance group and run the rules on each."""
    analysed: dict[int, tuple[LayerFacts, ParsedClass]] = {}
    findings: list[Finding] = []
    for info in component:
        result = _analyse_class(project, info)
        if result is not None:
            analysed[id(info)] = result
    positions = Positions()
    for info in component:
        if id(info) not in analysed:
            continue
        facts, parsed = analysed[id(info)]
        view = LayerView(
            facts,
            [analysed[id(a)][0] for a in project.index.ancestors(info) if id(a) in analysed],
            [analysed[id(d)][0] for d in project.index.descendants(info) if id(d) in analysed],
            complete=info.complete,
        )
        for rule in project.rules:
            if facts.keras_version not in rule.keras_versions:
                continue
            try:
                reports = list(rule.check(view))
            except Exception as err:  # a bug in one rule must not hide the others' findings
                findings.append(_internal_error(info, rule, err))
                continue
            for report in reports:
                findings.append(_finding(info, facts, parsed, rule, report, positions))
    return findings


def _internal_error(info: ClassInfo, rule: Rule, err: Exception) -> Finding:
    line = info.header.line
    message = f"internal error in rule {rule.code} ({rule.name}) on class {info.name}: {type(err).__name__}: {err}"
    finding = parse_error_finding(display_path(Path(info.summary.path)), message, line, info.header.col)
    finding.name = "internal-error"
    return finding


def _finding(info, facts, parsed, rule, report, positions: Positions) -> Finding:
    if report.node is parsed.node:  # class-level finding: the `class` line
        line, col, end_line, end_col = info.header.line, info.header.col, info.header.line, info.header.col + 5
    else:
        where = positions.range(parsed.module, report.node)
        line, col = where.start.line + parsed.line_offset, where.start.column
        end_line, end_col = where.end.line + parsed.line_offset, where.end.column
    summary = info.summary
    module_parts = summary.module.split(".")
    root = Path(summary.path).absolute().parents[len(module_parts) - (0 if summary.is_package else 1)]
    return Finding(
        path=display_path(Path(summary.path)),
        line=line,
        column=col,
        end_line=end_line,
        end_column=end_col,
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=report.message,
        layer=info.name,
        attribute=report.attribute,
        extra={
            "file": str(Path(summary.path).absolute()),
            "module": summary.module,
            "root": str(root),
            "class": info.header.qualname,
            "class_line": info.header.line,
            **report.extra,
        },
    )


# -- suppression ---------------------------------------------------------------------------------


def noqa_suppresses(line_text: str, code: str) -> bool:
    match = _NOQA.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    return any(code.startswith(c.upper()) for c in re.split(r"[,\s]+", codes) if c)


def _per_file_ignored(path: str, code: str, per_file_ignores: dict[str, list[str]]) -> bool:
    import fnmatch

    posix = Path(path).as_posix()
    for pattern, codes in per_file_ignores.items():
        if fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(posix, f"*/{pattern}") or fnmatch.fnmatch(Path(path).name, pattern):
            if any(code.startswith(c) for c in codes):
                return True
    return False


def _suppressed(finding: Finding, lines: list[str] | None, settings: Settings) -> bool:
    if lines is not None and 0 < finding.line <= len(lines) and noqa_suppresses(lines[finding.line - 1], finding.code):
        return True
    return _per_file_ignored(finding.path, finding.code, settings.per_file_ignores)


# -- the run -------------------------------------------------------------------------------------


def enabled_rules(settings: Settings) -> list[Rule]:
    from keras_varlint.selection import enabled_codes

    rules = registry()
    codes = enabled_codes(settings, rules)
    return [cls() for code, cls in rules.items() if code in codes]


def _read_elsewhere(findings: list[Finding], texts: Iterable[str]) -> set[str]:
    """Attribute names read as ``obj.name`` (not ``self.name``) anywhere in the run."""
    names = {f.extra["unless_read_elsewhere"] for f in findings if f.extra.get("unless_read_elsewhere")}
    if not names:
        return set()
    pattern = re.compile(r"(?<!\bself)\.\s*(" + "|".join(map(re.escape, sorted(names))) + r")\b(?!\s*=[^=])")
    found: set[str] = set()
    for text in texts:
        found.update(pattern.findall(text))
    return found


def lint_paths(paths: list[Path], settings: Settings) -> LintResult:
    result = LintResult()
    discovery = discover(paths, settings.exclude)
    result.notes.extend(discovery.notes)
    result.errors.extend(discovery.errors)
    result.files = len(discovery.files)
    if not discovery.files:
        result.notes.append(f"no Python files found in {', '.join(map(str, paths))}")
        return result

    texts: dict[str, str] = {}
    summaries: list[ModuleSummary] = []
    package_dirs: dict[Path, bool] = {}
    for path in discovery.files:
        try:
            source = read_source(path)
            text = decode(source.data)
        except SourceError as err:
            result.findings.append(parse_error_finding(display_path(path), str(err)))
            continue
        key = path.absolute()
        texts[str(key)] = text
        summaries.append(summarize(key, text, package_dirs, with_classes=bool(CLASS_PREFILTER.search(source.data))))

    rules = enabled_rules(settings)
    project = Project(ProjectIndex(summaries), texts, settings, rules)
    findings: list[Finding] = []
    for component in project.index.components():
        findings.extend(analyse_component(project, component))
    for path, parser in project.parsers.items():
        if parser.error is not None:
            findings.append(parse_error_finding(display_path(Path(path)), parser.error.message, parser.error.line, parser.error.column))

    read_elsewhere = _read_elsewhere(findings, texts.values())
    lines_of: dict[str, list[str]] = {}
    for finding in findings:
        if finding.extra.get("unless_read_elsewhere") in read_elsewhere:
            continue
        file = finding.extra.get("file")
        text = texts.get(file) if file else None
        if file and text is not None and file not in lines_of:
            lines_of[file] = text.split("\n")
        if not _suppressed(finding, lines_of.get(file) if file else None, settings):
            result.findings.append(finding)
    result.findings.sort(key=Finding.sort_key)
    return result
