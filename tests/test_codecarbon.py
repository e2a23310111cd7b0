"""CodeCarbon import: rows summed, measured energy replaces the modelled use stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from clitools import run_cli as run
from trainlca.api import estimate
from trainlca.codecarbon import estimate_from_codecarbon, location_of, read_codecarbon
from trainlca.criteria import CRITERIA
from trainlca.errors import DataFileError, ParameterError

DATA = Path(__file__).parent / "data"
TWO = DATA / "codecarbon_two_ranks.csv"  # 2 rows: 7200 s and 3600 s, 4 GPUs each, FRA
MISSING = DATA / "codecarbon_missing_columns.csv"




def test_rows_are_summed() -> None:
    r = read_codecarbon(TWO)
    assert r.rows == 2
    assert r.energy_kwh == pytest.approx(5.9 + 2.95)
    assert r.accelerator_hours == pytest.approx(4 * 2 + 4 * 1)  # Σ gpu_count × duration (h)
    assert r.country == "FRA" and r.pue == 1.0
    assert r.emissions_kg == pytest.approx(1.8)
    assert read_codecarbon(TWO, count=2).accelerator_hours == pytest.approx(6.0)


def test_hand_computed_impacts() -> None:
    e = estimate_from_codecarbon(TWO, "H100", draws=0)
    ref = estimate("H100", accelerator_hours=12.0, country="FRA", draws=0)
    assert e.accelerator_hours == pytest.approx(12.0)
    assert e.energy_kwh == pytest.approx(8.85)
    grid = ref.grid
    for c in CRITERIA:
        # use = measured kWh × grid factor (EcoLogits France); production from H = 12 h; water
        # adds the on-site cooling water: IT energy 8.85 / PUE 1.2 × WUE 0.38 L/kWh (unknown)
        onsite = 8.85 / 1.2 * 0.38 if c == "wu" else 0.0
        assert e.impacts[c]["use"] == pytest.approx(8.85 * grid.get(c) + onsite, rel=1e-12)
        assert e.impacts[c]["production_accelerator"] == pytest.approx(
            ref.impacts[c]["production_accelerator"], nan_ok=True)
    assert e.impacts["gwp"]["use"] == pytest.approx(8.85 * 0.04144, rel=1e-9)
    prov = {p.name: p for p in e.provenance}
    assert prov["energy_kwh"].status == "measured" and "CodeCarbon" in prov["energy_kwh"].source
    assert "CodeCarbon" in prov["location"].source
    assert e.energy_interval is None  # measured: no modelled spread


def test_measured_energy_keeps_grid_uncertainty_only() -> None:
    e = estimate("H100", accelerator_hours=12.0, country="FRA", draws=400,
                 measured_energy_kwh=8.85)
    use = e.intervals["gwp"]["use"]
    assert use.p5 < 8.85 * 0.04144 < use.p95  # grid factor spread stays
    # The energy model's parameters (pue, power) no longer move the use stage.
    a = estimate("H100", accelerator_hours=12.0, country="FRA", draws=0,
                 measured_energy_kwh=8.85, overrides={"pue": 1.5})
    b = estimate("H100", accelerator_hours=12.0, country="FRA", draws=0,
                 measured_energy_kwh=8.85, overrides={"pue": 1.1})
    assert a.impacts["gwp"]["use"] == pytest.approx(b.impacts["gwp"]["use"])
    with pytest.raises(ParameterError):
        estimate("H100", accelerator_hours=1.0, draws=0, measured_energy_kwh=-1.0)


def test_country_rules(tmp_path: Path) -> None:
    text = TWO.read_text().splitlines()
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("\n".join([text[0], text[1], text[2].replace(",FRA,", ",DEU,")]) + "\n")
    r = read_codecarbon(mixed)
    with pytest.raises(ParameterError, match="several countries"):
        location_of(r, None)
    assert location_of(r, "SWE") == "SWE"


def test_missing_columns_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DataFileError, match="duration, energy_consumed"):
        read_codecarbon(MISSING)
    code, out, err = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(MISSING))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "duration, energy_consumed" in err


def test_no_gpu_count_needs_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "nogpu.csv"
    f.write_text("duration,energy_consumed,country_iso_code\n3600,1.0,USA\n")
    code, _, err = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(f))
    assert code == 2 and "--count" in err
    code, out, _ = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(f), "-n", "8",
                       "--draws", "0", "--format", "json")
    assert code == 0 and '"accelerator_hours": 8.0' in out


def test_cli_rejects_conflicting_run_description(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(TWO),
                       "--hours", "3")
    assert code == 2 and "--hours" in err


def test_cli_country_overrides_file(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(TWO),
                       "-c", "POL", "--draws", "0", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["location"] == "POL" and d["energy_kwh"] == pytest.approx(8.85)


def test_statement_of_a_measured_run() -> None:
    from trainlca.report.statement import statement

    s = statement(estimate_from_codecarbon(TWO, "H100", draws=100))
    assert "measured [3] (CodeCarbon 2.8.3 codecarbon_two_ranks.csv (2 rows)), was 8.85 kWh" in s
    assert "electricity of the run as measured" in s and "times the PUE" not in s
    assert "CodeCarbon" in s.split("\n\n")[1]
