"""Measure what share of the Keras layer classes in real packages keras-varlint analyses.

Usage: python scripts/coverage.py [--corpus DIR] [--packages a,b] [--missed] [--json OUT]
                                  [--keras-varlint EXECUTABLE]

Run it with the Python of an environment that has keras and tf_keras installed (the project's
``.venv``): they give the seed names below. ``--corpus`` holds one folder of ``.py`` files per
package, as ``scripts/fetch_corpus.sh DIR`` fills it (default ``../corpus`` beside the
repository); the default executable is the ``keras-varlint`` next to ``sys.executable``.
Packages are measured one at a time.

Ground truth (independent of the analyzer: keras_varlint is never imported)
----------------------------------------------------------------------------
Every ``.py`` file of a package is parsed with ``ast``; every ``class`` statement counts, at module
level, nested in a class or inside a function. Which of them are Keras layers is a fixpoint over
the package:

1. Seed names: every class in ``keras``, ``keras.layers`` (and its public submodules, such as
   ``layers.experimental``), ``keras.models``, and the same for ``tf_keras``, that subclasses that
   Keras's ``Layer`` (``Dense``, ``Model``, ``Sequential``, ``PreprocessingLayer``...), plus the
   names in ``CORE_SEEDS`` (the whole seed set when neither Keras can be imported).
2. A base is a dotted name: ``tf.keras.layers.Layer``; a subscript ``Base[T]`` counts as ``Base``.
   Any other expression (a call such as ``six.with_metaclass(M, Layer)``) is ignored.
3. Its head name is looked up in the class's own file: a module-level class of that name (for a
   bare name); a module-level assignment of a dotted name (``layers = tf_keras.layers``), which is
   substituted and looked up again; else the ``import``/``from ... import`` statements binding it,
   wherever they stand (``try``/``if`` branches and function bodies included; all are kept).
4. A head bound only by imports from a non-Keras framework or library (``NON_KERAS_MODULES``:
   torch, flax, jax, gym...) makes the base no layer: transformers' PyTorch and Flax classes
   reuse the names of Keras layers, and so does ``gym.Wrapper``.
5. Otherwise the base is resolved inside the package where it can be: the imported dotted name
   plus the rest of the base, read as a module of the package and a name in it that is looked up
   there as in rule 3, so re-exports (``from .x import C`` in an ``__init__``) and aliases
   (``Wrapper = keras.layers.Wrapper``) are followed. A module's dotted name is its
   path under the package folder, without leading folders that are not identifiers or that hold
   no ``.py`` file (``tensorflow_gnn-1.0.3.data/platlib/``). A resolved base is a layer when the
   class it resolves to is.
6. A base that cannot be resolved that way (external modules such as ``tf.keras``, attributes of
   package modules that are not classes, star imports, classes local to a function) is a layer
   when its last component is a seed name or the name of a class of the package judged a layer.
7. A class is a layer when one of its bases is. Repeat until nothing changes.
8. When the package is Keras itself (``keras`` or ``tf_keras``), its module-level ``class Layer``
   definitions are the roots: their bases are backend mixins (``BackendLayer``, ``Operation``,
   ``tf.Module``), so without them nothing in Keras would be a layer. They count as layers for
   rules 5-7 but are not in the ground truth: a root is what the analyzer resolves other
   classes to, not a layer written on top of Keras.

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
import types
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Iterator

PROBE_CODE = "KVL009"
PROBE_METHOD = "_kvl_coverage_probe"
PROBE_MARK = "# kvl-coverage-probe"
CORE_SEEDS = frozenset(
    {"Layer", "Model", "Sequential", "Functional", "Wrapper", "InputLayer", "RNN", "AbstractRNNCell", "Dense",
     "EinsumDense", "Embedding", "Conv1D", "Conv2D", "Conv3D", "Dropout", "LayerNormalization", "BatchNormalization",
     "MultiHeadAttention", "Bidirectional", "TimeDistributed", "LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell",
     "PreprocessingLayer"}
)
NON_KERAS_MODULES = frozenset(  # frameworks and libraries whose class names clash with Keras layers'
    {"torch", "torchvision", "torchaudio", "flax", "jax", "jaxlib", "haiku", "equinox", "optax", "paddle",
     "mindspore", "mlx", "mxnet", "chainer", "theano", "tinygrad", "oneflow", "gym", "gymnasium", "dm_env",
     "sklearn"}
)
KERAS_PACKAGES = frozenset({"keras", "tf_keras", "tf-keras"})
ROOT_NAME = "Layer"
_NEWLINES = re.compile(r"\r\n|\r")


@dataclass(eq=False)
class ClassInfo:
    path: str  # relative to the package folder
    line: int
    qualname: str
    module: ModuleInfo = field(repr=False)  # the file defining it
    bases: list[list[str]]  # the bases that are dotted names, split at the dots
    body_line: int  # where the first statement of the body starts (1-based line, UTF-8 byte column)
    body_col: int
    end_line: int  # the last line of the class

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line} {self.qualname}"


@dataclass(eq=False)
class ModuleInfo:
    name: str
    is_package: bool  # an __init__.py
    imports: dict[str, list[str]] = field(default_factory=dict)  # bound name -> dotted names it may be
    aliases: dict[str, list[str]] = field(default_factory=dict)  # `layers = tf.keras.layers` -> ["tf", ...]
    classes: dict[str, ClassInfo] = field(default_factory=dict)  # module-level classes by name


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
    unresolved: dict[ClassInfo, str]  # keras-varlint's reason, for the classes it could not resolve
    probed: int  # classes with a probe finding, in the ground truth or not
    linter_layers: int | None  # layer classes keras-varlint says it analysed: should equal ``probed``
    linter_errors: list[dict[str, Any]]
    seconds: float


# -- seeds ---------------------------------------------------------------------------------------


def seed_names() -> frozenset[str]:
    """Names of the Layer subclasses keras and tf_keras export (rule 1), plus ``CORE_SEEDS``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    names: set[str] = set()
    for package in ("keras", "tf_keras"):
        try:
            root = __import__(package)
            modules = [root, root.models, root.layers]
            layer = root.layers.Layer
        except Exception as exc:  # noqa: BLE001  (any failure to import means: use the core set)
            print(f"coverage: cannot import {package} ({exc}); its seeds are the core set", file=sys.stderr)
            continue
        seen: set[str] = set()
        while modules:
            module = modules.pop()
            seen.add(module.__name__)
            for attr in dir(module):
                obj = getattr(module, attr, None)
                if inspect.isclass(obj) and issubclass(obj, layer):
                    names.update({attr, obj.__name__})
                elif (isinstance(obj, types.ModuleType) and not attr.startswith("_") and module is not root
                      and obj.__name__.startswith(module.__name__ + ".") and obj.__name__ not in seen):
                    modules.append(obj)  # public submodules of layers and models only
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


