"""Exceptions of the runtime checker, and turning user-code exceptions into short, located records."""

from __future__ import annotations

import os
import re
import sys
import sysconfig
import traceback
from dataclasses import dataclass
from functools import lru_cache
from types import FrameType

from keras_varlint.runtime.report import CheckError

INSTALL_HINT = "pip install 'keras-varlint[runtime]'"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')
_EXC_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)): (.+)$")
_NOISE = (
    "in user code:",
    "Exception encountered when calling",
    "Arguments received by",
    "Call arguments received by",
    "Traceback (most recent call last)",
)
_LIBRARIES = ("tensorflow", "keras", "tf_keras", "numpy", "absl", "optree", "tree", "ml_dtypes", "keras_varlint")


class RuntimeUnavailable(RuntimeError):
    """TensorFlow cannot be imported, so the runtime checker cannot run."""

    def __init__(self, reason: str = "it is not installed") -> None:
        first_line = next((ln.strip() for ln in reason.splitlines() if ln.strip()), "it is not importable")
        super().__init__(f"the runtime checker needs TensorFlow ({first_line}); install it with: {INSTALL_HINT}")


def import_tensorflow():  # noqa: ANN201  (returns the tensorflow module)
    """Import TensorFlow, or raise ``RuntimeUnavailable``."""
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise RuntimeUnavailable(f"import failed: {exc}") from exc
    return tf


def _library_roots() -> tuple[str, ...]:
    return _roots_of(tuple(name for name in _LIBRARIES if name in sys.modules))


@lru_cache(maxsize=None)
def _roots_of(loaded: tuple[str, ...]) -> tuple[str, ...]:
    """Directories of the standard library and of the ``loaded`` library packages."""
    roots = {os.path.realpath(p) for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}}
    for name in loaded:
        for path in getattr(sys.modules[name], "__path__", None) or []:
            roots.add(os.path.realpath(path))
    return tuple(sorted(roots))


def is_user_file(path: str) -> bool:
    """False for Python's standard library, TensorFlow/Keras and friends, this package, and generated code."""
    return _is_user_file(path, _library_roots())


@lru_cache(maxsize=8192)
def _is_user_file(path: str, library_roots: tuple[str, ...]) -> bool:
    if path.startswith("<") or os.path.basename(path).startswith("__autograph_generated_file"):
        return False
    real = os.path.realpath(path)
    return not any(real == root or real.startswith(root + os.sep) for root in library_roots)


@dataclass
class Site:
    """Where user code made something: its innermost user frame, that frame's ``self``, and every user
    frame on the stack as (file, line, first line, last line of the function), outermost first."""

    file: str
    line: int
    owner: object
    stack: list[tuple[str, int, int, int]]


def user_site(frame: FrameType | None) -> Site | None:
    """The user-code frames from ``frame`` outwards (None when there is none)."""
    stack: list[tuple[str, int, int, int]] = []
    innermost: FrameType | None = None
    while frame is not None:
        code = frame.f_code
        if is_user_file(code.co_filename):
            innermost = innermost or frame
            last = max((n for _, _, n in code.co_lines() if n is not None), default=code.co_firstlineno)
            stack.append((code.co_filename, frame.f_lineno, code.co_firstlineno, last))
        frame = frame.f_back
    if innermost is None:
        return None
    return Site(innermost.f_code.co_filename, innermost.f_lineno, innermost.f_locals.get("self"), stack[::-1])


def user_frames(exc: BaseException) -> list[tuple[str, int]]:
    """User-code (file, line) pairs of an exception, outermost first.

    Comes from the traceback and from ``File "...", line N`` references in the message (``tf.function``
    errors carry the user's frames only there), following ``__cause__``/``__context__``.
    """
    frames: list[tuple[str, int]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    chain: list[BaseException] = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in reversed(chain):  # the original error first, so the innermost frame ends the list
        for fs in traceback.extract_tb(item.__traceback__):
            frames.append((fs.filename, fs.lineno or 0))
        for match in _FILE_LINE.finditer(str(item)):
            frames.append((match.group(1), int(match.group(2))))
    result: list[tuple[str, int]] = []
    for path, line in frames:
        if is_user_file(path) and (path, line) not in result:
            result.append((path, line))
    return result


def summarize_message(exc: BaseException, limit: int = 300) -> str:
    """The gist of an exception message on one line, without Keras's and TensorFlow's framing."""
    text = _ANSI.sub("", str(exc))
    lines = [ln.strip() for ln in text.splitlines()]
    # tf.function errors nest the real one: "in user code: ... File ... ValueError: <the message>"
    nested = [m.group(2) for ln in lines if (m := _EXC_LINE.match(ln)) and not m.group(2).startswith(_NOISE)]
    kept: list[str] = []
    skip_code = False
    for ln in lines:
        if not ln:
            skip_code = False
            continue
        if ln.startswith("File ") or ln.startswith(_NOISE) or ln.startswith("•") or _EXC_LINE.match(ln):
            skip_code = ln.startswith("File ")
            continue
        if skip_code:  # the source line printed under a "File ..." line
            skip_code = False
            continue
        kept.append(ln)
    if nested:
        summary = nested[-1]  # the innermost error
    else:
        summary = " ".join(kept[:3]) if kept else type(exc).__name__
    summary = re.sub(r"\s+", " ", summary).strip()
    return summary if len(summary) <= limit else summary[: limit - 3] + "..."


def check_error(phase: str, exc: BaseException) -> CheckError:
    """A ``CheckError`` record for an exception raised in ``phase``."""
    return CheckError(phase=phase, type=type(exc).__name__, message=summarize_message(exc), frames=user_frames(exc))
