"""Exponential trend fits: growth per year, doubling times, confidence intervals (METHOD §7).

Pure, vectorised functions over arrays, no I/O. Student-t quantiles come from
:mod:`trainlca.student_t` (the standard library only, ≤ 1e-12 from ``scipy.stats.t.ppf``):
importing scipy for them cost a quarter of a second in every ``cards`` and ``study`` run.

The model, per criterion and scenario::

    log10(y) = a + b · x          (x: decimal year; least squares)

- growth per year ``10^b``; doubling time ``12 · log10(2) / b`` months (``inf`` when b ≤ 0:
  nothing doubles; a negative b is a decline, read it from ``growth_per_year`` < 1).
- 95 % confidence intervals from Student's t on b's standard error, with n − 2 degrees of
  freedom (the same numbers as ``scipy.stats.linregress``'s ``stderr``).
- Points with y ≤ 0 or NaN (or a NaN x) are dropped before fitting; ``n`` counts the points kept.
- Declines (b < 0), flat series (b = 0) and degenerate ones (fewer than 2 points, one distinct x)
  are results, not errors: growth < 1, growth 1, or NaN everywhere ("no fit").
- A fit is not read as a trend (figures grey it, the report flags it; :func:`fit_flags`) when
  it explains less than ``WEAK_R2`` = 10 % of the variance of log10(y), rests on fewer than
  ``MIN_FIT_N`` = 10 points, or its confidence interval contains ×1 (no significant change).

Monte Carlo (:func:`fit_draws`): the same regression fitted on every draw at once, in closed
form over a (draws, runs) array. Two spreads are reported:

- ``growth_p5/p50/p95``: percentiles of the fitted 10^b over the draws, i.e. the spread that the
  uncertain *parameters* alone put on the trend;
- ``growth_ci_low/high``: a combined 95 % interval that adds the *regression* uncertainty: for
  every draw d, ``samples_per_draw`` slopes are drawn from ``b_d + se_d · T`` with T Student-t on
  n_d − 2 degrees of freedom (seeded), and the 2.5/97.5 percentiles of the pooled slopes are
  turned into growth factors. This is a mixture over parameter draws of each draw's sampling
  distribution of the slope, so it is never narrower than either source alone.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

LOG10_2: Final[float] = math.log10(2.0)
DEFAULT_CONF: Final[float] = 0.95
#: Seed of the t-samples in :func:`fit_draws` (results are reproducible bit for bit).
DRAWS_SEED: Final[int] = 20241217
#: Cap on the pooled t-samples of :func:`fit_draws` (draws × samples_per_draw).
MAX_POOLED: Final[int] = 4_000_000
#: Below this R² (share of the variance of log10(y) explained) a fit is flagged as weak.
WEAK_R2: Final[float] = 0.1
#: A fit on fewer points than this is flagged (a handful of systems is not a trend).
MIN_FIT_N: Final[int] = 10


def _t_quantile(conf: float, dof: ArrayLike) -> FloatArray:
    """Two-sided Student-t critical value for ``conf`` (NaN where dof < 1)."""
    from trainlca.student_t import t_quantile

    d = np.asarray(dof, dtype=np.float64)
    p = 0.5 + conf / 2.0
    q = np.array([t_quantile(p, float(v)) if v >= 1 else math.nan for v in d.ravel()],
                 dtype=np.float64)
    return q.reshape(d.shape)


def _check_conf(conf: float) -> float:
    from trainlca.errors import ParameterError

    if not 0.0 < conf < 1.0:
        raise ParameterError(f"confidence level must be between 0 and 1, got {conf!r}")
    return float(conf)


def doubling_months(slope: ArrayLike) -> FloatArray:
    """Doubling time in months of a log10 slope per year: ``12·log10(2)/b``; inf when b ≤ 0."""
    b = np.asarray(slope, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b > 0, 12.0 * LOG10_2 / np.where(b > 0, b, 1.0), np.inf)
    return np.where(np.isnan(b), np.nan, out)


def _scalar(x: FloatArray | float) -> float:
    return float(np.asarray(x, dtype=np.float64))


@dataclass(frozen=True)
class Prediction:
    """A fitted line and its confidence band, in the units of y (not log10)."""

    x: FloatArray
    fit: FloatArray
    low: FloatArray
    high: FloatArray


@dataclass(frozen=True)
class TrendFit:
    """Least-squares fit of log10(y) = intercept + slope · x.

    Attributes:
        slope: b, log10 units per year; ``slope_se`` its standard error.
        intercept: a (log10 of y at x = 0).
        growth_per_year: 10^b; ``ci_low``/``ci_high`` its ``conf`` interval (t on n − 2 dof).
        doubling_months: 12·log10(2)/b (inf when b ≤ 0); ``doubling_ci_low``/``_high`` from the
            slope's interval (inf when the interval reaches b ≤ 0).
        r2: coefficient of determination in log space.
        n: points used (after dropping y ≤ 0 / NaN).
        period: (min x, max x) of the points used.
    NaN everywhere when fewer than 2 points or all x equal; CIs are NaN when n = 2.
    """

    slope: float
    intercept: float
    slope_se: float
    growth_per_year: float
    ci_low: float
    ci_high: float
    doubling_months: float
    doubling_ci_low: float
    doubling_ci_high: float
    r2: float
    n: int
    period: tuple[float, float]
    conf: float = DEFAULT_CONF
    # For the confidence band of predict(): mean x, Σ(x − x̄)², residual variance, t critical.
    x_mean: float = field(default=math.nan, repr=False)
    sxx: float = field(default=math.nan, repr=False)
    resid_var: float = field(default=math.nan, repr=False)
    t_crit: float = field(default=math.nan, repr=False)

    @property
    def period_label(self) -> str:
        lo, hi = self.period
        return f"{lo:.1f}–{hi:.1f}" if math.isfinite(lo) else "n/a"

    @property
    def slope_ci(self) -> tuple[float, float]:
        half = self.t_crit * self.slope_se
        return (self.slope - half, self.slope + half)

    def predict(self, x: ArrayLike) -> Prediction:
        """Fitted y at ``x`` with the ``conf`` confidence band of the mean (for figures)."""
        xx = np.atleast_1d(np.asarray(x, dtype=np.float64))
        log_fit = self.intercept + self.slope * xx
        n = max(self.n, 1)
        se = np.sqrt(self.resid_var * (1.0 / n + (xx - self.x_mean) ** 2 / self.sxx))
        half = self.t_crit * se
        return Prediction(xx, 10.0**log_fit, 10.0 ** (log_fit - half), 10.0 ** (log_fit + half))

    def to_dict(self) -> dict[str, float | int | str | list[float]]:
        return {
            "growth_per_year": self.growth_per_year,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "doubling_months": self.doubling_months,
            "doubling_ci_low": self.doubling_ci_low,
            "doubling_ci_high": self.doubling_ci_high,
            "slope_log10_per_year": self.slope,
            "slope_se": self.slope_se,
            "intercept": self.intercept,
            "r2": self.r2,
            "n": self.n,
            "period": [self.period[0], self.period[1]],
            "conf": self.conf,
        }


def _valid(x: FloatArray, y: FloatArray) -> NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        return np.isfinite(x) & np.isfinite(y) & (y > 0)


def _as_1d(v: ArrayLike, name: str) -> FloatArray:
    from trainlca.errors import ParameterError

    a = np.asarray(v, dtype=np.float64)
    if a.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, got shape {a.shape}")
    return a


def _pow10(x: float) -> float:
    """10**x as a float, inf where it overflows (a near-vertical fit on degenerate data: e.g.
    1e-243 FLOP beside 1e22 FLOP a year apart) instead of Python's OverflowError."""
    try:
        return float(10.0**x)
    except OverflowError:
        return math.inf


