"""Production model against METHOD §2 computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trainlca.presets import get_preset
from trainlca.production import HOSTS, card_production, host_production, memory_production
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


def test_production_water_is_not_covered_never_zero() -> None:
    out = card_production(8.14, 80.0, DEFAULT)
    assert math.isnan(float(out["wu"]))
    assert math.isnan(float(host_production(HOSTS["hgx-8"], DEFAULT)["wu"]))


def test_no_memory_means_no_memory_impact() -> None:
    out = memory_production(np.array([0.0, 16.0]), DEFAULT)
    assert out["gwp"][0] == 0.0
    assert out["gwp"][1] == pytest.approx(16 / 1.0 * 2.20 + 5.22)


def test_hgx_host_bottom_up_by_hand() -> None:
    h = HOSTS["hgx-8"]
    gwp = (
        2 * (10.08 * 1.97 + 9.14)          # 2 CPUs, 1008 mm² each
        + 1024 / 1.0 * 2.20 + 16 * 5.22    # 1 TB RAM at ρ=1, 16 DIMMs of 64 GB
        + 19_200 / 54.88 * 2.20 + 3 * 6.34  # SSDs
        + 6 * 2.99 * 24.30                 # power supplies
        + 150.0 + 66.10 + 6.68             # rack case, motherboard, assembly
    )
    assert float(host_production(h, DEFAULT)["gwp"]) == pytest.approx(gwp, rel=1e-12)


def test_vectorised_over_runs_and_draws() -> None:
    p = dict(DEFAULT)
    p["rho"] = np.array([[0.625], [1.0], [1.88]])  # 3 draws
    out = card_production(np.array([8.26, 8.14]), np.array([80.0, 80.0]), p)
    assert out["gwp"].shape == (3, 2)
    assert out["gwp"][0, 0] > out["gwp"][1, 0] > out["gwp"][2, 0]  # denser memory, less impact
