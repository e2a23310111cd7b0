"""Runs built from the handmade Epoch CSV: every imputation path, hours checked by hand.

A small fake catalogue with round peak values keeps the arithmetic independent of the real
catalogue's numbers; one test at the end repeats the A100 case with the real catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from trainlca.epoch import (
    FLAG_COLUMNS,
    RUN_COLUMNS,
    RunTable,
    build_runs,
    load_epoch,
    parse_precision,
    pick_first_known,
    split_values,
)
from trainlca.errors import ParameterError

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class FakeAccelerator:
    name: str
    peaks: dict[str, float]
    die_area_imputed: bool = False

    def peak_flops(self, precision: str) -> float:
        # fp8 falls back to the 16-bit rate when the chip has none, like the real catalogue
        return self.peaks.get(precision, self.peaks["bf16"])


A100 = FakeAccelerator(
    "NVIDIA A100", {"fp32": 19.5e12, "tf32": 156e12, "fp16": 312e12, "bf16": 312e12}
)
V100 = FakeAccelerator("NVIDIA V100", {"fp32": 15.7e12, "fp16": 125e12, "bf16": 125e12})
H100 = FakeAccelerator(
    "NVIDIA H100 SXM5 80GB",
    {"fp32": 67e12, "tf32": 494.7e12, "fp16": 989.4e12, "bf16": 989.4e12, "fp8": 1978.9e12},
    die_area_imputed=True,
)


class FakeCatalog:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self._by = {a.name.casefold(): a for a in (A100, V100, H100)}

    def match(self, name: str) -> FakeAccelerator | None:
        self.calls.append(name)
        return self._by.get(name.strip().casefold())


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return load_epoch(DATA / "epoch_runs.csv")


@pytest.fixture(scope="module")
def table(data) -> RunTable:  # type: ignore[no-untyped-def]
    return build_runs(data, catalog=FakeCatalog())


@pytest.fixture(scope="module")
def imputed(data) -> RunTable:  # type: ignore[no-untyped-def]
    return build_runs(data, catalog=FakeCatalog(), impute_hardware=True)


def run(t: RunTable, model: str) -> pd.Series:
    rows = t.runs[t.runs["model"] == model]
    assert len(rows) == 1, f"{model} not assessed; skipped: {t.skipped[['model', 'skip_reason']]}"
    return rows.iloc[0]


def skip_reason(t: RunTable, model: str) -> str:
    rows = t.skipped[t.skipped["model"] == model]
    assert len(rows) == 1, f"{model} not skipped"
    return str(rows.iloc[0]["skip_reason"])


def test_columns_and_counts(table: RunTable) -> None:
    assert list(table.runs.columns) == list(RUN_COLUMNS)
    assert list(table.skipped.columns) == list(RUN_COLUMNS)
    assert len(table.runs) == 12
    assert len(table.skipped) == 7
    assert table.runs["skip_reason"].isna().all()
    assert table.skipped["skip_reason"].notna().all()
    for c in FLAG_COLUMNS:
        assert table.runs[c].dtype == bool


def test_quantity_times_hours_wins_over_compute(table: RunTable) -> None:
    r = run(table, "qt-a100")
    assert r["accelerator_hours"] == 64 * 100
    assert not r["flag_hours_from_compute"]
    assert not r["flag_default_mfu"] and not r["flag_precision_default"]
    assert r["hardware"] == "NVIDIA A100" and r["zone"] == "USA"
    assert r["power_draw_w"] == 50000  # kept for comparison only
    assert r["year"] == pytest.approx(2020 + 166 / 366)


def test_compute_with_own_mfu(table: RunTable) -> None:
    r = run(table, "compute-own-mfu")
    # 1e23 FLOP / (312e12 FLOP/s × 0.4) / 3600 s/h
    assert r["accelerator_hours"] == pytest.approx(222_578.347578, rel=1e-9)
    assert r["flag_hours_from_compute"] and not r["flag_default_mfu"]
    assert r["mfu"] == 0.4 and r["precision"] == "bf16" and r["zone"] == "CHN"


def test_compute_with_default_mfu(table: RunTable) -> None:
    r = run(table, "compute-default-mfu")
    # quantity without time: hours still come from compute; V100 fp16 125e12, MFU 0.35
    assert r["accelerator_hours"] == pytest.approx(1e22 / (125e12 * 0.35) / 3600)
    assert r["accelerator_hours"] == pytest.approx(63_492.0635, rel=1e-8)
    assert r["flag_hours_from_compute"] and r["flag_default_mfu"]
    assert r["mfu"] == 0.35 and r["precision"] == "fp16"


def test_mfu_default_is_a_parameter(data) -> None:  # type: ignore[no-untyped-def]
    t = build_runs(data, catalog=FakeCatalog(), mfu_default=0.5)
    assert run(t, "compute-default-mfu")["accelerator_hours"] == pytest.approx(
        1e22 / (125e12 * 0.5) / 3600
    )
    # a row's own MFU is untouched
    assert run(t, "compute-own-mfu")["mfu"] == 0.4


def test_precision_default_and_from_format(data, table: RunTable) -> None:  # type: ignore[no-untyped-def]
    r = run(table, "precision-default")
    assert r["precision"] == "bf16" and r["flag_precision_default"]
    assert r["accelerator_hours"] == pytest.approx(17_806.267806, rel=1e-9)  # 1e22/(312e12·.5)/3600
    r32 = run(table, "fp32-format")
    assert r32["precision"] == "fp32" and not r32["flag_precision_default"]
    assert r32["accelerator_hours"] == pytest.approx(1e21 / (15.7e12 * 0.5) / 3600)
    t = build_runs(data, catalog=FakeCatalog(), precision_default="tf32")
    assert run(t, "precision-default")["accelerator_hours"] == pytest.approx(
        1e22 / (156e12 * 0.5) / 3600
    )


def test_fp4_and_mixed_formats_use_fp8_peak(table: RunTable) -> None:
    r = run(table, "nvfp4-format")
    assert r["precision"] == "fp8"
    assert r["accelerator_hours"] == pytest.approx(1e24 / (1978.9e12 * 0.3) / 3600)
    assert r["flag_die_area_imputed"]
    assert run(table, "mixed-format")["precision"] == "fp8"


def test_multi_hardware_takes_first_known(table: RunTable) -> None:
    r = run(table, "multi-hw")
    # Trainium1 is unknown to the fake catalogue → first KNOWN listed value, A100
    assert r["hardware"] == "NVIDIA A100"
    assert r["hardware_raw"] == "Amazon Trainium1,NVIDIA A100,NVIDIA V100"
    assert r["flag_multi_hardware"]
    assert r["accelerator_hours"] == 80
    # repeated identical countries are not "multi"
    assert r["zone"] == "USA" and not r["flag_multi_country"]


def test_multi_country_takes_first(table: RunTable) -> None:
    r = run(table, "multi-country")
    assert r["zone"] == "GBR" and r["flag_multi_country"] and not r["flag_world_grid"]


def test_multinational_and_missing_country_get_world_grid(table: RunTable) -> None:
    for model in ("multinational", "no-country"):
        r = run(table, model)
        assert r["zone"] == "WOR" and r["flag_world_grid"]
    assert run(table, "multinational")["accelerator_hours"] == 100


def test_mfu_written_as_percent(table: RunTable) -> None:
    r = run(table, "mfu-percent")
    assert r["mfu"] == pytest.approx(0.4)
    assert r["accelerator_hours"] == pytest.approx(1e22 / (312e12 * 0.4) / 3600)


def test_skip_reasons(data, table: RunTable) -> None:  # type: ignore[no-untyped-def]
    assert skip_reason(table, "unknown-hw") == "unknown hardware: Acme Brainchip 9000"
    assert skip_reason(table, "no-hw-2021") == "no hardware"
    assert skip_reason(table, "no-hw-no-compute") == "no hardware"
    assert skip_reason(table, "bad-date") == "unparseable date"
    assert skip_reason(table, "non-numeric-compute") == "no compute and no quantity×time"
    assert skip_reason(table, "pre-2013") == "outside window"
    assert data.coerced == {"training_compute_flop": 1, "publication_date": 1}
    assert table.skip_counts() == {
        "no hardware": 3,
        "unknown hardware": 1,
        "unparseable date": 1,
        "no compute and no quantity×time": 1,
        "outside window": 1,
    }


def test_impute_hardware_same_year_then_nearest(imputed: RunTable) -> None:
    assert len(imputed.runs) == 14 and len(imputed.skipped) == 5
    r = run(imputed, "no-hw-2021")  # 2021: A100 ×3 (own-mfu, precision-default, multi-hw), V100 ×1
    assert r["hardware"] == "NVIDIA A100" and r["flag_hardware_imputed"]
    assert r["hardware_raw"] is None
    assert r["accelerator_hours"] == pytest.approx(1e22 / (312e12 * 0.35) / 3600)
    assert r["flag_default_mfu"] and r["flag_precision_default"]
    # 2023 has no known chip; 2022 (A100 ×3, V100 ×1) and 2024 (H100) are equally near → earlier
    r23 = run(imputed, "no-hw-2023")
    assert r23["hardware"] == "NVIDIA A100" and r23["zone"] == "KOR"
    assert skip_reason(imputed, "no-hw-no-compute") == "no hardware"
    assert int(imputed.runs["flag_hardware_imputed"].sum()) == 2


def test_window_bounds(data) -> None:  # type: ignore[no-untyped-def]
    t = build_runs(data, catalog=FakeCatalog(), start_year=2021, end_year=2021)
    assert set(t.runs["model"]) == {
        "compute-own-mfu",
        "compute-default-mfu",
        "precision-default",
        "multi-hw",
    }
    t = build_runs(data, catalog=FakeCatalog(), start_year=2000)
    assert "pre-2013" in set(t.runs["model"])


def test_distinct_strings_looked_up_once(data) -> None:  # type: ignore[no-untyped-def]
    cat = FakeCatalog()
    build_runs(data, catalog=cat)
    assert cat.calls.count("NVIDIA A100") == 1


def test_bad_parameters(data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError):
        build_runs(data, catalog=FakeCatalog(), mfu_default=0)
    with pytest.raises(ParameterError):
        build_runs(data, catalog=FakeCatalog(), precision_default="int3")
    with pytest.raises(ParameterError):
        build_runs(data, catalog=FakeCatalog(), start_year=2020, end_year=2019)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BF16", "bf16"),
        ("FP16", "fp16"),
        ("FP32", "fp32"),
        ("TF32", "tf32"),
        ("FP8", "fp8"),
        ("NVFP4", "fp8"),
        ("Unknown", None),
        ("FP32, BF16", "bf16"),
        ("Mixed precision (FP16/FP32)", "fp16"),
        ("bfloat16", "bf16"),
    ],
)
def test_parse_precision(text: str, expected: str | None) -> None:
    assert parse_precision(text) == expected


def test_the_multi_value_rule() -> None:
    known = {"b": 2, "c": 3}.get
    assert split_values(" a, b ,,B, c") == ["a", "b", "c"]
    assert pick_first_known("a,b,c", known) == (2, True)
    assert pick_first_known("c", known) == (3, False)
    assert pick_first_known("c,C", known) == (3, False)
    assert pick_first_known("a,z", known) == (None, True)


def test_real_catalogue_a100_bf16() -> None:
    from trainlca.catalog import load_catalog

    t = build_runs(load_epoch(DATA / "epoch_runs.csv"), catalog=load_catalog())
    r = run(t, "compute-own-mfu")
    assert r["peak_flops"] == pytest.approx(312e12, rel=1e-3)
    assert r["accelerator_hours"] == pytest.approx(222_578.3, rel=1e-3)


def test_absurd_accelerator_hours_are_skipped_not_overflowed(tmp_path: Path) -> None:
    # 1e308 chips × 1 h is finite but every product downstream (energy, hours × peak FLOP/s)
    # would overflow: the row is skipped with the bad-hours reason; 1e8 chips × 1e6 h is kept.
    p = tmp_path / "e.csv"
    p.write_text("Model,Publication date,Training hardware,Hardware quantity,"
                 "Training time (hours)\n"
                 "absurd,2020-06-01,NVIDIA A100 SXM4 40 GB,1e308,1.0\n"
                 "huge,2020-06-01,NVIDIA A100 SXM4 40 GB,1e8,1e6\n", encoding="utf-8")
    t = build_runs(load_epoch(p))
    assert list(t.runs["model"]) == ["huge"]
    assert skip_reason(t, "absurd") == "accelerator-hours not a finite number in (0, 1e20]"
