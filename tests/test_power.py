"""Power by chip class and measured power per chip (METHOD §4, docs/production.md §4)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from trainlca.api import runs_from_catalog
from trainlca.catalog import load_catalog
from trainlca.criteria import CRITERIA
from trainlca.params import POWER_CLASS_KEYS
from trainlca.power import chip_class, measured_power_w
from trainlca.presets import get_preset
from trainlca.run import Hardware, energy_kwh, run_impacts
from trainlca.runspec import RunSpec
from trainlca.uncertainty import point_values
from trainlca.validate import validate

#: Patterson et al. 2021 (arXiv 2104.10350) Table 3: "Average system power per processor",
#: TPU v3 283 W (standard deviation 10 %), the mean over T5, Meena, GShard and Switch. Used
#: only while the catalogue has no ``measured_power_w`` for the TPU v3.
PATTERSON_TPU_V3_W = 283.0
#: Table 4: chips × days × 24 h, and the energy Patterson et al. report, MWh.
TABLE4 = {"T5": (512 * 20 * 24, 85.7), "Meena": (1024 * 30 * 24, 232.0),
          "GShard": (1024 * 3.1 * 24, 24.1), "Switch": (1024 * 27 * 24, 179.0)}


def _tpu_v3_hardware(n: int) -> Hardware:
    acc = load_catalog().get("Google TPU v3")
    hw = Hardware.of([acc] * n)
    if math.isnan(measured_power_w(acc)):
        hw = replace(hw, measured_power_w=np.full(n, PATTERSON_TPU_V3_W))
    return hw


@pytest.mark.parametrize("model", ["T5", "GShard", "Switch", "Meena"])
def test_tpu_v3_runs_within_25_percent_of_patterson_with_measured_power(model: str) -> None:
    hours, mwh = TABLE4[model]
    pre = get_preset("tdp-pue")
    p = point_values(pre.params({"use_measured_power": 1.0}))
    hw = _tpu_v3_hardware(1)
    e = energy_kwh(hours, hw.tdp_w, p, host_power=pre.boundary.host_power,
                   chip_class=hw.chip_class, measured_power_w=hw.measured_power_w)
    assert float(e[0]) / 1000 == pytest.approx(mwh, rel=0.25)
    # at TDP (the preset's own rule) the same runs are 1.45-1.84× Patterson's figures
    at_tdp = energy_kwh(hours, hw.tdp_w, point_values(pre.params()), host_power=False,
                        chip_class=hw.chip_class, measured_power_w=hw.measured_power_w)
    assert float(at_tdp[0]) / 1000 / mwh > 1.4


def test_measured_system_power_replaces_tdp_and_host() -> None:
    p = point_values(get_preset("default").params())
    hw = _tpu_v3_hardware(2)
    hw = replace(hw, measured_power_w=np.array([300.0, np.nan]))
    e = energy_kwh(10.0, hw.tdp_w, p, chip_class=hw.chip_class,
                   measured_power_w=hw.measured_power_w)
    # measured: 10 h × 300 W × PUE 1.2 (host power is in the measurement); not measured:
    # 10 h × (450 W × 0.55 TPU fraction + 0.4 × 450 W other host IT) × 1.2 (no server CPU/RAM
    # power passed here: server_w = 0)
    np.testing.assert_allclose(e, [10 * 300 * 1.2 / 1000, 10 * (450 * 0.55 + 180) * 1.2 / 1000])
    off = point_values(get_preset("default").params({"use_measured_power": 0.0}))
    e0 = energy_kwh(10.0, hw.tdp_w, off, chip_class=hw.chip_class,
                    measured_power_w=hw.measured_power_w)
    assert float(e0[0]) == pytest.approx(float(e0[1]))


def test_chip_classes_of_the_catalogue() -> None:
    cat = load_catalog()
    want = {"NVIDIA H100 SXM5 80 GB": "gpu_sxm", "NVIDIA A100 SXM4 40 GB": "gpu_sxm",
            "NVIDIA B200": "gpu_sxm", "AMD Instinct MI300X": "gpu_sxm",
            "NVIDIA H100 PCIe 80 GB": "gpu_pcie", "NVIDIA GeForce RTX 4090": "gpu_pcie",
            "Google TPU v4": "tpu", "Amazon Trainium2": "asic", "Cerebras CS-2": "wse"}
    for name, cls in want.items():
        assert chip_class(cat.get(name)) == cls, name
    assert {chip_class(a) for a in cat} <= set(POWER_CLASS_KEYS)


def test_power_fraction_by_class_and_power_fraction_sets_all() -> None:
    p = point_values(get_preset("default").params())
    cat = load_catalog()
    names = ["NVIDIA H100 SXM5 80 GB", "Google TPU v4", "Amazon Trainium2"]
    hw = Hardware.of([cat.get(n) for n in names])
    e = energy_kwh(1.0, hw.tdp_w, p, chip_class=hw.chip_class,
                   measured_power_w=hw.measured_power_w)
    tdp = hw.tdp_w
    np.testing.assert_allclose(e, tdp * (np.array([0.9, 0.55, 0.8]) + 0.4) * 1.2 / 1000)
    # the all-in ratio E / (H · TDP) per class without the server's CPU/RAM power:
    # (u_p + host_power_ratio) · PUE
    np.testing.assert_allclose(e * 1000 / tdp, [1.56, 1.14, 1.44])
    pinned = point_values(get_preset("default").params({"power_fraction": 0.7}))
    e2 = energy_kwh(1.0, hw.tdp_w, pinned, chip_class=hw.chip_class,
                    measured_power_w=hw.measured_power_w)
    np.testing.assert_allclose(e2, tdp * 1.1 * 1.2 / 1000)


def test_tdp_pue_preset_keeps_the_meta_boundary_at_tdp() -> None:
    """The Llama rows (H100/A100 at TDP × PUE 1.1) are untouched by power classes."""
    runs = runs_from_catalog([load_catalog().get("NVIDIA H100 SXM5 80 GB")],
                             RunSpec.of(accelerator_hours=1_300_000.0),
                             {c: np.array([0.385 if c == "gwp" else 0.0]) for c in CRITERIA})
    pre = get_preset("tdp-pue")
    res = run_impacts(runs, point_values(pre.params()), pre.boundary)
    assert float(res.energy_kwh[0]) == pytest.approx(1_300_000 * 700 * 1.1 / 1000)


def test_as_reported_patterson_rows_still_use_the_reported_power() -> None:
    rows = {(c.reference.id, c.criterion): c for c in validate("as-reported").comparisons}
    for rid in ("t5-11b", "gshard-600b", "switch", "meena"):
        assert rows[(rid, "energy")].within, (rid, rows[(rid, "energy")].ratio)
