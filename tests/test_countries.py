"""Country-name mapping, checked against the strings Epoch actually writes."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainlca import countries
from trainlca.countries import MULTINATIONAL, is_multinational, resolve, split_countries, to_iso3
from trainlca.errors import UnknownLocationError

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("France", "FRA"),
        ("FRA", "FRA"),
        ("fr", "FRA"),
        ("  france ", "FRA"),
        ("United States of America", "USA"),
        ("united states", "USA"),
        ("USA", "USA"),
        ("US", "USA"),
        ("Korea (Republic of)", "KOR"),
        ("Korea, Republic of", "KOR"),
        ("South Korea", "KOR"),
        ("North Korea", "PRK"),
        ("UK", "GBR"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("England", "GBR"),
        ("Russia", "RUS"),
        ("Taiwan", "TWN"),
        ("Hong Kong", "HKG"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("United Arab Emirates", "ARE"),
        ("UAE", "ARE"),
        ("World", "WOR"),
        ("WOR", "WOR"),
        ("wor", "WOR"),
    ],
)
def test_to_iso3_known(name: str, code: str) -> None:
    assert to_iso3(name) == code
    assert resolve(name) == code


@pytest.mark.parametrize("name", ["Atlantis", "", "   ", "Korea", "Meta", "XX", "Multinational"])
def test_to_iso3_unknown_or_ambiguous_is_none(name: str) -> None:
    # "Korea" is ambiguous (KOR/PRK); "Meta" is a Colombian department, not a country
    assert to_iso3(name) is None


def test_resolve_unknown_lists_suggestions() -> None:
    with pytest.raises(UnknownLocationError) as err:
        resolve("Atlantis")
    msg = str(err.value)
    assert msg.startswith("unknown country or zone 'Atlantis'; closest: ")
    assert "(" in msg.split("closest: ")[1].split(";")[0]  # at least one "Name (ISO)"
    assert "such as FRA, or WOR for the world average" in msg

    with pytest.raises(UnknownLocationError, match=r"closest: France \(FRA\)"):
        resolve("Frnace")


def test_multinational_is_flagged_not_mapped() -> None:
    assert "Multinational" in MULTINATIONAL
    assert "International" in MULTINATIONAL
    assert is_multinational(" multinational ")
    assert not is_multinational("France")
    with pytest.raises(UnknownLocationError, match="no single country; use WOR"):
        resolve("Multinational")


def _epoch_country_values(shared_data: Path) -> set[str]:
    files = {
        shared_data / "epoch" / "notable_ai_models.csv": "Country (of organization)",
        shared_data / "epoch" / "snapshots" / "2024-12" / "notable_ai_models.csv": (
            "Country (from Organization)"
        ),
    }
    values: set[str] = set()
    for path, column in files.items():
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames is not None and column in reader.fieldnames
            values |= {row[column] for row in reader if row[column].strip()}
    return values


def test_every_epoch_country_maps(shared_data: Path) -> None:
    values = _epoch_country_values(shared_data)
    singles = {part.strip() for v in values for part in v.split(",") if part.strip()}
    # the real values: 35 distinct strings, among them the UN-style names without a comma
    assert {"Korea (Republic of)", "Iran (Islamic Republic of)", "Multinational"} <= singles
    assert len(singles) >= 30
    unmapped = sorted(s for s in singles if to_iso3(s) is None and s not in MULTINATIONAL)
    assert unmapped == []
    assert to_iso3("Korea (Republic of)") == "KOR"
    assert to_iso3("United Kingdom of Great Britain and Northern Ireland") == "GBR"


def test_split_countries_matches_plain_split_on_epoch(shared_data: Path) -> None:
    for value in _epoch_country_values(shared_data):
        plain = [p.strip() for p in value.split(",") if p.strip()]
        assert split_countries(value) == plain


def test_split_countries_keeps_pycountry_style_names() -> None:
    assert split_countries("Korea, Republic of,France, Iran, Islamic Republic of") == [
        "Korea, Republic of",
        "France",
        "Iran, Islamic Republic of",
    ]
    assert split_countries("China,China,Hong Kong") == ["China", "China", "Hong Kong"]
    assert split_countries("") == []


def test_country_name() -> None:
    assert countries.country_name("FRA") == "France"
    assert countries.country_name("WOR") == "World"
    assert countries.country_name("EEE") == "EEE"


def test_import_is_cheap() -> None:
    code = "import sys, trainlca.countries; print('pycountry' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC)},
    )
    assert out.stdout.strip() == "False"


@given(st.text(max_size=40))
def test_to_iso3_never_raises(name: str) -> None:
    code = to_iso3(name)
    assert code is None or (len(code) == 3 and code.isupper())
