"""Targeted mutation testing: break one behaviour at a time and check that the test suite notices.

Usage: python scripts/mutate.py [--list] [--only ID ...] [--all-tests] [-j N] [--keep]

Each mutation in ``CATALOGUE`` replaces one exact snippet of a file under ``keras_varlint/`` (it
must occur there exactly once, else the mutation is reported as *stale*) and names the tests
that should notice. The script never touches this checkout: it copies the repository to a
temporary directory (one copy per ``-j`` worker), applies a mutation there, runs pytest in that
copy with ``PYTHONPATH=<copy>`` (so the copy's ``keras_varlint`` is imported, not the editable
install of this checkout), and restores the file before the next mutation. A mutation is
*killed* when pytest exits non-zero (or times out), *survived* when the tests pass.

Before the catalogue runs, two checks keep the result honest:

* the canary: a copy whose ``keras_varlint/__init__.py`` raises must make pytest fail with the
  canary's message (proof that the tests import the copy);
* the baseline: the tests the run uses must pass on the unmutated copy. Tests that fail there
  (someone's work in progress) are deselected in every mutation run and listed, since they
  could only kill a mutation by accident.

``--all-tests`` runs the whole suite except ``tests/runtime`` and the ``runtime``/``slow``
markers for every mutation, instead of each mutation's own tests. Exit status: 0 when every
mutation is killed, 1 otherwise, 2 when a check fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "keras_varlint"

# What a copy holds: what the tests read (fixtures, docs/rules.md, README.md, .ci/run, scripts/).
COPIED = ("keras_varlint", "tests", "fixtures", "docs", "scripts", "benchmarks", ".ci",
          "pyproject.toml", "README.md", "constraints.txt", ".pre-commit-hooks.yaml")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".keras_varlint_cache", ".hypothesis", ".venvs",
                                 "*.egg-info", ".pytest_cache")

MARKERS = ("-m", "not slow and not runtime")  # tests/runtime and TensorFlow runs are not needed here
BASE_FLAGS = ("-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-rfE", *MARKERS)
PYTEST_FLAGS = ("-x", *BASE_FLAGS)
ALL_TESTS = ("tests", "--ignore=tests/runtime")
TIMEOUT_S = 900

# Test groups shared by several mutations.
FIXTURES = "tests/test_fixtures.py::test_fixture_matches_its_markers"
RULE_EXAMPLES = "tests/rules/test_rule_examples.py::test_rule_example"
NO_DUPLICATES = "tests/test_fixtures.py::test_no_finding_is_reported_twice"
RULES = (FIXTURES, NO_DUPLICATES, RULE_EXAMPLES)
NOQA = "tests/interfaces/test_cli_e2e.py::test_noqa_suppresses_what_it_names_in_the_cli"
PER_FILE_IGNORES = "tests/interfaces/test_cli_e2e.py::test_per_file_ignores_match_from_the_project_root_wherever_the_cli_runs"


@dataclass(frozen=True)
class Mutation:
    id: str
    description: str
    file: str  # under keras_varlint/
    old: str  # the exact source text replaced; it must occur once in the file
    new: str
    tests: tuple[str, ...]  # pytest node ids or paths, relative to the repository

    @property
    def path(self) -> str:
        return f"{PACKAGE}/{self.file}"


# Not here yet: analysis/extractor.py and analysis/facts.py (being rewritten), KVL003, KVL101, KVL105.
CATALOGUE: tuple[Mutation, ...] = (
    # -- the mutations the issue names -----------------------------------------------------------
    Mutation(
        "noqa-off", "`# noqa` never suppresses a finding (noqa_suppresses returns False)",
        "engine.py",
        "    match = NOQA_INLINE_REGEXP.search(line_text)\n",
        "    match = None\n",
        (NOQA,),
    ),
    Mutation(
        "per-file-ignores-never", "the per-file-ignores matcher never matches a path",
        "engine.py",
        'if fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(posix, f"*/{pattern}") or fnmatch.fnmatch(Path(path).name, pattern):',
        "if False:",
        (PER_FILE_IGNORES,),
    ),
    Mutation(
        "is-excluded-never", "is_excluded never excludes anything",
        "discovery/files.py",
        "    if not patterns:\n        return False\n    name, full = path.name, path.as_posix()\n",
        "    if True:\n        return False\n    name, full = path.name, path.as_posix()\n",
        ("tests/interfaces/test_cli_e2e.py::test_exclude_applies_to_files_named_on_the_command_line",
         "tests/discovery/test_discovery.py::test_is_excluded_below_agrees_with_the_walk"),
    ),
    Mutation(
        "star-imports-dropped", "the binding pass does not record `from m import *` (star imports never resolve)",
        "discovery/bindings.py",
        "                        self.summary.star_imports.append(source)\n",
        "                        pass\n",
        ("tests/discovery/test_bindings.py", FIXTURES),
    ),
    Mutation(
        "relative-import-deep", "`from ..m import x` resolves like `from .m import x` (extra dots ignored)",
        "discovery/bindings.py",
        "    base = base[: len(base) - (level - 1)]\n",
        "    base = base[: len(base)]\n",
        ("tests/discovery/test_bindings.py",),
    ),
    Mutation(
        "kvl007-alias-skip", "KVL007 reports a weight attribute that another attribute aliases",
        "rules/kvl007_weight_overwritten.py",
        " or a.attr in aliased:",
        ":",
        RULES,
    ),
    Mutation(
        "kvl103-104-incomplete-guard", "KVL103/KVL104 judge classes whose bases are unseen or incomplete",
        "analysis/layer_view.py",
        "        if not self.complete:\n            return\n        own = set(",
        "        own = set(",
        RULES,
    ),
    Mutation(
        "kvl000-dedup", "no KVL000 de-duplication: a broken file gets one KVL000 per broken class",
        "engine.py",
        "        found = self._one_syntax_error_per_file(found, targets)\n",
        "",
        ("tests/test_parse_errors.py",),
    ),
    # -- discovery --------------------------------------------------------------------------------
    Mutation(
        "star-imports-not-transitive", "a star import of a module that itself star-imports the name is not followed",
        "discovery/index.py",
        "(name in module.bindings or self._stars_binding(module, name, seen))",
        "name in module.bindings",
        ("tests/discovery/test_bindings.py", FIXTURES),
    ),
    Mutation(
        "follow-one-hop", "names are followed through one project re-export only, not a chain of them",
        "discovery/index.py",
        "for name_found in ((full,) if full == qualname else self._follow(full, hops + 1, into_keras)):",
        "for name_found in (full,):",
        ("tests/discovery/test_bindings.py", FIXTURES),
    ),
    Mutation(
        "branches-last-wins", "after if/try branches a name keeps only the last branch's binding",
        "discovery/bindings.py",
        "                alternatives += tuple(a for a in values if a not in alternatives)\n",
        "                alternatives = tuple(values)\n",
        ("tests/discovery/test_bindings.py",),
    ),
    Mutation(
        "skipped-dirs-walked", "directories such as build/, node_modules/ and .git/ are walked",
        "discovery/files.py",
        "if d in SKIPPED_DIRS or is_excluded(Path(sub), exclude)",
        "if is_excluded(Path(sub), exclude)",
        ("tests/discovery/test_discovery.py::test_the_walk_skips_tool_build_and_virtualenv_directories",),
    ),
    # -- engine -----------------------------------------------------------------------------------
    Mutation(
        "noqa-exact-codes", "`# noqa: KVL0` no longer suppresses KVL001 (codes compared exactly, not as prefixes)",
        "engine.py",
        "    return code in listed or code.startswith(listed)\n",
        "    return code in listed\n",
        (NOQA,),
    ),
    Mutation(
        "per-file-ignores-absolute", "per-file-ignores patterns are matched against absolute paths, not root-relative ones",
        "engine.py",
        "if _per_file_ignored(_relative_to_root(file, self.settings.project_root), finding.code,",
        "if _per_file_ignored(file, finding.code,",
        (PER_FILE_IGNORES,),
    ),
    Mutation(
        "read-elsewhere-off", "findings waived when the attribute is read as obj.name elsewhere are kept",
        "engine.py",
        '        return [f for f in found if not self._read_elsewhere.get(f.extra.get("unless_read_elsewhere"), False)]\n',
        "        return found\n",
        ("tests/discovery/test_bindings.py", FIXTURES),
    ),
    Mutation(
        "kvl000-ignores-selection", "a file that cannot be read is reported as KVL000 even when KVL000 is not selected",
        "engine.py",
        "[f for f in project.parse_errors if PARSE_ERROR[0] in codes]",
        "list(project.parse_errors)",
        ("tests/test_parse_errors.py",),
    ),
    # -- config and selection ---------------------------------------------------------------------
    Mutation(
        "selection-ignore-loses-tie", "on a tie in specificity, select wins over ignore",
        "selection.py",
        ", 1, p, False) for p in layer.ignore]",
        ", -1, p, False) for p in layer.ignore]",
        ("tests/test_selection.py", "tests/test_config.py"),
    ),
    Mutation(
        "cli-ignore-drops-file-select", "a command-line --ignore alone discards the config file's selection",
        "config.py",
        "    if cli_layer.select or not any(file_layer):\n",
        "    if any(cli_layer) or not any(file_layer):\n",
        ("tests/test_config.py",),
    ),
    Mutation(
        "per-file-ignores-all-literal", 'per-file-ignores "ALL" is stored as the literal ALL, which matches no code',
        "config.py",
        '["KVL" if s == "ALL" else s for s in',
        "[s for s in",
        ("tests/test_config.py", PER_FILE_IGNORES),
    ),
    Mutation(
        "find-config-any-mention", "a pyproject.toml that only mentions keras-varlint (no table) is taken as the config",
        "config.py",
        " and _tool_table(_parse_toml(candidate, data), candidate) is not None",
        "",
        ("tests/test_config.py",),
    ),
    # -- cache ------------------------------------------------------------------------------------
    Mutation(
        "cache-key-ignores-rules", "a component's cache key does not depend on the selected rules",
        "engine.py",
        "        sorted(codes),\n        project.settings.keras_version,\n",
        "        project.settings.keras_version,\n",
        ("tests/test_cache.py::test_the_cache_is_keyed_by_keras_version_and_selected_rules",
         "tests/test_cache.py::test_a_wider_selection_never_reuses_what_a_narrower_run_cached"),
    ),
    Mutation(
        "cache-ignores-questions", "cached findings are reused without asking their cross-file questions again",
        "engine.py",
        'if any(_answer(project, q) != a for q, a in entry.get("queries", {}).items()):',
        "if False:",
        ("tests/test_cache.py", "tests/discovery/test_bindings.py"),
    ),
    Mutation(
        "summary-cache-ignores-module", "a cached file summary is reused after its module name changed",
        "cache.py",
        "            return summary if summary.module == module else None\n",
        "            return summary\n",
        ("tests/test_cache.py", "tests/discovery/test_bindings.py"),
    ),
    # -- output formats ---------------------------------------------------------------------------
    Mutation(
        "text-column-0based", "text output prints a 0-based column",
        "output/text.py",
        "{finding.column + 1}: {finding.code}",
        "{finding.column}: {finding.code}",
        ("tests/output",),
    ),
    Mutation(
        "github-escape-order", "GitHub annotations escape % after CR/LF (so %0A becomes %250A)",
        "output/github.py",
        'return text.replace("%", "%25").replace("\\r", "%0D").replace("\\n", "%0A")',
        'return text.replace("\\r", "%0D").replace("\\n", "%0A").replace("%", "%25")',
        ("tests/output",),
    ),
    Mutation(
        "sarif-rule-index", "every SARIF result points at the first rule descriptor",
        "output/sarif.py",
        '"ruleIndex": index,',
        '"ruleIndex": 0,',
        ("tests/output",),
    ),
    # -- rules ------------------------------------------------------------------------------------
    Mutation(
        "kvl001-keras2", "KVL001 also fires under Keras 2, which tracks tf.Variable",
        "rules/kvl001_untracked_variable.py",
        "    keras_versions = frozenset({3})\n",
        "    keras_versions = frozenset({2, 3})\n",
        RULES,
    ),
    Mutation(
        "kvl002-weights-only", "KVL002 catches self.add_weight in call, not tf.Variable or keras.Variable",
        "rules/kvl002_state_created_in_call.py",
        "layer.created_in_call(VARIABLE_KINDS)",
        "layer.created_in_call(frozenset({Kind.WEIGHT}))",
        RULES,
    ),
    Mutation(
        "kvl004-wrapped-later", "KVL004 reports a tensor attribute that is later wrapped in a variable",
        "rules/kvl004_tensor_as_weight.py",
        "if any(a.value.kind is not Kind.TENSOR and a.value.creations for a in assignments):",
        "if False:",
        RULES,
    ),
    Mutation(
        "kvl005-direct-read", "KVL005 reports a snapshot of a weight that call also reads directly",
        "rules/kvl005_weight_derived_outside_call.py",
        " and not layer.value_reads_in_call(s)",
        "",
        RULES,
    ),
    Mutation(
        "kvl006-module-any-version", "KVL006 reports a tf.Module attribute under Keras 2, which tracks it",
        "rules/kvl006_untracked_holder.py",
        "if kind is Kind.MODULE and layer.keras_version == 3:",
        "if kind is Kind.MODULE:",
        RULES,
    ),
    Mutation(
        "kvl008-read-between", "KVL008 reports a re-created weight even when the first one is read in between",
        "rules/kvl008_weight_reassigned.py",
        "                    if not read_between:\n",
        "                    if True:\n",
        RULES,
    ),
    Mutation(
        "kvl009-augmented", "KVL009 misses `self.trainable_weights += [...]`",
        "rules/kvl009_manual_trainable_weights.py",
        "a.how in (How.ASSIGN, How.AUGMENTED)",
        "a.how is How.ASSIGN",
        RULES,
    ),
    Mutation(
        "kvl010-keras2", "KVL010 also fires under Keras 2, which tracks tf.Variable",
        "rules/kvl010_untracked_state.py",
        "    keras_versions = frozenset({3})\n",
        "    keras_versions = frozenset({2, 3})\n",
        RULES,
    ),
    Mutation(
        "kvl102-dedup", "KVL102 reports a weight once per read inside the same wrapper call",
        "rules/kvl102_gradient_cut.py",
        "            if key in seen:\n                continue\n",
        "",
        (*RULES, "tests/rules/test_rule_examples.py::test_a_weight_read_twice_inside_one_cut_is_one_kvl102"),
    ),
    Mutation(
        "kvl104-stopped-too", "KVL104 also fires for weights only read under stop_gradient (KVL103's case)",
        "rules/kvl104_non_differentiable_path.py",
        "layer.only_used_as(frozenset({Use.NONDIFF}))",
        "layer.only_used_as(frozenset({Use.NONDIFF, Use.STOPPED}))",
        RULES,
    ),
    Mutation(
        "kvl201-tf-keras", "KVL201 judges tf.keras layers, whose Keras version depends on the installation",
        "rules/kvl201_mixed_keras.py",
        "        if base not in (Family.KERAS2, Family.KERAS3):\n            return",
        "        if False:\n            return",
        RULES,
    ),
    Mutation(
        "kvl003-wrappers-reported", "KVL003 reports weightless wrappers such as RNN(self.cell)",
        "rules/kvl003_layer_created_in_call.py",
        "if creation.state in (LayerState.STATELESS, LayerState.WRAPPER):",
        "if creation.state is LayerState.STATELESS:",
        RULES,
    ),
    Mutation(
        "kvl003-seeded-message", "KVL003 tells a Dropout made in call that it has fresh weights",
        "rules/kvl003_layer_created_in_call.py",
        "if creation.state is LayerState.SEEDED:",
        "if False:",
        ("tests/rules/test_rule_examples.py::test_kvl003_says_what_each_kind_of_layer_loses",),
    ),
    Mutation(
        "kvl101-unbuilt-sublayer", "KVL101 reports a sublayer that is never built, which owns no weights",
        "rules/kvl101_unused_weight.py",
        "                    continue  # never built: it owns no weights",
        "                    pass",
        RULES,
    ),
    Mutation(
        "kvl101-metadata-is-use", "KVL101 takes a built sublayer's metadata reads as uses",
        "rules/kvl101_unused_weight.py",
        "if any(r.use is not Use.METADATA for r in reads):",
        "if reads:",
        RULES,
    ),
    Mutation(
        "kvl105-delegated-update", "KVL105 ignores updates by functions that take the variable as their target",
        "analysis/extractor.py",
        "        if isinstance(child, cst.Arg) and self._updates_argument(call, child, callee):",
        "        if False:",
        RULES,
    ),
    Mutation(
        "kvl106-reads-ignored", "KVL106 reports a sublayer that is read",
        "rules/kvl106_unused_sublayer.py",
        "            if next(layer.all_reads(attr), None) is None:",
        "            if True:",
        RULES,
    ),
)

CANARY = Mutation(
    "canary", "importing keras_varlint raises: proves that the tests import the copy",
    "__init__.py", "", 'raise RuntimeError("mutate.py canary: the mutated copy was imported")\n',
    ("tests/test_selection.py",),
)


# -- checking the catalogue --------------------------------------------------------------------


def stale_reason(mutation: Mutation, root: Path = REPO) -> str | None:
    """Why ``mutation`` cannot be applied to the tree at ``root``, or None when it can."""
    path = root / mutation.path
    if not path.is_file():
        return f"{mutation.path} does not exist"
    if mutation.old == mutation.new:
        return "the replacement equals the snippet"
    count = read(path).count(mutation.old)
    if count != 1:
        return f"snippet found {count} times in {mutation.path} (must be exactly once)"
    return None


def missing_tests(mutation: Mutation, root: Path = REPO) -> list[str]:
    """The mutation's test targets that do not exist (a file, or a test function in it)."""
    missing = []
    for target in mutation.tests:
        file, _, name = target.partition("::")
        path = root / file
        if not path.exists() or name and not re.search(rf"^\s*def {re.escape(name.split('[')[0])}\(", read(path), re.M):
            missing.append(target)
    return missing


