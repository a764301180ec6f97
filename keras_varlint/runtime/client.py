"""The parent side of the worker protocol (see ``worker.py``): start workers, run jobs with a timeout,
survive crashes and hangs, and never leave a process behind.

Each worker is its own process group (session). A job that times out or kills its worker gets a failure
reason; the worker's whole group is killed and the next job gets a fresh worker. TensorFlow is never
imported in this process.
"""

from __future__ import annotations

import json
import os
import queue
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from keras_varlint.runtime.errors import RuntimeUnavailable

DEFAULT_MEMORY_MB = 8192  # address-space cap; TensorFlow itself reserves about 2 GB of it
MEMORY_ENV = "KERAS_VARLINT_RUNTIME_MEMORY_MB"
STARTUP_TIMEOUT = 180.0  # importing TensorFlow, on a slow machine
_STDERR_TAIL = 8192


class WorkerStartupError(RuntimeError):
    """A worker could not start (TensorFlow is importable here, but the worker died or hung)."""


@dataclass
class JobOutcome:
    """What came back for one job (module)."""

    module_error: str | None = None  # the module could not be imported
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)  # class name -> ClassResult dict
    failure: str | None = None  # the worker crashed or timed out; classes not in ``classes`` are lost


class Worker:
    """One worker process, reused across jobs until it fails."""

    def __init__(self, memory_mb: int, startup_timeout: float = STARTUP_TIMEOUT) -> None:
        self.memory_mb = memory_mb
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._stderr: IO[bytes] | None = None
        self.versions: dict[str, str] = {}  # of Python, TensorFlow and Keras in the worker, once started

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        req_read, req_write = os.pipe()
        res_read, res_write = os.pipe()
        self._stderr = tempfile.TemporaryFile()
        package_parent = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        env["KERAS_BACKEND"] = "tensorflow"  # the oracle uses tf.GradientTape
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env.setdefault("CUDA_VISIBLE_DEVICES", "")  # tiny inputs: the CPU is enough and deterministic
        env.setdefault("MALLOC_ARENA_MAX", "4")  # keeps reserved address space under the cap on big machines
        env.setdefault("PYTHONHASHSEED", "0")
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "keras_varlint.runtime.worker",
                    f"--requests={req_read}",
                    f"--results={res_write}",
                    f"--memory-mb={self.memory_mb}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                pass_fds=(req_read, res_write),
                start_new_session=True,
                env=env,
            )
        finally:
            os.close(req_read)
            os.close(res_write)
        self._requests = os.fdopen(req_write, "w", encoding="utf-8")
        self._results_fd = res_read
        message = self._receive(time.monotonic() + self.startup_timeout)
        if message is None:
            reason = self._failure_reason("starting (importing TensorFlow)", None)
            self.kill()
            raise WorkerStartupError(f"the runtime worker did not start: {reason}")
        if message.get("error"):
            self.kill()
            if message.get("missing"):
                raise RuntimeUnavailable(f"the runtime worker could not import it: {message['error']}")
            raise WorkerStartupError(f"the runtime worker did not start: {message['error']}")
        self.versions = message.get("versions", {})

    @property
    def alive(self) -> bool:
        return self.process is not None and self._exit_status() is None

    def close(self) -> None:
        """Ask the worker to exit, then make sure its whole process group is gone."""
        if self.process is None:
            return
        if self.alive:
            try:
                self._send({"type": "exit"})
            except OSError:
                pass
            self._wait_exit(5.0)
        self.kill()

    def _exit_status(self) -> int | None:
        """The worker's exit status like ``Popen.returncode`` (negative: a signal), None while it runs.

        Does not reap the process: until ``kill`` reaps it, its pid (the process group id) cannot be reused,
        so killing the group can never hit an unrelated process.
        """
        assert self.process is not None
        if self.process.returncode is not None:
            return self.process.returncode
        try:
            info = os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return self.process.poll()
        if info is None:
            return None
        return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status

    def _wait_exit(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while (status := self._exit_status()) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return status

    def kill(self) -> None:
        """Kill the worker's process group (the worker and anything user code started) and reap it."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for closer in (getattr(self, "_requests", None), self._stderr):
            if closer is not None:
                try:
                    closer.close()
                except OSError:
                    pass
        try:
            os.close(self._results_fd)
        except (OSError, AttributeError):
            pass
        self.process = None

    # -- jobs -----------------------------------------------------------------------------------

    def run(self, job: dict[str, Any], timeout: float) -> JobOutcome:
        """Run one job; on a timeout or crash the outcome carries ``failure`` and the worker is dead."""
        outcome = JobOutcome()
        stderr_start = self._stderr_size()
        current = "importing the module"
        deadline = time.monotonic() + timeout
        try:
            self._send({"type": "check", "job": job})
        except OSError:
            pass  # the worker died: reported below
        while True:
            message = self._receive(deadline)
            if message is None:
                timed_out = self.alive and time.monotonic() >= deadline
                if timed_out:
                    outcome.failure = f"timed out after {timeout:g} s while {current}"
                else:
                    outcome.failure = self._failure_reason(current, job, stderr_start)
                self.kill()
                return outcome
            kind = message["type"]
            if kind == "module":
                outcome.module_error = message["error"]
                current = "checking the module"
            elif kind == "start":
                current = f"checking class {message['class']}"
            elif kind == "class":
                outcome.classes[message["result"]["class_name"]] = message["result"]
            elif kind == "done":
                return outcome

    # -- plumbing -------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        self._requests.write(json.dumps(message) + "\n")
        self._requests.flush()

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        """The next message, or None on EOF (the worker died) or when the deadline passes."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._results_fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                if selector.select(timeout=remaining):
                    chunk = os.read(self._results_fd, 1 << 16)
                    if not chunk:
                        return None
                    self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def _stderr_size(self) -> int:
        return os.fstat(self._stderr.fileno()).st_size if self._stderr else 0

    def _stderr_tail(self, start: int) -> str:
        if self._stderr is None:
            return ""
        end = self._stderr_size()
        begin = max(start, end - _STDERR_TAIL)
        return os.pread(self._stderr.fileno(), end - begin, begin).decode("utf-8", "replace")

    def _failure_reason(self, current: str, job: dict[str, Any] | None, stderr_start: int = 0) -> str:
        assert self.process is not None
        code = self._wait_exit(5.0)
        if code is None:
            how = "the worker stopped responding"
        elif code < 0:
            how = f"the worker was killed by {signal.Signals(-code).name}"
        else:
            how = f"the worker exited with code {code}"
        where = _crash_site(self._stderr_tail(stderr_start), job)
        return f"{how} while {current}" + (f" (at {where})" if where else "")


def _crash_site(stderr: str, job: dict[str, Any] | None) -> str | None:
    """The innermost frame in the job's own files from a faulthandler dump or traceback in stderr."""
    if job is None:
        return None
    root = os.path.realpath(job["root"])
    frames = re.findall(r'File "([^"]+)", line (\d+)', stderr)
    dump = "most recent call first" in stderr  # faulthandler lists the innermost frame first
    for path, line in frames if dump else reversed(frames):
        if os.path.realpath(path).startswith(root + os.sep):
            return f"{os.path.relpath(path, root)}:{line}"
    return None


def memory_limit_mb() -> int:
    """The worker's address-space cap: ``$KERAS_VARLINT_RUNTIME_MEMORY_MB`` or the default; 0 disables."""
    try:
        return int(os.environ.get(MEMORY_ENV, DEFAULT_MEMORY_MB))
    except ValueError:
        return DEFAULT_MEMORY_MB


def run_jobs(
    jobs: list[dict[str, Any]], timeout: float, workers: int = 1, memory_mb: int | None = None
) -> list[JobOutcome]:
    """Run every job, with up to ``workers`` worker processes; outcomes in job order.

    Raises ``RuntimeUnavailable`` when the worker cannot import TensorFlow. If a worker cannot start
    for another reason, the remaining jobs fail with that reason.
    """
    memory = memory_limit_mb() if memory_mb is None else memory_mb
    outcomes: list[JobOutcome | None] = [None] * len(jobs)
    pending: queue.Queue[int] = queue.Queue()
    for index in range(len(jobs)):
        pending.put(index)
    errors: list[BaseException] = []
    startup_failure: list[str] = []  # once a worker cannot start, the others will not either
    live: list[Worker] = []

    def serve() -> None:
        worker: Worker | None = None
        try:
            while True:
                try:
                    index = pending.get_nowait()
                except queue.Empty:
                    return
                if startup_failure:
                    outcomes[index] = JobOutcome(failure=startup_failure[0])
                    continue
                if worker is None or not worker.alive:
                    if worker is not None:
                        worker.kill()  # died between jobs: clean up what it left
                    worker = Worker(memory)
                    live.append(worker)
                    try:
                        worker.start()
                    except WorkerStartupError as exc:
                        startup_failure.append(str(exc))
                        outcomes[index] = JobOutcome(failure=str(exc))
                        continue
                outcomes[index] = worker.run(jobs[index], timeout)
        except BaseException as exc:  # noqa: BLE001  (re-raised in the calling thread)
            errors.append(exc)
            if worker is not None:
                worker.kill()  # interrupted mid-job: no goodbye
        finally:
            if worker is not None:
                worker.close()

    count = max(1, min(workers, len(jobs)))
    threads = [threading.Thread(target=serve, daemon=True) for _ in range(count - 1)]
    try:
        for thread in threads:
            thread.start()
        serve()
        for thread in threads:
            thread.join()
    finally:
        for worker in live:  # after an interrupt, nothing may outlive the run
            worker.kill()
    if errors:
        raise errors[0]
    return [o if o is not None else JobOutcome(failure="not run") for o in outcomes]
