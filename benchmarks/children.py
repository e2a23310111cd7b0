"""One timed child process: wall time, peak memory, a timeout; and summary statistics.

Standard library only (plus NumPy for the percentiles), so that ``make bench`` needs no tool
outside the repository and its venv:

- wall time: ``time.perf_counter`` around ``subprocess.Popen`` … ``os.wait4``;
- peak RSS: ``ru_maxrss`` of the rusage that ``os.wait4`` returns for exactly that child (on Linux
  the larger of the child's own peak and those of the descendants it waited for: a maximum over
  processes, not their sum);
- peak PSS of the whole process tree (the child and every descendant alive at the time), sampled
  every ``sample_s`` seconds from ``/proc/PID/smaps_rollup``: the memory of a command that runs
  work in a second process, with shared pages counted once (PSS); ``None`` where ``/proc`` lacks
  it;
- a timeout: a timer kills the child's own process group (the child is started in a new session,
  so that group holds it and its descendants only) and the run is reported as timed out.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PROC = Path("/proc")


@dataclass(frozen=True)
class ChildRun:
    """What one run of a command gave.

    Attributes:
        wall_s: wall time from start to exit (or to the kill at the timeout), s.
        peak_mib: ``ru_maxrss`` of the child from ``os.wait4``, MiB.
        tree_pss_mib: largest sampled sum of PSS over the child's process tree, MiB; ``None``
            if never sampled (no ``/proc`` or the run was shorter than one interval).
        tree_procs: most processes seen at once in the tree (1 = the child alone).
        returncode: exit code; negative = killed by that signal.
        timed_out: the timer killed it.
        stdout: what it printed.
        stderr_tail: the last non-empty line of its stderr (at most 300 characters).
    """

    wall_s: float
    peak_mib: float
    tree_pss_mib: float | None
    tree_procs: int
    returncode: int
    timed_out: bool
    stdout: str
    stderr_tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def memory_mib(self) -> float:
        """The larger of the two peaks (what a memory target is checked against), MiB."""
        return max(self.peak_mib, self.tree_pss_mib or 0.0)

    def failure(self) -> str:
        """One line: why this run does not count (empty if it does)."""
        if self.timed_out:
            return f"timed out after {self.wall_s:.0f} s"
        if self.returncode != 0:
            tail = f": {self.stderr_tail}" if self.stderr_tail else ""
            return f"failed (exit {self.returncode}){tail}"
        return ""


def stats(samples: Sequence[float]) -> dict[str, Any]:
    """Median, min, max and interquartile range of a list of measurements."""
    a = np.asarray(samples, dtype=np.float64)
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return {"median": float(med), "min": float(a.min()), "max": float(a.max()),
            "q1": float(q1), "q3": float(q3), "runs": int(a.size),
            "samples": [float(x) for x in a]}


# --- the process tree's memory -------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's ``children`` file); [] if unreadable."""
    out: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            out.extend(int(x) for x in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return out


def _pss_kib(pid: int) -> int | None:
    """Proportional set size of ``pid`` from ``smaps_rollup``, KiB; None if unreadable."""
    try:
        with (PROC / str(pid) / "smaps_rollup").open() as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def tree_pss(root: int) -> tuple[int, int] | None:
    """(sum of PSS over ``root`` and all its descendants in KiB, number of processes), or None
    if ``root``'s PSS is unreadable (gone, or no ``/proc``)."""
    own = _pss_kib(root)
    if own is None:
        return None
    total, procs, todo = own, 1, _children(root)
    while todo:
        pid = todo.pop()
        kib = _pss_kib(pid)
        if kib is not None:
            total += kib
            procs += 1
        todo.extend(_children(pid))
    return total, procs


class _TreeSampler(threading.Thread):
    """Samples :func:`tree_pss` of one process every ``interval`` seconds until stopped."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib: int | None = None
        self.procs = 1
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            got = tree_pss(self.pid)
            if got is None:
                continue
            kib, procs = got
            self.peak_kib = kib if self.peak_kib is None else max(self.peak_kib, kib)
            self.procs = max(self.procs, procs)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- one run -------------------------------------------------------------------------------------


def _kill_group(pid: int, fired: threading.Event) -> None:
    fired.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # the group of the child we started (new session)


def _last_line(text: str, limit: int = 300) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:limit] if lines else ""


def run_timed(cmd: Sequence[str], *, stdin: str | None = None, cwd: Path | None = None,
              timeout_s: float | None = None, sample_s: float | None = 0.1) -> ChildRun:
    """Run ``cmd`` once as a whole process and measure it (see the module docstring).

    ``timeout_s`` None = no limit; ``sample_s`` None = no tree sampling."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.TemporaryFile("w+") as inp:
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        fired = threading.Event()
        t = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdin=inp, stdout=out, stderr=err, cwd=cwd,
                                start_new_session=True)
        timer = (threading.Timer(timeout_s, _kill_group, (proc.pid, fired))
                 if timeout_s is not None else None)
        sampler = _TreeSampler(proc.pid, sample_s) if sample_s else None
        if timer:
            timer.start()
        if sampler:
            sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # e.g. Ctrl-C: leave no child behind
            _kill_group(proc.pid, fired)
            os.waitpid(proc.pid, 0)
            raise
        finally:
            wall = time.perf_counter() - t
            if timer:
                timer.cancel()
            if sampler:
                sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak_kib = sampler.peak_kib if sampler else None
        return ChildRun(
            wall_s=wall, peak_mib=usage.ru_maxrss / 1024.0,
            tree_pss_mib=None if peak_kib is None else peak_kib / 1024.0,
            tree_procs=sampler.procs if sampler else 1, returncode=proc.returncode,
            timed_out=fired.is_set(), stdout=out.read(), stderr_tail=_last_line(err.read()))
