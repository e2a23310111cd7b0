"""Training runs built from Epoch rows: accelerator-hours, chip, location, and what was imputed.

Accelerator-hours ``H`` (METHOD §6):

* ``Hardware quantity × Training time (hours)`` when both are known and positive;
* else ``Training compute (FLOP) / (peak FLOP/s of the chip at the run's precision × MFU) / 3600``
  (``flag_hours_from_compute``), with the row's own MFU when present, else ``mfu_default``
  (``flag_default_mfu``), and the precision read from ``Numerical format`` when present, else
  ``precision_default`` (``flag_precision_default``). Those two flags are set only when the
  default actually entered ``H`` (hours from compute).

Multi-valued cells — THE rule, in :func:`pick_first_known`, used for both ``Training hardware``
and ``Country (of organization)``: split on commas, drop blanks and repeated values; take the
FIRST listed value that resolves (a chip the catalogue knows; a country that maps to ISO-3 and
is not "Multinational"); flag the row (``flag_multi_hardware`` / ``flag_multi_country``) when
more than one distinct value is listed. ``Hardware quantity`` is then read as the number of chips
of that kind. A country cell with no resolvable value gives the world grid ``WOR``
(``flag_world_grid``).

Precision from ``Numerical format``: see :func:`parse_precision`.

``impute_hardware``: a row in the window that lacks ``Training hardware`` but has compute (or
quantity × time) gets the most common catalogue chip among rows published the same calendar
year (every row with a parseable date and a known chip, in or out of the window; ties → name
order); a year without such rows borrows from the nearest year that has some (ties → the
earlier year). Flagged ``flag_hardware_imputed``.

Skip reasons, first that applies: ``unparseable date``, ``outside window``, ``no hardware``,
``unknown hardware: <cell>``, ``no compute and no quantity×time``,
``no peak FLOP/s for <chip> at <precision>``, ``accelerator-hours not a finite number in (0,
1e20]`` (e.g. quantity × time overflows or is absurd, such as 1e308 chips: every product of the
model must stay finite; or compute so small that the hours underflow to 0).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd

from trainlca.epoch.data import EpochData
from trainlca.epoch.schema import decimal_year
from trainlca.errors import ParameterError
from trainlca.runspec import hours_from_flop

PRECISIONS: tuple[str, ...] = ("fp32", "tf32", "fp16", "bf16", "fp8")
WORLD_ZONE = "WOR"

SKIP_DATE = "unparseable date"
SKIP_WINDOW = "outside window"
SKIP_NO_HARDWARE = "no hardware"
SKIP_UNKNOWN_HARDWARE = "unknown hardware"
SKIP_NO_HOURS = "no compute and no quantity×time"
SKIP_NO_PEAK = "no peak FLOP/s"
SKIP_BAD_HOURS = "accelerator-hours not a finite number in (0, 1e20]"
#: Upper bound of accelerator-hours (10^10 chips for 10^10 h, far beyond any real run; the schema
#: allows ≤ 1e8 chips × 1e6 h): above it, energy and the efficient-hardware scenario's hours ×
#: peak FLOP/s would overflow float64.
MAX_ACCELERATOR_HOURS = 1e20

FLAG_COLUMNS: tuple[str, ...] = (
    "flag_hours_from_compute",
    "flag_default_mfu",
    "flag_hardware_imputed",
    "flag_multi_hardware",
    "flag_die_area_imputed",
    "flag_world_grid",
    "flag_multi_country",
    "flag_precision_default",
)
RUN_COLUMNS: tuple[str, ...] = (
    "row",
    "model",
    "publication_date",
    "year",
    "domain",
    "organization",
    "hardware",
    "hardware_raw",
    "country_raw",
    "zone",
    "hardware_quantity",
    "training_hours",
    "training_compute_flop",
    "mfu",
    "precision",
    "peak_flops",
    "accelerator_hours",
    "power_draw_w",
    *FLAG_COLUMNS,
    "skip_reason",
)


class AcceleratorLike(Protocol):
    """What this module needs from a catalogue entry."""

    @property
    def name(self) -> str: ...

    @property
    def die_area_imputed(self) -> bool: ...

    def peak_flops(self, precision: str) -> float: ...


class CatalogLike(Protocol):
    def match(self, name: str) -> Any: ...


T = TypeVar("T")


def split_values(cell: str) -> list[str]:
    """Comma-separated cell → distinct non-blank values, in the order listed."""
    seen: dict[str, str] = {}
    for part in cell.split(","):
        token = part.strip()
        if token and token.casefold() not in seen:
            seen[token.casefold()] = token
    return list(seen.values())


def pick_first_known(cell: str, resolve: Callable[[str], T | None]) -> tuple[T | None, bool]:
    """THE multi-value rule: the first listed value that ``resolve`` knows; and whether more than
    one distinct value was listed."""
    values = split_values(cell)
    for v in values:
        got = resolve(v)
        if got is not None:
            return got, len(values) > 1
    return None, len(values) > 1


_PRECISION_TOKENS: tuple[tuple[str, str], ...] = (
    # (regex on the casefolded string, our precision); FP4 formats have no peak in the
    # catalogue: they count as fp8 (the fastest rate we know for those chips).
    (r"(?:nv|mx)?fp4|int4", "fp8"),
    (r"fp8|e4m3|e5m2|int8", "fp8"),
    (r"bf16|bfloat16", "bf16"),
    (r"fp16|float16|half", "fp16"),
    (r"tf32|tensorfloat", "tf32"),
    (r"fp32|float32|single", "fp32"),
)
_SPEED_RANK = {"fp8": 0, "bf16": 1, "fp16": 1, "tf32": 2, "fp32": 3}


def parse_precision(text: str) -> str | None:
    """Epoch ``Numerical format`` → one of :data:`PRECISIONS`, or None when unknown.

    Values seen: BF16, FP16, FP32, FP8, TF32, NVFP4, Unknown. A string naming several formats
    (``"BF16, FP32"``, mixed precision) → the fastest named, since the matrix products that
    dominate training run at that one. ``Unknown`` or no recognised format → None.
    """
    low = text.casefold()
    found: list[tuple[int, str]] = []
    for pattern, prec in _PRECISION_TOKENS:
        m = re.search(pattern, low)
        if m:
            found.append((m.start(), prec))
    if not found:
        return None
    found.sort()
    best = min(found, key=lambda x: (_SPEED_RANK[x[1]], x[0]))
    return best[1]


@dataclass(frozen=True)
class RunTable:
    """Assessed runs (one row per system; ``skip_reason`` all None) and skipped rows (same
    columns, ``skip_reason`` set), plus the settings used to build them."""

    runs: pd.DataFrame
    skipped: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.runs)

    def skip_counts(self, *, detail: bool = False) -> dict[str, int]:
        """Skipped rows per reason; unless ``detail``, ``unknown hardware: X`` and
        ``no peak FLOP/s for X`` are grouped under their prefix."""
        reasons = self.skipped["skip_reason"].astype(str)
        if not detail:
            pattern = r"^(unknown hardware|no peak FLOP/s).*$"
            reasons = reasons.str.replace(pattern, r"\1", regex=True)
        return {str(k): int(v) for k, v in reasons.value_counts().items()}

    def flag_counts(self) -> dict[str, int]:
        return {c: int(self.runs[c].sum()) for c in FLAG_COLUMNS}


def _resolve_cells(
    cells: pd.Series, resolve: Callable[[str], str | None]
) -> tuple[pd.Series, pd.Series]:
    """Apply :func:`pick_first_known` once per DISTINCT cell, then map back onto every row:
    (resolved value or None, multi-value flag)."""
    value: dict[str, str | None] = {}
    multi: dict[str, bool] = {}
    for cell in cells.dropna().unique().tolist():
        value[cell], multi[cell] = pick_first_known(str(cell), resolve)
    resolved = cells.map(value).astype(object)
    resolved = resolved.where(resolved.notna(), None)
    flag = cells.map(multi).astype(object).where(cells.notna(), False).astype(bool)
    return resolved, flag


def _default_catalog() -> CatalogLike:
    from trainlca.catalog import load_catalog

    cat: CatalogLike = load_catalog()
    return cat


def _country_resolver() -> Callable[[str], str | None]:
    from trainlca.countries import MULTINATIONAL, to_iso3

    multi = {m.casefold() for m in MULTINATIONAL}

    def resolve(token: str) -> str | None:
        if token.casefold() in multi:
            return None
        iso = to_iso3(token)
        return iso if iso and iso != WORLD_ZONE else None

    return resolve


def _impute_by_year(
    years: pd.Series, known_hw: pd.Series, need_years: Iterable[int]
) -> dict[int, str]:
    """Most common known chip per calendar year; nearest year with data as fallback."""
    df = pd.DataFrame({"y": years, "hw": known_hw}).dropna()
    if df.empty:
        return {}
    counts = df.groupby(["y", "hw"]).size().reset_index(name="n")
    counts = counts.sort_values(["y", "n", "hw"], ascending=[True, False, True])
    mode = counts.drop_duplicates("y").set_index("y")["hw"]
    have = np.array(sorted(int(y) for y in mode.index))
    out: dict[int, str] = {}
    for y in need_years:
        dist = np.abs(have - y)
        nearest = int(have[np.flatnonzero(dist == dist.min())[0]])  # earlier year on ties
        out[int(y)] = str(mode.loc[nearest])
    return out


def _check_settings(mfu_default: float, precision_default: str, start_year: float,
                    end_year: float | None) -> str:
    if not 0.0 < mfu_default <= 1.0:
        raise ParameterError(f"mfu_default must be in (0, 1], got {mfu_default}")
    prec_default = precision_default.casefold()
    if prec_default not in PRECISIONS:
        raise ParameterError(
            f"precision_default must be one of {', '.join(PRECISIONS)}, got {precision_default!r}"
        )
    if end_year is not None and end_year < start_year:
        raise ParameterError(f"end_year {end_year} is before start_year {start_year}")
    return prec_default


def _resolve_hardware(hw_raw: pd.Series, cat: CatalogLike
                      ) -> tuple[pd.Series, pd.Series, dict[str, Any]]:
    """Catalogue names (None when unknown), the multi-value flag, and the chips by name:
    distinct strings resolved once, then mapped."""
    accel_by_name: dict[str, Any] = {}
    match_cache: dict[str, Any] = {}

    def resolve_hw(token: str) -> str | None:
        if token not in match_cache:
            match_cache[token] = cat.match(token)
        acc = match_cache[token]
        if acc is None:
            return None
        accel_by_name[str(acc.name)] = acc
        return str(acc.name)

    hardware, flag_multi = _resolve_cells(hw_raw, resolve_hw)
    return hardware, flag_multi, accel_by_name


def _impute_hardware(hardware: pd.Series, hw_raw: pd.Series, date: pd.Series,
                     eligible: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rows without hardware get their year's most common chip (see the module docstring)."""
    flag = pd.Series(False, index=hardware.index)
    if not eligible.any():
        return hardware, flag
    date_ok = date.notna()
    cal_year = date.dt.year
    need = sorted({int(y) for y in cal_year[eligible]})
    by_year = _impute_by_year(cal_year.where(date_ok), hardware.where(date_ok), need)
    if not by_year:
        return hardware, flag
    fill = cal_year[eligible].astype(int).map(by_year)
    hardware = hardware.astype(object)
    hardware.loc[eligible] = fill.astype(object)
    return hardware, eligible & hardware.notna()


