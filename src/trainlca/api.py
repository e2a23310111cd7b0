"""The Python API: estimate the life-cycle impacts of one or many training runs.

``estimate`` takes one run described the way users think of it (hardware, count, hours or FLOP,
country, preset) and returns an :class:`Estimate` with point values, 90 % intervals, and the
provenance of every number. ``assess_runs`` is the vectorised core used by ``estimate`` and by
the study: arrays of runs in, arrays of impacts out, (R,) for the point and (D, R) for the draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np

from trainlca import SCHEMA_VERSION, __version__, card_models
from trainlca.catalog import Accelerator, Catalog, load_catalog
from trainlca.criteria import CRITERIA, STAGES, UNITS
from trainlca.errors import ParameterError
from trainlca.grid import GridFactors, GridProvider, load_grid
from trainlca.notes import Note, note
from trainlca.params import FloatArray, Param
from trainlca.presets import Boundary, Preset, get_preset
from trainlca.provenance import Provenance, Status
from trainlca.run import Hardware, Impacts, RunInputs, hardware_production_models, run_impacts
from trainlca.runspec import Described, RunSpec, describe
from trainlca.servers import Server, default_server, host_power_w, load_server
from trainlca.uncertainty import (
    DEFAULT_SEED,
    Driver,
    Interval,
    Sample,
    check_draws,
    check_seed,
    interval,
    point_values,
    sample,
    sensitivity,
)

__all__ = ["Assessment", "Estimate", "Provenance", "assess_runs", "estimate",
           "runs_from_catalog"]

#: Fewest draws for a sensitivity ranking.
MIN_SENSITIVITY_DRAWS: Final[int] = 50


def runs_from_catalog(
    accelerators: Sequence[Accelerator],
    spec: RunSpec,
    grid_factors: Mapping[str, FloatArray],
    *,
    server: Server | None = None,
) -> RunInputs:
    """Run arrays for the run model from catalogue rows (one per run), run descriptions and
    grid factors per criterion (R,); every run on ``server`` when given, else on its chip's
    default archetype."""
    return RunInputs(spec=spec, hardware=Hardware.of(accelerators, server),
                     grid={c: np.asarray(grid_factors[c], dtype=np.float64) for c in CRITERIA})


@dataclass(frozen=True)
class Assessment:
    """Point and Monte Carlo impacts of a set of runs: ``point`` (R,), ``draws`` (D, R) or None
    without draws; ``samples`` are the parameter draws that produced it."""

    point: Impacts
    draws: Impacts | None
    samples: Sample | None
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
        return Assessment(point, None, None, params, pre)
    samples = sample(params, draws, seed)
    return Assessment(point, run_impacts(runs, samples, pre.boundary), samples, params, pre)


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
    intervals: Mapping[str, Mapping[str, Interval]]  # criterion → stage/production/total
    card: Mapping[str, float]
    host_per_accelerator: Mapping[str, float]
    provenance: list[Provenance]
    notes: list[Note]
    drivers: Mapping[str, list[Driver]] = field(default_factory=dict)
    draws: int = 0
    seed: int = DEFAULT_SEED
    grid_provider: str = ""
    catalog_version: str = ""
    #: The card models of this run's card (``card_models.summary``).
    card_models: Mapping[str, Any] = field(default_factory=dict)

    @property
    def boundary(self) -> Boundary:
        return self.preset.boundary

    @property
    def energy_measured(self) -> bool:
        """Whether the energy is a measured input (the use stage follows it)."""
        return any(p.name == "energy_kwh" and p.status == Status.MEASURED
                   for p in self.provenance)

    def counted(self, criterion: str) -> tuple[str, ...]:
        """The stages ``criterion``'s total adds up: inside the boundary and covered (not NaN)
        for this run's chip."""
        return tuple(s for s in STAGES if self.boundary.includes(s)
                     and not math.isnan(self.impacts[criterion][s]))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (documented shape, see README)."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "trainlca_version": __version__,
            "hardware": self.hardware.name,
            "location": self.grid.zone,
            "preset": self.preset.name,
            "boundary": self.boundary.describe(),
            "accelerator_hours": self.accelerator_hours,
            "energy_kwh": self.energy_kwh,
        }
        if self.energy_interval is not None:
            out.update({f"energy_kwh_{k}": v for k, v in _interval_dict(self.energy_interval)
                        .items()})
        out["impacts"] = {c: self._criterion_dict(c) for c in CRITERIA}
        out["card_production"] = {c: _num(v) for c, v in self.card.items()}
        if self.card_models:
            out["card_production_models"] = dict(self.card_models)
        out["host_production_per_accelerator"] = {
            c: _num(v) for c, v in self.host_per_accelerator.items()}
        out["uncertainty"] = {"draws": self.draws, "seed": self.seed,
                              "percentiles": [5, 50, 95]}
        if self.drivers:
            out["sensitivity"] = {
                c: [{"parameter": d.name, "spearman": d.spearman, "share": d.share} for d in ds]
                for c, ds in self.drivers.items()
            }
        out["provenance"] = [p.to_dict() for p in self.provenance]
        out["data_versions"] = {"catalogue": self.catalog_version, "grid": self.grid_provider,
                                "grid_source": self.grid.source}
        out["notes"] = [n.to_dict() for n in self.notes]
        return out

    def _criterion_dict(self, c: str) -> dict[str, Any]:
        d: dict[str, Any] = {"unit": UNITS[c]}
        d.update({k: _num(v) for k, v in self.impacts[c].items()})
        for part, iv in self.intervals.get(c, {}).items():
            d[f"{part}_interval"] = _interval_dict(iv)
        if "total" in self.intervals.get(c, {}):
            d.update(_interval_dict(self.intervals[c]["total"]))
        return d


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _interval_dict(iv: Interval) -> dict[str, float | None]:
    return {"p5": _num(iv.p5), "p50": _num(iv.p50), "p95": _num(iv.p95)}


