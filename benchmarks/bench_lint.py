#!/usr/bin/env python3
"""Benchmark keras-varlint against flake8 on a source tree (the speed targets).

    python benchmarks/bench_lint.py [TREE ...] [--repeat N] [--corpus DIR] [--json OUT]
    python benchmarks/bench_lint.py --scaling [--repeat N]

Run it with the interpreter of the environment where keras-varlint is installed. The default
tree is the ``keras`` package of the public corpus (``scripts/fetch_corpus.sh DIR``). Each
tree is copied to a temporary directory, so caches and the touched file never land in the
corpus. After one untimed run that fills the caches, commands are interleaved round-robin (the
starting row rotates every round), so load from other processes spreads over all rows.

Rows: (a) flake8 with its default plugins in a separate venv without keras-varlint (the
baseline; created once under ``benchmarks/.venvs/``, with the same flake8, pycodestyle,
pyflakes and mccabe versions); (b) keras-varlint ``--no-cache``; (c) warm: cache filled,
nothing changed; (d) after appending a comment to one layer file; (e) flake8 with the KVL
plugin, its cache removed before each run; optional: (e2) the plugin with its cache kept
(``--plugin-warm``), (f) the plugin with ``--select KVL`` (``--select-kvl``).

``--scaling`` instead lints each corpus package and all of them together, cold (empty cache
directory) and warm, and prints files, bytes, candidate layer classes and times.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENVS = REPO / "benchmarks" / ".venvs"
CORPUS_PACKAGES = ("keras", "keras-hub", "tensorflow-addons", "spektral", "larq", "keras-tcn", "tf-models-official")
CORPUS_CANDIDATES = (REPO.parent / "shared" / "corpus", REPO.parent / "corpus", Path("/work/corpus"))
FLAKE8_PINS = ("flake8", "pycodestyle", "pyflakes", "mccabe")
GNU_TIME = Path("/usr/bin/time")
MB = 1024 * 1024
# `path:line:col: KVL001 message`, as printed by both keras-varlint and flake8.
FINDING = re.compile(r"^(?:\./)?(?P<path>.+?):(?P<line>\d+):\d+: (?P<code>[A-Z]+\d+) ", re.M)

TARGETS = {  # name -> (row, limit, measure): the speed targets, on wall time or on CPU time
    "cold <= 0.10 x baseline (wall)": ("cold", 0.10, "wall"),
    "warm <= 0.03 x baseline (wall)": ("warm", 0.03, "wall"),
    "plugin adds <= 10% CPU to flake8": ("plugin", 1.10, "cpu"),
}
MEMORY_LIMIT_MB = 500


class BenchError(Exception):
    """A setup problem, reported as one line and exit status 2."""


# -- measuring one command ------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float | None  # user + system seconds of the command and its reaped children
    rss_kb: int | None  # peak RSS of the largest process of the command (it and its reaped children)
    returncode: int
    stdout: str
    stderr: str


def run_timed(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> Sample:
    """Run ``argv`` once: wall time, CPU time, and peak RSS (GNU time, else ``RUSAGE_CHILDREN``)."""
    import resource

    with tempfile.NamedTemporaryFile("w+", suffix=".time") as timing:
        wrapped = [str(GNU_TIME), "-f", "%M", "-o", timing.name, *argv] if GNU_TIME.exists() else list(argv)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(wrapped, cwd=cwd, env=env, capture_output=True, text=True, errors="replace")
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rss: int | None = None
        if GNU_TIME.exists():
            lines = [ln for ln in Path(timing.name).read_text().splitlines() if ln.strip().isdigit()]
            rss = int(lines[-1]) if lines else None
        elif after.ru_maxrss > before.ru_maxrss:  # a running maximum: a delta shows only a new peak
            rss = after.ru_maxrss
    return Sample(wall, cpu, rss, done.returncode, done.stdout, done.stderr)


def peak_total_pss_kb(argv: Sequence[str], cwd: Path, env: dict[str, str], interval: float = 0.05) -> int | None:
    """Peak of the summed PSS of every process of the command (Linux only; sampled)."""
    if not Path("/proc/self/smaps_rollup").exists():
        return None
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss_kb(pid) for pid in _session_pids(proc.pid)))
        time.sleep(interval)
    return peak or None


def _session_pids(session: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()  # after "pid (comm) ": state ppid pgrp session ...
        if len(fields) > 3 and int(fields[3]) == session:
            pids.append(int(entry.name))
    return pids


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


# -- rows -----------------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    argv: list[str]
    before: Callable[[], None] | None = None  # run untimed before every sample
    prime: list[str] | None = None  # run once before the first round: fills caches (bytecode, findings)
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    findings: list[int] = field(default_factory=list)  # lines reporting any code
    kvl: set[tuple[str, int, str]] | None = None  # KVL findings of the last sample
    error: str | None = None

    def record(self, sample: Sample) -> None:
        if sample.returncode not in (0, 1):
            self.error = f"exit status {sample.returncode}: {_tail(sample.stderr or sample.stdout)}"
            return
        if "Traceback (most recent call last)" in sample.stderr:
            self.error = f"traceback on stderr: {_tail(sample.stderr)}"
            return
        self.times.append(sample.wall)
        if sample.cpu is not None:
            self.cpu.append(sample.cpu)
        if sample.rss_kb:
            self.rss_kb.append(sample.rss_kb)
        found = FINDING.findall(sample.stdout)
        self.findings.append(len(found))
        self.kvl = {(path, int(line), code) for path, line, code in found if code.startswith("KVL")}

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    def summary(self, baseline: float | None) -> dict[str, object]:
        median = self.median
        return {
            "label": self.label, "argv": self.argv, "times_s": [round(t, 3) for t in self.times],
            "median_s": median, "min_s": min(self.times, default=None), "max_s": max(self.times, default=None),
            "ratio_to_baseline": median / baseline if median and baseline else None,
            "cpu_s": [round(t, 3) for t in self.cpu], "median_cpu_s": statistics.median(self.cpu) if self.cpu else None,
            "peak_rss_mb": max(self.rss_kb) / 1024 if self.rss_kb else None,
            "findings": self.findings[-1] if self.findings else None,
            "kvl_findings": len(self.kvl) if self.kvl is not None else None, "error": self.error,
        }


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])[:400]


def interleave(rows: list[Row], repeat: int, cwd: Path, env: dict[str, str], log: Callable[[str], None]) -> None:
    """Run every row ``repeat`` times, round-robin, rotating the starting row each round."""
    for round_ in range(repeat):
        shift = round_ % len(rows)
        for row in rows[shift:] + rows[:shift]:
            if row.error:
                continue
            if row.before:
                row.before()
            sample = run_timed(row.argv, cwd, env)
            row.record(sample)
            status = f"{sample.wall:7.2f} s" if not row.error else f"FAILED ({row.error})"
            log(f"  round {round_ + 1}/{repeat}  {row.label:<34} {status}")


# -- environment ----------------------------------------------------------------------------------


def child_env(venvs: Path) -> dict[str, str]:
    """The environment of the timed commands: bytecode cached, as after a normal install.

    Editable installs under ``PYTHONDONTWRITEBYTECODE=1`` would recompile keras-varlint's modules
    on every start; a bytecode cache outside the repository avoids that for both tools alike.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(venvs / "pycache")
    return env