def _precision(formats: pd.Series, prec_default: str) -> tuple[pd.Series, pd.Series]:
    """The run's precision (default where unknown) and whether it was parsed."""
    parsed = formats.map({v: parse_precision(str(v)) for v in formats.dropna().unique()})
    parsed = parsed.astype(object)
    return parsed.where(parsed.notna(), prec_default).astype(str), parsed.notna()


def _peaks(hardware: pd.Series, precision: pd.Series,
           accel_by_name: dict[str, Any]) -> pd.Series:
    """Peak FLOP/s of each row's chip at its precision, one call per distinct pair."""
    combos = pd.DataFrame({"hardware": hardware, "precision": precision})
    distinct = combos.dropna().drop_duplicates().reset_index(drop=True)
    peaks: list[float] = []
    for hw, pr in distinct.itertuples(index=False):
        try:
            val = float(accel_by_name[str(hw)].peak_flops(str(pr)))
        except (KeyError, ValueError, TypeError):
            val = float("nan")
        peaks.append(val if np.isfinite(val) and val > 0 else float("nan"))
    distinct["peak"] = pd.Series(peaks, dtype=float)
    peak = combos.merge(distinct, on=["hardware", "precision"], how="left")["peak"]
    return pd.Series(peak.to_numpy(dtype=float), index=hardware.index)