# --- estimate: one run, in named steps ---------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What a run is assessed against: chip, grid factors, preset, parameters."""

    acc: Accelerator
    #: the note of a generic name (bare "A100": which chip was chosen), or None.
    hardware_note: str | None
    provider: GridProvider
    factors: GridFactors
    preset: Preset
    params: Mapping[str, Param]
    country_given: bool
    #: the user's server (None = the chip's default archetype).
    server: Server | None = None


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
    server: str | Server | None = None,
    catalog: Catalog | None = None,
    parameters: float | None = None,
    tokens: float | None = None,
) -> Estimate:
    """Life-cycle impacts of one training run.

    Describe the run once: ``count`` and ``hours``; or ``accelerator_hours``; or ``flop``
    (with ``mfu``, else the ``mfu`` parameter, whose range enters the draws) at ``precision``;
    or, before training, the model's ``parameters`` and training ``tokens`` (compute = 6 ·
    parameters · tokens FLOP, a dense transformer's rule; for a mixture of experts give the
    active parameters), which then run as ``flop``.

    ``measured_energy_kwh``: the run's electricity as measured (e.g. by CodeCarbon), kWh. It
    replaces the modelled energy in the use stage (use = measured kWh × grid factor, per draw);
    the production share still comes from the accelerator-hours.

    ``include_host=False`` leaves the host servers out (their production and their power).

    ``catalog``: the catalogue the name resolves in (default trainlca's; e.g.
    ``load_catalog(user=FILE)`` or ``load_catalog().merged([parse_chip_spec(...)])``).

    ``server``: the host server, an archetype id (``hgx-h100``…), a JSON/YAML file in
    BoaviztAPI's or MLCA's server schema, or a ``servers.Server``; default the chip's archetype
    (``servers.default_server``).

    Example:
        >>> e = estimate("A100 SXM4 80 GB", count=384, hours=2820, country="FRA", draws=0)
        >>> round(e.energy_kwh)
        774222
    """
    check_draws(draws)
    check_seed(seed)
    ctx = _context(hardware, country, grid, preset, overrides, include_host, server, catalog)
    run = describe(ctx.acc, count=count, hours=hours, accelerator_hours=accelerator_hours,
                   flop=flop, mfu=mfu, precision=precision,
                   mfu_default=float(ctx.params["mfu"].value),
                   measured_energy_kwh=measured_energy_kwh, parameters=parameters,
                   tokens=tokens)
    if with_sensitivity and draws < MIN_SENSITIVITY_DRAWS:
        raise ParameterError(f"a sensitivity ranking needs at least {MIN_SENSITIVITY_DRAWS} "
                             f"draws, got {draws}")
    runs = runs_from_catalog([ctx.acc], run.spec, {c: np.array([ctx.factors.get(c)])
                                                   for c in CRITERIA}, server=ctx.server)
    result = assess_runs(runs, preset=ctx.preset, overrides=overrides, draws=draws, seed=seed)
    return _estimate_of(ctx, run, runs, result, draws=draws, seed=seed,
                        with_sensitivity=with_sensitivity, catalog=catalog)