def _nan_fit(n: int, period: tuple[float, float], conf: float) -> TrendFit:
    nan = math.nan
    return TrendFit(nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, n, period, conf)


def fit_log_trend(x_years: ArrayLike, y: ArrayLike, *, conf: float = DEFAULT_CONF) -> TrendFit:
    """Least squares of log10(y) on decimal years x, with ``conf`` intervals.

    Points where y ≤ 0 or x/y is NaN are dropped (``n`` counts the rest). Fewer than 2 points or
    a single distinct x give an all-NaN fit (no error: a scenario may legitimately be empty).
    """
    conf = _check_conf(conf)
    x = _as_1d(x_years, "x")
    yy = _as_1d(y, "y")
    if x.shape != yy.shape:
        from trainlca.errors import ParameterError

        raise ParameterError(f"x and y differ in length ({x.shape[0]} vs {yy.shape[0]})")
    ok = _valid(x, yy)
    x, ly = x[ok], np.log10(yy[ok])
    n = int(x.shape[0])
    period = (float(x.min()), float(x.max())) if n else (math.nan, math.nan)
    if n < 2:
        return _nan_fit(n, period, conf)
    xm, ym = float(x.mean()), float(ly.mean())
    dx = x - xm
    # sums by math.fsum (exactly rounded), not BLAS dot products: a fit is then the same
    # number, bit for bit, whatever BLAS numpy ships with (OpenBLAS kernels sum in other orders)
    sxx = math.fsum(dx * dx)
    if sxx <= 0:
        return _nan_fit(n, period, conf)
    dy = ly - ym
    b = math.fsum(dx * dy) / sxx
    a = ym - b * xm
    resid = dy - b * dx
    sse = math.fsum(resid * resid)
    syy = math.fsum(dy * dy)
    r2 = 1.0 - sse / syy if syy > 0 else 1.0
    dof = n - 2
    resid_var = sse / dof if dof > 0 else math.nan
    se = math.sqrt(resid_var / sxx) if dof > 0 else math.nan
    t = _scalar(_t_quantile(conf, dof))
    b_lo, b_hi = b - t * se, b + t * se
    return TrendFit(
        slope=b,
        intercept=a,
        slope_se=se,
        growth_per_year=_pow10(b),
        ci_low=_pow10(b_lo),
        ci_high=_pow10(b_hi),
        doubling_months=_scalar(doubling_months(b)),
        # A larger slope doubles faster: the low end of the doubling CI comes from b_hi.
        doubling_ci_low=_scalar(doubling_months(b_hi)),
        doubling_ci_high=_scalar(doubling_months(b_lo)),
        r2=r2,
        n=n,
        period=period,
        conf=conf,
        x_mean=xm,
        sxx=sxx,
        resid_var=resid_var,
        t_crit=t,
    )


