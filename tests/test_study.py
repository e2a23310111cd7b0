"""The study on Epoch AI data: counts, the seed's findings, scenarios, outputs written whole."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clitools import run_cli as _cli
from trainlca.epoch import load_epoch
from trainlca.study import SCENARIOS, most_efficient_by_date, run_study

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def study_2026(shared_data: Path):  # type: ignore[no-untyped-def]
    data = load_epoch(shared_data / "epoch" / "notable_ai_models.csv")
    return run_study(data, draws=300)


def _trend(result, criterion: str, scenario: str):  # type: ignore[no-untyped-def]
    t = result.trends
    return t[(t.criterion == criterion) & (t.scenario == scenario) & (t.domain == "all")].iloc[0]


def test_counts_on_the_2026_file(study_2026, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    assert study_2026.meta["systems_assessed"] >= 285
    base = study_2026.systems[study_2026.systems.scenario == "baseline"]
    assert len(base) == study_2026.meta["systems_assessed"]
    assert base.year.min() >= 2013
    assert set(study_2026.systems.scenario) == set(SCENARIOS)
    imputed = run_study(load_epoch(shared_data / "epoch" / "notable_ai_models.csv"),
                        draws=0, impute_hardware=True)
    assert imputed.meta["systems_assessed"] >= 440


def test_seed_findings_come_out_of_the_data(study_2026) -> None:  # type: ignore[no-untyped-def]
    # Card production GWP rises with release date.
    gwp_card = study_2026.card_trend.fits["gwp"]
    assert gwp_card.growth_per_year > 1 and gwp_card.ci_low > 1
    # Training impacts grow exponentially: CI lower bounds above 1/yr, also on a low-carbon grid.
    for scenario in ("baseline", "location-shift"):
        for q in ("gwp", "energy"):
            row = _trend(study_2026, q, scenario)
            assert row.ci_low > 1, (q, scenario)
            assert row.mc_ci_low > 1, (q, scenario)
            assert row.doubling_months > 0


def test_rebound_identity(study_2026) -> None:  # type: ignore[no-untyped-def]
    rb = {r.term: r for r in study_2026.rebound.itertuples()}
    assert rb["compute"].growth_per_year > rb["efficiency"].growth_per_year > 1
    implied = np.log10(rb["compute"].growth_per_year) - np.log10(rb["efficiency"].growth_per_year)
    assert np.log10(rb["energy"].growth_per_year) == pytest.approx(
        implied + rb["energy"].residual_log10, abs=1e-9)


def test_efficient_hardware_never_uses_more_energy(study_2026) -> None:  # type: ignore[no-untyped-def]
    s = study_2026.systems
    base = s[s.scenario == "baseline"].reset_index()
    eff = s[s.scenario == "efficient-hardware"].reset_index()
    assert (eff.energy_kwh <= base.energy_kwh * (1 + 1e-9)).all()
    assert (eff.energy_kwh < base.energy_kwh).any()


def test_location_shift_moves_every_run_to_the_target(study_2026) -> None:  # type: ignore[no-untyped-def]
    s = study_2026.systems
    target = study_2026.meta["low_carbon_target"]
    assert (s[s.scenario == "location-shift"].zone == target).all()
    base = s[s.scenario == "baseline"].reset_index()
    shift = s[s.scenario == "location-shift"].reset_index()
    assert np.allclose(base.energy_kwh, shift.energy_kwh)


def test_intervals_bracket_point_values(study_2026) -> None:  # type: ignore[no-untyped-def]
    b = study_2026.systems[study_2026.systems.scenario == "baseline"]
    for c in ("energy_kwh", "gwp", "adpe", "pe", "wu"):
        assert (b[f"{c}_p5"] <= b[c] * (1 + 1e-9)).all()
        assert (b[c] <= b[f"{c}_p95"] * (1 + 1e-9)).all()
    # water: accelerator production (BoaviztAPI GPU model) is counted, hosts are not covered;
    # wafer-scale chips (Jais on Cerebras CS-2) are outside the model: NaN, never zero
    wse = b["hardware"] == "Cerebras CS-2"
    assert wse.sum() == 1
    assert (b.loc[~wse, "wu_production"] > 0).all()
    assert np.allclose(b.loc[~wse, "wu"], b.loc[~wse, "wu_use"] + b.loc[~wse, "wu_production"],
                       rtol=1e-9)
    assert b.loc[wse, "wu_production"].isna().all()
    assert np.allclose(b.loc[wse, "wu"], b.loc[wse, "wu_use"], rtol=1e-12)


def test_most_efficient_by_date() -> None:
    from datetime import date

    from trainlca.catalog import load_catalog

    cat = load_catalog()
    early, late = most_efficient_by_date(cat, [date(2016, 1, 1), date(2025, 12, 31)])
    assert early is not None and late is not None
    assert early.release_date <= date(2016, 1, 1)
    eff = lambda a: a.tensor_16bit_flops / a.tdp_w  # noqa: E731
    assert eff(late) >= eff(early)


def test_old_schema_snapshot_runs(shared_data: Path) -> None:
    r = run_study(load_epoch(shared_data / "epoch" / "snapshots" / "2024-12" /
                             "notable_ai_models.csv"), draws=0)
    assert r.meta["systems_assessed"] >= 200
    assert _trend(r, "gwp", "baseline").ci_low > 1




def test_cli_study_on_a_small_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    code, _stdout, err = _cli(capsys, "study", "--data", str(HERE / "data" / "epoch_runs.csv"),
                             "--out", str(out), "--draws", "50", "--no-figures")
    assert code == 0, err
    for f in ("systems.csv", "trends.csv", "rebound.csv", "cards.csv", "skipped.csv",
              "study.json"):
        assert (out / f).is_file(), f
    systems = pd.read_csv(out / "systems.csv")
    for col in ("model", "publication_date", "hardware", "accelerator_hours", "energy_kwh",
                "gwp", "adpe", "pe", "wu", "gwp_production", "gwp_use", "country", "scenario",
                "flag_hours_from_compute"):
        assert col in systems.columns
    trends = pd.read_csv(out / "trends.csv")
    assert set(trends.criterion) == {"energy", "gwp", "adpe", "pe", "wu"}
    for col in ("growth_per_year", "ci_low", "ci_high", "doubling_months", "r2", "n", "period"):
        assert col in trends.columns
    meta = json.loads((out / "study.json").read_text())
    assert len(meta["epoch"]["sha256"]) == 64
    # a second run without --force is refused, and nothing is changed
    before = (out / "systems.csv").read_bytes()
    code, _, err = _cli(capsys, "study", "--data", str(HERE / "data" / "epoch_runs.csv"),
                        "--out", str(out), "--draws", "0", "--no-figures")
    assert code == 2 and "--force" in err and len(err.strip().splitlines()) == 1
    assert (out / "systems.csv").read_bytes() == before


@pytest.mark.parametrize("content", ["", "Model,Publication date\nx,2020-01-01\n"])
def test_bad_epoch_file_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       content: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    out = tmp_path / "res"
    code, _, err = _cli(capsys, "study", "--data", str(bad), "--out", str(out), "--draws", "0")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]


def test_whole_development_columns(tmp_path: Path) -> None:
    """OLMo 2's 1.5 by default (Morrison et al. 2025): the whole development of each system is
    its final run × 1.5, criterion by criterion; the final-run columns do not move."""
    from trainlca.errors import ParameterError

    data = load_epoch(HERE / "data" / "epoch_runs.csv")
    base = run_study(data, draws=0)
    s = base.systems
    assert (s["development_factor"] == 1.5).all()
    for q in ("energy_kwh", "gwp", "adpe", "pe", "wu"):
        np.testing.assert_allclose(s[f"{q}_whole_development"], 1.5 * s[q], rtol=1e-15)
    assert base.meta["development_factor"]["status"] == "default"
    olmo3 = run_study(data, draws=0, development_factor=5.6)
    np.testing.assert_array_equal(olmo3.systems["gwp"], s["gwp"])
    np.testing.assert_allclose(olmo3.systems["gwp_whole_development"], 5.6 * s["gwp"],
                               rtol=1e-15)
    assert olmo3.meta["development_factor"] == {
        "value": 5.6, "unit": "1", "status": "input", "source": "user",
        "columns": "systems.csv *_whole_development = the final run's value × this factor"}
    with pytest.raises(ParameterError, match="not as a parameter"):
        run_study(data, draws=0, overrides={"development_factor": 2.0})
    with pytest.raises(ParameterError, match=r"development_factor=0.5: must be .* \[1, 100\]"):
        run_study(data, draws=0, development_factor=0.5)
