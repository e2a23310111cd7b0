"""Three models of the production of one accelerator card, and the mixture of them that carries
the spread between published models as uncertainty (METHOD §2b, docs/production.md).

- ``mlca`` (code 0): the per-area model of METHOD §2 (Gröger et al. 2021, Loubet et al. 2023, as
  MLCA computes it), ``production.memory_production`` with the memory density of the card's
  technology (``rho_<type>``, params ``_MEMORY_DENSITIES``). GWP, PE, ADPe.
- ``boavizta`` (code 1): BoaviztAPI 2.5.0's GPU model (effective wafer area of logic and VRAM
  dies, board, heatsink, casing, transport), ``production.boavizta_card``. GWP, PE, ADPe, water.
- ``published`` (code 2): per-accelerator figures of vendors and LCAs (``published.csv``, each
  with its source, boundary and how it was checked), × ``published_scale``. The criteria each
  figure reports; cards without a figure do not have this model.

A criterion never mixes models within one card: all four criteria of a card in one draw come
from the draw's model. A model that does not cover a criterion (mlca: water; most published
figures: all but GWP) *completes* it from BoaviztAPI's inventory of the same card at BoaviztAPI's
ratio to GWP (``complete``): ``I[c] = I_bz[c] · I_model[gwp] / I_bz[gwp]``, e.g. the mlca
model's water is BoaviztAPI's water per kgCO2eq of that card (0.35-0.39 L/kgCO2eq for its dies,
which dominate both) times the mlca GWP. ``model_table`` says which criteria are completed.

The model of a draw is the discrete parameter ``card_model`` ((D, 1), weights in its ``Param``);
a model a card lacks passes its draws to the card's other models in proportion to their weights
(``card_model_u``, see :func:`choose_model`). Under the default preset the point is the mlca
model; ``structural_share`` splits a card's spread into the part between models and the part
within them (law of total variance).

Shapes: card arrays are (R,) for a point sample and (D, R) for D draws; ``published`` values are
(R, F, 4) (F figures per card at most, criteria in ``CRITERIA`` order, NaN = not reported).
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np

from trainlca.cells import parse_number
from trainlca.criteria import CRITERIA
from trainlca.errors import DataFileError
from trainlca.params import DEFAULTS, MEMORY_KEYS, MEMORY_TYPE_KEYS, FloatArray, Value
from trainlca.production import boavizta_card, memory_production

MODELS: Final[tuple[str, ...]] = ("mlca", "boavizta", "published")
MLCA, BOAVIZTA, PUBLISHED = 0, 1, 2
#: Weights of the models in the default mixture (the ``card_model`` parameter's).
WEIGHTS: Final[tuple[float, ...]] = DEFAULTS["card_model"].weights
#: Criteria each model covers natively (published: those its figure reports).
NATIVE: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "mlca": ("gwp", "adpe", "pe"), "boavizta": ("gwp", "adpe", "pe", "wu"),
    "published": ("gwp", "adpe", "pe", "wu")})
PUBLISHED_PATH: Final[Path] = Path(__file__).with_name("published.csv")
_COLUMNS: Final[tuple[str, ...]] = (
    "id", "hardware", "primary", "gwp", "adpe", "pe", "wu", "boundary", "source", "source_url",
    "verification", "notes")

ParamValues = Mapping[str, Value]


def _arr(x: Value) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


# --- Published figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedFigure:
    """One published production figure of one accelerator (a row of ``published.csv``).

    Attributes:
        values: criterion → value per card (kgCO2eq, kgSbeq, MJ, L); criteria the source does
            not report are absent.
        primary: the figure the published model uses at the point (one per card).
    """

    id: str
    hardware: str
    primary: bool
    values: Mapping[str, float]
    boundary: str
    source: str
    source_url: str
    verification: str
    notes: str


def load_published(path: str | Path | None = None) -> tuple[PublishedFigure, ...]:
    """The published figures (default: the packaged ``published.csv``, cached); hardware names
    are resolved to the catalogue's canonical names (a name the catalogue lacks is an error)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _load_default() -> tuple[PublishedFigure, ...]:
    return _load(PUBLISHED_PATH)