def _estimate_of(ctx: _Context, run: Described, runs: RunInputs, result: Assessment, *,
                 draws: int, seed: int, with_sensitivity: bool,
                 catalog: Catalog | None) -> Estimate:
    """The Estimate of one assessed run: point values, intervals, card and host figures,
    provenance, notes and (with the sensitivity) the drivers."""
    impacts, intervals = _summarise(result)
    cm = _card_models(runs, result)
    return Estimate(
        hardware=ctx.acc, grid=ctx.factors, preset=ctx.preset,
        accelerator_hours=float(run.spec.point_hours(float(ctx.params["mfu"].value))[0]),
        energy_kwh=float(result.point.energy_kwh[0]),
        energy_interval=_energy_interval(result, run),
        impacts=impacts, intervals=intervals,
        card={c: float(v[0]) for c, v in result.point.card.items()},
        host_per_accelerator={c: float(v[0])
                              for c, v in result.point.host_per_accelerator.items()},
        provenance=_provenance(ctx, run, result.params),
        notes=_notes(ctx, run, result, cm),
        drivers=_drivers(result, run) if with_sensitivity else {},
        draws=draws, seed=seed,
        grid_provider=f"{ctx.provider.name} {ctx.provider.version}",
        catalog_version=(catalog if catalog is not None else load_catalog()).version,
        card_models=cm,
    )


def _card_models(runs: RunInputs, result: Assessment) -> dict[str, Any]:
    """The card models of the run's card: point, per model, and with draws their mixture."""
    point, _ = hardware_production_models(runs.hardware, point_values(result.params),
                                          result.preset.boundary)
    d = result.draws
    return card_models.summary(point, None if d is None else d.card,
                               None if d is None else d.card_model)


def _context(hardware: str, country: str, grid: str | GridProvider | None, preset: str,
             overrides: Mapping[str, float] | None, include_host: bool,
             server: str | Server | None = None,
             catalog: Catalog | None = None) -> _Context:
    if not isinstance(hardware, str) or not hardware.strip():
        raise ParameterError(f"hardware must be an accelerator name, got {hardware!r}")
    if not isinstance(country, str) or not country.strip():
        raise ParameterError(f"country must be an ISO-3 code or a country name, got {country!r}")
    resolution = (catalog if catalog is not None else load_catalog()).resolve(hardware)
    provider = grid if isinstance(grid, GridProvider) else load_grid(grid)
    pre = get_preset(preset)
    if not include_host:
        pre = replace(pre, boundary=replace(pre.boundary, host_production=False,
                                            host_power=False))
    chosen = None if server is None else load_server(server)
    return _Context(resolution.accelerator, resolution.note, provider, provider.get(country),
                    pre, pre.params(overrides), country.strip().upper() != "WOR", chosen)


def _summarise(result: Assessment) -> tuple[dict[str, dict[str, float]],
                                            dict[str, dict[str, Interval]]]:
    """Point values per criterion and stage, and the 90 % intervals of one run."""
    p, d = result.point, result.draws
    impacts: dict[str, dict[str, float]] = {}
    intervals: dict[str, dict[str, Interval]] = {}
    for c in CRITERIA:
        impacts[c] = {s: float(p.stages[c][s][0]) for s in STAGES}
        impacts[c]["production"] = float(p.production(c)[0])
        impacts[c]["total"] = float(p.total(c)[0])
        if c == "wu" and p.use_water:  # the use stage's water, split (added keys)
            impacts[c]["use_offsite"] = float(p.use_water["offsite"][0])
            impacts[c]["use_onsite"] = float(p.use_water["onsite"][0])
        if d is not None:
            intervals[c] = {s: interval(d.stages[c][s][:, 0]) for s in STAGES}
            intervals[c].update({"production": interval(d.production(c)[:, 0]),
                                 "total": interval(d.total(c)[:, 0])})
            if c == "wu" and d.use_water:
                intervals[c]["use_onsite"] = interval(d.use_water["onsite"][:, 0])
    return impacts, intervals


