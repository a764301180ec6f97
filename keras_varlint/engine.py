"""Lint a set of paths: discover, summarise, index, analyse layer classes, run rules.

The cheap pass (regex summaries) covers every file; libcst parses only the classes the project
index says are Keras layers, grouped by inheritance ("components") so that each group is
analysed in one place: in one worker process, and as one cache entry.
"""

from __future__ import annotations

import ast
import atexit
import fnmatch
import multiprocessing
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from keras_varlint.cache import CACHE_DIR_NAME, Cache, fingerprint
from keras_varlint.discovery.files import discover
from keras_varlint.discovery.index import ClassInfo, ProjectIndex
from keras_varlint.discovery.keras_names import Family, builtin_layer_state, keras_layer_family
from keras_varlint.discovery.source import SourceError, SourceFile, decode, read_source
from keras_varlint.discovery.modules import module_name
from keras_varlint.discovery.summary import CLASS_PREFILTER, ModuleSummary, summarize
from keras_varlint.findings import Finding, Severity
from keras_varlint.result import ClassEntry, LintResult
from keras_varlint.rules.base import Rule, registry
from keras_varlint.settings import Settings

if TYPE_CHECKING:
    from keras_varlint.analysis.facts import Kind

PARSE_ERROR = ("KVL000", "parse-error")
_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z][A-Z0-9]*(?:[,\s]+[A-Z][A-Z0-9]*)*))?", re.I)
# Anything that could give a class variables or sublayers.
_MAKES_STATE = re.compile(r"add_weight|add_variable|Variable\s*\(|SeedGenerator|self\.\w+\s*=\s*[\w.]*\b[A-Z]\w*\s*\(")
_MAKES_VARIABLES = re.compile(r"add_weight|add_variable|Variable\s*\(")
_PARALLEL_MIN_COMPONENTS = 8
# Libraries whose names the rules know by their public paths: never followed into their source.
_LIBRARIES = frozenset({"tensorflow", "keras", "tf_keras", "numpy", "jax", "jaxlib", "torch", "scipy", "flax"})
_SAVE_EVERY_S = 2.0


def display_path(path: Path | str) -> str:
    """Relative to the current directory when under it, as given otherwise."""
    path = Path(path)
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_error_finding(path: str, message: str, line: int = 1, column: int = 0) -> Finding:
    return Finding(path, line, column, line, column, *PARSE_ERROR, Severity.ERROR, message, extra={"file": path})


def keras_version_of(info: ClassInfo, override: int | None) -> int | None:
    """2 or 3 from what the class's bases resolve to (``tf.keras`` is Keras 3 on TF >= 2.16);
    None when conditional bindings disagree and no version is configured."""
    if override:
        return override
    versions = {2 if family is Family.KERAS2 else 3 for family in info.families}
    return versions.pop() if len(versions) == 1 else None


def selected_codes(settings: Settings) -> frozenset[str]:
    from keras_varlint.selection import enabled_codes

    return enabled_codes(settings, registry())


def noqa_suppresses(line_text: str, code: str) -> bool:
    match = _NOQA.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    return any(code.startswith(c.upper()) for c in re.split(r"[,\s]+", codes) if c)


def _per_file_ignored(path: str, code: str, per_file_ignores: dict[str, list[str]]) -> bool:
    posix = Path(path).as_posix()
    for pattern, codes in per_file_ignores.items():
        if fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(posix, f"*/{pattern}") or fnmatch.fnmatch(Path(path).name, pattern):
            if any(code.startswith(c) for c in codes):
                return True
    return False


# -- the project: every file of the run, summarised ----------------------------------------------