def find_corpus(given: Path | None) -> Path:
    candidates = [given] if given else [Path(p) for p in os.environ.get("KVL_CORPUS", "").split(os.pathsep) if p]
    candidates += [] if given else list(CORPUS_CANDIDATES)
    for candidate in candidates:
        if (candidate / "keras").is_dir():
            return candidate
    where = f"{given}/keras does not exist" if given else "no corpus found"
    raise BenchError(
        f"{where}. Fetch it with `scripts/fetch_corpus.sh DIR` (from the repository root), "
        "then pass `--corpus DIR` or name the trees to lint"
    )


def bin_of(name: str, python: Path = Path(sys.executable)) -> list[str]:
    """A console script of the environment of ``python``, or ``python -m`` as a fallback."""
    script = python.parent / name
    return [str(script)] if script.exists() else [str(python), "-m", name.replace("-", "_")]


def flake8_pins() -> dict[str, str]:
    return {name: metadata.version(name) for name in FLAKE8_PINS}


def baseline_flake8(venvs: Path, pins: dict[str, str], log: Callable[[str], None]) -> list[str]:
    """flake8 in its own venv without keras-varlint, created once and reused while the pins match."""
    venv = venvs / "flake8-baseline"
    python = venv / "bin" / "python"
    marker = venv / "bench-pins.json"
    try:
        current = json.loads(marker.read_text())
    except (OSError, ValueError):
        current = None
    if current != pins or not python.exists():
        log(f"creating the baseline venv {venv} ({', '.join(f'{k}=={v}' for k, v in pins.items())})")
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        done = subprocess.run([*install, *(f"{k}=={v}" for k, v in pins.items())], capture_output=True, text=True)
        if done.returncode:
            raise BenchError(f"cannot install the baseline flake8: {_tail(done.stderr)}")
        marker.write_text(json.dumps(pins))
    version = subprocess.run([*bin_of("flake8", python), "--version"], capture_output=True, text=True).stdout
    if "keras-varlint" in version or "KVL" in version:
        raise BenchError(f"the baseline venv {venv} has keras-varlint installed; delete it")
    return bin_of("flake8", python)


