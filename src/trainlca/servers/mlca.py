"""The server of an MLCA verbose result (``verbose`` → ``manufacture of one server node``):
each component group ``TYPE-i`` with its ``unit`` count and the ``used_value`` of every
attribute (CPU ``die_size`` in cm², MLCA's unit; capacities GB; densities GB/cm²; PSU
``unit_weight`` kg). MLCA does not print the GPUs per node: pass ``accelerators``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from trainlca.cells import parse_number
from trainlca.errors import DataFileError
from trainlca.servers.model import CASE_TYPES, Cell, Cpu, Disk, Ram, Server

SERVER_KEY: Final[str] = "manufacture of one server node"
#: Component groups MLCA prints that carry nothing to read (fixed factors per server).
_FIXED: Final[frozenset[str]] = frozenset({"MOTHERBOARD", "ASSEMBLY", "USAGE"})


def used(block: Mapping[str, Any], key: str, where: str, *, required: bool = True,
         positive: bool = False) -> float | None:
    """The numeric ``used_value`` of ``block[key]`` (MLCA's verbose attribute)."""
    attr = block.get(key)
    value = attr.get("used_value") if isinstance(attr, Mapping) else None
    return parse_number(value, f"{where}.{key}.used_value", required=required,
                        positive=positive)


def _groups(doc: Mapping[str, Any], where: str) -> dict[str, list[tuple[float, Mapping[str,
                                                                                        Any]]]]:
    verbose = doc.get("verbose")
    node = verbose.get(SERVER_KEY) if isinstance(verbose, Mapping) else None
    if not isinstance(node, Mapping) or not node:
        raise DataFileError(f"{where}: no verbose['{SERVER_KEY}'] (an MLCA result run with "
                            "verbose=true)")
    out: dict[str, list[tuple[float, Mapping[str, Any]]]] = {}
    for key, comp in node.items():
        kind = str(key).rsplit("-", 1)[0]
        if not isinstance(comp, Mapping):
            raise DataFileError(f"{where}: {key} is not an object")
        units = parse_number(comp.get("unit"), f"{where}: {key}.unit", required=True)
        assert units is not None
        out.setdefault(kind, []).append((units, comp))
    unknown = set(out) - {"CPU", "RAM", "SSD", "HDD", "POWER_SUPPLY", "CASE"} - _FIXED
    if unknown:
        raise DataFileError(f"{where}: unknown MLCA component(s) {', '.join(sorted(unknown))}")
    return out


def _cpu(groups: list[tuple[float, Mapping[str, Any]]], where: str) -> Cpu:
    if not groups:
        raise DataFileError(f"{where}: the MLCA server has no CPU group")
    specs = {(used(c, "die_size", where, positive=True), used(c, "tdp", where, positive=True))
             for _, c in groups}
    if len(specs) != 1:
        raise DataFileError(f"{where}: CPU groups of different models are not supported")
    (die_cm2, tdp), = specs
    assert die_cm2 is not None and tdp is not None
    model = groups[0][1].get("model")
    name = str(model.get("used_value", "")) if isinstance(model, Mapping) else ""
    return Cpu(Cell.fixed(sum(u for u, _ in groups)), Cell.fixed(die_cm2 * 100.0),
               Cell.fixed(tdp), name)


def _psu(groups: list[tuple[float, Mapping[str, Any]]], where: str) -> tuple[Cell, Cell]:
    weights = {used(c, "unit_weight", where, positive=True) for _, c in groups}
    if len(weights) > 1:
        raise DataFileError(f"{where}: power supplies of different masses are not supported")
    kg = weights.pop() if weights else 0.0
    return Cell.fixed(sum(u for u, _ in groups)), Cell.fixed(kg or 0.0)


def _case(groups: list[tuple[float, Mapping[str, Any]]], where: str) -> str:
    types = {str(c.get("case_type", {}).get("used_value", "rack")) for _, c in groups} or {"rack"}
    case = types.pop()
    if types or case not in CASE_TYPES:
        raise DataFileError(f"{where}: case type {case!r} not supported")
    return case


def server_from_verbose(doc: Mapping[str, Any], where: str, *,
                        accelerators: int | None) -> Server:
    """The server of one MLCA verbose result, carrying ``accelerators`` GPUs."""
    if accelerators is None:
        raise DataFileError(f"{where}: MLCA's verbose result does not print the GPUs per node; "
                            "give the number of accelerators of the server")
    g = _groups(doc, where)
    ram = tuple(Ram(Cell.fixed(u), Cell.fixed(used(c, "capacity", where) or 0.0), "ddr4",
                    used(c, "density", where, positive=True)) for u, c in g.get("RAM", []))
    disks = tuple(
        [Disk("ssd", Cell.fixed(u), Cell.fixed(used(c, "capacity", where) or 0.0),
              used(c, "density", where, positive=True)) for u, c in g.get("SSD", [])]
        + [Disk("hdd", Cell.fixed(u), Cell.fixed(0.0)) for u, _ in g.get("HDD", [])])
    psu_units, psu_kg = _psu(g.get("POWER_SUPPLY", []), where)
    verbose = doc["verbose"]
    cpu_usage = used(verbose, "cpu_usage", where, required=False)
    return Server(
        name=where, accelerators=accelerators, cpu=_cpu(g.get("CPU", []), where), ram=ram,
        disks=disks, psu_units=psu_units, psu_kg=psu_kg,
        case_type=_case(g.get("CASE", []), where),
        case_units=Cell.fixed(sum(u for u, _ in g.get("CASE", [])) or 0.0),
        motherboard_units=Cell.fixed(sum(u for u, _ in g.get("MOTHERBOARD", [])) or 0.0),
        cpu_usage=cpu_usage, source=f"MLCA verbose result {where}",
        rationale="MLCA's own server of this result",
    )
