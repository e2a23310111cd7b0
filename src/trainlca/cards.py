"""Production impacts of every catalogue accelerator, and their trend over release dates
(METHOD §1.1, §2, §7: "the card-production trend against release date").

One call of the card models (:func:`trainlca.card_models.card_result`, through
``run.hardware_production_models``) over arrays of all chips gives the per-card impacts of the
preset's point model and, with draws, of the mixture of models; each row names its point model,
gives the GWP of each of the three models (mlca, boavizta, published — NaN where the card has no
published figure) and the structural share of its spread (between models, 0-1). The host share
per accelerator (``host_production / accelerators`` of the chip's host archetype) is reported
beside it, not added. Card water (``wu``, litres) comes from the same model as the card's other
criteria (BoaviztAPI's water, or its water per kgCO2eq for the models that have none); it is NaN
("n/c") under presets whose source has no water (``mlca``, ``bloom``) and for wafer-scale chips;
host water is not covered. End of life is outside the boundary.

Trend: log10(card impact) against the release date (decimal year), GPUs only by default (the
seed study is about graphics cards) and from 2013 on (the study's window).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from trainlca.criteria import SHORT
from trainlca.notes import note
from trainlca.production import PRODUCTION_CRITERIA
from trainlca.trends import TrendFit, fit_log_trend

if TYPE_CHECKING:  # keeps the catalogue import lazy at runtime
    from trainlca.catalog import Accelerator, Catalog
    from trainlca.run import Hardware
    from trainlca.servers import Server

#: First release year of the card trend by default (the seed study's window).
TREND_SINCE: Final[float] = 2013.0
#: Card impact columns, in output order (``wu`` NaN = not covered: mlca/bloom, wafer-scale).
IMPACT_COLUMNS: Final[tuple[str, ...]] = ("gwp", "adpe", "pe", "wu")


#: Columns of ``cards.csv`` (the CLI's ``--format csv`` and the study's ``DIR/cards.csv``).
CSV_COLUMNS: Final[tuple[str, ...]] = (
    "hardware", "vendor", "type", "release_date", "release_year",
    "gwp", "adpe", "pe", "wu",
    "gwp_p5", "gwp_p95", "adpe_p5", "adpe_p95", "pe_p5", "pe_p95", "wu_p5", "wu_p95",
    "die_area_cm2", "die_count", "die_area_imputed", "memory_gb", "memory_type", "tdp_w",
    "host_archetype", "host_gwp_per_accelerator", "host_adpe_per_accelerator",
    "host_pe_per_accelerator",
    "card_model", "gwp_mlca", "gwp_boavizta", "gwp_published",
    "gwp_structural", "adpe_structural", "pe_structural", "wu_structural",
    "memory_density_gb_per_cm2",
)


@dataclass(frozen=True)
class CardRow:
    """Production impacts of one accelerator card (kgCO2eq, kgSbeq, MJ, L; NaN = n/c).

    ``*_p5``/``*_p95`` are the 5th/95th Monte Carlo percentiles (NaN without draws).
    ``host_*_per_accelerator`` is the host archetype's production divided by its accelerators,
    reported separately (not included in ``gwp``/``adpe``/``pe``).
    ``card_model`` is the model of the point values; ``gwp_<model>`` the GWP of each card model
    at the point (NaN: the card has no published figure); ``*_structural`` the share of the
    draws' variance between models (NaN without draws); ``memory_density_gb_per_cm2`` the
    point's ρ of the card's memory technology.
    """

    hardware: str
    vendor: str
    type: str
    release_date: datetime.date
    release_year: float
    gwp: float
    adpe: float
    pe: float
    wu: float
    die_area_cm2: float
    die_count: int
    die_area_imputed: bool
    memory_gb: float
    memory_type: str
    tdp_w: float
    host_archetype: str
    host_gwp_per_accelerator: float
    host_adpe_per_accelerator: float
    host_pe_per_accelerator: float
    gwp_p5: float = math.nan
    gwp_p95: float = math.nan
    adpe_p5: float = math.nan
    adpe_p95: float = math.nan
    pe_p5: float = math.nan
    pe_p95: float = math.nan
    wu_p5: float = math.nan
    wu_p95: float = math.nan
    card_model: str = ""
    gwp_mlca: float = math.nan
    gwp_boavizta: float = math.nan
    gwp_published: float = math.nan
    gwp_structural: float = math.nan
    adpe_structural: float = math.nan
    pe_structural: float = math.nan
    wu_structural: float = math.nan
    memory_density_gb_per_cm2: float = math.nan

    def impact(self, criterion: str) -> float:
        return float(getattr(self, criterion))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["release_date"] = self.release_date.isoformat()
        return d


def card_table(
    preset: str = "default",
    overrides: Mapping[str, float] | None = None,
    *,
    draws: int = 0,
    seed: int | None = None,
    catalog: Catalog | None = None,
    types: Iterable[str] | None = None,
    server: str | Path | Server | None = None,
) -> list[CardRow]:
    """Production impacts of every catalogue accelerator under a preset, sorted by release date.

    Args:
        preset: preset name (its point parameters; its boundary's ``transport`` switch).
        overrides: user parameter values (``--set``), pinned.
        draws: Monte Carlo draws for the p5/p95 columns (0 = point values only).
        seed: random seed of the draws (default: ``uncertainty.DEFAULT_SEED``).
        catalog: a catalogue (default: the packaged one).
        types: keep only these accelerator types (e.g. ``{"GPU"}``); default all.
        server: one host server for every card (an archetype id, a JSON/YAML file or a
            ``Server``; ``servers.load_server``); default each chip's own archetype.
    Electricity does not enter production, so no grid is needed.
    """
    from trainlca.card_models import memory_density, model_name, structural_share
    from trainlca.catalog import load_catalog
    from trainlca.presets import get_preset
    from trainlca.run import Hardware, hardware_production_models
    from trainlca.servers import load_server
    from trainlca.uncertainty import DEFAULT_SEED, check_draws, check_seed, point_values, sample

    cat = catalog if catalog is not None else load_catalog()
    wanted = None if types is None else {t.upper() for t in types}
    accs = sorted(
        (a for a in cat if wanted is None or a.type.upper() in wanted),
        key=lambda a: (a.release_date, a.name),
    )
    pre = get_preset(preset)
    params = pre.params(overrides)
    hw = Hardware.of(accs, None if server is None else load_server(server))
    pv = point_values(params)
    card, host = hardware_production_models(hw, pv, pre.boundary)
    extra: dict[str, np.ndarray] = {
        "gwp_mlca": np.asarray(card.per_model["mlca"]["gwp"]),
        "gwp_boavizta": np.asarray(card.per_model["boavizta"]["gwp"]),
        "gwp_published": np.asarray(card.per_model["published"]["gwp"]),
        "memory_density_gb_per_cm2": np.asarray(memory_density(hw.memory_index, pv)),
    }
    if check_draws(draws, len(accs)) > 0 and accs:
        s = sample(params, draws, DEFAULT_SEED if seed is None else check_seed(seed))
        mc, _ = hardware_production_models(hw, s, pre.boundary)
        for c in IMPACT_COLUMNS:
            extra[f"{c}_p5"], extra[f"{c}_p95"] = _nan_percentiles(np.asarray(mc.values[c]))
            extra[f"{c}_structural"] = structural_share(np.asarray(mc.values[c]), mc.model)
    models = [model_name(float(m)) for m in np.atleast_1d(card.model)]
    return [_card_row(a, i, hw, card.values, host, extra, models[i]) for i, a in enumerate(accs)]


def _nan_percentiles(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """5th and 95th percentiles over the draws (axis 0), (R,) each; NaN where no finite draw."""
    if not np.isnan(v).any():
        p5, p95 = np.percentile(v, [5, 95], axis=0)
        return p5, p95
    out = np.full((2, v.shape[1]), np.nan)
    ok = np.isfinite(v).any(axis=0)
    if ok.any():
        out[:, ok] = np.nanpercentile(v[:, ok], [5, 95], axis=0)
    return out[0], out[1]


def _card_row(a: Accelerator, i: int, hw: Hardware, card: Mapping[str, np.ndarray],
              host: Mapping[str, np.ndarray], extra: Mapping[str, np.ndarray],
              model: str) -> CardRow:
    return CardRow(
        hardware=a.name, vendor=a.vendor, type=a.type, release_date=a.release_date,
        release_year=a.release_year,
        gwp=float(card["gwp"][i]), adpe=float(card["adpe"][i]), pe=float(card["pe"][i]),
        wu=float(card["wu"][i]),
        die_area_cm2=a.die_area_cm2, die_count=a.die_count,
        die_area_imputed=a.die_area_imputed, memory_gb=a.memory_gb,
        memory_type=a.memory_type, tdp_w=a.tdp_w,
        host_archetype=hw.server_of(i).name,
        host_gwp_per_accelerator=float(host["gwp"][i]),
        host_adpe_per_accelerator=float(host["adpe"][i]),
        host_pe_per_accelerator=float(host["pe"][i]),
        card_model=model,
        **{k: float(v[i]) for k, v in extra.items()},
    )


def cards_frame(rows: Sequence[CardRow]) -> Any:
    """The rows as a pandas DataFrame (the study's ``cards`` table)."""
    import pandas as pd

    return pd.DataFrame([asdict(r) for r in rows])


# --- Trend -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardTrend:
    """Trend of card production against release date, per criterion."""

    fits: Mapping[str, TrendFit]
    subset: str  # "GPU" or "all"
    since: float

    def line(self, criterion: str) -> str:
        """One sentence, e.g. "GPU production GWP grows ×1.09/yr (95 % CI 1.05–1.13), n = 58,
        2013.0–2025.6"."""
        f = self.fits[criterion]
        label = SHORT.get(criterion, criterion.upper())
        who = "GPU" if self.subset == "GPU" else "Accelerator"
        if f.n < 3 or not math.isfinite(f.slope_se):
            return f"{who} production {label}: too few cards to fit (n = {f.n})"
        verb = "grows" if f.growth_per_year >= 1 else "falls"
        return (
            f"{who} production {label} {verb} ×{f.growth_per_year:.3f}/yr "
            f"({f.conf:.0%} CI {f.ci_low:.3f}–{f.ci_high:.3f}), R² = {f.r2:.2f}, n = {f.n}, "
            f"{f.period_label}"
        ).replace("95%", "95 %")

    def to_dict(self) -> dict[str, Any]:
        return {
            "subset": self.subset,
            "since": self.since,
            "x": "release date (decimal year)",
            "model": "log10(card production) = a + b·year, least squares",
            "fits": {c: f.to_dict() for c, f in self.fits.items()},
        }


def card_trend(
    rows: Sequence[CardRow],
    *,
    include_all: bool = False,
    since: float = TREND_SINCE,
    criteria: Sequence[str] = PRODUCTION_CRITERIA,
) -> CardTrend:
    """Fit log10(card production) against release year, per criterion.

    GPUs only unless ``include_all`` (then TPUs, ASICs and wafer-scale systems too); cards
    released before ``since`` are left out.
    """
    keep = [r for r in rows if (include_all or r.type == "GPU") and r.release_year >= since]
    x = np.array([r.release_year for r in keep], dtype=np.float64)
    fits = {c: fit_log_trend(x, np.array([r.impact(c) for r in keep], dtype=np.float64))
            for c in criteria}
    return CardTrend(fits, "all" if include_all else "GPU", since)


# --- CSV ---------------------------------------------------------------------------------------


def _cell(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v)
    return v


def cards_csv(rows: Iterable[CardRow]) -> str:
    """The rows as CSV text (columns ``CSV_COLUMNS``; empty cell = NaN, e.g. ``wu`` n/c)."""
    from trainlca import SCHEMA_VERSION, __version__

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*CSV_COLUMNS, "schema_version", "trainlca_version"])
    for r in rows:
        w.writerow([*(_cell(getattr(r, c)) for c in CSV_COLUMNS), SCHEMA_VERSION, __version__])
    return buf.getvalue()


def write_cards_csv(path: str | Path, rows: Iterable[CardRow]) -> Path:
    """Write ``cards.csv`` atomically (temporary file + rename); overwrites. Returns the path."""
    from trainlca.io import save

    return save(path, cards_csv(rows))


#: Notes of the card table (``cards --format json`` and the table's footer).
NOTES: Final[tuple[str, ...]] = tuple(
    note(code).text + (f"; {note('cards.water_presets').text}" if code == "water.card_model"
                       else "")
    for code in ("water.card_model", "water.wafer_scale_not_covered", "water.host_not_covered",
                 "end_of_life.excluded", "cards.host_columns")
)