def _load(path: Path) -> tuple[PublishedFigure, ...]:
    from trainlca.catalog import load_catalog

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"published card figures {path}: cannot read ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise DataFileError(f"{path}: missing columns {', '.join(missing)}")
    cat = load_catalog()
    out: list[PublishedFigure] = []
    for row in reader:
        where = f"{path.name} line {reader.line_num} ({row.get('id') or 'no id'})"
        acc = cat.match(row["hardware"] or "")
        if acc is None:
            raise DataFileError(f"{where}: hardware {row['hardware']!r} is not in the catalogue")
        values: dict[str, float] = {c: v for c in CRITERIA
                  if (v := parse_number(row[c] or "", f"{where}: column {c!r}",
                                        required=False)) is not None}
        if "gwp" not in values:
            raise DataFileError(f"{where}: a published figure needs its GWP")
        out.append(PublishedFigure(
            id=row["id"], hardware=acc.name, primary=(row["primary"] or "").lower() == "true",
            values=MappingProxyType(values), boundary=row["boundary"], source=row["source"],
            source_url=row["source_url"], verification=row["verification"],
            notes=row["notes"] or ""))
    for name in {f.hardware for f in out}:
        if sum(f.primary for f in out if f.hardware == name) != 1:
            raise DataFileError(f"{path}: {name} needs exactly one primary figure")
    return tuple(out)


def figures_for(hardware: str) -> list[PublishedFigure]:
    """The published figures of one catalogue accelerator, primary first."""
    figs = [f for f in load_published() if f.hardware == hardware]
    return sorted(figs, key=lambda f: not f.primary)


def max_figures() -> int:
    """The most figures any card has (F of the (R, F, 4) arrays)."""
    figs = load_published()
    return max((sum(g.hardware == f.hardware for g in figs) for f in figs), default=1)


def published_array(names: Sequence[str]) -> FloatArray:
    """Published values of each named card, (R, F, 4): primary figure first, criteria in
    ``CRITERIA`` order, NaN where a figure does not report a criterion or is absent."""
    f = max_figures()
    out = np.full((len(names), f, len(CRITERIA)), np.nan)
    for i, name in enumerate(names):
        for j, fig in enumerate(figures_for(name)):
            for k, c in enumerate(CRITERIA):
                out[i, j, k] = fig.values.get(c, math.nan)
    return out


# --- Memory density ------------------------------------------------------------------------------


def memory_key(memory_type: str) -> str | None:
    """The ``rho_<key>`` technology of a catalogue memory type (None: unknown, ``rho`` used)."""
    return MEMORY_TYPE_KEYS.get(memory_type.strip().upper())


def memory_index(memory_type: str) -> int:
    """Index of :func:`memory_key` in ``MEMORY_KEYS``; −1 for an unknown technology."""
    key = memory_key(memory_type)
    return -1 if key is None else MEMORY_KEYS.index(key)


def memory_density(index: np.ndarray, p: ParamValues) -> FloatArray:
    """ρ of each card, GB/cm²: ``rho_<type>`` of its technology, ``rho`` where unknown (index
    −1); (R,) for scalar parameters, (D, R) for (D, 1) ones."""
    cols = [_arr(p[f"rho_{k}"]) for k in MEMORY_KEYS] + [_arr(p["rho"])]
    side = np.concatenate([np.atleast_1d(c) for c in np.broadcast_arrays(*cols)], axis=-1)
    idx = np.where(np.asarray(index) < 0, len(MEMORY_KEYS), np.asarray(index)).astype(np.intp)
    return np.take(side, idx, axis=-1)


# --- The three models ---------------------------------------------------------------------------


def mlca_card(die_cm2: Value, memory_gb: Value, rho: Value, p: ParamValues, *,
              transport: bool) -> dict[str, FloatArray]:
    """The mlca model (METHOD §2): ``A·f_die + B_card + (M/ρ)·f_mem + B_mem [+ transport]``
    for GWP, ADPe, PE; ``wu`` NaN (completed by :func:`complete`)."""
    die = _arr(die_cm2)
    mem = memory_production(memory_gb, p, rho)
    out = {c: die * _arr(p[f"die_{c}"]) + _arr(p[f"card_base_{c}"]) + mem[c]
           for c in ("gwp", "adpe", "pe")}
    if transport:
        t_gwp = _arr(p["card_mass_kg"]) * _arr(p["transport_gwp_per_kg"])
        out["gwp"] = out["gwp"] + t_gwp
        out["pe"] = out["pe"] + t_gwp * _arr(p["transport_pe_per_kgco2"])
    out["wu"] = np.full(np.broadcast(*out.values()).shape, np.nan)
    return out


