"""``--statistics``: how many findings each code has, like flake8's and ruff's summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from keras_varlint.findings import Finding


def render(findings: Iterable[Finding]) -> str:
    """One line per code, in code order: ``  3 KVL001 untracked-variable``."""
    counts: Counter[tuple[str, str]] = Counter((f.code, f.name) for f in findings)
    if not counts:
        return ""
    width = max(3, len(str(max(counts.values()))))
    return "".join(f"{count:>{width}} {code} {name}\n" for (code, name), count in sorted(counts.items()))
