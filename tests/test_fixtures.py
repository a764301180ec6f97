"""The bundled fixtures: every file's findings match its trailing ``# KVLxxx`` markers exactly.

``fixtures/`` is linted once, as a whole, with every rule selected (so cross-file cases such as
``fixtures/crossfile/`` resolve). Each file is then compared on the exact set of (line, code).
File names say what a file is for: ``kvl001_flagged*.py`` must contain KVL001 findings,
``kvl001_*clean*.py`` must contain none at all.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from keras_varlint.engine import lint_paths
from keras_varlint.result import LintResult
from keras_varlint.rules import registry
from keras_varlint.settings import Settings
from tests.helpers import expected_codes

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
FILES = sorted(FIXTURES.rglob("*.py"))
# Directories whose files only make sense linted together (a base layer in one module, its users in another).
CROSS_FILE_DIRS = ("crossfile", "crossfile_flat", "shimpkg", "nsfixtures")
SEED = FIXTURES / "seed"
_CODE_PREFIX = re.compile(r"^(kvl\d{3})_")


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def _markers(path: Path) -> set[tuple[int, str]]:
    return set(expected_codes(path.read_text(encoding="utf-8")))


def _by_file(result: LintResult) -> dict[str, set[tuple[int, str]]]:
    found: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for finding in result.findings:
        path = Path(finding.path)
        if not path.is_absolute():
            path = Path.cwd() / path
        found[_name(path.resolve())].add((finding.line, finding.code))
    return found


def _lint(paths: list[Path], **settings: object) -> LintResult:
    return lint_paths(paths, Settings(select=["ALL"], use_cache=False, **settings))


def _describe(found: set[tuple[int, str]], expected: set[tuple[int, str]]) -> str:
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    return f"missed (marked, not reported): {missing}; unexpected (reported, not marked): {unexpected}"


@pytest.fixture(scope="module")
def whole_result() -> LintResult:
    result = _lint([FIXTURES])
    assert not result.errors, result.errors
    assert result.files == len(FILES)
    return result


@pytest.fixture(scope="module")
def whole_run(whole_result: LintResult) -> dict[str, set[tuple[int, str]]]:
    return _by_file(whole_result)


def test_fixture_files_exist() -> None:
    assert FILES, "fixtures/ holds no Python files"


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_fixture_matches_its_markers(path: Path, whole_run: dict[str, set[tuple[int, str]]]) -> None:
    expected = _markers(path)
    found = whole_run.get(_name(path), set())
    assert found == expected, _describe(found, expected)


def test_no_finding_is_reported_twice(whole_result: LintResult) -> None:
    """One finding per defect: the markers compare sets of (line, code), so a rule that reports the
    same place twice shows only here."""
    places = Counter((f.path, f.line, f.column, f.code) for f in whole_result.findings)
    assert [place for place, count in places.items() if count > 1] == []


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.relative_to(FIXTURES).parts[0] not in CROSS_FILE_DIRS], ids=_name
)
def test_fixture_alone_matches_its_markers(path: Path) -> None:
    """A self-contained fixture gives the same findings linted on its own as within the whole directory."""
    expected = _markers(path)
    found = _by_file(_lint([path])).get(_name(path), set())
    assert found == expected, _describe(found, expected)


def test_cross_file_fixtures_need_their_relatives() -> None:
    """Linted together, the child module sees its base class in the other module."""
    found = _by_file(_lint([FIXTURES / "crossfile"]))
    for path in sorted((FIXTURES / "crossfile").glob("*.py")):
        expected = _markers(path)
        assert found.get(_name(path), set()) == expected, (_name(path), _describe(found.get(_name(path), set()), expected))


@pytest.mark.parametrize("path", sorted((FIXTURES / "shimpkg").glob("*.py")), ids=_name)
def test_shim_users_linted_alone_resolve_the_shims_from_disk(path: Path) -> None:
    """As pre-commit passes single files: the shims a file imports are found on disk and followed."""
    expected = _markers(path)
    found = _by_file(_lint([path])).get(_name(path), set())
    assert found == expected, _describe(found, expected)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_fixture_name_agrees_with_its_markers(path: Path) -> None:
    markers = _markers(path)
    if "clean" in path.stem:
        assert not markers, f"a clean fixture carries markers: {sorted(markers)}"
    if "flagged" in path.stem:
        assert markers, "a flagged fixture marks no line"
        prefix = _CODE_PREFIX.match(path.stem)
        assert prefix, "a flagged fixture is named after its rule: kvlNNN_flagged*.py"
        assert prefix.group(1).upper() in {code for _, code in markers}, "it must contain its own rule's code"


# -- the seed article -------------------------------------------------------------------------


def test_seed_examples_are_all_present() -> None:
    assert sorted(p.name for p in SEED.glob("example*.py")) == ["example1.py", "example2.py", "example3.py"]


@pytest.mark.parametrize("keras_version", [None, 3])
def test_seed_example2_is_flagged_under_keras3(keras_version: int | None) -> None:
    path = SEED / "example2.py"
    found = _by_file(_lint([path], keras_version=keras_version)).get(_name(path), set())
    assert found == _markers(path)
    assert {code for _, code in found} == {"KVL001"}


def test_seed_example2_is_clean_under_keras2() -> None:
    path = SEED / "example2.py"
    assert _by_file(_lint([path], keras_version=2)).get(_name(path), set()) == set()


@pytest.mark.parametrize("keras_version", [None, 2, 3])
@pytest.mark.parametrize("name", ["example1.py", "example3.py"])
def test_seed_examples_1_and_3_are_clean(name: str, keras_version: int | None) -> None:
    path = SEED / name
    assert not _markers(path)
    assert _by_file(_lint([path], keras_version=keras_version)).get(_name(path), set()) == set()


# -- coverage of the rule catalogue ------------------------------------------------------------


def _static_codes() -> list[str]:
    """Codes the static analysis reports; the runtime checker's own codes have no source fixtures."""
    return [
        code
        for code, rule in registry().items()
        if not getattr(rule, "runtime_only", False) and getattr(rule, "reported_by", "analysis") != "runtime"
    ]


@pytest.mark.parametrize("code", _static_codes())
def test_every_rule_has_a_flagged_and_a_clean_fixture(code: str) -> None:
    prefix = code.lower() + "_"
    top = [p for p in FILES if p.parent == FIXTURES and p.name.startswith(prefix)]
    flagged = [p for p in top if "flagged" in p.stem and code in {c for _, c in _markers(p)}]
    clean = [p for p in top if "clean" in p.stem]
    assert flagged, f"no fixtures/{prefix}flagged*.py marks {code}"
    assert clean, f"no fixtures/{prefix}*clean*.py"
    assert all(not _markers(p) for p in clean)
