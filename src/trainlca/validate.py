"""Our estimates against published training footprints, boundary by boundary (METHOD §9-10).

Each row of ``reference/footprints.csv`` is a published figure with its boundary (the preset that
reproduces it), its inputs (hardware, accelerator-hours, power per chip, PUE, grid factor,
location) and a tolerance with its reason. Two comparisons:

- ``as-reported``: the report's own PUE, grid carbon intensity and power per chip (where the
  report used a system power per chip, e.g. Patterson et al.'s "average system power per chip",
  it becomes ``power_fraction = W / TDP``), through a one-zone grid built from the row;
- ``our-grid``: the preset's own defaults (PUE, power at TDP) and our grid factors for the row's
  location (the default grid provider).

All numbers come from :func:`trainlca.api.estimate`; nothing here re-implements the model.

MLCA's own published results are recomputed from their inputs by :mod:`trainlca.validate_mlca`
(``validate --mlca DIR``; :func:`validate_mlca`, :func:`mlca_table`).

``reference/card_references.csv`` holds published per-card production figures (NVIDIA's H100
PCF, MLCA's A100 80 GB, BoaviztAPI 2.5.0's own GPU results, EcoLogits constants);
:func:`validate_cards` compares them with our card production under the ``default`` preset (its
point model), the ``mlca`` preset, and each card model alone (``model:boavizta``,
``model:published``: the default preset with ``card_model`` pinned).
"""

from __future__ import annotations

import csv
import hashlib
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from trainlca.api import Estimate, estimate
from trainlca.catalog import load_catalog
from trainlca.cells import parse_number
from trainlca.criteria import CRITERIA, UNITS
from trainlca.errors import DataFileError, ParameterError
from trainlca.grid import GridFactors, GridProvider, load_grid
from trainlca.validate_mlca import MlcaValidation, validate_mlca
from trainlca.validate_mlca import format_table as mlca_table

__all__ = [
    "CARDS_PATH",
    "CARD_PRESETS",
    "FOOTPRINTS_PATH",
    "MODES",
    "OUR_GRID_TOLERANCE",
    "CardCheck",
    "CardReference",
    "Comparison",
    "MlcaValidation",
    "Reference",
    "Summary",
    "Validation",
    "load_card_references",
    "load_references",
    "mlca_table",
    "validate",
    "validate_cards",
    "validate_mlca",
]

Mode = Literal["as-reported", "our-grid"]
MODES: Final[tuple[Mode, ...]] = ("as-reported", "our-grid")

_DIR = Path(__file__).with_name("reference")
FOOTPRINTS_PATH: Final[Path] = _DIR / "footprints.csv"
CARDS_PATH: Final[Path] = _DIR / "card_references.csv"

#: Tolerance of the ``our-grid`` comparison: the grid factor and PUE are ours, not the report's.
OUR_GRID_TOLERANCE: Final[float] = 0.35

#: What the per-card references are compared with: a preset (its point card model), or
#: ``model:<name>`` = the default preset with one card model pinned (``card_models.MODELS``).
CARD_PRESETS: Final[tuple[str, ...]] = ("default", "mlca", "model:boavizta", "model:published")

#: Reported quantities: CSV column → (criterion label, unit, scale from our unit).
QUANTITIES: Final[Mapping[str, tuple[str, str, float]]] = {
    "reported_energy_mwh": ("energy", "MWh", 1e-3),
    "reported_tco2eq": ("gwp", "tCO2eq", 1e-3),
    "reported_embodied_tco2eq": ("gwp_embodied", "tCO2eq", 1e-3),
}

