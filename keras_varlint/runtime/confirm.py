"""``--runtime``: confirm or refute static findings by running their layer classes in worker processes.

``confirm_findings`` sets each static finding's ``runtime`` to ``{"status", "detail"}`` and returns new
findings (KVL901-KVL903) for runtime defects no static finding covers (``output.common.runtime_suffix``
is what the text output appends to a finding). TensorFlow is imported only in the workers.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keras_varlint.findings import Finding, Severity
from keras_varlint.runtime.client import JobOutcome, run_jobs
from keras_varlint.runtime.errors import RuntimeUnavailable
from keras_varlint.runtime.harness import ClassResult, Construction
from keras_varlint.discovery.files import discover
from keras_varlint.runtime.harvest import ARGS_KEY, harvest_call_sites
from keras_varlint.runtime.report import CODE_NAMES
from keras_varlint.runtime.verdict import INCONCLUSIVE, Verdict, judge
from keras_varlint.settings import Settings

__all__ = [
    "ClassTarget",
    "RuntimeUnavailable",
    "apply_results",
    "confirm_findings",
    "group_findings",
    "harvest_call_sites",
    "run_classes",
]

MODULES_PER_WORKER = 4  # below this many modules per extra worker, TensorFlow's import time dominates
MAX_WORKERS = 4
_LOCATION_KEYS = ("file", "module", "root", "class", "class_line")


def ensure_available() -> None:
    """Raise ``RuntimeUnavailable`` when TensorFlow is not installed (without importing it)."""
    if importlib.util.find_spec("tensorflow") is None:
        raise RuntimeUnavailable()


@dataclass(frozen=True)
class ClassTarget:
    """A layer class to run: its module (importable from ``root``), that module's file, and its name."""

    root: str
    module: str
    file: str
    name: str


def confirm_findings(
    findings: list[Finding],
    settings: Settings,
    roots: list[Path],
    harvested: dict[str, list[dict[str, Any]]] | None = None,
) -> list[Finding]:
    """Run every class with findings; set each finding's ``runtime``; return the new runtime findings.

    ``harvested`` maps ``"module:Class"`` to constructor kwargs from call sites (see ``harvest``); when
    None, the ``.py`` files under ``roots`` are harvested. Raises ``RuntimeUnavailable`` without
    TensorFlow, even when there is nothing to run (``--runtime`` was asked for).
    """
    ensure_available()
    groups = group_findings(findings)
    if not groups:
        return []
    return apply_results(groups, run_classes(list(groups), settings, roots, harvested))


def group_findings(findings: list[Finding]) -> dict[ClassTarget, list[Finding]]:
    """The findings of each runnable class; the others are marked inconclusive with the reason."""
    groups: dict[ClassTarget, list[Finding]] = {}
    for finding in findings:
        reason = _unrunnable(finding)
        if reason:
            finding.runtime = {"status": INCONCLUSIVE, "detail": reason}
            continue
        extra = finding.extra
        target = ClassTarget(str(extra["root"]), str(extra["module"]), str(extra["file"]), str(extra["class"]))
        groups.setdefault(target, []).append(finding)
    return groups


