"""Analyse one inheritance group of layer classes: parse, extract facts, run the rules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from keras_varlint.analysis.extractor import extract
from keras_varlint.analysis.facts import LayerFacts
from keras_varlint.analysis.layer_view import LayerView
from keras_varlint.analysis.parse import FileParser, ParsedClass, Positions
from keras_varlint.discovery.index import ClassInfo, keras_version_of
from keras_varlint.findings import Finding, parse_error_finding
from keras_varlint.fixes.resolve import resolve as resolve_fix
from keras_varlint.rules.base import Report, Rule

if TYPE_CHECKING:
    from keras_varlint.discovery.project import Project


def _parser(project: "Project", path: str) -> FileParser:
    if path not in project.parsers:
        summary = project.index.modules_by_path[path]
        project.parsers[path] = FileParser(project.texts[path], summary.classes)
    return project.parsers[path]


def _facts(project: "Project", info: ClassInfo) -> tuple[LayerFacts, ParsedClass] | None:
    parsed = _parser(project, info.summary.path).parse_class(info.header)
    if parsed is None:
        return None
    facts = LayerFacts(
        name=info.name,
        qualname=info.qualname,
        path=info.summary.path,
        line=info.header.line,
        col=info.header.col,
        keras_version=keras_version_of(info, project.settings.keras_version),
        family=info.family,
        class_node=parsed.node,
    )
    summary, scopes = info.summary, info.header.method_scopes
    try:
        extract(parsed.node, facts, lambda dotted, method: project.index.resolve(dotted, summary, scopes.get(method)), project)
    except RecursionError:
        return None  # nested too deep to walk; reported below as a parse problem
    return facts, parsed


def analyse_component(project: "Project", rules: list[Rule], component: list[ClassInfo]) -> list[Finding]:
    analysed: dict[int, tuple[LayerFacts, ParsedClass]] = {}
    findings: list[Finding] = []
    for info in component:
        result = _facts(project, info)
        if result is not None:
            analysed[id(info)] = result
        else:
            error = _parser(project, info.summary.path).error
            message = error.message if error else f"class {info.name} is too deeply nested to analyse"
            line, column = (error.line, error.column) if error else (info.header.line, info.header.col)
            findings.append(parse_error_finding(info.summary.path, message, line, column))
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
        for rule in rules:
            if not _applies(rule, facts.keras_version):
                continue
            try:
                reports = list(rule.check(view))
                text = project.texts.get(info.summary.path, "")
                findings.extend(_finding(info, parsed, rule, r, positions, text) for r in reports)
            except Exception as err:  # a bug in one rule must not hide the others' findings
                findings.append(_internal_error(info, rule, err))
    return _one_parse_error_per_file(findings)


def _applies(rule: Rule, keras_version: int | None) -> bool:
    """A rule for one Keras runs only on classes known to be that Keras; rules for both run on all."""
    return keras_version in rule.keras_versions if keras_version else rule.keras_versions == {2, 3}


def _one_parse_error_per_file(findings: list[Finding]) -> list[Finding]:
    kept, seen = [], set()
    for finding in findings:
        if finding.code == "KVL000" and finding.name == "parse-error":
            if finding.path in seen:
                continue
            seen.add(finding.path)
        kept.append(finding)
    return kept


def _internal_error(info: ClassInfo, rule: Rule, err: Exception) -> Finding:
    try:
        detail = str(err)
    except Exception:  # an exception whose __str__ itself fails
        detail = "<unprintable>"
    detail = (detail.strip().splitlines() or [""])[0][:200]
    message = f"internal error in rule {rule.code} ({rule.name}) on class {info.name}: {type(err).__name__}: {detail}"
    finding = parse_error_finding(info.summary.path, message, info.header.line, info.header.col)
    finding.name = "internal-error"
    return finding


def _finding(info: ClassInfo, parsed: ParsedClass, rule: Rule, report: Report, positions: Positions, text: str = "") -> Finding:
    where = None if report.node is parsed.node else positions.range(parsed.module, report.node)
    if where is None:  # a class-level finding, or no position known: the `class` keyword
        line, col = info.header.line, info.header.col
        end_line, end_col = line, col + len("class")
    else:
        line, col = where.start.line + parsed.line_offset, where.start.column
        end_line, end_col = where.end.line + parsed.line_offset, where.end.column
    summary = info.summary
    depth = len(summary.module.split(".")) - (0 if summary.is_package else 1)
    root = Path(summary.path).parents[depth]
    return Finding(
        path=summary.path,
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
        fix=None if report.fix is None else resolve_fix(report.fix, parsed, positions, summary, text),
        extra={
            "file": summary.path,
            "module": summary.module,
            "root": str(root),
            "class": info.header.qualname,
            "class_line": info.header.line,
            **report.extra,
        },
    )
