"""The binding pass: what each top-level name of a module refers to, as Python would bind it.

One ``ast`` walk per module, in statement order. Every name gets the tuple of qualified names it
may refer to: more than one when the binding depends on a branch (``try: import tf_keras as keras``
/ ``except ImportError: from tensorflow import keras``). Imports inside functions bind only there;
classes record the bindings of their base names as they stood where the class was defined.

Values that are not names of modules, classes or functions (numbers, calls of unknown functions,
...) are ``OPAQUE``: they end what a name could refer to, and they are never resolved further.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections import ChainMap
from dataclasses import dataclass, field
from typing import Mapping

OPAQUE = ""  # an alternative that is not a name of anything we can follow
UNBOUND = "?"  # prefix of a name bound nowhere in the module: it may come from a star import
BUILTIN_NAMES = frozenset(dir(builtins))

Alternatives = tuple[str, ...]
Env = dict[str, Alternatives]
Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class ClassHeader:
    name: str
    qualname: str  # dotted path inside the module (enclosing classes only; functions are skipped)
    line: int  # 1-based line of the `class` keyword
    col: int  # its indentation
    bases: tuple[str, ...]  # base expressions as written (dotted names; anything else as source text)
    body_end: int  # 1-based last line of the class segment
    local: bool  # defined inside a function
    # What the head names of the bases were bound to where the class was defined.
    base_scope: dict[str, list[str]] = field(default_factory=dict)
    # Names imported inside each method (they shadow the module's names there only).
    method_scopes: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass
class ModuleSummary:
    path: str
    module: str  # dotted module name, from the package layout
    is_package: bool
    bindings: dict[str, list[str]] = field(default_factory=dict)  # name -> alternatives, at module end
    star_imports: list[str] = field(default_factory=list)  # modules star-imported, in statement order
    classes: list[ClassHeader] = field(default_factory=list)
    functions: frozenset[str] = frozenset()  # module-level functions
    syntax_error: tuple[str, int, int] | None = None  # Python's message, line and column
    refuses_keras3: bool = False  # raises when the installed Keras is 3 (the package needs Keras 2)

    @property
    def package(self) -> str:
        return self.module if self.is_package else self.module.rpartition(".")[0]


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def resolve_relative(module: str, level: int, package: str) -> str | None:
    """The absolute name of ``from <level dots><module> import ...`` written in ``package``, or
    None when the import reaches above the top-level package (Python refuses it)."""
    if not level:
        return module
    base = package.split(".") if package else []
    if level > len(base):
        return None
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


class _Scope:
    """Walks one block of statements (a module, class or function body) in order.

    ``env`` holds the block's own bindings; ``outer`` the enclosing blocks', read-only.
    """

    def __init__(self, summary: ModuleSummary, env: Env, functions: dict[str, tuple[Function, list]],
                 class_path: tuple[str, ...] = (), in_function: bool = False, depth: int = 0,
                 method_scopes: dict[str, dict[str, list[str]]] | None = None,
                 outer: Mapping[str, Alternatives] | None = None, record: bool = True) -> None:
        self.summary = summary
        self.record = record  # False while a function body is walked again for its return values
        self.env = env
        self.outer: Mapping[str, Alternatives] = outer if outer is not None else {}
        self.functions = functions  # module-level functions, for `keras = _get_keras()`
        self.class_path = class_path  # enclosing classes
        self.in_function = in_function
        self.depth = depth  # nesting of function calls followed for their return values
        self.method_scopes = method_scopes  # set in a class body: where its methods' imports go
        self.returns: list[Alternatives] = []

    def lookup(self, name: str) -> Alternatives | None:
        return self.env.get(name) or self.outer.get(name)

    def _inner(self) -> ChainMap[str, Alternatives]:
        """What a nested block sees of this one and its enclosing blocks."""
        outer = self.outer.maps if isinstance(self.outer, ChainMap) else [self.outer]
        return ChainMap(self.env, *outer)

    # -- expressions ------------------------------------------------------------------------------

    def value(self, node: ast.expr | None) -> Alternatives:
        """What an expression may refer to, as qualified names."""
        if isinstance(node, ast.Name):
            bound = self.lookup(node.id)
            if bound is not None:
                return bound
            if node.id in BUILTIN_NAMES:
                return (f"builtins.{node.id}",)
            return (UNBOUND + node.id,)
        if isinstance(node, ast.Attribute):
            return tuple(f"{a}.{node.attr}" if a else OPAQUE for a in self.value(node.value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and self.depth < 4:
            function = self.functions.get(node.func.id)
            if function is not None and self.lookup(node.func.id) == (f"{self.summary.module}.{node.func.id}",):
                definition, returned = function
                if not returned:  # worked out once per function; a recursive call sees OPAQUE
                    returned.append((OPAQUE,))
                    returned[0] = self._returned(definition)
                return returned[0]
        return (OPAQUE,)

    def _returned(self, function: Function) -> Alternatives:
        """A call of a function whose every ``return`` names a module or class stands for those names."""
        scope = _Scope(self.summary, {}, self.functions, in_function=True, depth=self.depth + 1, outer=self._inner(),
                       record=False)
        scope.block(function.body)
        if not scope.returns or any(OPAQUE in r or not r for r in scope.returns):
            return (OPAQUE,)
        return tuple(dict.fromkeys(a for r in scope.returns for a in r))

    # -- statements -------------------------------------------------------------------------------

    def _merge(self, envs: list[Env]) -> Env:
        """The bindings after branches, one of which ran: each name may hold any branch's value
        (a branch that did not bind it keeps what the enclosing blocks bound)."""
        merged: Env = {}
        for name in set().union(*envs):
            alternatives: Alternatives = ()
            for env in envs:
                values = env.get(name) or self.outer.get(name) or ()
                alternatives += tuple(a for a in values if a not in alternatives)
            merged[name] = alternatives
        return merged

    def block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.statement(statement)

    def _branches(self, *bodies: list[ast.stmt], may_skip: bool = False) -> None:
        before, outcomes = self.env, []
        for body in bodies:
            self.env = dict(before)
            self.block(body)
            outcomes.append(self.env)
        if may_skip:
            outcomes.append(before)
        self.env = self._merge(outcomes)

    def statement(self, node: ast.stmt) -> None:
        env = self.env
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    env[alias.asname] = (alias.name,)
                else:
                    head = alias.name.partition(".")[0]
                    env[head] = (head,)
        elif isinstance(node, ast.ImportFrom):
            source = resolve_relative(node.module or "", node.level, self.summary.package)
            for alias in node.names:
                if source is None:
                    if alias.name != "*":
                        env[alias.asname or alias.name] = (OPAQUE,)
                elif alias.name == "*":
                    if not self.in_function and source not in self.summary.star_imports:
                        self.summary.star_imports.append(source)
                else:
                    env[alias.asname or alias.name] = (f"{source}.{alias.name}",)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = self.value(node.value) if node.value is not None else None
            for target in targets:
                self._assign(target, value)
        elif isinstance(node, ast.AugAssign):
            self._assign(node.target, None)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    env.pop(target.id, None)
        elif isinstance(node, ast.ClassDef):
            self._class(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            top_level = not self.in_function and not self.class_path
            if top_level:
                self.functions[node.name] = (node, [])
            env[node.name] = (f"{self.summary.module}.{node.name}",) if top_level else (OPAQUE,)
            self._function_body(node)
        elif isinstance(node, ast.Return):
            self.returns.append(self.value(node.value) if node.value is not None else (OPAQUE,))
        elif isinstance(node, ast.If):
            self._branches(node.body, node.orelse)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            self._assign(getattr(node, "target", None), None)
            self._branches(node.body, node.orelse, may_skip=True)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self._assign(item.optional_vars, None)
            self.block(node.body)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            before = dict(env)
            self.block(node.body)
            self.block(node.orelse)
            succeeded, outcomes = self.env, []
            for handler in node.handlers:
                self.env = dict(before)
                if handler.name:
                    self.env[handler.name] = (OPAQUE,)
                self.block(handler.body)
                outcomes.append(self.env)
            self.env = self._merge([succeeded, *outcomes])
            self.block(node.finalbody)
        elif isinstance(node, ast.Match):
            self._branches(*(case.body for case in node.cases), may_skip=True)

    def _assign(self, target: ast.expr | None, value: Alternatives | None) -> None:
        if isinstance(target, ast.Name):
            if value is None or value == (OPAQUE,):
                # A function's plain local variables matter only where they hide an outer name.
                if self.in_function and target.id not in self.env and not any(self.outer.get(target.id, ())):
                    return
                value = (OPAQUE,)
            self.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._assign(element.value if isinstance(element, ast.Starred) else element, None)

    def _class(self, node: ast.ClassDef) -> None:
        local = self.in_function
        path = (*self.class_path, node.name) if not local else (node.name,)
        bases = []
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base  # Generic[T] -> Generic
            if isinstance(target, ast.Call) and dotted_name(target.func):  # namedtuple("T", ...)
                bases.append(f"{dotted_name(target.func)}()")
            else:
                bases.append(dotted_name(target) or ast.unparse(base))
        heads = {b.partition(".")[0].removesuffix("()") for b in bases}
        header = ClassHeader(
            name=node.name,
            qualname=".".join(path),
            line=node.lineno,
            col=node.col_offset,
            bases=tuple(bases),
            body_end=node.end_lineno or node.lineno,
            local=local,
            base_scope={h: list(self.lookup(h) or ()) for h in sorted(heads) if self.lookup(h)},
        )
        if self.record:
            self.summary.classes.append(header)
        self.env[node.name] = (f"{self.summary.module}.{header.qualname}",)
        body = _Scope(self.summary, {}, self.functions, path, self.in_function, self.depth,
                      method_scopes=header.method_scopes, outer=self._inner(), record=self.record)
        body.block(node.body)

    def _function_body(self, node: Function) -> None:
        """Classes defined in a function see its local imports; the names never leave it."""
        scope = _Scope(self.summary, {}, self.functions, self.class_path, True, self.depth, outer=self._inner(),
                       record=self.record)
        arguments = node.args
        for parameter in (*arguments.posonlyargs, *arguments.args, arguments.vararg, *arguments.kwonlyargs, arguments.kwarg):
            if parameter is not None:
                scope.env[parameter.arg] = (OPAQUE,)
        scope.block(node.body)
        if self.method_scopes is not None:  # a method: remember what its own imports bind
            local = {n: list(v) for n, v in scope.env.items() if any(v)}
            if local:
                self.method_scopes[node.name] = local


def bind_module(tree: ast.Module, summary: ModuleSummary) -> ModuleSummary:
    """Fill ``summary`` with the bindings and classes of ``tree``."""
    functions: dict[str, tuple[Function, list]] = {}
    scope = _Scope(summary, {}, functions)
    scope.block(tree.body)
    summary.bindings = {name: list(alternatives) for name, alternatives in scope.env.items()}
    summary.functions = frozenset(functions)
    summary.refuses_keras3 = _refuses_keras3(tree.body)
    return summary


_VERSION_TEST = re.compile(r"version|major")
_IS_THREE = re.compile(r"""startswith\(\s*['"]3|>\s*2\b|>=\s*3\b|==\s*3\b""")


def _refuses_keras3(body: list[ast.stmt]) -> bool:
    """Whether a block raises when it finds Keras 3, as tensorflow_gnn's and transformers' modules do:
    ``if keras_version.startswith("3."): raise ImportError(...)``, also inside a function or ``try``.
    Only statements are visited, never expressions: this runs on every module."""
    for node in body:
        if isinstance(node, ast.If):
            if any(isinstance(s, ast.Raise) for s in node.body):
                test = ast.unparse(node.test)
                if _VERSION_TEST.search(test) and _IS_THREE.search(test):
                    return True
            if _refuses_keras3(node.body) or _refuses_keras3(node.orelse):
                return True
        elif isinstance(node, (ast.FunctionDef, ast.Try)) and _refuses_keras3(node.body):
            return True
        elif isinstance(node, ast.Try) and any(_refuses_keras3(h.body) for h in node.handlers):
            return True
    return False