def read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


# -- copies and runs ---------------------------------------------------------------------------


def make_copy(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=IGNORED, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, destination / name)
    return destination


def test_env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy)  # the copy first; nothing of this checkout
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a restored file must never meet a stale .pyc of its mutant
    env.pop("PYTEST_ADDOPTS", None)
    return env


@dataclass
class Run:
    returncode: int | None  # None: timed out
    output: str
    seconds: float

    @property
    def failed_tests(self) -> list[str]:
        """Node ids from pytest's short summary (``FAILED id - ...``, ``ERROR id``), in order."""
        found = []
        for line in self.output.splitlines():
            match = re.match(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", line)
            if match and match.group(1) not in found:
                found.append(match.group(1))
        return found


def run_pytest(copy: Path, targets: tuple[str, ...], extra: tuple[str, ...] = (), timeout: float = TIMEOUT_S) -> Run:
    command = [sys.executable, "-m", "pytest", *targets, *extra]
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=copy, env=test_env(copy), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode(errors="replace") if isinstance(err.stdout, bytes) else err.stdout or ""
        return Run(None, out, time.monotonic() - start)
    return Run(done.returncode, done.stdout + done.stderr, time.monotonic() - start)


class Mutant:
    """One mutation applied to a copy; the file is restored on exit."""

    def __init__(self, copy: Path, mutation: Mutation) -> None:
        self.path = copy / mutation.path
        self.mutation = mutation

    def __enter__(self) -> "Mutant":
        self.original = read(self.path)
        if self.mutation.old:
            mutated = self.original.replace(self.mutation.old, self.mutation.new, 1)
        else:  # the canary: appended
            mutated = self.original + self.mutation.new
        if mutated == self.original:
            raise RuntimeError(f"{self.mutation.id}: the mutation changed nothing")
        write(self.path, mutated)
        return self

    def __exit__(self, *exc: object) -> None:
        write(self.path, self.original)
        if read(self.path) != self.original:
            raise RuntimeError(f"{self.mutation.id}: {self.path} was not restored")


@dataclass
class Outcome:
    mutation: Mutation
    status: str  # killed, survived, stale, error
    detail: str = ""  # the first failing test, or why it is stale / an error
    seconds: float = 0.0


def targets_of(mutation: Mutation, all_tests: bool) -> tuple[str, ...]:
    return ALL_TESTS if all_tests else mutation.tests


def run_mutation(copy: Path, mutation: Mutation, all_tests: bool, deselect: tuple[str, ...]) -> Outcome:
    reason = stale_reason(mutation, copy)
    if reason:
        return Outcome(mutation, "stale", reason)
    with Mutant(copy, mutation):
        run = run_pytest(copy, targets_of(mutation, all_tests), PYTEST_FLAGS + deselect)
    if run.returncode is None:
        return Outcome(mutation, "killed", "(timed out)", run.seconds)
    if run.returncode in (4, 5):  # usage error, no tests collected: the catalogue is wrong
        last = run.output.strip().splitlines()[-1:] or ["pytest failed"]
        return Outcome(mutation, "error", f"pytest exit {run.returncode}: {last[0]}", run.seconds)
    if run.returncode == 0:
        return Outcome(mutation, "survived", "", run.seconds)
    failed = run.failed_tests
    detail = failed[0] if failed else (run.output.strip().splitlines() or ["?"])[-1]
    return Outcome(mutation, "killed", detail, run.seconds)


# -- the checks before the catalogue -----------------------------------------------------------


def check_canary(copy: Path) -> str | None:
    """None when the tests provably import the copy; else what went wrong."""
    probe = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"],
        cwd=copy, env=test_env(copy), capture_output=True, text=True,
    )
    imported = Path(probe.stdout.strip()).resolve() if probe.returncode == 0 else None
    if imported != (copy / PACKAGE / "__init__.py").resolve():
        return f"the copy's {PACKAGE} is not the one imported: {probe.stdout.strip() or probe.stderr.strip()}"
    with Mutant(copy, CANARY):
        run = run_pytest(copy, CANARY.tests, PYTEST_FLAGS)
    if run.returncode == 0 or "mutate.py canary" not in run.output:
        return f"a crashing {PACKAGE}/__init__.py did not fail the tests (exit {run.returncode})"
    return None


