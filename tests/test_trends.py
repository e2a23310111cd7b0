"""Trend fits (METHOD §7) on synthetic data with known answers, cross-checked against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from trainlca.errors import TrainLCAError
from trainlca.trends import doubling_months, fit_by_group, fit_draws, fit_log_trend, rebound

X = np.linspace(2013.0, 2026.5, 28)


def exact(x: np.ndarray) -> np.ndarray:
    return 5.0 * 10 ** (0.3 * (x - 2013.0))


def test_exact_data_recovers_growth_doubling_and_r2() -> None:
    f = fit_log_trend(X, exact(X))
    assert f.growth_per_year == pytest.approx(10**0.3, rel=1e-9)
    assert f.growth_per_year == pytest.approx(1.995, abs=5e-4)
    assert f.doubling_months == pytest.approx(12 * math.log10(2) / 0.3, rel=1e-9)
    assert f.doubling_months == pytest.approx(12.04, abs=5e-3)
    assert f.r2 == pytest.approx(1.0, abs=1e-12)
    assert f.n == 28
    assert f.period == (2013.0, 2026.5)
    assert f.period_label == "2013.0–2026.5"
    assert f.ci_low == pytest.approx(f.growth_per_year, rel=1e-6)
    assert f.ci_high == pytest.approx(f.growth_per_year, rel=1e-6)
    p = f.predict([2013.0, 2023.0])
    assert p.fit == pytest.approx([5.0, 5e3], rel=1e-9)


def test_drops_nonpositive_and_nan() -> None:
    y = exact(X)
    y[[0, 3, 5]] = [0.0, -1.0, np.nan]
    f = fit_log_trend(X, y)
    assert f.n == 25
    assert f.growth_per_year == pytest.approx(10**0.3, rel=1e-9)
    assert f.period[0] == X[1]


def test_ci_matches_scipy_linregress_by_hand() -> None:
    rng = np.random.default_rng(7)
    y = exact(X) * 10 ** rng.normal(0.0, 0.25, X.size)
    f = fit_log_trend(X, y)
    r = stats.linregress(X, np.log10(y))
    t = stats.t.ppf(0.975, X.size - 2)
    assert f.slope == pytest.approx(r.slope, rel=1e-12)
    assert f.slope_se == pytest.approx(r.stderr, rel=1e-10)
    assert f.r2 == pytest.approx(r.rvalue**2, rel=1e-12)
    assert f.ci_low == pytest.approx(10 ** (r.slope - t * r.stderr), rel=1e-12)
    assert f.ci_high == pytest.approx(10 ** (r.slope + t * r.stderr), rel=1e-12)
    assert f.doubling_ci_low == pytest.approx(12 * math.log10(2) / (r.slope + t * r.stderr))
    assert f.doubling_ci_high == pytest.approx(12 * math.log10(2) / (r.slope - t * r.stderr))


def test_noisy_ci_covers_truth_at_about_95_percent() -> None:
    rng = np.random.default_rng(11)
    truth = 10**0.3
    hits = 0
    trials = 400
    for _ in range(trials):
        y = exact(X) * 10 ** rng.normal(0.0, 0.4, X.size)
        f = fit_log_trend(X, y)
        hits += f.ci_low <= truth <= f.ci_high
    assert 0.92 <= hits / trials <= 0.98


def test_prediction_band_contains_the_line_and_widens_away_from_mean() -> None:
    rng = np.random.default_rng(3)
    f = fit_log_trend(X, exact(X) * 10 ** rng.normal(0, 0.2, X.size))
    p = f.predict([2013.0, 2019.75, 2026.5])
    assert np.all(p.low < p.fit) and np.all(p.fit < p.high)
    width = np.log10(p.high / p.low)
    assert width[1] < width[0] and width[1] < width[2]


def test_declines_and_degenerate_inputs_are_nan_safe() -> None:
    f = fit_log_trend(X, 1.0 / exact(X))
    assert f.growth_per_year == pytest.approx(10**-0.3)
    assert f.doubling_months == math.inf
    assert doubling_months(0.0) == math.inf
    assert math.isnan(float(doubling_months(math.nan)))
    one = fit_log_trend([2020.0], [3.0])
    assert one.n == 1 and math.isnan(one.growth_per_year)
    same_x = fit_log_trend([2020.0, 2020.0, 2020.0], [1.0, 2.0, 3.0])
    assert math.isnan(same_x.slope)
    two = fit_log_trend([2020.0, 2021.0], [1.0, 2.0])
    assert two.growth_per_year == pytest.approx(2.0) and math.isnan(two.ci_low)
    with pytest.raises(TrainLCAError):
        fit_log_trend([1.0, 2.0], [1.0])
    with pytest.raises(TrainLCAError):
        fit_log_trend(X, exact(X), conf=1.5)


# --- Monte Carlo ------------------------------------------------------------------------------


def test_fit_draws_identical_draws_collapse_to_point() -> None:
    rng = np.random.default_rng(5)
    y = exact(X) * 10 ** rng.normal(0, 0.2, X.size)
    point = fit_log_trend(X, y)
    d = fit_draws(X, np.tile(y, (50, 1)))
    for v in (d.growth_p5, d.growth_p50, d.growth_p95):
        assert v == pytest.approx(point.growth_per_year, rel=1e-12)
    assert d.doubling_p50 == pytest.approx(point.doubling_months, rel=1e-12)
    # The combined interval then reduces to the t-interval of the single fit (sampled).
    assert d.growth_ci_low == pytest.approx(point.ci_low, rel=5e-3)
    assert d.growth_ci_high == pytest.approx(point.ci_high, rel=5e-3)


def test_fit_draws_equals_a_per_draw_loop_with_per_draw_masks() -> None:
    rng = np.random.default_rng(9)
    Y = exact(X)[None, :] * 10 ** rng.normal(0, 0.3, (6, X.size))
    Y[1, 4] = np.nan
    Y[2, [0, 7]] = 0.0
    d = fit_draws(X, Y)
    for i in range(Y.shape[0]):
        f = fit_log_trend(X, Y[i])
        assert d.slope[i] == pytest.approx(f.slope, rel=1e-10)
        assert d.slope_se[i] == pytest.approx(f.slope_se, rel=1e-9)
        assert d.r2[i] == pytest.approx(f.r2, rel=1e-10)
        assert d.n[i] == f.n
    assert d.growth_p50 == pytest.approx(10 ** np.percentile(d.slope, 50))


def test_fit_draws_combined_interval_is_wider_and_seeded() -> None:
    rng = np.random.default_rng(1)
    Y = exact(X)[None, :] * 10 ** rng.normal(0, 0.3, (300, X.size))
    a = fit_draws(X, Y)
    b = fit_draws(X, Y)
    assert a.growth_ci_low == b.growth_ci_low and a.growth_ci_high == b.growth_ci_high
    assert a.growth_ci_low < a.growth_p5 < a.growth_p50 < a.growth_p95 < a.growth_ci_high


# --- Rebound and groups -----------------------------------------------------------------------


def test_rebound_identity_exact_when_energy_is_compute_over_efficiency() -> None:
    rng = np.random.default_rng(2)
    compute = 1e20 * 10 ** (0.6 * (X - 2013) + rng.normal(0, 0.5, X.size))
    eff = 1e10 * 10 ** (0.12 * (X - 2013) + rng.normal(0, 0.1, X.size))
    energy_kwh = compute / eff / 3.6e6
    r = rebound(X, compute, energy_kwh, eff)
    assert abs(r.residual) < 1e-9
    assert r.energy.slope == pytest.approx(r.compute.slope - r.efficiency.slope, abs=1e-9)
    assert r.implied_energy_growth == pytest.approx(r.energy.growth_per_year, rel=1e-9)
    # extra overhead growing 5 %/yr shows up as the residual
    r2 = rebound(X, compute, energy_kwh * 1.05 ** (X - 2013), eff)
    assert r2.residual == pytest.approx(math.log10(1.05), abs=1e-9)


def test_fit_by_group_keeps_groups_with_enough_points() -> None:
    x = np.concatenate([X, X, X[:10]])
    y = np.concatenate([exact(X), exact(X) ** 0.5, exact(X[:10])])
    g = ["Language"] * 28 + ["Vision"] * 28 + ["Games"] * 10
    fits = fit_by_group(x, y, g)
    assert sorted(fits) == ["Language", "Vision"]
    assert fits["Language"].growth_per_year == pytest.approx(10**0.3)
    assert fits["Vision"].growth_per_year == pytest.approx(10**0.15)
    multi = fit_by_group(X, exact(X), ["Language,Vision"] * 20 + [None] * 8, sep=",")
    assert sorted(multi) == ["Language", "Vision"] and multi["Vision"].n == 20


def test_degenerate_fit_gives_inf_ci_not_overflow_error() -> None:
    # 1e-243 FLOP beside 1e22 FLOP a year apart: slope ≈ 265 decades/yr; 10**(b + t·se)
    # overflows a float. The fit reports inf instead of raising OverflowError.
    f = fit_log_trend([2013.0, 2014.0, 2014.0], [4.7e-243, 1e22, 7.0])
    assert math.isinf(f.ci_high) and f.ci_high > 0
    assert math.isfinite(f.slope)
