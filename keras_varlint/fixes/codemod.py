"""What a rule hands over to describe its fix: libcst nodes of the class it reported and what to
put in their place. ``analysis.component`` turns a ``FixSpec`` into a positioned ``Fix``.

Rules build the new nodes with libcst on the nodes they report; the helpers here are the ones
several rules share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keras_varlint.fixes import SAFE, UNSAFE

if TYPE_CHECKING:
    import libcst as cst

__all__ = ["DELETE", "SAFE", "UNSAFE", "FixSpec", "enclosing_statement", "keras_variable_fix"]

DELETE = None  # as a replacement: remove the statement line (or leave `pass` when it is a block's only one)


@dataclass
class FixSpec:
    """A fix as nodes: each ``(node, replacement)`` pair replaces ``node`` (a node of the reported
    class) with the code of ``replacement`` (a node or source text); ``DELETE`` removes a
    ``SimpleStatementLine``. ``imports`` names modules the replacements refer to by their own name
    (``keras``): ``import keras`` is added to the file when that name is not already bound to it."""

    applicability: str
    message: str
    replacements: list[tuple["cst.CSTNode", "cst.CSTNode | str | None"]] = field(default_factory=list)
    imports: tuple[str, ...] = ()


def enclosing_statement(root: "cst.CSTNode", node: "cst.CSTNode") -> tuple["cst.SimpleStatementLine", int] | None:
    """The ``SimpleStatementLine`` under ``root`` that holds ``node`` as its only statement, and the
    number of statements in the block holding that line; None when ``node`` shares its line with
    other statements or sits in a one-line suite (``if x: a = 1``)."""
    import libcst as cst

    found: list[tuple[cst.SimpleStatementLine, int]] = []

    class Finder(cst.CSTVisitor):
        def visit_IndentedBlock(self, block: cst.IndentedBlock) -> bool:
            for statement in block.body:
                if isinstance(statement, cst.SimpleStatementLine) and any(s is node for s in statement.body):
                    if len(statement.body) == 1:
                        found.append((statement, len(block.body)))
            return not found

    root.visit(Finder())
    return found[0] if found else None


# tf.Variable's parameters, in positional order, and what keras.Variable makes of each.
_TF_VARIABLE_PARAMS = (
    "initial_value", "trainable", "validate_shape", "caching_device", "name", "variable_def", "dtype",
    "import_scope", "constraint", "synchronization", "aggregation", "shape",
)
_SAME = {"trainable", "name", "dtype"}  # mapped one to one
_DROPPED_UNSAFE = {"caching_device"}  # only where the variable is cached: keras.Variable has no place for it
_UNSAFE = {"shape"}  # tf.Variable's shape may leave dimensions open; a Keras variable's may not


def keras_variable_fix(call: "cst.Call", frozen: bool) -> FixSpec | None:
    """``tf.Variable(...)`` as ``keras.Variable(...)``, its arguments mapped one to one; with ``frozen``
    (a variable that never trains), ``trainable=False`` is written when the call left it out.

    None when an argument has no ``keras.Variable`` counterpart that keeps its meaning
    (``constraint``, ``validate_shape``, ``synchronization``, ``aggregation``, ``*args``...), when the
    initial value is a lambda (``keras.Variable`` calls an initializer only with a shape) or the name
    holds a ``/`` (a Keras variable name cannot). Unsafe when the outcome depends on values only known
    at run time: a ``trainable`` or ``name`` that is not a literal (``trainable=None`` means True to
    TensorFlow and False to Keras), a ``shape``, or a ``caching_device`` that is dropped."""
    import libcst as cst

    unsafe: list[str] = []
    args: list[cst.Arg] = []
    seen: set[str] = set()
    for position, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is None:
            if position >= len(_TF_VARIABLE_PARAMS):
                return None
            param = _TF_VARIABLE_PARAMS[position]
        else:
            param = arg.keyword.value
        seen.add(param)
        value = arg.value
        if param == "initial_value":
            if isinstance(value, cst.Lambda):
                return None
            if arg.keyword is not None:
                arg = arg.with_changes(keyword=cst.Name("initializer"))
            args.append(arg)
            continue
        if param in _DROPPED_UNSAFE:
            unsafe.append(f"{param} is dropped")
            continue
        if param not in _SAME | _UNSAFE:
            return None
        if param == "trainable" and not (isinstance(value, cst.Name) and value.value in ("True", "False")):
            unsafe.append("trainable is not a literal (None means True to TensorFlow, False to Keras)")
        if param == "name":
            if isinstance(value, cst.SimpleString):
                if "/" in value.evaluated_value:
                    return None
            else:
                unsafe.append("the name is not a literal and may hold a '/'")
        if param in _UNSAFE:
            unsafe.append(f"{param} must be fully known for a Keras variable")
        if arg.keyword is None:
            arg = arg.with_changes(
                keyword=cst.Name(param),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
        args.append(arg)
    if "initial_value" not in seen:
        return None
    if frozen and "trainable" not in seen:
        args.append(cst.Arg(cst.Name("False"), keyword=cst.Name("trainable"),
                            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    if args:  # the last argument keeps the original call's trailing comma, or none
        last_comma = call.args[-1].comma if call.args else cst.MaybeSentinel.DEFAULT
        args = [*args[:-1], args[-1].with_changes(comma=last_comma)]
        args = [a if a is args[-1] or a.comma is not cst.MaybeSentinel.DEFAULT
                else a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                for a in args]
    new = call.with_changes(func=cst.Attribute(cst.Name("keras"), cst.Name("Variable")), args=args)
    extra = "(..., trainable=False)" if frozen and "trainable" not in seen else ""
    message = f"Replace tf.Variable with keras.Variable{extra}"
    if unsafe:
        message += f" (unsafe: {'; '.join(dict.fromkeys(unsafe))})"
    return FixSpec(UNSAFE if unsafe else SAFE, message, [(call, new)], imports=("keras",))
