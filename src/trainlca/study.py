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

from trainlca.api import runs_from_catalog
from trainlca.catalog import Accelerator, Catalog, load_catalog
from trainlca.criteria import CRITERIA
from trainlca.epoch import EpochData, RunTable, build_runs
from trainlca.grid import GridProvider, load_grid, low_carbon_target
from trainlca.params import DEVELOPMENT_GUIDANCE, DEVELOPMENT_GUIDANCE_SOURCE, Param
from trainlca.presets import Boundary, Preset, get_preset
from trainlca.run import (
    Hardware,
    Impacts,
    energy_kwh,
    host_power_per_accelerator,
    run_hardware,
    run_use,
)
from trainlca.runspec import RunSpec
from trainlca.servers import Server, load_server
from trainlca.study_draws import Helper, ScenarioDraws, ScenarioLayout, scenario_draws
from trainlca.trends import TrendFit, fit_by_group, fit_log_trend, rebound
from trainlca.uncertainty import DEFAULT_SEED, check_draws, point_values, sample

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


Efficiency = Callable[[Accelerator, str], float]


def system_efficiency(p: Mapping[str, Any], boundary: Boundary,
                      server: Server | None = None) -> Efficiency:
    """Peak FLOP/s per watt of a chip together with its share of host power, as the run model
    counts it at the point values ``p`` (``run.energy_kwh`` of one accelerator-hour on its
    server; PUE included, the same for every chip): the efficient-hardware scenario's ranking,
    so that the chosen chip never uses more modelled energy for the same work."""
    watts: dict[str, float] = {}

    def efficiency(acc: Accelerator, precision: str) -> float:
        peak = acc.peak_flops(precision)
        if not peak or not math.isfinite(peak):
            return math.nan
        if acc.name not in watts:
            hw = Hardware.of([acc], server)
            host = host_power_per_accelerator(hw, p) if boundary.host_power else 0.0
            kwh = energy_kwh(1.0, hw.tdp_w, p, host_power=boundary.host_power, server_w=host)
            watts[acc.name] = float(np.ravel(kwh)[0]) * 1000.0
        return peak / watts[acc.name] if watts[acc.name] > 0 else math.nan

    return efficiency


def most_efficient_by_date(catalog: Catalog, dates: Sequence[Any],
                           precision: str = "bf16", *,
                           efficiency: Efficiency = efficiency_flop_per_j
                           ) -> list[Accelerator | None]:
    """For each date, the most energy-efficient candidate accelerator released on or before it
    (``efficiency``: FLOP/J of a chip at a precision; default peak per watt of TDP)."""
    cands = sorted(
        (a for a in catalog if a.type in CANDIDATE_TYPES and a.node_size > 1
         and math.isfinite(efficiency(a, precision))),
        key=lambda a: a.release_date,
    )
    best_by_release: list[tuple[Any, Accelerator]] = []
    best: Accelerator | None = None
    for a in cands:
        if best is None or efficiency(a, precision) > efficiency(best, precision):
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
    #: the baseline systems' Epoch facts not in ``systems`` (model, hardware_quantity,
    #: training_hours, accelerator_hours, grid_gwp kgCO2eq/kWh), for the per-system BoAmps
    #: reports; aligned with the baseline rows of ``systems``
    runs: pd.DataFrame | None = None


@dataclass(frozen=True)
class Scenario:
    """The runs of one scenario: chips, descriptions and grid zones, one per system (R,)."""

    name: str
    accelerators: list[Accelerator]
    spec: RunSpec
    zones: list[str]


def _baseline_spec(runs: pd.DataFrame) -> RunSpec:
    """Run descriptions of the Epoch runs: given accelerator-hours, or compute with the chip's
    peak and the row's MFU (NaN where the default entered: the ``mfu`` parameter's draws)."""
    from_compute = runs["flag_hours_from_compute"].to_numpy(dtype=bool)
    default_mfu = runs["flag_default_mfu"].to_numpy(dtype=bool)
    return RunSpec.of(
        accelerator_hours=np.where(from_compute, np.nan,
                                   runs["accelerator_hours"].to_numpy(dtype=np.float64)),
        flop=np.where(from_compute, runs["training_compute_flop"].to_numpy(dtype=np.float64),
                      np.nan),
        peak_flops=runs["peak_flops"].to_numpy(dtype=np.float64),
        mfu=np.where(default_mfu, np.nan, runs["mfu"].to_numpy(dtype=np.float64)),
    )


