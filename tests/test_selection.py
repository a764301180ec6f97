"""Rule selection: prefix expansion and ruff's select / extend-select / ignore semantics."""

from __future__ import annotations

import pytest

from keras_varlint.findings import Severity
from keras_varlint.selection import Selection, UsageError, enabled_codes, expand, resolve
from keras_varlint.settings import Settings

DEFAULT_OFF = {"KVL010", "KVL105"}
CODES = [f"KVL00{i}" for i in range(1, 10)] + ["KVL010"] + [f"KVL10{i}" for i in range(1, 6)] + ["KVL201"]


def fake_rule(code: str) -> type:
    return type(code, (), {"code": code, "name": code.lower(), "severity": Severity.ERROR,
                           "summary": "s", "default_enabled": code not in DEFAULT_OFF})


REGISTRY = {code: fake_rule(code) for code in CODES}
DEFAULT = frozenset(CODES) - DEFAULT_OFF
KVL1 = {"KVL101", "KVL102", "KVL103", "KVL104", "KVL105"}


def codes(**options: list[str]) -> frozenset[str]:
    return enabled_codes(Settings(**options), REGISTRY)


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (["KVL001"], {"KVL001"}),
        (["KVL1"], KVL1),
        (["KVL10"], KVL1),
        (["KVL01"], {"KVL010"}),
        (["KVL2"], {"KVL201"}),
        (["KVL"], set(CODES)),
        (["ALL"], set(CODES)),
        (["kvl00", " KVL201 "], {f"KVL00{i}" for i in range(1, 10)} | {"KVL201"}),
        ([], set()),
    ],
)
def test_expand(patterns: list[str], expected: set[str]) -> None:
    assert expand(patterns, CODES) == expected


@pytest.mark.parametrize("pattern", ["KVL999", "KVL3", "E501", "", "KVL0011", "AL"])
def test_expand_rejects_selectors_that_name_nothing(pattern: str) -> None:
    with pytest.raises(UsageError, match="unknown rule code or prefix") as info:
        expand(["KVL001", pattern], CODES)
    assert "\n" not in str(info.value)


def test_default_is_every_default_enabled_rule() -> None:
    assert codes() == DEFAULT
    assert "KVL010" not in codes() and "KVL105" not in codes()


def test_select_replaces_the_default_set() -> None:
    assert codes(select=["KVL1"]) == KVL1  # including the default-off KVL105
    assert codes(select=["KVL001", "KVL002"]) == {"KVL001", "KVL002"}


def test_explicit_select_enables_default_off_rules() -> None:
    assert codes(select=["KVL010"]) == {"KVL010"}
    assert codes(select=["ALL"]) == frozenset(CODES)


def test_extend_select_adds_to_the_default_set() -> None:
    assert codes(extend_select=["KVL010"]) == DEFAULT | {"KVL010"}
    assert codes(select=["KVL001"], extend_select=["KVL002"]) == {"KVL001", "KVL002"}


def test_ignore_removes() -> None:
    assert codes(ignore=["KVL1"]) == DEFAULT - KVL1
    assert codes(select=["ALL"], ignore=["KVL010", "KVL105"]) == DEFAULT


def test_ignore_wins_a_tie_with_select() -> None:
    assert codes(select=["KVL001"], ignore=["KVL001"]) == set()
    assert codes(select=["KVL1"], ignore=["KVL1"]) == set()
    assert codes(extend_select=["KVL010"], ignore=["KVL010"]) == DEFAULT


def test_more_specific_selector_wins() -> None:
    assert codes(select=["KVL1"], ignore=["KVL101"]) == KVL1 - {"KVL101"}
    assert codes(select=["KVL101"], ignore=["KVL1"]) == {"KVL101"}
    assert codes(select=["ALL"], ignore=["KVL"]) == set()
    assert codes(select=["KVL"], ignore=["ALL"]) == frozenset(CODES)
    assert codes(ignore=["KVL1"], extend_select=["KVL103"]) == (DEFAULT - KVL1) | {"KVL103"}


def test_unknown_selector_in_settings_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        codes(ignore=["KVL777"])


def test_resolve_layers_like_ruff() -> None:
    file_layer = Selection(select=("KVL0", "KVL1"), ignore=("KVL101",))
    # A later select replaces everything before it, the earlier ignore included.
    assert resolve([file_layer, Selection(select=("KVL101",))], REGISTRY) == {"KVL101"}
    # A later extend-select / ignore adjusts the earlier set, whatever the earlier specificity.
    assert resolve([file_layer, Selection(extend_select=("KVL201",))], REGISTRY) == set(CODES) - {"KVL101"}
    assert resolve([Selection(select=("KVL101",)), Selection(ignore=("KVL1",))], REGISTRY) == set()
    assert resolve([], REGISTRY) == DEFAULT
