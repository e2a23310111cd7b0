"""Training runs → energy, use impacts and allocated production impacts (METHOD §4-5).

Pure and vectorised. Runs are arrays shaped (R,) (:class:`RunInputs`: a run description
``runspec.RunSpec``, the accelerators ``Hardware`` and the grid factors); parameters come as a
``uncertainty.Sample``, which says how many draws D it holds. The shape contract: every array
of a result is (R,) for a point sample and (D, R) for a Monte Carlo sample, whatever the preset
fixes; :class:`Impacts` checks it when it is built.

Energy of a run, kWh, with H accelerator-hours (``RunSpec.hours``)::

    E = H · (P_acc · u_p + P_host) · PUE · dynamic_ratio / 1000
    P_host = P_server / n + host_power_ratio · P_acc + host_power_w   (per accelerator, W)

with ``P_server`` the CPU and RAM power of the run's host server (``servers.host_power_w``:
CPU TDP × usage + RAM GB × W/GB, MLCA's rule) and ``n`` its accelerators; ``host_power_ratio``
covers the rest of the host IT (network, switches, fans, drives).

or the run's measured energy where it has one. Use impacts ``I_use[c] = E · F_grid[c] ·
grid_<c>_scale``.

Production share of one run::

    I_emb[c] = H · (I_card[c] + I_host[c] / n) / (L · 8760 · u_a)

Each run uses one server (``Hardware.servers[Hardware.host_index]``): the chip's default
archetype, or the server the user described.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np

from trainlca.criteria import CRITERIA, STAGES
from trainlca.params import FloatArray, Value
from trainlca.presets import Boundary
from trainlca.production import card_production
from trainlca.runspec import RunSpec
from trainlca.servers import Server, default_server, host_power_w, host_production
from trainlca.uncertainty import Sample

if TYPE_CHECKING:
    from trainlca.catalog import Accelerator

HOURS_PER_YEAR: Final[float] = 8760.0

ParamValues = Mapping[str, Value]


def _arr(x: Value) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


@dataclass(frozen=True)
class Hardware:
    """The accelerators of R runs (or R catalogue rows), arrays shaped (R,).

    Attributes:
        tdp_w: thermal design power, W.
        die_area_cm2: total logic die area of one accelerator, cm².
        memory_gb: on-board memory of one accelerator, GB.
        die_area_imputed: True where the catalogue imputed the die area.
        die_count: logic dies per accelerator (for the water model's effective wafer area).
        host_index: index into ``servers`` of each accelerator's host server, int (R,).
        servers: the host servers the rows use (each once).
    """

    tdp_w: FloatArray
    die_area_cm2: FloatArray
    memory_gb: FloatArray
    die_area_imputed: np.ndarray
    die_count: FloatArray
    host_index: np.ndarray
    servers: tuple[Server, ...]

    def __post_init__(self) -> None:
        idx = np.asarray(self.host_index)
        if idx.size and (idx.min() < 0 or idx.max() >= len(self.servers)):
            raise AssertionError(f"Hardware.host_index outside the {len(self.servers)} servers")

    def __len__(self) -> int:
        return int(self.tdp_w.shape[0])

    def take(self, index: np.ndarray | slice) -> Hardware:
        """The rows at ``index`` (an index array, a boolean mask or a slice)."""
        cols = {f: np.atleast_1d(getattr(self, f)[index]) for f in
                ("tdp_w", "die_area_cm2", "memory_gb", "die_area_imputed", "die_count",
                 "host_index")}
        return Hardware(**cols, servers=self.servers)

    def server_of(self, row: int) -> Server:
        """The host server of row ``row``."""
        return self.servers[int(self.host_index[row])]

    @classmethod
    def of(cls, accelerators: Sequence[Accelerator], server: Server | None = None) -> Hardware:
        """Arrays from catalogue rows, one per run; every run on ``server`` when given, else on
        its chip's default archetype (``servers.default_server``)."""
        chosen = [server or default_server(a) for a in accelerators]
        servers = tuple(dict.fromkeys(chosen))
        return cls(
            tdp_w=np.array([a.tdp_w for a in accelerators], dtype=np.float64),
            die_area_cm2=np.array([a.die_area_cm2 for a in accelerators], dtype=np.float64),
            memory_gb=np.array([a.memory_gb for a in accelerators], dtype=np.float64),
            die_area_imputed=np.array([a.die_area_imputed for a in accelerators], dtype=bool),
            die_count=np.array([a.die_count for a in accelerators], dtype=np.float64),
            host_index=np.array([servers.index(s) for s in chosen], dtype=np.intp),
            servers=servers,
        )


@dataclass(frozen=True)
class RunInputs:
    """R runs: how each is described, on which accelerators, on which grid.

    Attributes:
        spec: the run descriptions (accelerator-hours, or compute with MFU; measured energy).
        hardware: the accelerators.
        grid: electricity factors per criterion, per kWh (kgCO2eq, kgSbeq, MJ, L), (R,).
    """

    spec: RunSpec
    hardware: Hardware
    grid: Mapping[str, FloatArray]

    def __post_init__(self) -> None:
        n = len(self.spec)
        if len(self.hardware) != n or any(np.shape(self.grid[c]) != (n,) for c in CRITERIA):
            raise AssertionError(f"RunInputs: spec has {n} runs, hardware {len(self.hardware)}, "
                                 f"grid {[np.shape(self.grid[c]) for c in CRITERIA]}")

    def __len__(self) -> int:
        return len(self.spec)

    def take(self, index: np.ndarray | slice) -> RunInputs:
        """The runs at ``index`` (an index array, a boolean mask or a slice)."""
        return RunInputs(self.spec.take(index), self.hardware.take(index),
                         {c: np.atleast_1d(v[index]) for c, v in self.grid.items()})


@dataclass(frozen=True)
class Impacts:
    """Results of the run model, every array shaped (R,) (point) or (D, R) (Monte Carlo).

    Attributes:
        energy_kwh: electricity of each run, kWh.
        stages: criterion → stage → impact (stages: production_accelerator, production_host,
            use), in the criterion's unit. 0 where the boundary excludes a stage; NaN where the
            model does not cover it (host production water; accelerator production water under
            ``mlca``/``bloom`` and for wafer-scale chips).
        card: production impact of one accelerator card per criterion (before allocation).
        host_per_accelerator: production impact of the host per accelerator (before
            allocation).
        draws: D, or None for a point result.
    """

    energy_kwh: FloatArray
    stages: Mapping[str, Mapping[str, FloatArray]]
    card: Mapping[str, FloatArray] = field(default_factory=dict)
    host_per_accelerator: Mapping[str, FloatArray] = field(default_factory=dict)
    draws: int | None = None

    def __post_init__(self) -> None:
        want = self.shape
        arrays = {"energy_kwh": self.energy_kwh,
                  **{f"{c}.{s}": v for c, st in self.stages.items() for s, v in st.items()},
                  **{f"card.{c}": v for c, v in self.card.items()},
                  **{f"host.{c}": v for c, v in self.host_per_accelerator.items()}}
        for name, a in arrays.items():
            if np.shape(a) != want:
                raise AssertionError(f"Impacts.{name}: shape {np.shape(a)}, expected {want}")

    @property
    def shape(self) -> tuple[int, ...]:
        """(R,) or (D, R)."""
        runs = int(np.shape(self.energy_kwh)[-1])
        return (runs,) if self.draws is None else (self.draws, runs)

    def production(self, criterion: str) -> FloatArray:
        """Allocated production impact of the covered production stages (accelerators + hosts);
        NaN only where neither is covered (a stage that is not covered counts as absent, and
        ``not_covered`` names it: e.g. water is the accelerators' alone, hosts not covered)."""
        s = self.stages[criterion]
        acc = np.asarray(s["production_accelerator"])
        hst = np.asarray(s["production_host"])
        both = np.isnan(acc) & np.isnan(hst)
        return np.where(both, np.nan, np.where(np.isnan(acc), 0.0, acc)
                        + np.where(np.isnan(hst), 0.0, hst))

    def use(self, criterion: str) -> FloatArray:
        return self.stages[criterion]["use"]

    def total(self, criterion: str) -> FloatArray:
        """Sum of the covered stages (a stage that is not covered counts as absent, and
        ``not_covered`` names it)."""
        prod = self.production(criterion)
        return np.where(np.isnan(prod), 0.0, prod) + self.stages[criterion]["use"]

    def not_covered(self, criterion: str) -> list[str]:
        """Stages of ``criterion`` that the model does not cover (NaN)."""
        return [k for k, v in self.stages[criterion].items() if bool(np.all(np.isnan(v)))]


def energy_kwh(
    accelerator_hours: Value, tdp_w: Value, p: ParamValues, *, host_power: bool = True,
    server_w: Value = 0.0,
) -> FloatArray:
    """Modelled electricity of runs, kWh (METHOD §4); shapes broadcast.

    Args:
        accelerator_hours: H, h.
        tdp_w: accelerator TDP, W.
        p: ``power_fraction`` (1), ``host_power_ratio`` (1), ``host_power_w`` (W), ``pue`` (1),
            ``dynamic_ratio`` (1).
        host_power: include host power (False for the TDP × PUE boundary).
        server_w: CPU and RAM power of the host server per accelerator, W
            (:func:`host_power_per_accelerator`).
    """
    tdp = _arr(tdp_w)
    watts = tdp * _arr(p["power_fraction"])
    if host_power:
        watts = (watts + _arr(server_w) + tdp * _arr(p["host_power_ratio"])
                 + _arr(p["host_power_w"]))
    return (
        _arr(accelerator_hours) * watts * _arr(p["pue"]) * _arr(p["dynamic_ratio"]) / 1000.0
    )


def allocation_share(accelerator_hours: Value, p: ParamValues) -> FloatArray:
    """Share of one device's production allocated to H accelerator-hours: H / (L·8760·u_a)."""
    return _arr(accelerator_hours) / (
        _arr(p["lifetime_years"]) * HOURS_PER_YEAR * _arr(p["use_ratio"])
    )


def _per_row(hw: Hardware, per_server: Sequence[FloatArray]) -> FloatArray:
    """One value per server (each () or (D, 1)) → one per row of ``hw``: (R,) or (D, R)."""
    cols = np.broadcast_arrays(*(_arr(v) for v in per_server))
    side = np.concatenate([np.atleast_1d(a) for a in cols], axis=-1)
    return np.take(side, np.asarray(hw.host_index, dtype=np.intp), axis=-1)


def host_power_per_accelerator(hw: Hardware, p: ParamValues) -> FloatArray:
    """CPU and RAM power of each row's host server per accelerator, W: (R,) or (D, R)."""
    return _per_row(hw, [host_power_w(s, p) / s.accelerators for s in hw.servers])


def hardware_production(
    hw: Hardware, p: ParamValues, boundary: Boundary
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Production of one card and the host share per accelerator, per criterion, for every
    row of ``hw``: arrays shaped like ``p``'s values broadcast against (R,).

    The one place both are computed (runs and the card table use it)."""
    die = hw.die_area_cm2 * np.where(hw.die_area_imputed, _arr(p["imputed_die_scale"]), 1.0)
    card = card_production(die, hw.memory_gb, p, transport=boundary.transport,
                           die_count=hw.die_count, water=boundary.production_water)
    # Host production per accelerator of each server, (D, 1) or scalar, gathered per row.
    per_server = [host_production(s, p) for s in hw.servers]
    host: dict[str, FloatArray] = {c: _per_row(hw, [hp[c] / s.accelerators
                             for hp, s in zip(per_server, hw.servers, strict=True)])
            for c in CRITERIA}
    return card, host


def run_impacts(runs: RunInputs, p: Sample, boundary: Boundary) -> Impacts:
    """Energy and impacts per criterion and stage for every run: (R,) for a point sample,
    (D, R) for a Monte Carlo sample."""
    shape = p.shape(len(runs))
    h = runs.spec.hours(p)
    server_w = host_power_per_accelerator(runs.hardware, p) if boundary.host_power else 0.0
    modelled = energy_kwh(h, runs.hardware.tdp_w, p, host_power=boundary.host_power,
                          server_w=server_w)
    measured = runs.spec.measured
    energy = (np.where(measured, runs.spec.measured_energy_kwh, modelled) if np.any(measured)
              else modelled)
    card, host = hardware_production(runs.hardware, p, boundary)
    share = allocation_share(h, p)
    stages: dict[str, dict[str, FloatArray]] = {}
    for c in CRITERIA:
        use = energy * runs.grid[c] * _arr(p[f"grid_{c}_scale"])
        per_device = {"production_accelerator": card[c], "production_host": host[c]}
        stages[c] = {
            s: np.broadcast_to(use if s == "use" else
                               share * per_device[s] if boundary.includes(s) else 0.0, shape)
            for s in STAGES
        }
    return Impacts(
        energy_kwh=np.broadcast_to(energy, shape),
        stages=stages,
        card={c: np.broadcast_to(v, shape) for c, v in card.items()},
        host_per_accelerator={c: np.broadcast_to(v, shape) for c, v in host.items()},
        draws=p.draws,
    )