_FOOTPRINT_COLUMNS: Final[tuple[str, ...]] = (
    "id", "model", "preset", "hardware", "hardware_count", "accelerator_hours",
    "power_per_accelerator_w", "pue", "carbon_intensity_kgco2e_per_kwh", "location",
    *QUANTITIES, "figure_scope", "source", "source_url", "verification", "verified",
    "tolerance", "tolerance_note", "our_grid_note", "notes",
)
_CARD_COLUMNS: Final[tuple[str, ...]] = (
    "id", "item", "hardware", "criterion", "value", "unit", "scope", "source", "source_url",
    "verification", "tolerance", "tolerance_preset", "notes",
)


# --------------------------------------------------------------------------- reference rows


@dataclass(frozen=True)
class Reference:
    """One published training footprint (a row of ``footprints.csv``).

    Attributes:
        accelerator_hours: chips × wall-clock hours, h.
        power_per_accelerator_w: the report's power per chip, W (None: the preset's).
        pue: the report's PUE (None: the preset's).
        carbon_intensity: the report's grid factor, kgCO2eq/kWh.
        location: ISO-3 code of the training location.
        reported: criterion label (``energy``, ``gwp``, ``gwp_embodied``) → reported value in
            ``units[label]`` (MWh, tCO2eq).
        verified: every pinned value was checked against the cited source.
        tolerance: relative tolerance of the as-reported comparison (0.15 = ±15 %).
    """

    id: str
    model: str
    preset: str
    hardware: str
    hardware_count: float | None
    accelerator_hours: float
    power_per_accelerator_w: float | None
    pue: float | None
    carbon_intensity: float | None
    location: str
    reported: Mapping[str, float]
    units: Mapping[str, str]
    figure_scope: str
    source: str
    source_url: str
    verification: str
    verified: bool
    tolerance: float
    tolerance_note: str
    our_grid_note: str
    notes: str


def _read_csv(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise DataFileError(f"reference table not found: {path}")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataFileError(f"{path}: missing columns {', '.join(missing)}")
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
                for row in reader]


def _number(row: Mapping[str, str], col: str, where: str, *, required: bool = False,
            positive: bool = True) -> float | None:
    return parse_number(row.get(col, ""), f"{where}: column '{col}'", required=required,
                        positive=positive)


def _bool(text: str, where: str) -> bool:
    low = text.lower()
    if low in {"true", "yes", "1"}:
        return True
    if low in {"false", "no", "0", ""}:
        return False
    raise DataFileError(f"{where}: 'verified' must be true or false, got {text!r}")


def load_references(path: str | Path | None = None) -> list[Reference]:
    """Rows of the reference table (default: the packaged ``footprints.csv``)."""
    p = Path(path) if path is not None else FOOTPRINTS_PATH
    out: list[Reference] = []
    seen: set[str] = set()
    for line, row in _read_csv(p, _FOOTPRINT_COLUMNS):
        where = f"{p}: line {line}"
        rid = row["id"]
        if not rid or rid in seen:
            raise DataFileError(f"{where}: empty or duplicate id {rid!r}")
        seen.add(rid)
        reported: dict[str, float] = {}
        units: dict[str, str] = {}
        for col, (label, unit, _) in QUANTITIES.items():
            v = _number(row, col, where)
            if v is not None:
                reported[label] = v
                units[label] = unit
        if not reported:
            raise DataFileError(f"{where}: no reported value ({', '.join(QUANTITIES)})")
        hours = _number(row, "accelerator_hours", where, required=True)
        tol = _number(row, "tolerance", where, required=True)
        assert hours is not None and tol is not None
        out.append(Reference(
            id=rid, model=row["model"], preset=row["preset"], hardware=row["hardware"],
            hardware_count=_number(row, "hardware_count", where),
            accelerator_hours=hours,
            power_per_accelerator_w=_number(row, "power_per_accelerator_w", where),
            pue=_number(row, "pue", where),
            carbon_intensity=_number(row, "carbon_intensity_kgco2e_per_kwh", where),
            location=row["location"] or "WOR",
            reported=reported, units=units, figure_scope=row["figure_scope"],
            source=row["source"], source_url=row["source_url"],
            verification=row["verification"], verified=_bool(row["verified"], where),
            tolerance=tol, tolerance_note=row["tolerance_note"],
            our_grid_note=row["our_grid_note"], notes=row["notes"],
        ))
    if not out:
        raise DataFileError(f"{p}: no reference rows")
    return out


