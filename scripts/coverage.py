"""Measure what share of the Keras layer classes in real packages keras-varlint analyses.

Usage: python scripts/coverage.py [--corpus DIR] [--packages a,b] [--missed] [--json OUT]
                                  [--keras-varlint EXECUTABLE]

Run it with the Python of an environment that has keras and tf_keras installed (the project's
``.venv``): they give the seed names below. ``--corpus`` holds one folder of ``.py`` files per
package (default ``/work/corpus``); the default executable is the ``keras-varlint`` next to
``sys.executable``.

Ground truth (independent of the analyzer: keras_varlint is never imported)
----------------------------------------------------------------------------
Every ``.py`` file of a package is parsed with ``ast``; every ``class`` statement counts, at module
level, nested in a class or inside a function. Which of them are Keras layers is decided by names
only, as a fixpoint over the package:

1. Seed names: every class exported by ``keras``, ``keras.layers``, ``keras.models``, ``tf_keras``,
   ``tf_keras.layers`` and ``tf_keras.models`` that subclasses that Keras's ``Layer`` (``Dense``,
   ``Model``, ``Sequential``, ``Wrapper``...), plus the core names in ``CORE_SEEDS`` (which are
   also the whole seed set when neither Keras can be imported).
2. A base expression names its last dotted component: ``tf.keras.layers.Layer`` names ``Layer``;
   a subscript such as ``Base[T]`` names what ``Base`` names; any other expression (a call such as
   ``six.with_metaclass(...)``) names nothing.
3. A base is ignored when its head name is bound in the file only by imports from a non-Keras
   framework (``NON_KERAS_FRAMEWORKS``: torch, flax, jax...). The lookup is per file, over every
   ``import`` and ``from ... import`` statement in it, wherever it stands.
4. A class is a layer when one of its bases names a class of the package already judged a layer,
   or names a seed. A bare-name base (``class A(Pipeline)``) that is not imported from
   keras/tf_keras/tensorflow and is the name of a class defined in the package refers to that
   package class, not to the Keras seed of the same name: transformers' ``Pipeline`` classes are
   not ``keras.layers.Pipeline``.
5. Repeat 4 until nothing changes. Matching is by name across the package, not by import
   resolution, so a package class is "a layer" if any class of that name in it is one.
6. When the package is Keras itself (``keras`` or ``tf_keras``), its ``class Layer`` definitions
   are the roots: their bases are backend mixins (``BackendLayer``, ``Operation``, ``tf.Module``),
   so rule 4 alone would judge nothing in Keras a layer. They seed the package's layer names, so
   ``Dense(Layer)`` and ``Model(Trainer, Layer)`` are layers, but they are not counted in the
   ground truth: a root is the base the analyzer resolves to, not a user layer it analyses.

Measurement by probe
--------------------
The package is copied to a temporary directory and a probe method is appended to the body of
*every* class (a one-line body ``class A(B): pass`` is first rewritten to a block)::

    def _kvl_coverage_probe(self):  # kvl-coverage-probe
        self.trainable_weights = []

That is KVL009 (manual-trainable-weights): on for Keras 2 and 3, and reported from the assignment
alone, whatever else the class does. (KVL002, ``add_weight`` in ``call``, would need the probe to
replace ``call`` and stays silent when ``build`` or ``__init__`` reaches ``call``.) keras-varlint
runs on the copy with ``--select KVL009``; a class is *analysed* when a finding lands on its probe
assignment. Probing every class, not only the ground truth, also shows the classes the analyzer
treats as layers that the ground truth does not include.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

PROBE_CODE = "KVL009"
PROBE_METHOD = "_kvl_coverage_probe"
PROBE_MARK = "# kvl-coverage-probe"
CORE_SEEDS = frozenset(
    {"Layer", "Model", "Sequential", "Functional", "Wrapper", "InputLayer", "RNN", "AbstractRNNCell", "Dense",
     "EinsumDense", "Embedding", "Conv1D", "Conv2D", "Conv3D", "Dropout", "LayerNormalization", "BatchNormalization",
     "MultiHeadAttention", "Bidirectional", "TimeDistributed", "LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell"}
)
KERAS_MODULES = frozenset({"keras", "tf_keras", "tensorflow"})
NON_KERAS_FRAMEWORKS = frozenset(
    {"torch", "torchvision", "torchaudio", "flax", "jax", "jaxlib", "haiku", "equinox", "optax", "paddle",
     "mindspore", "mlx", "mxnet", "chainer", "theano", "tinygrad", "oneflow"}
)
KERAS_PACKAGES = frozenset({"keras", "tf_keras", "tf-keras"})
ROOT_NAMES = frozenset({"Layer"})
_NEWLINES = re.compile(r"\r\n|\r")


@dataclass
class ClassInfo:
    path: str  # relative to the package folder
    line: int
    qualname: str
    name: str
    bases: list[list[str]]  # the dotted names of the bases that name something
    origins: dict[str, set[str]]  # head name -> top-level modules it is imported from, in this file
    body_line: int  # where the first statement of the body starts (1-based line, UTF-8 byte column)
    body_col: int
    end_line: int  # the last line of the class

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line} {self.qualname}"


@dataclass
class SourceFile:
    path: str
    text: str  # newlines normalised to "\n"
    encoding: str
    tree: ast.Module


@dataclass
class PackageResult:
    package: str
    files: int
    unparsable: list[str]
    ground_truth: list[ClassInfo]
    analysed: list[ClassInfo]
    missed: list[ClassInfo]
    linter_only: list[ClassInfo]
    linter_errors: list[dict[str, Any]]
    seconds: float


# -- seeds ---------------------------------------------------------------------------------------


def seed_names() -> frozenset[str]:
    """Names of the Layer subclasses that keras and tf_keras export, plus ``CORE_SEEDS``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    names: set[str] = set()
    for package in ("keras", "tf_keras"):
        try:
            root = __import__(package)
            modules = [root, root.layers, root.models]
            layer = root.layers.Layer
        except Exception as exc:  # noqa: BLE001  (any failure to import means: use the core set)
            print(f"coverage: cannot import {package} ({exc}); its seeds are the core set", file=sys.stderr)
            continue
        for module in modules:
            for attr in dir(module):
                obj = getattr(module, attr, None)
                if inspect.isclass(obj) and issubclass(obj, layer):
                    names.update({attr, obj.__name__})
    return frozenset(names | CORE_SEEDS)


