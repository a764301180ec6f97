"""One libcst pass over a layer class that turns its source into ``LayerFacts``."""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, Iterator, Protocol

import libcst as cst

from keras_varlint.analysis import vocabulary as vocab
from keras_varlint.analysis.facts import (
    Assignment,
    Creation,
    How,
    Kind,
    LayerFacts,
    MethodFacts,
    Read,
    Use,
    Value,
)
from keras_varlint.discovery.keras_names import LayerState, keras_path

Resolve = Callable[[str, str], str]  # (dotted name as written, method it is written in) -> qualified name


class Context(Protocol):
    """What the extractor asks about names defined outside the class."""

    def class_kind(self, qualname: str) -> Kind | None:
        """LAYER, MODULE or CLOSURE (a layer-closure factory) for what calling ``qualname`` makes."""

    def layer_state(self, qualname: str, keras_version: int | None) -> LayerState:
        """What instances of the layer class ``qualname`` own."""

    def builds_on_construction(self, qualname: str) -> bool:
        """Whether the project layer class ``qualname`` makes its weights in ``__init__``."""

_EMPTY = cst.Module(body=[])
_GUARD = re.compile(
    r"\bis\s+(not\s+)?None\b|\bhasattr\(|\bgetattr\(|\bbuilt\b|^\s*not\s+self\.|_initiali[sz]ed\b"
    r"|\bself\.\w*(?:need|init)\w*\("  # `if self._need_init_trackables():`
)
_CONTAINER_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "add"})
_INTEGER_DTYPE = re.compile(r"(?<![A-Za-z])(u?int(8|16|32|64)?|bool)(?![A-Za-z])")


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _literal_bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def _keyword(call: cst.Call, name: str, position: int | None = None) -> cst.BaseExpression | None:
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
        if arg.keyword is None and not arg.star and i == position:
            return arg.value
    return None


def _is_integer_literal(node: cst.BaseExpression | None) -> bool:
    if isinstance(node, cst.UnaryOperation):
        node = node.expression
    if isinstance(node, cst.Integer) or _literal_bool(node) is not None:
        return True
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        return all(_is_integer_literal(e.value) for e in node.elements)
    return False


_SYNTAX_ONLY = re.compile(r"whitespace|^lpar$|^rpar$|comma|semicolon|leading_lines|lines_after|newline|^header$|^footer$")
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Child nodes in source order, without libcst's copy-on-visit machinery (several times faster)."""
    kind = type(node)
    names = _CHILD_FIELDS.get(kind)
    if names is None:
        names = _CHILD_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind) if not _SYNTAX_ONLY.search(f.name))
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def _ends_method(block: cst.IndentedBlock) -> bool:
    last = block.body[-1] if block.body else None
    return isinstance(last, cst.SimpleStatementLine) and any(isinstance(s, (cst.Return, cst.Raise)) for s in last.body)