def baseline(copy: Path, targets: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """Run ``targets`` unmutated: the failing node ids to deselect, or an error that ends the run."""
    run = run_pytest(copy, targets, BASE_FLAGS)
    if run.returncode == 0:
        return (), None
    failed = run.failed_tests
    if run.returncode != 1 or not failed or any("::" not in f for f in failed):
        tail = "\n".join(run.output.strip().splitlines()[-15:])
        return (), f"the unmutated copy does not pass its tests (exit {run.returncode}):\n{tail}"
    return tuple(failed), None


# -- the command -------------------------------------------------------------------------------


def print_table(outcomes: list[Outcome]) -> None:
    rows = [("id", "file", "result", "first failing test / reason", "time")]
    rows += [(o.mutation.id, o.mutation.file, o.status, o.detail or "-", f"{o.seconds:.0f}s") for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
        if i == 0:
            print("  ".join("-" * w for w in widths) + "  ----")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the catalogue and whether each snippet is found")
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutations")
    parser.add_argument("--all-tests", action="store_true", help="run the whole non-runtime suite for each mutation")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutations run at once, each in its own copy")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    args = parser.parse_args(argv)

    ids = [m.id for m in CATALOGUE]
    if len(set(ids)) != len(ids):
        print("duplicate mutation ids in the catalogue", file=sys.stderr)
        return 2
    chosen = list(CATALOGUE)
    if args.only:
        unknown = sorted(set(args.only) - set(ids))
        if unknown:
            print(f"unknown mutation id(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        chosen = [m for m in CATALOGUE if m.id in args.only]

    if args.list:
        for m in chosen:
            problems = [stale_reason(m)] + [f"missing test {t}" for t in missing_tests(m)]
            state = "; ".join(p for p in problems if p) or "ok"
            print(f"{m.id:30} {m.file:42} {state}\n    {m.description}\n    tests: {' '.join(m.tests)}")
        return 0

    start = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="kvl-mutate-"))
    try:
        jobs = max(1, min(args.jobs, len(chosen)))
        copies = [make_copy(workdir / f"copy{i}") for i in range(jobs)]
        print(f"{len(chosen)} mutations, {jobs} cop{'y' if jobs == 1 else 'ies'} under {workdir}", flush=True)

        problem = check_canary(copies[0])
        if problem:
            print(f"canary: {problem}", file=sys.stderr)
            return 2
        print("canary: a crashing copy fails the tests, so the tests import the copy", flush=True)

        runnable = [m for m in chosen if stale_reason(m, copies[0]) is None]
        targets = ALL_TESTS if args.all_tests else tuple(dict.fromkeys(t for m in runnable for t in m.tests))
        deselect, problem = baseline(copies[0], targets) if runnable else ((), None)
        if problem:
            print(f"baseline: {problem}", file=sys.stderr)
            return 2
        for node in deselect:
            print(f"baseline: deselected, fails unmutated: {node}", flush=True)
        print(f"baseline: the unmutated copy passes ({time.monotonic() - start:.0f}s so far)", flush=True)
        deselect_args = tuple(f"--deselect={node}" for node in deselect)

        free: queue.Queue[Path] = queue.Queue()
        for copy in copies:
            free.put(copy)

        def work(mutation: Mutation) -> Outcome:
            copy = free.get()
            try:
                outcome = run_mutation(copy, mutation, args.all_tests, deselect_args)
            finally:
                free.put(copy)
            print(f"  {mutation.id}: {outcome.status} {outcome.detail} ({outcome.seconds:.0f}s)", flush=True)
            return outcome

        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            outcomes = list(pool.map(work, chosen))
    finally:
        if args.keep:
            print(f"copies kept under {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print_table(outcomes)
    killed = sum(o.status == "killed" for o in outcomes)
    print(f"\nmutation score: {killed}/{len(outcomes)} killed"
          f" ({', '.join(f'{sum(o.status == s for o in outcomes)} {s}' for s in ('survived', 'stale', 'error'))})"
          f" in {time.monotonic() - start:.0f}s")
    return 0 if killed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