def _efficient(catalog: Catalog, runs: pd.DataFrame, accs: list[Accelerator],
               spec: RunSpec, efficiency: Efficiency) -> tuple[list[Accelerator], RunSpec]:
    """Each run's work on the most efficient chip released by its publication date (kept when
    its own chip is already the best)."""
    precision = [str(p) for p in runs["precision"]]
    best = most_efficient_by_date(catalog, [d.date() if hasattr(d, "date") else d
                                            for d in runs["publication_date"]],
                                  efficiency=efficiency)
    chosen = [b if b is not None and efficiency(b, pr) > efficiency(a, pr) else a
              for a, b, pr in zip(accs, best, precision, strict=True)]
    substituted = np.array([c.name != a.name for a, c in zip(accs, chosen, strict=True)])
    new_peak = np.array([c.peak_flops(pr) for c, pr in zip(chosen, precision, strict=True)],
                        dtype=np.float64)
    return chosen, spec.on_hardware(new_peak, substituted)


def _scenarios(catalog: Catalog, runs: pd.DataFrame, target: str,
               efficiency: Efficiency) -> list[Scenario]:
    accs = [catalog.get(h) for h in runs["hardware"]]
    spec = _baseline_spec(runs)
    zones = [str(z) for z in runs["zone"]]
    eff_accs, eff_spec = _efficient(catalog, runs, accs, spec, efficiency)
    shifted = [target] * len(runs)
    return [Scenario("baseline", accs, spec, zones),
            Scenario("location-shift", accs, spec, shifted),
            Scenario("efficient-hardware", eff_accs, eff_spec, zones),
            Scenario("both", eff_accs, eff_spec, shifted)]



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


@dataclass
class _Assessed:
    """One scenario's outputs: its systems table, trend rows and fits, its point impacts."""

    table: pd.DataFrame
    trend_rows: list[dict[str, Any]]
    fits: dict[tuple[str, str], TrendFit]
    point: Impacts


def _systems_table(runs: pd.DataFrame, sc: Scenario, hours: np.ndarray, pt: Impacts,
                   mc: ScenarioDraws | None, baseline: Scenario) -> pd.DataFrame:
    cols: dict[str, Any] = {
        "model": runs["model"], "organization": runs["organization"],
        "domain": runs["domain"],
        "publication_date": runs["publication_date"].dt.strftime("%Y-%m-%d"),
        "year": runs["year"].to_numpy(dtype=np.float64), "scenario": sc.name,
        "hardware": [a.name for a in sc.accelerators], "hardware_raw": runs["hardware_raw"],
        "country": runs["country_raw"], "zone": sc.zones,
        "training_compute_flop": runs["training_compute_flop"],
        "accelerator_hours": hours,
    }
    _put("energy_kwh", "energy", pt.energy_kwh, mc, cols)
    for c in CRITERIA:
        _put(c, c, pt.total(c), mc, cols)
        cols[f"{c}_production"] = pt.production(c)
        cols[f"{c}_use"] = pt.use(c)
    for flag in [col for col in runs.columns if col.startswith("flag_")]:
        cols[flag] = runs[flag].to_numpy()
    if sc.name in ("efficient-hardware", "both"):
        cols["flag_hardware_substituted"] = [
            a.name != b.name for a, b in zip(baseline.accelerators, sc.accelerators,
                                             strict=True)]
    return pd.DataFrame(cols)


def _put(prefix: str, quantity: str, point: np.ndarray, mc: ScenarioDraws | None,
         out: dict[str, Any]) -> None:
    """``prefix`` (R,) and, with draws, its 5th and 95th percentiles over the draws."""
    out[prefix] = point
    if mc is not None:
        out[f"{prefix}_p5"], out[f"{prefix}_p95"] = mc.p5[quantity], mc.p95[quantity]


