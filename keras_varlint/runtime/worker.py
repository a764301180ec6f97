"""The runtime worker: a subprocess that imports user modules and checks their layer classes.

Started by ``keras_varlint.runtime.client`` as ``python -m keras_varlint.runtime.worker --requests R
--results W``. R and W are pipe file descriptors private to the protocol (user code may print anything
to stdout/stderr): one JSON object per line each way.

parent -> worker: ``{"type": "check", "job": {...}}`` or ``{"type": "exit"}``
worker -> parent: ``{"type": "ready", "versions": {...}}`` (or ``"error"``) once TensorFlow is imported;
then per job ``{"type": "module", "error": ...}``, for each class ``{"type": "start", "class": C}`` and
``{"type": "class", "result": {...}}``, and finally ``{"type": "done"}``.

A job is one module: ``{"root", "module", "file", "classes": [{"name", "constructions": [...]}]}``. Each
job runs with the scanned root and the module's directory on ``sys.path`` and the root as working
directory; ``sys.path``, ``os.environ``, the working directory, Keras's global config and the modules
the job imported are restored afterwards, so one module cannot affect the next.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import importlib
import importlib.util
import json
import os
import resource
import sys
import traceback
from typing import Any, Callable, Iterator

Send = Callable[[dict[str, Any]], None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_varlint.runtime.worker")
    parser.add_argument("--requests", type=int, required=True, help="fd to read requests from")
    parser.add_argument("--results", type=int, required=True, help="fd to write results to")
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space limit, 0 for none")
    options = parser.parse_args(argv)
    _limit_resources(options.memory_mb)
    faulthandler.enable(file=sys.stderr, all_threads=False)  # a crash leaves the user frame in the log
    requests = os.fdopen(options.requests, "r", encoding="utf-8")
    results = os.fdopen(options.results, "w", encoding="utf-8")
    for fd in (options.requests, options.results):
        os.set_inheritable(fd, False)  # processes user code starts must not hold the protocol pipes

    def send(message: dict[str, Any]) -> None:
        results.write(json.dumps(message) + "\n")
        results.flush()

    try:
        versions = _import_frameworks()
    except BaseException as exc:  # noqa: BLE001
        send({"type": "ready", "error": f"{type(exc).__name__}: {exc}", "missing": isinstance(exc, ImportError)})
        return 1
    send({"type": "ready", "versions": versions})
    for line in requests:
        request = json.loads(line)
        if request["type"] == "exit":
            break
        run_job(request["job"], send)
    return 0


def run_job(job: dict[str, Any], send: Send) -> None:
    """Import the job's module and check each of its classes, streaming results."""
    from keras_varlint.runtime.harness import ClassResult, Construction, check_class
    from keras_varlint.runtime.errors import check_error

    with _isolated(job["root"], os.path.dirname(job["file"])):
        try:
            module = _import(job["module"], job["file"])
        except BaseException as exc:  # noqa: BLE001  (SystemExit and KeyboardInterrupt too)
            send({"type": "module", "error": _describe_exit(exc) or check_error("import", exc).describe()})
            send({"type": "done"})
            return
        send({"type": "module", "error": None})
        for spec in job["classes"]:
            name = spec["name"]
            send({"type": "start", "class": name})
            cls = getattr(module, name, None)
            try:
                if cls is None:
                    result = ClassResult(name, reason=f"module {job['module']} has no attribute {name}")
                else:
                    constructions = [Construction.from_wire(c) for c in spec["constructions"]]
                    result = check_class(cls, name, constructions)
            except BaseException as exc:  # noqa: BLE001
                result = ClassResult(name, reason=_describe_exit(exc) or f"checking failed: {exc!r}")
            send({"type": "class", "result": result.to_dict()})
    send({"type": "done"})


def _describe_exit(exc: BaseException) -> str | None:
    if isinstance(exc, SystemExit):
        return f"the module called sys.exit({exc.code!r})"
    if isinstance(exc, KeyboardInterrupt):
        return "the module raised KeyboardInterrupt"
    return None


def _import(name: str, file: str) -> Any:
    """Import ``name``; if that resolves to a different file (a name clash), load ``file`` directly."""
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:  # not importable by that name (e.g. a directory "my-pkg")
        if not exc.name or not (name == exc.name or name.startswith(exc.name + ".")):
            raise
    else:
        if os.path.realpath(getattr(module, "__file__", "") or "") == os.path.realpath(file):
            return module
    spec = importlib.util.spec_from_file_location(f"_keras_varlint_user_.{name}", file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {file} as module {name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def _isolated(root: str, module_dir: str) -> Iterator[None]:
    """Run a job with its paths set up, then undo what it changed in this process."""
    saved_path, saved_env, saved_cwd = list(sys.path), dict(os.environ), os.getcwd()
    saved_modules = set(sys.modules)
    saved_streams = (sys.stdout, sys.stderr, sys.stdin)
    keras_state = _keras_state()
    sys.path[:0] = list(dict.fromkeys([root, module_dir]))
    try:
        os.chdir(root)
        yield
    finally:
        sys.path[:] = saved_path
        if dict(os.environ) != saved_env:
            os.environ.clear()
            os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.stdout, sys.stderr, sys.stdin = saved_streams
        for name in set(sys.modules) - saved_modules:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if name.startswith("_keras_varlint_user_") or _under(module_file, (root, module_dir)):
                del sys.modules[name]
        _restore_keras_state(keras_state)


def _under(path: str, dirs: tuple[str, ...]) -> bool:
    real = os.path.realpath(path) if path else ""
    return bool(real) and any(real.startswith(os.path.realpath(d) + os.sep) for d in dirs)


def _keras_state() -> dict[str, Any]:
    import tensorflow as tf

    try:
        import keras
    except ImportError:
        return {}
    return {
        "floatx": keras.config.floatx(),
        "policy": keras.config.dtype_policy(),
        "eager": tf.config.functions_run_eagerly(),
    }


def _restore_keras_state(state: dict[str, Any]) -> None:
    import tensorflow as tf

    if not state:
        return
    import keras

    keras.config.set_floatx(state["floatx"])
    keras.config.set_dtype_policy(state["policy"])
    tf.config.run_functions_eagerly(state["eager"])
    keras.backend.clear_session()
    tf_keras = sys.modules.get("tf_keras")
    if tf_keras is not None:
        with contextlib.suppress(Exception):
            tf_keras.backend.clear_session()
            tf_keras.mixed_precision.set_global_policy("float32")


def _import_frameworks() -> dict[str, str]:
    import tensorflow as tf

    versions = {"tensorflow": tf.__version__, "python": sys.version.split()[0]}
    try:
        import keras

        versions["keras"] = keras.__version__
    except ImportError:
        pass
    return versions


def _limit_resources(memory_mb: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # os.abort() in user code must not dump core
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the parent went away
        os._exit(1)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        os._exit(1)
