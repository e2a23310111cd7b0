"""SLURM accounting (``sacct --parsable2``) → accelerator-hours per job and GPU type.

The format (Slurm's ``sacct(1)`` man page, https://slurm.schedmd.com/sacct.html): a header line
of field names, then one line per job allocation and per job step, fields separated by ``|``
(``--parsable`` adds a trailing ``|``, also accepted). Columns are read by name:

- ``JobID``: ``123`` (a job), ``123.batch``/``123.extern``/``123.0`` (its steps), ``123_4`` (task
  4 of array job 123), ``123_[5-9%2]`` (array tasks not yet started), ``123+0``/``123+1`` (the
  components of a heterogeneous job, each an allocation of its own);
- ``Elapsed`` (``[D-]HH:MM:SS``, ``MM:SS``, a fraction allowed) or ``ElapsedRaw`` (s);
- ``AllocTRES``: the allocation's trackable resources, the job's totals over all its nodes
  (``billing=64,cpu=64,gres/gpu:a100=8,gres/gpu=8,mem=500G,node=2``);
- ``State``: ``COMPLETED``, ``FAILED``, ``CANCELLED by 1234``, ``TIMEOUT``, ``OUT_OF_MEMORY``,
  ``NODE_FAIL``, ``PENDING``, ``RUNNING``…; optional ``JobName``, ``NNodes``, ``NodeList``,
  ``Partition``, ``Start``, ``End``, ``ConsumedEnergyRaw`` (J).

Each allocation line (a JobID without ``.step``) is one job; its steps run inside the
allocation and are not counted again. The accelerator-hours of a job are its GPUs (AllocTRES,
already the total over nodes) × its elapsed hours: ``gres/gpu:a100=8`` on 2 nodes for 10 h is
80 A100-hours. Typed entries (``gres/gpu:TYPE=N``) give the chip; an untyped ``gres/gpu=N``
beyond the typed ones has no chip (the caller's hardware). Failed, cancelled and timed-out jobs
held their GPUs: included, with their state. Jobs that never ran (pending, cancelled before
starting) and jobs without GPUs are skipped with a note.

Recommended command: ``sacct -X --parsable2 -j JOBS --format=JobID,JobName,Partition,State,
Elapsed,ElapsedRaw,AllocTRES,NNodes,NodeList,Start,End``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from trainlca.errors import DataFileError
from trainlca.inputs.records import (
    RunRecord,
    RunSet,
    SourceFile,
    decode,
    display_names,
    read_bytes,
    sha256,
)
from trainlca.notes import Note, custom

__all__ = ["COMPLETED", "FORMAT_HINT", "parse_elapsed", "parse_gpus", "parse_job_id",
           "read_sacct"]

FORMAT_HINT: Final[str] = ("sacct -X --parsable2 --format=JobID,JobName,State,Elapsed,"
                           "ElapsedRaw,AllocTRES,NNodes,NodeList")
#: The state of a job that ended normally.
COMPLETED: Final[str] = "COMPLETED"
#: States of jobs that hold (or held) no allocation.
_NOT_STARTED: Final[frozenset[str]] = frozenset({"PENDING", "REQUEUED_HOLD", "REVOKED"})
_JOB_ID = re.compile(r"^(?P<job>\d+)(?:_(?P<task>\d+|\[[^\]]*\]))?(?:\+(?P<het>\d+))?"
                     r"(?:\.(?P<step>[^.]+))?$")
_ELAPSED = re.compile(r"^(?:(?P<d>\d+)-)?(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d+(?:\.\d*)?)$")
_WHAT = "sacct"


@dataclass(frozen=True)
class JobId:
    """A parsed ``JobID``: the job, array task, heterogeneous component and step (None when
    absent)."""

    job: str
    task: str | None
    het: str | None
    step: str | None

    @property
    def is_step(self) -> bool:
        return self.step is not None

    @property
    def pending_array(self) -> bool:
        """``123_[1-3]``: array tasks that have not started (sacct groups them)."""
        return self.task is not None and self.task.startswith("[")


def parse_job_id(text: str) -> JobId | None:
    """The parts of a sacct ``JobID``; None when it is not one."""
    m = _JOB_ID.match(text.strip())
    if m is None:
        return None
    return JobId(m["job"], m["task"], m["het"], m["step"])


def parse_elapsed(text: str) -> float | None:
    """Seconds of a sacct duration ``[D-][HH:]MM:SS[.frac]`` (``1-02:03:04``, ``10:00:00``,
    ``05:30.250``); None when it is not one."""
    m = _ELAPSED.match(text.strip())
    if m is None:
        return None
    d, h = int(m["d"] or 0), int(m["h"] or 0)
    return ((d * 24 + h) * 60 + int(m["m"])) * 60 + float(m["s"])


def parse_gpus(tres: str) -> dict[str | None, float]:
    """GPUs of an ``AllocTRES`` string per type (None = untyped beyond the typed ones):
    ``"cpu=8,gres/gpu:a100=4,gres/gpu=4"`` → ``{"a100": 4}``; ``"gres/gpu=2"`` →
    ``{None: 2}``. Zero counts (``no_consume`` gres) are dropped."""
    typed: dict[str | None, float] = {}
    untyped = 0.0
    for item in tres.split(","):
        key, _, value = item.strip().partition("=")
        if key != "gres/gpu" and not key.startswith("gres/gpu:"):
            continue
        try:
            n = float(value)
        except ValueError:
            continue
        if key == "gres/gpu":
            untyped = max(untyped, n)
        else:
            name = key.split(":", 1)[1]
            typed[name] = typed.get(name, 0.0) + n
    rest = untyped - sum(typed.values())
    if rest > 0:
        typed[None] = rest
    return {k: v for k, v in typed.items() if v > 0}


# --- the file -----------------------------------------------------------------------------------


def _table(text: str, path: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    lines = [(i, ln.rstrip("\r")) for i, ln in enumerate(text.split("\n"), start=1)]
    lines = [(i, ln) for i, ln in lines if ln.strip()]
    if not lines:
        raise DataFileError(f"{path}: empty file; give the output of `{FORMAT_HINT}`")
    header = [h.strip() for h in lines[0][1].split("|")]
    if header and header[-1] == "":
        header = header[:-1]  # --parsable: a trailing "|"
    if len(header) < 2:
        raise DataFileError(f"{path}: not sacct --parsable2 output (fields separated by '|'); "
                            f"give the output of `{FORMAT_HINT}`")
    if "JobID" not in header:
        first = header[0]
        hint = (" (no header line: drop --noheader)" if parse_job_id(first) else "")
        raise DataFileError(f"{path}: no JobID column in the header{hint}; give the output of "
                            f"`{FORMAT_HINT}`")
    rows: list[tuple[int, list[str]]] = []
    for i, ln in lines[1:]:
        cells = ln.split("|")
        if len(cells) == len(header) + 1 and cells[-1] == "":
            cells = cells[:-1]
        if len(cells) != len(header):
            raise DataFileError(f"{path}: line {i}: {len(cells)} fields, the header has "
                                f"{len(header)}")
        rows.append((i, [c.strip() for c in cells]))
    return header, rows


def _check_columns(header: list[str], path: str) -> None:
    missing = [c for c in ("JobID", "State", "AllocTRES") if c not in header]
    if "Elapsed" not in header and "ElapsedRaw" not in header:
        missing.append("Elapsed or ElapsedRaw")
    if missing:
        raise DataFileError(f"{path}: sacct output lacks column(s) {', '.join(missing)}; give "
                            f"the output of `{FORMAT_HINT}`")


@dataclass(frozen=True)
class _Line:
    line: int
    cells: dict[str, str]
    job: JobId

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def _seconds(row: _Line, path: str) -> float:
    raw = row.get("ElapsedRaw")
    if raw:
        try:
            s = float(raw)
        except ValueError:
            raise DataFileError(f"{path}: line {row.line}: ElapsedRaw is not a number of "
                                f"seconds: {raw!r}") from None
    else:
        text = row.get("Elapsed")
        parsed = parse_elapsed(text)
        if parsed is None:
            raise DataFileError(f"{path}: line {row.line}: Elapsed {text!r} is not "
                                "[D-]HH:MM:SS")
        s = parsed
    if s < 0:
        raise DataFileError(f"{path}: line {row.line}: negative elapsed time")
    return s


def _state(text: str) -> tuple[str, str]:
    """("CANCELLED", " by 1234") from "CANCELLED by 1234"; a display "+" is dropped."""
    head, _, rest = text.strip().partition(" ")
    return head.rstrip("+").upper() or "UNKNOWN", (f" {rest}" if rest else "")


def _job_records(row: _Line, name: str, path: str) -> tuple[list[RunRecord], str | None]:
    """The records of one allocation line (one per GPU type), or a reason to skip it."""
    jid = row.get("JobID")
    state, by = _state(row.get("State"))
    if state in _NOT_STARTED or row.job.pending_array:
        return [], "pending"
    seconds = _seconds(row, path)
    gpus = parse_gpus(row.get("AllocTRES"))
    if seconds == 0:
        return [], "never_started"
    if not gpus:
        return [], "no_gpu"
    nodes_text = row.get("NNodes")
    nodes = int(nodes_text) if nodes_text.isdigit() else None
    notes: list[Note] = []
    if state != COMPLETED:
        what = ("is still running: elapsed so far" if state == "RUNNING"
                else "held its GPUs until it ended: included")
        notes.append(custom("slurm.job_not_completed", f"job {jid} {state}{by} {what}"))
    if None in gpus:
        notes.append(custom("slurm.untyped_gpus",
                            f"job {jid}: {gpus[None]:g} GPU(s) without a type in AllocTRES "
                            "(gres/gpu=N): the chip is the hardware given"))
    energy = row.get("ConsumedEnergyRaw")
    if energy and energy.replace(".", "", 1).isdigit() and float(energy) > 0:
        notes.append(custom("slurm.consumed_energy_reported",
                            f"job {jid}: SLURM reports ConsumedEnergyRaw {float(energy):.6g} J "
                            f"({float(energy) / 3.6e6:.6g} kWh; node-level, exact only for "
                            "exclusive allocations): shown, not used"))
    where = ", ".join(f"{k} {row.get(k)}" for k in ("JobName", "NodeList", "Partition")
                      if row.get(k))
    hours = seconds / 3600.0
    out = []
    for gtype, n in gpus.items():
        label = jid if len(gpus) == 1 else f"{jid} ({gtype or 'untyped'})"
        out.append(RunRecord(
            label=label, source=f"sacct {name} line {row.line}" + (f" ({where})" if where
                                                                    else ""),
            hardware=gtype, count=n, wall_hours=hours, accelerator_hours=n * hours,
            state=state, nodes=nodes, parts=(jid,), notes=tuple(notes)))
    return out, None


_SKIP_TEXT: Final[dict[str, str]] = {
    "pending": "did not run (pending or array tasks not started): skipped",
    "never_started": "have no elapsed time (never started): skipped",
    "no_gpu": "have no GPU in AllocTRES: skipped",
}


def read_sacct(path: str | Path) -> RunSet:
    """Read ``sacct --parsable2`` output (``-`` = standard input) into one record per job
    allocation and GPU type.

    Raises:
        DataFileError: empty or unreadable file, not pipe-separated, missing columns (all
            named), a bad JobID or elapsed time, or no job with GPUs.
    """
    data = read_bytes(path, _WHAT)
    text = decode(data, path, "sacct output")
    name = display_names([path])[0]
    header, table = _table(text, str(path))
    _check_columns(header, str(path))
    records: list[RunRecord] = []
    skipped: dict[str, list[str]] = {}
    steps = 0
    seen: dict[str, int] = {}
    for i, cells in table:
        job = parse_job_id(cells[header.index("JobID")])
        if job is None:
            raise DataFileError(f"{path}: line {i}: JobID {cells[header.index('JobID')]!r} is "
                                "not a sacct job id (123, 123_4, 123+0, 123.batch)")
        if job.is_step:
            steps += 1
            continue
        row = _Line(i, dict(zip(header, cells, strict=True)), job)
        jid = row.get("JobID")
        seen[jid] = seen.get(jid, 0) + 1
        recs, reason = _job_records(row, name, str(path))
        if reason:
            skipped.setdefault(reason, []).append(jid)
        records += recs
    notes = _set_notes(name, steps, skipped, seen)
    if not records:
        raise DataFileError(
            f"{path}: no job with GPUs (gres/gpu in AllocTRES) that ran; if the site does not "
            "account GPUs (AccountingStorageTRES=gres/gpu), give --count and --hours instead")
    info = SourceFile(name=name, sha256=sha256(data), kind="sacct", rows=len(table))
    return RunSet(kind="sacct", records=tuple(records), files=(info,), notes=tuple(notes),
                  tool="SLURM sacct")


def _set_notes(name: str, steps: int, skipped: dict[str, list[str]],
               seen: dict[str, int]) -> list[Note]:
    notes: list[Note] = []
    if steps:
        notes.append(custom("slurm.steps_not_counted",
                            f"{name}: {steps} job-step line(s) (.batch, .extern, .0…) not "
                            "counted: they run inside their job's allocation"))
    for reason, ids in skipped.items():
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        notes.append(custom(f"slurm.{reason}_skipped",
                            f"{name}: {len(ids)} job(s) {_SKIP_TEXT[reason]} ({shown})"))
    twice = [j for j, n in seen.items() if n > 1]
    if twice:
        notes.append(custom("slurm.duplicate_jobid",
                            f"{name}: job id(s) {', '.join(twice)} appear more than once "
                            "(requeued runs, sacct --duplicates): each run is counted"))
    return notes
