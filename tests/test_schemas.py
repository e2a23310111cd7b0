"""Schema checks over every table we ship or read; a corrupted copy is caught, row named."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from trainlca.catalog import DEFAULT_PATH, load_catalog
from trainlca.grid import ecologits_json_path
from trainlca.schemas import (
    CARD_REFERENCES_SPEC,
    CATALOGUE_SPEC,
    ECOLOGITS_SPEC,
    EPOCH_SPEC,
    FOOTPRINTS_SPEC,
    GRID_MLCA_SPEC,
    GRID_SIMPLE_SPEC,
    Problem,
    check_file,
    check_table,
    ecologits_table,
    read_csv_table,
)

REF = DEFAULT_PATH.parents[1] / "reference"
DATA = Path(__file__).parent / "data"

SHIPPED = [
    (DEFAULT_PATH, CATALOGUE_SPEC),
    (REF / "footprints.csv", FOOTPRINTS_SPEC),
    (REF / "card_references.csv", CARD_REFERENCES_SPEC),
]


def _fmt(problems: list[Problem]) -> str:
    return "\n".join(map(str, problems))


@pytest.mark.parametrize(("path", "spec"), SHIPPED, ids=lambda x: getattr(x, "name", ""))
def test_shipped_tables_are_valid(path: Path, spec: object) -> None:
    problems = check_file(path)
    assert not problems, "\n" + _fmt(problems)


def test_ecologits_table_is_valid() -> None:
    table = ecologits_table()
    assert len(table.rows) > 200
    problems = check_table(table, ECOLOGITS_SPEC)
    assert not problems, "\n" + _fmt(problems)
    assert check_file(ecologits_json_path()) == []


def test_reference_hardware_is_in_the_catalogue() -> None:
    cat = load_catalog()
    for path in (REF / "footprints.csv", REF / "card_references.csv"):
        for line, row in read_csv_table(path).rows:
            assert cat.match(row["hardware"]) is not None, f"{path.name}: line {line}"


def test_epoch_test_data_and_snapshot(shared_data: Path) -> None:
    assert check_file(DATA / "epoch_legacy_schema.csv") == []
    # the fixture's deliberately bad cells are found, row named
    found = {(p.line, p.key, p.column) for p in check_file(DATA / "epoch_runs.csv")}
    assert found == {(17, "bad-date", "Publication date"),
                     (18, "non-numeric-compute", "Training compute (FLOP)")}
    msgs = [str(p) for p in check_file(DATA / "epoch_missing_columns.csv")]
    assert any("'Training hardware': required column missing" in m for m in msgs)
    snap = shared_data / "epoch" / "snapshots" / "2024-12" / "notable_ai_models.csv"
    assert check_file(snap) == []
    # the current file: only rows without a publication date (skipped by build_runs)
    current = check_file(shared_data / "epoch" / "notable_ai_models.csv")
    assert all(p.column == "Publication date" and p.message == "empty" for p in current)


def test_mlca_grid_file(shared_data: Path) -> None:
    """MLCA's table is upstream data: its three implausible PE factors (ADPf / (1 − renewable
    share) blows up) are pinned, so any other defect, or a fix upstream, is noticed."""
    path = shared_data / "impact_factors" / "mlca" / "electricity_impact_factors.csv"
    problems = check_table(read_csv_table(path), GRID_MLCA_SPEC)
    assert {(p.key, p.column) for p in problems} == {
        ("KEN", "pe_emission_factor"), ("NAM", "pe_emission_factor"),
        ("URY", "pe_emission_factor")}


def _corrupt(src: Path, dst: Path, line: int, column: str, value: str) -> None:
    """Copy ``src`` to ``dst`` with the cell at physical ``line`` / ``column`` replaced."""
    table = read_csv_table(src)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=table.header, lineterminator="\n")
    w.writeheader()
    for ln, row in table.rows:
        w.writerow({**row, column: value} if ln == line else row)
    dst.write_text(buf.getvalue(), encoding="utf-8")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("tdp_w", "-700", "not above 0 (W)"),
        ("tdp_w", "nan", "empty"),
        ("die_area_mm2", "lots", "not a number"),
        ("release_date", "2020-13-45", "not a date"),
        ("type", "FPGA", "not one of"),
        ("node_size", "8.5", "not a whole number"),
        ("tdp_source", "", "empty"),
        ("fp8_flops", "inf", "not a finite number"),
    ],
)
def test_corrupted_catalogue_row_is_named(tmp_path: Path, column: str, value: str,
                                          message: str) -> None:
    bad = tmp_path / "accelerators.csv"
    line, row = read_csv_table(DEFAULT_PATH).rows[5]
    _corrupt(DEFAULT_PATH, bad, line, column, value)
    problems = check_file(bad)
    hits = [p for p in problems if p.line == 7 and p.key == row["name"]]
    assert hits, _fmt(problems)
    text = " ".join(str(p) for p in hits)
    assert message in text and f"line 7 ({row['name']})" in text
    assert all(p.line == 7 for p in problems)


def test_value_without_source_and_duplicate_key(tmp_path: Path) -> None:
    bad = tmp_path / "footprints.csv"
    src = REF / "footprints.csv"
    rows = read_csv_table(src).rows
    _corrupt(src, bad, rows[2][0], "source", "")
    problems = check_file(bad)
    assert {p.column for p in problems} >= {"source", "accelerator_hours", "reported_tco2eq"}
    assert all(p.line == 4 and p.key == rows[2][1]["id"] for p in problems)
    assert "value without a source in 'source'" in _fmt(problems)

    dup = tmp_path / "card_references.csv"
    text = (REF / "card_references.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    dup.write_text("".join([*lines, lines[1]]), encoding="utf-8")
    (p,) = check_file(dup)
    assert p.line == len(lines) + 1 and "duplicate key (first on line 2)" in p.message


def test_corrupted_ecologits_json_is_named(tmp_path: Path) -> None:
    data = json.loads(ecologits_json_path().read_text(encoding="utf-8"))
    data["electricity_mixes"][3]["gwp"] = -1
    del data["electricity_mixes"][7]["wue"]
    bad = tmp_path / "electricity_mixes.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    got = {(p.line, p.key, p.column) for p in check_file(bad)}
    n3, n7 = (data["electricity_mixes"][i]["name"] for i in (3, 7))
    assert got == {(4, n3, "gwp"), (8, n7, "wue")}


def test_grid_simple_spec(tmp_path: Path) -> None:
    f = tmp_path / "g.csv"
    f.write_text("zone,gwp,wue\nFRA,0.05,1.2\nDEU,abc,\nUSA,5,300\nFRA,0.05,1\n",
                 encoding="utf-8")
    got = [(p.line, p.key, p.column) for p in check_file(f)]
    assert got == [(3, "DEU", "gwp"), (4, "USA", "gwp"), (4, "USA", "wu"),
                   (5, "FRA", "zone")]
    f.write_text("zone,name\nFRA,France\n", encoding="utf-8")
    assert [p.message for p in check_table(read_csv_table(f), GRID_SIMPLE_SPEC)] == [
        "needs the column(s) gwp or adpe or pe or wu"]


def test_epoch_spec_corrupted_copy(tmp_path: Path) -> None:
    src = DATA / "epoch_legacy_schema.csv"
    rows = read_csv_table(src).rows
    bad = tmp_path / "epoch.csv"
    _corrupt(src, bad, rows[1][0], "Hardware utilization", "250%")
    (p,) = check_table(read_csv_table(bad), EPOCH_SPEC)
    assert (p.line, p.key, p.column) == (3, rows[1][1]["Model"], "Hardware utilization (MFU)")
    assert "above 1" in p.message


def test_plain_rows_and_extra_fields() -> None:
    rows = [{"zone": "FRA", "gwp": "0.1"}, {"zone": "", "gwp": "x"}]
    got = [str(p) for p in check_table(rows, GRID_SIMPLE_SPEC)]
    assert got == ["grid (zone,gwp,adpe,pe,wu): line 3, column 'zone': empty",
                   "grid (zone,gwp,adpe,pe,wu): line 3, column 'gwp': 'x' is not a number"]
    assert check_table([], GRID_SIMPLE_SPEC)[-1].message == "0 data rows, need ≥ 1"