class _ClassExtractor:
    """Walks one method at a time; keeps an explicit ancestor stack for read contexts."""

    def __init__(self, facts: LayerFacts, resolve: Resolve, context: Context) -> None:
        self.facts = facts
        self.resolve = resolve
        self.context = context
        self.class_kind = context.class_kind
        self.order = 0
        self.attr_kinds: dict[str, Kind] = {}  # what each attribute was last seen holding
        # per-method state
        self.method: MethodFacts | None = None
        self.self_name = "self"
        self.shape_param: str | None = None
        self.stack: list[cst.CSTNode] = []
        self.targets: set[int] = set()
        self.aliases: dict[str, str] = {}  # local name -> attribute (`w = self.w`)
        self.locals: dict[str, Value] = {}  # local name -> created value (`v = tf.Variable(...)`)
        self.created: dict[int, Creation] = {}
        self.guards: dict[int, bool] = {}  # id of an If node -> whether its test is a lazy-creation guard
        self.statement_reads: list[int] = []  # index into method.reads where each open assignment began
        self.class_methods: dict[str, cst.FunctionDef] = {}
        self.local_functions: dict[str, cst.FunctionDef] = {}  # functions defined inside the current method
        self.updaters: dict[int, tuple[list[str], frozenset[str]]] = {}  # id of a function -> _updated_params

    # -- entry -----------------------------------------------------------------------------------

    def extract_method(self, node: cst.FunctionDef) -> None:
        decorators = {dotted_name(d.decorator) or "" for d in node.decorators}
        params = node.params.params
        method = MethodFacts(node.name.value, node)
        self.facts.methods[method.name] = method
        self.method = method
        # A static or class method has no `self`: only its calls (creations) are of interest.
        self.self_name = params[0].name.value if params and not decorators & {"staticmethod", "classmethod"} else ""
        self.shape_param = params[1].name.value if method.name == "build" and len(params) > 1 else None
        self.stack, self.targets, self.aliases, self.locals = [], set(), {}, {}
        self.local_functions = {}
        for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else [node.body]:
            self._walk(statement)

    # -- the walk --------------------------------------------------------------------------------

    def _walk(self, node: cst.CSTNode) -> None:
        self.stack.append(node)
        self.order += 1
        kind = type(node).__name__
        if kind != "ClassDef":  # a nested class is a class of its own
            visit = getattr(self, f"_visit_{kind}", None)
            if visit is not None:
                visit(node)
            for child in children(node):
                self._walk(child)
            leave = getattr(self, f"_leave_{kind}", None)
            if leave is not None:
                leave(node)
        self.stack.pop()

    def _is_self(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == self.self_name

    def _self_attr(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Attribute) and self._is_self(node.value):
            return node.attr.value
        return None

    # assignments ---------------------------------------------------------------------------------

    def _mark_targets(self, target: cst.BaseExpression) -> None:
        self.targets.add(id(target))
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._mark_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._mark_targets(target.value)

    def _visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._mark_targets(target.target)
        self.statement_reads.append(len(self.method.reads))

    def _visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._mark_targets(node.target)
        self.statement_reads.append(len(self.method.reads))

    def _visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.statement_reads.append(len(self.method.reads))

    def _visit_For(self, node: cst.For) -> None:
        self._mark_targets(node.target)

    def _visit_CompFor(self, node: cst.CompFor) -> None:
        self._mark_targets(node.target)

    def _visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._mark_targets(node.asname.name)

    def _visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.local_functions[node.name.value] = node

    def _visit_Del(self, node: cst.Del) -> None:
        self._mark_targets(node.target)

    def _leave_Assign(self, node: cst.Assign) -> None:
        start = self.statement_reads.pop()
        for target in node.targets:
            self._assign(target.target, node.value, node, start)

    def _leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        start = self.statement_reads.pop()
        if node.value is not None:
            self._assign(node.target, node.value, node, start)

    def _leave_AugAssign(self, node: cst.AugAssign) -> None:
        start = self.statement_reads.pop()
        attr = self._self_attr(node.target)
        if attr is not None:
            sources = [attr] + self._value_sources(start)
            self._record(attr, Value(Kind.DERIVED, sources=sources), node, how=How.AUGMENTED)

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression, statement: cst.CSTNode, start: int) -> None:
        if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
            if len(target.elements) == len(value.elements):
                for t, v in zip(target.elements, value.elements):
                    self._assign(t.value, v.value, statement, start)
            return
        attr = self._self_attr(target)
        if attr is not None:
            self._record(attr, self._classify(value, start), statement)
        elif isinstance(target, cst.Name):
            name = target.value
            self.aliases.pop(name, None)
            self.locals.pop(name, None)
            source = self._self_attr(value)
            if source is not None:
                self.aliases[name] = source
                # The alias's own reads are the uses; reading the attribute to bind it is not one.
                reads = self.method.reads
                for i in range(len(reads) - 1, start - 1, -1):
                    if reads[i].node is value:
                        del reads[i]
                        break
            else:
                classified = self._classify(value, start)
                if classified.creations or classified.kind is Kind.INITIALIZER:
                    self.locals[name] = classified
        elif isinstance(target, cst.Subscript):
            attr = self._self_attr(target.value)
            classified = self._classify(value, start)
            if attr is not None and classified.creations:
                self._record(attr, Value(Kind.CONTAINER, classified.creations), statement, how=How.ITEM)

    def _record(self, attr: str, value: Value, statement: cst.CSTNode, how: How = How.ASSIGN) -> None:
        branch, exits = self._branch()
        self.method.assignments.append(
            Assignment(attr, self.method.name, statement, value, branch, self.order, how, exits)
        )
        self.attr_kinds[attr] = value.kind

    def _branch(self) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
        """The branches leading to the current node, and the ifs whose branch here ends the method."""
        path, exits = [], []
        for parent, child in zip(self.stack, self.stack[1:]):
            if isinstance(parent, cst.If):
                path.append((id(parent), 0 if child is parent.body else 1))
                block = child.body if isinstance(child, cst.Else) else child
                if isinstance(block, cst.IndentedBlock) and _ends_method(block):
                    exits.append(id(parent))
            elif isinstance(parent, cst.Match):
                path.append((id(parent), parent.cases.index(child) if child in parent.cases else -1))
            elif isinstance(parent, cst.Try):
                path.append((id(parent), 1 + parent.handlers.index(child) if child in parent.handlers else 0))
            elif isinstance(parent, (cst.For, cst.While)):
                path.append((id(parent), -1))  # a loop: repeats
        return tuple(path), tuple(exits)

    def _value_sources(self, start: int) -> list[str]:
        return [r.attr for r in self.method.reads[start:] if r.use is Use.VALUE]

    def _classify(self, node: cst.BaseExpression, start: int) -> Value:
        """What an assigned expression holds."""
        if isinstance(node, cst.Call):
            creation = self.created.get(id(node))
            if creation is not None:
                return Value(creation.kind, [creation])
            callee = self._callee(node.func)
            if callee and vocab.is_initializer(callee):
                return Value(Kind.INITIALIZER)
            helper = self._self_attr(node.func)
            if helper is not None:
                return Value(Kind.OTHER, helper=helper)  # resolved after all methods are seen
            if callee and self.class_kind(callee) is Kind.CLOSURE:
                return Value(Kind.CLOSURE)
        if isinstance(node, cst.IfExp):  # `tf.Variable(...) if use_bias else None`
            branches = [self._classify(node.body, start), self._classify(node.orelse, start)]
            made = [v for v in branches if v.creations]
            if made:
                return Value(made[0].kind, [c for v in made for c in v.creations])
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            creations = [c for e in node.elements for c in self._classify(e.value, start).creations]
            return Value(Kind.CONTAINER, creations)
        if isinstance(node, cst.Dict):
            creations = [
                c for e in node.elements if isinstance(e, cst.DictElement) for c in self._classify(e.value, start).creations
            ]
            return Value(Kind.CONTAINER, creations)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return Value(Kind.CONTAINER, self._classify(node.elt, start).creations)
        if isinstance(node, cst.DictComp):
            return Value(Kind.CONTAINER, self._classify(node.value, start).creations)
        if isinstance(node, cst.Name):
            if node.value in self.locals:
                local = self.locals[node.value]
                return Value(local.kind, local.creations, local.sources, from_local=True)
            if node.value in self.aliases:
                return Value(Kind.OTHER, alias_of=self.aliases[node.value])
            return Value(Kind.OTHER)
        attr = self._self_attr(node)
        if attr is not None:
            return Value(Kind.OTHER, alias_of=attr)
        if isinstance(node, (cst.BinaryOperation, cst.UnaryOperation, cst.Call, cst.Subscript, cst.IfExp)):
            sources = self._value_sources(start)
            if sources:
                return Value(Kind.DERIVED, sources=sources)
        return Value(Kind.OTHER)

    # calls -------------------------------------------------------------------------------------

    def _callee(self, func: cst.BaseExpression) -> str | None:
        name = dotted_name(func)
        if name is None or name.split(".")[0] == self.self_name:
            return None
        if name in self.aliases or name in self.locals:
            return None
        return self.resolve(name, self.method.name)

    def _visit_Call(self, node: cst.Call) -> None:
        func = node.func
        method = self.method
        attr = self._self_attr(func)
        if attr is not None:
            method.self_calls.add(attr)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call) and dotted_name(func.value.func) == "super":
            method.super_calls.add(func.attr.value)
        name = dotted_name(func)
        if name in ("setattr", "getattr", "delattr") and node.args and self._is_self(node.args[0].value):
            key = node.args[1].value if len(node.args) > 1 else None
            if not isinstance(key, cst.SimpleString):
                self.facts.dynamic = True
            elif name == "getattr":
                self._read(key.evaluated_value, node, *self._use())
            elif name == "setattr" and len(node.args) > 2:
                self.statement_reads.append(len(method.reads))  # recorded when leaving the call
        elif name == "vars" and node.args and self._is_self(node.args[0].value):
            self.facts.dynamic = True
        creation = self._creation(node)
        if creation is not None:
            self.created[id(node)] = creation
            method.creations.append(creation)
        # self.vs.append(tf.Variable(...)) and friends
        if isinstance(func, cst.Attribute) and func.attr.value in _CONTAINER_MUTATORS:
            owner = self._self_attr(func.value)
            if owner is not None:
                self.statement_reads.append(len(method.reads))

    def _leave_Call(self, node: cst.Call) -> None:
        func = node.func
        if (dotted_name(func) == "setattr" and len(node.args) > 2 and self._is_self(node.args[0].value)
                and isinstance(node.args[1].value, cst.SimpleString)):
            start = self.statement_reads.pop()
            self._record(node.args[1].value.evaluated_value, self._classify(node.args[2].value, start), node)
        if isinstance(func, cst.Attribute) and func.attr.value in _CONTAINER_MUTATORS:
            owner = self._self_attr(func.value)
            if owner is not None:
                start = self.statement_reads.pop()
                creations = [c for a in node.args for c in self._classify(a.value, start).creations]
                if creations:
                    self._record(owner, Value(Kind.CONTAINER, creations), node, how=How.APPEND)

    def _creation(self, node: cst.Call) -> Creation | None:
        func = node.func
        method = self.method.name
        if isinstance(func, cst.Attribute) and func.attr.value in vocab.ADD_WEIGHT_METHODS and (
            self._is_self(func.value) or isinstance(func.value, cst.Call) and dotted_name(func.value.func) == "super"
        ):
            return Creation(Kind.WEIGHT, node, func.attr.value, method, self._trainable(node, None), guarded=self._guarded())
        callee = self._callee(func)
        if callee is None:
            if isinstance(func, cst.Call) and self._is_initializer_call(func):
                return Creation(Kind.TENSOR, node, "initializer", method)
            local = self._self_attr(func) or (func.value if isinstance(func, cst.Name) else None)
            known = self.attr_kinds.get(local) if self._self_attr(func) else self.locals.get(local, Value(Kind.OTHER)).kind
            if known is Kind.INITIALIZER:
                return Creation(Kind.TENSOR, node, "initializer", method)
            return None
        if callee in vocab.TF_VARIABLE:
            return Creation(
                Kind.TF_VARIABLE, node, callee, method, self._trainable(node, 1), self._integer(node), self._guarded()
            )
        family = found[1] if (found := keras_path(callee)) else None
        if vocab.is_keras_variable(callee):
            return Creation(
                Kind.KERAS_VARIABLE, node, callee, method, self._trainable(node, None), self._integer(node),
                self._guarded(), family=family,
            )
        kind = self.class_kind(callee)
        if kind is Kind.MODULE:
            return Creation(kind, node, callee, method, guarded=self._guarded())
        if kind is Kind.LAYER:
            state = self.context.layer_state(callee, self.facts.keras_version)
            return Creation(
                kind, node, callee, method, trainable=state in (LayerState.TRAINABLE, LayerState.WRAPPER),
                guarded=self._guarded(), state=state, family=family,
                built=_keyword(node, "weights") is not None or self.context.builds_on_construction(callee),
            )
        if vocab.is_random_sampler(callee) or isinstance(func, cst.Call) and self._is_initializer_call(func):
            return Creation(Kind.TENSOR, node, callee, method)
        if vocab.is_fill(callee) and self.shape_param and node.args:
            shape = _code(node.args[0].value)
            if re.search(rf"\b{re.escape(self.shape_param)}\b", shape):
                return Creation(Kind.TENSOR, node, callee, method)
        return None

    def _is_initializer_call(self, func: cst.Call) -> bool:
        callee = self._callee(func.func)
        return bool(callee) and vocab.is_initializer(callee)

    def _trainable(self, node: cst.Call, position: int | None) -> bool | None:
        value = _keyword(node, "trainable", position)
        if value is None:
            return True
        return _literal_bool(value)

    def _integer(self, node: cst.Call) -> bool:
        dtype = _keyword(node, "dtype")
        if dtype is not None:
            return bool(_INTEGER_DTYPE.search(_code(dtype)))
        initial = _keyword(node, "initial_value", 0)
        if isinstance(initial, cst.Call):
            inner = _keyword(initial, "dtype")
            return inner is not None and bool(_INTEGER_DTYPE.search(_code(inner)))
        return _is_integer_literal(initial)

    def _guarded(self) -> bool:
        for node in self.stack:
            if isinstance(node, cst.If):
                guard = self.guards.get(id(node))
                if guard is None:
                    guard = self.guards[id(node)] = bool(_GUARD.search(_code(node.test)))
                if guard:
                    return True
        return False

    # reads -------------------------------------------------------------------------------------

    def _visit_Attribute(self, node: cst.Attribute) -> None:
        if not self._is_self(node.value):
            return
        attr = node.attr.value
        if not self._guarded():
            self.method.unguarded_refs.add(attr)
        if attr in vocab.COLLECTION_ATTRS:
            self.facts.reads_collections = True
            if attr == "__dict__":
                self.facts.dynamic = True
        if id(node) in self.targets:
            return
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if isinstance(parent, cst.AugAssign) and parent.target is node:
            self._read(attr, node, Use.VALUE, None)
            return
        self._read(attr, node, *self._use())

    def _visit_Name(self, node: cst.Name) -> None:
        attr = self.aliases.get(node.value)
        if attr is not None and id(node) not in self.targets:
            parent = self.stack[-2] if len(self.stack) > 1 else None
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                return  # `x.w`: an attribute named like the alias
            if isinstance(parent, (cst.Arg, cst.Param)) and getattr(parent, "keyword", None) is node:
                return
            self._read(attr, node, *self._use())

    def _read(self, attr: str, node: cst.CSTNode, use: Use, wrapper: cst.CSTNode | None) -> None:
        member, called = None, False
        if self.stack[-1] is node and len(self.stack) > 1:
            parent = self.stack[-2]
            grand = self.stack[-3] if len(self.stack) > 2 else None
            if isinstance(parent, cst.Attribute) and parent.value is node:
                member = parent.attr.value
                called = isinstance(grand, cst.Call) and grand.func is parent
            else:
                called = isinstance(parent, cst.Call) and parent.func is node
        self.method.reads.append(
            Read(attr, self.method.name, node, use, wrapper, self.order, _wrapper_name(wrapper), member, called)
        )

    def _use(self) -> tuple[Use, cst.CSTNode | None]:
        """How the node on top of the stack is used, judged from its ancestors."""
        stack = self.stack
        child = stack[-1]
        for i in range(len(stack) - 2, -1, -1):
            parent = stack[i]
            if isinstance(parent, cst.Attribute):
                if parent.value is child:
                    name = parent.attr.value
                    if name in vocab.METADATA_ATTRS:
                        return Use.METADATA, None
                    grand = stack[i - 1] if i > 0 else None
                    called = isinstance(grand, cst.Call) and grand.func is parent
                    if name in vocab.UPDATE_METHODS:
                        return Use.UPDATE, None
                    if name == "numpy" and called:
                        return Use.CUT, grand
                    if child is stack[-1] and _layer_metadata(name, called, grand):
                        return Use.METADATA, None
            elif isinstance(parent, cst.Call):
                if parent.func is not child:
                    found = self._call_use(parent, child)
                    if found is not None:
                        return found
            elif isinstance(parent, cst.Comparison):
                operators = [c.operator for c in parent.comparisons]
                if all(isinstance(o, (cst.Is, cst.IsNot, cst.In, cst.NotIn)) for o in operators):
                    return Use.METADATA, None
                return Use.NONDIFF, parent
            elif isinstance(parent, cst.SubscriptElement):
                return Use.NONDIFF, stack[i - 1]  # used as an index
            elif isinstance(parent, (cst.If, cst.While, cst.IfExp)) and parent.test is child:
                return Use.METADATA, None
            elif isinstance(parent, cst.Assert):
                return Use.METADATA, None
            elif isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
                return Use.METADATA, None
            elif isinstance(parent, (cst.BaseSmallStatement, cst.BaseCompoundStatement, cst.Lambda)):
                break
            child = parent
        return Use.VALUE, None

    def _call_use(self, call: cst.Call, child: cst.CSTNode) -> tuple[Use, cst.CSTNode | None] | None:
        callee = self._callee(call.func)
        if isinstance(child, cst.Arg) and self._updates_argument(call, child, callee):
            return Use.UPDATE, None
        if callee is None:
            return None
        if vocab.is_cut(callee):
            return Use.CUT, call
        if vocab.is_stop_gradient(callee):
            return Use.STOPPED, call
        if vocab.is_metadata_call(callee):
            return Use.METADATA, None
        kind = vocab.nondiff_kind(callee)
        if kind == "op":
            return Use.NONDIFF, call
        if kind == "cast":
            dtype = _keyword(call, "dtype", 1)
            if dtype is not None and _INTEGER_DTYPE.search(_code(dtype)):
                return Use.NONDIFF, call
        if kind == "gather":
            indices = _keyword(call, "indices", 1)
            if indices is not None and child is not call.args[0]:
                return Use.NONDIFF, call
        return None

    def _updates_argument(self, call: cst.Call, arg: cst.Arg, callee: str | None) -> bool:
        """Whether ``call`` updates the variable passed as ``arg``: `tf.compat.v1.assign(v, x)`,
        `K.moving_average_update(v, x, m)`, or a method or local function that assigns to that parameter."""
        position = next(i for i, a in enumerate(call.args) if a is arg)
        method = self._self_attr(call.func)
        if method is not None:
            function = self.class_methods.get(method)
            position += 1  # past `self`
        elif isinstance(call.func, cst.Name) and call.func.value in self.local_functions:
            function = self.local_functions[call.func.value]
        else:
            return bool(callee) and vocab.is_update_function(callee) and (
                position == 0 and arg.keyword is None or arg.keyword is not None and arg.keyword.value in vocab.UPDATE_TARGETS
            )
        if function is None or arg.star:
            return False
        params, updated = self._updated_params(function)
        if arg.keyword is not None:
            return arg.keyword.value in updated
        return position < len(params) and params[position] in updated

    def _updated_params(self, function: cst.FunctionDef) -> tuple[list[str], frozenset[str]]:
        """The parameter names of ``function``, and those it updates (`param.assign(...)`, `tf.compat.v1.assign(param, ...)`)."""
        known = self.updaters.get(id(function))
        if known is not None:
            return known
        params = [p.name.value for p in function.params.params]
        updated: set[str] = set()
        pending: list[cst.CSTNode] = [function.body]
        while pending:
            node = pending.pop()
            pending.extend(children(node))
            if not isinstance(node, cst.Call):
                continue
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in vocab.UPDATE_METHODS and isinstance(func.value, cst.Name):
                updated.add(func.value.value)
            elif node.args and isinstance(node.args[0].value, cst.Name) and node.args[0].keyword is None:
                name = dotted_name(func)
                if name and name not in params and vocab.is_update_function(self.resolve(name, self.method.name)):
                    updated.add(node.args[0].value.value)
        found = self.updaters[id(function)] = (params, frozenset(updated) & frozenset(params))
        return found

    # returns -----------------------------------------------------------------------------------

    def _visit_Return(self, node: cst.Return) -> None:
        self.statement_reads.append(len(self.method.reads))

    def _leave_Return(self, node: cst.Return) -> None:
        start = self.statement_reads.pop()
        if node.value is not None and not any(isinstance(n, (cst.FunctionDef, cst.Lambda)) for n in self.stack[:-1]):
            self.method.returns.append(self._classify(node.value, start))


