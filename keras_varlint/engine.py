"""Lint a set of paths: discover, summarise, index, analyse layer classes, run rules.

The project (``discovery.project``) reads every file and summarises the ones that can hold a
layer with the binding pass; libcst parses only the classes the index says are Keras layers,
grouped by inheritance ("components") so that each group is analysed in one place: in one
worker process, and as one cache entry. This module orchestrates that and applies selection,
``noqa`` and per-file-ignores; it asks the index nothing itself.
"""

from __future__ import annotations

import ast
import atexit
import fnmatch
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flake8.defaults import NOQA_INLINE_REGEXP
from flake8.utils import parse_comma_separated_list

from keras_varlint.cache import CACHE_DIR_NAME, Cache, fingerprint
from keras_varlint.discovery.bindings import ModuleSummary
from keras_varlint.discovery.files import discover
from keras_varlint.discovery.index import ClassInfo, keras_version_of
from keras_varlint.discovery.notebook import NotebookSource
from keras_varlint.discovery.project import Project
from keras_varlint.findings import PARSE_ERROR, Finding, parse_error_finding
from keras_varlint.noqa import UNUSED_NOQA, unused_noqa
from keras_varlint.parallel import PARALLEL_MIN_ITEMS, parallel_map
from keras_varlint.result import ClassEntry, LintResult
from keras_varlint.rules.base import Rule, registry
from keras_varlint.settings import Settings

_SAVE_EVERY_S = 10.0


def display_path(path: Path | str) -> str:
    """Relative to the current directory when under it, as given otherwise."""
    path = Path(path)
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def selected_codes(settings: Settings) -> frozenset[str]:
    from keras_varlint.selection import enabled_codes

    return enabled_codes(settings, registry())


def noqa_suppresses(line_text: str, code: str) -> bool:
    """Whether a ``# noqa`` comment on the line suppresses ``code``, exactly as flake8 decides:
    its own pattern (``# noqa`` in any case; codes in upper case, compared as prefixes)."""
    match = NOQA_INLINE_REGEXP.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    listed = tuple(parse_comma_separated_list(codes))
    return code in listed or code.startswith(listed)


def _relative_to_root(path: str, root: Path | None) -> str:
    """``path`` relative to the project root (where the config file is; else the current
    directory), which is what per-file-ignores patterns are written against."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(os.path.abspath(root or Path.cwd())))
    except ValueError:
        return path


def _per_file_ignored(path: str, code: str, per_file_ignores: dict[str, list[str]]) -> bool:
    posix = Path(path).as_posix()
    for pattern, codes in per_file_ignores.items():
        if fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(posix, f"*/{pattern}") or fnmatch.fnmatch(Path(path).name, pattern):
            if any(code.startswith(c) for c in codes):
                return True
    return False


def in_cell(finding: Finding, notebook: NotebookSource) -> Finding:
    """A notebook's finding, placed by cell: its lines made relative to the cell that holds its
    start (an end in a later cell is clamped to the start's cell's last line). It carries no fix:
    ``--fix`` does not edit notebooks."""
    cell, line = notebook.locate(finding.line)
    end_cell, end_line = notebook.locate(finding.end_line)
    if end_cell != cell:
        end_line = sum(1 for c, _ in notebook.cell_map if c == cell)
    placed = replace(finding, line=line, end_line=max(end_line, line), cell=cell)
    if getattr(placed, "fix", None) is not None:  # a fix's offsets are in the joined text, not the file
        placed = replace(placed, fix=None)
    return placed


# -- the project: every file of the run, summarised ----------------------------------------------


# -- the component cache -------------------------------------------------------------------------


def component_key(project: Project, component: list[ClassInfo], codes: frozenset[str]) -> str:
    """The cache key of a component: its classes as resolved (bases, Keras families), in any order."""
    return fingerprint(
        sorted(codes),
        project.settings.keras_version,
        sorted((i.qualname, i.header.line, i.summary.path, i.complete, sorted(i.families), i.bases) for i in component),
    )


# A name written in a class's methods, as the index resolved it: the answer depends on the
# modules it resolves through (a shim's `Variable = tf.Variable`), not only on the class's file.
_RESOLVE = "resolve:"


def _resolve_question(path: str, scope: dict[str, list[str]] | None, dotted: str) -> str:
    return _RESOLVE + json.dumps([path, scope or None, dotted], sort_keys=True)


def _answer(project: Project, question: str) -> Any:
    """Ask a recorded question again, of the current project."""
    if not question.startswith(_RESOLVE):
        return project.answer(question)
    path, scope, dotted = json.loads(question[len(_RESOLVE):])
    summary = project.index.modules_by_path.get(path)
    return None if summary is None else list(project.index.resolve_all(dotted, summary, scope))


def _recording_resolutions(project: Project, component: list[ClassInfo]) -> Callable[..., tuple[str, ...]]:
    """``project.index.resolve_all``, recording in ``project.queries`` each name resolved in the
    component's own files (names resolved elsewhere are asked inside a recorded question)."""
    resolve_all, files = project.index.resolve_all, {i.summary.path for i in component}

    def resolve(dotted: str, summary: ModuleSummary, scope: dict[str, list[str]] | None = None) -> tuple[str, ...]:
        found = resolve_all(dotted, summary, scope)
        if project.queries is not None and summary.path in files:
            project.queries[_resolve_question(summary.path, scope, dotted)] = list(found)
        return found

    return resolve