def published_card(values: FloatArray, p: ParamValues) -> dict[str, FloatArray]:
    """The published model: one figure per card × ``published_scale``; NaN where none.

    With several figures, ``card_model_u`` picks one (each equally likely); at the point
    (scalar parameters) the primary figure (index 0).

    Args:
        values: (R, F, 4) from :func:`published_array`.
    """
    v = np.asarray(values, dtype=np.float64)
    n = np.sum(np.isfinite(v[..., 0]), axis=-1)  # figures per card, (R,)
    u = _arr(p["card_model_u"])
    if u.ndim == 0:
        pick = np.zeros(n.shape, dtype=np.intp)
    else:
        pick = np.minimum(np.floor(u * np.maximum(n, 1)), np.maximum(n - 1, 0)).astype(np.intp)
    scale = _arr(p["published_scale"])
    rows = np.arange(v.shape[0])
    # v[r, pick[..., r]]: (R,) for a point pick (R,), (D, R) for a pick (D, R)
    return {c: np.asarray(v[rows, pick, k], dtype=np.float64) * scale
            for k, c in enumerate(CRITERIA)}


def complete(values: Mapping[str, FloatArray], reference: Mapping[str, FloatArray]
             ) -> dict[str, FloatArray]:
    """Fill a model's uncovered criteria (NaN) at the reference model's ratio to GWP:
    ``I[c] = I_ref[c] · I[gwp] / I_ref[gwp]`` (the reference is BoaviztAPI's inventory of the
    same card). NaN stays where the reference itself is NaN (wafer-scale dies)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = _arr(values["gwp"]) / _arr(reference["gwp"])
    return {c: np.where(np.isnan(_arr(values[c])), _arr(reference[c]) * ratio, values[c])
            for c in CRITERIA}


# --- The mixture --------------------------------------------------------------------------------


def choose_model(code: Value, u: Value, available: np.ndarray) -> np.ndarray:
    """The model of each card in each draw: (R,) or (D, R) integer codes.

    The drawn ``code`` where the card has that model; elsewhere the card's models share the
    draw in proportion to their weights: the first available model whose cumulative
    renormalised weight reaches ``u``.

    Args:
        code: ``card_model``, scalar or (D, 1).
        u: ``card_model_u`` in [0, 1], scalar or (D, 1).
        available: (R, 3) bool, which models each card has.
    """
    avail = np.asarray(available, dtype=bool)
    rows = np.arange(avail.shape[0])
    m = np.rint(_arr(code)).astype(np.intp) + np.zeros(rows.shape, dtype=np.intp)
    ok = avail[rows, m]  # (R,) or (D, R)
    w = np.asarray(WEIGHTS, dtype=np.float64) * avail
    cum = np.cumsum(w, axis=-1) / np.sum(w, axis=-1, keepdims=True)  # (R, 3)
    uu = np.maximum(_arr(u), 1e-12)[..., None]  # (D, 1, 1) or scalar
    fallback = np.minimum(np.sum(cum < uu - 1e-15, axis=-1), len(MODELS) - 1)
    return np.where(ok, m, fallback).astype(np.intp)


@dataclass(frozen=True)
class CardResult:
    """Production of one card per criterion, and the model each value comes from.

    Attributes:
        values: criterion → (R,) or (D, R), in the criterion's unit.
        model: the model code of each value, same shape (``MODELS``).
        per_model: model name → criterion → its (completed) values, same shape; published NaN
            where a card has no figure.
        completed: model name → criteria it completes (not covered natively), per card (R,)
            bool arrays.
    """

    values: Mapping[str, FloatArray]
    model: np.ndarray
    per_model: Mapping[str, Mapping[str, FloatArray]]
    completed: Mapping[str, Mapping[str, np.ndarray]]


def card_result(die_cm2: FloatArray, die_count: FloatArray, memory_gb: FloatArray,
                memory_idx: np.ndarray, published: FloatArray, p: ParamValues, *,
                transport: bool, water: bool) -> CardResult:
    """Every card model for R cards, and the mixture's choice per draw.

    Args:
        die_cm2: logic die area, cm² (R,) or (D, R) (imputed areas already scaled).
        die_count: logic dies per package (R,).
        memory_gb: on-board memory, GB (R,).
        memory_idx: memory technology (:func:`memory_index`), (R,).
        published: (R, F, 4) from :func:`published_array`.
        p: parameter values (point or (D, 1) draws).
        transport: count transport to the data centre (mlca and boavizta models).
        water: count production water; False gives NaN water (not covered).
    """
    bz = boavizta_card(_arr(die_cm2) * 100.0, die_count, memory_gb, p, transport=transport)
    ml = mlca_card(die_cm2, memory_gb, memory_density(memory_idx, p), p, transport=transport)
    pub = published_card(published, p)
    per = {"mlca": complete(ml, bz), "boavizta": bz, "published": complete(pub, bz)}
    shape = np.broadcast(*[np.asarray(a) for m in per.values() for a in m.values()]).shape
    per = {k: {c: np.broadcast_to(_arr(v), shape) for c, v in m.items()}
           for k, m in per.items()}
    has_pub = np.isfinite(np.asarray(published)[:, 0, 0])
    has_bz = np.isfinite(np.asarray(bz["gwp"])).reshape(-1, has_pub.size).all(axis=0)
    available = np.stack([np.ones_like(has_pub), has_bz, has_pub], axis=-1)
    model = np.broadcast_to(choose_model(p["card_model"], p["card_model_u"], available), shape)
    values: dict[str, FloatArray] = {
        c: np.asarray(np.choose(model, [per[name][c] for name in MODELS]), dtype=np.float64)
        for c in CRITERIA}
    if not water:
        values["wu"] = np.full(shape, np.nan)
    pub_cov = np.isfinite(np.asarray(published)[:, 0, :])  # primary figure's coverage (R, 4)
    completed: dict[str, Mapping[str, np.ndarray]] = {
        "mlca": {c: np.full(has_pub.shape, c not in NATIVE["mlca"]) for c in CRITERIA},
        "boavizta": {c: np.zeros(has_pub.shape, dtype=bool) for c in CRITERIA},
        "published": {c: has_pub & ~pub_cov[:, k] for k, c in enumerate(CRITERIA)},
    }
    return CardResult(values, model, per, completed)


def structural_share(values: FloatArray, model: np.ndarray) -> FloatArray:
    """Share of the variance of each card's draws that lies *between* models, 0-1, (R,):

        Var(I) = Σ_m π_m (μ_m − μ)² + Σ_m π_m σ_m²      (law of total variance)

    with π_m the share of the draws from model m. NaN where the card has no spread or no
    finite draw.

    Args:
        values: (D, R) draws of one criterion.
        model: (D, R) model codes of those draws.
    """
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, v, 0.0).sum(axis=0) / n
        total = np.where(ok, (v - mean) ** 2, 0.0).sum(axis=0) / n
        between = np.zeros(v.shape[1])
        for k in range(len(MODELS)):
            mk = ok & (model == k)
            nk = mk.sum(axis=0)
            mu = np.where(mk, v, 0.0).sum(axis=0) / np.where(nk > 0, nk, 1)
            between += np.where(nk > 0, nk / n * (mu - mean) ** 2, 0.0)
        share = between / total
    return np.where((n > 1) & (total > 0), np.clip(share, 0.0, 1.0), np.nan)


def model_name(code: float) -> str:
    """The name of a model code."""
    return MODELS[round(code)]


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def summary(point: CardResult, draws_values: Mapping[str, FloatArray] | None = None,
            draws_model: np.ndarray | None = None, i: int = 0) -> dict[str, object]:
    """The card models of card ``i``, JSON-ready: the point's model, every model's point values
    (published None where the card has no figure), the criteria each completes, and with draws
    the share of draws per model, the structural share per criterion and the card's 90 %
    interval.

    Args:
        point: the point's :class:`CardResult` (arrays (R,)).
        draws_values: criterion → (D, R) card values of the draws, or None.
        draws_model: (D, R) model codes of the draws, or None.
    """
    has_pub = bool(np.isfinite(np.asarray(point.per_model["published"]["gwp"])[i]))
    out: dict[str, object] = {
        "point_model": model_name(float(np.asarray(point.model)[i])),
        "weights": dict(zip(MODELS, WEIGHTS, strict=True)),
        "models": {name: ({c: _num(float(np.asarray(v[c])[i])) for c in CRITERIA}
                          if name != "published" or has_pub else None)
                   for name, v in point.per_model.items()},
        "completed": {name: [c for c in CRITERIA if bool(np.asarray(m[c])[i])]
                      for name, m in point.completed.items()
                      if name != "published" or has_pub},
    }
    if draws_values is not None and draws_model is not None:
        codes = np.asarray(draws_model)[:, i]
        out["draw_shares"] = {name: float(np.mean(codes == k)) for k, name in enumerate(MODELS)}
        out["structural_share"] = {
            c: _num(float(structural_share(np.asarray(draws_values[c])[:, i:i + 1],
                                           codes[:, None])[0])) for c in CRITERIA}
        out["interval"] = {}
        for c in CRITERIA:
            v = np.asarray(draws_values[c])[:, i]
            v = v[np.isfinite(v)]
            out["interval"][c] = (None if v.size == 0 else  # type: ignore[index]
                                  dict(zip(("p5", "p50", "p95"),
                                           (float(x) for x in np.percentile(v, [5, 50, 95])),
                                           strict=True)))
    return out
