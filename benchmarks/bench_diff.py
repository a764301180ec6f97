#!/usr/bin/env python3
"""What ``--diff`` costs over a plain run (issue 11: at most 1.5x on the keras tree).

    python benchmarks/bench_diff.py [TREE] [--repeat N] [--json OUT]

The tree (default: the ``keras`` package of the corpus, found as bench_lint.py finds it) is
copied to a temporary directory. Rows, interleaved round-robin with the starting row rotating:
cold ``keras-varlint TREE --no-cache`` and ``... --no-cache --diff``; warm (a filled cache,
nothing changed) ``keras-varlint TREE`` and ``... --diff``. Wall time is the median. The script
also checks that ``--diff`` wrote nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lint import CORPUS_CANDIDATES  # noqa: E402

EXE = [sys.executable, "-m", "keras_varlint.interfaces.cli"]


def digest(tree: Path) -> str:
    h = hashlib.blake2b()
    for path in sorted(tree.rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("tree", nargs="?")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    tree = Path(args.tree) if args.tree else next((c / "keras" for c in CORPUS_CANDIDATES if (c / "keras").is_dir()), None)
    if tree is None or not tree.is_dir():
        sys.exit("no tree: give one, or fetch the corpus (scripts/fetch_corpus.sh)")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / tree.name
        shutil.copytree(tree, copy)
        cache = Path(tmp) / "cache"
        rows = {
            "cold plain": [*EXE, str(copy), "--no-cache"],
            "cold --diff": [*EXE, str(copy), "--no-cache", "--diff"],
            "warm plain": [*EXE, str(copy), "--cache-dir", str(cache)],
            "warm --diff": [*EXE, str(copy), "--cache-dir", str(cache), "--diff"],
        }
        before = digest(copy)
        subprocess.run(rows["warm plain"], capture_output=True)  # fill the cache
        times: dict[str, list[float]] = {name: [] for name in rows}
        names = list(rows)
        for round_ in range(args.repeat):
            for name in names[round_ % len(names):] + names[: round_ % len(names)]:
                start = time.perf_counter()
                subprocess.run(rows[name], capture_output=True)
                times[name].append(time.perf_counter() - start)
        assert digest(copy) == before, "--diff wrote to the tree"
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, value in medians.items():
        print(f"{name:12} {value:7.2f} s  ({', '.join(f'{t:.2f}' for t in times[name])})")
    ratios = {"cold": medians["cold --diff"] / medians["cold plain"], "warm": medians["warm --diff"] / medians["warm plain"]}
    print(f"--diff / plain: cold {ratios['cold']:.2f}x, warm {ratios['warm']:.2f}x (target: at most 1.5x)")
    if args.json:
        Path(args.json).write_text(json.dumps({"tree": str(tree), "times": times, "medians": medians, "ratios": ratios}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
