"""A second process for the other core: it runs named pure functions on pickled arguments.

The study gives it half of a large Monte Carlo and its share of the figures. (For ``estimate
--plot`` it does not pay: measured, starting it and its imports cost more than the overlap
gains.) It is a fresh interpreter started with ``-c`` (never the caller's main module, unlike
multiprocessing's spawn and forkserver), in its own session (Ctrl-C reaches only the parent,
which stops it). Jobs go in as lines on its stdin naming an input and an output file; it
answers ``N ok`` or ``N fail`` on its stdout. Whatever goes wrong there, the caller does the
job itself: no result ever depends on the second process.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final


def cpus() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: The second process: a fresh interpreter that imports only what its jobs need (never the
#: caller's main module, unlike multiprocessing's spawn and forkserver), then waits for work.
_CHILD: Final[str] = "from trainlca.worker import _child_main; _child_main()"
#: Longest wait for one job of the second process before doing it here instead (s).
_WORKER_TIMEOUT: Final[float] = 300.0

class Worker:
    """A second process that runs pure functions on the other core while this process does
    the rest (the study gives it Monte Carlo passes and figures).

    Start it early: it imports the modules named in ``preload`` (e.g. matplotlib) while this
    process works. :meth:`call` gives it a job (a function named ``module:function`` and
    picklable arguments) and returns at once; :meth:`wait` returns its result. It runs in its
    own session, so Ctrl-C reaches only the parent, whose :meth:`close` (or the ``with``
    block) stops it. Whatever goes wrong in it, the caller does the job itself: results never
    depend on the second process.
    """

    def __init__(self, *, preload: Sequence[str] = ()) -> None:
        import subprocess
        import sys

        self._dir = Path(tempfile.mkdtemp(prefix="trainlca-figures-"))
        self._proc: subprocess.Popen[bytes] | None = None
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])  # the folder holding ``trainlca``
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env["TRAINLCA_WORKER_PRELOAD"] = ",".join(preload)
        self._stderr = self._dir / "stderr.txt"  # a file, not a pipe: it can never fill up
        try:
            with self._stderr.open("wb") as err:
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", _CHILD], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=err, env=env, start_new_session=True)
        except OSError:
            self._proc = None
        self._jobs = 0
        self._done: dict[int, bool] = {}
        self._buffer = b""

    def call(self, ref: str, *args: Any) -> int | None:
        """Start ``ref(*args)`` in the second process; its job number, or None if it cannot
        take it (not running, arguments that do not pickle)."""
        import pickle

        if self._proc is None or self._proc.stdin is None or self._proc.poll() is not None:
            return None
        self._jobs += 1
        job = self._jobs
        src, dst = self._dir / f"job{job}.in", self._dir / f"job{job}.out"
        try:
            src.write_bytes(pickle.dumps((ref, args), protocol=pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, AttributeError, TypeError):
            return None
        line = json.dumps([job, str(src), str(dst), os.getpid()]) + "\n"
        try:
            self._proc.stdin.write(line.encode("utf-8"))
            self._proc.stdin.flush()
        except OSError:  # it died already
            return None
        return job

    def wait(self, job: int | None) -> tuple[bool, Any]:
        """``(True, result)`` of a job, or ``(False, None)`` if it failed, the process died or
        it took too long."""
        import pickle

        if job is None or self._proc is None:
            return False, None
        if not self._read_until(job):
            return False, None
        if not self._done.get(job):
            self._explain(f"job {job} failed")
            return False, None
        out = self._dir / f"job{job}.out"
        try:
            return True, pickle.loads(out.read_bytes())
        finally:
            out.unlink(missing_ok=True)

    def _read_until(self, job: int) -> bool:
        import select
        import time

        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + _WORKER_TIMEOUT
        while job not in self._done:
            left = deadline - time.monotonic()
            if left <= 0:
                self._explain("no answer in time")
                return False
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:  # it exited
                self._explain(f"exit code {self._proc.wait()}")
                return False
            self._buffer += chunk
            *lines, self._buffer = self._buffer.split(b"\n")
            for raw in lines:
                n, _, status = raw.decode("ascii", "replace").partition(" ")
                if n.isdigit():
                    self._done[int(n)] = status.strip() == "ok"
        return True

    def _explain(self, why: str) -> None:
        """With ``TRAINLCA_DEBUG`` set, say on stderr why the process failed (the work is done
        here instead, so a user sees nothing else)."""
        if os.environ.get("TRAINLCA_DEBUG"):
            import sys

            detail = self._stderr.read_text(errors="replace") if self._stderr.is_file() else ""
            print(f"trainlca: second process failed ({why}); working here\n{detail}",
                  file=sys.stderr)

    def close(self) -> None:
        """Stop the process if it still runs; remove its files."""
        if self._proc is not None:
            if self._proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self._proc.stdin.close()
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            if self._proc.stdout is not None:
                self._proc.stdout.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _child_main() -> None:
    """Body of the second process: import the modules to preload, then for each line naming
    a job's input and output files and the parent's pid: run it, write its result atomically,
    say ``N ok`` (or ``N fail``) on stdout. Exit at the end of input, and without output if
    the parent has died."""
    import importlib
    import pickle
    import signal
    import sys
    import traceback

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    for module in filter(None, os.environ.get("TRAINLCA_WORKER_PRELOAD", "").split(",")):
        with contextlib.suppress(ImportError):  # a job that needs it reports the error
            importlib.import_module(module)  # now, while the parent computes

    for line in sys.stdin:
        if not line.strip():
            continue
        job, src, dst, parent = json.loads(line)
        try:
            ref, args = pickle.loads(Path(src).read_bytes())
            module, _, name = ref.partition(":")
            blob = pickle.dumps(getattr(importlib.import_module(module), name)(*args),
                                protocol=pickle.HIGHEST_PROTOCOL)
            status = "ok"
        except Exception:
            traceback.print_exc()
            blob, status = b"", "fail"
        if os.getppid() != parent:  # the parent is gone (killed): leave nothing behind
            shutil.rmtree(Path(dst).parent, ignore_errors=True)
            return
        if status == "ok":
            part = Path(dst + ".part")
            part.write_bytes(blob)
            part.replace(dst)
        Path(src).unlink(missing_ok=True)
        sys.stdout.write(f"{job} {status}\n")
        sys.stdout.flush()