def cached_findings(project: Project, key: str, component: list[ClassInfo]) -> list[Finding] | None:
    """A component's stored findings, if its files and the answers to its questions (names
    resolved through other modules included) are unchanged."""
    entry = project.cache.component(key) if project.cache else None
    if entry is None:
        return None
    files = {i.summary.path for i in component}
    try:
        if entry.get("files") != {f: project.digests.get(f) for f in sorted(files)}:
            return None
        if any(_answer(project, q) != a for q, a in entry.get("queries", {}).items()):
            return None
        return [Finding.from_json({**f, "runtime": None}) for f in entry["findings"]]
    except Exception:  # a damaged entry is a cache miss
        return None


def store_findings(project: Project, key: str, component: list[ClassInfo], queries: dict, findings: list[Finding]) -> None:
    if project.cache is None:
        return
    files = {i.summary.path for i in component}
    project.cache.put_component(key, {
        "files": {f: project.digests.get(f) for f in sorted(files)},
        "queries": queries,
        "findings": [{**f.to_json(), "extra": f.extra} for f in findings],
    })


# -- analysing one component ---------------------------------------------------------------------


@dataclass
class _Job:
    project: Project
    rules: list[Rule]


def _analyse_component(job: _Job, component: list[ClassInfo]) -> tuple[list[Finding], dict]:
    from keras_varlint.analysis.component import analyse_component

    job.project.queries = {}
    index = job.project.index
    index.resolve_all = _recording_resolutions(job.project, component)  # type: ignore[method-assign]
    try:
        findings = analyse_component(job.project, job.rules, component)
        return findings, job.project.queries
    finally:
        job.project.queries = None
        del index.resolve_all  # back to the method


def _run_components(job: _Job, work: list[list[ClassInfo]], jobs: int) -> list[tuple[list[Finding], dict]]:
    if jobs > 1 and len(work) >= PARALLEL_MIN_ITEMS:
        import libcst  # noqa: F401  (import once, before forking)
    return parallel_map(_analyse_component, work, jobs, job, size=lambda c: sum(i.header.body_end - i.header.line for i in c))


# -- the run ---------------------------------------------------------------------------------------