def _skip_reasons(n: int, index: pd.Index, rules: list[tuple[pd.Series, str | pd.Series]]
                  ) -> pd.Series:
    """The first rule that applies to each row (None = assessed)."""
    reason = pd.Series([None] * n, index=index, dtype=object)
    for cond, value in reversed(rules):  # first rule that applies wins
        mask = cond.fillna(False).astype(bool) if cond.dtype != bool else cond
        reason = reason.astype(object)
        reason.loc[mask] = value[mask] if isinstance(value, pd.Series) else value
    return reason


def build_runs(
    data: EpochData,
    *,
    catalog: CatalogLike | None = None,
    start_year: float = 2013,
    end_year: float | None = None,
    mfu_default: float = 0.35,
    impute_hardware: bool = False,
    precision_default: str = "bf16",
    country_resolver: Callable[[str], str | None] | None = None,
) -> RunTable:
    """Turn Epoch rows into training runs (see the module docstring for every rule).

    ``start_year``/``end_year`` bound the decimal publication year: ``start_year <= year <
    end_year + 1`` (``end_year`` None: no upper bound). ``country_resolver`` (country name →
    ISO-3 or None) defaults to :func:`trainlca.countries.to_iso3` minus "Multinational".
    """
    prec_default = _check_settings(mfu_default, precision_default, start_year, end_year)
    cat = catalog if catalog is not None else _default_catalog()
    f = data.frame
    n = len(f)
    date = f["publication_date"]
    year, in_window = _window(date, start_year, end_year)

    hw_raw = f["training_hardware"]
    hardware, flag_multi_hw, accel_by_name = _resolve_hardware(hw_raw, cat)
    q = f["hardware_quantity"].astype(float)
    t = f["training_time_hours"].astype(float)
    compute = f["training_compute_flop"].astype(float)
    qt_ok = (q > 0) & (t > 0)
    has_hours_data = qt_ok | (compute > 0)
    flag_imputed = pd.Series(False, index=f.index)
    if impute_hardware:
        hardware, flag_imputed = _impute_hardware(hardware, hw_raw, date,
                                                  in_window & hw_raw.isna() & has_hours_data)
    precision, prec_parsed = _precision(f["numerical_format"], prec_default)
    own_mfu = f["mfu"].astype(float)
    mfu = own_mfu.fillna(mfu_default)
    peak = _peaks(hardware, precision, accel_by_name)
    from_compute = ~qt_ok & (compute > 0)
    acc_hours = _accelerator_hours(q, t, compute, peak, mfu, qt_ok, from_compute)

    die_imp = {k: bool(getattr(a, "die_area_imputed", False)) for k, a in accel_by_name.items()}
    iso, flag_multi_c = _resolve_cells(f["country"], country_resolver or _country_resolver())
    flag_world = iso.isna()

    reason = _skip_reasons(n, f.index, [
        (~date.notna(), SKIP_DATE),
        (~in_window, SKIP_WINDOW),
        (hw_raw.isna() & ~flag_imputed, SKIP_NO_HARDWARE),
        (hw_raw.notna() & hardware.isna(),
         SKIP_UNKNOWN_HARDWARE + ": " + hw_raw.fillna("").astype(str)),
        (~has_hours_data, SKIP_NO_HOURS),
        (from_compute & hardware.notna() & peak.isna(),
         SKIP_NO_PEAK + " for " + hardware.fillna("").astype(str) + " at " + precision),
        (~((acc_hours > 0) & (acc_hours <= MAX_ACCELERATOR_HOURS)), SKIP_BAD_HOURS),
    ])
    out = _frame(f, {
        "year": year, "hardware": hardware, "zone": iso.where(~flag_world, WORLD_ZONE),
        "hardware_quantity": q, "training_hours": t, "training_compute_flop": compute,
        "mfu": mfu, "precision": precision, "peak_flops": peak, "accelerator_hours": acc_hours,
        "flag_hours_from_compute": from_compute,
        "flag_default_mfu": from_compute & own_mfu.isna(),
        "flag_hardware_imputed": flag_imputed,
        "flag_multi_hardware": flag_multi_hw,
        "flag_die_area_imputed": hardware.map(lambda h: die_imp.get(h, False)).astype(bool),
        "flag_world_grid": flag_world,
        "flag_multi_country": flag_multi_c,
        "flag_precision_default": from_compute & ~prec_parsed,
        "skip_reason": reason})
    return _split(out, reason, data, start_year, end_year, mfu_default, impute_hardware,
                  prec_default)