def _layer_metadata(member: str, called: bool, parent: cst.CSTNode | None) -> bool:
    """`sublayer.member` describes or builds the layer without running its weights: `.build(shape)`,
    `.get_config()`, `.supports_masking`, or `.call` handed to an inspecting function."""
    if called:
        return member in vocab.LAYER_METADATA_METHODS
    return member in vocab.LAYER_METADATA_ATTRS or member == "call" and isinstance(parent, cst.Arg)


def _wrapper_name(node: cst.CSTNode | None) -> str:
    if node is None:
        return ""
    func = getattr(node, "func", None)
    name = dotted_name(func) if func is not None else None
    return name.rpartition(".")[2] if name else type(node).__name__.lower()


def _resolve_helper_values(facts: LayerFacts) -> None:
    """``self.w = self._make_weight()``: take the kind of what the helper returns."""
    for assignment in facts.assignments():
        if assignment.value.helper is None:
            continue
        helper = facts.methods.get(assignment.value.helper)
        assignment.value.helper = None
        if helper and helper.returns:
            kinds = {v.kind for v in helper.returns}
            if len(kinds) == 1 and all(v.creations for v in helper.returns):
                assignment.value.kind = kinds.pop()
                assignment.value.creations = [c for v in helper.returns for c in v.creations]


def extract(class_node: cst.ClassDef, facts: LayerFacts, resolve: Resolve, context: Context) -> LayerFacts:
    """Fill ``facts`` from the methods of ``class_node``."""
    extractor = _ClassExtractor(facts, resolve, context)
    body = class_node.body.body if isinstance(class_node.body, cst.IndentedBlock) else []
    extractor.class_methods = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            extractor.extract_method(statement)
    _resolve_helper_values(facts)
    return facts
