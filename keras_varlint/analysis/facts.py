"""Facts about one layer class: what each attribute holds, where it was made, how it is read.

The extractor (``extractor.py``) produces these from source; rules are predicates over them,
asked through ``layer_view.LayerView``. A rule needs only this module and ``rules.base``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from keras_varlint.discovery.keras_names import Family, LayerState

if TYPE_CHECKING:  # only annotations name libcst: a warm run never imports it
    import libcst as cst

__all__ = ["CREATION_METHODS", "Family", "How", "Kind", "LayerState", "Use", "VARIABLE_KINDS"]

# Methods where a layer's state belongs: made once, before the first call.
CREATION_METHODS = frozenset({"__init__", "build", "_build"})


class Kind(str, enum.Enum):
    """What an expression (and so the attribute it is stored in) holds."""

    WEIGHT = "weight"  # self.add_weight(...)
    KERAS_VARIABLE = "keras_variable"  # keras.Variable(...)
    TF_VARIABLE = "tf_variable"  # tf.Variable(...)
    LAYER = "layer"  # an instance of a Keras layer class, built-in or from the project
    TENSOR = "tensor"  # a freshly initialised tensor: tf.random.*, initializer(shape), ...
    INITIALIZER = "initializer"  # a Keras initializer object
    DERIVED = "derived"  # computed from other attributes' values
    MODULE = "module"  # an instance of a tf.Module subclass of the run
    CLOSURE = "closure"  # a callable returned by a function that builds layers
    CONTAINER = "container"  # list/tuple/dict display or comprehension
    OTHER = "other"


VARIABLE_KINDS = frozenset({Kind.WEIGHT, Kind.KERAS_VARIABLE, Kind.TF_VARIABLE})


class How(str, enum.Enum):
    """How an assignment stores its value on the attribute."""

    ASSIGN = "assign"  # self.a = value
    AUGMENTED = "augmented"  # self.a += value
    APPEND = "append"  # self.a.append(value) and other container mutators
    ITEM = "item"  # self.a[key] = value


class Use(str, enum.Enum):
    """How a read of an attribute uses it."""

    VALUE = "value"  # its value flows on (differentiably, as far as we can tell)
    METADATA = "metadata"  # .shape, .dtype, len(), `is None`, truthiness: not its value
    UPDATE = "update"  # .assign(...) and friends
    CUT = "cut"  # .numpy(), np.*, float(): leaves the graph
    STOPPED = "stopped"  # inside stop_gradient
    NONDIFF = "nondiff"  # argmax, round, integer cast, comparison, index


@dataclass(eq=False)
class Creation:
    """A call that creates state: a variable, a weight, a layer, a fresh tensor..."""

    kind: Kind
    node: cst.Call
    callee: str  # qualified name of what is called
    method: str
    trainable: bool | None = True  # None: cannot tell statically
    integer: bool = False  # a variable of integer or bool dtype
    guarded: bool = False  # under a lazy-creation guard (`if self.w is None`, `if not self.built`)
    state: LayerState | None = None  # for a layer: what its class owns
    family: Family | None = None  # for a Keras class or variable: which Keras it comes from
    built: bool = False  # a layer built on construction (`Embedding(..., weights=[...])`)

    @property
    def name(self) -> str:
        """The unqualified name of what is called: ``Dense`` for ``keras.layers.Dense``."""
        return self.callee.rpartition(".")[2]


@dataclass(eq=False)
class Value:
    kind: Kind
    creations: list[Creation] = field(default_factory=list)  # for a container: its elements' creations
    sources: list[str] = field(default_factory=list)  # attributes whose values a DERIVED expression reads
    alias_of: str | None = None  # `self.a = self.b`
    helper: str | None = None  # `self.a = self._make()`: the method, until its returns are known
    from_local: bool = False  # came through a local variable, which may be used on its own


@dataclass(eq=False)
class Assignment:
    attr: str
    method: str
    node: cst.CSTNode  # the statement, for the position
    value: Value
    branch: tuple[tuple[int, int], ...]  # (id of an if/try node, which branch) from the method down
    order: int  # position among the class's statements
    how: How = How.ASSIGN
    exits: tuple[int, ...] = ()  # ids of ifs whose branch holding this assignment returns or raises


@dataclass(eq=False)
class Read:
    attr: str
    method: str
    node: cst.CSTNode
    use: Use
    wrapper: cst.CSTNode | None = None  # the call or operator that makes the use CUT/STOPPED/NONDIFF
    order: int = 0
    wrapper_name: str = ""  # `numpy`, `argmax`, `comparison`...: the name of ``wrapper``
    member: str | None = None  # `self.a.member`: the attribute read on it, if any
    called: bool = False  # the attribute (or its member) is called: `self.a(x)`, `self.a.build(s)`


@dataclass(eq=False)
class MethodFacts:
    name: str
    node: cst.FunctionDef
    self_calls: set[str] = field(default_factory=set)  # self.m(...) or self.m passed around
    unguarded_refs: set[str] = field(default_factory=set)  # self.m / self.m(...) outside any lazy-creation guard
    super_calls: set[str] = field(default_factory=set)  # super().m(...)
    creations: list[Creation] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)
    returns: list[Value] = field(default_factory=list)  # values of `return` statements


@dataclass(eq=False)
class LayerFacts:
    name: str
    qualname: str
    path: str
    line: int
    col: int
    keras_version: int | None = 3  # None: its bases resolve to Keras 2 and 3 on different branches
    family: Family | None = None  # Keras family of the base class
    methods: dict[str, MethodFacts] = field(default_factory=dict)
    dynamic: bool = False  # setattr/getattr(self, <not a literal>), vars(self), self.__dict__
    reads_collections: bool = False  # reads self.weights / trainable_variables / _layers ...
    class_node: cst.ClassDef | None = None

    def assignments(self) -> Iterator[Assignment]:
        for method in self.methods.values():
            yield from method.assignments

    def reads(self) -> Iterator[Read]:
        for method in self.methods.values():
            yield from method.reads

    def creations(self) -> Iterator[Creation]:
        for method in self.methods.values():
            yield from method.creations
