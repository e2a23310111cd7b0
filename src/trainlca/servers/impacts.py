"""Production and power of one host server (METHOD §3), vectorised over parameter draws.

Every parameter value may be a scalar (point) or an array shaped (D, 1) (Monte Carlo); results
have the broadcast shape, () or (D, 1). A server's component cells are placed in their ranges
by the position parameters (``host_cpu_spread``, ``host_ram_spread``,
``host_storage_spread``, ``host_chassis_spread``; -1 = min, 0 = default, +1 = max), one draw
shared by every server of a run set.

Production of the server, per criterion c (factors in ``components.py``)::

    I = [ n_cpu · (A_cpu/100 · cpu_die + cpu_base) + n_sw · (A_sw/100 · cpu_die + cpu_base)
        + Σ_ram n · (C / ρ_ram · ram_die + ram_base)
        + Σ_ssd n · (C / ρ_ssd · ssd_die + ssd_base) + Σ_hdd n · hdd
        + n_psu · m_psu · psu_per_kg + n_case · case + n_mb · motherboard + assembly ]
        · host_share_scale

with die areas A in mm², capacities C in GB and densities ρ in GB/cm² (a module's own density
when the server gives one, else ``host_ram_density_<technology>`` / ``host_ssd_density``).

Power of the server (MLCA's rule, Green Algorithms' RAM figure), W::

    P = n_cpu · TDP_cpu · u_cpu + Σ_ram n · C · w_ram

``u_cpu`` is the server's own CPU load when its file gives one (MLCA's ``cpu_usage``), else
``host_cpu_usage``; ``w_ram`` is ``host_ram_w_per_gb``. Network cards, switches, fans and
storage are not in it: the run model adds them as ``host_power_ratio`` × accelerator TDP.

Host production water is not covered (BoaviztAPI's component factors have no water): NaN.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from trainlca.params import FloatArray, Value
from trainlca.servers.components import BLADE_SLOTS, BOAVIZTA_COMPONENTS
from trainlca.servers.model import Cell, Server

ParamValues = Mapping[str, Value]

#: Criteria of the host production model (water is not covered).
HOST_CRITERIA: tuple[str, ...] = ("gwp", "adpe", "pe")


def _arr(x: Value) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _at(cell: Cell, p: ParamValues, spread: str) -> FloatArray:
    return cell.at(p[spread])


def _logic(server: Server, p: ParamValues, c: str) -> FloatArray:
    """CPUs and other logic ASICs: packages × (die cm² × factor + base)."""
    f = BOAVIZTA_COMPONENTS
    cpu = _at(server.cpu.units, p, "host_cpu_spread") * (
        _at(server.cpu.die_mm2, p, "host_cpu_spread") / 100.0 * f["cpu_die"][c]
        + f["cpu_base"][c])
    sw = _at(server.switch_units, p, "host_cpu_spread") * (
        _at(server.switch_die_mm2, p, "host_cpu_spread") / 100.0 * f["cpu_die"][c]
        + f["cpu_base"][c])
    return _arr(cpu + sw)


def _ram_density(ram_density: float | None, technology: str, p: ParamValues) -> FloatArray:
    return _arr(ram_density if ram_density is not None else p[f"host_ram_density_{technology}"])


def _memory(server: Server, p: ParamValues, c: str) -> FloatArray:
    f = BOAVIZTA_COMPONENTS
    total: FloatArray = np.zeros(())
    for r in server.ram:
        area = _at(r.capacity_gb, p, "host_ram_spread") / _ram_density(r.density, r.technology, p)
        total = total + _at(r.units, p, "host_ram_spread") * (area * f["ram_die"][c]
                                                              + f["ram_base"][c])
    return total


def _storage(server: Server, p: ParamValues, c: str) -> FloatArray:
    f = BOAVIZTA_COMPONENTS
    total: FloatArray = np.zeros(())
    for d in server.disks:
        units = _at(d.units, p, "host_storage_spread")
        if d.kind == "hdd":
            total = total + units * f["hdd"][c]
            continue
        density = _arr(d.density if d.density is not None else p["host_ssd_density"])
        area = _at(d.capacity_gb, p, "host_storage_spread") / density
        total = total + units * (area * f["ssd_die"][c] + f["ssd_base"][c])
    return total


def _chassis(server: Server, p: ParamValues, c: str) -> FloatArray:
    f = BOAVIZTA_COMPONENTS
    psu = (_at(server.psu_units, p, "host_chassis_spread")
           * _at(server.psu_kg, p, "host_chassis_spread") * f["psu_per_kg"][c])
    case = (f["rack_case"][c] if server.case_type == "rack"
            else f["blade_enclosure"][c] / BLADE_SLOTS + f["blade_server"][c])
    return _arr(psu + _at(server.case_units, p, "host_chassis_spread") * case
                + _at(server.motherboard_units, p, "host_chassis_spread") * f["motherboard"][c]
                + f["assembly"][c])


def component_production(server: Server, p: ParamValues) -> dict[str, dict[str, FloatArray]]:
    """Production of the server by component group (``logic``, ``memory``, ``storage``,
    ``chassis``) and criterion, before ``host_share_scale``: () or (D, 1)."""
    return {part: {c: fn(server, p, c) for c in HOST_CRITERIA}
            for part, fn in (("logic", _logic), ("memory", _memory), ("storage", _storage),
                             ("chassis", _chassis))}


def host_production(server: Server, p: ParamValues) -> dict[str, FloatArray]:
    """Production impact of the whole server (not yet shared among its accelerators), per
    criterion (kgCO2eq, kgSbeq, MJ; ``wu`` NaN = not covered), shape () or (D, 1)."""
    parts = component_production(server, p)
    scale = _arr(p["host_share_scale"])
    out = {c: sum((parts[g][c] for g in parts), np.zeros(())) * scale for c in HOST_CRITERIA}
    out["wu"] = np.full(np.broadcast(*out.values()).shape, np.nan)
    return out


def host_power_w(server: Server, p: ParamValues) -> FloatArray:
    """Electric power of the server's CPUs and RAM (MLCA's rule), W, shape () or (D, 1)."""
    usage = _arr(server.cpu_usage if server.cpu_usage is not None else p["host_cpu_usage"])
    cpu = (_at(server.cpu.units, p, "host_cpu_spread")
           * _at(server.cpu.tdp_w, p, "host_cpu_spread") * usage)
    ram = sum((_at(r.units, p, "host_ram_spread") * _at(r.capacity_gb, p, "host_ram_spread")
               for r in server.ram), np.zeros(()))
    return _arr(cpu + ram * _arr(p["host_ram_w_per_gb"]))
