"""Monte Carlo: reproducibility, intervals, narrowing, sensitivity, bounds on --draws."""

from __future__ import annotations

import numpy as np
import pytest

from trainlca.api import estimate
from trainlca.errors import ParameterError
from trainlca.params import DEFAULTS
from trainlca.uncertainty import check_draws, check_seed, sample, spearman

RUN = {"count": 1024, "hours": 720, "country": "USA"}


def test_same_seed_bit_identical_different_seed_differs() -> None:
    a = estimate("H100 SXM5", **RUN, draws=500, seed=7)
    b = estimate("H100 SXM5", **RUN, draws=500, seed=7)
    c = estimate("H100 SXM5", **RUN, draws=500, seed=8)
    assert a.to_dict() == b.to_dict()
    assert a.intervals["gwp"]["total"] != c.intervals["gwp"]["total"]


def test_intervals_ordered_and_contain_point_estimate() -> None:
    e = estimate("H100 SXM5", **RUN, draws=2000)
    for c in ("gwp", "adpe", "pe", "wu"):
        iv = e.intervals[c]["total"]
        assert iv.p5 < iv.p50 < iv.p95, c
        assert iv.p5 <= e.impacts[c]["total"] <= iv.p95, c
    assert e.energy_interval is not None
    assert e.energy_interval.p5 < e.energy_kwh < e.energy_interval.p95


def test_fixing_the_dominant_parameter_narrows_the_interval() -> None:
    e = estimate("H100 SXM5", **RUN, draws=2000, with_sensitivity=True)
    top = e.drivers["energy"][0].name
    fixed = estimate("H100 SXM5", **RUN, draws=2000,
                     overrides={top: DEFAULTS[top].value})
    w0 = e.energy_interval.p95 - e.energy_interval.p5  # type: ignore[union-attr]
    w1 = fixed.energy_interval.p95 - fixed.energy_interval.p5  # type: ignore[union-attr]
    assert w1 < 0.9 * w0


def test_draws_are_shared_across_runs() -> None:
    params = {"pue": DEFAULTS["pue"], "rho": DEFAULTS["rho"]}
    s = sample(params, 100, seed=1)
    assert np.asarray(s["pue"]).shape == (100, 1)  # broadcasts over runs: one draw for all


def test_spearman_of_monotone_relation_is_one() -> None:
    x = np.linspace(0, 1, 50)
    assert spearman(x, np.exp(x)) == pytest.approx(1.0)
    assert spearman(x, -x) == pytest.approx(-1.0)


@pytest.mark.parametrize("bad", [-1, 10**9, 2.5, True, "10"])
def test_bad_draws_rejected(bad: object) -> None:
    with pytest.raises(ParameterError):
        check_draws(bad)  # type: ignore[arg-type]


def test_memory_bound_counts_runs() -> None:
    assert check_draws(10_000, 1_000) == 10_000
    with pytest.raises(ParameterError, match="memory bound"):
        check_draws(100_000, 1_000)


@pytest.mark.parametrize("bad", [-3, 1.5, "x"])
def test_bad_seed_rejected(bad: object) -> None:
    with pytest.raises(ParameterError):
        check_seed(bad)  # type: ignore[arg-type]


def test_default_mfu_uncertainty_reaches_flop_runs() -> None:
    free = estimate("A100 SXM4 80 GB", flop=1e22, draws=2000)
    given = estimate("A100 SXM4 80 GB", flop=1e22, mfu=0.35, draws=2000)
    assert free.energy_kwh == pytest.approx(given.energy_kwh)  # same point value
    w_free = free.energy_interval.p95 - free.energy_interval.p5  # type: ignore[union-attr]
    w_given = given.energy_interval.p95 - given.energy_interval.p5  # type: ignore[union-attr]
    assert w_free > 1.3 * w_given


def test_no_host_leaves_hosts_out() -> None:
    full = estimate("A100 SXM4 80 GB", count=8, hours=100, draws=0)
    bare = estimate("A100 SXM4 80 GB", count=8, hours=100, draws=0, include_host=False)
    assert bare.impacts["gwp"]["production_host"] == 0.0
    # (400·0.9) W · 1.2 PUE · 800 h, accelerators only
    assert bare.energy_kwh == pytest.approx(800 * 360 * 1.2 / 1000)
    assert full.energy_kwh > bare.energy_kwh
