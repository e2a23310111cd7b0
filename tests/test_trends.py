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


# --- Reference values, speed-ups and shapes -----------------------------------------------------


def _reference_draws() -> np.ndarray:
    rng = np.random.default_rng(1)
    y = exact(X)[None, :] * 10 ** rng.normal(0, 0.3, (300, X.size))
    y[3, 5] = np.nan
    y[7, [1, 2]] = 0.0
    return y


def _summary(d):  # type: ignore[no-untyped-def]
    return (d.growth_p5, d.growth_p50, d.growth_p95, d.growth_ci_low, d.growth_ci_high,
            d.doubling_ci_low, d.doubling_ci_high, d.samples_per_draw)


def test_fit_draws_bit_identical_to_values_before_the_t_matrix_cache() -> None:
    # Computed with trainlca at commit e2c92fe (scipy.stats.t.ppf, a fresh t matrix per call):
    # the cache and stdtrit must give the same floats, to the last bit; since the quantile is
    # trainlca.student_t's, the point fit's t_crit is 1 ulp from scipy's (its CI is unchanged).
    Y = _reference_draws()
    assert _summary(fit_draws(X, Y)) == (
        1.8957202460988667, 1.9923085551547837, 2.1073424432438994, 1.8211069476511899,
        2.1858590995843, 10.636408137864292, 13.875789604515038, 200)
    assert _summary(fit_draws(X[:3], Y[:, :3])) == (
        0.4016485788602779, 1.8764189332826096, 8.409289309681519, 0.00010882081757258699,
        26052.180043987053, 0.8180451777704493, math.inf, 200)
    assert _summary(fit_draws(X, np.tile(Y[0], (40, 1)))) == (
        1.898797475782223, 1.898797475782223, 1.898797475782223, 1.797404027812003,
        2.007676428119074, 11.934043255615041, 14.185826809741219, 200)
    d = fit_draws(X, Y, seed=7, samples_per_draw=50)
    assert (d.growth_ci_low, d.growth_ci_high) == (1.816956618484442, 2.185543549996225)
    f = fit_log_trend(X, Y[0])
    assert (f.ci_low, f.ci_high, f.t_crit) == (1.7966149252094, 2.0067916632812786,
                                               2.055529438642874)  # 1 ulp from scipy's


def test_t_quantile_matches_scipy_stats() -> None:
    from trainlca.trends import _t_quantile

    dof = np.array([1, 2, 3, 4.5, 10, 27, 50, 292, 1e4, 1e6])
    for conf in (0.9, 0.95, 0.99):
        np.testing.assert_allclose(_t_quantile(conf, dof), stats.t.ppf(0.5 + conf / 2, dof),
                                   rtol=1e-11)
    assert np.isnan(_t_quantile(0.95, 0.0))
    assert _t_quantile(0.95, np.array([[3.0, 0.5]])).shape == (1, 2)


@pytest.mark.parametrize("nu", [1, 2, 3, 4, 5, 7, 10, 20, 50, 99, 100, 101, 199.5, 292, 1000,
                                1e4, 1e5, 1e6, 0.5, 2.5])
def test_student_t_quantile_against_scipy(nu: float) -> None:
    from scipy.special import stdtr, stdtrit

    from trainlca.student_t import t_quantile, t_upper_tail

    tol = 1e-12 if nu <= 1000 else 1e-11
    for p in (0.55, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9999, 1 - 1e-6):
        assert t_quantile(p, nu) == pytest.approx(float(stdtrit(nu, p)), rel=tol), p
        assert t_quantile(1 - p, nu) == -t_quantile(p, nu)
        t = float(stdtrit(nu, p))
        assert t_upper_tail(t, nu) == pytest.approx(1 - float(stdtr(nu, t)), rel=1e-10)
    assert t_quantile(0.5, nu) == 0.0