class ModuleNamer:
    """Dotted module names from paths under a package folder (rule 5)."""

    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir
        self._holds: dict[str, bool] = {}  # folder -> whether it directly holds a .py file

    def _holds_python(self, folder: str) -> bool:
        if folder not in self._holds:
            self._holds[folder] = any((self.package_dir / folder).glob("*.py"))
        return self._holds[folder]

    def __call__(self, relative: str) -> tuple[str, bool]:
        """The module name of the file at ``relative``, and whether it is a package's ``__init__``."""
        parts = relative[: -len(".py")].split("/")
        start = 0
        for i in range(len(parts) - 1):
            if not parts[i].isidentifier() or not self._holds_python("/".join(parts[: i + 1])):
                start = i + 1
            else:
                break
        is_package = parts[-1] == "__init__"
        return ".".join(parts[start:-1] if is_package else parts[start:]), is_package


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


def _bind_import(module: ModuleInfo, node: ast.Import | ast.ImportFrom) -> None:
    """Record the dotted names an import statement binds (relative ones made absolute)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            bound, target = (alias.asname, alias.name) if alias.asname else ((alias.name.partition(".")[0],) * 2)
            module.imports.setdefault(bound, []).append(target)
        return
    source = node.module or ""
    if node.level:
        package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        source = ".".join([*package, *([source] if source else [])])
    for alias in node.names:
        if alias.name != "*":
            module.imports.setdefault(alias.asname or alias.name, []).append(f"{source}.{alias.name}")


def scan(source: SourceFile, name: str, is_package: bool) -> tuple[ModuleInfo, list[ClassInfo]]:
    """The file's imports and module-level classes, and every class in it."""
    module = ModuleInfo(name, is_package)
    found: list[ClassInfo] = []

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in _statements(body):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                _bind_import(module, node)
            elif isinstance(node, ast.Assign) and not prefix and len(node.targets) == 1:
                target, value = node.targets[0], dotted(node.value)
                if isinstance(target, ast.Name) and value is not None:
                    module.aliases[target.id] = value
            elif isinstance(node, ast.ClassDef):
                first = node.body[0]
                bases = [parts for parts in map(dotted, node.bases) if parts is not None]
                cls = ClassInfo(source.path, node.lineno, prefix + node.name, module, bases,
                                first.lineno, first.col_offset, node.end_lineno or node.lineno)
                found.append(cls)
                if not prefix:
                    module.classes[node.name] = cls
                walk(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                walk(node.body, f"{prefix}{node.name}.<locals>.")

    walk(source.tree.body, "")
    return module, found


@dataclass
class Base:
    """What a base expression was resolved to: package classes (rule 5), else a name (rule 6)."""

    targets: list[ClassInfo]
    name: str | None  # None with no targets: a non-Keras framework's class (rule 4)


def ground_truth(modules: dict[str, ModuleInfo], classes: list[ClassInfo], seeds: frozenset[str],
                 is_keras: bool) -> list[ClassInfo]:
    """The layer classes among ``classes``, by the rules of the module docstring."""

    def lookup(module: ModuleInfo, parts: list[str], depth: int = 0) -> Base:
        """What the dotted name ``parts`` names when read in ``module`` (rules 3 to 6)."""
        head = parts[0]
        if len(parts) == 1 and head in module.classes:
            return Base([module.classes[head]], None)
        if depth > 20:  # an import cycle
            return Base([], parts[-1])
        if head in module.aliases:
            return lookup(module, [*module.aliases[head], *parts[1:]], depth + 1)
        imported = module.imports.get(head, [])
        if imported and all(q.partition(".")[0] in NON_KERAS_MODULES for q in imported):
            return Base([], None)
        targets = []
        for qualified in imported:
            full = [*qualified.split("."), *parts[1:]]
            owner = modules.get(".".join(full[:-1]))
            if owner is not None:
                targets += lookup(owner, full[-1:], depth + 1).targets
        return Base(targets, None if targets else parts[-1])

    links = {cls: [lookup(cls.module, parts) for parts in cls.bases] for cls in classes}
    roots = {cls for cls in classes if is_keras and cls.qualname == ROOT_NAME}
    layers = set(roots)
    layer_names = {ROOT_NAME} if roots else set()

    def is_layer(link: Base) -> bool:
        if link.targets:
            return any(t in layers for t in link.targets)
        return link.name is not None and (link.name in seeds or link.name in layer_names)

    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls not in layers and any(map(is_layer, links[cls])):
                layers.add(cls)
                layer_names.add(cls.qualname.rpartition(".")[2])
                changed = True
    return [cls for cls in classes if cls in layers and cls not in roots]


# -- probing -------------------------------------------------------------------------------------


def _char_prefix(line: str, byte_col: int) -> str:
    """The text of ``line`` before ``ast``'s UTF-8 byte offset ``byte_col``."""
    return line.encode("utf-8")[:byte_col].decode("utf-8")


def _indented(indent: str) -> str:
    """One level deeper than ``indent``, in the same whitespace character."""
    return indent + ("\t" if "\t" in indent else "    ")


@dataclass
class ProbedFile:
    text: str
    probes: dict[int, ClassInfo]  # line of a probe assignment -> its class
    lines: dict[ClassInfo, int]  # class -> line of its ``class`` keyword in ``text``


def probe_source(source: SourceFile, classes: list[ClassInfo]) -> ProbedFile:
    """The file with a probe method appended to the body of every class in ``classes``."""
    lines = source.text.split("\n")
    split_at: dict[int, tuple[int, str]] = {}  # 0-based line -> (column where a one-line body starts, indent)
    after: dict[int, list[tuple[str, ClassInfo]]] = {}  # 0-based line -> (body indent, class)
    for cls in classes:
        before = _char_prefix(lines[cls.body_line - 1], cls.body_col)
        if before.strip():  # `class A(B): pass`: the body shares the header's (last) line
            class_line = lines[cls.line - 1]
            indent = _indented(class_line[: len(class_line) - len(class_line.lstrip())])
            split_at[cls.body_line - 1] = (len(before), indent)
        else:
            indent = before
        after.setdefault(cls.end_line - 1, []).append((indent, cls))
    starts = {cls.line - 1: cls for cls in classes}
    probed = ProbedFile("", {}, {})
    out: list[str] = []
    for number, line in enumerate(lines):
        if number in starts:
            probed.lines[starts[number]] = len(out) + 1
        if number in split_at:
            col, indent = split_at[number]
            out += [line[:col].rstrip(), indent + line[col:]]
        else:
            out.append(line)
        # Deeper classes first: a nested class may end on its enclosing class's last line.
        for indent, cls in sorted(after.get(number, []), key=lambda item: -len(item[0])):
            out.append(f"{indent}def {PROBE_METHOD}(self):  {PROBE_MARK}")
            out.append(f"{_indented(indent)}self.trainable_weights = []")
            probed.probes[len(out)] = cls
    probed.text = "\n".join(out)
    return probed


@dataclass
class LinterReport:
    probe_lines: set[tuple[str, int]]  # (path, line) of each probe-code finding
    unresolved: dict[tuple[str, int], str]  # (path, line) of a class -> why its bases did not resolve
    layers: int | None  # how many layer classes keras-varlint says it analysed, when it says
    errors: list[dict[str, Any]]


def _place(entry: dict[str, Any]) -> tuple[str, int] | None:
    path, line = entry.get("path"), entry.get("line")
    if isinstance(path, str) and isinstance(line, int):
        return Path(os.path.normpath(path)).as_posix(), line
    return None


def run_linter(executable: str, root: Path) -> LinterReport:
    """Run keras-varlint on the probed tree at ``root`` and read its JSON report."""
    config = root / "pyproject.toml"  # an empty table: no configuration from above can interfere
    config.write_text("[tool.keras-varlint]\n")
    command = [executable, "--no-cache", "--select", PROBE_CODE, "--format", "json", "-j", "2",
               "--config", str(config), "."]
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    try:  # the report is the whole of stdout; tolerate stray lines around it all the same
        report = json.loads(proc.stdout[proc.stdout.find("{"):proc.stdout.rfind("}") + 1])
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"keras-varlint printed no JSON report ({exc}):\n{proc.stderr[-2000:]}") from exc
    if not isinstance(report, dict) or report.get("version") != 1:
        raise RuntimeError(f"not a version 1 keras-varlint JSON report: {proc.stdout[:200]!r}")

    def entries(key: str) -> list[dict[str, Any]]:
        value = report.get(key)
        return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []

    findings = [_place(f) for f in entries("findings") if f.get("code") == PROBE_CODE]
    unresolved = {place: str(e.get("reason", "")) for e in entries("unresolved") if (place := _place(e))}
    layers = report.get("layers")
    return LinterReport({f for f in findings if f}, unresolved, layers if isinstance(layers, int) else None,
                        entries("errors"))


