"""A layer class seen with its project relatives: inherited methods, reachability from ``call``."""

from __future__ import annotations

from functools import cached_property
from typing import Iterable, Iterator

from keras_varlint.analysis.facts import (
    CREATION_METHODS,
    VARIABLE_KINDS,
    Assignment,
    Creation,
    Kind,
    LayerFacts,
    MethodFacts,
    Read,
    Use,
)

# Methods Keras itself calls; code reached from them is not "in call" even if call also reaches it.
ENTRY_POINTS = frozenset(
    {"__init__", "build", "get_config", "from_config", "compute_output_shape", "compute_output_spec",
     "compute_mask", "build_from_config", "get_build_config", "_build", "__setstate__", "__getstate__",
     "load_own_variables", "save_own_variables", "quantize", "set_weights", "get_weights"}
)


class LayerView:
    """Queries over one class's facts, answered with the facts of its project ancestors and subclasses."""

    def __init__(self, facts: LayerFacts, ancestors: list[LayerFacts], descendants: list[LayerFacts], complete: bool):
        self.facts = facts
        self.ancestors = ancestors  # in method-resolution order
        self.descendants = descendants
        self.complete = complete  # every inherited method is known (only project code and bare Layer/Model)

    @property
    def keras_version(self) -> int | None:
        return self.facts.keras_version

    @cached_property
    def _mro(self) -> list[LayerFacts]:
        return [self.facts, *self.ancestors]

    def lookup(self, name: str, after: LayerFacts | None = None) -> MethodFacts | None:
        """The method ``self.name`` resolves to (or ``super().name`` from ``after``)."""
        chain = self._mro
        if after is not None:
            chain = chain[chain.index(after) + 1:] if after in chain else []
        for cls in chain:
            if name in cls.methods:
                return cls.methods[name]
        return None

    def _owner(self, method: MethodFacts) -> LayerFacts | None:
        return next((c for c in self._mro if c.methods.get(method.name) is method), None)

    def reachable_from(self, root: str, unguarded: bool = False) -> list[MethodFacts]:
        """Methods reached from ``root`` through self/super calls and properties, not entering entry points.

        With ``unguarded``, calls made under a lazy-creation guard (``if not self._built: self._make()``)
        are not followed.
        """
        start = self.lookup(root)
        if start is None:
            return []
        seen = [start]
        queue = [start]
        while queue:
            method = queue.pop()
            owner = self._owner(method)
            # A method read as an attribute is called, passed as a callback, or a property.
            names = method.unguarded_refs if unguarded else method.self_calls | {r.attr for r in method.reads}
            targets = [self.lookup(n) for n in names]
            targets += [self.lookup(n, after=owner) for n in method.super_calls]
            for target in targets:
                if target is None or target in seen or target.name in ENTRY_POINTS and target.name != root:
                    continue
                seen.append(target)
                queue.append(target)
        return seen

    @cached_property
    def call_methods(self) -> list[MethodFacts]:
        return self.reachable_from("call")

    @cached_property
    def call_only_methods(self) -> list[MethodFacts]:
        """Methods of this class reached from ``call`` and from no other method Keras calls."""
        others = {id(m) for root in ENTRY_POINTS for m in self.reachable_from(root)}
        own = set(map(id, self.facts.methods.values()))
        return [m for m in self.call_methods if id(m) not in others and id(m) in own]

    @cached_property
    def lazily_built_methods(self) -> set[int]:
        """ids of call-reachable methods that ``call`` reaches only under a lazy-creation guard."""
        unguarded = set(map(id, self.reachable_from("call", unguarded=True)))
        return {id(m) for m in self.call_methods if id(m) not in unguarded}

    @cached_property
    def sees_every_read(self) -> bool:
        """Every read of an attribute is visible: no unseen inherited code, no dynamic or collection access."""
        return self.complete and not any(
            c.reads_collections or c.dynamic for c in (self.facts, *self.ancestors, *self.descendants)
        )

    def is_method(self, name: str) -> bool:
        return any(name in c.methods for c in self._mro)

    # -- state -----------------------------------------------------------------------------------

    def _creating(self, classes: list[LayerFacts]) -> dict[str, list[Assignment]]:
        call_only = set(map(id, self.call_only_methods))
        found: dict[str, list[Assignment]] = {}
        for cls in classes:
            for method in cls.methods.values():
                if id(method) in call_only:
                    continue
                for a in method.assignments:
                    if a.value.creations and a.value.kind in VARIABLE_KINDS | {Kind.LAYER}:
                        found.setdefault(a.attr, []).append(a)
        return found

    @cached_property
    def own_creating_assignments(self) -> dict[str, list[Assignment]]:
        """Attributes this class gives a new variable or layer outside call-only code."""
        return self._creating([self.facts])

    def made_before_call(self) -> Iterator[tuple[str, Assignment]]:
        """(attribute, first assignment) for each attribute this class gives a new variable or layer
        in ``__init__``/``build``, not shadowing a method and not stored from a local that may be
        used on its own (`self.head = head` after `head(x)`)."""
        for attr, assignments in self.own_creating_assignments.items():
            made = [a for a in assignments if a.method in CREATION_METHODS]
            if made and not self.is_method(attr) and not made[0].value.from_local:
                yield attr, made[0]

    @cached_property
    def creating_assignments(self) -> dict[str, list[Assignment]]:
        """Like ``own_creating_assignments``, with what project base classes create too."""
        return self._creating(self._mro)

    def holds(self, attr: str, kinds: Iterable[Kind]) -> bool:
        kinds = frozenset(kinds)
        return any(a.value.kind in kinds for a in self.creating_assignments.get(attr, ()))

    def trainable(self, attr: str) -> bool:
        """Whether the attribute holds a variable that is (or may be) trainable."""
        return any(c.trainable is not False and not c.integer
                   for a in self.creating_assignments.get(attr, ()) for c in a.value.creations)

    # -- reads -----------------------------------------------------------------------------------

    def reads_in_call(self, attr: str) -> list[Read]:
        return [r for m in self.call_methods for r in m.reads if r.attr == attr]

    def all_reads(self, attr: str) -> Iterator[Read]:
        for cls in (self.facts, *self.ancestors, *self.descendants):
            for read in cls.reads():
                if read.attr == attr:
                    yield read

    def value_reads_in_call(self, attr: str) -> list[Read]:
        return [r for r in self.reads_in_call(attr) if r.use not in (Use.METADATA, Use.UPDATE)]

    def own_call_reads(self, use: Use) -> Iterator[Read]:
        """Reads of weight attributes with ``use`` in this class's own call-reachable methods."""
        own = set(map(id, self.facts.methods.values()))
        for method in self.call_methods:
            if id(method) in own:
                for read in method.reads:
                    if read.use is use and self.holds(read.attr, VARIABLE_KINDS):
                        yield read

    def only_used_as(self, uses: frozenset[Use]) -> Iterator[tuple[str, Read]]:
        """(attribute, first read) for trainable weights whose every value read in call has one of ``uses``.

        The first read must be in this class's own code, where its position is known.
        """
        if not self.complete:
            return
        own = set(map(id, self.facts.methods.values()))
        for attr in self.creating_assignments:
            if not (self.holds(attr, VARIABLE_KINDS) and self.trainable(attr)):
                continue
            reads = sorted(self.value_reads_in_call(attr), key=lambda r: r.order)
            if reads and all(r.use in uses for r in reads):
                first = reads[0]
                if any(m.name == first.method and id(m) in own for m in self.call_methods):
                    yield attr, first

    # -- creations -------------------------------------------------------------------------------

    def created_in_call(self, kinds: frozenset[Kind]) -> Iterator[Creation]:
        """Creations of ``kinds`` in methods reached only from ``call``.

        A creation under a lazy-creation guard (``if self.w is None``) is allowed under Keras 2, which
        creates it once; Keras 3 locks a layer's state once it is built, so there it is still a defect.
        """
        for method in self.call_only_methods:
            lazy = id(method) in self.lazily_built_methods
            for creation in method.creations:
                if creation.kind in kinds and not ((creation.guarded or lazy) and self.keras_version != 3):
                    yield creation

    def stored_tf_variables(self, trainable: bool) -> Iterator[tuple[str, Creation]]:
        """(attribute, creation) for each ``tf.Variable`` stored on ``self`` outside call-only code,
        trainable ones or (with ``trainable=False``) frozen and integer ones."""
        call_only = {m.name for m in self.call_only_methods}
        seen: set[int] = set()
        for assignment in self.facts.assignments():
            if assignment.method in call_only:
                continue
            for creation in assignment.value.creations:
                if creation.kind is not Kind.TF_VARIABLE or creation.method in call_only or id(creation.node) in seen:
                    continue
                is_trainable = creation.trainable is True and not creation.integer
                is_frozen = creation.trainable is False or creation.integer
                if is_trainable if trainable else is_frozen:
                    seen.add(id(creation.node))
                    yield assignment.attr, creation
