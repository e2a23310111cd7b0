"""The catalogue table (``accelerators.csv``): its columns and the strict row reader.

Every fact column has a ``*_source`` column naming where the value comes from;
``die_area_status`` is ``imputed`` where no public figure exists. After the required columns
come ``tf32_flops``, ``notes``, ``chip_class`` and the measured power (``measured_power_w``,
``measured_power_scope``, ``measured_power_source``); files written before those existed still
load (no measured power, class from the type).
"""

from __future__ import annotations

import csv
import datetime
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from trainlca.catalog.accelerator import (
    CHIP_CLASSES,
    POWER_SCOPES,
    TYPES,
    Accelerator,
    default_chip_class,
)
from trainlca.cells import parse_number
from trainlca.errors import DataFileError

__all__ = [
    "FACT_COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SOURCE_COLUMNS",
    "read_table",
]

FACT_COLUMNS: tuple[str, ...] = (
    "name",
    "aliases",
    "vendor",
    "type",
    "release_date",
    "process_nm",
    "die_area_mm2",
    "die_count",
    "die_area_status",
    "memory_gb",
    "memory_type",
    "tdp_w",
    "fp32_flops",
    "tensor_16bit_flops",
    "fp8_flops",
    "node_size",
)
SOURCE_COLUMNS: tuple[str, ...] = (
    "release_date_source",
    "process_nm_source",
    "die_area_source",
    "memory_source",
    "tdp_source",
    "flops_source",
    "node_size_source",
)
#: Columns that must be present, in this order, at the start of the CSV (more may follow).
REQUIRED_COLUMNS: tuple[str, ...] = FACT_COLUMNS + SOURCE_COLUMNS
#: Columns that may follow the required ones.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "tf32_flops",
    "notes",
    "chip_class",
    "measured_power_w",
    "measured_power_scope",
    "measured_power_source",
)


def _num(row: Mapping[str, str], col: str, where: str, *, required: bool = True) -> float:
    value = parse_number((row.get(col) or "").strip(), f"{where}: column {col!r}",
                         required=required)
    return math.nan if value is None else value


def _int(row: Mapping[str, str], col: str, where: str) -> int:
    value = _num(row, col, where)
    if value != int(value) or value < 1:
        raise DataFileError(f"{where}: column {col!r} must be a positive integer")
    return int(value)


def _choice(row: Mapping[str, str], col: str, where: str, allowed: tuple[str, ...]) -> str:
    text = (row.get(col) or "").strip()
    if text and text not in allowed:
        raise DataFileError(f"{where}: {col} {text!r} not one of {list(allowed)}")
    return text


def _sources(clean: Mapping[str, str], where: str) -> dict[str, str]:
    sources: dict[str, str] = {}
    for col in SOURCE_COLUMNS:
        text = clean[col].strip()
        if not text:
            raise DataFileError(f"{where}: {col} is empty (every fact needs a source)")
        sources[col.removesuffix("_source")] = text
    return sources


def _measured_power(clean: Mapping[str, str], where: str,
                    sources: dict[str, str]) -> tuple[float, str]:
    watts = _num(clean, "measured_power_w", where, required=False)
    scope = _choice(clean, "measured_power_scope", where, POWER_SCOPES)
    src = clean.get("measured_power_source", "").strip()
    if math.isnan(watts):
        if scope or src:
            raise DataFileError(f"{where}: measured_power_scope/_source without measured_power_w")
        return watts, ""
    if not (scope and src):
        raise DataFileError(f"{where}: measured_power_w needs measured_power_scope and "
                            f"measured_power_source")
    sources["measured_power"] = src
    return watts, scope


def _date(text: str, where: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise DataFileError(f"{where}: release_date {text!r} is not YYYY-MM-DD") from None


def _parse_row(row: Mapping[str | None, str | None], line: int, path: Path) -> Accelerator:
    clean = {k: (v or "") for k, v in row.items() if k is not None}
    name = clean["name"].strip()
    where = f"{path.name} line {line} ({name or 'no name'})"
    if not name:
        raise DataFileError(f"{where}: empty name")
    if None in row:
        raise DataFileError(f"{where}: more fields than columns (unquoted comma?)")
    typ = clean["type"].strip()
    if typ not in TYPES:
        raise DataFileError(f"{where}: type {typ!r} not one of {sorted(TYPES)}")
    status = clean["die_area_status"].strip()
    if status not in ("reported", "imputed"):
        raise DataFileError(f"{where}: die_area_status must be 'reported' or 'imputed'")
    sources = _sources(clean, where)
    watts, scope = _measured_power(clean, where, sources)
    aliases = tuple(a.strip() for a in clean["aliases"].split(";") if a.strip())
    return Accelerator(
        name=name,
        aliases=aliases,
        vendor=clean["vendor"].strip(),
        type=typ,
        release_date=_date(clean["release_date"], where),
        process_nm=_num(clean, "process_nm", where),
        die_area_mm2=_num(clean, "die_area_mm2", where),
        die_count=_int(clean, "die_count", where),
        die_area_imputed=status == "imputed",
        memory_gb=_num(clean, "memory_gb", where),
        memory_type=clean["memory_type"].strip(),
        tdp_w=_num(clean, "tdp_w", where),
        fp32_flops=_num(clean, "fp32_flops", where, required=False),
        tensor_16bit_flops=_num(clean, "tensor_16bit_flops", where),
        fp8_flops=_num(clean, "fp8_flops", where, required=False),
        node_size=_int(clean, "node_size", where),
        sources=MappingProxyType(sources),
        tf32_flops=_num(clean, "tf32_flops", where, required=False),
        notes=clean.get("notes", "").strip(),
        chip_class=(_choice(clean, "chip_class", where, CHIP_CLASSES)
                    or default_chip_class(typ)),
        measured_power_w=watts,
        measured_power_scope=scope,
        imputed=("die_area",) if status == "imputed" else (),
    )


def read_table(path: Path) -> tuple[list[Accelerator], bytes]:
    """The accelerators of a full-schema catalogue CSV and its bytes.

    Raises :class:`DataFileError` naming the file, line and chip of a malformed row.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"accelerator catalogue {path}: cannot read ({exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"accelerator catalogue {path}: not UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    header = tuple(reader.fieldnames or ())
    if header[: len(REQUIRED_COLUMNS)] != REQUIRED_COLUMNS:
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        detail = f"missing {missing}" if missing else "columns out of order"
        raise DataFileError(f"accelerator catalogue {path}: bad header, {detail}")
    items = [_parse_row(row, reader.line_num, path) for row in reader]
    if not items:
        raise DataFileError(f"accelerator catalogue {path}: no rows")
    return items, raw
