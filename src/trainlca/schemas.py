"""Declarative schemas of every table the project ships or reads, and one checker.

Each table is a :class:`TableSpec`: a tuple of :class:`Column` (name, type, unit, allowed range,
required column, non-empty cell, the column that must name the value's source) plus the key
column(s) that name a row. :func:`check_table` returns every :class:`Problem` found, each naming
the line in the file, the row's key and the column, e.g.::

    accelerators.csv: line 7 (NVIDIA H100 SXM5 80 GB), column 'tdp_w': -700 is below 0 (W)

Tables covered (see the ``*_SPEC`` constants): the accelerator catalogue, grid files (EcoLogits
JSON, MLCA CSV, the simple ``zone,gwp,...`` CSV), our reference footprints and card references,
and Epoch AI notable-models CSVs (columns by name, with the names Epoch used across snapshots).

The checker is stdlib-only; the loaders keep doing their own (fail-fast) checks, this module
lists *all* problems at once, for CI and for ``check_file``.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, cast

__all__ = [
    "CARD_REFERENCES_SPEC",
    "CATALOGUE_SPEC",
    "ECOLOGITS_SPEC",
    "EPOCH_SPEC",
    "FOOTPRINTS_SPEC",
    "GRID_MLCA_SPEC",
    "GRID_SIMPLE_SPEC",
    "Column",
    "Problem",
    "Table",
    "TableSpec",
    "check_file",
    "check_table",
    "ecologits_table",
    "read_csv_table",
]

ColumnType = Literal["text", "number", "integer", "date", "bool", "choice", "fraction"]
_MISSING: Final[frozenset[str]] = frozenset({"", "na", "n/a", "nan", "none", "null", "-"})


@dataclass(frozen=True)
class Column:
    """One column: ``type`` of its cells, ``unit``, allowed range ``[low, high]`` (numbers and
    dates; ``low_open`` makes the lower bound exclusive), ``required`` (the column must exist),
    ``nonempty`` (every cell must hold a value), ``choices``, ``pattern`` (a regex the text must
    match), ``source`` (a column that must be non-empty wherever this one holds a value), and
    ``aliases`` (other names the column has had; matched case- and space-insensitively)."""

    name: str
    type: ColumnType = "text"
    unit: str = ""
    low: float | str | None = None
    high: float | str | None = None
    low_open: bool = False
    required: bool = True
    nonempty: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    source: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class TableSpec:
    """A table: its columns, the key column(s) naming a row, whether keys must be unique, and
    groups of columns of which at least one group must be present in full (``any_of``)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    unique_key: bool = True
    any_of: tuple[tuple[str, ...], ...] = ()
    min_rows: int = 1

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Problem:
    """One defect: the table, line number (header = line 1; ``None`` for the whole table),
    row key, column and what is wrong."""

    table: str
    line: int | None
    key: str | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.table
        if self.line is not None:
            where += f": line {self.line}"
            if self.key:
                where += f" ({self.key})"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