def _frame(f: pd.DataFrame, derived: dict[str, pd.Series]) -> pd.DataFrame:
    """The run table: Epoch's own columns and the derived ones, in the documented order."""
    d = derived
    cols: dict[str, Any] = {
        "row": np.arange(len(f)),
        "model": f["model"].astype(object),
        "publication_date": f["publication_date"],
        "year": d["year"],
        "domain": f["domain"].astype(object),
        "organization": f["organization"].astype(object),
        "hardware": d["hardware"].astype(object),
        "hardware_raw": f["training_hardware"].astype(object),
        "country_raw": f["country"].astype(object),
        "zone": d["zone"].astype(str),
        **{k: d[k] for k in ("hardware_quantity", "training_hours", "training_compute_flop",
                             "mfu", "precision", "peak_flops", "accelerator_hours")},
        "power_draw_w": f["power_draw_w"].astype(float),
        **{k: v for k, v in d.items() if k.startswith("flag_")},
        "skip_reason": d["skip_reason"],
    }
    return pd.DataFrame(cols, index=f.index)


def _window(date: pd.Series, start_year: float, end_year: float | None
            ) -> tuple[pd.Series, pd.Series]:
    """Decimal publication year, and whether it falls in ``start_year <= year < end_year +
    1`` (no upper bound without ``end_year``)."""
    year = decimal_year(date)
    in_window = date.notna() & (year >= start_year)
    if end_year is not None:
        in_window &= year < end_year + 1
    return year, in_window


