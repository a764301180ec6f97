"""Output formats. Each module's ``render(result, rules) -> str`` turns a LintResult into text."""

from __future__ import annotations

from collections.abc import Callable

from keras_varlint.output import github, json, sarif, text
from keras_varlint.output.common import RuleTable
from keras_varlint.result import LintResult

Renderer = Callable[[LintResult, RuleTable], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "sarif": sarif.render,
    "github": github.render,
}


def render(fmt: str, result: LintResult, rules: RuleTable) -> str:
    """Render ``result`` in format ``fmt`` (a key of ``FORMATS``); ``rules`` maps code to Rule class."""
    return FORMATS[fmt](result, rules)
