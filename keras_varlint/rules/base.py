"""What every rule is: metadata, documentation, examples, and a predicate over layer facts.

A rule is one module in ``keras_varlint/rules/`` defining one ``Rule`` subclass. Subclassing
registers it. A rule imports only this module and ``analysis.facts``: it asks its questions of
the ``LayerView`` it is given. The class docstring is the rule page (``## What it does`` / ``## Why is this bad?``);
``examples.invalid[0]`` and ``examples.valid[0]`` are rendered as its "Example" / "Use instead"
sections, and every example is run by the test suite.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterator

from keras_varlint.analysis.layer_view import LayerView
from keras_varlint.findings import Severity
from keras_varlint.fixes.codemod import DELETE, SAFE, UNSAFE, FixSpec, enclosing_statement, keras_variable_fix

if TYPE_CHECKING:
    import libcst as cst

__all__ = [
    "DELETE", "SAFE", "UNSAFE", "Examples", "FixSpec", "LayerView", "Report", "Rule", "Severity",
    "enclosing_statement", "keras_variable_fix", "registry",
]


@dataclass(frozen=True)
class Examples:
    """Source snippets for a rule. In ``invalid`` ones, each flagged line ends with ``# KVLxxx``."""

    invalid: tuple[str, ...]
    valid: tuple[str, ...]
    keras_version: int | None = None  # analyse the examples as this Keras version


@dataclass
class Report:
    """A rule's verdict at one node, before positions are resolved."""

    node: "cst.CSTNode"
    message: str
    attribute: str | None = None
    extra: dict[str, str] = field(default_factory=dict)  # e.g. {"unless_read_elsewhere": attr}
    fix: FixSpec | None = None  # how to fix it, as nodes of the reported class


_REGISTRY: dict[str, type["Rule"]] = {}


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line, used in messages catalogue and SARIF
    default_enabled: ClassVar[bool] = True
    keras_versions: ClassVar[frozenset[int]] = frozenset({2, 3})  # versions the verdict holds for
    # Who reports the code: the static rules ("analysis"), the engine itself for files it cannot
    # read ("engine"), or the runtime checker ("runtime"); only "analysis" rules have a check().
    reported_by: ClassVar[str] = "analysis"
    examples: ClassVar[Examples]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not inspect.isabstract(cls) and hasattr(cls, "code"):
            if cls.code in _REGISTRY:
                raise ValueError(f"duplicate rule code {cls.code}")
            _REGISTRY[cls.code] = cls

    def check(self, layer: LayerView) -> Iterator[Report]:
        return iter(())

    @classmethod
    def documentation(cls) -> str:
        """The rule page in Markdown, in the layout of ruff's rule pages."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        off = "" if cls.default_enabled else " This rule is off by default: enable it with `--extend-select`."
        versions = ""
        if cls.keras_versions != frozenset({2, 3}):
            versions = " Applies to Keras " + " and ".join(str(v) for v in sorted(cls.keras_versions)) + " only."
        parts = [
            f"# {cls.name} ({cls.code})",
            f"Severity: {cls.severity.value}.{versions}{off}",
            doc,
            "## Example",
            f"```python\n{cls.examples.invalid[0].strip()}\n```",
            "## Use instead",
            f"```python\n{cls.examples.valid[0].strip()}\n```",
        ]
        return "\n\n".join(parts) + "\n"


def registry() -> dict[str, type[Rule]]:
    from keras_varlint import rules  # noqa: F401  (importing the package registers every rule)

    return dict(sorted(_REGISTRY.items()))
