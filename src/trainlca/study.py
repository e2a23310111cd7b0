"""The whole study on an Epoch AI dataset (METHOD §1, §6, §7): per-system impacts under four
scenarios, exponential trends with their confidence intervals, and the rebound decomposition.

Scenarios (one place):

- ``baseline``: each run on its own hardware and its organisation's grid.
- ``location-shift``: the same runs moved to the low-carbon grid ``grid.low_carbon_target``
  (the lowest-GWP country among large cloud data-centre hosts of the grid table; NOR with
  EcoLogits 0.11.3).
- ``efficient-hardware``: each run's work redone on the most energy-efficient accelerator
  (tensor 16-bit FLOP/s per W of TDP) released by the run's publication date, at the same
  utilisation: ``H' = H · peak(chip, precision) / peak(best, precision)``. Only data-centre
  accelerators are candidates (GPU, TPU, ASIC types; whole systems such as wafer-scale engines
  or 1-per-node boxes are not), and a run keeps its own chip when that is already the best.
- ``both``: efficient hardware on the low-carbon grid.

Monte Carlo draws are shared across runs and across scenarios (same seed), so sums, trend fits
and scenario differences keep their correlation. Arrays shaped (draws, runs) are reduced to
percentiles and per-draw trend fits scenario by scenario, so memory stays bounded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from trainlca.api import assess_runs, runs_from_catalog
from trainlca.catalog import Accelerator, Catalog, load_catalog
from trainlca.criteria import CRITERIA
from trainlca.epoch import EpochData, RunTable, build_runs
from trainlca.grid import GridProvider, load_grid, low_carbon_target
from trainlca.presets import get_preset
from trainlca.run import Impacts
from trainlca.trends import TrendFit, fit_by_group, fit_draws, fit_log_trend, rebound
from trainlca.uncertainty import DEFAULT_SEED, check_draws, percentiles

SCENARIOS: Final[tuple[str, ...]] = ("baseline", "location-shift", "efficient-hardware", "both")
TREND_QUANTITIES: Final[tuple[str, ...]] = ("energy", *CRITERIA)
CANDIDATE_TYPES: Final[frozenset[str]] = frozenset({"GPU", "TPU", "ASIC"})
#: Per-domain trends need at least this many systems (issue: n ≥ 20).
MIN_DOMAIN_N: Final[int] = 20

Progress = Callable[[str], None]


def efficiency_flop_per_j(acc: Accelerator, precision: str = "bf16") -> float:
    """Peak FLOP/s at ``precision`` per watt of TDP (FLOP/J)."""
    peak = acc.peak_flops(precision)
    return peak / acc.tdp_w if peak and math.isfinite(peak) and acc.tdp_w > 0 else math.nan


def most_efficient_by_date(catalog: Catalog, dates: Sequence[Any],
                           precision: str = "bf16") -> list[Accelerator | None]:
    """For each date, the most energy-efficient candidate accelerator released on or before it."""
    cands = sorted(
        (a for a in catalog if a.type in CANDIDATE_TYPES and a.node_size > 1
         and math.isfinite(efficiency_flop_per_j(a, precision))),
        key=lambda a: a.release_date,
    )
    best_by_release: list[tuple[Any, Accelerator]] = []
    best: Accelerator | None = None
    for a in cands:
        if best is None or efficiency_flop_per_j(a, precision) > efficiency_flop_per_j(
                best, precision):
            best = a
        best_by_release.append((a.release_date, best))
    release = [d for d, _ in best_by_release]
    out: list[Accelerator | None] = []
    import bisect

    for d in dates:
        k = bisect.bisect_right(release, d)
        out.append(best_by_release[k - 1][1] if k > 0 else None)
    return out


@dataclass
class StudyResult:
    """Everything the study produces (tables as pandas DataFrames, see docs/study-outputs.md)."""

    systems: pd.DataFrame
    trends: pd.DataFrame
    rebound: pd.DataFrame
    cards: pd.DataFrame
    skipped: pd.DataFrame
    meta: dict[str, Any]
    fits: dict[tuple[str, str], TrendFit] = field(default_factory=dict)
    card_rows: list[Any] = field(default_factory=list)
    card_trend: Any = None


def _scenario_runs(accs: list[Accelerator], hours: np.ndarray, zones: list[str],
                   grid: GridProvider, per_mfu: np.ndarray, mfu_point: float) -> Any:
    """Run arrays of one scenario. Runs whose hours came from compute with the default MFU are
    passed at 100 % MFU (``per_mfu``) so the MFU's uncertainty reaches the draws."""
    factors = grid.arrays(zones)
    hours_in = np.where(per_mfu, hours * mfu_point, hours)
    return runs_from_catalog(accs, hours_in, {c: factors[c] for c in CRITERIA}, per_mfu=per_mfu)


