"""Whole water of the use stage (off-site + on-site WUE) and the development factor
(METHOD §4-5, docs/production.md §4-5)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from clitools import run_cli
from trainlca.api import estimate, runs_from_catalog
from trainlca.catalog import load_catalog
from trainlca.criteria import CRITERIA
from trainlca.presets import get_preset
from trainlca.run import onsite_water_l, run_impacts
from trainlca.runspec import RunSpec
from trainlca.uncertainty import point_values, sample

H100 = "NVIDIA H100 SXM5 80 GB"


def test_onsite_water_by_hand_per_provider_class() -> None:
    e = estimate(H100, count=8, hours=100, country="USA", draws=0)
    it_kwh = e.energy_kwh / 1.2  # IT energy = facility energy / PUE
    wu = e.impacts["wu"]
    assert wu["use_onsite"] == pytest.approx(it_kwh * 0.38)  # unknown class (LBNL 2024)
    assert wu["use_offsite"] == pytest.approx(e.energy_kwh * e.grid.wu)
    assert wu["use"] == pytest.approx(wu["use_offsite"] + wu["use_onsite"])
    assert wu["total"] == pytest.approx(wu["use"] + wu["production"])
    hyper = estimate(H100, count=8, hours=100, country="USA", draws=0,
                     overrides={"provider_class": 1.0})
    assert hyper.impacts["wu"]["use_onsite"] == pytest.approx(it_kwh * 0.57)
    assert any(n.code == "water.onsite" and "hyperscale" in n.text for n in hyper.notes)
    # other criteria: the use stage is the electricity's alone
    assert e.impacts["gwp"]["use"] == pytest.approx(e.energy_kwh * e.grid.gwp)


def test_per_run_provider_class_and_draws() -> None:
    cat = load_catalog()
    runs = runs_from_catalog([cat.get(H100)] * 3, RunSpec.of(accelerator_hours=np.full(3, 10.0)),
                             {c: np.full(3, 1.0) for c in CRITERIA})
    runs = type(runs)(runs.spec, runs.hardware, runs.grid, np.array([0, 1, 2]))
    pre = get_preset("default")
    res = run_impacts(runs, point_values(pre.params()), pre.boundary)
    it = res.energy_kwh / 1.2
    np.testing.assert_allclose(res.use_water["onsite"], it * np.array([0.38, 0.57, 0.38]))
    draws = sample(pre.params(), 300, seed=1)
    mc = run_impacts(runs, draws, pre.boundary)
    assert mc.use_water["onsite"].shape == (300, 3)
    assert np.all(mc.use_water["onsite"] >= 0)
    np.testing.assert_allclose(mc.use("wu"), mc.use_water["offsite"] + mc.use_water["onsite"])
    # the unknown class spans dry cooling (0) to 1.8 L/kWh; hyperscale 0.09-0.99
    w = mc.use_water["onsite"] / (mc.energy_kwh / np.asarray(draws["pue"]))
    assert w[:, 0].max() <= 1.8 and w[:, 1].min() >= 0.09 and w[:, 1].max() <= 0.99


def test_onsite_water_function_shapes() -> None:
    # IT energy × WUE (unknown 0.38 L/kWh; class 1 0.57 L/kWh)
    p = point_values(get_preset("default").params())
    assert onsite_water_l(np.array([10.0, 20.0]), None, p) == pytest.approx([3.8, 7.6])
    assert onsite_water_l(np.array([10.0]), np.array([1]), p) == pytest.approx([5.7])


@pytest.mark.parametrize("preset", ["mlca", "bloom", "tdp-pue"])
def test_presets_of_electricity_only_sources_count_offsite_water_only(preset: str) -> None:
    e = estimate("A100 SXM4 80 GB", count=8, hours=10, country="FRA", preset=preset, draws=0)
    wu = e.impacts["wu"]
    assert math.isnan(wu["use_onsite"])
    assert wu["use"] == pytest.approx(wu["use_offsite"])
    assert any(n.code == "water.onsite_not_covered" for n in e.notes)


def test_estimate_json_adds_keys_and_keeps_the_old_ones(capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    code, out, _ = run_cli(capsys, "estimate", "-H", "H100 SXM5", "-n", "8", "--hours", "10",
                           "--format", "json", "--draws", "200")
    d = json.loads(out)
    assert code == 0
    wu = d["impacts"]["wu"]
    for key in ("unit", "production_accelerator", "production_host", "use", "production",
                "total", "p5", "p50", "p95"):
        assert key in wu
    assert wu["use"] == pytest.approx(wu["use_offsite"] + wu["use_onsite"])
    assert wu["use_onsite_interval"]["p5"] <= wu["use_onsite"] * 1.5


def test_development_factor_scales_energy_and_production(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    base = estimate(H100, count=64, hours=100, country="FRA", draws=0)
    dev = estimate(H100, count=64, hours=100, country="FRA", draws=0,
                   overrides={"development_factor": 1.5})
    assert dev.energy_kwh == pytest.approx(1.5 * base.energy_kwh)
    for c in CRITERIA:
        for s in ("production_accelerator", "use", "total"):
            assert dev.impacts[c][s] == pytest.approx(1.5 * base.impacts[c][s], nan_ok=True)
    assert any(n.code == "development.factor" for n in dev.notes)
    # measured energy is the final run's: it is scaled too
    m = estimate(H100, accelerator_hours=10.0, measured_energy_kwh=8.0, draws=0,
                 overrides={"development_factor": 5.6})
    assert m.energy_kwh == pytest.approx(8.0 * 5.6)
    code, out, _ = run_cli(capsys, "estimate", "-H", "H100 SXM5", "-n", "64", "--hours", "100",
                           "-c", "FRA", "--format", "json", "--draws", "0", "--set",
                           "development_factor=1.5")
    assert code == 0 and json.loads(out)["energy_kwh"] == pytest.approx(1.5 * base.energy_kwh)
    code, _, err = run_cli(capsys, "estimate", "-H", "H100 SXM5", "-n", "1", "--hours", "1",
                           "--set", "development_factor=0.5")
    assert code == 2 and "in [1, 100]" in err and len(err.strip().splitlines()) == 1
