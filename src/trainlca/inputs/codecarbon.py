"""CodeCarbon ``emissions.csv`` files as training jobs write them → one record per machine.

CodeCarbon (https://github.com/mlco2/codecarbon, format of ``EmissionsData`` in 3.3.2) appends
one row per tracker stop or ``flush()``: ``timestamp`` (local time of the write, to the second),
``run_id``, ``duration`` (s since the tracker started), ``energy_consumed`` (kWh since it
started: CPU + GPU + RAM of the machine, times CodeCarbon's ``pue``), ``emissions`` (kg),
``water_consumed`` (L), the host fields (``cpu_model, cpu_count, gpu_model, gpu_count, os,
ram_total_size``), ``country_iso_code`` (ISO-3), ``tracking_mode``, ``pue``, ``wue``. Columns are
read by name. What a training job writes, and how it is read:

1. **Flushes.** The rows of one ``run_id`` are cumulative: the last row is the run
   (``duration`` and ``energy_consumed`` must not decrease, else the file is rejected).
2. **Resumed runs.** Runs of one machine that do not overlap in time (each spans
   ``timestamp − duration … timestamp``) are parts of one job: summed.
3. **Concurrent trackers.** Runs that overlap in time by more than :data:`OVERLAP_TOLERANCE_S`
   in one file, with the same host fields, in ``machine`` mode each measured the whole machine
   (one tracker per rank): the machine is counted once — the run with the most energy — with
   a note. In ``process`` mode each measured its own process: their energies are summed.
4. **Machines.** Separate files are separate machines (one file per node, as CodeCarbon's
   issue #544 recommends) and are summed, unless the caller says they come from one machine
   (``same_machine=True``: then rules 2–3 apply across the files).

Accelerator-hours per machine: ``gpu_count`` (or the caller's ``count``) × the machine's
wall-clock time (the kept runs' durations). The chip is the ``gpu_model`` without CodeCarbon's
"N x " prefix (an NVML name, resolved through the catalogue by the caller).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from trainlca.errors import DataFileError, ParameterError
from trainlca.inputs.records import (
    STDIN,
    RunRecord,
    RunSet,
    SourceFile,
    decode,
    display_names,
    number,
    read_bytes,
    sha256,
)
from trainlca.notes import Note, custom

__all__ = ["HOST_FIELDS", "OVERLAP_TOLERANCE_S", "REQUIRED", "is_codecarbon_header",
           "read_codecarbon"]

#: Columns without which a file is not a CodeCarbon ``emissions.csv``.
REQUIRED: Final[tuple[str, ...]] = ("duration", "energy_consumed")
#: Columns that tell a machine from another (CodeCarbon writes no host name).
HOST_FIELDS: Final[tuple[str, ...]] = ("cpu_model", "cpu_count", "gpu_model", "gpu_count", "os",
                                       "ram_total_size", "country_iso_code", "region")
#: CodeCarbon writes ``timestamp`` to the second (``%Y-%m-%dT%H:%M:%S``, truncated), so two
#: runs one after the other can appear to overlap by up to 1 s: a longer overlap is concurrent.
OVERLAP_TOLERANCE_S: Final[float] = 1.0
_GPU_MODEL = re.compile(r"^\s*(\d+)\s+x\s+(.+?)\s*$")
_GPU_COUNT = re.compile(r"\d+\s+x\s+")
_WHAT = "CodeCarbon"


@dataclass(frozen=True)
class _Run:
    """The last cumulative row of one ``run_id`` (one tracker)."""

    run_id: str
    line: int
    rows: int
    duration_s: float
    energy_kwh: float
    start: datetime.datetime | None
    end: datetime.datetime | None
    host: tuple[str, ...]
    machine_mode: bool
    gpu_count: float | None
    gpu_model: str
    gpu_energy_kwh: float | None
    country: str | None
    version: str
    emissions_kg: float | None
    water_l: float | None
    wue: float | None
    pue: float | None


@dataclass(frozen=True)
class _File:
    name: str
    runs: tuple[_Run, ...]
    info: SourceFile
    notes: tuple[Note, ...]


# --- reading one file --------------------------------------------------------------------------


def is_codecarbon_header(header: Sequence[str]) -> bool:
    """Whether a CSV header has CodeCarbon's columns."""
    return all(c in header for c in REQUIRED)