def test_student_t_near_the_median_and_edges() -> None:
    import math

    from trainlca.student_t import t_quantile

    # the density at 0 for nu = 4 is Γ(5/2) / (√(4π) Γ(2)) = 3/8: t ≈ (p − ½) / (3/8)
    p = 0.5000001
    assert t_quantile(p, 4.0) == pytest.approx((p - 0.5) / 0.375, rel=1e-9)
    assert t_quantile(0.975, 1.0) == pytest.approx(math.tan(math.pi * 0.475), rel=1e-14)
    assert all(math.isnan(t_quantile(p, nu)) for p, nu in ((0.0, 3), (1.0, 3), (0.9, 0),
                                                           (0.9, math.nan), (math.nan, 3)))


def test_the_t_matrix_is_drawn_once_per_shape_dof_and_seed() -> None:
    from trainlca.trends import _t_matrix

    Y = _reference_draws()
    _t_matrix.cache_clear()
    first = fit_draws(X, Y)
    for scale in (2.0, 5.0, 0.1):  # other criteria of the same study: same draws and runs
        fit_draws(X, Y * scale)
    assert _t_matrix.cache_info().misses == 1 and _t_matrix.cache_info().hits == 3
    fit_draws(X, Y, seed=8)
    assert _t_matrix.cache_info().misses == 2
    assert _summary(fit_draws(X, Y)) == _summary(first)


def test_no_scipy_stats_import_on_any_path() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from trainlca.trends import fit_log_trend, fit_draws, rebound, fit_by_group\n"
        "x = np.linspace(2013, 2025, 30); y = 10 ** (0.3 * (x - 2013))\n"
        "fit_log_trend(x, y); fit_draws(x, np.tile(y, (20, 1))); rebound(x, y, y, y)\n"
        "fit_by_group(x, y, ['a'] * 30, min_n=3)\n"
        "from trainlca.cards import card_table, card_trend\n"
        "card_trend(card_table())\n"
        "assert 'scipy.stats' not in sys.modules, 'scipy.stats imported'\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("bad", [exact(X), exact(X)[None, None, :], 3.0])
def test_fit_draws_wants_draws_by_runs(bad: np.ndarray) -> None:
    # A wrong shape is a caller's bug: AssertionError (exit 1 in the CLI), not a user error.
    with pytest.raises(AssertionError, match=r"\(draws, runs\)"):
        fit_draws(X, bad)
    with pytest.raises(AssertionError, match="broadcast"):
        fit_draws(X[:5], np.tile(exact(X), (4, 1)))


# --- Declining, flat and degenerate series; flags ------------------------------------------------


def test_flat_series_is_growth_one_and_flagged() -> None:
    from trainlca.trends import fit_flags

    f = fit_log_trend(X, np.full(X.size, 7.0))
    assert f.growth_per_year == 1.0 and f.ci_low == 1.0 and f.ci_high == 1.0
    assert f.doubling_months == math.inf and f.r2 == 1.0
    assert fit_flags(f.r2, f.n, f.ci_low, f.ci_high) == ("CI includes ×1",)


def test_halving_time_of_a_decline() -> None:
    from trainlca.trends import halving_months

    f = fit_log_trend(X, 1.0 / exact(X))
    assert float(halving_months(f.slope)) == pytest.approx(12 * math.log10(2) / 0.3)
    assert float(halving_months(0.3)) == math.inf


def test_fit_flags_name_each_reason() -> None:
    from trainlca.trends import MIN_FIT_N, WEAK_R2, fit_flags

    assert fit_flags(0.9, 50, 1.5, 2.5) == ()
    assert fit_flags(WEAK_R2 / 2, 50, 1.5, 2.5) == ("R² < 0.1",)
    assert fit_flags(0.9, MIN_FIT_N - 1, 1.5, 2.5) == ("n < 10",)
    assert fit_flags(0.9, 50, 0.8, 2.5) == ("CI includes ×1",)
    assert fit_flags(0.9, 50, 0.2, 0.9) == ()  # a significant decline is a trend
    assert fit_flags(math.nan, 1) == ("no fit",)
    assert fit_flags(1.0, 2) == ("n < 10",)  # n = 2: no CI, no CI flag
    rng = np.random.default_rng(4)
    noise = fit_log_trend(X, 10 ** rng.normal(0, 1, X.size))  # no trend at all
    assert "R² < 0.1" in fit_flags(noise.r2, noise.n, noise.ci_low, noise.ci_high)