# -- ground truth --------------------------------------------------------------------------------


def read_source(path: Path, relative: str) -> SourceFile | None:
    raw = path.read_bytes()
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
        text = _NEWLINES.sub("\n", raw.decode(encoding))
        tree = ast.parse(text, filename=relative)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return SourceFile(relative, text, encoding, tree)


def dotted(expr: ast.expr) -> list[str] | None:
    """``a.b.C`` -> ["a", "b", "C"]; ``C[T]`` -> what ``C`` gives; anything else -> None."""
    if isinstance(expr, ast.Subscript):
        return dotted(expr.value)
    if isinstance(expr, ast.Name):
        return [expr.id]
    if isinstance(expr, ast.Attribute):
        head = dotted(expr.value)
        return None if head is None else [*head, expr.attr]
    return None


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement in ``body`` and in the blocks under it (``if``, ``try``, ``with``, loops,
    ``match``); the bodies of classes and functions are left to the caller."""
    for node in body:
        yield node
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(node, name, []))
        for handler in getattr(node, "handlers", []):
            yield from _statements(handler.body)
        for case in getattr(node, "cases", []):
            yield from _statements(case.body)


def import_origins(tree: ast.Module) -> dict[str, set[str]]:
    """Each name bound by an import statement anywhere in the file -> the top-level modules it
    comes from ("." for a relative import: the package itself)."""
    origins: dict[str, set[str]] = {}
    todo = [tree.body]
    while todo:
        for node in _statements(todo.pop()):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                todo.append(node.body)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.partition(".")[0]
                    origins.setdefault(bound, set()).add(alias.name.partition(".")[0])
            elif isinstance(node, ast.ImportFrom):
                top = "." if node.level else (node.module or "").partition(".")[0]
                for alias in node.names:
                    origins.setdefault(alias.asname or alias.name, set()).add(top)
    return origins


def classes_in(source: SourceFile) -> list[ClassInfo]:
    """Every class of the file: at module level, nested in classes, inside functions."""
    origins = import_origins(source.tree)
    found: list[ClassInfo] = []

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in _statements(body):
            if isinstance(node, ast.ClassDef):
                first = node.body[0]
                bases = [parts for parts in map(dotted, node.bases) if parts is not None]
                found.append(ClassInfo(source.path, node.lineno, prefix + node.name, node.name, bases, origins,
                                       first.lineno, first.col_offset, node.end_lineno or node.lineno))
                walk(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                walk(node.body, f"{prefix}{node.name}.<locals>.")

    walk(source.tree.body, "")
    return found


def ground_truth(classes: list[ClassInfo], seeds: frozenset[str], is_keras: bool) -> list[ClassInfo]:
    """The layer classes among ``classes``, by the fixpoint of the module docstring."""
    defined = {c.name for c in classes}
    roots = [c for c in classes if is_keras and c.name in ROOT_NAMES]
    layer_names = {c.name for c in roots}
    layers: dict[int, ClassInfo] = {}

    def names_layer(cls: ClassInfo, parts: list[str]) -> bool:
        origin = cls.origins.get(parts[0], set())
        if origin and origin <= NON_KERAS_FRAMEWORKS:
            return False
        last = parts[-1]
        if last in layer_names:
            return True
        if len(parts) == 1 and last in defined and not origin & KERAS_MODULES:
            return False  # a package class of that name, and it is not a layer
        return last in seeds

    changed = True
    while changed:
        changed = False
        for cls in classes:
            if id(cls) not in layers and any(names_layer(cls, parts) for parts in cls.bases):
                layers[id(cls)] = cls
                layer_names.add(cls.name)
                changed = True
    root_ids = {id(c) for c in roots}
    return [c for c in layers.values() if id(c) not in root_ids]


# -- probing -------------------------------------------------------------------------------------


def _char_prefix(line: str, byte_col: int) -> str:
    """The text of ``line`` before ``ast``'s UTF-8 byte offset ``byte_col``."""
    return line.encode("utf-8")[:byte_col].decode("utf-8")