def fit_flags(r2: float, n: float, ci_low: float = math.nan,
              ci_high: float = math.nan) -> tuple[str, ...]:
    """Why a fit should not be read as a trend (empty when it can), in display words.

    ``"no fit"`` (NaN R², e.g. fewer than 2 points or one distinct x), ``"n < 10"``
    (``MIN_FIT_N``), ``"R² < 0.1"`` (``WEAK_R2``), ``"CI includes ×1"`` (the growth's
    confidence interval contains no change). NaN CI bounds (n = 2) add no flag.
    """
    if not math.isfinite(r2) or not n:
        return ("no fit",)
    flags: list[str] = []
    if n < MIN_FIT_N:
        flags.append(f"n < {MIN_FIT_N}")
    if r2 < WEAK_R2:
        flags.append(f"R² < {WEAK_R2:g}")
    if ci_low <= 1.0 <= ci_high:
        flags.append("CI includes ×1")
    return tuple(flags)


def halving_months(slope: ArrayLike) -> FloatArray:
    """Halving time in months of a declining log10 slope: ``12·log10(2)/−b``; inf when b ≥ 0."""
    return doubling_months(-np.asarray(slope, dtype=np.float64))


# --- Monte Carlo ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawFit:
    """The log-linear trend fitted on every Monte Carlo draw (see module docstring).

    Attributes:
        slope, slope_se, r2, n: per-draw arrays shaped (draws,).
        growth_p5/p50/p95: percentiles of 10^slope over the draws (parameter uncertainty).
        growth_ci_low/high: combined ``conf`` interval (parameter + regression uncertainty).
        doubling_p5/p50/p95, doubling_ci_low/high: the same for the doubling time in months
            (inf where the slope is ≤ 0).
    """

    slope: FloatArray
    slope_se: FloatArray
    r2: FloatArray
    n: NDArray[np.int64]
    growth_p5: float
    growth_p50: float
    growth_p95: float
    growth_ci_low: float
    growth_ci_high: float
    doubling_p5: float
    doubling_p50: float
    doubling_p95: float
    doubling_ci_low: float
    doubling_ci_high: float
    conf: float = DEFAULT_CONF
    samples_per_draw: int = 0

    @property
    def draws(self) -> int:
        return int(self.slope.shape[0])

    @property
    def growth(self) -> FloatArray:
        """10^slope for every draw."""
        return np.asarray(10.0**self.slope, dtype=np.float64)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "growth_p5": self.growth_p5,
            "growth_p50": self.growth_p50,
            "growth_p95": self.growth_p95,
            "growth_ci_low": self.growth_ci_low,
            "growth_ci_high": self.growth_ci_high,
            "doubling_p5": self.doubling_p5,
            "doubling_p50": self.doubling_p50,
            "doubling_p95": self.doubling_p95,
            "doubling_ci_low": self.doubling_ci_low,
            "doubling_ci_high": self.doubling_ci_high,
            "draws": self.draws,
            "n_min": int(self.n.min()) if self.n.size else 0,
            "n_max": int(self.n.max()) if self.n.size else 0,
            "conf": self.conf,
            "samples_per_draw": self.samples_per_draw,
        }


