"""Grid factors: values checked against the source tables, read here independently."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trainlca import grid
from trainlca.errors import DataFileError, ParameterError, UnknownLocationError
from trainlca.grid import (
    LARGE_DATACENTRE_HOSTS,
    GridFactors,
    csv_provider,
    ecologits_provider,
    load_grid,
    low_carbon_target,
)

SRC = Path(__file__).resolve().parents[1] / "src"


def _ecologits_rows() -> dict[str, dict[str, Any]]:
    spec = importlib.util.find_spec("ecologits")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "electricity_mixes.json"
    rows = json.loads(path.read_text(encoding="utf-8"))["electricity_mixes"]
    return {r["name"]: r for r in rows}


@pytest.fixture(scope="module")
def mixes() -> dict[str, dict[str, Any]]:
    return _ecologits_rows()


@pytest.fixture(scope="module")
def mlca_path(shared_data: Path) -> Path:
    return shared_data / "impact_factors" / "mlca" / "electricity_impact_factors.csv"


@pytest.mark.parametrize("zone", ["FRA", "USA", "WOR"])
def test_ecologits_values_equal_json(zone: str, mixes: dict[str, dict[str, Any]]) -> None:
    f = ecologits_provider().get(zone)
    row = mixes[zone]
    assert f.zone == zone
    assert (f.gwp, f.adpe, f.pe, f.wu) == (row["gwp"], row["adpe"], row["pe"], row["wue"])
    assert f.fallbacks == ()
    assert f.source.startswith("ecologits 0.11")


def test_ecologits_known_values() -> None:
    p = ecologits_provider()
    assert p.name == "ecologits"
    assert p.get("FRA").gwp == pytest.approx(0.04144)
    assert p.get("WOR").gwp == pytest.approx(0.45829)
    assert p.get("WOR").name == "World"
    assert len(p) == len(_ecologits_rows()) == 215
    assert ecologits_provider() is p  # cached


def test_names_resolve() -> None:
    p = ecologits_provider()
    assert p.get("France") is p.get("FRA")
    assert p.get("united states") is p.get("USA")
    assert p.get("Korea (Republic of)").zone == "KOR"
    assert p.get(" fra ").zone == "FRA"
    assert p.get("World").zone == "WOR"


def test_unknown_location() -> None:
    p = ecologits_provider()
    with pytest.raises(
        UnknownLocationError, match=r"unknown country or zone 'Atlantis'; closest: "
    ):
        p.get("Atlantis")
    with pytest.raises(UnknownLocationError, match="no single country"):
        p.get("Multinational")
    # a real country that EcoLogits has no row for
    assert "ATA" not in p
    with pytest.raises(UnknownLocationError, match=r"no grid factors for 'Antarctica' \(ATA\)"):
        p.get("Antarctica")


def test_world_fallbacks_listed(mixes: dict[str, dict[str, Any]]) -> None:
    p = ecologits_provider()
    aruba = p.get("ABW")
    assert mixes["ABW"]["warnings"] == [
        "electricity-mix-adpe-world",
        "electricity-mix-pe-world",
        "electricity-mix-wue-world",
    ]
    assert aruba.fallbacks == ("adpe", "pe", "wu")
    assert p.get("AGO").fallbacks == ("wu",)
    world = p.get("WOR")
    # every flagged value is exactly the WOR row's value, so "world fallback" is accurate
    n_flagged = 0
    for f in p:
        for crit in f.fallbacks:
            assert f.get(crit) == world.get(crit), (f.zone, crit)
            n_flagged += 1
        warnings = mixes[f.zone]["warnings"] or []
        assert len(f.fallbacks) == len(warnings)
    assert n_flagged == 165 + 77 + 77


def test_factor_get() -> None:
    f = ecologits_provider().get("FRA")
    assert f.get("gwp") == f.gwp
    assert f.get("wu") == f.wu
    with pytest.raises(ParameterError, match="unknown criterion 'co2'"):
        f.get("co2")


def test_zones_and_search() -> None:
    p = ecologits_provider()
    zones = p.zones()
    assert zones == sorted(zones) and "WOR" in zones and "FRA" in zones
    assert [f.zone for f in p.search("france")] == ["FRA"]
    assert p.search("United States of America")[0].zone == "USA"
    assert {"KOR", "PRK"} <= {f.zone for f in p.search("korea")}
    assert len(p.search("")) == len(p)
    assert p.search("zzzz") == []


def test_arrays_vectorised() -> None:
    p = ecologits_provider()
    zones = ["FRA", "USA", "FRA", "WOR", "USA"]
    arr = p.arrays(zones)
    assert set(arr) == {"gwp", "adpe", "pe", "wu"}
    for crit, values in arr.items():
        assert values.dtype == np.float64
        assert values.tolist() == [p.get(z).get(crit) for z in zones]
    assert p.arrays([])["gwp"].shape == (0,)
    with pytest.raises(UnknownLocationError):
        p.arrays(["FRA", "Atlantis"])


def test_mlca_csv(mlca_path: Path) -> None:
    with mlca_path.open(encoding="utf-8", newline="") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    p = csv_provider(mlca_path)
    fra = p.get("France")
    assert fra.gwp == float(rows["FRA"]["gwp_emission_factor"]) == 0.098
    assert fra.adpe == float(rows["FRA"]["adpe_emission_factor"])
    assert fra.pe == float(rows["FRA"]["pe_emission_factor"])
    # MLCA has no water factor: filled from EcoLogits and flagged
    assert fra.wu == ecologits_provider().get("FRA").wu
    assert fra.fallbacks == ("wu",)
    assert p.get("WOR").gwp == float(rows["WOR"]["gwp_emission_factor"]) == 0.39
    assert p.get("EEE").gwp == 0.38 and p.get("EEE").name == "Europe"
    assert len(p) == 136  # 137 rows, HND listed twice: the first row wins
    assert p.get("HND").pe == 15.762
    assert p.name.startswith("mlca:") and p.version.startswith("sha256:")


def test_green_algorithms_csv(shared_data: Path) -> None:
    path = shared_data / "impact_factors" / "green_algorithms" / "CI_aggregated.csv"
    p = csv_provider(path)
    assert p.get("WOR").gwp == 0.475  # 475 gCO2e/kWh
    assert p.get("FRA").gwp == pytest.approx(0.05128)
    assert p.get("FRA").fallbacks == ("adpe", "pe", "wu")
    assert p.get("US-CA").adpe == ecologits_provider().get("USA").adpe  # region -> its country


def _write(tmp_path: Path, text: str, name: str = "grid.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_simple_csv_subset_filled(tmp_path: Path) -> None:
    path = _write(tmp_path, "zone,gwp\nFRA,0.05\nGermany,0.4\nMY-DC,0.3\nXYZZ,0.2\n")
    p = load_grid(path)
    eco = ecologits_provider()
    fra = p.get("FRA")
    assert fra.gwp == 0.05
    assert (fra.adpe, fra.pe, fra.wu) == (eco.get("FRA").adpe, eco.get("FRA").pe, eco.get("FRA").wu)
    assert fra.fallbacks == ("adpe", "pe", "wu")
    assert p.get("DEU").gwp == 0.4
    assert p.get("MY-DC").pe == eco.get("MYS").pe  # regional code filled from its country
    own = p.get("XYZZ")
    assert own.gwp == 0.2 and math.isnan(own.adpe) and own.fallbacks == ()


def test_simple_csv_full(tmp_path: Path) -> None:
    path = _write(tmp_path, "zone,name,gwp,adpe,pe,wu\nNOR,Norway grid,0.01,1e-8,1.5,2\n")
    f = csv_provider(path).get("Norway")
    assert (f.gwp, f.adpe, f.pe, f.wu, f.fallbacks) == (0.01, 1e-8, 1.5, 2.0, ())


def test_non_numeric_cell_names_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "zone,gwp,pe\nFRA,0.05,9\nDEU,abc,10\n")
    with pytest.raises(DataFileError, match=r"line 3 \(zone DEU\), column 'gwp': 'abc'"):
        csv_provider(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("\n\n", "empty file"),
        ("zone,gwp\n", "no data rows"),
        ("country,co2\nFRA,0.1\n", "missing required columns"),
        ("zone,name\nFRA,France\n", "no criteria columns"),
        ("zone,gwp\nFRA,-1\n", "must be a finite number ≥ 0"),
        ("zone,gwp\nFRA,0.1\nFRA,0.2\n", "zone FRA appears twice"),
        ("zone,gwp\n,0.1\n", "line 2: empty zone"),
    ],
)
def test_bad_csv(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        csv_provider(_write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="grid file not found"):
        load_grid(tmp_path / "nope.csv")


def test_load_grid_default() -> None:
    assert load_grid() is ecologits_provider()
    assert load_grid("ecologits") is ecologits_provider()


def test_low_carbon_target(mixes: dict[str, dict[str, Any]]) -> None:
    expected = min(LARGE_DATACENTRE_HOSTS, key=lambda z: mixes[z]["gwp"])
    assert low_carbon_target() == expected == "NOR"
    assert grid.LOW_CARBON_TARGET == "NOR"
    assert low_carbon_target(candidates=("USA", "FRA", "DEU")) == "FRA"
    # Iceland would win by 1 % if it were counted as a large host
    assert low_carbon_target(candidates=(*LARGE_DATACENTRE_HOSTS, "ISL")) == "ISL"
    with pytest.raises(UnknownLocationError):
        low_carbon_target(candidates=("ATA",))


def test_import_is_light() -> None:
    code = (
        "import sys, trainlca.grid; "
        "heavy = ('pandas', 'numpy', 'ecologits', 'pycountry'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC)},
    )
    assert out.stdout.strip() == "[]"


def test_gridfactors_frozen() -> None:
    f = GridFactors("X", "X", 1.0, 1.0, 1.0, 1.0, "s")
    with pytest.raises(AttributeError):
        f.gwp = 2.0  # type: ignore[misc]