def _indented(indent: str) -> str:
    """One level deeper than ``indent``, in the same whitespace character."""
    return indent + ("\t" if "\t" in indent else "    ")


def probe_source(source: SourceFile, classes: list[ClassInfo]) -> tuple[str, dict[int, ClassInfo]]:
    """The file with a probe method appended to every class, and probe line -> class."""
    lines = source.text.split("\n")
    split_at: dict[int, int] = {}  # 0-based line -> char column where a one-line body starts
    after: dict[int, list[tuple[str, ClassInfo]]] = {}  # 0-based line -> (body indent, class)
    for cls in classes:
        before = _char_prefix(lines[cls.body_line - 1], cls.body_col)
        if before.strip():  # `class A(B): pass`: the body shares the header's line
            class_line = lines[cls.line - 1]
            indent = _indented(class_line[: len(class_line) - len(class_line.lstrip())])
            split_at[cls.body_line - 1] = len(before)
        else:
            indent = before
        after.setdefault(cls.end_line - 1, []).append((indent, cls))
    out: list[str] = []
    probes: dict[int, ClassInfo] = {}
    for number, line in enumerate(lines):
        if number in split_at:
            col = split_at[number]
            header = line[:col].rstrip()
            out += [header, _indented(header[: len(header) - len(header.lstrip())]) + line[col:]]
        else:
            out.append(line)
        # Deeper classes first: a nested class may end on its enclosing class's last line.
        for indent, cls in sorted(after.get(number, []), key=lambda item: -len(item[0])):
            out.append(f"{indent}def {PROBE_METHOD}(self):  {PROBE_MARK}")
            out.append(f"{_indented(indent)}self.trainable_weights = []")
            probes[len(out)] = cls
    return "\n".join(out), probes


def run_linter(executable: str, root: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """keras-varlint's probe findings and errors for the tree at ``root``."""
    config = root / "pyproject.toml"  # an empty table: no inherited configuration can interfere
    config.write_text("[tool.keras-varlint]\n")
    command = [executable, "--no-cache", "--select", PROBE_CODE, "--format", "json", "-j", "2",
               "--config", str(config), "."]
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"keras-varlint printed no JSON report ({exc}):\n{proc.stderr[-2000:]}") from exc
    if not isinstance(report, dict) or report.get("version") != 1:
        raise RuntimeError(f"unexpected JSON report version: {str(report)[:200]}")
    findings = [f for f in report.get("findings", []) if isinstance(f, dict) and f.get("code") == PROBE_CODE]
    return findings, list(report.get("errors", []))