def _accelerator_hours(q: pd.Series, t: pd.Series, compute: pd.Series, peak: pd.Series,
                       mfu: pd.Series, qt_ok: pd.Series, from_compute: pd.Series) -> pd.Series:
    """H: quantity × time, else compute / (peak × MFU) / 3600 (runspec.hours_from_flop)."""
    hours_c = pd.Series(hours_from_flop(compute.to_numpy(), peak.to_numpy(), mfu.to_numpy()),
                        index=q.index).where(from_compute)
    return (q * t).where(qt_ok).fillna(hours_c)


def _split(out: pd.DataFrame, reason: pd.Series, data: EpochData, start_year: float,
           end_year: float | None, mfu_default: float, impute_hardware: bool,
           prec_default: str) -> RunTable:
    """Assessed and skipped rows, with the settings used."""
    for col in ("model", "domain", "organization", "hardware", "hardware_raw", "country_raw"):
        out[col] = out[col].where(out[col].notna(), None)
    for col in FLAG_COLUMNS:
        out[col] = out[col].astype(bool)
    assessed = reason.isna().to_numpy()
    settings: dict[Hashable, Any] = {
        "start_year": start_year,
        "end_year": end_year,
        "mfu_default": mfu_default,
        "impute_hardware": impute_hardware,
        "precision_default": prec_default,
        "source": data.source,
        "sha256": data.sha256,
        "snapshot_date": data.snapshot_date,
    }
    return RunTable(runs=out[assessed].reset_index(drop=True),
                    skipped=out[~assessed].reset_index(drop=True),
                    settings={str(k): v for k, v in settings.items()})
