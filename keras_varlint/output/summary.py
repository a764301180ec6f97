"""The closing summary of text output, in ruff's words: ``Found 7 errors.`` and what ``--fix``
would fix, or after ``--fix`` what it fixed."""

from __future__ import annotations

from keras_varlint.output.common import fix_applies
from keras_varlint.result import LintResult


def _errors(count: int) -> str:
    return f"{count} error{'' if count == 1 else 's'}"


def fixed_lines(result: LintResult) -> str:
    """``--fix --runtime``: one line per fixed finding with its runtime verdict."""
    lines = []
    for finding in result.fixed or ():
        verdict = finding.extra.get("fix_verified")
        if verdict:
            label = {"verified": "fix verified at runtime", "broke the layer": "fix rolled back: it broke the layer"}.get(
                verdict["status"], "fix not verified")
            lines.append(f"{finding.path}:{finding.line}:{finding.column + 1}: {finding.code} {label}: {verdict['detail']}")
    return "".join(line + "\n" for line in lines)


def render(result: LintResult, fixed: int | None = None) -> str:
    """The summary lines; ``fixed``: how many findings ``--fix`` fixed (None: no ``--fix``).
    Empty for a clean run without ``--fix``."""
    remaining = len(result.findings)
    if fixed is not None:
        prefix = fixed_lines(result)
        if not fixed and not remaining:
            return ""
        lines = [*prefix.splitlines(), f"Found {_errors(fixed + remaining)} ({fixed} fixed, {remaining} remaining)."]
    elif not remaining:
        return ""
    else:
        lines = [f"Found {_errors(remaining)}."]
    applicable = sum(fix_applies(f, result.unsafe_fixes) for f in result.findings)
    hidden = sum(f.fix is not None for f in result.findings) - applicable
    hint = f" ({hidden} hidden fix{'' if hidden == 1 else 'es'} can be enabled with --unsafe-fixes)" if hidden else ""
    if applicable:
        lines.append(f"[*] {applicable} fixable with --fix{hint}")
    elif hidden:
        lines.append(f"No fixes available{hint}.")
    return "".join(line + "\n" for line in lines)
