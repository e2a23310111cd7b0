"""The archetype table ``data/archetypes.csv``: one sourced host platform per row, in the spirit
of BoaviztAPI's ``data/archetypes/server.csv`` (cells ``default`` or ``default;min;max``).

Columns (units): ``accelerators`` per server; ``CPU.units``, ``CPU.die_size`` (mm² per
package), ``CPU.tdp`` (W); ``RAM.units`` (modules), ``RAM.capacity`` (GB per module),
``RAM.type`` (ddr4/ddr5); ``SSD.units``, ``SSD.capacity`` (GB per drive); ``HDD.units``;
``POWER_SUPPLY.units``, ``POWER_SUPPLY.unit_weight`` (kg); ``SWITCH.units``,
``SWITCH.die_size`` (other logic ASICs counted with the CPU factors, mm² each);
``CASE.case_type`` (rack/blade), ``CASE.units``, ``MOTHERBOARD.units``; ``source`` (where the
counts come from) and ``rationale`` (why the default sits where it does).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final

from trainlca.cells import parse_number
from trainlca.errors import DataFileError
from trainlca.servers.cpus import find_cpu
from trainlca.servers.model import CASE_TYPES, RAM_TYPES, Cell, Cpu, Disk, Ram, Server

ARCHETYPES_PATH: Final[Path] = Path(__file__).with_name("data") / "archetypes.csv"

#: Cell columns of the table (a number, or ``default;min;max``).
CELL_COLUMNS: Final[tuple[str, ...]] = (
    "CPU.units", "CPU.die_size", "CPU.tdp", "RAM.units", "RAM.capacity", "SSD.units",
    "SSD.capacity", "HDD.units", "POWER_SUPPLY.units", "POWER_SUPPLY.unit_weight",
    "SWITCH.units", "SWITCH.die_size", "CASE.units", "MOTHERBOARD.units",
)
COLUMNS: Final[tuple[str, ...]] = (
    "id", "name", "accelerators", "CPU.name", *CELL_COLUMNS, "RAM.type", "CASE.case_type",
    "source", "rationale",
)


def parse_cell(text: str, where: str) -> Cell:
    """``"v"`` or ``"v;min;max"`` (BoaviztAPI's archetype cells); DataFileError unless
    min ≤ v ≤ max, all finite and ≥ 0."""
    parts = [t.strip() for t in text.split(";")]
    if len(parts) not in (1, 3):
        raise DataFileError(f"{where}: {text!r} must be a number or 'default;min;max'")
    values = [parse_number(t, where, required=True) for t in parts]
    v, lo, hi = (values * 3)[:3] if len(values) == 1 else values
    assert v is not None and lo is not None and hi is not None
    if not lo <= v <= hi:
        raise DataFileError(f"{where}: {text!r}: need min ≤ default ≤ max")
    return Cell(v, lo, hi)


def _cells(row: Mapping[str, str], where: str) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    for col in CELL_COLUMNS:
        text = row[col].strip()
        if not text:
            raise DataFileError(f"{where}, column '{col}': empty (write 0 for none)")
        out[col] = parse_cell(text, f"{where}, column '{col}'")
    return out


def _cpu(row: Mapping[str, str], cells: Mapping[str, Cell], where: str) -> Cpu:
    name = row["CPU.name"].strip()
    die, tdp = cells["CPU.die_size"], cells["CPU.tdp"]
    if die.value == 0 or tdp.value == 0:
        spec = find_cpu(name)
        if spec is None:
            raise DataFileError(f"{where}: CPU {name!r} is not in the CPU table; give "
                                "CPU.die_size and CPU.tdp")
        die = die if die.value else Cell.fixed(spec.die_mm2)
        tdp = tdp if tdp.value else Cell.fixed(spec.tdp_w)
    return Cpu(cells["CPU.units"], die, tdp, name)


def _server(row: Mapping[str, str], where: str) -> Server:
    sid = row["id"].strip()
    cells = _cells(row, where)
    n = parse_number(row["accelerators"], f"{where}, column 'accelerators'", required=True,
                     positive=True)
    assert n is not None
    ram_type, case = row["RAM.type"].strip().lower(), row["CASE.case_type"].strip().lower()
    if ram_type not in RAM_TYPES:
        raise DataFileError(f"{where}: RAM.type {ram_type!r}; one of {', '.join(RAM_TYPES)}")
    if case not in CASE_TYPES:
        raise DataFileError(f"{where}: CASE.case_type {case!r}; one of {', '.join(CASE_TYPES)}")
    if not row["source"].strip() or not row["rationale"].strip():
        raise DataFileError(f"{where}: archetype {sid} needs a source and a rationale")
    disks = (Disk("ssd", cells["SSD.units"], cells["SSD.capacity"]),
             Disk("hdd", cells["HDD.units"], Cell.fixed(0.0)))
    return Server(
        name=sid, accelerators=int(n), cpu=_cpu(row, cells, where),
        ram=(Ram(cells["RAM.units"], cells["RAM.capacity"], ram_type),),
        disks=tuple(d for d in disks if d.units.high > 0),
        psu_units=cells["POWER_SUPPLY.units"], psu_kg=cells["POWER_SUPPLY.unit_weight"],
        switch_units=cells["SWITCH.units"], switch_die_mm2=cells["SWITCH.die_size"],
        case_type=case, case_units=cells["CASE.units"],
        motherboard_units=cells["MOTHERBOARD.units"],
        source=row["source"].strip(), rationale=row["rationale"].strip(),
    )


def read_archetypes(path: Path) -> Mapping[str, Server]:
    """Archetypes of a table in this schema, by id; DataFileError on any bad cell."""
    if not path.is_file():
        raise DataFileError(f"server archetype table not found: {path}")
    out: dict[str, Server] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataFileError(f"{path}: missing columns {', '.join(missing)}")
        for row in reader:
            where = f"{path}: line {reader.line_num}"
            server = _server({k: v or "" for k, v in row.items() if k}, where)
            if not server.name or server.name in out:
                raise DataFileError(f"{where}: empty or duplicate id {server.name!r}")
            out[server.name] = server
    if not out:
        raise DataFileError(f"{path}: no archetypes")
    return MappingProxyType(out)


@functools.lru_cache(maxsize=1)
def archetypes() -> Mapping[str, Server]:
    """The packaged archetypes by id (cached)."""
    return read_archetypes(ARCHETYPES_PATH)
