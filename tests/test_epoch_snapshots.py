"""The shared Epoch snapshots load, map their columns, and give the expected run counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trainlca.catalog import Catalog, load_catalog
from trainlca.epoch import EpochData, build_runs, load_epoch
from trainlca.epoch.schema import VARIANT_CURRENT, VARIANT_LEGACY

CURRENT_SHA = "c5a262f52d614d11d7b6f0e5e2ac07d3501cfd7d325d92895bb2c5a9190ed860"
LEGACY_SHA = "4b83e8209f3760e4402261b45377eef7d8e019b0293459d2d9515092456e9991"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def current(shared_data: Path) -> EpochData:
    return load_epoch(shared_data / "epoch" / "notable_ai_models.csv")


@pytest.fixture(scope="module")
def legacy(shared_data: Path) -> EpochData:
    return load_epoch(shared_data / "epoch" / "snapshots" / "2024-12" / "notable_ai_models.csv")


def test_current_snapshot_loads(current: EpochData) -> None:
    assert len(current) == 1036
    assert current.sha256 == CURRENT_SHA
    assert current.snapshot_date == date(2026, 7, 15)
    assert current.schema_variant == VARIANT_CURRENT
    assert current.schema.columns["country"] == "Country (of organization)"
    assert current.schema.missing_optional == ()
    assert current.coerced == {"publication_date": 5}  # five rows without a date


def test_legacy_snapshot_maps_old_columns(legacy: EpochData) -> None:
    assert len(legacy) == 884
    assert legacy.sha256 == LEGACY_SHA
    assert legacy.snapshot_date == date(2024, 12, 6)
    assert legacy.schema_variant == VARIANT_LEGACY
    assert legacy.schema.columns["country"] == "Country (from Organization)"
    assert legacy.schema.columns["mfu"] == "Hardware utilization"
    assert legacy.schema.missing_optional == ("numerical_format",)
    assert legacy.frame["mfu"].notna().sum() == 37


@pytest.mark.parametrize("which", ["current", "legacy"])
def test_mfu_values_are_fractions(which: str, request: pytest.FixtureRequest) -> None:
    data: EpochData = request.getfixturevalue(which)
    mfu = data.frame["mfu"].dropna()
    assert len(mfu) > 30 and mfu.between(0.1, 0.6).all()


def test_current_counts(current: EpochData, catalog: Catalog) -> None:
    t = build_runs(current, catalog=catalog)
    assert len(t.runs) >= 285
    assert len(t.runs) == 294
    assert t.runs["year"].between(2013, 2027).all()
    assert t.runs["hardware"].notna().all() and t.runs["accelerator_hours"].gt(0).all()
    assert t.skip_counts() == {
        "no hardware": 520,
        "outside window": 160,
        "no compute and no quantity×time": 57,
        "unparseable date": 5,
    }
    assert len(t.runs) + len(t.skipped) == 1036


def test_current_counts_with_imputed_hardware(current: EpochData, catalog: Catalog) -> None:
    t = build_runs(current, catalog=catalog, impute_hardware=True)
    assert len(t.runs) >= 440
    assert len(t.runs) == 458
    assert int(t.runs["flag_hardware_imputed"].sum()) == 164


def test_legacy_counts(legacy: EpochData, catalog: Catalog) -> None:
    t = build_runs(legacy, catalog=catalog)
    assert len(t.runs) == 220
    assert t.skip_counts() == {
        "no hardware": 429,
        "outside window": 199,
        "no compute and no quantity×time": 36,
    }
    assert t.runs["flag_precision_default"].sum() == t.runs["flag_hours_from_compute"].sum()
    assert len(build_runs(legacy, catalog=catalog, impute_hardware=True).runs) == 379


def test_every_hardware_string_is_known(
    current: EpochData, legacy: EpochData, catalog: Catalog
) -> None:
    for data in (current, legacy):
        t = build_runs(data, catalog=catalog)
        assert not t.skipped["skip_reason"].str.startswith("unknown hardware").any()
    # before the window, only a 2010 GTX 280 + CPU row of the 2024-12 snapshot is unknown
    t = build_runs(legacy, catalog=catalog, start_year=1900)
    assert (
        t.skip_counts(detail=True)[
            "unknown hardware: NVIDIA GeForce GTX 280,Intel Core 2 Quad Q9450"
        ]
        == 1
    )
