"""Read a CodeCarbon ``emissions.csv`` into one measured run (energy, duration, GPUs, country).

CodeCarbon (https://github.com/mlco2/codecarbon) appends one row per tracked run to
``emissions.csv`` (``EmissionsData``: ``timestamp, project_name, run_id, experiment_id, duration``
(s), ``emissions`` (kg), ``emissions_rate, cpu_power, gpu_power, ram_power, cpu_energy,
gpu_energy, ram_energy, energy_consumed`` (kWh), ``country_name, country_iso_code, region,
cloud_provider, cloud_region, os, python_version, codecarbon_version, cpu_count, cpu_model,
gpu_count, gpu_model, longitude, latitude, ram_total_size, tracking_mode, on_cloud, pue``; newer
versions add ``water_consumed`` and utilisation columns). Columns are read by name.

A training run spread over several processes (ranks, nodes, restarts) gives several rows; the
whole run is their sum:

- energy ``E = Σ energy_consumed`` (kWh), as measured: CPU + GPU + RAM of the tracked machines,
  times CodeCarbon's own ``pue`` where the user set one. trainlca's PUE is not applied on top.
- accelerator-hours ``H = Σ n_i · duration_i / 3600`` with ``n_i`` the row's ``gpu_count`` (or
  ``count`` when given: the accelerators tracked by *each* row).
- location: ``country_iso_code`` when every row agrees (CodeCarbon writes ISO-3 codes), else the
  caller must name it.

Only the standard library is used (``csv``): reading a small file needs no pandas.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from trainlca.errors import DataFileError, ParameterError

if TYPE_CHECKING:
    from trainlca.api import Estimate

#: Columns without which a CodeCarbon file cannot describe a run.
REQUIRED: Final[tuple[str, ...]] = ("duration", "energy_consumed")
#: Columns used when present.
OPTIONAL: Final[tuple[str, ...]] = ("gpu_count", "gpu_model", "country_iso_code", "country_name",
                                    "pue", "run_id", "codecarbon_version", "emissions")


@dataclass(frozen=True)
class CodeCarbonRun:
    """A whole training run summed over the rows of a CodeCarbon file.

    Attributes:
        path: the file read.
        rows: number of rows (tracked processes or runs) summed.
        energy_kwh: Σ energy_consumed, kWh.
        duration_h: Σ duration, hours (sum over rows, not wall-clock when rows ran in parallel).
        accelerator_hours: Σ accelerators × duration, h.
        gpu_count: accelerators per row when they agree (informative), else None.
        countries: the distinct ``country_iso_code`` values of the rows (ISO-3).
        gpu_model: CodeCarbon's GPU model string(s), for display.
        pue: CodeCarbon's PUE when all rows agree (1 = none applied), else None.
        emissions_kg: CodeCarbon's own CO2 figure (for comparison), kg.
        codecarbon_version: version(s) that wrote the file.
    """

    path: Path
    rows: int
    energy_kwh: float
    duration_h: float
    accelerator_hours: float
    gpu_count: float | None
    countries: tuple[str, ...]
    gpu_model: str
    pue: float | None
    emissions_kg: float | None
    codecarbon_version: str

    @property
    def country(self) -> str | None:
        """The ISO-3 code shared by all rows, or None (none given, or several)."""
        return self.countries[0] if len(self.countries) == 1 else None

    @property
    def source(self) -> str:
        version = f" {self.codecarbon_version}" if self.codecarbon_version else ""
        return f"CodeCarbon{version} {self.path.name} ({self.rows} row{'s' * (self.rows != 1)})"


def _number(value: str | None, column: str, line: int, path: Path) -> float | None:
    """A float from a CSV cell; None when empty; error when not a finite number ≥ 0."""
    if value is None or value.strip() == "" or value.strip().lower() in ("nan", "none"):
        return None
    try:
        x = float(value)
    except ValueError:
        raise DataFileError(
            f"{path}: line {line}: column {column} is not a number: {value!r}"
        ) from None
    if not math.isfinite(x) or x < 0:
        raise DataFileError(f"{path}: line {line}: column {column} must be ≥ 0, got {value!r}")
    return x


def _distinct(values: list[str]) -> list[str]:
    return sorted({v.strip() for v in values if v and v.strip()})


def read_codecarbon(path: str | Path, *, count: float | None = None) -> CodeCarbonRun:
    """Sum a CodeCarbon ``emissions.csv`` into one run.

    Args:
        path: the CSV written by CodeCarbon.
        count: accelerators tracked by each row; default: the row's ``gpu_count``.

    Raises:
        DataFileError: unreadable file, missing columns (all named), no rows, bad numbers, or no
            accelerator count (neither ``gpu_count`` nor ``count``).
    """
    p = Path(path)
    if count is not None and (not math.isfinite(count) or count <= 0):
        raise ParameterError(f"--count {count:g}: must be > 0")
    try:
        with p.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            rows = list(reader)
    except FileNotFoundError:
        raise DataFileError(f"{p}: no such CodeCarbon file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataFileError(f"{p}: cannot read the CodeCarbon file: {exc}") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataFileError(
            f"{p}: not a CodeCarbon emissions.csv: missing column(s) {', '.join(missing)}"
        )
    if not rows:
        raise DataFileError(f"{p}: CodeCarbon file has no rows")

    energy = duration = acc_hours = 0.0
    counts: list[float] = []
    for i, row in enumerate(rows, start=2):
        e = _number(row.get("energy_consumed"), "energy_consumed", i, p)
        d = _number(row.get("duration"), "duration", i, p)
        if e is None or d is None:
            raise DataFileError(f"{p}: line {i}: empty energy_consumed or duration")
        n = count if count is not None else _number(row.get("gpu_count"), "gpu_count", i, p)
        if not n:
            what = ("has no gpu_count column" if "gpu_count" not in header
                    else f"line {i}: gpu_count is empty or 0")
            raise DataFileError(f"{p}: {what}; give --count (accelerators per row)")
        energy += e
        duration += d / 3600.0
        acc_hours += n * d / 3600.0
        counts.append(n)
    if energy <= 0 or acc_hours <= 0:
        raise DataFileError(f"{p}: total energy_consumed and duration must be > 0")

    countries = [c.upper() for c in _distinct([r.get("country_iso_code") or "" for r in rows])]
    pues = {_number(r.get("pue"), "pue", i, p) for i, r in enumerate(rows, start=2)}
    pues.discard(None)
    emissions = [_number(r.get("emissions"), "emissions", i, p)
                 for i, r in enumerate(rows, start=2)]
    return CodeCarbonRun(
        path=p,
        rows=len(rows),
        energy_kwh=energy,
        duration_h=duration,
        accelerator_hours=acc_hours,
        gpu_count=counts[0] if len(set(counts)) == 1 else None,
        countries=tuple(countries),
        gpu_model=", ".join(_distinct([r.get("gpu_model") or "" for r in rows])),
        pue=pues.pop() if len(pues) == 1 else None,
        emissions_kg=(sum(x for x in emissions if x is not None)
                      if any(x is not None for x in emissions) else None),
        codecarbon_version=", ".join(_distinct([r.get("codecarbon_version") or ""
                                                for r in rows])),
    )


def location_of(run: CodeCarbonRun, country: str | None) -> str:
    """The country to use: the caller's; else the file's single ``country_iso_code``; else the
    world average ``WOR`` when the file names none. Rows naming several countries need the
    caller to choose (one grid per estimate)."""
    if country:
        return country
    if len(run.countries) > 1:
        raise ParameterError(
            f"{run.path}: rows name several countries ({', '.join(run.countries)}); "
            "give --country"
        )
    return run.country or "WOR"


def estimate_from_codecarbon(path: str | Path, hardware: str, *, count: float | None = None,
                             country: str | None = None, **kwargs: Any) -> Estimate:
    """Impacts of a run measured by CodeCarbon: production share from the run's
    accelerator-hours, use stage from the measured energy × grid factors (all criteria).

    Args:
        path: CodeCarbon ``emissions.csv``.
        hardware: accelerator name (the catalogue's; CodeCarbon's ``gpu_model`` is shown only).
        count: accelerators tracked by each row (default: ``gpu_count``).
        country: training location (default: the file's ``country_iso_code``, else WOR).
        **kwargs: passed to :func:`trainlca.api.estimate` (preset, overrides, draws, seed,
            grid, with_sensitivity).
    """
    from dataclasses import replace

    from trainlca.api import estimate
    from trainlca.notes import custom
    from trainlca.provenance import Provenance, Status

    run = read_codecarbon(path, count=count)
    zone = location_of(run, country)
    e = estimate(hardware, accelerator_hours=run.accelerator_hours, country=zone,
                 measured_energy_kwh=run.energy_kwh, **kwargs)
    per_row = f"--count {count:g}" if count is not None else "gpu_count"
    swap = {
        "accelerator_hours": Provenance(
            "accelerator_hours", run.accelerator_hours, "h", Status.MEASURED,
            f"{run.source}: Σ {per_row} × duration / 3600"),
        "energy_kwh": Provenance(
            "energy_kwh", run.energy_kwh, "kWh", Status.MEASURED,
            f"{run.source}: Σ energy_consumed (measured; replaces the modelled energy)"),
    }
    prov = [swap.get(p.name, p) for p in e.provenance]
    if country is None and run.country:
        prov = [Provenance(p.name, p.value, p.unit, Status.MEASURED,
                           f"{run.source}: country_iso_code")
                if p.name == "location" else p for p in prov]
    notes = list(e.notes)
    pue = "" if run.pue is None else f" (CodeCarbon pue = {run.pue:g})"
    notes.append(custom("codecarbon.rows_summed",
                        f"CodeCarbon: {run.rows} row(s) summed, {run.energy_kwh:.6g} kWh "
                        f"measured (CPU + GPU + RAM of the tracked machines{pue}; trainlca's "
                        f"PUE not applied), {run.accelerator_hours:.6g} accelerator-hours"))
    if run.emissions_kg is not None:
        notes.append(custom("codecarbon.own_figure",
                            f"CodeCarbon's own figure: {run.emissions_kg:.6g} kgCO2eq "
                            "(use only, its grid factors)"))
    if run.gpu_model:
        notes.append(custom("codecarbon.gpu_model",
                            f"CodeCarbon saw GPU model(s): {run.gpu_model}"))
    return replace(e, provenance=prov, notes=notes)
