"""Many runs together — what a lab reports for a project: one total with its 90 % interval and a
table per run, from SLURM accounting, a CSV of runs, or any ``inputs.RunSet``.

All runs are assessed in one call of the vectorised engine (``api.assess_runs``), so they share
every Monte Carlo draw: the interval of the total is the percentile of the per-draw sums, with
the runs' correlation kept (a PUE drawn high is high for every run), not a sum of intervals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from trainlca.criteria import CRITERIA, UNITS
from trainlca.notes import Note
from trainlca.runspec import RunSpec
from trainlca.uncertainty import DEFAULT_SEED, Interval, interval

if TYPE_CHECKING:
    from trainlca.catalog import Accelerator, Catalog
    from trainlca.grid import GridProvider
    from trainlca.inputs.records import RunRecord, RunSet


@dataclass(frozen=True)
class RunRow:
    """One run of a project: what it was, and its total per criterion (point values)."""

    label: str
    hardware: str
    country: str
    state: str | None
    accelerator_hours: float
    energy_kwh: float
    measured: bool
    totals: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "hardware": self.hardware, "country": self.country,
                "state": self.state, "accelerator_hours": self.accelerator_hours,
                "energy_kwh": self.energy_kwh, "energy_measured": self.measured,
                **{c: _num(self.totals[c]) for c in CRITERIA}}


@dataclass(frozen=True)
class ProjectEstimate:
    """The runs of a project and their total (point, and 90 % interval of the shared draws)."""

    runs: list[RunRow]
    energy_kwh: float
    energy_interval: Interval | None
    totals: Mapping[str, float]
    intervals: Mapping[str, Interval]
    notes: list[Note]
    files: list[dict[str, Any]]
    preset: str
    draws: int
    seed: int
    kind: str = "runs"
    data_versions: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from trainlca import SCHEMA_VERSION, __version__

        total: dict[str, Any] = {"energy_kwh": self.energy_kwh}
        if self.energy_interval is not None:
            total["energy_kwh_interval"] = _iv(self.energy_interval)
        for c in CRITERIA:
            total[c] = {"unit": UNITS[c], "total": _num(self.totals[c])}
            if c in self.intervals:
                total[c]["total_interval"] = _iv(self.intervals[c])
        return {"schema_version": SCHEMA_VERSION, "trainlca_version": __version__,
                "kind": self.kind, "preset": self.preset, "files": self.files,
                "total": total, "runs": [r.to_dict() for r in self.runs],
                "uncertainty": {"draws": self.draws, "seed": self.seed,
                                "percentiles": [5, 50, 95],
                                "shared": "one draw of every parameter for all runs"},
                "data_versions": dict(self.data_versions),
                "notes": [n.to_dict() for n in self.notes]}


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _iv(iv: Interval) -> dict[str, float | None]:
    return {"p5": _num(iv.p5), "p50": _num(iv.p50), "p95": _num(iv.p95)}


def _spec_of(records: list[RunRecord], accs: list[Accelerator], precision: str) -> RunSpec:
    """Run descriptions: accelerator-hours, or FLOP with the chip's peak; measured energy."""
    def col(values: list[float | None]) -> np.ndarray:
        return np.array([math.nan if v is None else v for v in values], dtype=np.float64)

    flop = col([None if r.accelerator_hours is not None else r.flop for r in records])
    peak = np.array([a.peak_flops(precision) if not math.isnan(f) else math.nan
                     for a, f in zip(accs, flop, strict=True)])
    return RunSpec.of(accelerator_hours=col([r.accelerator_hours for r in records]),
                      flop=flop, peak_flops=peak,
                      mfu=col([r.mfu if r.accelerator_hours is None else None
                               for r in records]),
                      measured_energy_kwh=col([r.energy_kwh for r in records]))


def _chips(runs: RunSet, hardware: str | None, catalog: Catalog
           ) -> tuple[list[Accelerator], list[Note]]:
    """Each record's chip: the file's, else ``hardware`` (a fallback, not an override)."""
    from trainlca.errors import ParameterError
    from trainlca.inputs.records import check_plausible, resolve_hardware

    accs: list[Accelerator] = []
    notes: list[Note] = []
    for r in runs.records:
        if r.accelerator_hours is None and r.flop is None:
            raise ParameterError(f"{r.label}: no accelerator-hours (no GPU count?) and no "
                                 "FLOP; give the count")
        acc, ns = resolve_hardware(r.hardware, None if r.hardware else hardware, catalog,
                                   where=r.label)
        accs.append(acc)
        notes += [n for n in ns if n.code != "hardware.from_file"]
        notes += check_plausible(r, acc.tdp_w)
    return accs, notes


def estimate_runs(runs: RunSet, *, hardware: str | None = None, country: str | None = None,
                  preset: str = "default", overrides: Mapping[str, float] | None = None,
                  draws: int = 2000, seed: int = DEFAULT_SEED,
                  grid: str | GridProvider | None = None, precision: str = "bf16",
                  catalog: Catalog | None = None) -> ProjectEstimate:
    """The impacts of every run of ``runs`` and their total, on shared draws.

    Args:
        runs: separate runs (sacct jobs, rows of a runs CSV).
        hardware: the chip of runs whose file names none (e.g. sacct ``gres/gpu=8``).
        country: the location of runs whose file names none (default WOR, the world average).
        precision: numerical precision of runs given by FLOP.
    """
    from trainlca.api import assess_runs, runs_from_catalog
    from trainlca.catalog import load_catalog
    from trainlca.grid import load_grid
    from trainlca.uncertainty import check_draws, check_seed

    check_draws(draws)
    check_seed(seed)
    cat = catalog if catalog is not None else load_catalog()
    from trainlca.grid import GridProvider

    provider = grid if isinstance(grid, GridProvider) else load_grid(grid)
    accs, notes = _chips(runs, hardware, cat)
    zones = [r.country or country or "WOR" for r in runs.records]
    factors = provider.arrays(zones)
    spec = _spec_of(list(runs.records), accs, precision)
    ri = runs_from_catalog(accs, spec, {c: factors[c] for c in CRITERIA})
    res = assess_runs(ri, preset=preset, overrides=overrides, draws=draws, seed=seed)
    mfu = float(res.params["mfu"].value)
    hours = spec.point_hours(mfu)
    pt, mc = res.point, res.draws
    rows = [RunRow(r.label, a.name, z, r.state, float(hours[i]), float(pt.energy_kwh[i]),
                   r.measured, {c: float(pt.total(c)[i]) for c in CRITERIA})
            for i, (r, a, z) in enumerate(zip(runs.records, accs, zones, strict=True))]
    return ProjectEstimate(
        runs=rows, energy_kwh=float(pt.energy_kwh.sum()),
        energy_interval=None if mc is None else interval(mc.energy_kwh.sum(axis=1)),
        totals={c: float(pt.total(c).sum()) for c in CRITERIA},
        intervals={} if mc is None else {c: interval(mc.total(c).sum(axis=1))
                                        for c in CRITERIA},
        notes=list(dict.fromkeys([*runs.all_notes(), *notes])),
        files=[f.to_dict() for f in runs.files],
        preset=res.preset.name, draws=draws, seed=seed, kind=runs.kind,
        data_versions={"catalogue": cat.version,
                       "grid": f"{provider.name} {provider.version}"})
