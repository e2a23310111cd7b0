"""Runs as read from files: one record type for every reader, and the set a reader returns.

A reader (CodeCarbon ``emissions.csv``, ``sacct --parsable2``, a CSV of runs) turns a file into
:class:`RunRecord` values — what the file says about each run, in trainlca's units, with the
reader's notes — and returns them in a :class:`RunSet` with the provenance of the files read
(display name and SHA-256, never an absolute path). Resolving the hardware string against the
catalogue and checking a record's plausibility are separate steps (:func:`resolve_hardware`,
:func:`check_plausible`), so a reader needs no catalogue and a test can pass its own.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from trainlca.catalog import Accelerator, Catalog
from trainlca.errors import DataFileError, ParameterError, UnknownHardwareError
from trainlca.notes import Note, custom

__all__ = [
    "PLAUSIBLE_POWER_MARGIN",
    "STDIN",
    "RunRecord",
    "RunSet",
    "SourceFile",
    "check_plausible",
    "decode",
    "display_names",
    "number",
    "read_bytes",
    "resolve_hardware",
    "sha256",
]

#: The name that means "read standard input".
STDIN: Final[str] = "-"

#: Energy per accelerator-hour above ``margin × TDP`` is implausible. The measured energy of a
#: machine includes its CPUs, RAM and (with CodeCarbon's ``pue``) the data-centre overhead
#: besides the accelerators: an 8-GPU H100 server adds about 110 W of CPU and RAM per GPU to
#: its 700 W TDP (×1.16), times a PUE of 1.5 gives ×1.74. A factor 2 leaves that room and still
#: catches the usual faults (a count too small, rows of several ranks summed).
PLAUSIBLE_POWER_MARGIN: Final[float] = 2.0


@dataclass(frozen=True)
class SourceFile:
    """A file a reader read: its display name (no absolute path), SHA-256 of its bytes, the
    reader (``codecarbon``, ``sacct``, ``runs``) and the number of data rows."""

    name: str
    sha256: str
    kind: str
    rows: int

    def to_dict(self) -> dict[str, str | int]:
        return {"name": self.name, "sha256": self.sha256, "kind": self.kind, "rows": self.rows}


@dataclass(frozen=True)
class RunRecord:
    """One run (or one machine's share of a run) as read from a file.

    Attributes:
        label: identifier for tables: the file (and machine), the SLURM job id, the run label.
        source: where it was read, for provenance ("CodeCarbon 3.3.2 emissions.csv run
            3f2a…", "sacct jobs.txt line 4"); no absolute path.
        hardware: the accelerator as the file names it (CodeCarbon's ``gpu_model`` without its
            "N x " prefix, the sacct gres type, the CSV's ``hardware``); None when the file
            names none (then the caller's hardware is used).
        count: accelerators (per machine for CodeCarbon; the job's total for sacct); None when
            unknown.
        wall_hours: wall-clock duration, h; None when unknown (a run given by FLOP).
        accelerator_hours: accelerators × wall-clock hours, h; None when unknown (no GPU count,
            or a run given by FLOP).
        energy_kwh: measured electricity, kWh; None when not measured.
        country: ISO-3 code of the location when the file gives it, else None.
        state: how the run ended when the file says (sacct: COMPLETED, FAILED, CANCELLED…).
        nodes: machines of the run when known.
        flop: training compute, FLOP (runs CSV); None when the run is given by hours.
        mfu: model FLOP utilisation of a run given by FLOP, 1; None = the model's default.
        parts: the ids merged into this record (CodeCarbon run_ids, sacct job ids).
        reported_emissions_kg: the tool's own CO2 figure (CodeCarbon ``emissions``), kg.
        reported_water_l: the tool's own water figure (CodeCarbon ``water_consumed``), L.
        reported_wue: the water-usage effectiveness the tool applied, L/kWh.
        reported_pue: the PUE the tool already applied to ``energy_kwh``, 1.
        notes: what the reader did or saw, as coded notes (``codecarbon.*``, ``slurm.*``…).
    """

    label: str
    source: str
    hardware: str | None = None
    count: float | None = None
    wall_hours: float | None = None
    accelerator_hours: float | None = None
    energy_kwh: float | None = None
    country: str | None = None
    state: str | None = None
    nodes: int | None = None
    flop: float | None = None
    mfu: float | None = None
    parts: tuple[str, ...] = ()
    reported_emissions_kg: float | None = None
    reported_water_l: float | None = None
    reported_wue: float | None = None
    reported_pue: float | None = None
    notes: tuple[Note, ...] = ()

    @property
    def measured(self) -> bool:
        """Whether the record carries a measured energy."""
        return self.energy_kwh is not None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (None for unknown values)."""
        out: dict[str, object] = {k: getattr(self, k) for k in (
            "label", "source", "hardware", "count", "wall_hours", "accelerator_hours",
            "energy_kwh", "country", "state", "nodes", "flop", "mfu")}
        out["parts"] = list(self.parts)
        out["reported"] = {"emissions_kg": self.reported_emissions_kg,
                           "water_l": self.reported_water_l, "wue": self.reported_wue,
                           "pue": self.reported_pue}
        out["notes"] = [n.to_dict() for n in self.notes]
        return out


def _sum(values: Iterable[float | None]) -> float | None:
    """Σ values, or None when any is unknown (a sum with a hole is not a total)."""
    total = 0.0
    for v in values:
        if v is None:
            return None
        total += v
    return total


def _distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: list[str] = []
    for v in values:
        if v is not None and v not in seen:
            seen.append(v)
    return tuple(seen)


@dataclass(frozen=True)
class RunSet:
    """The records a reader returns, with the files read and the set's own notes.

    For CodeCarbon the records are the machines of one run (their sum is the run); for sacct
    and a runs CSV they are separate jobs or runs (their sum is the project's total).

    Sums are None when one record lacks the quantity (never a silent zero).
    """

    kind: str
    records: tuple[RunRecord, ...]
    files: tuple[SourceFile, ...]
    notes: tuple[Note, ...] = field(default=())
    #: the tool that wrote the files, for provenance ("CodeCarbon 3.3.2", "SLURM sacct").
    tool: str = ""

    def __len__(self) -> int:
        return len(self.records)

    @property
    def energy_kwh(self) -> float | None:
        """Σ measured energy, kWh; None when a record has none."""
        return _sum(r.energy_kwh for r in self.records)

    @property
    def accelerator_hours(self) -> float | None:
        """Σ accelerator-hours, h; None when a record has none."""
        return _sum(r.accelerator_hours for r in self.records)

    @property
    def reported_emissions_kg(self) -> float | None:
        """Σ the tool's own CO2 figures, kg; None when a record has none."""
        return _sum(r.reported_emissions_kg for r in self.records)

    @property
    def reported_water_l(self) -> float | None:
        """Σ the tool's own water figures, L; None when a record has none."""
        return _sum(r.reported_water_l for r in self.records)

    @property
    def hardware_names(self) -> tuple[str, ...]:
        """The distinct hardware strings of the records (files' own names), in order."""
        return _distinct(r.hardware for r in self.records)

    @property
    def countries(self) -> tuple[str, ...]:
        """The distinct ISO-3 codes of the records, in order."""
        return _distinct(r.country for r in self.records)

    @property
    def country(self) -> str | None:
        """The ISO-3 code all records share; None when none is given or they differ."""
        cs = self.countries
        return cs[0] if len(cs) == 1 and all(r.country for r in self.records) else None

    def accelerator_hours_by_hardware(self) -> dict[str | None, float]:
        """Σ accelerator-hours per hardware string (None = the file names none), h; records
        without accelerator-hours are left out."""
        out: dict[str | None, float] = {}
        for r in self.records:
            if r.accelerator_hours is not None:
                out[r.hardware] = out.get(r.hardware, 0.0) + r.accelerator_hours
        return out

    def all_notes(self) -> list[Note]:
        """The set's notes, then each record's (each distinct note once)."""
        out: list[Note] = []
        for n in (*self.notes, *(n for r in self.records for n in r.notes)):
            if n not in out:
                out.append(n)
        return out

    def file_names(self) -> str:
        """"a.csv + b.csv": the files read, for a provenance source."""
        return " + ".join(f.name for f in self.files)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "tool": self.tool, "files": [f.to_dict() for f in self.files],
                "records": [r.to_dict() for r in self.records],
                "energy_kwh": self.energy_kwh, "accelerator_hours": self.accelerator_hours,
                "notes": [n.to_dict() for n in self.notes]}


# --- files ------------------------------------------------------------------------------------


def read_bytes(path: str | Path, what: str) -> bytes:
    """The bytes of ``path`` (``-`` = standard input); one-line DataFileError otherwise."""
    if str(path) == STDIN:
        stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
        return data
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise DataFileError(f"{p}: no such {what} file") from None
    except IsADirectoryError:
        raise DataFileError(f"{p} is a folder; give a {what} file") from None
    except OSError as exc:
        raise DataFileError(f"{p}: cannot read the {what} file: {exc.strerror or exc}") from None


def decode(data: bytes, path: str | Path, what: str) -> str:
    """UTF-8 text (a BOM is dropped); one-line DataFileError when not text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: not a text file (not UTF-8); give the {what} file "
                            "itself") from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def display_names(paths: Sequence[str | Path]) -> list[str]:
    """Names to show for ``paths``: the file name, lengthened by parent folders until the names
    are unique ("node1/emissions.csv", "node2/emissions.csv"); ``-`` shows as ``<stdin>``.
    Never an absolute path."""
    parts = [("<stdin>",) if str(p) == STDIN else Path(p).parts for p in paths]
    depth = [1] * len(parts)
    while True:
        names = ["/".join(ps[-d:]).lstrip("/") for ps, d in zip(parts, depth, strict=True)]
        clash = {n for n in names if names.count(n) > 1}
        grown = False
        for i, n in enumerate(names):
            if n in clash and depth[i] < len(parts[i]) - (1 if Path(str(paths[i])).is_absolute()
                                                          else 0):
                depth[i] += 1
                grown = True
        if not clash or not grown:
            return names


def number(text: str | None, column: str, where: str, *, allow_zero: bool = True
           ) -> float | None:
    """A finite number ≥ 0 from a cell (None when empty or "nan"); DataFileError otherwise."""
    if text is None:
        return None
    s = text.strip()
    if s == "" or s.lower() in ("nan", "none", "null"):
        return None
    try:
        x = float(s)
    except ValueError:
        raise DataFileError(f"{where}: column {column} is not a number: {s!r}") from None
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        bound = "≥ 0" if allow_zero else "> 0"
        raise DataFileError(f"{where}: column {column} must be a finite number {bound}, "
                            f"got {s!r}")
    return x


# --- hardware and plausibility --------------------------------------------------------------


def _resolve(name: str, catalog: Catalog) -> tuple[Accelerator, list[Note]]:
    """``catalog.resolve``: the chip, and the catalogue's note when ``name`` is generic (a bare
    ``A100``, a sacct gres type ``a100``)."""
    res = catalog.resolve(name)
    return res.accelerator, ([custom("hardware.generic", res.note)] if res.note else [])


def resolve_hardware(found: str | None, given: str | None, catalog: Catalog,
                     *, where: str = "the file") -> tuple[Accelerator, list[Note]]:
    """The catalogue chip of a record: the caller's ``given`` name when there is one, else the
    file's ``found`` name; with a note when they disagree, when the file's name is used, and
    when the name used is generic (the catalogue's documented choice).

    Raises:
        UnknownHardwareError: the name used is not in the catalogue (closest names listed), or
            names several different chips.
        ParameterError: neither a given nor a found name.
    """
    if given:
        acc, notes = _resolve(given, catalog)
        if not found:
            return acc, notes
        seen = catalog.match(found)
        if seen is None:
            return acc, [*notes, custom(
                "hardware.file_name_unknown",
                f"{where} names the accelerator {found!r}, which is not one chip of the "
                f"catalogue; using the given {acc.name}")]
        if seen is not acc:
            return acc, [*notes, custom(
                "hardware.override_disagrees",
                f"{where} names the accelerator {found!r} ({seen.name}); using the given "
                f"{acc.name} instead")]
        return acc, notes
    if not found:
        raise ParameterError(f"{where} names no accelerator; give the hardware (-H NAME)")
    try:
        acc, notes = _resolve(found, catalog)
    except UnknownHardwareError as exc:
        raise UnknownHardwareError(f"{where}: {exc}; give the hardware (-H NAME)") from None
    return acc, [custom("hardware.from_file", f"hardware {acc.name} from {where} ({found!r})"),
                 *notes]


def check_plausible(record: RunRecord, tdp_w: float, *,
                    margin: float = PLAUSIBLE_POWER_MARGIN) -> list[Note]:
    """Warnings for a record whose measured energy per accelerator-hour exceeds ``margin`` ×
    the chip's maximum power ``tdp_w`` (W); see :data:`PLAUSIBLE_POWER_MARGIN`. Empty when
    plausible or when energy or accelerator-hours are unknown."""
    e, h = record.energy_kwh, record.accelerator_hours
    if e is None or h is None or h <= 0 or not math.isfinite(tdp_w) or tdp_w <= 0:
        return []
    watts = e / h * 1000.0
    if watts <= margin * tdp_w:
        return []
    return [custom("plausibility.power_above_tdp",
                   f"{record.label}: {e:.6g} kWh over {h:.6g} accelerator-hours is {watts:.4g} W "
                   f"per accelerator, above {margin:g} × the chip's {tdp_w:g} W: check the "
                   "accelerator count, or whether rows of several processes were added up")]
