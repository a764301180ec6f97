"""scripts/mutate.py stays runnable: every mutation still applies to the source and names tests that
exist. Nothing is mutated and no test is run here (``python scripts/mutate.py`` does that)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location("kvl_mutate", REPO / "scripts" / "mutate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


mutate = _load_script()
CATALOGUE = mutate.CATALOGUE


def test_ids_are_unique_and_the_catalogue_is_not_empty() -> None:
    ids = [m.id for m in CATALOGUE]
    assert ids and len(ids) == len(set(ids))


@pytest.mark.parametrize("mutation", CATALOGUE, ids=lambda m: m.id)
def test_the_snippet_is_in_its_file_exactly_once(mutation) -> None:
    """A stale mutation (the code it breaks was changed) must be updated or removed, not skipped."""
    assert mutate.stale_reason(mutation) is None, f"{mutation.id}: {mutate.stale_reason(mutation)}"


@pytest.mark.parametrize("mutation", CATALOGUE, ids=lambda m: m.id)
def test_the_tests_it_names_exist(mutation) -> None:
    assert mutation.tests, f"{mutation.id} names no tests"
    assert mutate.missing_tests(mutation) == []


def test_a_mutation_changes_the_source_and_a_copy_is_restored(tmp_path: Path) -> None:
    mutation = CATALOGUE[0]
    target = tmp_path / mutation.path
    target.parent.mkdir(parents=True)
    original = (REPO / mutation.path).read_bytes()
    target.write_bytes(original)
    with mutate.Mutant(tmp_path, mutation):
        text = original.decode("utf-8")
        assert target.read_bytes().decode("utf-8") == text.replace(mutation.old, mutation.new, 1) != text
    assert target.read_bytes() == original


def test_stale_snippets_are_reported(tmp_path: Path) -> None:
    gone = mutate.Mutation("gone", "a snippet that is not there", "engine.py", "no such code\n", "x\n", ("tests",))
    assert "found 0 times" in mutate.stale_reason(gone)
    twice = mutate.Mutation("twice", "a snippet found twice", "engine.py", "import", "x", ("tests",))
    assert "must be exactly once" in mutate.stale_reason(twice)
