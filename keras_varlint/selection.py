"""Which rules run: prefix expansion and ruff's select / extend-select / ignore semantics.

A selector is ``ALL``, a code prefix such as ``KVL`` or ``KVL1``, or a full code. Within one
layer of options, selectors apply from least to most specific, and on a tie ``ignore`` wins:
``select = ["KVL1"]`` with ``ignore = ["KVL101"]`` runs KVL102..KVL105, while
``select = ["KVL101"]`` with ``ignore = ["KVL1"]`` runs KVL101. A selector names every rule it
matches, so an explicit selector enables even rules that are off by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from keras_varlint.rules.base import Rule
    from keras_varlint.settings import Settings


class UsageError(Exception):
    """A mistake in how the tool was invoked; its message is one line for stderr (exit 2)."""


class Selection(NamedTuple):
    """One layer of rule options, e.g. the config file's or the command line's."""

    select: tuple[str, ...] = ()  # empty: keep what the previous layer (or the default) enabled
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def normalize(selector: str) -> str:
    return selector.strip().upper()


def specificity(selector: str) -> int:
    """``ALL`` < ``KVL`` < ``KVL1`` < ``KVL10`` < ``KVL101``."""
    return 0 if selector == "ALL" else len(selector)


def matches(code: str, selector: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def expand(patterns: Iterable[str], all_codes: Iterable[str]) -> set[str]:
    """The codes that ``patterns`` name; raises ``UsageError`` for a pattern that names none."""
    codes = list(all_codes)
    result: set[str] = set()
    for raw in patterns:
        pattern = normalize(raw)
        hits = {code for code in codes if matches(code, pattern)} if pattern else set()
        if not hits:
            raise UsageError(f"unknown rule code or prefix '{raw.strip()}'")
        result |= hits
    return result


def _updates(layer: Selection, all_codes: list[str]) -> dict[str, bool]:
    """The on/off decision this layer makes for each code it mentions."""
    ordered = sorted(
        [(specificity(normalize(p)), 0, p, True) for p in (*layer.select, *layer.extend_select)]
        + [(specificity(normalize(p)), 1, p, False) for p in layer.ignore],
        key=lambda entry: entry[:2],  # stable; within a specificity, ignores come last and win
    )
    decisions: dict[str, bool] = {}
    for _, _, pattern, enabled in ordered:
        for code in expand([pattern], all_codes):
            decisions[code] = enabled
    return decisions


def resolve(layers: Iterable[Selection], registry: Mapping[str, type[Rule]]) -> frozenset[str]:
    """Apply layers in order, like ruff: a layer with ``select`` replaces the set so far."""
    all_codes = list(registry)
    enabled = {code for code, rule in registry.items() if rule.default_enabled}
    for layer in layers:
        decisions = _updates(layer, all_codes)
        if layer.select:
            enabled = {code for code, on in decisions.items() if on}
        else:
            enabled |= {code for code, on in decisions.items() if on}
            enabled -= {code for code, on in decisions.items() if not on}
    return frozenset(enabled)


def enabled_codes(settings: Settings, registry: Mapping[str, type[Rule]]) -> frozenset[str]:
    """The codes to run for ``settings`` (a single, already merged layer)."""
    layer = Selection(tuple(settings.select), tuple(settings.extend_select), tuple(settings.ignore))
    return resolve([layer], registry)