def _energy_interval(result: Assessment, run: Described) -> Interval | None:
    """The energy's interval; None without draws or when the energy is measured."""
    if result.draws is None or bool(run.spec.measured[0]):
        return None
    return interval(result.draws.energy_kwh[:, 0])


def _drivers(result: Assessment, run: Described) -> dict[str, list[Driver]]:
    if result.draws is None or result.samples is None:
        return {}
    out: dict[str, list[Driver]] = {
        c: sensitivity(result.samples, result.draws.total(c)[:, 0]) for c in CRITERIA}
    if not bool(run.spec.measured[0]):
        out["energy"] = sensitivity(result.samples, result.draws.energy_kwh[:, 0])
    return out


def _provenance(ctx: _Context, run: Described, params: Mapping[str, Param]) -> list[Provenance]:
    acc, f = ctx.acc, ctx.factors
    prov = [Provenance("hardware", acc.name, "", Status.INPUT, f"catalogue row '{acc.name}'"),
            *run.provenance]
    if bool(run.spec.measured[0]):
        prov.append(Provenance("energy_kwh", float(run.spec.measured_energy_kwh[0]), "kWh",
                               Status.MEASURED,
                               "measured (replaces the modelled energy in the use stage)"))
    prov += [
        Provenance("tdp_w", acc.tdp_w, "W", Status.CATALOGUE, acc.sources.get("tdp", "")),
        Provenance("die_area_mm2", acc.die_area_mm2, "mm2",
                   Status.IMPUTED if acc.die_area_imputed else Status.CATALOGUE,
                   acc.sources.get("die_area", "")),
        Provenance("memory_gb", acc.memory_gb, "GB", Status.CATALOGUE,
                   acc.sources.get("memory", "")),
        Provenance("location", f.zone, "", Status.INPUT if ctx.country_given
                   else Status.DEFAULT, f.source),
        *_server_provenance(ctx, params),
    ]
    for c in CRITERIA:
        fallback = c in f.fallbacks
        prov.append(Provenance(f"grid_{c}", f.get(c), f"{UNITS[c]}/kWh",
                               Status.IMPUTED if fallback else Status.PROVIDER,
                               f.source + (" (world average)" if fallback else "")))
    prov += [Provenance(name, par.value, par.unit, par.status, par.source)
             for name, par in params.items()]
    return prov


def _server_provenance(ctx: _Context, params: Mapping[str, Param]) -> list[Provenance]:
    """Which host server the run uses, where its components come from, and its CPU and RAM
    power per accelerator at the point values (W)."""
    srv = ctx.server or default_server(ctx.acc)
    how = ("user" if ctx.server is not None else
           f"default platform of {ctx.acc.name} (servers.default_server_id)")
    status = Status.INPUT if ctx.server is not None else Status.DEFAULT
    watts = float(np.asarray(host_power_w(srv, point_values(params)))) / srv.accelerators
    return [Provenance("server", srv.name, "", status,
                       f"{how}; {srv.accelerators} accelerators per server; {srv.source}"),
            Provenance("host_server_power_w", watts, "W", status,
                       f"server {srv.name}: CPU TDP × host_cpu_usage + RAM GB × "
                       f"host_ram_w_per_gb, per accelerator ({srv.accelerators})")]


def _server_notes(ctx: _Context) -> list[Note]:
    srv = ctx.server
    if srv is None or not ctx.preset.boundary.host_production:
        return []
    out = []
    if srv.imputed:
        out.append(note("server.imputed", server=srv.name, fields="; ".join(srv.imputed)))
    if srv.ignored:
        out.append(note("server.fields_ignored", server=srv.name,
                        fields=", ".join(srv.ignored)))
    return out