def _fit_scenario(name: str, year: np.ndarray, domains: np.ndarray, pt: Impacts,
                  mc: ScenarioDraws | None
                  ) -> tuple[list[dict[str, Any]], dict[tuple[str, str], TrendFit]]:
    """Trend fits of energy and every criterion: on the point values (R,), with the per-draw
    fits beside them; per domain for the baseline."""
    rows: list[dict[str, Any]] = []
    fits: dict[tuple[str, str], TrendFit] = {}
    series: dict[str, np.ndarray] = {"energy": pt.energy_kwh,
                                     **{c: pt.total(c) for c in CRITERIA}}
    for q, tot in series.items():
        fit = fit_log_trend(year, tot)
        fits[(q, name)] = fit
        rows.append(_trend_row(q, name, "all", fit, None if mc is None else mc.fits[q]))
        if name == "baseline":
            for dom, dfit in fit_by_group(year, tot, domains, min_n=MIN_DOMAIN_N,
                                          sep=",").items():
                rows.append(_trend_row(q, name, dom, dfit, None))
    return rows, fits


#: Which hardware set (0 own chips, 1 efficient chips) and grid each scenario uses.
LAYOUT: Final[tuple[ScenarioLayout, ...]] = (
    ScenarioLayout("baseline", 0, "own"), ScenarioLayout("location-shift", 0, "target"),
    ScenarioLayout("efficient-hardware", 1, "own"), ScenarioLayout("both", 1, "target"))


def _assess_scenarios(scenarios: list[Scenario], runs: pd.DataFrame, provider: GridProvider,
                      preset: Preset, params: Mapping[str, Param], draws: int, seed: int,
                      mfu_point: float, step: Progress, server: Server | None,
                      helper: Helper | None = None) -> list[_Assessed]:
    """Every scenario: point impacts, Monte Carlo percentiles and fits (``study_draws``),
    tables and trend rows. Runs that share hardware share their hardware part."""
    by_name = {sc.name: sc for sc in scenarios}
    grids = {"own": provider.arrays(by_name["baseline"].zones),
             "target": provider.arrays(by_name["location-shift"].zones)}
    hw_runs = [runs_from_catalog(by_name[name].accelerators, by_name[name].spec,
                                 {c: grids["own"][c] for c in CRITERIA}, server=server)
               for name in ("baseline", "efficient-hardware")]
    point = point_values(params)
    parts = [run_hardware(ri, point, preset.boundary) for ri in hw_runs]
    year = runs["year"].to_numpy(dtype=np.float64)
    mc: dict[str, ScenarioDraws] = {}
    if draws:
        step(f"Monte Carlo: {len(runs)} systems × {draws} draws, 4 scenarios")
        mc = scenario_draws(hw_runs, grids, LAYOUT, sample(params, draws, seed),
                            preset.boundary, year, seed=seed, step=step, helper=helper)
    out = []
    domains = runs["domain"].fillna("").to_numpy()
    for lay in LAYOUT:
        sc = by_name[lay.name]
        step(f"tables and trend fits for {sc.name}")
        pt = run_use(parts[lay.hardware], grids[lay.grid], hw_runs[lay.hardware].provider_class,
                     point, preset.boundary)
        draws_of = mc.get(sc.name)
        table = _systems_table(runs, sc, sc.spec.point_hours(mfu_point), pt, draws_of,
                               by_name["baseline"])
        rows, fits = _fit_scenario(sc.name, year, domains, pt, draws_of)
        out.append(_Assessed(table, rows, fits, pt))
    return out