def measure(package_dir: Path, seeds: frozenset[str], executable: str) -> PackageResult:
    start = time.perf_counter()
    files = sorted(package_dir.rglob("*.py"))
    unparsable: list[str] = []
    all_classes: list[ClassInfo] = []
    probes: dict[tuple[str, int], ClassInfo] = {}
    with tempfile.TemporaryDirectory(prefix="kvl-coverage-") as tmp:
        root = Path(tmp)
        for path in files:  # one file at a time: holding every tree slows the parser down badly
            relative = path.relative_to(package_dir).as_posix()
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            source = read_source(path, relative)
            classes = classes_in(source) if source is not None else []
            if source is None or not classes:
                if source is None:
                    unparsable.append(relative)
                shutil.copyfile(path, target)
                continue
            text, lines = probe_source(source, classes)
            ast.parse(text, filename=relative)  # a probe that breaks the file is a bug here
            target.write_text(text, encoding=source.encoding, newline="\n")
            all_classes += classes
            probes.update({(relative, line): cls for line, cls in lines.items()})
        findings, errors = run_linter(executable, root)
    truth = ground_truth(all_classes, seeds, package_dir.name in KERAS_PACKAGES)
    hit: dict[int, ClassInfo] = {}
    for finding in findings:
        path, line = finding.get("path"), finding.get("line")
        if isinstance(path, str) and isinstance(line, int):
            cls = probes.get((Path(os.path.normpath(path)).as_posix(), line))
            if cls is not None:
                hit[id(cls)] = cls
    truth_ids = {id(c) for c in truth}
    return PackageResult(
        package=package_dir.name,
        files=len(files),
        unparsable=unparsable,
        ground_truth=truth,
        analysed=[c for c in truth if id(c) in hit],
        missed=[c for c in truth if id(c) not in hit],
        linter_only=[c for c in hit.values() if id(c) not in truth_ids],
        linter_errors=errors,
        seconds=time.perf_counter() - start,
    )


# -- report --------------------------------------------------------------------------------------


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def by_place(classes: list[ClassInfo]) -> list[ClassInfo]:
    return sorted(classes, key=lambda c: (c.path, c.line))


def print_table(results: list[PackageResult]) -> None:
    print("| package | layer classes (ground truth) | analysed | share |")
    print("| --- | ---: | ---: | ---: |")
    rows = [(r.package, len(r.ground_truth), len(r.analysed)) for r in results]
    rows.append(("**total**", sum(row[1] for row in rows), sum(row[2] for row in rows)))
    for name, truth, analysed in rows:
        print(f"| {name} | {truth} | {analysed} | {share(analysed, truth)} |")


def print_missed(results: list[PackageResult]) -> None:
    for r in results:
        print(f"\n## {r.package}\n")
        print(f"{len(r.missed)} ground-truth classes without a probe finding:")
        for cls in by_place(r.missed):
            print(f"  {cls.label}")
        print(f"{len(r.linter_only)} classes probed by keras-varlint but not in the ground truth:")
        for cls in by_place(r.linter_only):
            print(f"  {cls.label}")
        for path in r.unparsable:
            print(f"  not parsed by ast (no ground truth): {path}")
        for error in r.linter_errors:
            print(f"  keras-varlint error: {error}")


def to_json(results: list[PackageResult]) -> dict[str, Any]:
    def labels(classes: list[ClassInfo]) -> list[dict[str, Any]]:
        return [{"path": c.path, "line": c.line, "class": c.qualname} for c in by_place(classes)]

    return {
        "probe": PROBE_CODE,
        "packages": [
            {"package": r.package, "files": r.files, "seconds": round(r.seconds, 1),
             "ground_truth": len(r.ground_truth), "analysed": len(r.analysed),
             "missed": labels(r.missed), "linter_only": labels(r.linter_only),
             "unparsable": r.unparsable, "linter_errors": r.linter_errors}
            for r in results
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus"), help="one folder per package")
    parser.add_argument("--packages", default="", help="comma-separated package folders (default: all)")
    parser.add_argument("--missed", action="store_true", help="list the classes on which the two sides disagree")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument("--keras-varlint", dest="executable", metavar="PATH",
                        default=str(Path(sys.executable).parent / "keras-varlint"),
                        help="the keras-varlint executable (default: the one next to this Python)")
    args = parser.parse_args()
    wanted = [p.strip() for p in args.packages.split(",") if p.strip()]
    packages = [args.corpus / p for p in wanted] if wanted else sorted(
        p for p in args.corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    missing = [p.name for p in packages if not p.is_dir()]
    if missing:
        parser.error(f"no such package folder in {args.corpus}: {', '.join(missing)}")
    seeds = seed_names()
    results = []
    for package in packages:
        results.append(measure(package, seeds, args.executable))
        r = results[-1]
        print(f"coverage: {r.package}: {len(r.analysed)}/{len(r.ground_truth)} in {r.seconds:.1f}s", file=sys.stderr)
    print_table(results)
    if args.missed:
        print_missed(results)
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=2) + "\n")


if __name__ == "__main__":
    main()
