"""Training runs → energy, use impacts and allocated production impacts (METHOD §4-5).

Pure and vectorised: run descriptions are arrays shaped (runs,); parameter values are scalars
(point estimate) or arrays shaped (draws, 1) (Monte Carlo); results broadcast to (draws, runs).

Energy of a run, kWh, with H accelerator-hours::

    E = H · (P_acc · u_p + P_host) · PUE · dynamic_ratio / 1000
    P_host = host_power_ratio · P_acc + host_power_w        (per accelerator, W)

Use impacts ``I_use[c] = E · F_grid[c] · grid_<c>_scale``.

Production share of one run::

    I_emb[c] = H · (I_card[c] + I_host[c] / n) / (L · 8760 · u_a)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from trainlca.criteria import CRITERIA
from trainlca.params import FloatArray, Value
from trainlca.presets import Boundary
from trainlca.production import HOSTS, card_production, host_production

HOURS_PER_YEAR: Final[float] = 8760.0
#: Host archetype names in index order, for ``RunInputs.host_index``.
HOST_ORDER: Final[tuple[str, ...]] = tuple(HOSTS)

ParamValues = Mapping[str, Value]


def _arr(x: Value) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


@dataclass(frozen=True)
class RunInputs:
    """Runs as parallel arrays, one element per run.

    Attributes:
        accelerator_hours: H, accelerator-hours (chips × wall-clock hours), h.
        tdp_w: accelerator thermal design power, W.
        die_area_cm2: total logic die area of one accelerator, cm².
        memory_gb: on-board memory of one accelerator, GB.
        die_area_imputed: True where the catalogue imputed the die area.
        host_index: index into ``HOST_ORDER`` of each run's host archetype.
        grid: electricity factors per criterion, per kWh (kgCO2eq, kgSbeq, MJ, L).
    """

    accelerator_hours: FloatArray
    tdp_w: FloatArray
    die_area_cm2: FloatArray
    memory_gb: FloatArray
    die_area_imputed: np.ndarray
    host_index: np.ndarray
    grid: Mapping[str, FloatArray]
    #: Where True, ``accelerator_hours`` holds the accelerator-hours at 100 % MFU (FLOP / peak
    #: FLOP/s / 3600) and the run model divides them by the ``mfu`` parameter, so that a default
    #: MFU carries its uncertainty into the Monte Carlo draws. None = all False.
    per_mfu: np.ndarray | None = None
    #: Logic dies per accelerator (for the effective wafer area of the water model). None = 1.
    die_count: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.accelerator_hours.shape[0])


@dataclass(frozen=True)
class Impacts:
    """Results of the run model.

    Attributes:
        energy_kwh: electricity of each run, kWh.
        stages: criterion → stage → impact (stages: production_accelerator, production_host,
            use), in the criterion's unit. NaN where a stage is not covered (host production
            water; accelerator production water under ``mlca``/``bloom`` and for wafer-scale
            chips).
        card: production impact of one accelerator card per criterion (before allocation).
        host_per_accelerator: production impact of the host per accelerator (before allocation).
    """

    energy_kwh: FloatArray
    stages: Mapping[str, Mapping[str, FloatArray]]
    card: Mapping[str, FloatArray] = field(default_factory=dict)
    host_per_accelerator: Mapping[str, FloatArray] = field(default_factory=dict)

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
    accelerator_hours: Value, tdp_w: Value, p: ParamValues, *, host_power: bool = True
) -> FloatArray:
    """Electricity of runs, kWh (METHOD §4).

    Args:
        accelerator_hours: H, h.
        tdp_w: accelerator TDP, W.
        p: ``power_fraction`` (1), ``host_power_ratio`` (1), ``host_power_w`` (W), ``pue`` (1),
            ``dynamic_ratio`` (1).
        host_power: include host power (False for the TDP × PUE boundary).
    """
    tdp = _arr(tdp_w)
    watts = tdp * _arr(p["power_fraction"])
    if host_power:
        watts = watts + tdp * _arr(p["host_power_ratio"]) + _arr(p["host_power_w"])
    return (
        _arr(accelerator_hours) * watts * _arr(p["pue"]) * _arr(p["dynamic_ratio"]) / 1000.0
    )


def allocation_share(accelerator_hours: Value, p: ParamValues) -> FloatArray:
    """Share of one device's production allocated to H accelerator-hours: H / (L·8760·u_a)."""
    return _arr(accelerator_hours) / (
        _arr(p["lifetime_years"]) * HOURS_PER_YEAR * _arr(p["use_ratio"])
    )


def effective_hours(runs: RunInputs, p: ParamValues) -> FloatArray:
    """Accelerator-hours of each run (and draw): H, or H at 100 % MFU / ``mfu`` where
    ``runs.per_mfu``."""
    h = runs.accelerator_hours
    if runs.per_mfu is None or not np.any(runs.per_mfu):
        return h
    return np.where(runs.per_mfu, h / _arr(p["mfu"]), h)


def run_impacts(runs: RunInputs, p: ParamValues, boundary: Boundary) -> Impacts:
    """Energy and impacts per criterion and stage for every run (and every draw)."""
    h = effective_hours(runs, p)
    energy = energy_kwh(h, runs.tdp_w, p, host_power=boundary.host_power)

    die = runs.die_area_cm2 * np.where(runs.die_area_imputed, _arr(p["imputed_die_scale"]), 1.0)
    card = card_production(die, runs.memory_gb, p, transport=boundary.transport,
                           die_count=1.0 if runs.die_count is None else runs.die_count,
                           water=boundary.production_water)

    # Host production per accelerator of each archetype, (draws, 1) or scalar, side by side on
    # the last axis, then picked per run with one gather: one (draws, runs) array per criterion.
    per_arch = [host_production(HOSTS[name], p) for name in HOST_ORDER]
    idx = np.asarray(runs.host_index, dtype=np.intp)
    host: dict[str, FloatArray] = {}
    for c in CRITERIA:
        cols = np.broadcast_arrays(*(hp[c] / HOSTS[name].accelerators
                                     for hp, name in zip(per_arch, HOST_ORDER, strict=True)))
        side = np.concatenate([np.atleast_1d(a) for a in cols], axis=-1)
        host[c] = np.take(side, idx, axis=-1)

    share = allocation_share(h, p)
    stages: dict[str, dict[str, FloatArray]] = {}
    for c in CRITERIA:
        use = energy * runs.grid[c] * _arr(p[f"grid_{c}_scale"])
        acc = share * card[c] if boundary.accelerator_production else np.zeros_like(use)
        hst = share * host[c] if boundary.host_production else np.zeros_like(use)
        shape = np.broadcast(use, acc, hst).shape
        stages[c] = {
            "production_accelerator": np.broadcast_to(acc, shape),
            "production_host": np.broadcast_to(hst, shape),
            "use": np.broadcast_to(use, shape),
        }
    return Impacts(energy_kwh=energy, stages=stages, card=card, host_per_accelerator=host)
