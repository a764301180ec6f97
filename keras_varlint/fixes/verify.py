"""``--fix --runtime``: run every class a fix touched, before and after fixing, in the isolated
runtime workers, and report each fix as

* **verified**: the runtime refutes the fixed finding on the fixed class (its variable is now
  tracked and gets a gradient; for KVL009, the layer builds);
* **not verified**: with the reason (the check could not run the class, or still sees the defect);
* **broke the layer**: the class was checked before fixing and cannot be now (its import,
  construction or call fails). Its file is rolled back to the original text.

The verdict goes to ``finding.extra["fix_verified"]`` (``{"status", "detail"}``) of each fixed finding.
"""

from __future__ import annotations

from pathlib import Path

from keras_varlint.fixes.apply import FixOutcome, write_files
from keras_varlint.settings import Settings

VERIFIED, NOT_VERIFIED, BROKE = "verified", "not verified", "broke the layer"


def _failure(result) -> str:  # noqa: ANN001
    if result.errors:
        error = result.errors[-1]
        return f"{error.phase} failed: {error.type}: {error.message}"
    return result.reason or "the layer could not be checked"


def _tracked_state(finding, result) -> str | None:  # noqa: ANN001
    """For KVL010: every variable behind the attribute is tracked and non-trainable, so saved."""
    report = result.report
    if finding.code != "KVL010" or report is None or not report.completed or not finding.attribute:
        return None
    attr = finding.attribute
    mine = [v for v in report.variables if v.attribute and (v.attribute == attr or v.attribute.startswith((attr + "[", attr + ".")))]
    if mine and all(v.tracked and not v.trainable for v in mine):
        names = ", ".join(sorted({v.name for v in mine}))
        return f"variable '{names}' is tracked (non-trainable), so it is saved with the layer"
    return None


def verify_fixes(outcome: FixOutcome, settings: Settings, roots: list[Path]) -> list[str]:
    """Write the fixes, check them at runtime, roll back the files whose fixes broke a layer;
    return those files."""
    from keras_varlint.runtime.confirm import group_findings, run_classes
    from keras_varlint.runtime.verdict import REFUTED, judge

    originals = list(outcome.fixed)
    saved = {id(f): f.runtime for f in originals}
    groups = group_findings(originals)  # marks the unrunnable ones inconclusive, with the reason
    for finding in originals:
        if finding.runtime is not None and id(finding) not in {id(g) for fs in groups.values() for g in fs}:
            finding.extra["fix_verified"] = {"status": NOT_VERIFIED, "detail": finding.runtime["detail"]}
        finding.runtime = saved[id(finding)]
    targets = list(groups)
    before = run_classes(targets, settings, roots) if targets else {}
    write_files(outcome)
    after = run_classes(targets, settings, roots) if targets else {}
    broken: dict[str, str] = {}
    for target, findings in groups.items():
        old, new = before[target], after[target]
        if old.checked and not new.checked:
            broken[target.file] = f"{target.name}: {_failure(new)}"
            for finding in findings:
                finding.extra["fix_verified"] = {"status": BROKE, "detail": broken[target.file]}
            continue
        for finding in findings:
            saved_state = _tracked_state(finding, new)
            if saved_state:  # KVL010: a non-trainable variable needs no gradient, only tracking
                finding.extra["fix_verified"] = {"status": VERIFIED, "detail": saved_state}
                continue
            verdict = judge(finding, new)
            if verdict.status == REFUTED:
                finding.extra["fix_verified"] = {"status": VERIFIED, "detail": verdict.detail}
            else:
                detail = verdict.detail if verdict.status == "inconclusive" else f"still found at runtime: {verdict.detail}"
                finding.extra["fix_verified"] = {"status": NOT_VERIFIED, "detail": detail}
    for file in broken:
        with open(file, "w", encoding="utf-8", newline="") as handle:
            handle.write(outcome.before[file])
    for finding in originals:  # a rolled-back file's other fixes are undone too
        file = finding.extra.get("file")
        if file in broken and finding.extra.get("fix_verified", {}).get("status") != BROKE:
            finding.extra["fix_verified"] = {"status": BROKE, "detail": f"rolled back with its file: {broken[file]}"}
    return sorted(broken)
