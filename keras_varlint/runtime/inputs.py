"""Choosing input shapes for a layer nobody told us how to call, and making the input tensors.

Order: the configured shape; shapes implied by the layer's ``input_spec`` and by how its ``build``
indexes ``input_shape``; then a small ladder of common shapes. Data is float32 from a fixed seed.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any, Union

Shape = tuple[int, ...]
ArgShape = Union[Shape, list[Shape]]  # one tensor, or a list of tensors passed as one argument

LADDER: tuple[Shape, ...] = ((2, 8), (2, 4, 8), (2, 8, 8, 3))
SEED = 0
_CONTEXT_ARGS = {"training", "mask"}


@dataclass(frozen=True)
class InputPlan:
    """The shapes of the positional arguments of one call, and where the plan came from."""

    args: tuple[ArgShape, ...]
    source: str  # "config", "input_spec", "build", "ladder"

    def describe(self) -> str:
        return ", ".join(_fmt(a) for a in self.args) + f" ({self.source})"


def plan_inputs(layer: Any, configured: list | None = None) -> list[InputPlan]:
    """Input plans to try, best first, without duplicates."""
    count = positional_input_count(layer)
    plans: list[InputPlan] = []
    if configured:
        plans.append(_configured(configured, count))
    spec_shape, axes = _from_input_spec(layer)
    build_rank, build_list_len = _from_build(layer)
    if spec_shape is not None:
        plans.append(_repeat(_apply_axes(spec_shape, axes), count, "input_spec"))
    if build_list_len:
        shape = _shape_of_rank(max(build_rank, 2))
        plans.append(InputPlan((([_apply_axes(shape, axes)] * build_list_len),), "build"))
    if build_rank:
        plans.append(_repeat(_apply_axes(_shape_of_rank(build_rank), axes), count, "build"))
    min_rank = max(build_rank, 0)
    ladder = sorted(LADDER, key=lambda s: len(s) < min_rank)  # stable: shapes of enough rank first
    plans += [_repeat(_apply_axes(s, axes), count, "ladder") for s in ladder]
    unique: list[InputPlan] = []
    for plan in plans:
        if all(plan.args != seen.args for seen in unique):
            unique.append(plan)
    return unique


def make_inputs(plan: InputPlan, seed: int = SEED) -> list[Any]:
    """float32 tensors for ``plan``, drawn from a fixed seed."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(seed)

    def tensor(shape: Shape) -> Any:
        return tf.constant(rng.standard_normal(shape).astype(np.float32))

    return [[tensor(s) for s in arg] if isinstance(arg, list) else tensor(arg) for arg in plan.args]


def positional_input_count(layer: Any) -> int:
    """How many tensors ``call`` needs: its required positional parameters, at least one."""
    try:
        params = inspect.signature(layer.call).parameters.values()
    except (TypeError, ValueError, AttributeError):
        return 1
    required = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.default is p.empty
        and p.name not in _CONTEXT_ARGS
    ]
    return max(1, len(required))


def _configured(configured: list, count: int) -> InputPlan:
    if configured and all(isinstance(item, (list, tuple)) for item in configured):
        return InputPlan(tuple(tuple(int(d) for d in item) for item in configured), "config")
    return _repeat(tuple(int(d) for d in configured), count, "config")


def _repeat(shape: Shape, count: int, source: str) -> InputPlan:
    return InputPlan((shape,) * count, source)


def _shape_of_rank(rank: int) -> Shape:
    for shape in LADDER:
        if len(shape) == rank:
            return shape
    return (2,) + (4,) * (rank - 2) + (8,) if rank >= 2 else (8,)


def _apply_axes(shape: Shape, axes: dict[int, int]) -> Shape:
    dims = list(shape)
    for axis, size in axes.items():
        if -len(dims) <= axis < len(dims) and size:
            dims[axis] = int(size)
    return tuple(dims)


def _from_input_spec(layer: Any) -> tuple[Shape | None, dict[int, int]]:
    """A shape from ``layer.input_spec`` (its first spec when a list), and the axis sizes it fixes."""
    try:
        spec = layer.input_spec
    except Exception:  # noqa: BLE001
        return None, {}
    if isinstance(spec, (list, tuple)):
        spec = spec[0] if spec else None
    if spec is None:
        return None, {}
    axes = {int(k): int(v) for k, v in (getattr(spec, "axes", None) or {}).items() if v is not None}
    shape = getattr(spec, "shape", None)
    if shape is not None:
        return tuple(2 if i == 0 and d is None else (d or 8) for i, d in enumerate(shape)), axes
    rank = getattr(spec, "ndim", None) or getattr(spec, "min_ndim", None)
    return (_shape_of_rank(int(rank)) if rank else None), axes


def _from_build(layer: Any) -> tuple[int, int]:
    """(minimum rank, list length) implied by how a user-written ``build`` subscripts its argument.

    ``input_shape[-1]`` implies rank >= 1 (so 2 with the batch), ``input_shape[3]`` rank >= 4, and
    ``input_shape[1][-1]`` a list of at least two inputs.
    """
    build = getattr(type(layer), "build", None)
    module = getattr(build, "__module__", "") or ""
    if build is None or module.startswith(("keras.", "tf_keras.")):
        return 0, 0
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(build)))
    except (OSError, TypeError, SyntaxError):
        return 0, 0
    func = tree.body[0]
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or len(func.args.args) < 2:
        return 0, 0
    name = func.args.args[1].arg
    direct: list[int] = []  # i in input_shape[i]
    nested: list[tuple[int, int]] = []  # (i, j) in input_shape[i][j]
    inner_nodes: set[int] = set()
    for node in ast.walk(func):
        if not isinstance(node, ast.Subscript) or (index := _index(node.slice)) is None:
            continue
        value = node.value
        outer = _index(value.slice) if isinstance(value, ast.Subscript) else None
        if isinstance(value, ast.Subscript) and _is_name(value.value, name) and outer is not None:
            nested.append((outer, index))
            inner_nodes.add(id(value))
        elif _is_name(value, name) and id(node) not in inner_nodes:
            direct.append(index)
    if nested:
        list_len = max(max(_need(i) for i, _ in nested), 2)
        return max(max(_need(j) for _, j in nested), 2), list_len
    return (max(max(_need(i) for i in direct), 2) if direct else 0), 0


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _need(index: int) -> int:
    """The length a sequence must have for ``seq[index]`` to exist."""
    return index + 1 if index >= 0 else -index


def _index(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        return -value if isinstance(value, int) and not isinstance(value, bool) else None
    return None


def _fmt(arg: ArgShape) -> str:
    if isinstance(arg, list):
        return "[" + ", ".join(_fmt(a) for a in arg) + "]"
    return "(" + ", ".join(str(d) for d in arg) + ("," if len(arg) == 1 else "") + ")"