def _nanpct(a: FloatArray, q: float) -> float:
    finite = a[~np.isnan(a)]
    return float(np.percentile(finite, q)) if finite.size else math.nan


def _shared_mask(x: ArrayLike, ok: NDArray[np.bool_]) -> NDArray[np.bool_] | None:
    """The valid-run mask when x is one row shared by every draw and every draw keeps the same
    runs (the usual case in the study), else None."""
    if np.ndim(x) != 1 or ok.shape[0] == 0:
        return None
    first = ok[0]
    return first if bool((ok == first).all()) else None


def _ls_shared_x(
    x: FloatArray, yy: FloatArray, keep: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per-draw least squares when every draw shares x and the valid runs ``keep``: a
    matrix-vector product and in-place updates, so only two (draws, runs) temporaries."""
    draws = yy.shape[0]
    xv = x[keep]
    m = float(xv.size)
    ly = np.log10(yy[:, keep])  # a copy (boolean index), then updated in place
    dxv = xv - (xv.sum() / m if m else 0.0)
    sxx_s = math.fsum(dxv * dxv)
    ly -= (ly.sum(axis=1) / m)[:, None]
    syy = np.einsum("ij,ij->i", ly, ly)
    # einsum, not a BLAS matrix-vector product: each draw's slope is then the same whether it
    # is computed alone or with other draws (a blocked study gives the unblocked result).
    b = np.einsum("ij,j->i", ly, dxv) / sxx_s
    ly -= b[:, None] * dxv
    sse = np.einsum("ij,ij->i", ly, ly)
    return np.full(draws, m), np.full(draws, sxx_s), syy, b, sse


def _ls_masked(
    xx: FloatArray, yy: FloatArray, ok: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per-draw least squares with a per-draw mask of valid cells (general case)."""
    w = ok.astype(np.float64)
    xs = np.where(ok, xx, 0.0)
    ly = np.where(ok, np.log10(np.where(ok, yy, 1.0)), 0.0)
    n = w.sum(axis=1)
    xm = xs.sum(axis=1) / n
    ym = ly.sum(axis=1) / n
    dx = (xs - xm[:, None]) * w
    dy = (ly - ym[:, None]) * w
    sxx = (dx * dx).sum(axis=1)
    syy = (dy * dy).sum(axis=1)
    b = (dx * dy).sum(axis=1) / sxx
    resid = dy - b[:, None] * dx
    sse = (resid * resid).sum(axis=1)
    return n, sxx, syy, b, sse


def _check_draws_shape(x: ArrayLike, yy: FloatArray) -> FloatArray:
    """x broadcast to Y's (draws, runs); a wrong shape is a caller's bug, not a user error."""
    if yy.ndim != 2:
        raise AssertionError(f"fit_draws: Y must be shaped (draws, runs), got {yy.shape}")
    try:
        return np.broadcast_to(np.asarray(x, dtype=np.float64), yy.shape)
    except ValueError:
        raise AssertionError(
            f"fit_draws: x of shape {np.shape(x)} does not broadcast to Y's {yy.shape}"
        ) from None


@functools.lru_cache(maxsize=2)
def _t_matrix(draws: int, k: int, seed: int, dof: bytes) -> FloatArray:
    """Student-t samples shaped (draws, k), row d on ``dof[d]`` degrees of freedom (the float64
    bytes of a (draws,) array), from ``default_rng(seed)``; read-only, cached: the fits of one
    study share draws, seed and (almost always) degrees of freedom. At most 2 × 32 MB kept."""
    df_ = np.frombuffer(dof, dtype=np.float64)
    t = np.random.default_rng(seed).standard_t(df_[:, None], size=(draws, k))
    t.flags.writeable = False
    return t


def _pooled_interval(b: FloatArray, se: FloatArray, dof: FloatArray, alpha: float, k: int,
                     seed: int) -> tuple[float, float]:
    """``alpha`` and 100 − ``alpha`` percentiles of the slopes b_d + se_d · T_{dof_d}, k per
    draw (log10/yr); draws whose se is NaN (n ≤ 2) contribute their b only."""
    df_ = np.where(dof >= 1, dof, 1.0)
    t = _t_matrix(int(b.shape[0]), k, seed, df_.tobytes())
    pooled = (b[:, None] + np.where(np.isnan(se), 0.0, se)[:, None] * t).ravel()
    finite = pooled[~np.isnan(pooled)]
    if not finite.size:
        return math.nan, math.nan
    lo, hi = np.percentile(finite, [alpha, 100.0 - alpha])
    return float(lo), float(hi)


@dataclass(frozen=True)
class DrawStats:
    """Least-squares statistics of log10(Y[d]) on x for each draw d, (draws,) each: what a
    :class:`DrawFit` is made of. Draws are independent, so the statistics of blocks of draws
    concatenate (:meth:`concat`) into those of all the draws."""

    n: FloatArray
    sxx: FloatArray
    syy: FloatArray
    b: FloatArray
    sse: FloatArray

    @staticmethod
    def concat(parts: Sequence[DrawStats]) -> DrawStats:
        return DrawStats(*(np.concatenate([getattr(q, f) for q in parts])
                           for f in ("n", "sxx", "syy", "b", "sse")))


def draw_stats(x: ArrayLike, Y: ArrayLike) -> DrawStats:
    """The per-draw least-squares statistics of ``Y`` (draws, runs) on ``x`` (runs,); cells
    ≤ 0 or NaN are dropped per draw.

    Raises:
        AssertionError: Y is not 2-D or x does not broadcast to it (a caller's bug).
    """
    yy = np.asarray(Y, dtype=np.float64)
    xx = _check_draws_shape(x, yy)
    ok = _valid(xx, yy)
    with np.errstate(divide="ignore", invalid="ignore"):
        shared = _shared_mask(x, ok)
        if shared is not None:
            return DrawStats(*_ls_shared_x(np.asarray(x, dtype=np.float64), yy, shared))
        return DrawStats(*_ls_masked(xx, yy, ok))


def fit_draws(
    x: ArrayLike,
    Y: ArrayLike,
    *,
    conf: float = DEFAULT_CONF,
    samples_per_draw: int = 200,
    seed: int = DRAWS_SEED,
) -> DrawFit:
    """Fit log10(Y[d]) = a_d + b_d · x for every draw d at once (closed form, no loop).

    Args:
        x: decimal years, shaped (runs,) or broadcastable to Y.
        Y: impacts shaped (draws, runs); cells ≤ 0 or NaN are dropped per draw.
        conf: level of the combined interval.
        samples_per_draw: t-samples of the slope per draw for the combined interval (capped so
            that draws × samples ≤ ``MAX_POOLED``).
        seed: seed of those samples.
    Raises:
        AssertionError: Y is not 2-D or x does not broadcast to it (a caller's bug).
    """
    return fit_stats(draw_stats(x, Y), conf=conf, samples_per_draw=samples_per_draw,
                     seed=seed)


def fit_stats(stats: DrawStats, *, conf: float = DEFAULT_CONF, samples_per_draw: int = 200,
              seed: int = DRAWS_SEED) -> DrawFit:
    """The :class:`DrawFit` of per-draw statistics (:func:`draw_stats`, possibly of blocks of
    draws concatenated)."""
    conf = _check_conf(conf)
    n, sxx, syy, b, sse = stats.n, stats.sxx, stats.syy, stats.b, stats.sse
    with np.errstate(divide="ignore", invalid="ignore"):
        dof = n - 2
        se = np.where(dof > 0, np.sqrt(sse / np.where(dof > 0, dof, 1.0) / sxx), np.nan)
        r2 = np.where(syy > 0, 1.0 - sse / syy, 1.0)
    bad = (n < 2) | ~(sxx > 0)
    b = np.where(bad, np.nan, b)
    se = np.where(bad, np.nan, se)
    r2 = np.where(bad, np.nan, r2)

    # Percentiles are taken on the slope and mapped through the monotone 10^b and 12·log10(2)/b
    # (so inf doubling times never enter an interpolation).
    b5, b50, b95 = (_nanpct(b, q) for q in (5.0, 50.0, 95.0))
    alpha = (1.0 - conf) / 2.0 * 100.0
    # Combined interval: regression uncertainty on top of the parameter spread.
    draws = int(b.shape[0])
    k = max(1, min(int(samples_per_draw), MAX_POOLED // max(draws, 1)))
    b_lo, b_hi = _pooled_interval(b, se, dof, alpha, k, seed)

    return DrawFit(
        slope=b,
        slope_se=se,
        r2=r2,
        n=n.astype(np.int64),
        growth_p5=_pow10(b5),
        growth_p50=_pow10(b50),
        growth_p95=_pow10(b95),
        growth_ci_low=_pow10(b_lo),
        growth_ci_high=_pow10(b_hi),
        # doubling time decreases with b: its p5 comes from the slope's p95
        doubling_p5=_scalar(doubling_months(b95)),
        doubling_p50=_scalar(doubling_months(b50)),
        doubling_p95=_scalar(doubling_months(b5)),
        doubling_ci_low=_scalar(doubling_months(b_hi)),
        doubling_ci_high=_scalar(doubling_months(b_lo)),
        conf=conf,
        samples_per_draw=k,
    )


# --- Rebound decomposition ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rebound:
    """Growth of compute, of hardware efficiency and of energy, fitted on the same runs.

    With E = C / η, log E = log C − log η, so by linearity of least squares
    ``b_energy = b_compute − b_efficiency`` exactly on the same points. ``residual`` is
    ``b_energy − (b_compute − b_efficiency)`` (log10 per year): zero when energy is compute over
    efficiency; otherwise the trend of whatever else multiplies energy (utilisation, PUE, host
    power). ``implied_energy_growth`` = 10^(b_compute − b_efficiency).
    """

    compute: TrendFit
    efficiency: TrendFit
    energy: TrendFit
    residual: float
    implied_energy_growth: float

    def to_dict(self) -> dict[str, object]:
        return {
            "compute": self.compute.to_dict(),
            "efficiency": self.efficiency.to_dict(),
            "energy": self.energy.to_dict(),
            "residual_log10_per_year": self.residual,
            "implied_energy_growth": self.implied_energy_growth,
        }


def rebound(
    x: ArrayLike,
    compute_flop: ArrayLike,
    energy_kwh: ArrayLike,
    efficiency_flop_per_j: ArrayLike,
    *,
    conf: float = DEFAULT_CONF,
) -> Rebound:
    """Decompose the energy trend into compute growth and hardware-efficiency growth.

    The three fits use the same rows: those where x is finite and compute, energy and
    efficiency are all > 0 (so the identity is exact up to rounding when E = C/η).
    """
    xx = _as_1d(x, "x")
    c = _as_1d(compute_flop, "compute_flop")
    e = _as_1d(energy_kwh, "energy_kwh")
    eff = _as_1d(efficiency_flop_per_j, "efficiency_flop_per_j")
    if not (xx.shape == c.shape == e.shape == eff.shape):
        from trainlca.errors import ParameterError

        raise ParameterError("rebound: x, compute, energy and efficiency differ in length")
    ok = _valid(xx, c) & _valid(xx, e) & _valid(xx, eff)
    fc = fit_log_trend(xx[ok], c[ok], conf=conf)
    fe = fit_log_trend(xx[ok], e[ok], conf=conf)
    fh = fit_log_trend(xx[ok], eff[ok], conf=conf)
    residual = fe.slope - (fc.slope - fh.slope)
    return Rebound(fc, fh, fe, residual, _pow10(fc.slope - fh.slope))


# --- Per-group fits ----------------------------------------------------------------------------


def fit_by_group(
    x: ArrayLike,
    y: ArrayLike,
    groups: Sequence[object] | ArrayLike,
    *,
    min_n: int = 20,
    sep: str | None = None,
    conf: float = DEFAULT_CONF,
) -> dict[str, TrendFit]:
    """One trend per group label (e.g. Epoch's ``Domain``), keeping groups with n ≥ ``min_n``.

    Args:
        x, y: decimal years and values (same length as ``groups``; pandas Series work too).
        groups: a label per point; missing labels (None, NaN, "") are skipped.
        min_n: smallest number of *valid* points (y > 0) a group needs to be reported.
        sep: if given, a label like "Language,Vision" is split on ``sep`` and the point counts
            in every group it names (Epoch lists several domains per system).
    Returns:
        ``{label: TrendFit}`` sorted by label.
    """
    xx = _as_1d(x, "x")
    yy = _as_1d(y, "y")
    labels = list(np.asarray(groups, dtype=object).ravel())
    if not (len(labels) == xx.shape[0] == yy.shape[0]):
        from trainlca.errors import ParameterError

        raise ParameterError("fit_by_group: x, y and groups differ in length")
    members: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        if lab is None or (isinstance(lab, float) and math.isnan(lab)):
            continue
        text = str(lab).strip()
        parts = [p.strip() for p in text.split(sep)] if sep else [text]
        for p in dict.fromkeys(parts):
            if p:
                members.setdefault(p, []).append(i)
    ok = _valid(xx, yy)
    out: dict[str, TrendFit] = {}
    for lab in sorted(members):
        idx = np.asarray(members[lab], dtype=np.int64)
        if int(ok[idx].sum()) < min_n:
            continue
        out[lab] = fit_log_trend(xx[idx], yy[idx], conf=conf)
    return out
