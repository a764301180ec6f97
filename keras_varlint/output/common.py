"""Helpers shared by the output formats."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import metadata

from keras_varlint.findings import Finding
from keras_varlint.rules.base import Rule

RuleTable = Mapping[str, type[Rule]]  # rule code -> Rule class, as rules.base.registry() returns

TOOL_NAME = "keras-varlint"


def tool_version() -> str:
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "0+unknown"


def information_uri() -> str:
    """The project's home page from the package metadata, else its PyPI page."""
    try:
        meta = metadata.metadata(TOOL_NAME)
    except metadata.PackageNotFoundError:  # pragma: no cover
        meta = None
    if meta is not None:
        if meta.get("Home-page"):
            return str(meta["Home-page"])
        for entry in meta.get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() in ("homepage", "home", "source", "repository") and url.strip():
                return url.strip()
    return f"https://pypi.org/project/{TOOL_NAME}/"


def location(finding: Finding) -> str:
    """Where a finding is, before its line: the path, and for a notebook ``path:cell N`` (as ruff)."""
    return finding.path if finding.cell is None else f"{finding.path}:cell {finding.cell}"


def source_context(finding: Finding) -> str:
    """``--show-source``: the finding's line and a caret under its span, as ruff shows them; ""
    when the line is not known (a finding added by the runtime checker)."""
    line = finding.extra.get("source_line")
    if line is None:
        return ""
    number, start = str(finding.line), min(finding.column, len(line))
    end = finding.end_column if finding.end_line == finding.line else len(line.rstrip())
    pad = "".join(c if c == "\t" else " " for c in line[:start])  # tabs kept: the caret stays aligned
    gutter = " " * len(number)
    return f"{gutter} |\n{number} | {line}\n{gutter} | {pad}{'^' * max(1, end - start)}\n{gutter} |\n"


def end_position(finding: Finding) -> tuple[int, int]:
    """1-based end line and exclusive end column, never before the start (for SARIF and GitHub)."""
    end_line = max(finding.end_line, finding.line)
    end_column = finding.end_column + 1
    if end_line == finding.line:
        end_column = max(end_column, finding.column + 1)
    return end_line, end_column


def fix_applies(finding: Finding, unsafe_fixes: bool = False) -> bool:
    """Whether ``--fix`` applies the finding's fix: a safe one, or an unsafe one with ``--unsafe-fixes``."""
    return finding.fix is not None and (finding.fix.applicability == "safe" or unsafe_fixes)


def runtime_suffix(finding: Finding) -> str:
    """The runtime verdict for text output, e.g. ``[refuted at runtime: gets a gradient]``; "" if none."""
    if not finding.runtime:
        return ""
    status = finding.runtime.get("status")
    detail = (finding.runtime.get("detail") or "").strip()
    if status == "confirmed":
        return "[confirmed at runtime]"
    label = "refuted at runtime" if status == "refuted" else "not confirmed"
    return f"[{label}: {detail}]" if detail else f"[{label}]"


def message_with_runtime(finding: Finding) -> str:
    suffix = runtime_suffix(finding)
    return f"{finding.message} {suffix}" if suffix else finding.message