# --------------------------------------------------------------------------- comparisons


@dataclass(frozen=True)
class Comparison:
    """One reported figure against our estimate."""

    reference: Reference
    mode: Mode
    criterion: str
    unit: str
    reported: float
    estimated: float
    tolerance: float
    #: Parameters we set from the report (as-reported) or took from the preset (our-grid).
    inputs: Mapping[str, float | str] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """Estimated / reported."""
        return self.estimated / self.reported

    @property
    def log10_error(self) -> float:
        return abs(math.log10(self.ratio))

    @property
    def within(self) -> bool:
        """|ratio − 1| ≤ tolerance."""
        return abs(self.ratio - 1.0) <= self.tolerance + 1e-12

    @property
    def note(self) -> str:
        if self.mode == "our-grid":
            return self.reference.our_grid_note
        return self.reference.tolerance_note

    def to_dict(self) -> dict[str, Any]:
        r = self.reference
        return {
            "id": r.id, "model": r.model, "preset": r.preset, "hardware": r.hardware,
            "location": r.location, "criterion": self.criterion, "unit": self.unit,
            "reported": self.reported, "estimated": self.estimated, "ratio": self.ratio,
            "tolerance": self.tolerance, "within_tolerance": self.within,
            "verified": r.verified, "inputs": dict(self.inputs), "note": self.note,
            "source": r.source, "source_url": r.source_url, "verification": r.verification,
        }


@dataclass(frozen=True)
class Summary:
    """Agreement over a set of comparisons."""

    count: int
    within: int
    median_abs_log10: float
    worst: Comparison | None

    @property
    def factor(self) -> float:
        """The median error as a multiplicative factor (10 ** median |log10 error|)."""
        return float(10 ** self.median_abs_log10)

    def line(self, label: str) -> str:
        if self.worst is None:
            return f"{label}: no comparisons"
        w = self.worst
        return (
            f"{label}: {self.within}/{self.count} within tolerance; median |log10 error| "
            f"{self.median_abs_log10:.4f} (a factor {self.factor:.4f}); worst {w.reference.model} "
            f"{w.criterion} ratio {w.ratio:.3f}"
        )

    def to_dict(self) -> dict[str, Any]:
        w = self.worst
        return {
            "comparisons": self.count, "within_tolerance": self.within,
            "median_abs_log10_error": self.median_abs_log10, "median_factor": self.factor,
            "worst": None if w is None else {
                "id": w.reference.id, "model": w.reference.model, "criterion": w.criterion,
                "ratio": w.ratio,
            },
        }


def summarise(comparisons: Sequence[Comparison]) -> Summary:
    """Count within tolerance, median absolute log10 error and the worst comparison."""
    if not comparisons:
        return Summary(0, 0, math.nan, None)
    errs = [c.log10_error for c in comparisons]
    worst = max(comparisons, key=lambda c: c.log10_error)
    return Summary(len(comparisons), sum(c.within for c in comparisons),
                   float(statistics.median(errs)), worst)


@dataclass(frozen=True)
class Validation:
    """Comparisons of one mode, with the data versions behind them."""

    mode: Mode
    comparisons: list[Comparison]
    data_versions: Mapping[str, str]

    @property
    def verified(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.reference.verified]

    def summary(self, verified_only: bool = True) -> Summary:
        return summarise(self.verified if verified_only else self.comparisons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "summary_verified": self.summary(True).to_dict(),
            "summary_all": self.summary(False).to_dict(),
            "rows": [c.to_dict() for c in self.comparisons],
        }


