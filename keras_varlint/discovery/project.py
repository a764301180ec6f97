"""The project of one run: its files, their summaries, the class index, and the questions the
fact extractor asks about names defined outside a class (is it a layer? does it own variables?).

Questions and answers are recorded while a component is analysed, so that a cached result can be
checked against the current project by asking them again (``answer``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keras_varlint.cache import Cache
from keras_varlint.discovery.index import ClassInfo, ProjectIndex
from keras_varlint.discovery.keras_names import LayerState, builtin_layer_state, keras_layer_family
from keras_varlint.discovery.modules import is_package, module_name
from keras_varlint.discovery.notebook import NotebookError, NotebookSource, is_notebook, notebook_source
from keras_varlint.discovery.source import SourceError, SourceFile, decode, read_source
from keras_varlint.discovery.summary import CLASS_PREFILTER, ModuleSummary, summarize
from keras_varlint.findings import Finding, parse_error_finding
from keras_varlint.parallel import parallel_map
from keras_varlint.settings import Settings

if TYPE_CHECKING:
    from keras_varlint.analysis.facts import Kind

# Anything that could give a class variables or sublayers.
_MAKES_STATE = re.compile(r"add_weight|add_variable|Variable\s*\(|SeedGenerator|self\.\w+\s*=\s*[\w.]*\b[A-Z]\w*\s*\(")
_MAKES_VARIABLES = re.compile(r"add_weight|add_variable|Variable\s*\(")
_BUILDS = re.compile(r"add_weight|add_variable|Variable\s*\(|self\.build\s*\(")
_INIT = re.compile(r"^([ \t]+)def __init__\(.*?(?=^\1(?:def|@|class)\b|\Z)", re.M | re.S)
# Libraries whose names the rules know by their public paths: never followed into their source.
_LIBRARIES = frozenset({"tensorflow", "keras", "tf_keras", "numpy", "jax", "jaxlib", "torch", "scipy", "flax"})


class Project:
    """Everything known about one run before any class is parsed; also what the extractor asks."""

    def __init__(self, settings: Settings, cache: Cache | None) -> None:
        self.settings = settings
        self.cache = cache
        self.texts: dict[str, str] = {}  # absolute path -> decoded text
        self.digests: dict[str, str] = {}
        self.targets: list[str] = []  # files whose findings are reported
        self.parse_errors: list[Finding] = []  # files that could not be read or decoded
        self.package_dirs: dict[Path, bool] = {}
        self.search_roots: list[Path] = []
        self.roots: list[Path] = []  # directories given: namespace packages count below them
        self.unparsed: dict[str, Path] = {}  # module -> target file with no class, parsed when imported
        self._target_tops: set[str] = set()
        self._packages_found: dict[str, bool] = {}
        self._module_names: dict[str, tuple[str, bool]] = {}
        self.index = ProjectIndex([], loader=self._load_module, is_project_package=self.is_project_package)
        self._closures: dict[tuple[str, str], bool] = {}
        self.parsers: dict[str, Any] = {}  # path -> analysis.parse.FileParser
        self.notebooks: dict[str, NotebookSource] = {}  # path of a .ipynb file -> its text and cell map
        self.sources: dict[str, bytes] = {}  # path -> content read in place of the file's (standard input)
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
        if data is None:
            data = self.sources.get(key)
        try:
            source = read_source(path) if data is None else SourceFile(path, data)
            if is_notebook(key):  # its code cells, magics masked, joined as one Python text
                notebook = notebook_source(source.data)
                text, self.notebooks[key] = notebook.text, notebook
            else:
                text = decode(source.data)
        except (SourceError, NotebookError) as err:
            if target:
                self.parse_errors.append(parse_error_finding(key, str(err)))
            return None
        self.texts[key] = text
        self.digests[key] = source.digest
        if target:
            module, _ = self.module_name(key)
            self._target_tops.add(module.partition(".")[0])
            if not CLASS_PREFILTER.search(text.encode("utf-8") if key in self.notebooks else source.data):
                self.unparsed[module] = Path(key)  # defines no class: parsed only if imported
                return None
        if deferred is not None and self._cached_summary(key) is None:
            deferred.append(key)
            return None
        return self._summarize(key, target)

    def module_name(self, key: str) -> tuple[str, bool]:
        """The module name of a file of the run (memoised: asked for every file, cold or warm)."""
        name = self._module_names.get(key)
        if name is None:
            name = self._module_names[key] = module_name(Path(key), self.package_dirs, self.roots)
        return name

    def add_files(self, paths: list[Path], jobs: int) -> None:
        """Add target files; the ones not in the cache are summarised in ``jobs`` processes."""
        deferred: list[str] = []
        for path in paths:
            self.add_file(path, deferred=deferred)
        for key, summary in zip(deferred, parallel_map(_summarize_deferred, deferred, jobs, self)):
            if self.cache:
                self.cache.put_summary(key, self.digests[key], summary)
            self.index.add(summary)

    def _cached_summary(self, key: str) -> ModuleSummary | None:
        module, is_package = self.module_name(key)
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
        self.notebooks.pop(key, None)
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
        while directory.parent != directory and is_package(directory, self.package_dirs):
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

    def layer_state(self, qualname: str, keras_version: int | None) -> LayerState:
        answer = self._layer_state(qualname, keras_version)
        return LayerState(self._record(f"state:{keras_version}:{qualname}", answer.value))

    def _layer_state(self, qualname: str, keras_version: int | None) -> LayerState:
        if keras_layer_family(qualname) is not None:
            return builtin_layer_state(qualname, keras_version)
        info = self.index.find_class(qualname)
        if info is None or not info.is_layer or not info.complete:
            return LayerState.TRAINABLE  # cannot tell: assume the worst
        return LayerState.TRAINABLE if self._source_matches(info, _MAKES_STATE) else LayerState.STATELESS

    def builds_on_construction(self, qualname: str) -> bool:
        return self._record(f"built:{qualname}", self._builds_on_construction(qualname))

    def _builds_on_construction(self, qualname: str) -> bool:
        """Whether the project layer class ``qualname`` makes weights in ``__init__`` (its own or a base's)."""
        info = self.index.find_class(qualname)
        if info is None or not info.is_layer:
            return False
        for cls in (info, *self.index.ancestors(info)):
            lines = self.texts[cls.summary.path].split("\n")[cls.header.line - 1: cls.header.body_end]
            init = _INIT.search("\n".join(lines))
            if init is not None and _BUILDS.search(init.group(0)):
                return True
        return False

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
        if kind == "built":
            return self._builds_on_construction(rest)
        version, _, qualname = rest.partition(":")
        return self._layer_state(qualname, None if version == "None" else int(version)).value


def _summarize_deferred(project: "Project", key: str) -> ModuleSummary:
    return summarize(Path(key), project.texts[key], project.package_dirs, project.roots)
