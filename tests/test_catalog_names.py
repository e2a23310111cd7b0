"""Name resolution: NVML / nvidia-smi / amdsmi device names, CodeCarbon's ``gpu_model``
forms, generic names (bare ``A100``) with their note, Epoch's hardware strings unchanged, and
the chip class and measured-power columns."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from trainlca.catalog import (
    CHIP_CLASSES,
    DEFAULT_PATH,
    Accelerator,
    Catalog,
    GenericName,
    load_catalog,
    split_device_list,
)
from trainlca.errors import DataFileError, UnknownHardwareError


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


# ------------------------------------------------------------------------------ NVML names

NVML = [
    ("NVIDIA H100 80GB HBM3", "NVIDIA H100 SXM5 80 GB"),
    ("NVIDIA H100 PCIe", "NVIDIA H100 PCIe 80 GB"),
    ("NVIDIA H100 NVL", "NVIDIA H100 NVL"),
    ("NVIDIA A100-SXM4-80GB", "NVIDIA A100 SXM4 80 GB"),
    ("NVIDIA A100-SXM4-40GB", "NVIDIA A100 SXM4 40 GB"),
    ("NVIDIA A100 80GB PCIe", "NVIDIA A100 PCIe 80 GB"),
    ("NVIDIA A100-PCIE-40GB", "NVIDIA A100 PCIe 40 GB"),
    ("NVIDIA A800-SXM4-80GB", "NVIDIA A800 SXM4 80 GB"),
    ("Tesla V100-SXM2-32GB", "NVIDIA Tesla V100 SXM2 32 GB"),
    ("Tesla V100-SXM2-16GB", "NVIDIA Tesla V100 SXM2 16 GB"),
    ("Tesla V100-PCIE-16GB", "NVIDIA Tesla V100 PCIe 16 GB"),
    ("Tesla V100-PCIE-32GB", "NVIDIA Tesla V100 PCIe 32 GB"),
    ("Tesla V100S-PCIE-32GB", "NVIDIA Tesla V100S PCIe 32 GB"),
    ("Tesla P100-PCIE-16GB", "NVIDIA Tesla P100 PCIe 16 GB"),
    ("Tesla T4", "NVIDIA Tesla T4"),
    ("Tesla K80", "NVIDIA Tesla K80"),
    ("NVIDIA L4", "NVIDIA L4"),
    ("NVIDIA L40", "NVIDIA L40"),
    ("NVIDIA L40S", "NVIDIA L40S"),
    ("NVIDIA A10", "NVIDIA A10 PCIe"),
    ("NVIDIA A10G", "NVIDIA A10G"),
    ("NVIDIA A40", "NVIDIA A40"),
    ("NVIDIA RTX A6000", "NVIDIA RTX A6000"),
    ("NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 3090"),
    ("NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"),
    ("NVIDIA GH200 480GB", "NVIDIA GH200"),
    ("NVIDIA H200", "NVIDIA H200 SXM 141 GB"),
    ("NVIDIA H20", "NVIDIA H20"),
    ("NVIDIA H800 PCIe", "NVIDIA H800 PCIe 80 GB"),
    ("NVIDIA B200", "NVIDIA B200"),
    ("NVIDIA GB200", "NVIDIA GB200"),
    ("AMD Instinct MI300X", "AMD Instinct MI300X"),
    ("AMD Instinct MI300X OAM", "AMD Instinct MI300X"),
    ("AMD Instinct MI250X", "AMD Instinct MI250X"),
    ("AMD Instinct MI250", "AMD Instinct MI250"),
]


@pytest.mark.parametrize(("device", "canonical"), NVML, ids=[n for n, _ in NVML])
def test_nvml_and_amdsmi_names_resolve_without_a_note(cat: Catalog, device: str,
                                                      canonical: str) -> None:
    res = cat.resolve(device)
    assert res.accelerator.name == canonical
    assert res.note is None and res.count is None
    assert cat.get(device) is res.accelerator is cat.match(device)


def test_nvml_name_of_the_h800_sxm5_is_generic(cat: Catalog) -> None:
    res = cat.resolve("NVIDIA H800")
    assert res.accelerator.name == "NVIDIA H800 SXM5 80 GB"
    assert res.note is not None and "NVIDIA H800 PCIe 80 GB" in res.note


# ------------------------------------------------------------------------------ CodeCarbon


def test_codecarbon_count_prefix(cat: Catalog) -> None:
    res = cat.resolve("8 x NVIDIA H100 80GB HBM3")
    assert (res.accelerator.name, res.count, res.note) == ("NVIDIA H100 SXM5 80 GB", 8, None)
    assert cat.get("2 x Tesla V100S-PCIE-32GB").name == "NVIDIA Tesla V100S PCIe 32 GB"
    # one chip listed twice (trainlca's reader joins rows with ", "): that chip, no count
    res = cat.resolve("8 x NVIDIA H100 80GB HBM3, 4 x NVIDIA H100 80GB HBM3")
    assert (res.accelerator.name, res.count) == ("NVIDIA H100 SXM5 80 GB", None)


def test_codecarbon_concatenated_entries(cat: Catalog) -> None:
    # CodeCarbon joins "{count} x {name}" entries with "" (resource_tracker.py)
    text = "4 x NVIDIA A100-SXM4-40GB2 x Tesla T4"
    got = [(r.accelerator.name, r.count) for r in cat.resolve_all(text)]
    assert got == [("NVIDIA A100 SXM4 40 GB", 4), ("NVIDIA Tesla T4", 2)]
    with pytest.raises(UnknownHardwareError, match="names several accelerators"):
        cat.resolve(text)
    assert cat.match(text) is None
    # a name ending in digits runs into the next count: the split leaving a known name wins
    got = [(r.accelerator.name, r.count) for r in cat.resolve_all("1 x NVIDIA L42 x Tesla T4")]
    assert got == [("NVIDIA L4", 1), ("NVIDIA Tesla T4", 2)]
    got = [(r.accelerator.name, r.count) for r in cat.resolve_all("2 x NVIDIA A1012 x NVIDIA A40")]
    assert got == [("NVIDIA A10 PCIe", 2), ("NVIDIA A40", 12)]


def test_split_device_list_forms() -> None:
    def known(n: str) -> bool:
        return n in {"A", "B7"}

    assert split_device_list("NVIDIA H100 PCIe", known) == [(None, "NVIDIA H100 PCIe")]
    assert split_device_list("3 x A", known) == [(3, "A")]
    assert split_device_list("3 x B712 x A", known) == [(3, "B7"), (12, "A")]
    assert split_device_list("3 x A; 1 x B7", known) == [(3, "A"), (1, "B7")]
    assert split_device_list(" , ", known) == []


# ------------------------------------------------------------------------------ generic names

GENERIC = [
    ("A100", "NVIDIA A100 SXM4 40 GB", 4),
    ("NVIDIA A100", "NVIDIA A100 SXM4 40 GB", 4),
    ("A100 80GB", "NVIDIA A100 SXM4 80 GB", 2),
    ("A100 PCIe", "NVIDIA A100 PCIe 40 GB", 2),
    ("H100", "NVIDIA H100 SXM5 80 GB", 3),
    ("Nvidia H100 80G", "NVIDIA H100 SXM5 80 GB", 2),
    ("V100", "NVIDIA Tesla V100 SXM2 16 GB", 7),
    ("V100 32GB", "NVIDIA Tesla V100 SXM2 32 GB", 4),
    ("V100 PCIe", "NVIDIA Tesla V100 PCIe 32 GB", 2),
    ("A800", "NVIDIA A800 SXM4 80 GB", 3),
    ("P100", "NVIDIA Tesla P100 SXM2 16 GB", 2),
    ("MI300", "AMD Instinct MI300X", 2),
    ("AMD Instinct MI250X/MI250", "AMD Instinct MI250X", 2),
    ("TPU v5", "Google TPU v5e", 2),
    ("TPU", "Google TPU v3", 8),
]


@pytest.mark.parametrize(("name", "choice", "family"), GENERIC, ids=[g[0] for g in GENERIC])
def test_generic_names_resolve_to_the_documented_choice_with_a_note(
        cat: Catalog, name: str, choice: str, family: int) -> None:
    res = cat.resolve(name)
    assert res.accelerator.name == choice
    assert res.note is not None
    assert res.note.startswith(f"{name!r} is ambiguous (")
    assert f"using {choice} (" in res.note and res.note.endswith("give the full name to choose")
    entry = next(g for g in cat.generic_names if name in g.names)
    assert len(entry.family) == family
    assert all(member in res.note for member in entry.family)
    assert cat.get(name) is res.accelerator  # get() keeps returning the chip


def test_a100_note_reads_as_documented(cat: Catalog) -> None:
    assert cat.resolve("A100").note == (
        "'A100' is ambiguous (NVIDIA A100 SXM4 40 GB, NVIDIA A100 SXM4 80 GB, NVIDIA A100 PCIe "
        "40 GB, NVIDIA A100 PCIe 80 GB); using NVIDIA A100 SXM4 40 GB (Epoch's ml_hardware.csv "
        "row 'NVIDIA A100', the string of 52 notable models, has the SXM4 40 GB figures: 40 GB, "
        "400 W) — give the full name to choose")


def test_no_exact_name_is_ambiguous(cat: Catalog) -> None:
    for acc in cat:
        for label in (acc.name, *acc.aliases):
            res = cat.resolve(label)
            assert res.accelerator is acc and res.note is None, label


def test_every_generic_label_is_documented_and_distinct(cat: Catalog) -> None:
    labels = [n for g in cat.generic_names for n in g.names]
    assert len(labels) == len(set(labels)) and len(cat.generic_names) == 22
    for g in cat.generic_names:
        assert g.choice in g.family and g.reason


def test_a_generic_label_may_not_be_an_alias() -> None:
    base = load_catalog()
    h100 = base.get("NVIDIA H100 SXM5 80 GB")
    g = GenericName(("H100 SXM5",), h100.name, (h100.name,), "test")
    with pytest.raises(DataFileError, match="also a name of"):
        Catalog(list(base), "x", [g])


def test_undocumented_ambiguity_names_the_candidates() -> None:
    base = load_catalog()
    a, b = base.get("NVIDIA L40"), base.get("NVIDIA L40S")
    two = Catalog([_clone(a, "NVIDIA L40", ()), _clone(b, "AMD L40", ())], "x")
    with pytest.raises(UnknownHardwareError, match=r"'L40' is ambiguous \(NVIDIA L40, AMD L40\)"):
        two.get("L40")


def _clone(acc: Accelerator, name: str, aliases: tuple[str, ...]) -> Accelerator:
    import dataclasses

    return dataclasses.replace(acc, name=name, aliases=aliases)


# ------------------------------------------------------------------------------ Epoch strings

#: Every ``Training hardware`` string of Epoch's notable models (the shipped CSV and the 2024-12
#: snapshot) and the chip it resolved to before generic names existed.
EPOCH_BEFORE = {
    'AMD Instinct MI250X': 'AMD Instinct MI250X',
    'AMD Radeon Instinct MI250X': 'AMD Instinct MI250X',
    'Amazon Trainium1': 'Amazon Trainium1',
    'Cerebras CS-2': 'Cerebras CS-2',
    'Google TPU v1': 'Google TPU v1',
    'Google TPU v2': 'Google TPU v2',
    'Google TPU v3': 'Google TPU v3',
    'Google TPU v4': 'Google TPU v4',
    'Google TPU v5e': 'Google TPU v5e',
    'Google TPU v5p': 'Google TPU v5p',
    'Google TPU v6e Trillium': 'Google TPU v6e',
    'Google TPU v7 Ironwood': 'Google TPU v7',
    'Huawei Ascend 910': 'Huawei Ascend 910',
    'Huawei Ascend 910B': 'Huawei Ascend 910B',
    'Huawei Ascend 910C': 'Huawei Ascend 910C',
    'Intel Core 2 Quad Q9450': None,
    'NVIDIA A10 PCIe': 'NVIDIA A10 PCIe',
    'NVIDIA A100': 'NVIDIA A100 SXM4 40 GB',
    'NVIDIA A100 PCIe': 'NVIDIA A100 PCIe 40 GB',
    'NVIDIA A100 SXM4 40 GB': 'NVIDIA A100 SXM4 40 GB',
    'NVIDIA A100 SXM4 80 GB': 'NVIDIA A100 SXM4 80 GB',
    'NVIDIA A800': 'NVIDIA A800 SXM4 80 GB',
    'NVIDIA A800 PCIe 40 GB': 'NVIDIA A800 PCIe 40 GB',
    'NVIDIA A800 PCIe 80 GB': 'NVIDIA A800 PCIe 80 GB',
    'NVIDIA A800 SXM': 'NVIDIA A800 SXM4 80 GB',
    'NVIDIA B200 GPUs': 'NVIDIA B200',
    'NVIDIA B300 (Blackwell Ultra)': 'NVIDIA B300',
    'NVIDIA GB200': 'NVIDIA GB200',
    'NVIDIA GB300 (Blackwell Ultra)': 'NVIDIA GB300',
    'NVIDIA GTX Titan Black': 'NVIDIA GeForce GTX Titan Black',
    'NVIDIA GeForce GTX 1080 Ti': 'NVIDIA GeForce GTX 1080 Ti',
    'NVIDIA GeForce GTX 280': None,
    'NVIDIA GeForce GTX 285': 'NVIDIA GeForce GTX 285',
    'NVIDIA GeForce GTX 480': 'NVIDIA GeForce GTX 480',
    'NVIDIA GeForce GTX 580': 'NVIDIA GeForce GTX 580',
    'NVIDIA GeForce GTX 590': 'NVIDIA GeForce GTX 590',
    'NVIDIA GeForce GTX 780': 'NVIDIA GeForce GTX 780',
    'NVIDIA GeForce GTX 980': 'NVIDIA GeForce GTX 980',
    'NVIDIA GeForce GTX TITAN': 'NVIDIA GeForce GTX TITAN',
    'NVIDIA GeForce GTX TITAN X': 'NVIDIA GeForce GTX TITAN X',
    'NVIDIA GeForce GTX Titan Black': 'NVIDIA GeForce GTX Titan Black',
    'NVIDIA GeForce RTX 2080 Ti': 'NVIDIA GeForce RTX 2080 Ti',
    'NVIDIA GeForce RTX 2080 Ti 11GB': 'NVIDIA GeForce RTX 2080 Ti',
    'NVIDIA GeForce RTX 3090': 'NVIDIA GeForce RTX 3090',
    'NVIDIA GeForce RTX 4090': 'NVIDIA GeForce RTX 4090',
    'NVIDIA H100 PCIe': 'NVIDIA H100 PCIe 80 GB',
    'NVIDIA H100 SXM5 80GB': 'NVIDIA H100 SXM5 80 GB',
    'NVIDIA H200': 'NVIDIA H200 SXM 141 GB',
    'NVIDIA H200 SXM': 'NVIDIA H200 SXM 141 GB',
    'NVIDIA H800 SXM5': 'NVIDIA H800 SXM5 80 GB',
    'NVIDIA M40': 'NVIDIA Tesla M40',
    'NVIDIA P100': 'NVIDIA Tesla P100 SXM2 16 GB',
    'NVIDIA P100 PCIe 16GB': 'NVIDIA Tesla P100 PCIe 16 GB',
    'NVIDIA Quadro GP100': 'NVIDIA Quadro GP100',
    'NVIDIA Quadro K6000': 'NVIDIA Quadro K6000',
    'NVIDIA Quadro P600': 'NVIDIA Quadro P600',
    'NVIDIA Quadro RTX 4000': 'NVIDIA Quadro RTX 4000',
    'NVIDIA Quadro RTX 5000': 'NVIDIA Quadro RTX 5000',
    'NVIDIA Quadro RTX 6000': 'NVIDIA Quadro RTX 6000',
    'NVIDIA Quadro RTX 8000': 'NVIDIA Quadro RTX 8000',
    'NVIDIA RTX A6000': 'NVIDIA RTX A6000',
    'NVIDIA TITAN RTX': 'NVIDIA TITAN RTX',
    'NVIDIA TITAN Xp': 'NVIDIA TITAN Xp',
    'NVIDIA Tesla C2075': 'NVIDIA Tesla C2075',
    'NVIDIA Tesla K20X': 'NVIDIA Tesla K20X',
    'NVIDIA Tesla K20m': 'NVIDIA Tesla K20m',
    'NVIDIA Tesla K40c': 'NVIDIA Tesla K40',
    'NVIDIA Tesla K40m': 'NVIDIA Tesla K40',
    'NVIDIA Tesla K40s': 'NVIDIA Tesla K40',
    'NVIDIA Tesla K40t': 'NVIDIA Tesla K40',
    'NVIDIA Tesla K80': 'NVIDIA Tesla K80',
    'NVIDIA Tesla S1070': 'NVIDIA Tesla S1070',
    'NVIDIA Tesla V100 DGXS 16 GB': 'NVIDIA Tesla V100 DGXS 16 GB',
    'NVIDIA Tesla V100 DGXS 32 GB': 'NVIDIA Tesla V100 DGXS 32 GB',
    'NVIDIA Tesla V100 PCIe 32 GB': 'NVIDIA Tesla V100 PCIe 32 GB',
    'NVIDIA Tesla V100 SXM3 32 GB': 'NVIDIA Tesla V100 SXM3 32 GB',
    'NVIDIA Tesla V100S PCIe 32 GB': 'NVIDIA Tesla V100S PCIe 32 GB',
    'NVIDIA V100': 'NVIDIA Tesla V100 SXM2 16 GB',
    'Nvidia H100 80G': 'NVIDIA H100 SXM5 80 GB',
}


def _epoch_strings(shared_data: Path) -> set[str]:
    out: set[str] = set()
    for rel in ("epoch/notable_ai_models.csv", "epoch/snapshots/2024-12/notable_ai_models.csv"):
        with (shared_data / rel).open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out |= {h.strip() for h in (row.get("Training hardware") or "").split(",")
                        if h.strip()}
    return out


def test_epoch_hardware_strings_resolve_as_before(cat: Catalog, shared_data: Path) -> None:
    assert _epoch_strings(shared_data) == set(EPOCH_BEFORE)
    now = {h: (acc.name if (acc := cat.match(h)) else None) for h in EPOCH_BEFORE}
    assert now == EPOCH_BEFORE


# ------------------------------------------------------------------------------ class, power


def test_chip_classes(cat: Catalog) -> None:
    assert {a.chip_class for a in cat} == set(CHIP_CLASSES)
    expect = {"H100 SXM5": "gpu-sxm", "NVIDIA H100 PCIe": "gpu-pcie", "RTX 4090": "gpu-workstation",
              "GH200": "gpu-sxm", "MI300X": "gpu-sxm", "TPU v4": "tpu", "Trainium2": "asic",
              "Gaudi3": "asic", "CS-2": "wafer-scale", "T4": "gpu-pcie"}
    assert {n: cat.get(n).chip_class for n in expect} == expect


def test_measured_power_from_patterson_2021(cat: Catalog) -> None:
    # Patterson et al. 2021 (arXiv 2104.10350), Table 3: average system power per processor
    expect = {"Google TPU v2": 221, "Google TPU v3": 283, "NVIDIA Tesla V100 SXM2 16 GB": 325,
              "NVIDIA Tesla V100 SXM2 32 GB": 325, "NVIDIA Tesla P100 SXM2 16 GB": 271}
    got = {a.name: a.measured_power_w for a in cat if not math.isnan(a.measured_power_w)}
    assert got == expect
    v3 = cat.get("TPU v3")
    assert v3.measured_power_scope == "system"
    assert "2104.10350" in v3.measured_power_source and "Table 3" in v3.measured_power_source
    for model, watts in (("T5", 310), ("Meena", 289), ("GShard-600B", 288), ("Switch", 245)):
        assert f"{model}" in v3.measured_power_source and f"{watts}" in v3.measured_power_source
    assert v3.measured_power_w / v3.tdp_w == pytest.approx(283 / 450)
    assert cat.get("H100").measured_power_source == ""


def test_table_without_the_new_columns_still_loads(tmp_path: Path) -> None:
    with DEFAULT_PATH.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    old = [c for c in rows[0] if c not in ("chip_class", "measured_power_w",
                                           "measured_power_scope", "measured_power_source")]
    path = tmp_path / "old.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=old, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    old_cat = load_catalog(path)
    assert len(old_cat) == len(rows)
    assert old_cat.get("TPU v3").chip_class == "tpu"
    assert math.isnan(old_cat.get("TPU v3").measured_power_w)
    assert old_cat.generic_names == ()


def test_measured_power_needs_scope_and_source(tmp_path: Path) -> None:
    with DEFAULT_PATH.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:2]
    rows[1]["measured_power_scope"] = ""
    rows[1]["measured_power_w"] = "300"
    path = tmp_path / "acc.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(DataFileError, match=r"line 3 .*measured_power_scope"):
        load_catalog(path)

