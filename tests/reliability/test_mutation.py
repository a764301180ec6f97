"""Mutation fuzzing of the fixtures: analysis never raises and no rule crashes, whatever the edit.

Each example copies a fixture (one file, or a multi-file fixture directory so the project index
is exercised) and applies one to six libcst mutations to one of its files:

* drop, duplicate or reorder the statements of a block (module, class, method, if/for/with...);
* move a statement into another block (``self.w = tf.Variable(...)`` from ``__init__`` into
  ``call``, a method out of its class, ...);
* rename an attribute everywhere or at one occurrence (``self.kernel`` -> ``self.bias``), or rename
  a method (``build`` -> ``call``);
* nest a class inside a function, another class, or an ``if`` block.

The mutated tree is linted with every rule selected, under detected, Keras 2 and Keras 3 settings.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Sequence, Union

import libcst as cst
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from tests.reliability.support import FIXTURES, assert_no_internal_error, lint

CI_EXAMPLES = 60
SLOW_EXAMPLES = 3000

Block = Union[cst.Module, cst.IndentedBlock]
Draw = Callable[[st.SearchStrategy], object]

NEW_NAMES = ("w", "kernel", "bias", "call", "build", "__init__", "helper", "trainable_weights", "renamed")


def _parses(path: Path) -> bool:
    try:
        cst.parse_module(path.read_text(encoding="utf-8"))
    except cst.ParserSyntaxError:
        return False
    return True


def fixture_units() -> list[Path]:
    """Every fixture file at the top level (except deliberately broken ones) and every fixture directory."""
    files = [p for p in sorted(FIXTURES.glob("*.py")) if _parses(p)]
    directories = [d for d in sorted(FIXTURES.iterdir()) if d.is_dir() and any(d.rglob("*.py"))]
    return files + directories


UNITS = fixture_units()


class _Collect(cst.CSTVisitor):
    def __init__(self) -> None:
        self.blocks: list[cst.IndentedBlock] = []
        self.attributes: list[str] = []
        self.functions: list[cst.FunctionDef] = []

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attributes.append(node.attr.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)


def _collect(module: cst.Module) -> _Collect:
    collector = _Collect()
    module.visit(collector)
    return collector


def _with_body(module: cst.Module, block: Block, body: Sequence[cst.BaseStatement]) -> cst.Module:
    if not body:
        body = [cst.SimpleStatementLine([cst.Pass()])]
    if block is module:
        return module.with_changes(body=list(body))
    return module.deep_replace(block, block.with_changes(body=list(body)))  # type: ignore[return-value]


def _pick_block(draw: Draw, module: cst.Module, non_empty: bool = True) -> Block:
    blocks: list[Block] = [module, *_collect(module).blocks]
    if non_empty:
        blocks = [b for b in blocks if b.body]
    return blocks[draw(st.integers(0, len(blocks) - 1))]  # type: ignore[arg-type]


def drop(draw: Draw, module: cst.Module) -> cst.Module:
    block = _pick_block(draw, module)
    i = draw(st.integers(0, len(block.body) - 1))
    return _with_body(module, block, [*block.body[:i], *block.body[i + 1:]])


def duplicate(draw: Draw, module: cst.Module) -> cst.Module:
    block = _pick_block(draw, module)
    i = draw(st.integers(0, len(block.body) - 1))
    j = draw(st.integers(0, len(block.body)))
    body = list(block.body)
    body.insert(j, body[i])
    return _with_body(module, block, body)


def reorder(draw: Draw, module: cst.Module) -> cst.Module:
    block = _pick_block(draw, module)
    order = draw(st.permutations(range(len(block.body))))
    return _with_body(module, block, [block.body[k] for k in order])


def move(draw: Draw, module: cst.Module) -> cst.Module:
    source = _pick_block(draw, module)
    i = draw(st.integers(0, len(source.body) - 1))
    statement = source.body[i]
    module = _with_body(module, source, [*source.body[:i], *source.body[i + 1:]])
    target = _pick_block(draw, module, non_empty=False)
    j = draw(st.integers(0, len(target.body)))
    return _with_body(module, target, [*target.body[:j], statement, *target.body[j:]])


class _RenameAttribute(cst.CSTTransformer):
    def __init__(self, old: str, new: str, only: int | None) -> None:
        self.old, self.new, self.only, self.seen = old, new, only, -1

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        if updated.attr.value != self.old:
            return updated
        self.seen += 1
        if self.only is not None and self.seen != self.only:
            return updated
        return updated.with_changes(attr=cst.Name(self.new))


def rename_attribute(draw: Draw, module: cst.Module) -> cst.Module:
    names = _collect(module).attributes
    if not names:
        return module
    old = draw(st.sampled_from(sorted(set(names))))
    new = draw(st.sampled_from(sorted({*names, *NEW_NAMES} - {old})))
    only = draw(st.none() | st.integers(0, names.count(old) - 1))
    return module.visit(_RenameAttribute(old, new, only))  # type: ignore[return-value]


def rename_method(draw: Draw, module: cst.Module) -> cst.Module:
    functions = _collect(module).functions
    if not functions:
        return module
    function = draw(st.sampled_from(functions))
    new = draw(st.sampled_from(NEW_NAMES[3:-2]))
    return module.deep_replace(function, function.with_changes(name=cst.Name(new)))  # type: ignore[return-value]


def _nest_in(kind: str, statement: cst.ClassDef) -> cst.BaseCompoundStatement:
    if kind == "function":
        ret = cst.SimpleStatementLine([cst.Return(cst.Name(statement.name.value))])
        return cst.FunctionDef(cst.Name("make_layer"), cst.Parameters(), cst.IndentedBlock([statement, ret]))
    if kind == "class":
        return cst.ClassDef(cst.Name("Outer"), cst.IndentedBlock([statement]))
    return cst.If(cst.Name("True"), cst.IndentedBlock([statement]))


def nest_class(draw: Draw, module: cst.Module) -> cst.Module:
    block = _pick_block(draw, module)
    classes = [i for i, s in enumerate(block.body) if isinstance(s, cst.ClassDef)]
    if not classes:
        return module
    i = draw(st.sampled_from(classes))
    kind = draw(st.sampled_from(["function", "class", "if"]))
    nested = _nest_in(kind, block.body[i])  # type: ignore[arg-type]
    return _with_body(module, block, [*block.body[:i], nested, *block.body[i + 1:]])


MUTATIONS: dict[str, Callable[[Draw, cst.Module], cst.Module]] = {
    f.__name__: f for f in (drop, duplicate, reorder, move, rename_attribute, rename_method, nest_class)
}


@st.composite
def mutated_unit(draw: Draw, root: Path) -> tuple[Path, str]:
    """Copy a fixture unit under ``root``, mutate one of its files; return (path to lint, mutation log)."""
    unit: Path = draw(st.sampled_from(UNITS))  # type: ignore[assignment]
    target = root / unit.name
    if target.exists():
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    if unit.is_dir():
        shutil.copytree(unit, target, ignore=shutil.ignore_patterns(".keras_varlint_cache", "__pycache__"))
        candidates = sorted(p for p in target.rglob("*.py") if _parses(p))
        victim: Path = draw(st.sampled_from(candidates))  # type: ignore[assignment]
    else:
        shutil.copyfile(unit, target)
        victim = target
    module = cst.parse_module(victim.read_text(encoding="utf-8"))
    log = [unit.name]
    for name in draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=6)):  # type: ignore[arg-type]
        module = MUTATIONS[name](draw, module)
        log.append(name)
        event(f"mutation: {name}")
    victim.write_text(module.code, encoding="utf-8")
    return target, " ".join(log)


MUTATION_SETTINGS = dict(
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)


def check_mutant(data: st.DataObject, root: Path) -> None:
    path, log = data.draw(mutated_unit(root), label="mutant")
    keras_version = data.draw(st.sampled_from([None, 2, 3]), label="keras_version")
    result = lint([path], select=["ALL"], keras_version=keras_version)
    sources = "\n".join(f"--- {p}\n{p.read_text()}" for p in ([path] if path.is_file() else sorted(path.rglob("*.py"))))
    assert_no_internal_error(result, f"{log}\n{sources}")
    event(f"findings: {'yes' if result.findings else 'no'}")


def test_units_cover_every_rule_fixture() -> None:
    assert len(UNITS) >= 20, UNITS  # the mutation test is only as good as its seeds


@settings(max_examples=CI_EXAMPLES, **MUTATION_SETTINGS)
@given(data=st.data())
def test_mutated_fixtures(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    check_mutant(data, tmp_path_factory.mktemp("mutant"))


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES, **MUTATION_SETTINGS)
@given(data=st.data())
def test_mutated_fixtures_slow(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    check_mutant(data, tmp_path_factory.mktemp("mutant"))
