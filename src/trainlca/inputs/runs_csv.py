"""A CSV of training runs, one per row → one record per row (what a lab reports for a project).

Columns (by name, in any order; ``#`` starts a comment line):

- ``hardware`` (required): the accelerator, a catalogue name or alias;
- the run, described once: ``count`` and ``hours`` (wall-clock, h), or ``accelerator_hours``
  (h), or ``flop`` (training compute, FLOP) with an optional ``mfu`` (0–1), or before
  training ``parameters`` and ``tokens`` (compute = 6 × parameters × tokens, as ``flop``);
- ``country``: ISO-3 code or country name (empty = the caller's default);
- ``energy_kwh``: the run's measured electricity, kWh (empty = modelled);
- ``label``: a name for the per-run table (default ``line N``), unique in the file.

Example::

    label,hardware,count,hours,country
    pretrain,H100,512,720,USA
    finetune,A100 SXM4 80 GB,64,48,FRA
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Final

from trainlca.catalog import Catalog, load_catalog
from trainlca.countries import resolve
from trainlca.errors import DataFileError, ParameterError, TrainLCAError
from trainlca.inputs.records import (
    RunRecord,
    RunSet,
    SourceFile,
    decode,
    display_names,
    number,
    read_bytes,
    sha256,
)
from trainlca.runspec import FLOP_RULE_SOURCE, check_description, training_flop

__all__ = ["COLUMNS", "read_runs_csv"]

#: The columns a runs CSV may hold.
COLUMNS: Final[tuple[str, ...]] = ("label", "hardware", "count", "hours", "accelerator_hours",
                                   "flop", "parameters", "tokens", "mfu", "energy_kwh",
                                   "country")
_POSITIVE: Final[tuple[str, ...]] = ("count", "hours", "accelerator_hours", "flop",
                                     "parameters", "tokens", "energy_kwh")


def _table(text: str, path: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and rows (with their line numbers); blank and ``#`` lines skipped."""
    try:
        reader = csv.reader(io.StringIO(text))
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise DataFileError(f"{path}: not a readable CSV file: {exc}") from None
    lines = [(n, r) for n, r in lines
             if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not lines:
        raise DataFileError(f"{path}: empty file; give a CSV with columns "
                            "hardware,count,hours,country")
    header = [h.strip().lower() for h in lines[0][1]]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise DataFileError(f"{path}: unknown column(s) {', '.join(unknown)}; a runs CSV has "
                            f"{', '.join(COLUMNS)}")
    if "hardware" not in header:
        raise DataFileError(f"{path}: no hardware column; a runs CSV has "
                            "hardware,count,hours,country (see `trainlca estimate --help`)")
    rows = []
    for n, r in lines[1:]:
        if len(r) > len(header):
            raise DataFileError(f"{path}: line {n}: {len(r)} fields, the header has "
                                f"{len(header)}")
        rows.append((n, dict(zip(header, [*r, *[""] * (len(header) - len(r))], strict=True))))
    return header, rows


def _values(row: dict[str, str], where: str) -> dict[str, float | None]:
    out = {c: number(row.get(c), c, where, allow_zero=False) for c in _POSITIVE}
    mfu = number(row.get("mfu"), "mfu", where, allow_zero=False)
    if mfu is not None and mfu > 1:
        raise DataFileError(f"{where}: mfu {mfu:g} must be a fraction between 0 and 1")
    out["mfu"] = mfu
    return out


def _description(v: dict[str, float | None], where: str) -> None:
    """The row describes its run once (:func:`trainlca.runspec.check_description`, the rule
    of every route), and an ``mfu`` only beside a compute."""
    try:
        kind = check_description(count=v["count"], hours=v["hours"],
                                 accelerator_hours=v["accelerator_hours"], flop=v["flop"],
                                 parameters=v["parameters"], tokens=v["tokens"])
    except ParameterError as exc:
        raise DataFileError(f"{where}: {exc}") from None
    if v["mfu"] is not None and kind not in ("flop", "size"):
        raise DataFileError(f"{where}: mfu applies to a run given by flop (or parameters and "
                            "tokens)")


def _record(row: dict[str, str], line: int, name: str, path: str,
            catalog: Catalog | None) -> RunRecord:
    where = f"{path}: line {line}"
    hardware = (row.get("hardware") or "").strip()
    if not hardware:
        raise DataFileError(f"{where}: empty hardware")
    if catalog is not None:
        try:
            catalog.get(hardware)
        except TrainLCAError as exc:
            raise DataFileError(f"{where}: {exc}") from None
    v = _values(row, where)
    _description(v, where)
    country_text = (row.get("country") or "").strip()
    try:
        country = resolve(country_text) if country_text else None
    except TrainLCAError as exc:
        raise DataFileError(f"{where}: {exc}") from None
    count, hours = v["count"], v["hours"]
    ah = count * hours if count is not None and hours is not None else v["accelerator_hours"]
    flop, source = v["flop"], f"runs {name} line {line}"
    if v["parameters"] is not None and v["tokens"] is not None:
        flop = training_flop(v["parameters"], v["tokens"])
        source += f" (flop = {FLOP_RULE_SOURCE})"
    return RunRecord(
        label=(row.get("label") or "").strip() or f"line {line}",
        source=source, hardware=hardware, count=count, wall_hours=hours,
        accelerator_hours=ah, energy_kwh=v["energy_kwh"], country=country,
        flop=flop, mfu=v["mfu"])


def read_runs_csv(path: str | Path, *, catalog: Catalog | None = None,
                  check_hardware: bool = True) -> RunSet:
    """Read a CSV of runs (``-`` = standard input) into one record per row.

    Args:
        path: the CSV (columns: see the module docstring).
        catalog: the catalogue the hardware names are checked against (default: trainlca's).
        check_hardware: check each row's hardware now, so an unknown name is reported with
            its line.

    Raises:
        DataFileError: unreadable or empty file, unknown or missing columns, a row that
            describes its run not exactly once, a bad number, an unknown hardware or country,
            a label used twice — each naming the file and line.
    """
    data = read_bytes(path, "runs CSV")
    text = decode(data, path, "runs CSV")
    name = display_names([path])[0]
    _, rows = _table(text, str(path))
    if not rows:
        raise DataFileError(f"{path}: no runs (only a header line)")
    cat = (catalog or load_catalog()) if check_hardware else None
    records = [_record(r, line, name, str(path), cat) for line, r in rows]
    first: dict[str, int] = {}
    for (line, _), rec in zip(rows, records, strict=True):
        if rec.label in first:
            raise DataFileError(f"{path}: line {line}: label {rec.label!r} already used on line "
                                f"{first[rec.label]}; give each run its own label")
        first[rec.label] = line
    info = SourceFile(name=name, sha256=sha256(data), kind="runs", rows=len(rows))
    return RunSet(kind="runs", records=tuple(records), files=(info,), tool="runs CSV")