def _reported_grid(ref: Reference, ours: GridProvider) -> GridProvider:
    """A one-zone provider with the report's carbon intensity (other criteria: ours, flagged)."""
    assert ref.carbon_intensity is not None
    base = ours.get(ref.location)
    factors = GridFactors(
        zone=base.zone, name=base.name, gwp=ref.carbon_intensity, adpe=base.adpe, pe=base.pe,
        wu=base.wu, source=f"reported by {ref.source}",
        fallbacks=tuple(c for c in CRITERIA if c != "gwp"),
    )
    return GridProvider("reported", ref.id, [factors], f"reported grid factor of {ref.id}")


def _run(ref: Reference, mode: Mode, ours: GridProvider) -> tuple[Estimate, dict[str, float | str]]:
    overrides: dict[str, float] = {}
    inputs: dict[str, float | str] = {}
    if mode == "as-reported":
        if ref.carbon_intensity is None:
            raise DataFileError(f"reference {ref.id}: no carbon intensity for --as-reported")
        grid: GridProvider = _reported_grid(ref, ours)
        if ref.pue is not None:
            overrides["pue"] = ref.pue
        if ref.power_per_accelerator_w is not None:
            tdp = load_catalog().get(ref.hardware).tdp_w
            overrides["power_fraction"] = ref.power_per_accelerator_w / tdp
            inputs["power_per_accelerator_w"] = ref.power_per_accelerator_w
        inputs["carbon_intensity_kgco2e_per_kwh"] = ref.carbon_intensity
    else:
        grid = ours
    e = estimate(ref.hardware, accelerator_hours=ref.accelerator_hours, country=ref.location,
                 preset=ref.preset, overrides=overrides, draws=0, grid=grid)
    params = e.preset.params(overrides)
    inputs["pue"] = float(params["pue"].value)
    inputs["power_fraction"] = float(params["power_fraction"].value)
    inputs["grid_gwp_kgco2e_per_kwh"] = e.grid.gwp
    inputs["grid"] = e.grid.source
    return e, inputs


def _value(e: Estimate, label: str) -> float:
    if label == "energy":
        return e.energy_kwh
    if label == "gwp":
        return e.impacts["gwp"]["total"]
    if label == "gwp_embodied":
        return e.impacts["gwp"]["production"]
    raise AssertionError(label)


def _data_versions(mode: Mode, ours: GridProvider, path: Path) -> dict[str, str]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    grid = f"{ours.name} {ours.version}"
    return {
        "catalogue": load_catalog().version,
        "grid": (grid if mode == "our-grid" else
                 f"each row's reported carbon intensity (one-zone provider); other criteria "
                 f"from {grid}"),
        "grid_provider": ours.name,
        "grid_version": ours.version,
        "references": f"{path.name} sha256:{digest}",
    }


def validate(mode: Mode = "as-reported", *, path: str | Path | None = None,
             grid: str | GridProvider | None = None) -> Validation:
    """Compare every reference row with our estimate, as reported or with our grid factors."""
    if mode not in MODES:
        raise ParameterError(f"unknown validation mode '{mode}'; choose one of {', '.join(MODES)}")
    p = Path(path) if path is not None else FOOTPRINTS_PATH
    ours = grid if isinstance(grid, GridProvider) else load_grid(grid)
    comparisons: list[Comparison] = []
    for ref in load_references(p):
        e, inputs = _run(ref, mode, ours)
        tol = ref.tolerance if mode == "as-reported" else OUR_GRID_TOLERANCE
        for label, reported in ref.reported.items():
            scale = next(s for lab, _, s in QUANTITIES.values() if lab == label)
            comparisons.append(Comparison(
                reference=ref, mode=mode, criterion=label, unit=ref.units[label],
                reported=reported, estimated=_value(e, label) * scale, tolerance=tol,
                inputs=inputs,
            ))
    return Validation(mode, comparisons, _data_versions(mode, ours, p))


# --------------------------------------------------------------------------- per-card check


