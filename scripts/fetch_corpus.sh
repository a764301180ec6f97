#!/usr/bin/env bash
# Usage: scripts/fetch_corpus.sh DIR -- downloads the pinned packages of scripts/corpus.txt from PyPI
# and unpacks their .py files under DIR/<name>/ (the public corpus that coverage and precision are measured on).
set -euo pipefail
dest="${1:?usage: fetch_corpus.sh DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$dest/.dl"
grep -v '^#' "$here/corpus.txt" | while read -r spec; do
  [ -n "$spec" ] || continue
  name="${spec%%==*}"
  [ -d "$dest/$name" ] && continue
  python3 -m pip download -q --no-deps -d "$dest/.dl/$name" "$spec" >/dev/null
  mkdir -p "$dest/$name"
  for f in "$dest/.dl/$name"/*; do
    case "$f" in
      *.whl) python3 -c "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); [z.extract(n, sys.argv[2]) for n in z.namelist() if n.endswith('.py')]" "$f" "$dest/$name" ;;
      *.tar.gz) tar xzf "$f" -C "$dest/$name" --wildcards '*.py' ;;
    esac
  done
  echo "$name: $(find "$dest/$name" -name '*.py' | wc -l) files"
done
