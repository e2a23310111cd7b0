"""The three card models, their mixture and its structural share (docs/production.md §2b)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trainlca import card_models
from trainlca.api import estimate
from trainlca.card_models import (
    MODELS,
    choose_model,
    complete,
    figures_for,
    load_published,
    memory_density,
    memory_index,
    structural_share,
)
from trainlca.cards import card_table
from trainlca.catalog import load_catalog
from trainlca.criteria import CRITERIA
from trainlca.errors import ParameterError
from trainlca.params import DEFAULTS, MEMORY_KEYS, parse_override
from trainlca.presets import get_preset
from trainlca.production import boavizta_card
from trainlca.run import Hardware, hardware_production_models
from trainlca.uncertainty import point_values, sample

DEFAULT = point_values(get_preset("default").params())
H100, B200 = "NVIDIA H100 SXM5 80 GB", "NVIDIA B200"


@pytest.fixture(scope="module")
def gpu_rows() -> dict[str, object]:
    return {r.hardware: r for r in card_table("default", draws=4000, seed=11, types=["GPU"])}


# --- must show -----------------------------------------------------------------------------


def test_h100_interval_contains_nvidia_pcf_and_ademe(gpu_rows: dict[str, object]) -> None:
    r = gpu_rows[H100]
    assert r.gwp_p5 <= 164.0 <= r.gwp_p95  # type: ignore[attr-defined]
    assert r.gwp_p5 <= 273.0 <= r.gwp_p95  # type: ignore[attr-defined]
    assert r.card_model == "mlca"  # type: ignore[attr-defined]
    assert 0.5 < r.gwp_structural <= 1.0  # type: ignore[attr-defined]


def test_b200_interval_contains_its_pcf(gpu_rows: dict[str, object]) -> None:
    r = gpu_rows[B200]
    assert r.gwp_p5 <= 284.0 <= r.gwp_p95  # type: ignore[attr-defined]
    assert r.gwp_published == pytest.approx(2274 / 8)  # type: ignore[attr-defined]


def test_every_card_takes_all_criteria_from_one_model_per_draw() -> None:
    cat = load_catalog()
    hw = Hardware.of(list(cat))
    s = sample(get_preset("default").params(), 600, seed=5)
    card, _ = hardware_production_models(hw, s, get_preset("default").boundary)
    model = card.model
    assert model.shape == (600, len(cat))
    for k, name in enumerate(MODELS):
        sel = model == k
        for c in CRITERIA:  # water and GWP (and the others) of a draw are that draw's model's
            np.testing.assert_array_equal(card.values[c][sel], card.per_model[name][c][sel])
    # a model a card lacks is never drawn for it: published only where a figure exists,
    # BoaviztAPI's formula never for the wafer-scale CS-2
    has_pub = np.isfinite(hw.published[:, 0, 0])
    assert not np.any((model == 2) & ~has_pub[None, :])
    cs2 = [a.name for a in cat].index("Cerebras CS-2")
    assert set(np.unique(model[:, cs2])) == {0}
    # each model carries its own water: the draws' water over GWP is the model's, per card
    for k in (0, 2):
        sel = (model == k) & np.isfinite(card.values["wu"])
        ratio_bz = card.per_model["boavizta"]["wu"] / card.per_model["boavizta"]["gwp"]
        np.testing.assert_allclose((card.values["wu"] / card.values["gwp"])[sel],
                                   ratio_bz[sel], rtol=1e-12)


def test_mixture_weights_and_fallback_proportions() -> None:
    cat = load_catalog()
    names = [H100, "NVIDIA A100 SXM4 80 GB", "Cerebras CS-2"]
    hw = Hardware.of([cat.get(n) for n in names])
    s = sample(get_preset("default").params(), 20_000, seed=2)
    card, _ = hardware_production_models(hw, s, get_preset("default").boundary)
    share = [np.bincount(card.model[:, i], minlength=3) / 20_000 for i in range(3)]
    np.testing.assert_allclose(share[0], [1 / 3] * 3, atol=0.02)  # H100: all three models
    np.testing.assert_allclose(share[1], [0.5, 0.5, 0.0], atol=0.02)  # no published figure
    np.testing.assert_allclose(share[2], [1.0, 0.0, 0.0])  # wafer-scale: mlca only


def test_mlca_and_bloom_presets_keep_their_card_models() -> None:
    a100 = estimate("A100 SXM4 80 GB", accelerator_hours=1.0, preset="mlca", draws=0)
    assert a100.card["gwp"] == pytest.approx(8.26 * 1.97 + 26.97 + 80 / 0.625 * 2.2 + 5.22)
    assert a100.card["gwp"] == pytest.approx(330.06, abs=0.01)
    assert a100.card_models["point_model"] == "mlca"
    bloom = estimate("A100 SXM4 80 GB", accelerator_hours=1.0, preset="bloom", draws=200)
    assert bloom.card["gwp"] == pytest.approx(150.0)
    mlca = get_preset("mlca").params()
    assert not mlca["card_model"].uncertain and mlca["card_model"].value == 0
    assert all(mlca[f"rho_{k}"].value == 0.625 for k in MEMORY_KEYS)


# --- the boavizta model against BoaviztAPI's own code ---------------------------------------

# BoaviztAPI 2.5.0 gpu_specs.csv inputs (see test_production.BOAVIZTA_CARDS) and its GWP, ADPe,
# PE without end of life (computed with benchmarks/boavizta_baseline.py, criteria gwp/adp/pe;
# src/trainlca/reference/card_references.csv): name: (die mm², dies, GB, vram dies, pwb cm²,
# heatsink kg, casing kg, weight kg, GWP, ADPe, PE)
BOAVIZTA = {
    "A100 SXM4 40GB": (826.0, 1, 40, 6, 105.0, 1.25, 0.09, 1.56, 316.965, 0.003754, 4299.23),
    "H100 SXM 80GB": (814.0, 1, 80, 6, 296.37, 0.90077, 0.78923, 1.69, 572.552, 0.005825,
                      7874.29),
    "V100 SXM2 16GB": (815.0, 1, 16, 4, 109.2, 0.9, 0.79, 1.69, 203.012, 0.003436, 2870.21),
    "A10": (628.0, 1, 24, 12, 234.36, 0.303, 0.141, 0.55, 183.247, 0.003633, 2559.52),
}


@pytest.mark.parametrize("name", list(BOAVIZTA))
def test_boavizta_model_reproduces_boaviztapi(name: str) -> None:
    die, k, gb, nv, pwb, hs, case, kg, gwp, adpe, pe = BOAVIZTA[name]
    p = {**DEFAULT, "vram_dies": nv, "gpu_pwb_cm2": pwb, "gpu_heatsink_kg": hs,
         "gpu_casing_kg": case, "card_mass_kg": kg}
    out = boavizta_card(die, k, gb, p)
    assert float(out["gwp"]) == pytest.approx(gwp, rel=2e-5)
    assert float(out["adpe"]) == pytest.approx(adpe, rel=2e-4)  # BoaviztAPI rounds to 4 digits
    assert float(out["pe"]) == pytest.approx(pe, rel=2e-5)


def test_boavizta_gwp_by_hand_for_h100() -> None:
    # 0.042592 kg/mm² × 2808.45 + 0.18379 × 2343.17 + 0.032549 × 296 + 5.7412 × 0.90
    # + 8.2542 × 0.79 + 0.25955 × 2.0 + distribution (19,000 × 1.33e-5 + 1,000 × 5.04e-5) × 2.0
    want = (0.042592 * 2808.45 + 0.18379 * 2343.17 + 0.032549 * 296 + 5.7412 * 0.90
            + 8.2542 * 0.79 + 0.25955 * 2.0 + (19_000 * 1.33e-5 + 1_000 * 5.04e-5) * 2.0)
    got = float(boavizta_card(814.0, 1, 80.0, DEFAULT)["gwp"])
    assert got == pytest.approx(want, rel=1e-5)
    assert got == pytest.approx(572.72, abs=0.01)


# --- pieces ---------------------------------------------------------------------------------


def test_completion_at_boaviztas_ratio_to_gwp() -> None:
    ref = {"gwp": np.array([500.0, 100.0]), "adpe": np.array([0.005, 0.001]),
           "pe": np.array([7000.0, 1400.0]), "wu": np.array([200.0, np.nan])}
    got = complete({"gwp": np.array([125.0, 50.0]), "adpe": np.array([0.02, np.nan]),
                    "pe": np.array([np.nan, 600.0]), "wu": np.array([np.nan, np.nan])}, ref)
    np.testing.assert_allclose(got["wu"][0], 200.0 * 125 / 500)  # 50 L
    assert math.isnan(got["wu"][1])  # the reference does not cover it either
    np.testing.assert_allclose(got["pe"][0], 7000.0 * 125 / 500)
    np.testing.assert_allclose(got["adpe"], [0.02, 0.001 * 50 / 100])  # native value kept


def test_choose_model_fallback_by_hand() -> None:
    avail = np.array([[True, True, True], [True, True, False], [True, False, False]])
    # drawn published (2): kept where available; else the card's models by cumulative weight
    # (1/2, 1) for the second card: u 0.3 → mlca, u 0.7 → boavizta; third card: mlca
    code = np.array([[2.0], [2.0]])
    u = np.array([[0.3], [0.7]])
    np.testing.assert_array_equal(choose_model(code, u, avail), [[2, 0, 0], [2, 1, 0]])
    np.testing.assert_array_equal(choose_model(1.0, 0.5, avail), [1, 1, 0])


def test_structural_share_by_hand() -> None:
    # two models, two draws each: values 1, 3 (model 0) and 5, 7 (model 1): total variance
    # 5, within 1, between 4 → 0.8
    v = np.array([[1.0], [3.0], [5.0], [7.0]])
    m = np.array([[0], [0], [1], [1]])
    assert float(structural_share(v, m)[0]) == pytest.approx(0.8)
    # no spread: no share
    assert math.isnan(float(structural_share(np.array([[2.0], [2.0]]),
                                             np.array([[0], [1]]))[0]))
    # one model only: the whole spread is within it
    assert float(structural_share(v, np.zeros((4, 1), dtype=int))[0]) == 0.0


def test_published_table_is_sourced_and_primary_first() -> None:
    figs = load_published()
    assert {f.hardware for f in figs} >= {H100, B200, "Google TPU v6e",
                                         "NVIDIA A100 SXM4 40 GB"}
    for f in figs:
        assert f.source_url.startswith("https://") and f.verification and f.boundary
        assert f.values["gwp"] > 0
    h100 = figures_for(H100)
    assert [f.values["gwp"] for f in h100] == [164.0, 273.0] and h100[0].primary
    pub = card_models.published_array([H100, "NVIDIA A100 SXM4 80 GB"])
    at_point = card_models.published_card(pub, DEFAULT)
    assert float(at_point["gwp"][0]) == 164.0 and math.isnan(float(at_point["gwp"][1]))


def test_memory_density_by_technology() -> None:
    assert memory_index("HBM3") == MEMORY_KEYS.index("hbm3")
    assert memory_index("HBM") == MEMORY_KEYS.index("hbm2")  # TPU v2/v3 HBM is HBM2
    assert memory_index("SRAM (on-wafer)") == -1
    idx = np.array([memory_index(t) for t in ("HBM2e", "HBM3", "GDDR6X", "GDDR3", "LPDDR9")])
    np.testing.assert_allclose(memory_density(idx, DEFAULT), [2.375, 2.79, 2.375, 0.75, 1.0])
    user = point_values(get_preset("default").params({"rho": 0.8, "rho_hbm3": 3.0}))
    np.testing.assert_allclose(memory_density(idx, user), [0.8, 3.0, 0.8, 0.8, 0.8])
    # the H100 PCF's memory share is what ρ_HBM3 reproduces with the mlca factors
    per_gpu = 2.20 * 80 / DEFAULTS["rho_hbm3"].value + 5.22
    assert per_gpu == pytest.approx(546 / 8, rel=0.01)


def test_card_model_parameter_codes_and_sampling() -> None:
    assert parse_override("card_model=boavizta") == ("card_model", 1.0)
    assert parse_override("card_model=2") == ("card_model", 2.0)
    with pytest.raises(ParameterError, match="choose one of 0 mlca"):
        parse_override("card_model=nvidia")
    p = DEFAULTS["card_model"]
    draws = p.sample(np.random.default_rng(0), 30_000)
    np.testing.assert_allclose(np.bincount(draws.astype(int)) / 30_000, [1 / 3] * 3, atol=0.01)
    pinned = estimate(H100, accelerator_hours=1.0, draws=100,
                      overrides={"card_model": 1.0}).card_models
    assert pinned["point_model"] == "boavizta" and pinned["draw_shares"]["boavizta"] == 1.0


def test_runs_sharing_a_chip_get_that_chips_card_in_every_draw() -> None:
    """run.py computes the card models once per distinct chip and gathers them back."""
    cat = load_catalog()
    chips = [cat.get(n) for n in (H100, B200, H100, "Google TPU v3", B200)]
    s = sample(get_preset("default").params(), 300, seed=9)
    b = get_preset("default").boundary
    runs, _ = hardware_production_models(Hardware.of(chips), s, b)
    one, _ = hardware_production_models(Hardware.of([chips[0], chips[1], chips[3]]), s, b)
    for c in CRITERIA:
        np.testing.assert_array_equal(runs.values[c], one.values[c][:, [0, 1, 0, 2, 1]])
    np.testing.assert_array_equal(runs.model, one.model[:, [0, 1, 0, 2, 1]])
    np.testing.assert_array_equal(runs.per_model["published"]["gwp"],
                                  one.per_model["published"]["gwp"][:, [0, 1, 0, 2, 1]])
