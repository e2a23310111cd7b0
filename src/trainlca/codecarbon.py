"""Impacts of a run measured by CodeCarbon: the reader is :mod:`trainlca.inputs.codecarbon`;
this module turns its records into one estimate (and keeps ``trainlca.codecarbon`` importable).

One run = the sum of its machines: accelerator-hours ``H = Σ count × wall-clock`` give the
production share; the measured energy ``E = Σ energy_consumed`` replaces the modelled
electricity of the use stage (use = E × grid factor, per criterion and draw). CodeCarbon's own
CO2 figure is shown beside ours: it differs by the grid factor (CodeCarbon's energy-mix data
against trainlca's grid provider).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainlca.catalog import Accelerator, Catalog, load_catalog
from trainlca.errors import ParameterError
from trainlca.inputs.codecarbon import REQUIRED, read_codecarbon
from trainlca.inputs.records import RunSet, check_plausible, resolve_hardware
from trainlca.notes import Note, custom
from trainlca.provenance import Provenance, Status

if TYPE_CHECKING:
    from trainlca.api import Estimate

__all__ = ["REQUIRED", "estimate_from_codecarbon", "estimate_measured", "read_codecarbon"]


def _chip(runs: RunSet, hardware: str | None, catalog: Catalog) -> tuple[Accelerator, list[Note]]:
    """The one chip of all records (the given one, else the files')."""
    chips: dict[str, Accelerator] = {}
    notes: list[Note] = []
    for r in runs.records:
        acc, ns = resolve_hardware(r.hardware, hardware, catalog, where=r.label)
        chips[acc.name] = acc
        notes += [n for n in ns if n not in notes]
    if len(chips) > 1:
        raise ParameterError(f"the machines name several accelerators ({', '.join(chips)}); "
                             "give the hardware (-H NAME), or estimate them as separate runs")
    return next(iter(chips.values())), notes


def _totals(runs: RunSet) -> tuple[float, float]:
    """(Σ accelerator-hours h, Σ measured kWh), or a one-line error naming what is missing."""
    for r in runs.records:
        if r.energy_kwh is None:
            raise ParameterError(f"{r.label}: no measured energy")
        if r.accelerator_hours is None:
            raise ParameterError(f"{r.label}: gpu_count is 0 or empty (no GPU seen); give the "
                                 "accelerator count per machine (--count N)")
    h, e = runs.accelerator_hours, runs.energy_kwh
    if not h or not e:
        raise ParameterError(f"{runs.file_names()}: total energy and accelerator-hours must "
                             "be > 0")
    return h, e


def _zone(runs: RunSet, country: str | None) -> tuple[str, bool]:
    """(country to use, whether it comes from the files)."""
    if country:
        return country, False
    if len(runs.countries) > 1:
        raise ParameterError(f"{runs.file_names()}: the runs name several countries "
                             f"({', '.join(runs.countries)}); give the country (--country)")
    return (runs.country, True) if runs.country else ("WOR", False)


def _own_figures(runs: RunSet, e: Estimate) -> list[Note]:
    """CodeCarbon's own CO2 and water figures beside trainlca's, with why they differ."""
    notes: list[Note] = []
    kwh = e.energy_kwh
    kg = runs.reported_emissions_kg
    if kg is not None and kwh > 0:
        ours = e.impacts["gwp"]["use"]
        notes.append(custom(
            "codecarbon.own_figure",
            f"CodeCarbon's own figure: {kg:.4g} kgCO2eq (use stage only, {kg / kwh * 1000:.4g} "
            f"gCO2/kWh from its energy-mix data); trainlca's use stage: {ours:.4g} kgCO2eq "
            f"({e.grid.get('gwp') * 1000:.4g} gCO2eq/kWh, {e.grid.source}): they differ by the "
            "grid factor's source"))
    water = runs.reported_water_l
    if water is not None:
        wues = {r.reported_wue for r in runs.records}
        wue = f"wue {wues.pop():g} L/kWh" if len(wues) == 1 and None not in wues else "its wue"
        notes.append(custom(
            "codecarbon.own_water",
            f"CodeCarbon's water_consumed: {water:.4g} L (energy × {wue}, on-site cooling); "
            f"trainlca's use-stage water: {e.impacts['wu']['use']:.4g} L (the grid's water "
            "factor, off-site)"))
    return notes


def _provenance(runs: RunSet, e: Estimate, acc: Accelerator, from_file: bool,
                country_from_file: bool) -> list[Provenance]:
    src = f"{runs.tool} {runs.file_names()}"
    machines = f"{len(runs.records)} machine(s)"
    swap: dict[str, Provenance] = {
        "accelerator_hours": Provenance(
            "accelerator_hours", e.accelerator_hours, "h", Status.MEASURED,
            f"{src}: Σ accelerators × wall-clock duration over {machines}"),
        "energy_kwh": Provenance(
            "energy_kwh", e.energy_kwh, "kWh", Status.MEASURED,
            f"{src}: Σ energy_consumed, last cumulative row per run, over {machines} "
            "(measured; replaces the modelled energy)"),
    }
    count = _count(runs)
    if count is not None:
        swap["count"] = Provenance("count", count, "accelerators", Status.MEASURED,
                                   f"{src}: Σ gpu_count over {machines}")
    if from_file:
        names = ", ".join(repr(h) for h in runs.hardware_names)
        swap["hardware"] = Provenance("hardware", acc.name, "", Status.MEASURED,
                                      f"{src}: gpu_model {names} → catalogue row '{acc.name}'")
    if country_from_file:
        loc = next(p for p in e.provenance if p.name == "location")
        swap["location"] = replace(loc, status=Status.MEASURED,
                                   source=f"{src}: country_iso_code")
    # no "hours": machines may run for different times, so accelerator-hours ÷ count is no
    # wall-clock duration of the run
    return [swap.get(p.name, p) for p in e.provenance if p.name != "hours"]


def _count(runs: RunSet) -> float | None:
    """Σ gpu_count over the machines, when every machine gives one."""
    counts = [r.count for r in runs.records]
    return sum(c for c in counts if c is not None) if counts and None not in counts else None


def estimate_measured(runs: RunSet, hardware: str | None = None, *,
                      country: str | None = None, catalog: Catalog | None = None,
                      **kwargs: Any) -> Estimate:
    """One estimate of the measured run made of ``runs``' records (its machines).

    Args:
        runs: the records of one run, as :func:`read_codecarbon` returns them.
        hardware: the accelerator; default: the files' ``gpu_model`` (a note says so, and
            another when a given name disagrees with the files').
        country: training location; default: the files' ``country_iso_code``, else WOR.
        catalog: the catalogue the names resolve in (default: trainlca's).
        **kwargs: passed to :func:`trainlca.api.estimate` (preset, overrides, draws, seed,
            grid, with_sensitivity, include_host).

    Raises:
        ParameterError: a machine without accelerator count or energy, several chips or
            countries among the machines.
        UnknownHardwareError: a chip the catalogue does not know.
    """
    from trainlca.api import estimate

    acc, hw_notes = _chip(runs, hardware, catalog or load_catalog())
    h, kwh = _totals(runs)
    zone, country_from_file = _zone(runs, country)
    e = estimate(acc.name, accelerator_hours=h, count=_count(runs), measured_energy_kwh=kwh,
                 country=zone, catalog=catalog, **kwargs)
    pues = {r.reported_pue for r in runs.records}
    pue = (f", CodeCarbon pue {pues.pop():g}" if len(pues) == 1 and None not in pues else "")
    notes = [*e.notes, custom(
        "codecarbon.measured",
        f"{runs.tool}: {len(runs.records)} machine(s), {kwh:.6g} kWh measured (CPU + GPU + "
        f"RAM of the tracked machines{pue}; trainlca's PUE not applied), {h:.6g} "
        "accelerator-hours")]
    for n in [*runs.all_notes(), *hw_notes,
              *(n for r in runs.records for n in check_plausible(r, acc.tdp_w)),
              *_own_figures(runs, e)]:
        if n not in notes:
            notes.append(n)
    prov = _provenance(runs, e, acc, from_file=not hardware, country_from_file=country_from_file)
    return replace(e, provenance=prov, notes=notes)


def estimate_from_codecarbon(paths: str | Path | Sequence[str | Path],
                             hardware: str | None = None, *, count: float | None = None,
                             country: str | None = None, same_machine: bool = False,
                             catalog: Catalog | None = None, **kwargs: Any) -> Estimate:
    """Impacts of a run measured by CodeCarbon, read from its files.

    Args:
        paths: ``emissions.csv`` file(s), folder(s) or ``-`` (standard input); separate files
            are separate machines (summed) unless ``same_machine``.
        hardware: accelerator name; default: the files' ``gpu_model``.
        count: accelerators per machine (default: the files' ``gpu_count``).
        country: training location (default: the files' ``country_iso_code``, else WOR).
        **kwargs: passed to :func:`trainlca.api.estimate`.
    """
    runs = read_codecarbon(paths, count=count, same_machine=same_machine)
    return estimate_measured(runs, hardware, country=country, catalog=catalog, **kwargs)
