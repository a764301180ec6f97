"""The project-wide class index: which classes of the run are Keras layers, across modules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from keras_varlint.discovery.keras_names import Family, is_layer_root, is_module_root, keras_layer_family
from keras_varlint.discovery.summary import ClassHeader, ModuleSummary

# Bases that add no behaviour that could read or create a layer's attributes.
_INERT_BASES = frozenset({"object", "abc.ABC", "typing.Generic", "typing.Protocol", "ABC", "Generic"})


@dataclass(eq=False)
class ClassInfo:
    qualname: str  # module.Outer.Inner
    summary: ModuleSummary
    header: ClassHeader
    bases: list[str] = field(default_factory=list)  # resolved qualified names
    is_layer: bool = False
    is_module: bool = False  # tf.Module subclass that is not a layer
    family: Family | None = None  # Keras family of the root layer class
    complete: bool = True  # every inherited method is visible (project code or the bare Layer/Model)
    project_bases: list["ClassInfo"] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.header.name


class ProjectIndex:
    """Classes and modules of one run, with base classes resolved through imports.

    ``loader`` is asked for modules that are imported but were not given (linting a few files
    of a larger project); what it returns is indexed but not reported on.
    """

    def __init__(self, summaries: list[ModuleSummary], loader: Callable[[str], ModuleSummary | None] | None = None):
        self.modules: dict[str, ModuleSummary] = {}
        self.modules_by_path: dict[str, ModuleSummary] = {}
        self.classes: dict[str, list[ClassInfo]] = defaultdict(list)  # qualname -> definitions
        self._by_module: dict[tuple[str, str], ClassInfo] = {}  # (module, simple name) -> first definition
        self._targets: list[ClassInfo] = []
        self._loader = loader
        self._missing: set[str] = set()
        self._state: dict[int, bool] = {}
        for summary in summaries:
            self.add(summary)

    def add(self, summary: ModuleSummary, target: bool = True) -> None:
        self.modules.setdefault(summary.module, summary)
        self.modules_by_path[summary.path] = summary
        for header in summary.classes:
            info = ClassInfo(f"{summary.module}.{header.qualname}", summary, header)
            self.classes[info.qualname].append(info)
            self._by_module.setdefault((summary.module, header.name), info)
            if target:
                self._targets.append(info)
        self.__dict__.pop("layers", None)
        self.__dict__.pop("subclasses", None)

    def remove(self, path: str) -> None:
        """Forget a module (to index a new version of it); classification starts afresh."""
        summary = self.modules_by_path.pop(path, None)
        if summary is None:
            return
        if self.modules.get(summary.module) is summary:
            del self.modules[summary.module]
        for qualname in [q for q, infos in self.classes.items() if any(i.summary is summary for i in infos)]:
            self.classes[qualname] = [i for i in self.classes[qualname] if i.summary is not summary]
            if not self.classes[qualname]:
                del self.classes[qualname]
        self._by_module = {k: v for k, v in self._by_module.items() if v.summary is not summary}
        self._targets = [i for i in self._targets if i.summary is not summary]
        self._state.clear()
        for infos in self.classes.values():
            for info in infos:
                info.project_bases, info.is_layer, info.is_module, info.family, info.complete = [], False, False, None, True
        self.__dict__.pop("layers", None)
        self.__dict__.pop("subclasses", None)

    def _module(self, name: str) -> ModuleSummary | None:
        summary = self.modules.get(name)
        if summary is None and self._loader is not None and name not in self._missing:
            self._missing.add(name)  # asked once; a found module lands in self.modules
            self._loader(name)
            summary = self.modules.get(name)
        return summary

    # -- name resolution -------------------------------------------------------------------------

    def resolve(self, dotted: str, summary: ModuleSummary) -> str:
        """Qualified name of a dotted expression written in ``summary``'s module."""
        head, _, rest = dotted.partition(".")
        if head in summary.imports:
            target = summary.imports[head]
        elif (summary.module, head) in self._by_module or head in summary.functions:
            target = f"{summary.module}.{head}"
        else:
            for star in summary.star_imports:
                if self.find_class(f"{star}.{head}"):
                    target = f"{star}.{head}"
                    break
            else:
                return dotted
        return f"{target}.{rest}" if rest else target

    def find_class(self, qualname: str) -> ClassInfo | None:
        """The project class a qualified name refers to (following re-exports), classified."""
        found = self._find_class(qualname)
        return self.classified(found) if found is not None else None

    def _find_class(self, qualname: str, _depth: int = 0) -> ClassInfo | None:
        if qualname in self.classes:
            return self.classes[qualname][0]
        if _depth > 8:
            return None
        module, _, name = qualname.rpartition(".")
        while module:
            summary = self._module(module)
            if summary is not None:
                head, _, rest = name.partition(".")
                if head in summary.imports:
                    target = summary.imports[head] + (f".{rest}" if rest else "")
                    return None if target == qualname else self._find_class(target, _depth + 1)
                if not rest and (module, head) in self._by_module:
                    return self._by_module[(module, head)]
                for star in summary.star_imports:
                    found = self._find_class(f"{star}.{name}", _depth + 1)
                    if found:
                        return found
                return None
            module, _, parent = module.rpartition(".")
            name = f"{parent}.{name}"
        return None

    # -- classification --------------------------------------------------------------------------

    def classified(self, info: ClassInfo) -> ClassInfo:
        """``info`` with its bases resolved and its kind (layer, tf.Module) decided."""
        self._classify(info, self._state)
        return info

    def _classify(self, info: ClassInfo, state: dict[int, bool]) -> None:
        key = id(info)
        if key in state:
            return  # done, or in progress (an inheritance cycle)
        state[key] = False
        info.bases = [self.resolve(b, info.summary) for b in info.header.bases]
        for base in info.bases:
            if is_layer_root(base) or keras_layer_family(base) is not None:
                info.is_layer = True
                info.family = info.family if info.family is not None else keras_layer_family(base)
                info.complete &= is_layer_root(base)
                continue
            project = self.find_class(base)
            if project is not None and project is not info and not is_layer_root(project.qualname):
                self._classify(project, state)
                info.project_bases.append(project)
                if project.is_layer:
                    info.is_layer = True
                    info.family = info.family if info.family is not None else project.family
                info.is_module |= project.is_module
                # A non-layer project base is never parsed: its methods are unknown.
                info.complete &= project.complete and project.is_layer
            elif is_module_root(base):
                info.is_module = True
            elif base not in _INERT_BASES:
                info.complete = False
        if is_layer_root(info.qualname):
            info.is_layer = False  # Keras' own Layer/Model, when the run lints Keras itself
        info.is_module &= not info.is_layer
        state[key] = True

    @cached_property
    def layers(self) -> list[ClassInfo]:
        """Layer classes of the target files, and their project relatives wherever they live."""
        found: list[ClassInfo] = []
        seen: set[int] = set()
        stack = [i for i in self._targets if self.classified(i).is_layer]
        while stack:
            info = stack.pop()
            if id(info) in seen:
                continue
            seen.add(id(info))
            found.append(info)
            stack.extend(b for b in info.project_bases if b.is_layer)
            stack.extend(self.subclasses.get(id(info), ()))
        return found

    @cached_property
    def subclasses(self) -> dict[int, list[ClassInfo]]:
        children: dict[int, list[ClassInfo]] = defaultdict(list)
        for infos in list(self.classes.values()):
            for info in infos:
                for base in self.classified(info).project_bases:
                    children[id(base)].append(info)
        return children

    def ancestors(self, info: ClassInfo) -> list[ClassInfo]:
        """Project base classes in method-resolution order (depth-first, left to right, no repeats)."""
        order: list[ClassInfo] = []
        stack = list(reversed(info.project_bases))
        while stack:
            base = stack.pop()
            if base in order or base is info:
                continue
            order.append(base)
            stack.extend(reversed(base.project_bases))
        return order

    def descendants(self, info: ClassInfo) -> list[ClassInfo]:
        found: list[ClassInfo] = []
        stack = list(self.subclasses.get(id(info), ()))
        while stack:
            child = stack.pop()
            if child not in found and child is not info:
                found.append(child)
                stack.extend(self.subclasses.get(id(child), ()))
        return found

    def components(self) -> list[list[ClassInfo]]:
        """Layer classes grouped by project inheritance, so each group can be analysed alone."""
        parent: dict[int, int] = {}

        def root(k: int) -> int:
            while parent.setdefault(k, k) != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for info in self.layers:
            for base in info.project_bases:
                if base.is_layer:
                    parent[root(id(info))] = root(id(base))
        groups: dict[int, list[ClassInfo]] = defaultdict(list)
        for info in self.layers:
            groups[root(id(info))].append(info)
        return list(groups.values())
