"""The Python API: estimate the life-cycle impacts of one or many training runs.

``estimate`` takes one run described the way users think of it (hardware, count, hours or FLOP,
country, preset) and returns an :class:`Estimate` with point values, 90 % intervals, and the
provenance of every number. ``assess_runs`` is the vectorised core used by ``estimate`` and by
the study: arrays of runs in, arrays of impacts out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from trainlca.catalog import Accelerator, load_catalog
from trainlca.criteria import CRITERIA, STAGES, UNITS
from trainlca.errors import ParameterError
from trainlca.grid import GridFactors, GridProvider, load_grid
from trainlca.params import FloatArray, Param, Value
from trainlca.presets import Boundary, Preset, get_preset
from trainlca.production import (
    CARD_WATER_SOURCE,
    HOST_WATER_NOT_COVERED,
    PRESET_WATER_NOT_COVERED,
    WAFER_SCALE_WATER_NOT_COVERED,
    host_archetype_for,
)
from trainlca.run import HOST_ORDER, Impacts, RunInputs, run_impacts
from trainlca.uncertainty import (
    DEFAULT_SEED,
    Driver,
    Interval,
    check_draws,
    interval,
    point_values,
    sample,
    sensitivity,
)


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from: ``input`` (the user), ``default``/``preset`` (a named default
    with its source), ``catalogue`` (a sourced fact), or ``imputed``."""

    name: str
    value: float | str
    unit: str
    status: str
    source: str


