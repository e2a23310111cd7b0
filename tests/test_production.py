"""Production model against METHOD §2 computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trainlca.presets import get_preset
from trainlca.production import (
    HOST_WATER_NOT_COVERED,
    card_production,
    card_water,
    effective_die_area_mm2,
    memory_production,
)
from trainlca.servers import archetypes, host_production
from trainlca.uncertainty import point_values

MLCA = point_values(get_preset("mlca").params())
DEFAULT = point_values(get_preset("default").params())


def test_a100_80gb_under_mlca_matches_method_by_hand() -> None:
    # 8.26 cm² die, 80 GB at 0.625 GB/cm² = 128 cm² of DRAM, no transport (MLCA).
    out = card_production(8.26, 80.0, MLCA, transport=False)
    gwp = 8.26 * 1.97 + 26.97 + 128 * 2.20 + 5.22
    pe = 8.26 * 26.50 + 156.0 + 128 * 27.30 + 74.0
    adpe = 8.26 * 5.80e-7 + 1.707e-2 + 128 * 6.30e-5 + 1.69e-3
    assert float(out["gwp"]) == pytest.approx(gwp, rel=1e-12)
    assert float(out["gwp"]) == pytest.approx(330.1, abs=0.05)
    assert float(out["pe"]) == pytest.approx(3943, abs=0.5)
    assert float(out["adpe"]) == pytest.approx(0.0268, abs=5e-5)
    assert float(out["pe"]) == pytest.approx(pe)
    assert float(out["adpe"]) == pytest.approx(adpe)


def test_h100_pcie_default_near_225() -> None:
    out = card_production(8.14, 80.0, DEFAULT)
    # 8.14·1.97 + 26.97 + 80·2.20 + 5.22 = 224.23, plus 2 kg × 1 kgCO2eq/kg transport
    assert float(out["gwp"]) == pytest.approx(224.2258 + 2.0, rel=1e-9)
    assert float(out["gwp"]) == pytest.approx(225, rel=0.02)


def _eff_by_hand(a: float) -> float:
    """BoaviztAPI 2.5.0 _calculate_effective_area_on_circular_wafer, written out by hand."""
    wafer = math.pi * 150.0**2
    actual = (math.sqrt(a) + 0.2) ** 2
    n = wafer / actual - math.pi * 300.0 / math.sqrt(2 * actual)
    return actual * (wafer / (n * actual)) / math.exp(-math.sqrt(actual / 100 * 0.1))


def test_h100_sxm5_card_water_by_hand() -> None:
    # H100 SXM5: one 814 mm² die, 80 GB on the DEFAULT archetype's 6 VRAM dies, 2 kg card.
    s_gpu = _eff_by_hand(814.0)
    s_vram = 6 * _eff_by_hand(80 * 15.5 / 6)
    assert s_gpu == pytest.approx(2808.45, abs=0.005)  # BoaviztAPI gpu_specs.csv die_surface
    assert s_vram == pytest.approx(2343.17, abs=0.01)  # BoaviztAPI's completed vram_surface
    wu = (0.014831 * s_gpu + 0.070829 * s_vram + 0.016173 * 296 + 10.459 * 0.90
          + 3.8931 * 0.79 + 0.00098353 * 2.0)
    transport = 0.000989 * 2.0
    assert wu + transport == pytest.approx(224.896, abs=0.001)
    out = card_production(8.14, 80.0, DEFAULT, die_count=1)
    assert float(out["wu"]) == pytest.approx(wu + transport, rel=1e-12)
    assert float(card_production(8.14, 80.0, DEFAULT, transport=False)["wu"]) == pytest.approx(
        wu, rel=1e-12)
    assert float(card_water(814.0, 1, 80.0, DEFAULT)) == pytest.approx(wu + transport, rel=1e-12)


def test_production_water_accelerators_covered_hosts_not_never_zero() -> None:
    out = card_production(8.14, 80.0, DEFAULT)
    assert float(out["wu"]) == pytest.approx(224.896, abs=0.001)  # as computed by hand above
    # hosts: BoaviztAPI's CPU/RAM/SSD/PSU/case factors have no water → NaN, never zero
    assert math.isnan(float(host_production(archetypes()["hgx-a100"], DEFAULT)["wu"]))
    # presets whose source has no water (mlca, bloom): not covered, NaN, never zero
    assert math.isnan(float(card_production(8.26, 80.0, MLCA, water=False)["wu"]))
    assert get_preset("mlca").boundary.production_water is False
    assert get_preset("bloom").boundary.production_water is False
    assert get_preset("default").boundary.production_water is True
    assert "host production water not covered" in HOST_WATER_NOT_COVERED


@pytest.mark.parametrize("die_mm2, boavizta_surface", [
    (826.0, 2876.29), (814.0, 2808.45), (815.0, 2814.07), (628.0, 1861.68), (754.0, 2481.73),
    (610.0, 1780.20),
])
def test_effective_die_area_equals_boaviztas_gpu_specs(die_mm2: float,
                                                       boavizta_surface: float) -> None:
    # BoaviztAPI 2.5.0 gpu_specs.csv stores die_surface already converted (A100, H100, V100,
    # A10, Titan RTX, P100); the formula must give the same effective area from the die area.
    assert float(effective_die_area_mm2(die_mm2, DEFAULT)) == pytest.approx(boavizta_surface,
                                                                             abs=0.01)


def test_multi_die_effective_area_sums_per_die() -> None:
    # BoaviztAPI's MI300X row (4923.7 mm²) is 8 XCDs of 115 mm² + 4 IODs of 370 mm²
    got = 8 * float(effective_die_area_mm2(115.0, DEFAULT)) + 4 * float(
        effective_die_area_mm2(370.0, DEFAULT))
    assert got == pytest.approx(4923.7, abs=0.01)
    # our inputs give equal dies: k · eff(A / k)
    w1 = card_water(1628.0, 2, 180.0, DEFAULT)
    w2 = card_water(1628.0, 1, 180.0, DEFAULT)
    assert float(w1) < float(w2)  # two reticle-size dies waste less than one giant die
    assert float(w1) - float(card_water(0.0, 1, 180.0, DEFAULT)) == pytest.approx(
        0.014831 * 2 * _eff_by_hand(814.0) - 0.014831 * float(effective_die_area_mm2(0.0, DEFAULT)),
        rel=1e-9)


def test_wafer_scale_water_is_not_covered() -> None:
    # Cerebras CS-2: 46,225 mm², fewer than one die per 300 mm wafer → outside the formula
    assert math.isnan(float(card_water(46225.0, 1, 0.0, DEFAULT)))
    assert float(card_water(np.array([826.0, 46225.0]), 1, 40.0, DEFAULT)[0]) > 0


# Per-card inputs of BoaviztAPI 2.5.0 data/crowdsourcing/gpu_specs.csv (empty cells → its
# DEFAULT archetype), and its water without end of life (src/trainlca/reference/
# card_references.csv, computed with benchmarks/boavizta_baseline.py):
# name: (die mm², dies, GB, vram dies, pwb cm², heatsink kg, casing kg, weight kg, reference L)
BOAVIZTA_CARDS = {
    "NVIDIA A100 SXM4 40 GB": (826.0, 1, 40, 6, 105.0, 1.25, 0.09, 1.56, 128.0164),
    "NVIDIA H100 SXM5 80 GB": (814.0, 1, 80, 6, 296.37, 0.90077, 0.78923, 1.69, 224.9068),
    "NVIDIA Tesla V100 SXM2 16 GB": (815.0, 1, 16, 4, 109.2, 0.9, 0.79, 1.69, 81.7995),
    "NVIDIA A10 PCIe": (628.0, 1, 24, 12, 234.36, 0.303, 0.141, 0.55, 71.0041),
}


@pytest.mark.parametrize("name", list(BOAVIZTA_CARDS))
def test_same_inputs_reproduce_boaviztapi_water(name: str) -> None:
    """With BoaviztAPI's own per-card inputs our formula gives its number (≤ 0.01 %)."""
    die, k, gb, nv, pwb, hs, case, kg, ref = BOAVIZTA_CARDS[name]
    p = {**DEFAULT, "vram_dies": nv, "gpu_pwb_cm2": pwb, "gpu_heatsink_kg": hs,
         "gpu_casing_kg": case, "card_mass_kg": kg}
    assert float(card_water(die, k, gb, p)) == pytest.approx(ref, rel=1e-4)


def test_no_memory_means_no_memory_impact() -> None:
    out = memory_production(np.array([0.0, 16.0]), DEFAULT)
    assert out["gwp"][0] == 0.0
    assert out["gwp"][1] == pytest.approx(16 / 1.0 * 2.20 + 5.22)


def test_vectorised_over_runs_and_draws() -> None:
    p = dict(DEFAULT)
    p["rho"] = np.array([[0.625], [1.0], [1.88]])  # 3 draws
    out = card_production(np.array([8.26, 8.14]), np.array([80.0, 80.0]), p)
    assert out["gwp"].shape == (3, 2)
    assert out["gwp"][0, 0] > out["gwp"][1, 0] > out["gwp"][2, 0]  # denser memory, less impact
