"""One timed child process: wall time, peak memory, a timeout; and summary statistics.

Standard library only (plus NumPy for the percentiles), so that ``make bench`` needs no tool
outside the repository and its venv. The command is started by a small launcher process
(:data:`LAUNCHER`, ~10 MiB) rather than by run.py itself, because on Linux a child's peak RSS
also counts the process it was forked from; the launcher measures:

- wall time: ``time.perf_counter`` around ``os.posix_spawnp`` … ``os.wait4``;
- peak RSS: ``ru_maxrss`` of the rusage that ``os.wait4`` returns for exactly that command (on
  Linux the larger of its own peak and those of the descendants it waited for: a maximum over
  processes, not their sum);
- a timeout: the command runs in a new session, and at the timeout the launcher kills that
  session's process group (the command and its descendants only); the run is reported as timed
  out.

Beside it, run.py samples the peak PSS of the command's whole process tree (every descendant of
the launcher alive at the time) every ``sample_s`` seconds from ``/proc/PID/smaps_rollup``: the
memory of a command that runs work in a second process, shared pages counted once (PSS); ``None``
where ``/proc`` lacks it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
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


def tree_pss(root: int, *, with_root: bool = True) -> tuple[int, int] | None:
    """(sum of PSS over ``root`` (unless not ``with_root``) and all its descendants in KiB,
    number of those processes), or None if nothing was readable (gone, or no ``/proc``)."""
    own = _pss_kib(root) if with_root else 0
    if own is None:
        return None
    total, procs, todo = own, int(with_root), _children(root)
    while todo:
        pid = todo.pop()
        kib = _pss_kib(pid)
        if kib is not None:
            total += kib
            procs += 1
        todo.extend(_children(pid))
    return (total, procs) if procs else None


class _TreeSampler(threading.Thread):
    """Samples :func:`tree_pss` of the descendants of one process (the launcher) every
    ``interval`` seconds until stopped."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib: int | None = None
        self.procs = 1
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            got = tree_pss(self.pid, with_root=False)
            if got is None:
                continue
            kib, procs = got
            self.peak_kib = kib if self.peak_kib is None else max(self.peak_kib, kib)
            self.procs = max(self.procs, procs)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- one run -------------------------------------------------------------------------------------

#: The small process that starts the measured command (``python -I -S -c LAUNCHER request``).
#: On Linux a child's ``ru_maxrss`` also counts the memory of the process it was forked from,
#: up to its ``exec`` (the old address space's high-water mark is kept): started from run.py,
#: which holds NumPy and pandas, every command would seem to need at least run.py's RSS. The
#: launcher holds ~10 MiB, below any Python command; it chdirs, spawns the command in a new
#: session, kills that session's process group at the timeout (SIGALRM) or when told to stop
#: (SIGTERM), and writes wall time and ``os.wait4``'s rusage as JSON to the report file.
LAUNCHER = r"""
import json, os, signal, sys, time
req = json.loads(sys.argv[1])
state = {"pid": 0, "timed_out": False, "stop": False}
def kill(signum, frame):
    state["timed_out"] = state["timed_out"] or signum == signal.SIGALRM
    state["stop"] = True
    if state["pid"]:
        try:
            os.killpg(state["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass
signal.signal(signal.SIGALRM, kill)
signal.signal(signal.SIGTERM, kill)
try:
    if req["cwd"]:
        os.chdir(req["cwd"])
    t = time.perf_counter()
    pid = os.posix_spawnp(req["cmd"][0], req["cmd"], os.environ, setsid=True)
except OSError as exc:
    with open(req["report"], "w") as f:
        json.dump({"error": f"cannot run {req['cmd'][0]}: {exc.strerror or exc}"}, f)
    sys.exit(0)
state["pid"] = pid
if state["stop"]:
    kill(signal.SIGTERM, None)
if req["timeout"]:
    signal.setitimer(signal.ITIMER_REAL, req["timeout"])
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
signal.setitimer(signal.ITIMER_REAL, 0)
with open(req["report"], "w") as f:
    json.dump({"wall_s": wall, "maxrss_kib": ru.ru_maxrss, "status": status,
               "timed_out": state["timed_out"]}, f)
"""


def _last_line(text: str, limit: int = 300) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:limit] if lines else ""


def _launch(cmd: Sequence[str], stdin: Any, stdout: Any, stderr: Any, cwd: Path | None,
            timeout_s: float | None, report: Path, sample_s: float | None
            ) -> tuple[dict[str, Any], _TreeSampler | None]:
    """Run ``cmd`` under the launcher; (its report, the sampler that watched it)."""
    req = json.dumps({"cmd": list(cmd), "cwd": None if cwd is None else str(cwd),
                      "timeout": timeout_s, "report": str(report)})
    launcher = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER, req],
                                stdin=stdin, stdout=stdout, stderr=stderr)
    sampler = _TreeSampler(launcher.pid, sample_s) if sample_s else None
    if sampler:
        sampler.start()
    try:
        launcher.wait()
    except BaseException:  # e.g. Ctrl-C: the launcher kills the command's group, then exits
        launcher.send_signal(signal.SIGTERM)
        launcher.wait()
        raise
    finally:
        if sampler:
            sampler.stop()
    try:
        got: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OSError(f"the benchmark launcher failed (exit {launcher.returncode})") from exc
    if "error" in got:
        raise OSError(got["error"])
    return got, sampler


def run_timed(cmd: Sequence[str], *, stdin: str | None = None, cwd: Path | None = None,
              timeout_s: float | None = None, sample_s: float | None = 0.1) -> ChildRun:
    """Run ``cmd`` once as a whole process and measure it (see the module docstring).

    ``timeout_s`` None = no limit; ``sample_s`` None = no tree sampling. Raises OSError if
    ``cmd`` cannot be started."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.TemporaryFile("w+") as inp, tempfile.TemporaryDirectory() as tmp:
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        got, sampler = _launch(cmd, inp, out, err, cwd, timeout_s, Path(tmp) / "report.json",
                               sample_s)
        out.seek(0)
        err.seek(0)
        peak_kib = sampler.peak_kib if sampler else None
        return ChildRun(
            wall_s=float(got["wall_s"]), peak_mib=got["maxrss_kib"] / 1024.0,
            tree_pss_mib=None if peak_kib is None else peak_kib / 1024.0,
            tree_procs=sampler.procs if sampler else 1,
            returncode=os.waitstatus_to_exitcode(int(got["status"])),
            timed_out=bool(got["timed_out"]), stdout=out.read(),
            stderr_tail=_last_line(err.read()))
