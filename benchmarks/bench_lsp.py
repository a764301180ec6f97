#!/usr/bin/env python3
"""Latency of ``keras-varlint server`` per keystroke (issue 13: under 100 ms on a 2,000-line file
in a project the size of the keras tree).

    python benchmarks/bench_lsp.py [TREE] [--changes N] [--json OUT]

The tree (default: the ``keras`` package of the corpus, found as bench_lint.py finds it) is
copied to a temporary directory, and a 2,000-line module of layer classes is written into it.
A real LSP client (pygls's ``LanguageClient``) starts the server over stdio, opens that module
(the first diagnostics index the whole project: reported as "open"), then sends N whole-document
changes, alternating a buggy and a clean version of one class, and times each change until its
diagnostics arrive. Reported: the median and the 90th percentile per change, and the open time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lint import CORPUS_CANDIDATES  # noqa: E402

LAYER = '''

class Bench{i}(keras.layers.Layer):
    """A layer of the benchmark module."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(units)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")
        self.scale = self.add_weight(shape=(), initializer="ones")
        super().build(input_shape)

    def call(self, inputs, training=None):
        x = ops.matmul(inputs, self.kernel) + self.bias
        x = x * self.scale
        y = self.dense(inputs)
        if training:
            x = x + 0.0
        return x + y

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update({{"units": self.units}})
        return config
'''


def module(lines: int, buggy: bool) -> str:
    text = "import tensorflow as tf\nimport keras\nfrom keras import ops\n"
    i = 0
    while text.count("\n") < lines:
        text += LAYER.format(i=i)
        i += 1
    if buggy:  # the first class keeps its scale in a raw tf.Variable: one KVL001
        text = text.replace('self.scale = self.add_weight(shape=(), initializer="ones")', "self.scale = tf.Variable(1.0)", 1)
    return text


async def measure(root: Path, path: Path, changes: int) -> dict:
    from lsprotocol import types as lsp
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("bench", "1")
    queue: asyncio.Queue = asyncio.Queue()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params) -> None:
        queue.put_nowait(params)

    async def diagnostics() -> list:
        while True:
            params = await asyncio.wait_for(queue.get(), timeout=900)
            if params.uri == uri:
                return list(params.diagnostics)

    uri = path.as_uri()
    await client.start_io(sys.executable, "-m", "keras_varlint.interfaces.cli", "server", cwd=str(root))
    await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), root_uri=root.as_uri()))
    client.initialized(lsp.InitializedParams())
    buggy, clean = module(2000, True), module(2000, False)
    started = time.perf_counter()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, buggy)))
    assert [d.code for d in await diagnostics()] == ["KVL001"]
    opened = time.perf_counter() - started
    times = []
    for version in range(2, changes + 2):
        text = buggy if version % 2 else clean
        started = time.perf_counter()
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), [lsp.TextDocumentContentChangeWholeDocument(text=text)]))
        found = await diagnostics()
        times.append(time.perf_counter() - started)
        assert len(found) == (1 if version % 2 else 0), found
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    times.sort()
    return {"file_lines": buggy.count("\n"), "open_s": round(opened, 2),
            "median_ms": round(statistics.median(times) * 1000, 1),
            "p90_ms": round(times[int(len(times) * 0.9) - 1] * 1000, 1), "changes": len(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", help="the project to serve (default: the corpus's keras)")
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--json", help="write the figures to this file too")
    args = parser.parse_args()
    tree = Path(args.tree) if args.tree else next((c / "keras" for c in CORPUS_CANDIDATES if (c / "keras").is_dir()), None)
    if tree is None or not tree.is_dir():
        print("no tree: give one, or fetch the corpus with scripts/fetch_corpus.sh", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / tree.name
        shutil.copytree(tree, root, ignore=shutil.ignore_patterns(".git", ".keras_varlint_cache"))
        files = sum(1 for _ in root.rglob("*.py"))
        path = root / "bench_layers.py"
        path.write_text(module(2000, False))
        figures = {"tree": str(tree), "python_files": files, **asyncio.run(measure(root, path, args.changes))}
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