def _positive(name: str, value: float | None, flag: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParameterError(f"{flag} must be a number, got {value!r}")
    if value <= 0:
        raise ParameterError(f"{flag} {value:g}: must be > 0")
    return float(value)


def accelerator_hours_from(
    acc: Accelerator,
    *,
    count: float | None = None,
    hours: float | None = None,
    accelerator_hours: float | None = None,
    flop: float | None = None,
    mfu: float | None = None,
    precision: str = "bf16",
    mfu_default: float = 0.35,
) -> tuple[float, list[Provenance]]:
    """Accelerator-hours H of one run from whichever description the user gave.

    One of: ``count`` and ``hours``; ``accelerator_hours``; ``flop`` (optionally ``mfu``):
    H = FLOP / (peak FLOP/s at ``precision`` × MFU) / 3600.
    """
    count = _positive("count", count, "--count")
    hours = _positive("hours", hours, "--hours")
    accelerator_hours = _positive("accelerator_hours", accelerator_hours, "--accelerator-hours")
    flop = _positive("flop", flop, "--flop")
    mfu = _positive("mfu", mfu, "--mfu")
    if mfu is not None and mfu > 1:
        raise ParameterError(f"--mfu {mfu:g}: must be a fraction between 0 and 1")
    prov: list[Provenance] = []
    given = sum(x is not None for x in (accelerator_hours, flop)) + (
        1 if (count is not None or hours is not None) else 0
    )
    if given != 1:
        raise ParameterError(
            "describe the run once: --count N --hours H, or --accelerator-hours H, or --flop F"
        )
    if accelerator_hours is not None:
        prov.append(Provenance("accelerator_hours", accelerator_hours, "h", "input", "user"))
        return accelerator_hours, prov
    if flop is not None:
        peak = acc.peak_flops(precision)
        if not peak or not math.isfinite(peak) or peak <= 0:
            raise ParameterError(
                f"{acc.name} has no peak FLOP/s at {precision}; give --count and --hours instead"
            )
        status = "input" if mfu is not None else "default"
        used_mfu = mfu if mfu is not None else mfu_default
        h = flop / (peak * used_mfu) / 3600.0
        prov += [
            Provenance("flop", flop, "FLOP", "input", "user"),
            Provenance(f"peak_flops_{precision}", peak, "FLOP/s", "catalogue",
                       acc.sources.get("flops", "catalogue")),
            Provenance("mfu", used_mfu, "1", status,
                       "user" if mfu is not None else "params.mfu default"),
            Provenance("accelerator_hours", h, "h", "imputed", "FLOP / (peak × MFU) / 3600"),
        ]
        return h, prov
    if count is None or hours is None:
        raise ParameterError("--count and --hours go together (or use --accelerator-hours)")
    prov += [
        Provenance("count", count, "accelerators", "input", "user"),
        Provenance("hours", hours, "h", "input", "user"),
    ]
    return count * hours, prov


def runs_from_catalog(
    accelerators: Sequence[Accelerator],
    accelerator_hours: FloatArray,
    grid_factors: Mapping[str, FloatArray],
    per_mfu: np.ndarray | None = None,
) -> RunInputs:
    """Run arrays for the run model from catalogue rows (one per run) and grid arrays.

    ``per_mfu``: runs whose ``accelerator_hours`` are given at 100 % MFU (see ``RunInputs``)."""
    host_index = np.array(
        [HOST_ORDER.index(host_archetype_for(a.type, a.node_size).name) for a in accelerators],
        dtype=np.int64,
    )
    return RunInputs(
        accelerator_hours=np.asarray(accelerator_hours, dtype=np.float64),
        tdp_w=np.array([a.tdp_w for a in accelerators], dtype=np.float64),
        die_area_cm2=np.array([a.die_area_cm2 for a in accelerators], dtype=np.float64),
        memory_gb=np.array([a.memory_gb for a in accelerators], dtype=np.float64),
        die_area_imputed=np.array([a.die_area_imputed for a in accelerators], dtype=bool),
        host_index=host_index,
        grid={c: np.asarray(grid_factors[c], dtype=np.float64) for c in CRITERIA},
        per_mfu=None if per_mfu is None else np.asarray(per_mfu, dtype=bool),
        die_count=np.array([a.die_count for a in accelerators], dtype=np.float64),
    )


@dataclass(frozen=True)
class Assessment:
    """Point and Monte Carlo impacts of a set of runs."""

    point: Impacts
    draws: Impacts | None
    samples: Mapping[str, Value]
    params: Mapping[str, Param]
    preset: Preset


def assess_runs(
    runs: RunInputs,
    *,
    preset: str | Preset = "default",
    overrides: Mapping[str, float] | None = None,
    draws: int = 0,
    seed: int = DEFAULT_SEED,
) -> Assessment:
    """Vectorised core: impacts of many runs, at the point values and over ``draws`` draws
    (shared across runs). Results are shaped (runs,) and (draws, runs)."""
    pre = get_preset(preset) if isinstance(preset, str) else preset
    params = pre.params(overrides)
    draws = check_draws(draws, len(runs))
    point = run_impacts(runs, point_values(params), pre.boundary)
    if draws == 0:
        return Assessment(point, None, {}, params, pre)
    samples = sample(params, draws, seed)
    mc = run_impacts(runs, samples, pre.boundary)
    return Assessment(point, mc, samples, params, pre)


@dataclass(frozen=True)
class Estimate:
    """One run's result: point values, intervals and provenance."""

    hardware: Accelerator
    grid: GridFactors
    preset: Preset
    accelerator_hours: float
    energy_kwh: float
    energy_interval: Interval | None
    impacts: Mapping[str, Mapping[str, float]]  # criterion → stage/production/total → value
    intervals: Mapping[str, Mapping[str, Interval]]  # criterion → production/use/total
    card: Mapping[str, float]
    host_per_accelerator: Mapping[str, float]
    provenance: list[Provenance]
    notes: list[str]
    drivers: Mapping[str, list[Driver]] = field(default_factory=dict)
    draws: int = 0
    seed: int = DEFAULT_SEED
    grid_provider: str = ""
    catalog_version: str = ""

    @property
    def boundary(self) -> Boundary:
        return self.preset.boundary

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (documented shape, see README)."""

        def num(x: float) -> float | None:
            return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

        impacts: dict[str, Any] = {}
        for c in CRITERIA:
            d: dict[str, Any] = {"unit": UNITS[c]}
            d.update({k: num(v) for k, v in self.impacts[c].items()})
            for part, iv in self.intervals.get(c, {}).items():
                d[f"{part}_interval"] = {"p5": num(iv.p5), "p50": num(iv.p50), "p95": num(iv.p95)}
            tot = self.intervals.get(c, {}).get("total")
            if tot is not None:
                d.update({"p5": num(tot.p5), "p50": num(tot.p50), "p95": num(tot.p95)})
            impacts[c] = d
        out: dict[str, Any] = {
            "hardware": self.hardware.name,
            "location": self.grid.zone,
            "preset": self.preset.name,
            "boundary": self.boundary.describe(),
            "accelerator_hours": self.accelerator_hours,
            "energy_kwh": self.energy_kwh,
        }
        if self.energy_interval is not None:
            out.update({
                "energy_kwh_p5": self.energy_interval.p5,
                "energy_kwh_p50": self.energy_interval.p50,
                "energy_kwh_p95": self.energy_interval.p95,
            })
        out["impacts"] = impacts
        out["card_production"] = {c: num(v) for c, v in self.card.items()}
        out["host_production_per_accelerator"] = {
            c: num(v) for c, v in self.host_per_accelerator.items()
        }
        out["uncertainty"] = {"draws": self.draws, "seed": self.seed,
                              "percentiles": [5, 50, 95]}
        if self.drivers:
            out["sensitivity"] = {
                c: [{"parameter": d.name, "spearman": d.spearman, "share": d.share} for d in ds]
                for c, ds in self.drivers.items()
            }
        out["provenance"] = [p.__dict__ for p in self.provenance]
        out["data_versions"] = {
            "catalogue": self.catalog_version,
            "grid": self.grid_provider,
            "grid_source": self.grid.source,
        }
        out["notes"] = self.notes
        return out


def _with_measured_energy(result: Assessment, measured_kwh: float) -> Assessment:
    """The same assessment with the use stage recomputed from a measured energy: each use value
    (modelled energy × grid factor × grid scale) is scaled by measured / modelled energy, so the
    grid factor and its uncertainty stay and the energy model drops out."""

    def swap(imp: Impacts) -> Impacts:
        modelled = np.asarray(imp.energy_kwh, dtype=np.float64)
        ratio = measured_kwh / modelled
        stages = {c: {**imp.stages[c], "use": np.asarray(imp.stages[c]["use"]) * ratio}
                  for c in imp.stages}
        energy = np.broadcast_to(np.float64(measured_kwh), modelled.shape).copy()
        return Impacts(energy_kwh=energy, stages=stages, card=imp.card,
                       host_per_accelerator=imp.host_per_accelerator)

    return replace(result, point=swap(result.point),
                   draws=None if result.draws is None else swap(result.draws))


def estimate(
    hardware: str,
    *,
    count: float | None = None,
    hours: float | None = None,
    accelerator_hours: float | None = None,
    flop: float | None = None,
    mfu: float | None = None,
    precision: str = "bf16",
    country: str = "WOR",
    preset: str = "default",
    overrides: Mapping[str, float] | None = None,
    draws: int = 2000,
    seed: int = DEFAULT_SEED,
    grid: str | GridProvider | None = None,
    with_sensitivity: bool = False,
    measured_energy_kwh: float | None = None,
    include_host: bool = True,
) -> Estimate:
    """Life-cycle impacts of one training run.

    ``measured_energy_kwh``: the run's electricity as measured (e.g. by CodeCarbon), kWh. It
    replaces the modelled energy in the use stage (use = measured kWh × grid factor, per draw);
    the production share still comes from the accelerator-hours.

    ``include_host=False`` leaves the host servers out (their production and their power).

    Example:
        >>> e = estimate("A100 SXM4 80 GB", count=384, hours=2820, country="FRA", draws=0)
        >>> round(e.energy_kwh)  # doctest: +SKIP
    """
    acc = load_catalog().get(hardware)
    provider = grid if isinstance(grid, GridProvider) else load_grid(grid)
    factors = provider.get(country)
    pre = get_preset(preset)
    params = pre.params(overrides)
    h, prov = accelerator_hours_from(
        acc, count=count, hours=hours, accelerator_hours=accelerator_hours, flop=flop, mfu=mfu,
        precision=precision, mfu_default=float(params["mfu"].value),
    )
    # A run given by FLOP without its own MFU: the MFU default (and its range) enters the model.
    default_mfu = flop is not None and mfu is None
    hours_in = h * float(params["mfu"].value) if default_mfu else h
    runs = runs_from_catalog([acc], np.array([hours_in]), {c: np.array([factors.get(c)])
                                                           for c in CRITERIA},
                             per_mfu=np.array([default_mfu]))
    if not include_host:
        pre = replace(pre, boundary=replace(pre.boundary, host_production=False,
                                            host_power=False))
    result = assess_runs(runs, preset=pre, overrides=overrides, draws=draws, seed=seed)
    measured = _positive("measured_energy_kwh", measured_energy_kwh, "measured energy (kWh)")
    if measured is not None:
        result = _with_measured_energy(result, measured)

    p = result.point
    impacts: dict[str, dict[str, float]] = {}
    intervals: dict[str, dict[str, Interval]] = {}
    drivers: dict[str, list[Driver]] = {}
    for c in CRITERIA:
        row = {s: float(p.stages[c][s][0]) for s in STAGES}
        row["production"] = float(p.production(c)[0])
        row["total"] = float(p.total(c)[0])
        impacts[c] = row
        if result.draws is not None:
            d = result.draws
            intervals[c] = {
                "production": interval(d.production(c)[:, 0]),
                "use": interval(d.use(c)[:, 0]),
                "total": interval(d.total(c)[:, 0]),
            }
            if with_sensitivity:
                drivers[c] = sensitivity(result.samples, d.total(c)[:, 0])
    e_int = (interval(result.draws.energy_kwh[:, 0])
             if result.draws is not None and measured is None else None)
    if with_sensitivity and result.draws is not None and measured is None:
        drivers["energy"] = sensitivity(result.samples, result.draws.energy_kwh[:, 0])

    prov.insert(0, Provenance("hardware", acc.name, "", "input", f"catalogue row '{acc.name}'"))
    if measured is not None:
        prov.append(Provenance("energy_kwh", measured, "kWh", "input",
                               "measured (replaces the modelled energy in the use stage)"))
    prov += [
        Provenance("tdp_w", acc.tdp_w, "W", "catalogue", acc.sources.get("tdp", "")),
        Provenance("die_area_mm2", acc.die_area_mm2, "mm2",
                   "imputed" if acc.die_area_imputed else "catalogue",
                   acc.sources.get("die_area", "")),
        Provenance("memory_gb", acc.memory_gb, "GB", "catalogue", acc.sources.get("memory", "")),
        Provenance("location", factors.zone, "", "input" if country != "WOR" else "default",
                   factors.source),
    ]
    for c in CRITERIA:
        prov.append(Provenance(f"grid_{c}", factors.get(c), f"{UNITS[c]}/kWh",
                               "imputed" if c in factors.fallbacks else "default",
                               factors.source + (" (world average)" if c in factors.fallbacks
                                                 else "")))
    for name, par in result.params.items():
        status = ("input" if par.source.startswith("user") else
                  "preset" if par.source.startswith("preset") else "default")
        prov.append(Provenance(name, par.value, par.unit, status, par.source))

    notes = [f"boundary: {pre.boundary.describe()}"]
    if pre.boundary.accelerator_production:
        if not pre.boundary.production_water:
            notes.append(PRESET_WATER_NOT_COVERED)
        elif math.isnan(float(np.asarray(p.card["wu"]).ravel()[0])):
            notes.append(WAFER_SCALE_WATER_NOT_COVERED)
        else:
            notes.append(CARD_WATER_SOURCE)
    if pre.boundary.host_production:
        notes.append(HOST_WATER_NOT_COVERED)
    if acc.die_area_imputed:
        notes.append(f"die area of {acc.name} is imputed ({acc.sources.get('die_area', '')})")
    if factors.fallbacks:
        notes.append(f"grid factors for {factors.zone} use the world average for: "
                     + ", ".join(factors.fallbacks))
    if measured is not None:
        notes.append("energy: measured value given as input; the energy model (power, PUE) "
                     "is not used, its parameters do not affect the use stage")
    if factors.zone == "WOR":
        notes.append("location: world average grid (give --country for the training location)")
        notes.append("caution: the grid provider's world-average PE and ADPe factors can be far "
                     "from large grids' (EcoLogits 0.11.3 WOR PE 2.59 MJ/kWh vs USA 9.69): PE and "
                     "ADPe of a WOR run are indicative only")
    return Estimate(
        hardware=acc, grid=factors, preset=pre, accelerator_hours=h,
        energy_kwh=float(p.energy_kwh[0]), energy_interval=e_int,
        impacts=impacts, intervals=intervals,
        card={c: float(np.asarray(v).ravel()[0]) for c, v in p.card.items()},
        host_per_accelerator={c: float(np.asarray(v).ravel()[0])
                              for c, v in p.host_per_accelerator.items()},
        provenance=prov, notes=notes, drivers=drivers, draws=draws, seed=seed,
        grid_provider=f"{provider.name} {provider.version}",
        catalog_version=load_catalog().version,
    )