def _notes(ctx: _Context, run: Described, result: Assessment,
           cm: Mapping[str, Any] | None = None) -> list[Note]:
    b = ctx.preset.boundary
    out = [note("boundary", boundary=b.describe())]
    if ctx.hardware_note:
        out.append(note("hardware.generic", text=ctx.hardware_note))
    if b.accelerator_production:
        if not b.production_water:
            out.append(note("water.preset_not_covered"))
        elif math.isnan(float(result.point.card["wu"][0])):
            out.append(note("water.wafer_scale_not_covered"))
        else:
            out.append(note("water.card_model"))
    if b.host_production:
        out.append(note("water.host_not_covered"))
    out += _server_notes(ctx)
    if ctx.acc.die_area_imputed:
        out.append(note("die_area.imputed", hardware=ctx.acc.name,
                        source=ctx.acc.sources.get("die_area", "")))
    if ctx.factors.requested:
        out.append(note("grid.default_zone", requested=ctx.factors.requested,
                        zone=ctx.factors.zone, source=ctx.provider.source))
    elif ctx.factors.fallbacks:
        out.append(note("grid.world_fallback", zone=ctx.factors.zone,
                        criteria=", ".join(ctx.factors.fallbacks)))
    if bool(run.spec.measured[0]):
        out.append(note("energy.measured"))
    if ctx.factors.zone == "WOR":
        out += [note("location.world"), note("location.world_caution")]
    out += _run_notes(ctx, run)
    out += _model_notes(ctx, result, cm or {})
    out += _interval_notes(result)
    return out


def _run_notes(ctx: _Context, run: Described) -> list[Note]:
    """Doubtful run descriptions: longer than the hardware's life; a peak by fallback."""
    out: list[Note] = []
    given = {p.name: p for p in run.provenance}
    life = (ctx.params["lifetime_years"].value * 8760.0 * ctx.params["use_ratio"].value)
    hours = given.get("hours")
    if hours is not None and isinstance(hours.value, float) and hours.value > life:
        out.append(note("allocation.exceeds_lifetime", hours=hours.value, life=life))
    for p in run.provenance:
        if p.name.startswith("peak_flops_") and p.status == Status.IMPUTED:
            out.append(note("peak.fallback", hardware=ctx.acc.name,
                            precision=p.name.removeprefix("peak_flops_"), peak=p.value))
    return out


def _model_notes(ctx: _Context, result: Assessment, cm: Mapping[str, Any]) -> list[Note]:
    """Notes of the card models, memory density, power by class, on-site water, development."""
    from trainlca import power
    from trainlca.params import PROVIDER_CLASSES

    acc, b, pr = ctx.acc, ctx.preset.boundary, result.params
    out: list[Note] = []
    if b.accelerator_production and cm:
        out += _card_model_notes(cm, b)
        if card_models.memory_key(acc.memory_type) is None and acc.memory_gb > 0:
            out.append(note("memory.density_unknown", memory_type=acc.memory_type,
                            hardware=acc.name, rho=f"{pr['rho'].value:g}"))
    measured = power.measured_power_w(acc)
    if float(pr["use_measured_power"].value) >= 0.5 and math.isfinite(measured):
        out.append(note("power.measured", hardware=acc.name, watts=f"{measured:g}"))
    if b.onsite_water:
        cls = PROVIDER_CLASSES[int(pr["provider_class"].value)]
        out.append(note("water.onsite", wue=f"{pr[f'wue_{cls}'].value:g}", provider=cls))
    else:
        out.append(note("water.onsite_not_covered"))
    if float(pr["development_factor"].value) != 1.0:
        out.append(note("development.factor", factor=f"{pr['development_factor'].value:g}"))
    return out


def _card_model_notes(cm: Mapping[str, Any], b: Boundary) -> list[Note]:
    out: list[Note] = []
    model = str(cm["point_model"])
    shares = cm.get("draw_shares")
    if shares and sum(1 for v in shares.values() if v > 0) > 1:
        text = ", ".join(f"{k} {100 * v:.0f} %" for k, v in shares.items())
        st = cm["structural_share"].get("gwp")
        out.append(note("card_model.mixture", model=model, shares=text,
                        structural="n/a" if st is None else f"{100 * st:.0f} %"))
    done = [c for c in cm["completed"].get(model, []) if c != "wu" or b.production_water]
    if done:
        out.append(note("card_model.completed", criteria=", ".join(done), model=model))
    return out


def _interval_notes(result: Assessment) -> list[Note]:
    """Say so when the preset leaves the interval zero-width or narrower than the default's."""
    if result.samples is None:
        return []
    if not result.samples.uncertain:
        return [note("interval.zero_width", preset=result.preset.name,
                     draws=result.samples.draws)]
    pinned = [name for name, par in result.params.items() if par.status == Status.PRESET
              and not par.source.startswith("follows ")]  # family members: named by the head
    if pinned:
        return [note("interval.partial", preset=result.preset.name, pinned=", ".join(pinned))]
    return []