def _reduce(prefix: str, point: np.ndarray, mc: np.ndarray | None,
            out: dict[str, Any]) -> None:
    out[prefix] = point
    if mc is not None:
        p = percentiles(mc)
        out[f"{prefix}_p5"], out[f"{prefix}_p95"] = p[0], p[2]


def _trend_row(quantity: str, scenario: str, domain: str, fit: TrendFit,
               mc: Any | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "criterion": quantity, "scenario": scenario, "domain": domain,
        "growth_per_year": fit.growth_per_year, "ci_low": fit.ci_low, "ci_high": fit.ci_high,
        "doubling_months": fit.doubling_months, "r2": fit.r2, "n": fit.n,
        "period": fit.period_label,
    }
    if mc is not None:
        row.update({"mc_growth_p50": mc.growth_p50, "mc_ci_low": mc.growth_ci_low,
                    "mc_ci_high": mc.growth_ci_high})
    return row


def run_study(
    data: EpochData,
    *,
    preset: str = "default",
    overrides: Mapping[str, float] | None = None,
    draws: int = 0,
    seed: int = DEFAULT_SEED,
    start_year: float = 2013,
    end_year: float | None = None,
    impute_hardware: bool = False,
    grid: str | GridProvider | None = None,
    progress: Progress | None = None,
) -> StudyResult:
    """Per-system impacts under every scenario, trend fits, rebound decomposition and cards."""
    step = progress or (lambda _msg: None)
    pre = get_preset(preset)
    params = pre.params(overrides)
    catalog = load_catalog()
    provider = grid if isinstance(grid, GridProvider) else load_grid(grid)
    target = low_carbon_target(provider)

    step("building runs from Epoch rows")
    rt: RunTable = build_runs(data, catalog=catalog, start_year=start_year, end_year=end_year,
                              mfu_default=float(params["mfu"].value),
                              impute_hardware=impute_hardware)
    runs = rt.runs.reset_index(drop=True)
    n = len(runs)
    draws = check_draws(draws, n)
    if n < 3:
        from trainlca.errors import DataFileError

        raise DataFileError(
            f"only {n} system(s) could be assessed in the window (need ≥ 3 for a trend); "
            f"skipped: {rt.skip_counts()}")

    accs = [catalog.get(h) for h in runs["hardware"]]
    hours0 = runs["accelerator_hours"].to_numpy(dtype=np.float64)
    zones0 = [str(z) for z in runs["zone"]]
    precision = [str(p) for p in runs["precision"]]
    best = most_efficient_by_date(catalog, [d.date() if hasattr(d, "date") else d
                                            for d in runs["publication_date"]])
    eff_accs: list[Accelerator] = []
    eff_hours = np.empty(n)
    for i, (a, b) in enumerate(zip(accs, best, strict=True)):
        use = a
        if b is not None and efficiency_flop_per_j(b, precision[i]) > efficiency_flop_per_j(
                a, precision[i]):
            use = b
        eff_accs.append(use)
        eff_hours[i] = hours0[i] * a.peak_flops(precision[i]) / use.peak_flops(precision[i])

    scen_inputs = {
        "baseline": (accs, hours0, zones0),
        "location-shift": (accs, hours0, [target] * n),
        "efficient-hardware": (eff_accs, eff_hours, zones0),
        "both": (eff_accs, eff_hours, [target] * n),
    }
    year = runs["year"].to_numpy(dtype=np.float64)
    per_mfu = runs["flag_default_mfu"].to_numpy(dtype=bool)
    mfu_point = float(params["mfu"].value)
    tables: list[pd.DataFrame] = []
    trend_rows: list[dict[str, Any]] = []
    fits: dict[tuple[str, str], TrendFit] = {}
    baseline_point: Impacts | None = None
    for scenario, (sa, sh, sz) in scen_inputs.items():
        step(f"scenario {scenario}: {n} systems × {max(draws, 1)} draws")
        ri = _scenario_runs(sa, sh, sz, provider, per_mfu, mfu_point)
        res = assess_runs(ri, preset=pre, overrides=overrides, draws=draws, seed=seed)
        pt, mc = res.point, res.draws
        if scenario == "baseline":
            baseline_point = pt
        cols: dict[str, Any] = {
            "model": runs["model"], "organization": runs["organization"],
            "domain": runs["domain"],
            "publication_date": runs["publication_date"].dt.strftime("%Y-%m-%d"),
            "year": year, "scenario": scenario,
            "hardware": [a.name for a in sa], "hardware_raw": runs["hardware_raw"],
            "country": runs["country_raw"], "zone": sz,
            "training_compute_flop": runs["training_compute_flop"],
            "accelerator_hours": sh,
        }
        _reduce("energy_kwh", pt.energy_kwh,
                None if mc is None else mc.energy_kwh, cols)
        series: dict[str, tuple[np.ndarray, np.ndarray | None]] = {
            "energy": (pt.energy_kwh, None if mc is None else mc.energy_kwh)}
        for c in CRITERIA:
            tot = pt.total(c)
            mct = None if mc is None else mc.total(c)
            _reduce(c, tot, mct, cols)
            prod = pt.production(c)
            cols[f"{c}_production"] = np.where(np.isnan(prod), np.nan, prod)
            cols[f"{c}_use"] = pt.use(c)
            series[c] = (tot, mct)
        for flag in [col for col in runs.columns if col.startswith("flag_")]:
            cols[flag] = runs[flag].to_numpy()
        if scenario in ("efficient-hardware", "both"):
            cols["flag_hardware_substituted"] = [a.name != b.name
                                                 for a, b in zip(accs, sa, strict=True)]
        tables.append(pd.DataFrame(cols))

        step(f"trend fits for {scenario}")
        for q, (tot, mct) in series.items():
            fit = fit_log_trend(year, tot)
            fits[(q, scenario)] = fit
            mcfit = fit_draws(year, mct, seed=seed) if mct is not None else None
            trend_rows.append(_trend_row(q, scenario, "all", fit, mcfit))
            if scenario == "baseline":
                for dom, dfit in fit_by_group(year, tot, runs["domain"].fillna("").to_numpy(),
                                              min_n=MIN_DOMAIN_N, sep=",").items():
                    trend_rows.append(_trend_row(q, scenario, dom, dfit, None))
        del res, pt, mc, series

    step("rebound decomposition")
    assert baseline_point is not None
    prec_peak = np.array([a.peak_flops(p) for a, p in zip(accs, precision, strict=True)])
    eff = np.array([efficiency_flop_per_j(a, p) for a, p in zip(accs, precision, strict=True)])
    compute = runs["training_compute_flop"].to_numpy(dtype=np.float64)
    mfu = runs["mfu"].to_numpy(dtype=np.float64)
    derived = hours0 * prec_peak * np.where(np.isfinite(mfu), mfu, float(params["mfu"].value))
    compute = np.where(np.isfinite(compute) & (compute > 0), compute, derived * 3600.0)
    rb = rebound(year, compute, baseline_point.energy_kwh, eff)
    rebound_rows = []
    for term, f in (("compute", rb.compute), ("efficiency", rb.efficiency),
                    ("energy", rb.energy)):
        rebound_rows.append({
            "term": term, "unit": {"compute": "FLOP", "efficiency": "FLOP/J",
                                   "energy": "kWh"}[term],
            "growth_per_year": f.growth_per_year, "ci_low": f.ci_low, "ci_high": f.ci_high,
            "doubling_months": f.doubling_months, "r2": f.r2, "n": f.n,
            "period": f.period_label, "residual_log10": rb.residual,
            "implied_energy_growth": rb.implied_energy_growth,
        })

    step("card production table")
    import dataclasses

    from trainlca.cards import card_table, card_trend

    cards = card_table(preset=pre.name, overrides=overrides, catalog=catalog)
    cards_df = pd.DataFrame([dataclasses.asdict(r) for r in cards])
    ctrend = card_trend(cards)

    systems = pd.concat(tables, ignore_index=True)
    skipped = rt.skipped.reset_index(drop=True)
    meta: dict[str, Any] = {
        "epoch": {"source": data.source, "sha256": data.sha256,
                  "snapshot_date": str(data.snapshot_date) if data.snapshot_date else None,
                  "schema": data.schema_variant, "rows": len(data),
                  "downloaded_at": data.downloaded_at},
        "catalogue_version": catalog.version,
        "grid": {"provider": provider.name, "version": provider.version},
        "preset": pre.name, "boundary": pre.boundary.describe(),
        "overrides": dict(overrides or {}),
        "draws": draws, "seed": seed,
        "window": {"start_year": start_year, "end_year": end_year},
        "impute_hardware": impute_hardware,
        "low_carbon_target": target,
        "systems_assessed": n,
        "skipped": rt.skip_counts(),
        "flags": rt.flag_counts(),
        "scenarios": list(SCENARIOS),
        "data_versions": {
            "catalogue": catalog.version,
            "grid_provider": provider.name, "grid_version": provider.version,
            "grid_source": provider.source,
            "epoch_sha256": data.sha256,
            "epoch_snapshot_date": str(data.snapshot_date) if data.snapshot_date else None,
            "epoch_downloaded_at": data.downloaded_at,
        },
        # per parameter: input (--set), preset or default, with its source; per system the
        # imputations are the flag_* columns of systems.csv (counted in "flags")
        "parameters": [{"name": k, "value": p.value, "unit": p.unit,
                        "status": ("input" if p.source.startswith("user") else "preset"
                                   if p.source.startswith("preset") else "default"),
                        "source": p.source} for k, p in params.items()],
    }
    return StudyResult(systems=systems, trends=pd.DataFrame(trend_rows),
                       rebound=pd.DataFrame(rebound_rows), cards=cards_df, skipped=skipped,
                       meta=meta, fits=fits, card_rows=cards, card_trend=ctrend)