@dataclass
class CopyJob:
    source: Path
    target: Path
    relative: str  # path under the package folder
    module: str  # dotted module name
    is_package: bool


def copy_probed(job: CopyJob) -> tuple[ModuleInfo, list[ClassInfo], ProbedFile] | None:
    """Write the file, probed, to ``job.target``; None when ``ast`` cannot parse it (copied as is)."""
    job.target.parent.mkdir(parents=True, exist_ok=True)
    source = read_source(job.source, job.relative)
    if source is None:
        shutil.copyfile(job.source, job.target)
        return None
    module, classes = scan(source, job.module, job.is_package)
    probed = probe_source(source, classes)
    if classes:
        ast.parse(probed.text, filename=job.relative)  # a probe that breaks the file is a bug here
    job.target.write_text(probed.text, encoding=source.encoding, newline="\n")
    return module, classes, probed


def measure(package_dir: Path, seeds: frozenset[str], executable: str) -> PackageResult:
    start = time.perf_counter()
    files = sorted(package_dir.rglob("*.py"))
    module_name = ModuleNamer(package_dir)
    unparsable: list[str] = []
    modules: dict[str, ModuleInfo] = {}
    all_classes: list[ClassInfo] = []
    probes: dict[tuple[str, int], ClassInfo] = {}
    places: dict[tuple[str, int], ClassInfo] = {}  # where each class is in the probed copy
    # spawn, not fork: this process has imported TensorFlow (for the seeds), and its threads
    with tempfile.TemporaryDirectory(prefix="kvl-coverage-") as tmp, \
            ProcessPoolExecutor(mp_context=get_context("spawn")) as pool:
        jobs = []
        for path in files:
            relative = path.relative_to(package_dir).as_posix()
            jobs.append(CopyJob(path, Path(tmp, relative), relative, *module_name(relative)))
        for job, done in zip(jobs, pool.map(copy_probed, jobs, chunksize=16)):
            if done is None:
                unparsable.append(job.relative)
                continue
            module, classes, probed = done
            modules.setdefault(module.name, module)  # a name twice: the first file, as sorted
            all_classes += classes
            probes.update({(job.relative, line): cls for line, cls in probed.probes.items()})
            places.update({(job.relative, line): cls for cls, line in probed.lines.items()})
        report = run_linter(executable, Path(tmp))
    truth = ground_truth(modules, all_classes, seeds, package_dir.name in KERAS_PACKAGES)
    hit = {probes[place] for place in report.probe_lines if place in probes}
    return PackageResult(
        package=package_dir.name,
        files=len(files),
        unparsable=unparsable,
        ground_truth=truth,
        analysed=[c for c in truth if c in hit],
        missed=[c for c in truth if c not in hit],
        linter_only=list(hit.difference(truth)),
        unresolved={places[place]: reason for place, reason in report.unresolved.items() if place in places},
        probed=len(hit),
        linter_layers=report.layers,
        linter_errors=report.errors,
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
        print(f"probe findings in {r.probed} classes; keras-varlint reports {r.linter_layers} layer classes")
        print(f"{len(r.missed)} ground-truth classes without a probe finding:")
        for cls in by_place(r.missed):
            reason = r.unresolved.get(cls)
            print(f"  {cls.label}" + (f"  [keras-varlint: {reason}]" if reason else ""))
        print(f"{len(r.linter_only)} classes probed by keras-varlint but not in the ground truth:")
        for cls in by_place(r.linter_only):
            print(f"  {cls.label}")
        for path in r.unparsable:
            print(f"  not parsed by ast (no ground truth): {path}")
        for error in r.linter_errors:
            print(f"  keras-varlint error: {error}")


def to_json(results: list[PackageResult]) -> dict[str, Any]:
    def labels(classes: list[ClassInfo], unresolved: dict[ClassInfo, str]) -> list[dict[str, Any]]:
        return [{"path": c.path, "line": c.line, "class": c.qualname, "unresolved": unresolved.get(c)}
                for c in by_place(classes)]

    return {
        "probe": PROBE_CODE,
        "packages": [
            {"package": r.package, "files": r.files, "seconds": round(r.seconds, 1),
             "ground_truth": len(r.ground_truth), "analysed": len(r.analysed), "probed": r.probed,
             "linter_layers": r.linter_layers, "missed": labels(r.missed, r.unresolved),
             "linter_only": labels(r.linter_only, r.unresolved),
             "unparsable": r.unparsable, "linter_errors": r.linter_errors}
            for r in results
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "corpus",
                        help="one folder per package (default: ../corpus beside the repository)")
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