class LintSession:
    """One run over a set of paths; also serves one file at a time (the flake8 plugin)."""

    def __init__(self, settings: Settings, paths: list[Path], result: LintResult | None = None,
                 sources: dict[Path, bytes] | None = None) -> None:
        """``sources``: content to lint in place of a path's file (standard input), which need not exist."""
        self.settings = settings
        self.codes = selected_codes(settings)
        self.rules = [cls() for code, cls in registry().items() if code in self.codes and cls.reported_by == "analysis"]
        root = settings.project_root or Path.cwd()
        cache = Cache(settings.cache_dir or root / CACHE_DIR_NAME) if settings.use_cache else None
        self.project = Project(settings, cache)
        self.project.sources = {str(path.absolute()): data for path, data in (sources or {}).items()}
        self.result = result or LintResult()
        found = discover(paths, settings.exclude)
        self.result.notes.extend(found.notes)
        self.result.errors.extend(found.errors)
        self.result.files = len(found.files)
        self.project.roots = [p.absolute() for p in paths if p.is_dir()]
        for path in [*paths, *found.files]:
            self.project.add_search_root(path)
        self.project.add_files(found.files, settings.jobs or os.cpu_count() or 1)
        self._analysed: dict[str, list[Finding]] = {}  # component key -> findings, this process
        self._by_file: dict[str, list[list[ClassInfo]]] | None = None
        self._read_elsewhere: dict[str, bool] = {}  # attribute name -> read as obj.name somewhere
        self._saved_at = time.monotonic()

    def _components(self, files: set[str] | None = None) -> list[list[ClassInfo]]:
        if files is None:
            return self.project.index.components()
        if self._by_file is None:  # built once: flake8 asks file by file
            self._by_file = {}
            for component in self.project.index.components():
                for path in {i.summary.path for i in component}:
                    self._by_file.setdefault(path, []).append(component)
        return [c for path in sorted(files) for c in self._by_file.get(path, [])]

    def findings(self, files: set[str] | None = None, jobs: int | None = None) -> list[Finding]:
        """Unsuppressed findings for the target files (or only those in ``files``), noqa not applied;
        ``jobs`` overrides the settings' number of processes."""
        project, codes = self.project, self.codes
        job = _Job(project, self.rules)
        found: list[Finding] = [f for f in project.parse_errors if PARSE_ERROR[0] in codes]
        misses: list[tuple[str, list[ClassInfo]]] = []
        for component in self._components(files):
            key = component_key(project, component, codes)
            cached = self._analysed.get(key)
            if cached is None:
                cached = cached_findings(project, key, component)
            if cached is None:
                misses.append((key, component))
            else:
                self._analysed[key] = cached
                found.extend(cached)
        jobs = jobs or self.settings.jobs or os.cpu_count() or 1
        for (key, component), (findings, queries) in zip(misses, _run_components(job, [c for _, c in misses], jobs)):
            store_findings(project, key, component, queries, findings)
            self._analysed[key] = findings
            found.extend(findings)
        targets = set(project.targets) if files is None else files
        found = [f for f in found if f.extra.get("file") in targets and (f.code in codes or f.code == PARSE_ERROR[0])]
        found = self._one_syntax_error_per_file(found, targets)
        names = {f.extra["unless_read_elsewhere"] for f in found if f.extra.get("unless_read_elsewhere")}
        unknown = names - self._read_elsewhere.keys()
        if unknown:
            read = _read_elsewhere(unknown, project)
            self._read_elsewhere.update((name, name in read) for name in unknown)
        return [f for f in found if not self._read_elsewhere.get(f.extra.get("unless_read_elsewhere"), False)]

    def _one_syntax_error_per_file(self, found: list[Finding], targets: set[str]) -> list[Finding]:
        """A file that Python cannot parse and that defines a layer gets one KVL000, at Python's
        own error, in place of the per-class parse errors of its segments."""
        index = self.project.index
        broken = {path: summary.syntax_error for path in targets
                  if (summary := index.modules_by_path.get(path)) is not None and summary.syntax_error}
        if broken:  # only files that define a layer: others are left to Python
            with_layers = {info.summary.path for info in index.layers}
            broken = {path: error for path, error in broken.items() if path in with_layers}
        if not broken:
            return found
        kept = [f for f in found if not (f.name == PARSE_ERROR[1] and f.extra.get("file") in broken)]
        if PARSE_ERROR[0] in self.codes:
            kept.extend(parse_error_finding(path, *error) for path, error in broken.items())
        return kept

    def lint(self) -> LintResult:
        """The whole run, with noqa and per-file-ignores applied."""
        result = self.result
        lines_of: dict[str, list[str]] = {}
        found = self.findings()
        if UNUSED_NOQA[0] in self.codes:
            found = [*found, *self._unused_noqa(found)]
        for finding in found:
            file = finding.extra["file"]
            finding.path = display_path(file)
            if file not in lines_of:
                lines_of[file] = self.project.texts.get(file, "").split("\n")
            lines = lines_of[file]
            if 0 < finding.line <= len(lines) and noqa_suppresses(lines[finding.line - 1], finding.code):
                continue
            if _per_file_ignored(_relative_to_root(file, self.settings.project_root), finding.code,
                                 self.settings.per_file_ignores):
                continue
            finding.extra["source_line"] = lines[finding.line - 1] if 0 < finding.line <= len(lines) else None
            notebook = self.project.notebooks.get(file)
            result.findings.append(finding if notebook is None else in_cell(finding, notebook))
        result.findings.sort(key=Finding.sort_key)
        self.report_classes(result)
        if self.project.cache:
            self.project.cache.save()
        return result

    def _unused_noqa(self, found: list[Finding]) -> list[Finding]:
        """KVL100: the ``# noqa`` directives of the target files that suppress none of ``found``."""
        reported: dict[str, dict[int, set[str]]] = {}
        for finding in found:
            reported.setdefault(finding.extra["file"], {}).setdefault(finding.line, set()).add(finding.code)
        known = {code: rule.reported_by for code, rule in registry().items()}
        return [unused for file in self.project.targets if file in self.project.texts
                for unused in unused_noqa(file, self.project.texts[file], reported.get(file, {}), self.codes, known)]

    def report_classes(self, result: LintResult) -> None:
        """What was analysed: the layer classes of the target files, and the classes whose bases
        could not be resolved (so that a class the tool did not check is never silently skipped)."""
        targets = set(self.project.targets)
        index, override = self.project.index, self.settings.keras_version
        result.layers = [
            ClassEntry(display_path(i.summary.path), i.header.line, i.qualname, keras_version_of(i, override), index.base_chain(i))
            for i in index.layers if i.summary.path in targets
        ]
        result.unresolved = [
            ClassEntry(display_path(i.summary.path), i.header.line, i.qualname, reason="; ".join(r for _, r in i.unresolved))
            for i in index.targets if index.classified(i).unresolved and not i.is_layer
        ]
        result.layers.sort(key=lambda e: (e.path, e.line))
        result.unresolved.sort(key=lambda e: (e.path, e.line))
        known = {entry.qualname for entry in result.layers}
        for key in self.settings.runtime_examples:
            if key.replace(":", ".", 1) not in known:
                result.notes.append(
                    f"runtime example '{key}' matches no layer class of this run "
                    "(keys are 'module:Class', the module as `keras-varlint layers` names it)"
                )

    def lint_file(self, path: Path, text: str | None = None) -> list[Finding]:
        """Findings for one file (``text``: its unsaved source), noqa and per-file-ignores left to
        the caller (flake8). Only the inheritance groups holding the file's classes are analysed."""
        key = str(path.absolute())
        if text is not None and self.project.texts.get(key) != text:
            self.project.replace_file(path, text.encode("utf-8"))
            self._analysed.clear()  # keyed by class layout, not content: start afresh
            self._by_file, self._read_elsewhere = None, {}
        elif key not in self.project.targets:
            self.project.add_file(path)  # a file flake8 checks that its paths did not cover
        findings = [replace(f, path=display_path(key)) for f in self.findings({key})]
        if self.project.cache and time.monotonic() - self._saved_at > _SAVE_EVERY_S:
            self.project.cache.save()  # now and then: flake8's workers end without a goodbye
            self._saved_at = time.monotonic()
        return sorted(findings, key=Finding.sort_key)


