"""A user's server, read from a JSON or YAML file in BoaviztAPI's server schema, in MLCA's ML
setup schema, or from an MLCA verbose result — so files written for those tools load as they
are.

Read (everything else is listed in :attr:`Server.ignored`):

- BoaviztAPI ``POST /v1/server/`` body: ``model.type`` (rack/blade), ``configuration.cpu``
  (``units``, ``core_units``, ``die_size`` mm², ``die_size_per_core`` mm², ``tdp`` W, ``name``
  or ``model``), ``configuration.ram[]`` (``units``, ``capacity`` GB, ``density`` GB/cm²),
  ``configuration.disk[]`` (``units``, ``type`` ssd/hdd, ``capacity`` GB, ``density``),
  ``configuration.power_supply`` (``units``, ``unit_weight`` kg), ``configuration.gpu.units``.
- MLCA ``POST /v1/mlca/`` body: the same server under ``server`` (MLCA states CPU ``die_size``
  in cm²), ``gpu[]`` (``units`` per node), ``cpu_usage``.
- MLCA verbose result (``verbose`` → ``manufacture of one server node``): every component with
  its ``unit`` count and ``used_value``; GPUs per node are not printed there and must be given.

Our extensions, all optional: top-level ``name`` and ``accelerators`` (accelerators per
server), ``cpu.die_size_unit`` (``mm2``/``cm2``), ``ram[].type`` (``ddr4``/``ddr5``) and
``switch`` (``units``, ``die_size`` mm²). Missing components get MLCA's defaults (2 CPUs of
2.10 cm² and 65 W when the CPU is not in our table, 24 × 32 GB RAM, one 1 TB SSD, 2 power
supplies of 2.99 kg, a rack case), each named in :attr:`Server.imputed`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from trainlca.cells import parse_number
from trainlca.errors import DataFileError
from trainlca.servers.cpus import find_cpu
from trainlca.servers.model import CASE_TYPES, RAM_TYPES, Cell, Cpu, Disk, Ram, Server

#: MLCA's completions (blubrom/MLCA @ d2d8a42, model/components/component.py and
#: model/devices/device.py), which are BoaviztAPI 0.x's.
MLCA_DEFAULTS_SRC: Final[str] = "MLCA (blubrom/MLCA @ d2d8a42) default"
DEFAULT_CPU_UNITS: Final[int] = 2
DEFAULT_CPU_DIE_MM2: Final[float] = 210.0
DEFAULT_CPU_TDP_W: Final[float] = 65.0
DEFAULT_RAM_UNITS: Final[int] = 24
DEFAULT_RAM_GB: Final[float] = 32.0
DEFAULT_SSD_GB: Final[float] = 1000.0
DEFAULT_PSU_UNITS: Final[int] = 2
DEFAULT_PSU_KG: Final[float] = 2.99
#: A die_size below this, in a file whose unit is mm², is almost surely in cm².
MIN_CPU_DIE_MM2: Final[float] = 30.0

_CPU_KEYS: Final[frozenset[str]] = frozenset({
    "units", "core_units", "die_size", "die_size_per_core", "tdp", "name", "model",
    "die_size_unit", "manufacturer", "family", "model_range", "manufacture_date", "process",
    "threads", "usage"})
_RAM_KEYS: Final[frozenset[str]] = frozenset({
    "units", "capacity", "density", "type", "process", "manufacturer", "manufacture_date",
    "model", "integrator", "usage"})
_DISK_KEYS: Final[frozenset[str]] = frozenset({
    "units", "type", "capacity", "density", "manufacturer", "manufacture_date", "model",
    "layers", "usage"})
_USED_CPU: Final[frozenset[str]] = frozenset({
    "units", "core_units", "die_size", "die_size_per_core", "tdp", "name", "model",
    "die_size_unit"})
_USED_RAM: Final[frozenset[str]] = frozenset({"units", "capacity", "density", "type"})
_USED_DISK: Final[frozenset[str]] = frozenset({"units", "type", "capacity", "density"})


@dataclass
class _Reader:
    """Where we are in a file, and what was imputed or ignored so far."""

    path: str
    die_unit: str
    imputed: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def num(self, block: Mapping[str, Any], key: str, where: str, *,
            positive: bool = False) -> float | None:
        return parse_number(block.get(key), f"{self.path}: {where}.{key}", positive=positive)

    def block(self, value: Any, where: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise DataFileError(f"{self.path}: {where} must be an object, got {value!r}")
        return value

    def blocks(self, value: Any, where: str) -> list[Mapping[str, Any]]:
        if value is None:
            return []
        items = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        return [self.block(v, f"{where}[{i}]") for i, v in enumerate(items)]

    def note_unused(self, block: Mapping[str, Any], used: frozenset[str], known: frozenset[str],
                    where: str) -> None:
        unknown = [k for k in block if k not in known]
        if unknown:
            raise DataFileError(f"{self.path}: {where}: unknown field(s) {', '.join(unknown)}; "
                                f"known: {', '.join(sorted(known))}")
        self.ignored += [f"{where}.{k}" for k in block if k not in used]


def _die_mm2(r: _Reader, cpu: Mapping[str, Any], where: str) -> float | None:
    unit = str(cpu.get("die_size_unit", r.die_unit)).lower()
    if unit not in ("mm2", "cm2"):
        raise DataFileError(f"{r.path}: {where}.die_size_unit {unit!r}: mm2 or cm2")
    die = r.num(cpu, "die_size", where, positive=True)
    if die is not None:
        if unit == "mm2" and die < MIN_CPU_DIE_MM2:
            raise DataFileError(
                f"{r.path}: {where}.die_size {die:g} mm² is too small for a server CPU; if it "
                "is in cm² (MLCA's unit) add \"die_size_unit\": \"cm2\"")
        return die * (100.0 if unit == "cm2" else 1.0)
    per_core = r.num(cpu, "die_size_per_core", where, positive=True)
    cores = r.num(cpu, "core_units", where, positive=True)
    if per_core is not None and cores is not None:
        return per_core * cores * (100.0 if unit == "cm2" else 1.0)
    return None


def _cpu(r: _Reader, cpu: Mapping[str, Any]) -> Cpu:
    where = "cpu"
    if not cpu:
        r.imputed.append(f"cpu ({MLCA_DEFAULTS_SRC}: {DEFAULT_CPU_UNITS} CPUs)")
    r.note_unused(cpu, _USED_CPU, _CPU_KEYS, where)
    units = r.num(cpu, "units", where)
    name = str(cpu.get("name") or cpu.get("model") or "")
    spec = find_cpu(name)
    die, tdp = _die_mm2(r, cpu, where), r.num(cpu, "tdp", where, positive=True)
    if die is None or tdp is None:
        if spec is not None:
            die = spec.die_mm2 if die is None else die
            tdp = spec.tdp_w if tdp is None else tdp
        else:
            r.imputed.append(f"cpu die_size/tdp ({MLCA_DEFAULTS_SRC} {DEFAULT_CPU_DIE_MM2:g} mm², "
                             f"{DEFAULT_CPU_TDP_W:g} W: CPU {name or 'unnamed'!r} is not in "
                             "our CPU table)")
            die = DEFAULT_CPU_DIE_MM2 if die is None else die
            tdp = DEFAULT_CPU_TDP_W if tdp is None else tdp
    n = (DEFAULT_CPU_UNITS if not cpu else 1) if units is None else units
    return Cpu(Cell.fixed(n), Cell.fixed(die), Cell.fixed(tdp), name)


def _ram(r: _Reader, items: list[Mapping[str, Any]]) -> tuple[Ram, ...]:
    if not items:
        r.imputed.append(f"ram ({MLCA_DEFAULTS_SRC}: {DEFAULT_RAM_UNITS} × {DEFAULT_RAM_GB:g} GB)")
        return (Ram(Cell.fixed(DEFAULT_RAM_UNITS), Cell.fixed(DEFAULT_RAM_GB)),)
    out = []
    for i, ram in enumerate(items):
        where = f"ram[{i}]"
        r.note_unused(ram, _USED_RAM, _RAM_KEYS, where)
        tech = str(ram.get("type", "ddr4")).lower()
        if tech not in RAM_TYPES:
            raise DataFileError(f"{r.path}: {where}.type {tech!r}: one of {', '.join(RAM_TYPES)}")
        cap = r.num(ram, "capacity", where, positive=True)
        if cap is None:
            r.imputed.append(f"{where}.capacity ({MLCA_DEFAULTS_SRC} {DEFAULT_RAM_GB:g} GB)")
        units = r.num(ram, "units", where)
        out.append(Ram(Cell.fixed(1.0 if units is None else units),
                       Cell.fixed(DEFAULT_RAM_GB if cap is None else cap), tech,
                       r.num(ram, "density", where, positive=True)))
    return tuple(out)


def _disks(r: _Reader, items: list[Mapping[str, Any]]) -> tuple[Disk, ...]:
    if not items:
        r.imputed.append(f"disk ({MLCA_DEFAULTS_SRC}: one {DEFAULT_SSD_GB:g} GB SSD)")
        return (Disk("ssd", Cell.fixed(1.0), Cell.fixed(DEFAULT_SSD_GB)),)
    out = []
    for i, disk in enumerate(items):
        where = f"disk[{i}]"
        r.note_unused(disk, _USED_DISK, _DISK_KEYS, where)
        kind = str(disk.get("type", "ssd")).lower()
        if kind not in ("ssd", "hdd"):
            raise DataFileError(f"{r.path}: {where}.type {kind!r}: ssd or hdd")
        cap = r.num(disk, "capacity", where)
        if cap is None and kind == "ssd":
            r.imputed.append(f"{where}.capacity ({MLCA_DEFAULTS_SRC} {DEFAULT_SSD_GB:g} GB)")
        units = r.num(disk, "units", where)
        out.append(Disk("ssd" if kind == "ssd" else "hdd",
                        Cell.fixed(1.0 if units is None else units),
                        Cell.fixed(DEFAULT_SSD_GB if cap is None else cap),
                        r.num(disk, "density", where, positive=True)))
    return tuple(out)


def _psu(r: _Reader, psu: Mapping[str, Any]) -> tuple[Cell, Cell]:
    if not psu:
        r.imputed.append(f"power_supply ({MLCA_DEFAULTS_SRC}: {DEFAULT_PSU_UNITS} × "
                         f"{DEFAULT_PSU_KG:g} kg)")
        return Cell.fixed(DEFAULT_PSU_UNITS), Cell.fixed(DEFAULT_PSU_KG)
    units, kg = r.num(psu, "units", "power_supply"), r.num(psu, "unit_weight", "power_supply")
    if kg is None:
        r.imputed.append(f"power_supply.unit_weight ({MLCA_DEFAULTS_SRC} {DEFAULT_PSU_KG:g} kg)")
    return Cell.fixed(1.0 if units is None else units), Cell.fixed(DEFAULT_PSU_KG if kg is None
                                                                   else kg)


def _case(r: _Reader, model: Mapping[str, Any]) -> str:
    case = str(model.get("type") or model.get("case_type") or "rack").lower()
    if case not in CASE_TYPES:
        raise DataFileError(f"{r.path}: model.type {case!r}: rack or blade")
    return case


def _accelerators(r: _Reader, doc: Mapping[str, Any], gpus: list[Mapping[str, Any]],
                  given: int | None) -> int:
    if given is not None:
        return given
    n = parse_number(doc.get("accelerators"), f"{r.path}: accelerators", positive=True)
    if n is None and gpus:
        n = sum(parse_number(g.get("units", 1), f"{r.path}: gpu[{i}].units", positive=True) or 0
                for i, g in enumerate(gpus))
    if n is None or n < 1 or n != int(n):
        raise DataFileError(f"{r.path}: how many accelerators does the server carry? give "
                            "configuration.gpu.units (BoaviztAPI), gpu[].units (MLCA) or a "
                            "top-level \"accelerators\": N")
    return int(n)


def server_from_dict(doc: Mapping[str, Any], where: str, *,
                     accelerators: int | None = None) -> Server:
    """A server from a parsed BoaviztAPI server, MLCA ML setup or bare configuration."""
    if "verbose" in doc:
        from trainlca.servers.mlca import server_from_verbose

        return server_from_verbose(doc, where, accelerators=accelerators)
    mlca = "server" in doc or "nb_nodes" in doc
    srv = doc.get("server", doc) if mlca else doc
    r = _Reader(where, "cm2" if mlca else "mm2")
    srv = r.block(srv, "server")
    conf = r.block(srv.get("configuration", srv if "cpu" in srv or "ram" in srv else None),
                   "configuration")
    gpus = r.blocks(doc.get("gpu") if mlca else conf.get("gpu"), "gpu")
    sw = r.block(conf.get("switch"), "switch")
    usage = parse_number(doc.get("cpu_usage"), f"{where}: cpu_usage") if mlca else None
    psu_units, psu_kg = _psu(r, r.block(conf.get("power_supply"), "power_supply"))
    return Server(
        name=str(doc.get("name") or r.block(srv.get("model"), "model").get("name") or where),
        accelerators=_accelerators(r, doc, gpus, accelerators),
        cpu=_cpu(r, r.block(conf.get("cpu"), "cpu")),
        ram=_ram(r, r.blocks(conf.get("ram"), "ram")),
        disks=_disks(r, r.blocks(conf.get("disk"), "disk")),
        psu_units=psu_units, psu_kg=psu_kg,
        switch_units=Cell.fixed(r.num(sw, "units", "switch") or 0.0),
        switch_die_mm2=Cell.fixed(r.num(sw, "die_size", "switch") or 0.0),
        case_type=_case(r, r.block(srv.get("model"), "model")),
        cpu_usage=usage, source=f"user file {where}",
        rationale="described by the user", imputed=tuple(r.imputed), ignored=tuple(r.ignored),
    )


def read_document(path: Path) -> Mapping[str, Any]:
    """The parsed JSON or YAML object of ``path`` (by suffix; other suffixes: JSON, then
    YAML)."""
    if not path.is_file():
        raise DataFileError(f"server file not found: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            doc = _yaml(text)
        else:
            try:
                doc = json.loads(text)
            except ValueError:
                if path.suffix.lower() == ".json":
                    raise
                doc = _yaml(text)
    except ValueError as exc:
        raise DataFileError(f"{path}: not valid JSON or YAML ({exc})") from None
    if not isinstance(doc, Mapping):
        raise DataFileError(f"{path}: expected an object (a server configuration)")
    return doc


def _yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc).splitlines()[0]) from None


def load_server_file(path: str | Path, *, accelerators: int | None = None) -> Server:
    """The server described in a JSON/YAML file (see the module docstring)."""
    p = Path(path)
    return server_from_dict(read_document(p), str(p), accelerators=accelerators)
