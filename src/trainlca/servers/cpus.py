"""Server CPUs: die area (all dies of the package, mm²) and TDP (W), from ``data/cpus.csv``
(each row sourced). Used to complete a user server that names its CPU without ``die_size`` or
``tdp``, as BoaviztAPI and MLCA complete theirs from their CPU tables.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from trainlca.catalog import normalise_name
from trainlca.cells import parse_number
from trainlca.errors import DataFileError

CPUS_PATH: Final[Path] = Path(__file__).with_name("data") / "cpus.csv"
_COLUMNS: Final[tuple[str, ...]] = ("name", "aliases", "die_size_mm2", "tdp_w", "cores",
                                    "die_source", "tdp_source")


@dataclass(frozen=True)
class CpuSpec:
    """One CPU model: die area per package (mm²), TDP (W), cores, and their sources."""

    name: str
    die_mm2: float
    tdp_w: float
    cores: int
    die_source: str
    tdp_source: str


def _row(row: Mapping[str, str], where: str) -> CpuSpec:
    die = parse_number(row["die_size_mm2"], f"{where}, column 'die_size_mm2'", required=True,
                       positive=True)
    tdp = parse_number(row["tdp_w"], f"{where}, column 'tdp_w'", required=True, positive=True)
    cores = parse_number(row["cores"], f"{where}, column 'cores'", required=True, positive=True)
    assert die is not None and tdp is not None and cores is not None
    if not row["die_source"].strip() or not row["tdp_source"].strip():
        raise DataFileError(f"{where}: every CPU needs die_source and tdp_source")
    return CpuSpec(row["name"].strip(), die, tdp, int(cores), row["die_source"].strip(),
                   row["tdp_source"].strip())


@functools.lru_cache(maxsize=4)
def load_cpus(path: Path = CPUS_PATH) -> Mapping[str, CpuSpec]:
    """CPU models by normalised name and alias (cached)."""
    if not path.is_file():
        raise DataFileError(f"CPU table not found: {path}")
    out: dict[str, CpuSpec] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataFileError(f"{path}: missing columns {', '.join(missing)}")
        for row in reader:
            spec = _row(row, f"{path}: line {reader.line_num}")
            for key in (spec.name, *row["aliases"].split(";")):
                if key.strip():
                    out[normalise_name(key)] = spec
    return MappingProxyType(out)


def find_cpu(name: str) -> CpuSpec | None:
    """The CPU named ``name`` (case and spacing insensitive), or None."""
    return load_cpus().get(normalise_name(name)) if name.strip() else None
