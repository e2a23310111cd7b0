"""The study's blocked Monte Carlo gives the unblocked result bit for bit, shares the work of
scenarios with the same hardware, and keeps memory bounded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import trainlca.study_draws as SD
from trainlca.epoch import load_epoch
from trainlca.study import run_study

SMALL = Path(__file__).parent / "data" / "epoch_runs.csv"


@pytest.mark.parametrize("preset", ["default", "mlca"])
def test_blocked_equals_unblocked(monkeypatch: pytest.MonkeyPatch, preset: str) -> None:
    data = load_epoch(SMALL)
    whole = run_study(data, preset=preset, draws=300, seed=11)
    calls: list[str] = []
    monkeypatch.setattr(SD, "BLOCK_CELLS", 7 * 13)  # 13 systems by 7 draws, 7 by 13
    blocked = run_study(data, preset=preset, draws=300, seed=11, progress=calls.append)
    assert any("Monte Carlo fits: draws" in c for c in calls)
    assert any("Monte Carlo intervals: systems" in c for c in calls)
    pd.testing.assert_frame_equal(whole.systems, blocked.systems, check_exact=True)
    pd.testing.assert_frame_equal(whole.trends, blocked.trends, check_exact=True)


def test_the_second_process_gives_the_same_intervals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pass B (the percentiles) in the second process while pass A runs here: the same
    tables bit for bit; a second process that dies leaves the work to this one."""
    import trainlca.worker as W

    data = load_epoch(SMALL)
    whole = run_study(data, draws=300, seed=11)
    monkeypatch.setattr(SD, "BLOCK_CELLS", 7 * 13)
    calls: list[str] = []
    with W.Worker() as w:
        helped = run_study(data, draws=300, seed=11, helper=w, progress=calls.append)
        assert w._done == {1: True}  # the job ran there
    here = [c for c in calls if "Monte Carlo intervals" in c]
    assert here and not any("systems 1–" in c for c in here)  # the first systems: there
    pd.testing.assert_frame_equal(whole.systems, helped.systems, check_exact=True)
    pd.testing.assert_frame_equal(whole.trends, helped.trends, check_exact=True)
    monkeypatch.setattr(W, "_CHILD", "import sys; sys.stdin.readline(); sys.exit(3)")
    with W.Worker() as w:
        fallback = run_study(data, draws=300, seed=11, helper=w, progress=calls.append)
    assert any("Monte Carlo intervals: systems 1–" in c for c in calls)  # done here after all
    pd.testing.assert_frame_equal(whole.systems, fallback.systems, check_exact=True)


def test_energy_is_shared_by_scenarios_of_the_same_hardware() -> None:
    res = run_study(load_epoch(SMALL), draws=100)
    s = res.systems.set_index(["model", "scenario"])
    for a, b in (("baseline", "location-shift"), ("efficient-hardware", "both")):
        ea = s.xs(a, level="scenario")
        eb = s.xs(b, level="scenario")
        for col in ("energy_kwh", "energy_kwh_p5", "energy_kwh_p95"):
            np.testing.assert_array_equal(ea[col].to_numpy(), eb[col].to_numpy())
    t = res.trends[(res.trends["criterion"] == "energy") & (res.trends["domain"] == "all")]
    t = t.set_index("scenario")
    assert t.loc["baseline", "mc_ci_low"] == t.loc["location-shift", "mc_ci_low"]


def test_no_cell_bound_on_the_study() -> None:
    # draws × systems above the old 20 M-cell bound is no longer an error for the study (it
    # works in blocks); the draws themselves stay bounded.
    from trainlca.errors import ParameterError
    from trainlca.uncertainty import check_draws

    assert check_draws(100_000) == 100_000
    with pytest.raises(ParameterError):
        check_draws(10_000_000)