@dataclass(frozen=True)
class CardReference:
    """A published production figure of one accelerator card."""

    id: str
    item: str
    hardware: str
    criterion: str
    value: float
    unit: str
    scope: str
    source: str
    source_url: str
    verification: str
    tolerance: float | None
    #: The preset the tolerance applies to (the figure's own method); other presets are shown.
    tolerance_preset: str
    notes: str


@dataclass(frozen=True)
class CardCheck:
    """Our card model (one preset) against one published per-card figure."""

    reference: CardReference
    preset: str
    estimated: float

    @property
    def ratio(self) -> float:
        return self.estimated / self.reference.value

    @property
    def within(self) -> bool | None:
        """None when the figure is not pinned for this preset (shown only)."""
        tol = self.reference.tolerance
        if tol is None or self.preset != self.reference.tolerance_preset:
            return None
        return abs(self.ratio - 1.0) <= tol

    def to_dict(self) -> dict[str, Any]:
        r = self.reference
        return {
            "id": r.id, "item": r.item, "hardware": r.hardware, "criterion": r.criterion,
            "unit": r.unit, "preset": self.preset, "reported": r.value,
            "estimated": self.estimated, "ratio": self.ratio,
            "tolerance": r.tolerance if self.preset == r.tolerance_preset else None,
            "within_tolerance": self.within, "scope": r.scope, "source": r.source,
            "source_url": r.source_url, "verification": r.verification, "notes": r.notes,
        }


def load_card_references(path: str | Path | None = None) -> list[CardReference]:
    """Rows of ``card_references.csv``."""
    p = Path(path) if path is not None else CARDS_PATH
    out: list[CardReference] = []
    for line, row in _read_csv(p, _CARD_COLUMNS):
        where = f"{p}: line {line}"
        if row["criterion"] not in CRITERIA:
            raise DataFileError(f"{where}: unknown criterion {row['criterion']!r}")
        value = _number(row, "value", where, required=True)
        assert value is not None
        out.append(CardReference(
            id=row["id"], item=row["item"], hardware=row["hardware"],
            criterion=row["criterion"], value=value, unit=row["unit"], scope=row["scope"],
            source=row["source"], source_url=row["source_url"],
            verification=row["verification"], tolerance=_number(row, "tolerance", where),
            tolerance_preset=row["tolerance_preset"], notes=row["notes"],
        ))
    if not out:
        raise DataFileError(f"{p}: no card references")
    return out


def validate_cards(presets: Sequence[str] = CARD_PRESETS, *,
                   path: str | Path | None = None) -> list[CardCheck]:
    """Our per-card production impact (``Estimate.card``) for each reference and preset."""
    refs = load_card_references(path)
    cache: dict[tuple[str, str], Mapping[str, float]] = {}
    out: list[CardCheck] = []
    for ref in refs:
        for preset in presets:
            key = (ref.hardware, preset)
            if key not in cache:
                base, overrides = _card_check(preset)
                cache[key] = estimate(ref.hardware, accelerator_hours=1.0, preset=base,
                                      overrides=overrides, draws=0).card
            out.append(CardCheck(ref, preset, float(cache[key][ref.criterion])))
    return out


def _card_check(label: str) -> tuple[str, dict[str, float]]:
    """(preset, overrides) of a ``CARD_PRESETS`` label."""
    from trainlca.card_models import MODELS

    if not label.startswith("model:"):
        return label, {}
    name = label.removeprefix("model:")
    if name not in MODELS:
        raise ParameterError(f"unknown card model '{name}'; choose one of {', '.join(MODELS)}")
    return "default", {"card_model": float(MODELS.index(name))}


def card_data_versions(path: str | Path | None = None) -> dict[str, str]:
    p = Path(path) if path is not None else CARDS_PATH
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:12]
    return {"catalogue": load_catalog().version, "references": f"{p.name} sha256:{digest}",
            "units": ", ".join(f"{c} {UNITS[c]}" for c in CRITERIA)}
