"""Lint each package of the public corpus and print finding counts and every finding with its line.

Usage: python scripts/corpus_report.py CORPUS_DIR [--select CODES]
CORPUS_DIR is what ``scripts/fetch_corpus.sh CORPUS_DIR`` produced (one folder per package).
The output is the raw material of docs/corpus-review.md, where each finding is judged.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

from keras_varlint.engine import lint_paths
from keras_varlint.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--select", default="", help="comma-separated codes (default: the default rule set)")
    args = parser.parse_args()
    select = [c for c in args.select.split(",") if c]
    packages = sorted(p for p in args.corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    rows, details = [], []
    for package in packages:
        start = time.perf_counter()
        result = lint_paths([package], Settings(select=select, use_cache=False))
        elapsed = time.perf_counter() - start
        counts = collections.Counter(f.code for f in result.findings)
        rows.append((package.name, result.files, elapsed, counts))
        for f in result.findings:
            source = Path(f.extra.get("file", f.path)).read_text(errors="replace").split("\n")
            line = source[f.line - 1].strip() if 0 < f.line <= len(source) else ""
            details.append(f"{f.path}:{f.line}:{f.column + 1}: {f.code} [{f.layer}] {f.message}\n    {line}")
    codes = sorted({c for *_, counts in rows for c in counts})
    print("| package | files | time (s) | " + " | ".join(codes) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in codes) + " |")
    for name, files, elapsed, counts in rows:
        print(f"| {name} | {files} | {elapsed:.1f} | " + " | ".join(str(counts.get(c, 0)) for c in codes) + " |")
    print()
    print("\n".join(details))


if __name__ == "__main__":
    main()
