"""The project-wide class index: which classes of the run are Keras layers, across modules.

Names are resolved from the binding pass (``bindings.py``): a name written in a module is looked
up in that module's bindings (or, failing that, its star imports), and a name that lands in
another module of the project is followed through that module's bindings, hop by hop, to where
it is defined. A name may have several alternatives (conditional imports); each is followed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from keras_varlint.discovery.bindings import BUILTIN_NAMES, UNBOUND, ClassHeader, ModuleSummary
from keras_varlint.discovery.keras_names import (
    Family, is_layer_root, is_module_root, keras_layer_family, keras_path, star_provides,
)

# Bases that add no behaviour that could read or create a layer's attributes.
_INERT_BASES = frozenset({"builtins.object", "abc.ABC", "typing.Generic", "typing.Protocol", "typing_extensions.Protocol"})
# Calls in a base list that make classes that are never layers.
_NOT_LAYER_FACTORIES = frozenset({"collections.namedtuple", "typing.NamedTuple", "typing.TypedDict", "enum.Enum"})
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_MAX_HOPS = 16


@dataclass(eq=False)
class ClassInfo:
    qualname: str  # module.Outer.Inner
    summary: ModuleSummary
    header: ClassHeader
    bases: list[str] = field(default_factory=list)  # resolved qualified names (every alternative)
    is_layer: bool = False
    is_module: bool = False  # tf.Module subclass that is not a layer
    families: frozenset[Family] = frozenset()  # Keras families its layer bases resolve to
    complete: bool = True  # every inherited method is visible (project code or the bare Layer/Model)
    project_bases: list["ClassInfo"] = field(default_factory=list)
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # (base as written, why it failed)
    keras_bases: list[str] = field(default_factory=list)  # the Keras classes its layer bases resolve to

    @property
    def name(self) -> str:
        return self.header.name

    @property
    def family(self) -> Family | None:
        """The one Keras family of its root layer class, or None when alternatives disagree."""
        return next(iter(self.families)) if len(self.families) == 1 else None


class ProjectIndex:
    """Classes and modules of one run, with base classes resolved through bindings.

    ``loader`` is asked for modules that are imported but were not given (linting a few files
    of a larger project); what it returns is indexed but not reported on. ``is_project_package``
    tells whether a top-level name is a package of the project, so that a module missing from
    it can be reported rather than taken for a third-party one.
    """

    def __init__(self, summaries: list[ModuleSummary], loader: Callable[[str], ModuleSummary | None] | None = None,
                 is_project_package: Callable[[str], bool] | None = None):
        self.modules: dict[str, ModuleSummary] = {}
        self.modules_by_path: dict[str, ModuleSummary] = {}
        self.classes: dict[str, list[ClassInfo]] = defaultdict(list)  # qualname -> definitions
        self._by_module: dict[tuple[str, str], ClassInfo] = {}  # (module, simple name) -> first definition
        self._targets: list[ClassInfo] = []
        self._loader = loader
        self._tops: set[str] = set()  # top-level packages of the modules indexed
        self._is_project_package = is_project_package or self._tops.__contains__
        self._missing: set[str] = set()
        self._state: dict[int, bool] = {}
        self._followed: dict[tuple[str, bool], tuple[str, ...]] = {}
        for summary in summaries:
            self.add(summary)

    def add(self, summary: ModuleSummary, target: bool = True) -> None:
        self.modules.setdefault(summary.module, summary)
        self.modules_by_path[summary.path] = summary
        self._tops.add(summary.module.partition(".")[0])
        for header in summary.classes:
            info = ClassInfo(f"{summary.module}.{header.qualname}", summary, header)
            self.classes[info.qualname].append(info)
            self._by_module.setdefault((summary.module, header.name), info)
            if target:
                self._targets.append(info)
        self._followed.clear()
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
        self._followed.clear()
        for infos in self.classes.values():
            for info in infos:
                info.project_bases, info.is_layer, info.is_module, info.families, info.complete = [], False, False, frozenset(), True
                info.unresolved, info.keras_bases, info.bases = [], [], []
        self.__dict__.pop("layers", None)
        self.__dict__.pop("subclasses", None)

    @property
    def targets(self) -> list[ClassInfo]:
        """Classes of the files being reported on."""
        return self._targets

    def module(self, name: str) -> ModuleSummary | None:
        """A module of the project by dotted name, loaded from disk when not given."""
        summary = self.modules.get(name)
        if summary is None and self._loader is not None and name not in self._missing:
            self._missing.add(name)  # asked once; a found module lands in self.modules
            self._loader(name)
            summary = self.modules.get(name)
        return summary

    # -- name resolution -------------------------------------------------------------------------

    def resolve_all(self, dotted: str, summary: ModuleSummary, scope: dict[str, list[str]] | None = None) -> tuple[str, ...]:
        """Every qualified name that a dotted expression written in ``summary``'s module may refer to.

        ``scope`` holds bindings that shadow the module's (a method's own imports, or the bindings
        where a class was defined). A name bound nowhere comes back as ``?name``.
        """
        head, _, rest = dotted.partition(".")
        if scope and head in scope:
            targets = scope[head]
        elif head in summary.bindings:
            targets = summary.bindings[head]
        elif head in BUILTIN_NAMES:
            targets = [f"builtins.{head}"]
        else:
            targets = [UNBOUND + head]  # looked up in the star imports below
        found: list[str] = []
        for target in self._from_stars(targets, summary):
            full = f"{target}.{rest}" if rest else target
            for name in (self._follow(full) if not target.startswith(UNBOUND) else (full,)):
                if name not in found:
                    found.append(name)
        return tuple(found)

    def _from_stars(self, targets: list[str], summary: ModuleSummary) -> list[str]:
        """``targets`` without the values that are not names; a name the module binds nowhere
        (``?name``) is looked up in its star imports, and kept as it is when none provides it."""
        found = []
        for target in targets:
            if target.startswith(UNBOUND):
                name = target[len(UNBOUND):]
                found.extend([f"{star}.{name}" for star in self._stars_binding(summary, name)] or [target])
            elif target:
                found.append(target)
        return found

    def resolve(self, dotted: str, summary: ModuleSummary, scope: dict[str, list[str]] | None = None) -> str:
        """The first qualified name ``dotted`` may refer to (the extractor's single answer); builtins
        and names bound nowhere come back as written."""
        found = self.resolve_all(dotted, summary, scope)
        if not found or found[0].startswith((UNBOUND, "builtins.")):
            return dotted
        return found[0]

    def _stars_binding(self, summary: ModuleSummary, name: str, seen: set[str] | None = None) -> list[str]:
        """The star-imported modules that may provide ``name``: project modules that bind it, and
        Keras namespaces (whose contents we take on trust)."""
        seen = seen if seen is not None else set()
        seen.add(summary.module)
        found = []
        for star in summary.star_imports:
            module = self.module(star) if self._is_project_package(star.partition(".")[0]) else None
            if module is not None:
                if module.module not in seen and (name in module.bindings or self._stars_binding(module, name, seen)):
                    found.append(star)
            elif star_provides(star, name):
                found.append(star)
        return found

    def _follow(self, qualname: str, hops: int = 0, into_keras: bool = False) -> tuple[str, ...]:
        """Follow a qualified name through project modules' bindings to where it is defined.

        Keras' own names stop the walk (the rules know them by those names) unless ``into_keras``:
        when the run lints Keras itself, a class is found where Keras defines it.
        """
        key = (qualname, into_keras)
        known = self._followed.get(key)
        if known is not None:
            return known
        if hops > _MAX_HOPS or qualname in self.classes:
            return (qualname,)
        self._followed[key] = (qualname,)  # a cycle of re-exports ends here
        result = self._follow_uncached(qualname, hops, into_keras)
        self._followed[key] = result
        return result

    def _follow_uncached(self, qualname: str, hops: int, into_keras: bool) -> tuple[str, ...]:
        parts = qualname.split(".")
        if not self._is_project_package(parts[0]) or keras_path(qualname) is not None and not into_keras:
            return (qualname,)  # a Keras name is already what the rules know, even when linting Keras
        for split in range(len(parts) - 1, 0, -1):
            summary = self.module(".".join(parts[:split]))
            if summary is None:
                continue
            name, rest = parts[split], ".".join(parts[split + 1:])
            suffix = f".{rest}" if rest else ""
            bound = summary.bindings.get(name, [UNBOUND + name])
            targets = [t for t in self._from_stars(bound, summary) if not t.startswith(UNBOUND)]
            found: list[str] = []
            for target in targets:
                full = target + suffix
                for name_found in ((full,) if full == qualname else self._follow(full, hops + 1, into_keras)):
                    if name_found not in found:
                        found.append(name_found)
            return tuple(found) or (qualname,)
        return (qualname,)

    def find_class(self, qualname: str) -> ClassInfo | None:
        """The project class a qualified name refers to (following re-exports), classified."""
        for name in (qualname, *self._follow(qualname, into_keras=True)):
            infos = self.classes.get(name)
            if infos:
                return self.classified(infos[0])
        return None

    def refuses_keras3(self, module: str) -> bool:
        """Whether the module or a package above it raises on import under Keras 3."""
        parts = module.split(".")
        return any(
            (summary := self.module(".".join(parts[:end]))) is not None and summary.refuses_keras3
            for end in range(len(parts), 0, -1)
        )

    def why_unresolved(self, qualname: str) -> str | None:
        """Why a resolved name leads nowhere we can see, or None when it is simply not the project's."""
        if qualname.startswith(UNBOUND):
            return f"name {qualname[1:].partition('.')[0]} is not bound in the module"
        parts = qualname.split(".")
        if not self._is_project_package(parts[0]) or keras_path(qualname) is not None:
            return None  # a third-party name, or one of Keras' own
        for split in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:split])
            summary = self.module(module)
            if summary is not None:  # a package's missing name is most likely a missing submodule
                if summary.is_package and parts[split] not in summary.bindings:
                    return f"module {module}.{parts[split]} not found"
                return f"module {module} has no name {parts[split]}"
        return f"module {'.'.join(parts[:-1]) or parts[0]} not found"

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
        families: set[Family] = set()
        for written in info.header.bases:
            factory = written.removesuffix("()")
            if factory != written and _DOTTED.fullmatch(factory):
                info.complete = False
                if not set(self.resolve_all(factory, info.summary, info.header.base_scope)) & _NOT_LAYER_FACTORIES:
                    info.unresolved.append((written, f"base {written} is made by a call"))
                continue
            if not _DOTTED.fullmatch(written):
                info.unresolved.append((written, f"base {written} is an expression, not a name"))
                info.complete = False
                continue
            failures = []
            alternatives = self.resolve_all(written, info.summary, info.header.base_scope)
            info.bases.extend(a for a in alternatives if a not in info.bases)
            if not alternatives:
                failures.append(f"base {written} is bound to a value, not to a class name (a parameter?)")
            for base in alternatives:
                family = keras_layer_family(base)
                if is_layer_root(base) or family is not None:
                    info.is_layer = True
                    if family is Family.TF_KERAS and self.refuses_keras3(info.summary.module):
                        family = Family.KERAS2  # tf.keras in a package that refuses to import under Keras 3
                    families.add(family if family is not None else Family.KERAS3)
                    info.keras_bases.append(base)
                    info.complete &= is_layer_root(base)
                    continue
                project = self.find_class(base)
                if project is not None and project is not info and not _keras_own_root(project):
                    self._classify(project, state)
                    info.project_bases.append(project)
                    if project.is_layer:
                        info.is_layer = True
                        families |= project.families
                    info.is_module |= project.is_module
                    # A non-layer project base is never parsed: its methods are unknown.
                    info.complete &= project.complete and project.is_layer
                elif is_module_root(base):
                    info.is_module = True
                elif base not in _INERT_BASES:
                    info.complete = False
                    reason = self.why_unresolved(base)
                    if reason:
                        failures.append(f"base {base.lstrip(UNBOUND)}: {reason}")
            if failures and len(failures) >= len(alternatives):
                info.unresolved.append((written, "; ".join(failures)))
        info.families = frozenset(families)
        if _keras_own_root(info):
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

    def base_chain(self, info: ClassInfo) -> list[str]:
        """From the class up through its project layer bases to the Keras classes they extend."""
        chain, current = [info.qualname], info
        while True:
            layer_bases = [b for b in current.project_bases if b.is_layer and b.qualname not in chain]
            if not layer_bases:
                break
            current = layer_bases[0]
            chain.append(current.qualname)
        if current.keras_bases:
            chain.append(" | ".join(dict.fromkeys(current.keras_bases)))
        return chain

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


def _keras_own_root(info: ClassInfo) -> bool:
    """Keras' own ``Layer``/``Model`` (when the run lints Keras itself), not a test's local class
    that happens to be called ``Model``."""
    return not info.header.local and is_layer_root(info.qualname)


def keras_version_of(info: ClassInfo, override: int | None) -> int | None:
    """2 or 3 from what the class's bases resolve to (``tf.keras`` is Keras 3 on TF >= 2.16);
    None when conditional bindings disagree and no version is configured."""
    if override:
        return override
    versions = {2 if family is Family.KERAS2 else 3 for family in info.families}
    return versions.pop() if len(versions) == 1 else None