def run_classes(
    targets: list[ClassTarget],
    settings: Settings,
    roots: list[Path],
    harvested: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[ClassTarget, ClassResult]:
    """Construct, build and check each class in worker processes (one job per module)."""
    if not targets:
        return {}
    ensure_available()
    if harvested is None:
        harvested = harvest_call_sites(_python_files(roots, settings), {t.name for t in targets}, roots)
    modules: dict[tuple[str, str], list[ClassTarget]] = {}
    for target in targets:
        modules.setdefault((target.root, target.module), []).append(target)
    jobs = [
        {
            "root": root,
            "module": module,
            "file": members[0].file,
            "classes": [
                {
                    "name": t.name,
                    "constructions": [c.to_wire() for c in _constructions(module, t.name, settings, harvested)],
                }
                for t in members
            ],
        }
        for (root, module), members in modules.items()
    ]
    outcomes = run_jobs(jobs, settings.runtime_timeout, workers=_worker_count(settings, len(jobs)))
    results: dict[ClassTarget, ClassResult] = {}
    for job, outcome, members in zip(jobs, outcomes, modules.values()):
        for target in members:
            results[target] = _class_result(target.name, job, outcome)
    return results


def apply_results(groups: dict[ClassTarget, list[Finding]], results: dict[ClassTarget, ClassResult]) -> list[Finding]:
    """Set every finding's verdict; return new findings for runtime defects no static finding covers."""
    new: list[Finding] = []
    for target, findings in groups.items():
        new += _apply(findings, results[target])
    return sorted(new, key=Finding.sort_key)


def _unrunnable(finding: Finding) -> str | None:
    extra = finding.extra
    if not extra.get("class"):
        return "the finding is not about a layer class"
    missing = [k for k in ("file", "module", "root") if not extra.get(k)]
    if missing:
        return f"the finding does not say where its class is ({', '.join(missing)} unknown)"
    if "." in str(extra["class"]) or "<" in str(extra["class"]):
        return f"{extra['class']} is a nested or function-local class and cannot be instantiated on its own"
    return None


def _constructions(
    module: str, cls: str, settings: Settings, harvested: dict[str, list[dict[str, Any]]]
) -> list[Construction]:
    """No arguments; then harvested call sites (exact module first); then the configured example."""
    example = settings.runtime_examples.get(f"{module}:{cls}")
    shape = list(example.input_shape) if example and example.input_shape else None
    result = [Construction(source="no arguments", input_shape=shape)]
    ranked: list[tuple[int, dict[str, Any]]] = []
    for key, entries in harvested.items():
        key_module, _, key_class = key.rpartition(":")
        if key_class != cls:
            continue
        if key_module == module:
            rank = 0
        elif key_module and (key_module.endswith("." + module) or module.endswith("." + key_module)):
            rank = 1
        elif not key_module:
            rank = 2
        else:
            continue
        ranked += [(rank, entry) for entry in entries]
    for _, entry in sorted(ranked, key=lambda item: item[0]):
        kwargs = {k: v for k, v in entry.items() if k != ARGS_KEY}
        construction = Construction(list(entry.get(ARGS_KEY, [])), kwargs, "call site", shape)
        if all((c.args, c.kwargs) != (construction.args, construction.kwargs) for c in result):
            result.append(construction)
    if example is not None and (example.args or example.kwargs):
        result.append(Construction(list(example.args), dict(example.kwargs), "config", shape))
    return result


def _class_result(name: str, job: dict[str, Any], outcome: JobOutcome) -> ClassResult:
    if name in outcome.classes:
        return ClassResult.from_dict(outcome.classes[name])
    if outcome.module_error:
        return ClassResult(name, reason=f"importing {job['module']} failed: {outcome.module_error}")
    return ClassResult(name, reason=outcome.failure or "the worker returned no result")


def _apply(findings: list[Finding], result: ClassResult) -> list[Finding]:
    """Set the verdicts; return findings for the runtime defects no static finding accounts for."""
    covered: set[int] = set()
    for finding in findings:
        verdict: Verdict = judge(finding, result)
        finding.runtime = verdict.as_runtime()
        covered.update(id(f) for f in verdict.evidence)
    if result.report is None:
        return []
    anchor = findings[0]
    line = int(anchor.extra.get("class_line") or anchor.line)
    new = []
    for runtime in result.report.findings:
        if runtime.code not in ("KVL901", "KVL902", "KVL903") or id(runtime) in covered:
            continue
        new.append(
            dataclasses.replace(
                anchor,
                line=line,
                column=0,
                end_line=line,
                end_column=0,
                code=runtime.code,
                name=CODE_NAMES[runtime.code],
                severity=Severity.ERROR,
                message=runtime.message,
                attribute=runtime.attribute,
                runtime={"status": "confirmed", "detail": "found at runtime"},
                extra={k: anchor.extra[k] for k in _LOCATION_KEYS if k in anchor.extra},
            )
        )
    return new


def _worker_count(settings: Settings, jobs: int) -> int:
    cpus = settings.jobs or os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS, math.ceil(jobs / MODULES_PER_WORKER)))


def _python_files(roots: list[Path], settings: Settings) -> list[Path]:
    """The files of the scanned roots, walked as the static analysis walks them."""
    return discover(roots, settings.exclude).files