def _rebound_rows(runs: pd.DataFrame, baseline: Scenario, energy: np.ndarray,
                  mfu_point: float) -> list[dict[str, Any]]:
    """Compute, hardware efficiency and energy growth of the baseline (METHOD §7)."""
    precision = [str(p) for p in runs["precision"]]
    accs = baseline.accelerators
    hours = baseline.spec.point_hours(mfu_point)
    prec_peak = np.array([a.peak_flops(p) for a, p in zip(accs, precision, strict=True)])
    eff = np.array([efficiency_flop_per_j(a, p) for a, p in zip(accs, precision, strict=True)])
    compute = runs["training_compute_flop"].to_numpy(dtype=np.float64)
    mfu = runs["mfu"].to_numpy(dtype=np.float64)
    derived = hours * prec_peak * np.where(np.isfinite(mfu), mfu, mfu_point)
    compute = np.where(np.isfinite(compute) & (compute > 0), compute, derived * 3600.0)
    rb = rebound(runs["year"].to_numpy(dtype=np.float64), compute, energy, eff)
    units = {"compute": "FLOP", "efficiency": "FLOP/J", "energy": "kWh"}
    return [{"term": term, "unit": units[term],
             "growth_per_year": f.growth_per_year, "ci_low": f.ci_low, "ci_high": f.ci_high,
             "doubling_months": f.doubling_months, "r2": f.r2, "n": f.n,
             "period": f.period_label, "residual_log10": rb.residual,
             "implied_energy_growth": rb.implied_energy_growth}
            for term, f in (("compute", rb.compute), ("efficiency", rb.efficiency),
                            ("energy", rb.energy))]


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
    server: str | Server | None = None,
    development_factor: float = DEVELOPMENT_GUIDANCE,
    helper: Helper | None = None,
) -> StudyResult:
    """Per-system impacts under every scenario, trend fits, rebound decomposition and cards.

    ``server``: one host server for every system (an archetype id, a JSON/YAML file or a
    ``servers.Server``); default each chip's own archetype.

    ``development_factor``: whole development per final run, for the ``*_whole_development``
    columns of the systems table (default :data:`DEVELOPMENT_GUIDANCE`, OLMo 2's). The other
    columns, the trends and the rebound stay at the final run, as published footprints count
    it; the ``development_factor`` parameter itself is therefore not accepted as an override.

    ``helper``: a second process (``trainlca.worker.Worker``) that takes most of the
    per-system pass of a large Monte Carlo (the same results, sooner on two cores).
    """
    step = progress or (lambda _msg: None)
    development_factor = check_development(development_factor, overrides)
    pre = get_preset(preset)
    params = pre.params(overrides)
    mfu_point = float(params["mfu"].value)
    catalog = load_catalog()
    provider = grid if isinstance(grid, GridProvider) else load_grid(grid)
    target = low_carbon_target(provider)

    step("building runs from Epoch rows")
    rt = build_runs(data, catalog=catalog, start_year=start_year, end_year=end_year,
                    mfu_default=mfu_point, impute_hardware=impute_hardware)
    runs = rt.runs.reset_index(drop=True)
    draws = _check_runs(rt, draws)

    srv = None if server is None else load_server(server)
    scenarios = _scenarios(catalog, runs, target,
                           system_efficiency(point_values(params), pre.boundary, srv))
    assessed = _assess_scenarios(scenarios, runs, provider, pre, params, draws, seed, mfu_point,
                                 step, srv, helper)

    step("rebound decomposition")
    rebound_rows = _rebound_rows(runs, scenarios[0], assessed[0].point.energy_kwh, mfu_point)

    step("card production table")
    from trainlca.cards import card_table, card_trend, cards_frame

    cards = card_table(preset=pre.name, overrides=overrides, catalog=catalog, server=srv)
    meta = _meta(data, rt, catalog, provider, pre, params, overrides, draws, seed, start_year,
                 end_year, impute_hardware, target)
    meta |= _settings_meta(srv, development_factor)
    # zones missing from the grid file that took its default zone (MLCA's files: EEE)
    meta["grid"]["defaulted_zones"] = provider.defaulted(str(z) for z in runs["zone"])
    systems = pd.concat([a.table for a in assessed], ignore_index=True)
    return StudyResult(
        systems=_with_development(systems, development_factor),
        trends=pd.DataFrame([r for a in assessed for r in a.trend_rows]),
        rebound=pd.DataFrame(rebound_rows), cards=cards_frame(cards),
        skipped=rt.skipped.reset_index(drop=True), meta=meta,
        fits={k: v for a in assessed for k, v in a.fits.items()},
        card_rows=cards, card_trend=card_trend(cards),
        runs=_baseline_facts(runs, scenarios[0], provider, mfu_point))


