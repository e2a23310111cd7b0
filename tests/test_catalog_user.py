"""User chips: a user catalogue CSV merged over ours (user rows first), an inline ``--chip``
spec, the imputation rule for what they leave out, and one-line errors for bad input."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest

from trainlca.catalog import (
    CHIP_SPEC_SOURCE,
    Catalog,
    load_catalog,
    load_user_catalog,
    parse_chip_spec,
)
from trainlca.errors import DataFileError, ParameterError


@pytest.fixture(scope="module")
def base() -> Catalog:
    return load_catalog()


def _write(tmp_path: Path, text: str, name: str = "mine.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _peers_median(base: Catalog, tdp: float, attr: str) -> float:
    """The documented rule, computed here independently: GPUs within ±25 % of the TDP."""
    peers = [a for a in base if a.type == "GPU" and abs(a.tdp_w - tdp) <= 0.25 * tdp]
    assert len(peers) >= 3
    return float(statistics.median(getattr(a, attr) for a in peers))


# ------------------------------------------------------------------------------ CSV


def test_user_row_is_a_new_chip_with_its_sources(base: Catalog, tmp_path: Path) -> None:
    path = _write(tmp_path, "name,aliases,vendor,tdp_w,die_area_mm2,memory_gb,memory_type,"
                            "tensor_16bit_flops,tdp_source\n"
                            "MyChip,MC1;My Chip v1,Acme,350,600,48,GDDR6,2e14,Acme datasheet\n")
    user = load_user_catalog(path, base)
    cat = base.merged(user)
    assert len(cat) == len(base) + 1
    chip = cat.get("MC1")
    assert cat.resolve("my chip v1").accelerator is chip and cat.resolve("MyChip").note is None
    assert (chip.tdp_w, chip.die_area_mm2, chip.memory_gb, chip.memory_type) == (350, 600, 48,
                                                                                  "GDDR6")
    assert chip.peak_flops("bf16") == 2e14
    assert chip.sources["tdp"] == "Acme datasheet"
    assert chip.sources["die_area"] == f"user catalogue {path}"
    assert not chip.die_area_imputed
    assert set(chip.imputed) == {"process_nm", "release_date"}
    assert chip.process_nm == _peers_median(base, 350, "process_nm")
    assert "imputed process_nm (median)" in chip.sources["process_nm"]
    assert (chip.type, chip.chip_class, chip.node_size) == ("GPU", "gpu-pcie", 8)
    assert cat.version.startswith(base.version + " + user catalogue mine.csv sha256:")


def test_user_row_naming_our_chip_overrides_only_what_it_gives(base: Catalog,
                                                               tmp_path: Path) -> None:
    path = _write(tmp_path, "name,tdp_w\nNVIDIA H100 SXM5 80 GB,600\n")
    cat = load_catalog(user=path)
    assert len(cat) == len(base)
    ours = base.get("NVIDIA H100 SXM5 80 GB")
    mine = cat.get("NVIDIA H100 SXM5 80 GB")
    assert mine.tdp_w == 600 and ours.tdp_w == 700
    assert (mine.die_area_mm2, mine.memory_gb, mine.tensor_16bit_flops) == (
        ours.die_area_mm2, ours.memory_gb, ours.tensor_16bit_flops)
    assert mine.sources["tdp"].startswith(f"tdp_w: user catalogue {path}; others: ")
    assert mine.sources["die_area"] == ours.sources["die_area"]
    # every name of our chip now leads to the user's
    for name in ("NVIDIA H100 80GB HBM3", "H100 SXM5", "H100"):
        assert cat.get(name) is mine
    assert cat.resolve("H100").note is not None  # still generic, now resolved to the user row


def test_user_alias_takes_a_name_from_our_chip(base: Catalog, tmp_path: Path) -> None:
    path = _write(tmp_path, "name,aliases,tdp_w\nMy A10,A10,140\n")
    cat = load_catalog(user=path)
    assert cat.get("A10").name == "My A10"
    assert cat.get("NVIDIA A10 PCIe") is not cat.get("A10")
    assert "A10" not in cat.get("NVIDIA A10 PCIe").aliases


def test_user_name_claims_a_generic_name(base: Catalog, tmp_path: Path) -> None:
    path = _write(tmp_path, "name,tdp_w,die_area_mm2,memory_gb\nTPU v5,300,700,32\n")
    cat = load_catalog(user=path)
    # "TPU v5" named one of ours generically, so the row inherits from the v5e and replaces it
    assert cat.get("TPU v5").tdp_w == 300 and cat.get("TPU v5e").tdp_w == 300
    assert cat.resolve("TPU v5").note is not None


def test_two_user_rows_replacing_one_chip(base: Catalog, tmp_path: Path) -> None:
    path = _write(tmp_path, "name,tdp_w\nNVIDIA A40,200\nNVIDIA A40 PCIe,250\n")
    with pytest.raises(DataFileError, match="lines 2 and 3 both describe 'NVIDIA A40'; keep one"):
        load_catalog(user=path)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("name,tdp_w\nA,-5\n", "mine.csv: line 2 (A), column 'tdp_w': -5 is not above 0 (W)"),
        ("name,tdp_w\nA,300\nA,200\n", "line 3 (A), column 'name': duplicate key"),
        ("name,tdp\nA,5\n", "line 1, column 2 'tdp' is not a catalogue column; did you mean "
                            "'tdp_w'?"),
        ("name,memory_gb\nA,5\n", "mine.csv, column 'tdp_w': required column missing"),
        ("name,tdp_w,type\nA,300,FPGA\n", "line 2 (A), column 'type': 'FPGA' is not one of"),
        ("name,tdp_w,release_date\nA,300,2020/1/1\n", "column 'release_date': '2020/1/1' is "
                                                      "not a date"),
        ("name,tdp_w\nA,300,5\n", "line 2 (A): more fields than columns"),
        ("name,tdp_w,measured_power_w\nA,300,250\n", "line 2: measured_power_w and "
                                                     "measured_power_scope go together"),
        ("name,tdp_w,die_area_mm2\nA,300,1e6\n", "column 'die_area_mm2': 1e6 is above 60000"),
        ("name,tdp_w\n", "0 data rows"),
    ],
)
def test_bad_user_file_one_line_error(base: Catalog, tmp_path: Path, text: str,
                                      expect: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError) as exc:
        load_user_catalog(path, base)
    msg = str(exc.value)
    assert expect in msg and "\n" not in msg and str(path) in msg


def test_unreadable_user_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        load_user_catalog(tmp_path / "absent.csv")
    bad = tmp_path / "bin.csv"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataFileError, match="cannot read"):
        load_user_catalog(bad)


# ------------------------------------------------------------------------------ --chip


def test_chip_spec_gives_a_sourced_accelerator(base: Catalog) -> None:
    chip = parse_chip_spec("tdp_w=350,die_area_mm2=600,memory_gb=48,memory_type=GDDR6,"
                           "name=MyChip,tensor_16bit_flops=3e14", base)
    assert (chip.name, chip.tdp_w, chip.die_area_mm2, chip.memory_gb, chip.memory_type) == (
        "MyChip", 350, 600, 48, "GDDR6")
    assert chip.peak_flops("fp8") == 3e14
    for key in ("tdp", "die_area", "memory", "flops"):
        assert chip.sources[key] == CHIP_SPEC_SOURCE == "user input (--chip)"
    assert set(chip.imputed) == {"process_nm", "release_date"}
    merged = base.merged([chip])
    assert merged.get("MyChip") is chip and len(merged) == len(base) + 1


def test_chip_spec_imputes_die_and_memory_from_peers(base: Catalog) -> None:
    chip = parse_chip_spec("tdp_w=350", base)
    assert chip.name == "user chip" and chip.die_area_imputed
    assert chip.die_area_mm2 == _peers_median(base, 350, "die_area_mm2")
    assert chip.memory_gb == _peers_median(base, 350, "memory_gb")
    assert {"die_area", "memory_gb", "memory_type"} <= set(chip.imputed)
    assert chip.sources["die_area"].startswith("imputed die_area_mm2 (median) of the ")
    assert "within ±25 % of 350 W" in chip.sources["die_area"]
    assert math.isnan(chip.peak_flops("bf16"))
    assert "tensor_16bit_flops" in chip.sources["flops"]


def test_chip_spec_far_from_any_peer_uses_the_five_nearest(base: Catalog) -> None:
    chip = parse_chip_spec("tdp_w=4000,type=TPU", base)
    assert "the 5 catalogue TPU chips with the TDP nearest 4000 W" in chip.sources["die_area"]
    tpus = sorted((a for a in base if a.type == "TPU"), key=lambda a: -a.tdp_w)[:5]
    assert chip.die_area_mm2 == statistics.median(a.die_area_mm2 for a in tpus)
    assert (chip.chip_class, chip.node_size) == ("tpu", 4)


def test_chip_spec_naming_our_chip_overrides_it(base: Catalog) -> None:
    chip = parse_chip_spec("name=H100,tdp_w=600,measured_power_w=520,measured_power_scope=chip",
                           base)
    ours = base.get("H100")
    assert chip.name == ours.name and chip.die_area_mm2 == ours.die_area_mm2
    assert (chip.tdp_w, chip.measured_power_w, chip.measured_power_scope) == (600, 520, "chip")
    assert chip.measured_power_source == CHIP_SPEC_SOURCE
    assert "tdp_w from user input (--chip)" in chip.notes


@pytest.mark.parametrize(
    ("spec", "expect"),
    [
        ("", "--chip is empty"),
        ("name=x", "--chip needs tdp_w="),
        ("tdp=350", "unknown field 'tdp'; did you mean 'tdp_w'?"),
        ("tdp_w", "'tdp_w' is not field=value"),
        ("tdp_w=-5", "tdp_w=-5 must be between 1 and 5000 W; give the chip's TDP in watts"),
        ("tdp_w=6000", "tdp_w=6000 must be between 1 and 5000 W"),
        ("tdp_w=abc", "tdp_w='abc' is not a number"),
        ("tdp_w=nan", "tdp_w='nan' is not a finite number"),
        ("tdp_w=300,die_area_mm2=0", "die_area_mm2=0 must be between 1 and 50000 mm²"),
        ("tdp_w=300,memory_gb=4096", "memory_gb=4096 must be between 0 and 2048 GB"),
        ("tdp_w=300,tensor_16bit_flops=0", "must be above 0 and at most 1e+18 FLOP/s"),
        ("tdp_w=300,die_count=1.5", "die_count='1.5' is not a whole number"),
        ("tdp_w=300,type=FPGA", "type='FPGA' is not one of GPU, TPU, ASIC, WSE"),
        ("tdp_w=300,release_date=2020/01/01", "write it as YYYY-MM-DD"),
        ("tdp_w=300,tdp_w=200", "tdp_w is given twice"),
        ("tdp_w=300,measured_power_w=200", "measured_power_w and measured_power_scope go "
                                           "together"),
        ("tdp_w=300,memory_gb=", "memory_gb is empty"),
    ],
)
def test_bad_chip_spec_one_line_error(base: Catalog, spec: str, expect: str) -> None:
    with pytest.raises(ParameterError) as exc:
        parse_chip_spec(spec, base)
    msg = str(exc.value)
    assert expect in msg and "\n" not in msg and msg.startswith("--chip")
