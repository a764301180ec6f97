"""``--fix``, ``--unsafe-fixes`` and ``--diff``: lint, apply the selected fixes, lint again.

Each round lints the run's files (their fixed text standing in for what is on disk), applies
every file's selected fixes that do not overlap, and stops when a round applies none (at most
``MAX_ROUNDS``). Files are written only at the end, and only with ``write``; a file whose fixed
text does not parse keeps its original text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from keras_varlint.findings import Finding
from keras_varlint.fixes import UNSAFE, apply_fixes, unified_diff
from keras_varlint.result import LintResult
from keras_varlint.settings import Settings

MAX_ROUNDS = 10


def _matches(code: str, selectors: list[str]) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def fixable(code: str, settings: Settings) -> bool:
    """Whether ``fixable``/``unfixable`` let ``code``'s fixes be applied (ruff's meaning)."""
    return (not settings.fixable or _matches(code, settings.fixable)) and not _matches(code, settings.unfixable)


def selected(finding: Finding, settings: Settings) -> bool:
    """Whether ``--fix`` applies this finding's fix: it has one, its code is fixable, and it is safe
    or unsafe fixes are on."""
    fix = finding.fix
    return fix is not None and fixable(finding.code, settings) and (fix.applicability != UNSAFE or settings.unsafe_fixes)


def hide_unfixable(findings: list[Finding], settings: Settings) -> None:
    """Drop the fixes of codes that ``fixable``/``unfixable`` rule out, as ruff shows none for them,
    and of findings in notebooks, which ``--fix`` does not edit."""
    for finding in findings:
        if finding.fix is not None and (not fixable(finding.code, settings) or _in_notebook(finding)):
            finding.fix = None


def _in_notebook(finding: Finding) -> bool:
    return finding.cell is not None or str(finding.extra.get("file", "")).endswith(".ipynb")


@dataclass
class FixOutcome:
    result: LintResult  # the findings that remain after fixing
    before: dict[str, str] = field(default_factory=dict)  # file -> original text, for changed files
    after: dict[str, str] = field(default_factory=dict)  # file -> fixed text
    fixed: list[Finding] = field(default_factory=list)  # the findings whose fixes were applied

    def diff(self) -> str:
        return "".join(unified_diff(_display(path), self.before[path], self.after[path]) for path in sorted(self.after))


def _display(path: str) -> str:
    from keras_varlint.engine import display_path

    return display_path(path)


def _lint(paths: list[Path], settings: Settings, texts: dict[str, str]) -> LintResult:
    from keras_varlint.engine import LintSession

    session = LintSession(settings, paths)
    if not session.result.files:
        session.result.notes.append(f"no Python files found in {', '.join(map(str, paths))}")
        return session.result
    for path, text in texts.items():
        session.project.replace_file(Path(path), text.encode("utf-8"))
    return session.lint()


def fix_paths(paths: list[Path], settings: Settings, write: bool, relint: bool = True) -> FixOutcome:
    """Lint ``paths`` and fix what ``settings`` selects; write the files only with ``write``.

    Without ``relint`` (``--diff``, which shows no findings), the run stops after a round that
    applied every selected fix: the findings then still describe the text before fixing, but a
    further round could only find fixes for the findings the fixes themselves created."""
    texts: dict[str, str] = {}  # file -> current fixed text
    before: dict[str, str] = {}
    fixed: list[Finding] = []
    result = _lint(paths, settings, texts)
    for _ in range(MAX_ROUNDS):
        by_file: dict[str, list[Finding]] = {}
        for finding in result.findings:
            file = finding.extra.get("file")
            if file and selected(finding, settings) and not _in_notebook(finding):
                by_file.setdefault(file, []).append(finding)
        applied_any = skipped_any = False
        for file, findings in sorted(by_file.items()):
            if file not in texts:
                try:
                    with open(file, encoding="utf-8", newline="") as handle:
                        original = handle.read()
                except (OSError, UnicodeDecodeError):
                    continue
                before[file] = original
            current = texts.get(file, before[file])
            new, applied = apply_fixes(current, [f.fix for f in findings if f.fix is not None])
            skipped_any = skipped_any or len(applied) < len(findings)
            if applied and new != current:
                texts[file] = new
                applied_ids = set(map(id, applied))
                fixed.extend(f for f in findings if id(f.fix) in applied_ids)
                applied_any = True
        if not applied_any or not (relint or skipped_any):
            break
        result = _lint(paths, settings, texts)
    changed = {path: text for path, text in texts.items() if text != before[path]}
    outcome = FixOutcome(result, {p: before[p] for p in changed}, changed, fixed)
    if write:
        write_files(outcome)
    hide_unfixable(result.findings, settings)
    return outcome


def write_files(outcome: FixOutcome) -> None:
    for path, text in outcome.after.items():
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
