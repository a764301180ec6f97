"""The on-disk cache: per-file summaries and per-component findings, keyed by content.

One JSON file per tool version under ``.keras_varlint_cache/``. Entries are validated against the
current file digests and the answers to every cross-file question their analysis asked, so a
cached result is reused only when recomputing it would give the same answer. Writes are atomic
(temp file + rename): concurrent runs never see a torn file, and a corrupt file is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from keras_varlint import __version__
from keras_varlint.discovery.bindings import ClassHeader, ModuleSummary

CACHE_DIR_NAME = ".keras_varlint_cache"


def analyzer_fingerprint() -> str:
    """A digest of the tool's own source, so a changed analyzer never reuses old results."""
    package = Path(__file__).parent
    digest = hashlib.blake2b(__version__.encode(), digest_size=8)
    for path in sorted(package.rglob("*.py")):
        if "runtime" not in path.parts and "interfaces" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_file_name() -> str:
    return f"v{__version__}-{analyzer_fingerprint()}.json"


def fingerprint(*parts: object) -> str:
    return hashlib.blake2b(json.dumps(parts, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()


def summary_to_json(summary: ModuleSummary) -> dict[str, Any]:
    data = asdict(summary)
    data["functions"] = sorted(summary.functions)
    return data


def summary_from_json(data: dict[str, Any]) -> ModuleSummary:
    data = dict(data)
    data["classes"] = [ClassHeader(**{**c, "bases": tuple(c["bases"])}) for c in data["classes"]]
    data["functions"] = frozenset(data["functions"])
    if data.get("syntax_error") is not None:
        data["syntax_error"] = tuple(data["syntax_error"])
    return ModuleSummary(**data)


class Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / cache_file_name()
        self.summaries: dict[str, list] = {}  # path -> [digest, summary json]
        self.components: dict[str, dict[str, Any]] = {}
        self.reads: dict[str, list[str]] = {}  # file digest -> attribute names read as obj.name in it
        self.dirty = False
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return  # missing, unreadable or corrupt: start afresh and rewrite it
        if not isinstance(data, dict):
            return
        summaries, components, reads = data.get("summaries"), data.get("components"), data.get("reads")
        if isinstance(reads, dict):
            self.reads = {k: v for k, v in reads.items() if isinstance(v, list) and all(isinstance(n, str) for n in v)}
        if isinstance(summaries, dict):
            self.summaries = {k: v for k, v in summaries.items() if isinstance(v, list) and len(v) == 2}
        if isinstance(components, dict):
            self.components = {k: v for k, v in components.items() if isinstance(v, dict)}

    def summary(self, path: str, digest: str, module: str) -> ModuleSummary | None:
        """The summary of ``path`` if its content and its module name (which the ``__init__.py``
        files above it decide, and relative imports depend on) are unchanged."""
        entry = self.summaries.get(path)
        if entry and entry[0] == digest:
            try:
                summary = summary_from_json(entry[1])
            except Exception:  # any damage in the entry: summarise the file again
                return None
            return summary if summary.module == module else None
        return None

    def put_summary(self, path: str, digest: str, summary: ModuleSummary) -> None:
        self.summaries[path] = [digest, summary_to_json(summary)]
        self.dirty = True

    def attribute_reads(self, digest: str) -> set[str] | None:
        """The attribute names a file (by content) reads as ``obj.name``, if it was parsed for them."""
        names = self.reads.get(digest)
        return set(names) if names is not None else None

    def put_attribute_reads(self, digest: str, names: set[str]) -> None:
        self.reads[digest] = sorted(names)
        self.dirty = True

    def component(self, key: str) -> dict[str, Any] | None:
        return self.components.get(key)

    def put_component(self, key: str, entry: dict[str, Any]) -> None:
        self.components[key] = entry
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by keras-varlint\n*\n")
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w") as out:
                    # dumps, not dump: only the one-shot encoder is C; dump's streaming one is Python
                    out.write(json.dumps({"summaries": self.summaries, "components": self.components, "reads": self.reads}))
                os.replace(tmp, self.path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            for stale in self.directory.glob("v*.json"):  # left by other versions of the tool
                if stale != self.path:
                    stale.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only tree just runs uncached