@dataclass
class Table:
    """Rows read from a file: ``header`` as written, and ``(line number, row)`` pairs."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", str(name).strip().lstrip("\ufeff")).casefold()


def read_csv_table(path: str | Path, name: str | None = None) -> Table:
    """Read a CSV (UTF-8, optional BOM) into a :class:`Table` with physical line numbers."""
    p = Path(path)
    text = p.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    line = 1
    for rec in reader:
        start = line
        line = reader.line_num + 1
        if not header:
            header = [h.strip() for h in rec]
            continue
        if not any(c.strip() for c in rec):
            continue
        row: dict[str, Any] = dict(zip(header, rec, strict=False))
        if len(rec) > len(header):
            row[None] = rec[len(header):]  # type: ignore[index]
        rows.append((start, row))
    return Table(name or p.name, header, rows)


def ecologits_table(path: str | Path | None = None) -> Table:
    """EcoLogits' ``electricity_mixes.json`` as a :class:`Table` (line = entry index + 1)."""
    if path is None:
        from trainlca.grid import ecologits_json_path

        path = ecologits_json_path()
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    entries = data.get("electricity_mixes", []) if isinstance(data, dict) else []
    rows = [(i + 1, dict(e) if isinstance(e, dict) else {}) for i, e in enumerate(entries)]
    header = sorted({k for _, r in rows for k in r})
    return Table(Path(path).name, header, rows)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in _MISSING


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _parse_date(text: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _check_cell(col: Column, value: Any) -> str | None:
    """Why ``value`` does not fit ``col`` (``None`` when it does); ``value`` is non-empty."""
    unit = f" ({col.unit})" if col.unit else ""
    text = str(value).strip()
    if col.type in ("number", "integer", "fraction"):
        pct = col.type == "fraction" and text.endswith("%")
        x = _as_float(text[:-1] if pct else value)
        if x is None:
            return f"{text!r} is not a number"
        if not math.isfinite(x):
            return f"{text!r} is not a finite number"
        if col.type == "integer" and x != int(x):
            return f"{text!r} is not a whole number"
        if col.type == "fraction" and (pct or x > 1):
            x /= 100.0
        lo, hi = col.low, col.high
        if isinstance(lo, int | float) and (x < lo or (col.low_open and x == lo)):
            return f"{text} is {'not above' if col.low_open else 'below'} {lo:g}{unit}"
        if isinstance(hi, int | float) and x > hi:
            return f"{text} is above {hi:g}{unit}"
        return None
    if col.type == "date":
        d = _parse_date(text)
        if d is None:
            return f"{text!r} is not a date (YYYY-MM-DD)"
        if isinstance(col.low, str) and d < datetime.date.fromisoformat(col.low):
            return f"{text} is before {col.low}"
        if isinstance(col.high, str) and d > datetime.date.fromisoformat(col.high):
            return f"{text} is after {col.high}"
        return None
    if col.type == "bool":
        return None if text.lower() in ("true", "false") else f"{text!r} is not true/false"
    if col.type == "choice" and text not in col.choices:
        return f"{text!r} is not one of {', '.join(col.choices)}"
    if col.pattern is not None and not re.fullmatch(col.pattern, text):
        return f"{text!r} does not match {col.pattern}"
    return None


def _resolve(spec: TableSpec, header: Sequence[str]) -> dict[str, str]:
    """Spec column name → the header name that holds it (by name, never by position)."""
    by_key: dict[str, str] = {}
    for h in header:
        if h is not None:
            by_key.setdefault(_norm(h), h)
    found: dict[str, str] = {}
    for col in spec.columns:
        for n in col.names:
            if _norm(n) in by_key:
                found[col.name] = by_key[_norm(n)]
                break
    return found


def check_table(
    rows: Table | Sequence[Mapping[str, Any]] | Sequence[tuple[int, Mapping[str, Any]]],
    spec: TableSpec,
) -> list[Problem]:
    """Every problem of ``rows`` against ``spec`` (empty list = the table is valid).

    ``rows``: a :class:`Table`, ``(line, row)`` pairs, or plain row mappings (then the header is
    the first row's keys and row *i* is on line *i* + 2).
    """
    pairs: list[tuple[int, Mapping[str, Any]]] = []
    if isinstance(rows, Table):
        header, pairs = rows.header, list(rows.rows)
    else:
        for i, r in enumerate(rows):
            if isinstance(r, tuple):
                pairs.append((int(r[0]), r[1]))
            else:
                pairs.append((i + 2, cast("Mapping[str, Any]", r)))
        header = list(pairs[0][1]) if pairs else []
    t = spec.name
    problems: list[Problem] = []
    cols = _resolve(spec, header)
    for col in spec.columns:
        if col.required and col.name not in cols:
            also = f" (or {', '.join(col.aliases)})" if col.aliases else ""
            problems.append(Problem(t, None, None, col.name, f"required column missing{also}"))
    if spec.any_of and not any(all(c in cols for c in g) for g in spec.any_of):
        groups = " or ".join("+".join(g) for g in spec.any_of)
        problems.append(Problem(t, None, None, None, f"needs the column(s) {groups}"))
    if len(pairs) < spec.min_rows:
        problems.append(Problem(t, None, None, None, f"{len(pairs)} data rows, need ≥ "
                                f"{spec.min_rows}"))
    seen: dict[str, int] = {}
    for line, row in pairs:
        key = " / ".join(str(row.get(cols.get(k, k)) or "").strip() for k in spec.key)
        if None in row:
            problems.append(Problem(t, line, key, None,
                                    "more fields than columns (unquoted comma?)"))
        for col in spec.columns:
            hname = cols.get(col.name)
            if hname is None:
                continue
            value = row.get(hname)
            if _empty(value):
                if col.nonempty:
                    problems.append(Problem(t, line, key, col.name, "empty"))
                continue
            why = _check_cell(col, value)
            if why is not None:
                problems.append(Problem(t, line, key, col.name, why))
            if col.source is not None:
                sname = cols.get(col.source)
                if sname is None or _empty(row.get(sname)):
                    problems.append(Problem(t, line, key, col.name,
                                            f"value without a source in '{col.source}'"))
        if spec.unique_key and key.strip(" /"):
            if key in seen:
                problems.append(Problem(t, line, key, ",".join(spec.key),
                                        f"duplicate key (first on line {seen[key]})"))
            else:
                seen[key] = line
    return problems


# --------------------------------------------------------------------------- specs

def _num(name: str, unit: str, low: float, high: float, *, low_open: bool = True,
         required: bool = True, nonempty: bool = True, source: str | None = None,
         integer: bool = False, aliases: tuple[str, ...] = ()) -> Column:
    return Column(name, "integer" if integer else "number", unit, low, high, low_open=low_open,
                  required=required, nonempty=nonempty, source=source, aliases=aliases)


def _text(name: str, *, required: bool = True, nonempty: bool = True,
          pattern: str | None = None, aliases: tuple[str, ...] = ()) -> Column:
    return Column(name, required=required, nonempty=nonempty, pattern=pattern, aliases=aliases)


_PRESETS: Final[tuple[str, ...]] = ("default", "mlca", "tdp-pue", "bloom")
#: What a per-card reference is pinned against: a preset, or one card model alone
#: (``validate.CARD_PRESETS``).
_CARD_CHECKS: Final[tuple[str, ...]] = (*_PRESETS, "model:mlca", "model:boavizta",
                                        "model:published")
_URL: Final[str] = r"https?://\S+"

#: ``src/trainlca/catalog/accelerators.csv``: one row per accelerator unit, a source per fact.
CATALOGUE_SPEC: Final[TableSpec] = TableSpec(
    "accelerators.csv",
    (
        _text("name"),
        _text("aliases", nonempty=False),
        _text("vendor"),
        Column("type", "choice", choices=("GPU", "TPU", "ASIC", "WSE"), nonempty=True),
        Column("release_date", "date", low="2000-01-01", high="2030-12-31", nonempty=True,
               source="release_date_source"),
        _num("process_nm", "nm", 1, 250, source="process_nm_source"),
        _num("die_area_mm2", "mm2", 0, 60_000, source="die_area_source"),
        _num("die_count", "dies", 1, 100, low_open=False, integer=True,
             source="die_area_source"),
        Column("die_area_status", "choice", choices=("reported", "imputed"), nonempty=True),
        _num("memory_gb", "GB", 0, 10_000, low_open=False, source="memory_source"),  # CS-2: 0
        _text("memory_type"),
        _num("tdp_w", "W", 0, 50_000, source="tdp_source"),
        _num("fp32_flops", "FLOP/s", 0, 1e18, nonempty=False, source="flops_source"),
        _num("tensor_16bit_flops", "FLOP/s", 0, 1e18, source="flops_source"),
        _num("fp8_flops", "FLOP/s", 0, 1e18, nonempty=False, source="flops_source"),
        _num("tf32_flops", "FLOP/s", 0, 1e18, required=False, nonempty=False,
             source="flops_source"),
        _num("node_size", "accelerators/server", 1, 1024, low_open=False, integer=True,
             source="node_size_source"),
        *(_text(s) for s in ("release_date_source", "process_nm_source", "die_area_source",
                             "memory_source", "tdp_source", "flops_source",
                             "node_size_source")),
        _text("notes", required=False, nonempty=False),
        Column("chip_class", "choice", required=False,
               choices=("gpu-sxm", "gpu-pcie", "gpu-workstation", "tpu", "asic", "wafer-scale")),
        _num("measured_power_w", "W", 0, 50_000, required=False, nonempty=False,
             source="measured_power_source"),
        Column("measured_power_scope", "choice", required=False, choices=("system", "chip")),
        _text("measured_power_source", required=False, nonempty=False),
    ),
    key=("name",),
)

#: The simple user grid CSV ``zone,gwp,adpe,pe,wu`` (any subset of the criteria).
GRID_SIMPLE_SPEC: Final[TableSpec] = TableSpec(
    "grid (zone,gwp,adpe,pe,wu)",
    (
        _text("zone"),
        _text("name", required=False, nonempty=False),
        _num("gwp", "kgCO2eq/kWh", 0, 2.0, low_open=False, required=False, nonempty=False),
        _num("adpe", "kgSbeq/kWh", 0, 1e-4, low_open=False, required=False, nonempty=False),
        _num("pe", "MJ/kWh", 0, 50, low_open=False, required=False, nonempty=False),
        _num("wu", "L/kWh", 0, 100, low_open=False, required=False, nonempty=False,
             aliases=("wue",)),
        _text("source", required=False, nonempty=False),
    ),
    key=("zone",),
    any_of=(("gwp",), ("adpe",), ("pe",), ("wu",)),
)

#: MLCA's ``electricity_impact_factors.csv`` (zone ``code``; HND is listed twice upstream).
GRID_MLCA_SPEC: Final[TableSpec] = TableSpec(
    "grid (MLCA)",
    (
        _text("code"),
        _text("country", required=False, nonempty=False),
        _num("gwp_emission_factor", "kgCO2eq/kWh", 0, 2.0, low_open=False,
             source="gwp_emission_source"),
        _num("adpe_emission_factor", "kgSbeq/kWh", 0, 1e-4, low_open=False, required=False,
             nonempty=False, source="adpe_emission_source"),
        _num("pe_emission_factor", "MJ/kWh", 0, 50, low_open=False, required=False,
             nonempty=False, source="pe_emission_source"),
        _text("gwp_emission_source"),
        _text("adpe_emission_source", required=False, nonempty=False),
        _text("pe_emission_source", required=False, nonempty=False),
    ),
    key=("code",),
    unique_key=False,
)

#: EcoLogits' ``data/electricity_mixes.json`` (entries read by :func:`ecologits_table`).
ECOLOGITS_SPEC: Final[TableSpec] = TableSpec(
    "electricity_mixes.json",
    (
        _text("name", pattern=r"[A-Z]{3}"),
        _num("gwp", "kgCO2eq/kWh", 0, 2.0, low_open=False),
        _num("adpe", "kgSbeq/kWh", 0, 1e-4, low_open=False),
        _num("pe", "MJ/kWh", 0, 50, low_open=False),
        _num("wue", "L/kWh", 0, 100, low_open=False),
    ),
    key=("name",),
    min_rows=100,
)

#: ``src/trainlca/reference/footprints.csv``: published training footprints.
FOOTPRINTS_SPEC: Final[TableSpec] = TableSpec(
    "footprints.csv",
    (
        _text("id", pattern=r"[a-z0-9][a-z0-9.\-]*"),
        _text("model"),
        Column("preset", "choice", choices=_PRESETS, nonempty=True),
        _text("hardware"),
        _num("hardware_count", "accelerators", 1, 1e7, low_open=False, integer=True,
             nonempty=False),
        _num("accelerator_hours", "h", 0, 1e10, source="source"),
        _num("power_per_accelerator_w", "W", 0, 50_000, nonempty=False),
        _num("pue", "1", 1, 3, low_open=False, nonempty=False),
        _num("carbon_intensity_kgco2e_per_kwh", "kgCO2eq/kWh", 0, 2.0, low_open=False),
        _text("location", pattern=r"[A-Z]{3}"),
        _num("reported_energy_mwh", "MWh", 0, 1e9, nonempty=False, source="source"),
        _num("reported_tco2eq", "tCO2eq", 0, 1e9, source="source"),
        _num("reported_embodied_tco2eq", "tCO2eq", 0, 1e9, nonempty=False, source="source"),
        _text("figure_scope"),
        _text("source"),
        _text("source_url", pattern=_URL),
        _text("verification"),
        Column("verified", "bool", nonempty=True),
        _num("tolerance", "fraction", 0, 1),
        _text("tolerance_note", nonempty=False),
        _text("our_grid_note", nonempty=False),
        _text("notes", nonempty=False),
    ),
    key=("id",),
)

#: ``src/trainlca/reference/card_references.csv``: per-card production figures.
CARD_REFERENCES_SPEC: Final[TableSpec] = TableSpec(
    "card_references.csv",
    (
        _text("id", pattern=r"[a-z0-9][a-z0-9.\-]*"),
        _text("item"),
        _text("hardware"),
        Column("criterion", "choice", choices=("gwp", "adpe", "pe", "wu"), nonempty=True),
        _num("value", "per card", 0, 1e6, source="source"),
        _text("unit"),
        _text("scope"),
        _text("source"),
        _text("source_url", pattern=_URL),
        _text("verification"),
        _num("tolerance", "fraction", 0, 1, nonempty=False),
        Column("tolerance_preset", "choice", choices=_CARD_CHECKS),
        _text("notes", nonempty=False),
    ),
    key=("id",),
)

#: Epoch AI notable-models CSV: columns by name across snapshots (see
#: :data:`trainlca.epoch.schema.COLUMN_ALTERNATIVES`). Cells of optional fields may be empty;
#: a non-empty cell must parse and lie in a physically possible range.
EPOCH_SPEC: Final[TableSpec] = TableSpec(
    "Epoch notable models",
    (
        _text("Model", aliases=("System",)),
        Column("Publication date", "date", low="1940-01-01", high="2100-12-31", nonempty=True),
        _text("Training hardware", nonempty=False),
        _num("Training compute (FLOP)", "FLOP", 0, 1e32, required=False, nonempty=False),
        _num("Hardware quantity", "accelerators", 0, 1e8, required=False, nonempty=False),
        _num("Training time (hours)", "h", 0, 1e6, required=False, nonempty=False),
        Column("Hardware utilization (MFU)", "fraction", "1", 0, 1, low_open=True,
               required=False, aliases=("Hardware utilization",)),
        _num("Training power draw (W)", "W", 0, 1e11, low_open=False, required=False,
             nonempty=False),
        _text("Country (of organization)", required=False, nonempty=False,
              aliases=("Country (from Organization)",)),
        _text("Organization", required=False, nonempty=False),
        _text("Domain", required=False, nonempty=False),
        _text("Numerical format", required=False, nonempty=False),
    ),
    key=("Model",),
    unique_key=False,
    any_of=(("Training compute (FLOP)",), ("Hardware quantity", "Training time (hours)")),
)

_BY_NAME: Final[dict[str, TableSpec]] = {
    "accelerators.csv": CATALOGUE_SPEC,
    "footprints.csv": FOOTPRINTS_SPEC,
    "card_references.csv": CARD_REFERENCES_SPEC,
    "electricity_mixes.json": ECOLOGITS_SPEC,
}


def check_file(path: str | Path, spec: TableSpec | None = None) -> list[Problem]:
    """Check one file; ``spec`` defaults to the one named after the file, else (for a CSV) the
    MLCA or simple grid layout or the Epoch layout, chosen from the header."""
    p = Path(path)
    if p.suffix == ".json":
        table = ecologits_table(p)
        return check_table(table, spec or ECOLOGITS_SPEC)
    table = read_csv_table(p)
    if spec is None:
        spec = _BY_NAME.get(p.name)
    if spec is None:
        keys = {_norm(h) for h in table.header}
        spec = (GRID_MLCA_SPEC if {"code", "gwp_emission_factor"} <= keys
                else GRID_SIMPLE_SPEC if "zone" in keys else EPOCH_SPEC)
    return [Problem(p.name if pr.table == spec.name else pr.table, pr.line, pr.key, pr.column,
                    pr.message) for pr in check_table(table, spec)]