def plugin_status(flake8: list[str], env: dict[str, str]) -> str | None:
    """None when flake8 of the main environment loads the KVL plugin, else why not."""
    try:
        import keras_varlint.interfaces.flake8_plugin  # noqa: F401
    except Exception as err:  # being written concurrently: any failure means "unavailable"
        return f"keras_varlint.interfaces.flake8_plugin is not importable ({type(err).__name__}: {err})"
    version = subprocess.run([*flake8, "--version"], capture_output=True, text=True, env=env)
    if "keras-varlint" not in version.stdout:
        return f"flake8 does not list the keras-varlint plugin: {_tail(version.stdout + version.stderr)}"
    return None


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True)
        return rev.stdout.strip() + (" (uncommitted changes)" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- what the engine sees -------------------------------------------------------------------------


@dataclass
class TreeStats:
    files: int
    bytes: int
    class_files: int  # files the byte-level prefilter lets through
    layer_classes: int  # candidate classes that libcst parses
    components: int
    touch_file: str | None  # a file of the largest component: touching it re-analyses the most code

    @property
    def mb(self) -> float:
        return self.bytes / MB


def tree_stats(paths: list[Path]) -> TreeStats:
    """Counts from the engine's own cheap pass (nothing is parsed)."""
    from keras_varlint.discovery.summary import CLASS_PREFILTER
    from keras_varlint.engine import LintSession
    from keras_varlint.settings import Settings

    project = LintSession(Settings(use_cache=False), paths).project
    components = project.index.components()
    biggest = max(components, key=lambda c: (sum(i.header.body_end - i.header.line for i in c), len(c)), default=[])
    data = [Path(p).read_bytes() for p in project.targets]
    return TreeStats(
        files=len(project.targets), bytes=sum(map(len, data)),
        class_files=sum(1 for d in data if CLASS_PREFILTER.search(d)),
        layer_classes=len(project.index.layers), components=len(components),
        touch_file=min((i.summary.path for i in biggest), default=None),
    )


# -- the comparison -------------------------------------------------------------------------------


def copy_trees(trees: list[Path], work: Path) -> list[Path]:
    """Copies of the trees under ``work/trees``, as paths relative to ``work``."""
    copies = []
    for n, tree in enumerate(trees):
        name = tree.resolve().name
        target = work / "trees" / (name if n == 0 else f"{n}-{name}")
        if tree.is_dir():
            shutil.copytree(tree, target, ignore=shutil.ignore_patterns(".keras_varlint_cache", "__pycache__", ".git"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(tree, target)
        copies.append(target.relative_to(work))
    return copies


def make_rows(args: argparse.Namespace, paths: list[str], work: Path, touched: Path | None,
              env: dict[str, str], log: Callable[[str], None]) -> tuple[list[Row], str | None]:
    """The commands to time, and why the plugin rows are missing (None: they are not)."""
    baseline = baseline_flake8(args.venvs, flake8_pins(), log)
    flake8, kvl = bin_of("flake8"), bin_of("keras-varlint")
    jobs = ["-j", str(args.jobs)] if args.jobs else []
    cli_cache = ["--cache-dir", str(work / "cli-cache")]
    touches = iter(range(1, 10**6))

    def touch() -> None:
        assert touched is not None
        with touched.open("a") as out:
            out.write(f"\n# touched by bench_lint.py ({next(touches)})\n")

    def drop_plugin_cache() -> None:  # the plugin caches at flake8's working directory
        shutil.rmtree(work / ".keras_varlint_cache", ignore_errors=True)

    warm = [*kvl, *paths, *cli_cache, *jobs]
    rows = [
        Row("baseline", "(a) flake8, no plugin (baseline)", [*baseline, *paths], prime=[*baseline, "--version"]),
        Row("cold", "(b) keras-varlint --no-cache", [*kvl, *paths, "--no-cache", *jobs]),
        Row("warm", "(c) keras-varlint, warm cache", warm, prime=warm),
    ]
    if touched is not None:
        rows.append(Row("touched", "(d) keras-varlint, 1 file touched", [*kvl, *paths, *cli_cache, *jobs], touch))
    unavailable = plugin_status(flake8, env)
    if unavailable is None:
        rows.append(Row("plugin", "(e) flake8 + KVL plugin", [*flake8, *paths], drop_plugin_cache,
                        prime=[*flake8, "--version"]))
        if args.plugin_warm:  # (e) refills the plugin's cache right after deleting it
            rows.append(Row("plugin_warm", "(e2) flake8 + KVL plugin, warm cache", [*flake8, *paths],
                            prime=[*flake8, *paths]))
        if args.select_kvl:
            rows.append(Row("plugin_kvl", "(f) flake8 + KVL plugin, --select KVL",
                            [*flake8, "--select", "KVL", *paths], drop_plugin_cache))
    return rows, unavailable


def compare(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, object]:
    """Time rows (a)-(f) on copies of the trees; the results as a JSON-able dict."""
    trees = args.trees or [find_corpus(args.corpus) / "keras"]
    for tree in trees:
        if not tree.exists():
            raise BenchError(f"no such tree: {tree}")
    env = child_env(args.venvs)
    work = Path(tempfile.mkdtemp(prefix="kvl-bench-"))
    try:
        paths = [str(p) for p in copy_trees(trees, work)]
        stats = tree_stats([work / p for p in paths])
        touched = Path(stats.touch_file) if stats.touch_file else None
        if args.touch:
            touched = work / paths[0] / args.touch
            if not touched.is_file():
                raise BenchError(f"--touch: no file {args.touch} in {trees[0]}")
        rows, unavailable = make_rows(args, paths, work, touched, env, log)
        log("priming: filling the warm cache and the bytecode cache")
        for row in rows:
            if row.prime:
                run_timed(row.prime, work, env)
        load_before = load()
        log(f"timing: {args.repeat} rounds, load average {load_before}")
        interleave(rows, args.repeat, work, env, log)
        load_after = load()
        by_key = {row.key: row for row in rows}
        memory_total = None
        if not args.no_memory_run:
            log("memory: one more cold run, sampling the PSS of all its processes")
            memory_total = peak_total_pss_kb(by_key["cold"].argv, work, env)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    base = by_key["baseline"].median
    results: dict[str, object] = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "revision": git_revision(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_before": load_before, "load_after": load_after},
        "versions": {"keras-varlint": metadata.version("keras-varlint"), **flake8_pins()},
        "trees": [str(t) for t in trees], "repeat": args.repeat, "jobs": args.jobs,
        "stats": {k: v for k, v in asdict(stats).items() if k != "touch_file"},
        "touched": str(touched.relative_to(work)) if touched else None,
        "plugin_unavailable": unavailable,
        "rows": {row.key: row.summary(base) for row in rows},
        "cold_total_pss_mb": memory_total / 1024 if memory_total else None,
    }
    results["consistency"] = consistency(by_key)
    results["targets"] = targets(by_key, results)
    return results


def consistency(rows: dict[str, Row]) -> dict[str, object]:
    """The cache never changes results; the plugin reports what the CLI reports."""
    cold = rows["cold"].kvl
    checks: dict[str, object] = {}
    for key in ("warm", "touched", "plugin", "plugin_warm", "plugin_kvl"):
        row = rows.get(key)
        if row is not None and row.kvl is not None and cold is not None:
            checks[f"{key} == cold"] = row.kvl == cold
    return checks


def targets(rows: dict[str, Row], results: dict[str, object]) -> dict[str, dict[str, object]]:
    base = rows["baseline"].median
    verdicts: dict[str, dict[str, object]] = {}
    base_cpu = statistics.median(rows["baseline"].cpu) if rows["baseline"].cpu else None
    for name, (key, limit, measure) in TARGETS.items():
        row = rows.get(key)
        ratio = row.median / base if row is not None and row.median and base else None
        cpu_ratio = statistics.median(row.cpu) / base_cpu if row is not None and row.cpu and base_cpu else None
        judged = cpu_ratio if measure == "cpu" else ratio
        verdicts[name] = {"value": ratio, "cpu_value": cpu_ratio, "limit": limit,
                          "pass": None if judged is None else judged <= limit}
    cold = rows["cold"]
    per_process = max(cold.rss_kb) / 1024 if cold.rss_kb else None
    total = results.get("cold_total_pss_mb")
    worst = max((m for m in (per_process, total) if m is not None), default=None)
    verdicts[f"peak memory of cold run < {MEMORY_LIMIT_MB} MB"] = {
        "value": worst, "limit": MEMORY_LIMIT_MB, "pass": None if worst is None else worst < MEMORY_LIMIT_MB,
    }
    return verdicts


def print_comparison(results: dict[str, object], out: Callable[[str], None]) -> None:
    stats, machine, versions = results["stats"], results["machine"], results["versions"]
    out("")
    out(f"keras-varlint benchmark, {results['date']}, revision {results['revision']}")
    out(f"machine: {machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}")
    out(f"load average (1/5/15 min): {machine['load_before']} before timing, {machine['load_after']} after")
    out("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    out(f"tree: {', '.join(results['trees'])}: {stats['files']} files, {stats['bytes'] / MB:.1f} MB; "
        f"{stats['class_files']} files pass the class prefilter; {stats['layer_classes']} layer classes "
        f"in {stats['components']} components")
    out(f"touched file (d): {results['touched']}")
    out(f"{results['repeat']} rounds, round-robin; keras-varlint -j {results['jobs'] or 'default (CPUs)'}; "
        "flake8 -j default (CPUs)")
    if results["plugin_unavailable"]:
        out(f"(e)/(f) unavailable: {results['plugin_unavailable']}")
    out("")
    base_cpu = next(iter(results["rows"].values()))["median_cpu_s"]
    out(f"{'command':<40} {'median':>8} {'min':>8} {'max':>8} {'x base':>7} {'CPU':>8} {'x base':>7} "
        f"{'peak RSS':>9} {'findings':>9} {'KVL':>5}")
    for row in results["rows"].values():
        if row["error"]:
            out(f"{row['label']:<40} FAILED: {row['error']}")
            continue
        ratio = f"{row['ratio_to_baseline']:.3f}" if row["ratio_to_baseline"] else "-"
        rss = f"{row['peak_rss_mb']:.0f} MB" if row["peak_rss_mb"] else "n/a"
        kvl = "-" if row["kvl_findings"] is None else row["kvl_findings"]
        cpu = row["median_cpu_s"]
        cpu_ratio = f"{cpu / base_cpu:.3f}" if cpu and base_cpu else "-"
        out(f"{row['label']:<40} {row['median_s']:>7.2f}s {row['min_s']:>7.2f}s {row['max_s']:>7.2f}s "
            f"{ratio:>7} {cpu or 0:>7.2f}s {cpu_ratio:>7} {rss:>9} {row['findings']:>9} {kvl:>5}")
    if results["cold_total_pss_mb"]:
        out(f"cold run, all processes together (sampled PSS): {results['cold_total_pss_mb']:.0f} MB")
    checks = results["consistency"]
    if checks:
        out("same KVL findings as the cold run: " + ", ".join(f"{k.split()[0]} {'yes' if v else 'NO'}"
                                                              for k, v in checks.items()))
    out("")
    out("targets (each on the measure its name gives; the other alongside as a check against load):")

    def shown(name: str, value: float) -> str:
        if "memory" in name:
            return f"{value:.0f} MB"
        return f"{(value - 1) * 100:+.0f}%" if "plugin" in name else f"{value:.3f} x"

    for name, verdict in results["targets"].items():
        value, cpu = verdict["value"], verdict.get("cpu_value")
        status = "UNAVAILABLE" if value is None else "PASS" if verdict["pass"] else "FAIL"
        cpu_text = f"(CPU {shown(name, cpu)})" if cpu is not None else ""
        out(f"  {name:<40} {shown(name, value) if value is not None else 'n/a':>10} {cpu_text:<16} {status}")


# -- scaling --------------------------------------------------------------------------------------


def scaling(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, object]:
    corpus = find_corpus(args.corpus)
    packages = [p for p in CORPUS_PACKAGES if (corpus / p).is_dir()]
    sets: dict[str, list[Path]] = {p: [corpus / p] for p in packages}
    sets[f"all {len(packages)}"] = [corpus / p for p in packages]
    env = child_env(args.venvs)
    kvl = bin_of("keras-varlint")
    jobs = ["-j", str(args.jobs)] if args.jobs else []
    work = Path(tempfile.mkdtemp(prefix="kvl-scaling-"))
    rows: list[Row] = []
    stats: dict[str, TreeStats] = {}
    try:
        for name, paths in sets.items():
            log(f"counting {name}")
            stats[name] = tree_stats(paths)
            cache = work / name.replace(" ", "-")
            argv = [*kvl, *map(str, paths), "--cache-dir", str(cache), *jobs]
            rows.append(Row(f"{name}:cold", f"{name} cold", argv, before=lambda c=cache: shutil.rmtree(c, True)))
            rows.append(Row(f"{name}:warm", f"{name} warm", argv))
        log(f"timing: {args.repeat} rounds, load average {load()}")
        load_before = load()
        for round_ in range(args.repeat):  # each warm run follows its own cold run, which fills the cache
            for row in rows:
                if row.before:
                    row.before()
                sample = run_timed(row.argv, work, env)
                row.record(sample)
                log(f"  round {round_ + 1}/{args.repeat}  {row.label:<34} {sample.wall:7.2f} s")
        load_after = load()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    by_key = {row.key: row for row in rows}
    table = []
    for name, s in stats.items():
        cold, warm = by_key[f"{name}:cold"], by_key[f"{name}:warm"]
        table.append({
            "set": name, "files": s.files, "mb": round(s.mb, 2), "class_files": s.class_files,
            "layer_classes": s.layer_classes, "components": s.components,
            "cold_s": cold.median, "warm_s": warm.median,
            "cold_cpu_s": statistics.median(cold.cpu) if cold.cpu else None,
            "warm_cpu_s": statistics.median(warm.cpu) if warm.cpu else None,
            "cold_peak_rss_mb": max(cold.rss_kb) / 1024 if cold.rss_kb else None,
            "errors": [r.error for r in (cold, warm) if r.error],
        })
    return {"date": datetime.datetime.now().isoformat(timespec="seconds"), "revision": git_revision(),
            "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after},
            "repeat": args.repeat, "table": table}


def print_scaling(results: dict[str, object], out: Callable[[str], None]) -> None:
    machine = results["machine"]
    out("")
    out(f"scaling, {results['date']}, revision {results['revision']}, {machine['cpus']} CPUs, "
        f"load {machine['load_before']} -> {machine['load_after']}, median of {results['repeat']}")
    out("cold = empty cache directory (includes writing the cache); warm = nothing changed")
    out(f"{'set':<20} {'files':>6} {'MB':>6} {'class files':>11} {'layers':>7} {'comps':>6} "
        f"{'cold':>8} {'cold CPU':>9} {'warm':>7} {'warm CPU':>9} {'CPU ms/layer':>13} {'peak RSS':>9}")
    for r in results["table"]:
        if r["errors"]:
            out(f"{r['set']:<20} FAILED: {'; '.join(r['errors'])}")
            continue
        cold_cpu, warm_cpu = r["cold_cpu_s"] or float("nan"), r["warm_cpu_s"] or float("nan")
        per_layer = 1000 * (cold_cpu - warm_cpu) / r["layer_classes"] if r["layer_classes"] else float("nan")
        rss = f"{r['cold_peak_rss_mb']:.0f} MB" if r["cold_peak_rss_mb"] else "n/a"
        out(f"{r['set']:<20} {r['files']:>6} {r['mb']:>6.1f} {r['class_files']:>11} {r['layer_classes']:>7} "
            f"{r['components']:>6} {r['cold_s']:>7.2f}s {cold_cpu:>8.2f}s {r['warm_s']:>6.2f}s {warm_cpu:>8.2f}s "
            f"{per_layer:>13.1f} {rss:>9}")
    out("CPU ms/layer = (cold CPU - warm CPU) / layer classes: the analysis cost of one candidate class")


# -- command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", type=Path, metavar="TREE",
                        help="trees to lint together (default: CORPUS/keras)")
    parser.add_argument("--corpus", type=Path, metavar="DIR", help="the directory fetch-corpus.sh filled")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="timed runs of each command (default 3)")
    parser.add_argument("-j", "--jobs", type=int, metavar="N", help="keras-varlint -j (default: its own, the CPUs)")
    parser.add_argument("--touch", metavar="FILE", help="file to touch for (d), inside the copied tree "
                        "(default: a file of the largest layer component)")
    parser.add_argument("--scaling", action="store_true", help="time every corpus package and all together")
    parser.add_argument("--plugin-warm", action="store_true", help="add row (e2): flake8 + plugin, cache kept")
    parser.add_argument("--select-kvl", action="store_true",
                        help="add row (f), flake8 --select KVL (as slow as (e): flake8 runs every plugin anyway)")
    parser.add_argument("--no-memory-run", action="store_true", help="skip the sampled all-process memory run")
    parser.add_argument("--venvs", type=Path, default=VENVS, help=f"where the baseline venv lives ({VENVS})")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the numbers to OUT")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy of the tree")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        if args.scaling:
            results = scaling(args, log)
            print_scaling(results, print)
        else:
            if args.repeat < 3:
                log("note: the targets ask for at least 3 repeats")
            results = compare(args, log)
            print_comparison(results, print)
    except BenchError as err:
        print(f"bench_lint.py: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