def _rows(text: str, path: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = [(reader.line_num, {k: (v or "") for k, v in row.items() if k is not None})
                for row in reader]
    except csv.Error as exc:
        raise DataFileError(f"{path}: not a readable CSV file: {exc}") from None
    return header, rows


def _timestamp(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _run_of(run_id: str, rows: list[tuple[int, dict[str, str]]], path: str) -> _Run:
    """The last cumulative row of ``run_id``, after checking that the rows are cumulative."""
    prev_e = prev_d = -1.0
    for line, row in rows:
        where = f"{path}: line {line}"
        e = number(row.get("energy_consumed"), "energy_consumed", where)
        d = number(row.get("duration"), "duration", where)
        if e is None or d is None:
            raise DataFileError(f"{where}: empty energy_consumed or duration; give the file "
                                "as CodeCarbon wrote it")
        if e < prev_e or d < prev_d:
            what, before, after = (("energy_consumed", prev_e, e) if e < prev_e
                                   else ("duration", prev_d, d))
            raise DataFileError(
                f"{where}: {what} decreases within run_id {run_id!r} ({before:.6g} → "
                f"{after:.6g}); CodeCarbon's flush rows are cumulative, so the file was edited "
                "or two runs share a run_id")
        prev_e, prev_d = e, d
    line, last = rows[-1]
    where = f"{path}: line {line}"
    end = _timestamp(last.get("timestamp", ""))
    start = end - datetime.timedelta(seconds=prev_d) if end is not None else None
    country = (last.get("country_iso_code") or "").strip().upper() or None
    return _Run(
        run_id=run_id, line=line, rows=len(rows), duration_s=prev_d, energy_kwh=prev_e,
        start=start, end=end,
        host=tuple((last.get(k) or "").strip() for k in HOST_FIELDS),
        machine_mode=(last.get("tracking_mode") or "machine").strip() != "process",
        gpu_count=number(last.get("gpu_count"), "gpu_count", where),
        gpu_model=(last.get("gpu_model") or "").strip(),
        gpu_energy_kwh=number(last.get("gpu_energy"), "gpu_energy", where),
        country=country, version=(last.get("codecarbon_version") or "").strip(),
        emissions_kg=number(last.get("emissions"), "emissions", where),
        water_l=number(last.get("water_consumed"), "water_consumed", where),
        wue=number(last.get("wue"), "wue", where),
        pue=number(last.get("pue"), "pue", where),
    )


def _read_file(path: str | Path, name: str, run_ids: Collection[str] | None) -> _File:
    data = read_bytes(path, _WHAT)
    text = decode(data, path, "CodeCarbon emissions.csv")
    header, rows = _rows(text, str(path))
    if not header:
        raise DataFileError(f"{path}: empty file; give the emissions.csv CodeCarbon wrote")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataFileError(f"{path}: not a CodeCarbon emissions.csv: missing column(s) "
                            f"{', '.join(missing)}; give the file CodeCarbon wrote "
                            "(output_dir/emissions.csv)")
    notes: list[Note] = []
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        rid = (row.get("run_id") or "").strip() if "run_id" in header else ""
        groups.setdefault(rid or f"line {line}", []).append((line, row))
    if "run_id" not in header:
        notes.append(custom("codecarbon.no_run_id",
                            f"{name}: no run_id column (CodeCarbon before 2.0): each row is "
                            "taken as a run of its own"))
    if run_ids is not None:
        groups = {k: v for k, v in groups.items() if k in run_ids}
    if not groups:
        which = "" if run_ids is None else " for the run_id(s) asked"
        raise DataFileError(f"{path}: CodeCarbon file has no rows{which}")
    runs = tuple(_run_of(rid, g, str(path)) for rid, g in groups.items())
    for r in runs:
        if r.rows > 1:
            notes.append(custom(
                "codecarbon.flush_rows_collapsed",
                f"{name}: run {_short(r.run_id)} has {r.rows} cumulative rows (flush()); the "
                f"last one (line {r.line}: {r.energy_kwh:.6g} kWh, {r.duration_s:.6g} s) is "
                "the run"))
    info = SourceFile(name=name, sha256=sha256(data), kind="codecarbon", rows=len(rows))
    return _File(name, runs, info, tuple(notes))


def _short(run_id: str) -> str:
    return run_id[:8] if len(run_id) > 12 else run_id


# --- one machine from its runs --------------------------------------------------------------


def _overlap_s(a: _Run, b: _Run) -> float:
    if a.start is None or a.end is None or b.start is None or b.end is None:
        return 0.0
    return (min(a.end, b.end) - max(a.start, b.start)).total_seconds()


def _clusters(runs: list[_Run]) -> list[list[_Run]]:
    """Runs grouped into sets that overlap in time (by more than the tolerance), in time
    order; runs without a timestamp stand alone."""
    timed = sorted(((r.start, r.line, r) for r in runs if r.start is not None),
                   key=lambda t: (t[0], t[1]))
    out: list[list[_Run]] = []
    for _, _, r in timed:
        if out and any(_overlap_s(r, o) > OVERLAP_TOLERANCE_S for o in out[-1]):
            out[-1].append(r)
        else:
            out.append([r])
    out += [[r] for r in runs if r.start is None]
    return out


def _span_s(runs: list[_Run]) -> float:
    """Wall-clock span of overlapping runs: from the first start to the last end, s."""
    starts = [r.start for r in runs if r.start is not None]
    ends = [r.end for r in runs if r.end is not None]
    span = (max(ends) - min(starts)).total_seconds() if starts and ends else 0.0
    return max(span, max(r.duration_s for r in runs))


def _concurrent(group: list[_Run], label: str) -> tuple[float, float, list[_Run], list[Note]]:
    """Energy (kWh), wall-clock (s), runs kept and notes of one set of overlapping runs."""
    if len(group) == 1:
        return group[0].energy_kwh, group[0].duration_s, group, []
    ids = ", ".join(_short(r.run_id) for r in group)
    if all(r.machine_mode for r in group):
        kept = max(group, key=lambda r: (r.energy_kwh, r.duration_s))
        notes = [custom(
            "codecarbon.concurrent_trackers_counted_once",
            f"{label}: {len(group)} runs overlap in time on the same machine ({ids}) in "
            f"machine mode: each measured the whole machine, so it is counted once (run "
            f"{_short(kept.run_id)}, {kept.energy_kwh:.6g} kWh); if they ran on different "
            "nodes writing one shared file, give each node its own output file")]
        uncovered = _span_s(group) - kept.duration_s
        if uncovered > OVERLAP_TOLERANCE_S:
            notes.append(custom(
                "codecarbon.partial_overlap",
                f"{label}: the other concurrent runs extend {uncovered:.3g} s beyond run "
                f"{_short(kept.run_id)}; that time is not counted"))
        return kept.energy_kwh, kept.duration_s, [kept], notes
    note = custom("codecarbon.concurrent_process_trackers_summed",
                  f"{label}: {len(group)} runs overlap in time in process mode ({ids}): each "
                  "measured its own process, energies summed (GPU energy is per device: "
                  "set gpu_ids per process to avoid counting a GPU twice)")
    return sum(r.energy_kwh for r in group), _span_s(group), group, [note]


def _gpu(runs: list[_Run], label: str) -> tuple[str | None, float | None, list[Note]]:
    """The file's accelerator name and count per machine: ``gpu_model`` without CodeCarbon's
    "N x " prefix; a list of several models ("4 x A2 x B") is kept whole for the catalogue to
    split, with a note."""
    counts = {r.gpu_count for r in runs}
    models = {r.gpu_model for r in runs}
    count = counts.pop() if len(counts) == 1 else None
    model = models.pop() if len(models) == 1 else ""
    m = _GPU_MODEL.match(model)
    if m is not None and _GPU_COUNT.search(m.group(2)) is None:
        return m.group(2), count, []
    if not model:
        return None, count, []
    if m is None:
        return model, count, []
    return model, count, [custom("codecarbon.mixed_gpu_models",
                                 f"{label}: gpu_model {model!r} lists several models; the "
                                 "accelerator-hours use gpu_count for all of them")]


def _machine(runs: list[_Run], label: str, count: float | None, source: str) -> RunRecord:
    """One machine's record from its runs (rules 2 and 3 of the module docstring)."""
    notes: list[Note] = []
    energy = seconds = 0.0
    kept: list[_Run] = []
    clusters = _clusters(runs)
    for group in clusters:
        e, s, k, ns = _concurrent(group, label)
        energy, seconds = energy + e, seconds + s
        kept += k
        notes += ns
    if len(clusters) > 1:
        notes.append(custom("codecarbon.resumed_run_summed",
                            f"{label}: {len(clusters)} runs that do not overlap in time "
                            f"(resumed job) summed: {energy:.6g} kWh, {seconds:.6g} s"))
    if any(r.start is None for r in runs) and len(runs) > 1:
        notes.append(custom("codecarbon.no_timestamp",
                            f"{label}: rows without a readable timestamp are taken as separate "
                            "(summed) runs"))
    hardware, gpu_count, gpu_notes = _gpu(kept, label)
    notes += gpu_notes
    n = count if count is not None else (gpu_count or None)
    if count is not None and gpu_count and gpu_count != count:
        notes.append(custom("codecarbon.count_given",
                            f"{label}: {count:g} accelerators given; the file's gpu_count is "
                            f"{gpu_count:g}"))
    if n is None:
        notes.append(custom("codecarbon.no_gpu",
                            f"{label}: gpu_count is 0 or empty (CodeCarbon saw no GPU); give "
                            "the accelerator count per machine"))
    elif count is None and all((r.gpu_energy_kwh == 0.0) for r in kept):
        notes.append(custom("codecarbon.gpu_energy_zero",
                            f"{label}: gpu_count {n:g} but gpu_energy is 0 (NVML not read?): "
                            "the measured energy may lack the GPUs"))
    countries = {r.country for r in kept}
    if len(countries) > 1:
        notes.append(custom("codecarbon.several_countries",
                            f"{label}: runs name several countries "
                            f"({', '.join(sorted(c or '?' for c in countries))}); give the "
                            "country"))
    pues = {r.pue for r in kept}
    wues = {r.wue for r in kept}
    hours = seconds / 3600.0
    return RunRecord(
        label=label, source=source, hardware=hardware, count=n, wall_hours=hours,
        accelerator_hours=None if n is None else n * hours, energy_kwh=energy,
        country=countries.pop() if len(countries) == 1 else None, nodes=1,
        parts=tuple(r.run_id for r in kept),
        reported_emissions_kg=_total(r.emissions_kg for r in kept),
        reported_water_l=_total(r.water_l for r in kept),
        reported_wue=wues.pop() if len(wues) == 1 else None,
        reported_pue=pues.pop() if len(pues) == 1 else None,
        notes=tuple(notes),
    )


def _total(values: Iterable[float | None]) -> float | None:
    """Σ values, None when one is missing."""
    total = 0.0
    for v in values:
        if v is None:
            return None
        total += v
    return total


# --- the public reader ------------------------------------------------------------------------


def _expand(paths: Sequence[str | Path]) -> tuple[list[str | Path], list[Note]]:
    """Files to read: a folder becomes the CodeCarbon files under it (see :func:`_folder`)."""
    out: list[str | Path] = []
    notes: list[Note] = []
    for p in paths:
        if str(p) != STDIN and Path(p).is_dir():
            found, skipped, tasks = _folder(Path(p))
            if not found:
                raise DataFileError(f"{p}: folder holds no CodeCarbon emissions.csv (no *.csv "
                                    f"with columns {', '.join(REQUIRED)}); give the files")
            out += found
            if skipped:
                notes.append(custom("codecarbon.skipped_files",
                                    f"{Path(p).name}/: {len(skipped)} CSV file(s) without "
                                    f"CodeCarbon's columns skipped ({', '.join(skipped)})"))
            if tasks:
                notes.append(custom("codecarbon.task_files_skipped",
                                    f"{Path(p).name}/: {len(tasks)} task file(s) skipped "
                                    f"({', '.join(tasks)}): start_task()/stop_task() "
                                    "breakdowns of runs already in emissions.csv"))
        else:
            out.append(p)
    return out, notes


def _folder(folder: Path) -> tuple[list[Path], list[str], list[str]]:
    """The ``*.csv`` files under ``folder`` (sub-folders included, e.g. one per node) with
    CodeCarbon's columns; the others, and CodeCarbon's per-task files (a ``task_name``
    column), are skipped."""
    found: list[Path] = []
    skipped: list[str] = []
    tasks: list[str] = []
    for f in sorted(folder.rglob("*.csv")):
        try:
            with f.open(newline="", encoding="utf-8-sig") as fh:
                head = [h.strip() for h in next(csv.reader(fh), [])]
        except (OSError, UnicodeDecodeError, csv.Error):
            head = []
        name = f.relative_to(folder).as_posix()
        if not is_codecarbon_header(head):
            skipped.append(name)
        elif "task_name" in head:
            tasks.append(name)
        else:
            found.append(f)
    return found, skipped, tasks


def read_codecarbon(paths: str | Path | Sequence[str | Path], *, count: float | None = None,
                    same_machine: bool = False,
                    run_ids: Collection[str] | None = None) -> RunSet:
    """Read CodeCarbon files into one record per machine.

    Args:
        paths: one or many ``emissions.csv`` files, folders (their ``*.csv`` files with
            CodeCarbon's columns), or ``-`` for standard input.
        count: accelerators per machine; default: the file's ``gpu_count``.
        same_machine: the files come from one machine (e.g. one file per rank on one node):
            their runs are pooled, and overlapping ones counted once.
        run_ids: read only these runs (e.g. the tracker's own run).

    Raises:
        DataFileError: unreadable or empty file, not CodeCarbon's columns, bad numbers, a
            cumulative column that decreases, the same file given twice.
        ParameterError: a ``count`` that is not > 0.
    """
    if count is not None and (isinstance(count, bool) or not isinstance(count, int | float)
                              or not math.isfinite(count) or count <= 0):
        raise ParameterError(f"count {count!r}: must be a number > 0 (accelerators per machine)")
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise ParameterError("no CodeCarbon file given")
    files, notes = _expand(items)
    names = display_names(files)
    read = [_read_file(p, n, run_ids) for p, n in zip(files, names, strict=True)]
    _check_distinct(read)
    records = _records(read, count, same_machine)
    versions = sorted({r.version for f in read for r in f.runs if r.version})
    if len(records) > 1:
        notes.append(custom("codecarbon.machines_summed",
                            f"{len(records)} machines summed (one record per file and host)"))
    if same_machine and len(read) > 1:
        notes.append(custom("codecarbon.files_same_machine",
                            f"{len(read)} files read as one machine (same_machine)"))
    return RunSet(kind="codecarbon", records=tuple(records),
                  files=tuple(f.info for f in read),
                  notes=tuple(notes) + tuple(n for f in read for n in f.notes),
                  tool=" ".join(["CodeCarbon", ", ".join(versions)]).strip())


def _check_distinct(read: list[_File]) -> None:
    seen: dict[str, str] = {}
    for f in read:
        if f.info.sha256 in seen:
            raise DataFileError(f"{f.name} and {seen[f.info.sha256]} have the same content "
                                "(the same file given twice?); give each machine's file once")
        seen[f.info.sha256] = f.name


def _records(read: list[_File], count: float | None, same_machine: bool) -> list[RunRecord]:
    version = ", ".join(sorted({r.version for f in read for r in f.runs if r.version}))
    tool = f"CodeCarbon {version}".strip()
    if same_machine:
        runs = [r for f in read for r in f.runs]
        label = " + ".join(f.name for f in read)
        return [_machine(runs, label, count, f"{tool} {label}")]
    out: list[RunRecord] = []
    for f in read:
        hosts: dict[tuple[str, ...], list[_Run]] = {}
        for r in f.runs:
            hosts.setdefault(r.host, []).append(r)
        for i, runs in enumerate(hosts.values(), start=1):
            label = f.name if len(hosts) == 1 else f"{f.name} [host {i}]"
            out.append(_machine(runs, label, count, f"{tool} {label}"))
    return out
