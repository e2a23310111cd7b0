"""Reading Epoch CSVs: schema map across versions, encodings, malformed files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trainlca.epoch import load_epoch, resolve_columns
from trainlca.epoch.schema import VARIANT_CURRENT, VARIANT_LEGACY
from trainlca.errors import DataFileError

DATA = Path(__file__).parent / "data"


def test_handmade_current_schema() -> None:
    d = load_epoch(DATA / "epoch_runs.csv")
    assert len(d) == 19
    assert d.schema_variant == VARIANT_CURRENT
    assert d.snapshot_date == date(2025, 1, 1)
    assert d.source.endswith("epoch_runs.csv")
    assert len(d.sha256) == 64
    assert d.schema.columns["mfu"] == "Hardware utilization (MFU)"
    assert d.frame["training_compute_flop"].isna().sum() == 5  # 4 blank + "about 1e22"
    assert d.coerced["training_compute_flop"] == 1


def test_legacy_schema_maps_renamed_columns() -> None:
    d = load_epoch(DATA / "epoch_legacy_schema.csv")
    assert d.schema_variant == VARIANT_LEGACY
    assert d.schema.columns["country"] == "Country (from Organization)"
    assert d.schema.columns["mfu"] == "Hardware utilization"
    assert "numerical_format" in d.schema.missing_optional
    assert d.frame["mfu"].tolist()[1] == 0.2
    assert d.frame["numerical_format"].isna().all()


def test_columns_selected_by_name_not_position() -> None:
    cols = [
        "Training hardware",
        "Hardware quantity",
        "Model",
        "Publication date",
        "Training compute (FLOP)",
        "Something new",
    ]
    s = resolve_columns(cols)
    assert s.columns["model"] == "Model"
    s = resolve_columns(
        ["  model ", "PUBLICATION DATE", "Training Hardware", "Training compute (FLOP)"]
    )
    assert s.columns["model"] == "  model "


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("epoch_missing_columns.csv", "Training hardware"),
        ("epoch_no_hours_columns.csv", "Training compute (FLOP) or Hardware quantity+Training"),
    ],
)
def test_missing_required_columns_named(name: str, missing: str) -> None:
    with pytest.raises(DataFileError, match="missing required column") as e:
        load_epoch(DATA / name)
    assert missing in str(e.value)
    assert "\n" not in str(e.value)


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        load_epoch(empty)
    header = tmp_path / "header.csv"
    header.write_text("Model,Publication date,Training hardware,Training compute (FLOP)\n")
    with pytest.raises(DataFileError, match="no rows"):
        load_epoch(header)
    with pytest.raises(DataFileError, match="not found"):
        load_epoch(tmp_path / "absent.csv")


def test_garbage_file(tmp_path: Path) -> None:
    p = tmp_path / "bin.csv"
    p.write_bytes(b'a,b\n"unterminated,\n1,2,3,4,5\n')
    with pytest.raises(DataFileError):
        load_epoch(p)


def test_bom_and_latin1(tmp_path: Path) -> None:
    text = (DATA / "epoch_runs.csv").read_text(encoding="utf-8").replace("Org A", "Zürich Lab")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    d = load_epoch(bom)
    assert d.schema.columns["model"] == "Model"
    assert d.frame["organization"].iloc[0] == "Zürich Lab"
    lat = tmp_path / "latin1.csv"
    lat.write_bytes(text.encode("latin-1"))
    d = load_epoch(lat)
    assert d.frame["organization"].iloc[0] == "Zürich Lab"
    assert d.encoding in {"cp1252", "latin-1"}


def test_unparseable_dates_become_missing() -> None:
    d = load_epoch(DATA / "epoch_runs.csv")
    dates = d.frame["publication_date"]
    assert dates.isna().sum() == 1
    assert d.frame.loc[dates.isna(), "model"].tolist() == ["bad-date"]