def _read_elsewhere(names: set[str], project: Project) -> set[str]:
    """Which of ``names`` are read as ``obj.name`` (not ``self.name``) in the parsed code of the run.

    Comments, strings and import paths never count: only attribute loads in the syntax tree do.
    A regular expression picks the few files whose text could hold such a read; only those are
    parsed, and what each one reads is cached by its content.
    """
    remaining, found = set(names), set()
    cache = project.cache
    for key, text in project.texts.items():
        if not remaining:
            break
        digest = project.digests[key]
        reads = cache.attribute_reads(digest) if cache else None
        if reads is None:
            textual = re.compile(r"\.\s*(?:" + "|".join(map(re.escape, sorted(remaining))) + r")\b")
            if not any(not text.endswith("self", 0, m.start()) for m in textual.finditer(text)):
                continue  # no `obj.name` in the text (a look-behind for `self` would cost 30x more)
            reads = _attribute_loads(text)
            if cache:
                cache.put_attribute_reads(digest, reads)
        hits = remaining & reads
        found |= hits
        remaining -= hits
    return found


def _attribute_loads(text: str) -> set[str]:
    """Attribute names loaded in ``text`` as ``obj.name`` on anything but ``self``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    }


def list_classes(paths: list[Path], settings: Settings) -> LintResult:
    """The layer classes a run over ``paths`` would analyse, and the classes it could not resolve."""
    session = LintSession(settings, paths)
    session.report_classes(session.result)
    return session.result


def lint_paths(paths: list[Path], settings: Settings, sources: dict[Path, bytes] | None = None) -> LintResult:
    """Lint files and directories; the result has noqa and per-file-ignores applied. ``sources``
    gives the content of some of ``paths`` in place of their files' (``keras-varlint -``)."""
    session = LintSession(settings, paths, sources=sources)
    if not session.result.files:
        session.result.notes.append(f"no Python files found in {', '.join(map(str, paths))}")
        return session.result
    return session.lint()


class FileLinter:
    """Per-process linter for the flake8 plugin: indexes ``roots`` once, then answers per file."""

    def __init__(self, settings: Settings, roots: list[Path]) -> None:
        self.session = LintSession(settings, roots)
        atexit.register(self.close)

    def analyse_all(self, jobs: int) -> None:
        """Analyse every component now, in ``jobs`` processes; later per-file calls (in processes
        forked from this one) only look the results up."""
        self.session.findings(jobs=jobs)
        self.close()

    def lint(self, path: Path, text: str | None = None) -> list[Finding]:
        return self.session.lint_file(path, text)

    def close(self) -> None:
        """Write what the cache learnt (also done every few seconds while linting)."""
        if self.session.project.cache:
            self.session.project.cache.save()