def _settings_meta(server: Server | None, development_factor: float) -> dict[str, Any]:
    """study.json's server and development factor (value, status, source)."""
    guidance = development_factor == DEVELOPMENT_GUIDANCE
    return {
        "server": server.name if server is not None else "each chip's default archetype",
        "development_factor": {
            "value": development_factor, "unit": "1",
            "status": "default" if guidance else "input",
            "source": DEVELOPMENT_GUIDANCE_SOURCE if guidance else "user",
            "columns": "systems.csv *_whole_development = the final run's value × this factor"},
    }


def _baseline_facts(runs: pd.DataFrame, baseline: Scenario, provider: GridProvider,
                    mfu_point: float) -> pd.DataFrame:
    """StudyResult.runs: the baseline systems' Epoch facts for their BoAmps reports."""
    return pd.DataFrame({
        "model": runs["model"], "hardware_quantity": runs["hardware_quantity"],
        "training_hours": runs["training_hours"],
        "accelerator_hours": baseline.spec.point_hours(mfu_point),
        "grid_gwp": provider.arrays(baseline.zones)["gwp"]})


def check_development(factor: float, overrides: Mapping[str, float] | None) -> float:
    """The study's development factor, checked as the parameter is (1-100); refused as a
    parameter override, which would move the final-run columns."""
    from trainlca.errors import ParameterError
    from trainlca.params import check_value

    if overrides and "development_factor" in overrides:
        raise ParameterError(
            "the study keeps its systems at the final run (as published footprints count "
            "them) and adds whole-development columns: give "
            f"{overrides['development_factor']!r} as the study's own development factor "
            "(--development-factor, or development_factor= in Python), not as a parameter")
    return check_value("development_factor", factor)


def _with_development(systems: pd.DataFrame, factor: float) -> pd.DataFrame:
    """``development_factor`` and, per total, its whole-development value (the final run ×
    the factor: energy and the production share both scale with accelerator-hours), placed
    after the per-criterion columns."""
    at = next(i for i, c in enumerate(systems.columns) if str(c).startswith("flag_"))
    extra = {"development_factor": np.full(len(systems), factor),
             **{f"{q}_whole_development": systems[q].to_numpy() * factor
                for q in ("energy_kwh", *CRITERIA)}}
    return pd.concat([systems.iloc[:, :at], pd.DataFrame(extra, index=systems.index),
                      systems.iloc[:, at:]], axis=1)


def _check_runs(rt: RunTable, draws: int) -> int:
    n = len(rt.runs)
    draws = check_draws(draws)  # no cells bound: study_draws works in blocks
    if n < 3:
        from trainlca.errors import DataFileError

        raise DataFileError(
            f"only {n} system(s) could be assessed in the window (need ≥ 3 for a trend); "
            f"skipped: {rt.skip_counts()}")
    return draws


def _meta(data: EpochData, rt: RunTable, catalog: Catalog, provider: GridProvider,
          pre: Preset, params: Mapping[str, Param], overrides: Mapping[str, float] | None,
          draws: int, seed: int, start_year: float, end_year: float | None,
          impute_hardware: bool, target: str) -> dict[str, Any]:
    """study.json: data versions, settings, counts and every parameter with its status."""
    from trainlca import SCHEMA_VERSION, __version__

    snapshot = str(data.snapshot_date) if data.snapshot_date else None
    return {
        "schema_version": SCHEMA_VERSION, "trainlca_version": __version__,
        "epoch": {"source": data.source, "sha256": data.sha256, "snapshot_date": snapshot,
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
        "systems_assessed": len(rt.runs),
        "skipped": rt.skip_counts(),
        "flags": rt.flag_counts(),
        "scenarios": list(SCENARIOS),
        "data_versions": {
            "catalogue": catalog.version,
            "grid_provider": provider.name, "grid_version": provider.version,
            "grid_source": provider.source,
            "epoch_sha256": data.sha256,
            "epoch_snapshot_date": snapshot,
            "epoch_downloaded_at": data.downloaded_at,
        },
        # per parameter: input (--set), preset or default, with its source; per system the
        # imputations are the flag_* columns of systems.csv (counted in "flags")
        "parameters": [{**p.provenance(), "low": p.low, "high": p.high, "distribution": p.dist}
                       for p in params.values()],
    }