class Project:
    """Everything known about one run before any class is parsed; also what the extractor asks."""

    def __init__(self, settings: Settings, cache: Cache | None) -> None:
        self.settings = settings
        self.cache = cache
        self.texts: dict[str, str] = {}  # absolute path -> decoded text
        self.digests: dict[str, str] = {}
        self.targets: list[str] = []  # files whose findings are reported
        self.parse_errors: list[Finding] = []
        self.package_dirs: dict[Path, bool] = {}
        self.search_roots: list[Path] = []
        self.roots: list[Path] = []  # directories given: namespace packages count below them
        self.unparsed: dict[str, Path] = {}  # module -> target file with no class, parsed when imported
        self._target_tops: set[str] = set()
        self._packages_found: dict[str, bool] = {}
        self.index = ProjectIndex([], loader=self._load_module, is_project_package=self.is_project_package)
        self._closures: dict[tuple[str, str], bool] = {}
        self.parsers: dict[str, Any] = {}  # path -> analysis.parse.FileParser
        self.queries: dict[str, Any] | None = None  # while analysing a component: the questions asked

    def add_file(self, path: Path, target: bool = True, data: bytes | None = None,
                 deferred: list[str] | None = None) -> ModuleSummary | None:
        """Read (or take ``data`` as) one file's source and index it; ``target`` files are reported on.
        With ``deferred``, a file whose summary is not cached is appended to it, not summarised."""
        key = str(path.absolute())
        if key in self.texts:
            return None
        if target:
            self.targets.append(key)
        try:
            source = read_source(path) if data is None else SourceFile(path, data)
            text = decode(source.data)
        except SourceError as err:
            if target:
                self.parse_errors.append(parse_error_finding(key, str(err)))
            return None
        self.texts[key] = text
        self.digests[key] = source.digest
        if target:
            module, _ = module_name(Path(key), self.package_dirs, self.roots)
            self._target_tops.add(module.partition(".")[0])
            if not CLASS_PREFILTER.search(source.data):
                self.unparsed[module] = Path(key)  # defines no class: parsed only if imported
                return None
        if deferred is not None and self._cached_summary(key) is None:
            deferred.append(key)
            return None
        return self._summarize(key, target)

    def add_files(self, paths: list[Path], jobs: int) -> None:
        """Add target files; the ones not in the cache are summarised in ``jobs`` processes."""
        deferred: list[str] = []
        for path in paths:
            self.add_file(path, deferred=deferred)
        for key, summary in zip(deferred, _map(_summarize_deferred, deferred, jobs, self)):
            if self.cache:
                self.cache.put_summary(key, self.digests[key], summary)
            self.index.add(summary)

    def _cached_summary(self, key: str) -> ModuleSummary | None:
        module, is_package = module_name(Path(key), self.package_dirs, self.roots)
        summary = self.cache.summary(key, self.digests[key], module) if self.cache else None
        return summary if summary is not None and summary.is_package == is_package else None

    def _summarize(self, key: str, target: bool) -> ModuleSummary:
        summary = self._cached_summary(key)
        if summary is None:
            summary = summarize(Path(key), self.texts[key], self.package_dirs, self.roots)
            if self.cache:
                self.cache.put_summary(key, self.digests[key], summary)
        self.index.add(summary, target=target)
        return summary

    def replace_file(self, path: Path, data: bytes) -> None:
        """Lint ``data`` in place of what is on disk at ``path`` (an editor's unsaved buffer)."""
        key = str(path.absolute())
        self.texts.pop(key, None)
        self.unparsed = {m: p for m, p in self.unparsed.items() if str(p) != key}
        self.parse_errors = [f for f in self.parse_errors if f.extra.get("file") != key]
        if key in self.targets:
            self.targets.remove(key)
        self.index.remove(key)
        self.parsers.pop(key, None)
        self.add_file(path, data=data)

    def _load_module(self, module: str) -> ModuleSummary | None:
        """Find a module of the project that a class's names resolve through: a given file with no
        class (not parsed yet), or a file on disk that was not given."""
        unparsed = self.unparsed.pop(module, None)
        if unparsed is not None:
            return self._summarize(str(unparsed), target=True)
        relative = Path(*module.split("."))
        for root in self.search_roots:
            for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
                if candidate.is_file():
                    return self.add_file(candidate, target=False)
        return None

    def is_project_package(self, top: str) -> bool:
        """Whether a top-level name is a package of the project (given, or under a search root)."""
        if top in self._target_tops:
            return True
        if top in _LIBRARIES:
            return False  # never followed into, even when it sits under a search root
        found = self._packages_found.get(top)
        if found is None:
            found = self._packages_found[top] = any(
                (root / top).is_dir() or (root / f"{top}.py").is_file() for root in self.search_roots
            )
        return found

    def add_search_root(self, path: Path) -> None:
        """The directory above ``path``'s top-level package, where its imports start."""
        directory = path.absolute() if path.is_dir() else path.absolute().parent
        while directory.parent != directory:
            is_package = self.package_dirs.get(directory)
            if is_package is None:
                is_package = self.package_dirs[directory] = (directory / "__init__.py").is_file()
            if not is_package:
                break
            directory = directory.parent
        if directory not in self.search_roots:
            self.search_roots.append(directory)

    # -- questions the extractor asks (recorded for cache validation) ---------------------------

    def _record(self, question: str, answer: Any) -> Any:
        if self.queries is not None:
            self.queries[question] = answer
        return answer

    def class_kind(self, qualname: str) -> "Kind | None":
        from keras_varlint.analysis.facts import Kind

        answer = self._class_kind(qualname)
        return self._record(f"kind:{qualname}", answer) and Kind(answer)

    def _class_kind(self, qualname: str) -> str | None:
        if keras_layer_family(qualname) is not None:
            return "layer"
        info = self.index.find_class(qualname)
        if info is not None:
            if info.is_module:  # a tf.Module matters only if it owns variables (not e.g. a lookup table)
                return "module" if self._source_matches(info, _MAKES_VARIABLES) else None
            return "layer" if info.is_layer else None
        module, _, name = qualname.rpartition(".")
        summary = self.index.modules.get(module)
        if summary is not None and name in summary.functions:
            from keras_varlint.analysis.closures import returns_layer_closure

            key = (summary.path, name)
            if key not in self._closures:
                self._closures[key] = False  # a recursive function asks about itself
                self._closures[key] = returns_layer_closure(
                    self.texts[summary.path], name,
                    lambda dotted: self._class_kind(self.index.resolve(dotted, summary)) == "layer",
                )
            return "closure" if self._closures[key] else None
        return None

    def layer_state(self, qualname: str, keras_version: int | None) -> str:
        return self._record(f"state:{keras_version}:{qualname}", self._layer_state(qualname, keras_version))

    def _layer_state(self, qualname: str, keras_version: int | None) -> str:
        if keras_layer_family(qualname) is not None:
            return builtin_layer_state(qualname, keras_version)
        info = self.index.find_class(qualname)
        if info is None or not info.is_layer or not info.complete:
            return "trainable"  # cannot tell: assume the worst
        return "trainable" if self._source_matches(info, _MAKES_STATE) else "none"

    def _source_matches(self, info: ClassInfo, pattern: re.Pattern[str]) -> bool:
        """Whether the source of the class or of a project base matches ``pattern``."""
        for cls in (info, *self.index.ancestors(info)):
            lines = self.texts[cls.summary.path].split("\n")[cls.header.line - 1: cls.header.body_end]
            if pattern.search("\n".join(lines)):
                return True
        return False

    def answer(self, question: str) -> Any:
        """Re-ask a recorded question against the current project (cache validation)."""
        kind, _, rest = question.partition(":")
        if kind == "kind":
            return self._class_kind(rest)
        version, _, qualname = rest.partition(":")
        return self._layer_state(qualname, None if version == "None" else int(version))

    # -- components ------------------------------------------------------------------------------

    def component_key(self, component: list[ClassInfo], codes: frozenset[str]) -> str:
        return fingerprint(
            sorted(codes),
            self.settings.keras_version,
            sorted((i.qualname, i.header.line, i.summary.path, i.complete, sorted(i.families), i.bases) for i in component),
        )

    def cached_findings(self, key: str, component: list[ClassInfo]) -> list[Finding] | None:
        entry = self.cache.component(key) if self.cache else None
        if entry is None:
            return None
        files = {i.summary.path for i in component}
        try:
            if entry.get("files") != {f: self.digests.get(f) for f in sorted(files)}:
                return None
            if any(self.answer(q) != a for q, a in entry.get("queries", {}).items()):
                return None
            return [Finding.from_json({**f, "runtime": None}) for f in entry["findings"]]
        except Exception:  # a damaged entry is a cache miss
            return None

    def store_findings(self, key: str, component: list[ClassInfo], queries: dict, findings: list[Finding]) -> None:
        if self.cache is None:
            return
        files = {i.summary.path for i in component}
        self.cache.put_component(key, {
            "files": {f: self.digests.get(f) for f in sorted(files)},
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
    try:
        findings = analyse_component(job.project, job.rules, component)
        return findings, job.project.queries
    finally:
        job.project.queries = None


def _run_components(job: _Job, work: list[list[ClassInfo]], jobs: int) -> list[tuple[list[Finding], dict]]:
    if jobs > 1 and len(work) >= _PARALLEL_MIN_COMPONENTS:
        import libcst  # noqa: F401  (import once, before forking)
    # Largest components first, so the long ones do not finish last.
    return _map(_analyse_component, work, jobs, job, size=lambda c: sum(i.header.body_end - i.header.line for i in c))


_TASK: tuple[Callable[[Any, Any], Any], list, Any] | None = None  # inherited by forked workers


def _run_task(position: int) -> Any:
    assert _TASK is not None
    function, items, context = _TASK
    return function(context, items[position])


def _map(function: Callable[[Any, Any], Any], items: list, jobs: int, context: Any,
         size: Callable[[Any], int] | None = None) -> list:
    """``[function(context, item) for item in items]``, in ``jobs`` forked processes when worth it."""
    global _TASK
    if jobs <= 1 or len(items) < _PARALLEL_MIN_COMPONENTS or "fork" not in multiprocessing.get_all_start_methods():
        return [function(context, item) for item in items]
    order = sorted(range(len(items)), key=lambda i: -size(items[i])) if size else list(range(len(items)))
    _TASK = (function, items, context)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = dict(zip(order, pool.map(_run_task, order, chunksize=1 if size else 8)))
    finally:
        _TASK = None
    return [results[i] for i in range(len(items))]


def _summarize_deferred(project: "Project", key: str) -> ModuleSummary:
    return summarize(Path(key), project.texts[key], project.package_dirs, project.roots)


# -- the run ---------------------------------------------------------------------------------------


class LintSession:
    """One run over a set of paths; also serves one file at a time (the flake8 plugin)."""

    def __init__(self, settings: Settings, paths: list[Path], result: LintResult | None = None) -> None:
        self.settings = settings
        self.codes = selected_codes(settings)
        self.rules = [cls() for code, cls in registry().items() if code in self.codes and cls.reported_by == "analysis"]
        root = settings.project_root or Path.cwd()
        cache = Cache(settings.cache_dir or root / CACHE_DIR_NAME) if settings.use_cache else None
        self.project = Project(settings, cache)
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

    def findings(self, files: set[str] | None = None) -> list[Finding]:
        """Unsuppressed findings for the target files (or only those in ``files``), noqa not applied."""
        project, codes = self.project, self.codes
        job = _Job(project, self.rules)
        found: list[Finding] = [f for f in project.parse_errors if PARSE_ERROR[0] in codes]
        misses: list[tuple[str, list[ClassInfo]]] = []
        for component in self._components(files):
            key = project.component_key(component, codes)
            cached = self._analysed.get(key)
            if cached is None:
                cached = project.cached_findings(key, component)
            if cached is None:
                misses.append((key, component))
            else:
                self._analysed[key] = cached
                found.extend(cached)
        jobs = self.settings.jobs or os.cpu_count() or 1
        for (key, component), (findings, queries) in zip(misses, _run_components(job, [c for _, c in misses], jobs)):
            project.store_findings(key, component, queries, findings)
            self._analysed[key] = findings
            found.extend(findings)
        targets = set(project.targets) if files is None else files
        found = [f for f in found if f.extra.get("file") in targets and (f.code in codes or f.code == PARSE_ERROR[0])]
        found = self._one_syntax_error_per_file(found, targets)
        names = {f.extra["unless_read_elsewhere"] for f in found if f.extra.get("unless_read_elsewhere")}
        unknown = names - self._read_elsewhere.keys()
        if unknown:
            read = _read_elsewhere(unknown, project.texts.values())
            self._read_elsewhere.update((name, name in read) for name in unknown)
        return [f for f in found if not self._read_elsewhere.get(f.extra.get("unless_read_elsewhere"), False)]

    def _one_syntax_error_per_file(self, found: list[Finding], targets: set[str]) -> list[Finding]:
        """A file that Python cannot parse and that defines a layer gets one KVL000, at Python's
        own error, in place of the per-class parse errors of its segments."""
        broken = {}
        for info in self.project.index.layers:
            summary = info.summary
            if summary.syntax_error and summary.path in targets:
                broken[summary.path] = summary.syntax_error
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
        for finding in self.findings():
            file = finding.extra["file"]
            finding.path = display_path(file)
            if file not in lines_of:
                lines_of[file] = self.project.texts.get(file, "").split("\n")
            lines = lines_of[file]
            if 0 < finding.line <= len(lines) and noqa_suppresses(lines[finding.line - 1], finding.code):
                continue
            if _per_file_ignored(finding.path, finding.code, self.settings.per_file_ignores):
                continue
            result.findings.append(finding)
        result.findings.sort(key=Finding.sort_key)
        self.report_classes(result)
        if self.project.cache:
            self.project.cache.save()
        return result

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


def _read_elsewhere(names: set[str], texts: Iterable[str]) -> set[str]:
    """Which of ``names`` are read as ``obj.name`` (not ``self.name``) in the parsed code of the run.
    Comments, strings and import paths never count: only attribute loads in the syntax tree do."""
    remaining, found = set(names), set()
    for text in texts:
        if not any(name in text for name in remaining):  # substring tests are far cheaper than a parse
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        hits = {
            node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in remaining and isinstance(node.ctx, ast.Load)
            and not (isinstance(node.value, ast.Name) and node.value.id == "self")
        }
        found |= hits
        remaining -= hits
        if not remaining:
            break
    return found


def list_classes(paths: list[Path], settings: Settings) -> LintResult:
    """The layer classes a run over ``paths`` would analyse, and the classes it could not resolve."""
    session = LintSession(settings, paths)
    session.report_classes(session.result)
    return session.result


def lint_paths(paths: list[Path], settings: Settings) -> LintResult:
    """Lint files and directories; the result has noqa and per-file-ignores applied."""
    session = LintSession(settings, paths)
    if not session.result.files:
        session.result.notes.append(f"no Python files found in {', '.join(map(str, paths))}")
        return session.result
    return session.lint()


class FileLinter:
    """Per-process linter for the flake8 plugin: indexes ``roots`` once, then answers per file."""

    def __init__(self, settings: Settings, roots: list[Path]) -> None:
        self.session = LintSession(settings, roots)
        atexit.register(self.close)

    def lint(self, path: Path, text: str | None = None) -> list[Finding]:
        return self.session.lint_file(path, text)

    def close(self) -> None:
        """Write what the cache learnt (also done every few seconds while linting)."""
        if self.session.project.cache:
            self.session.project.cache.save()
