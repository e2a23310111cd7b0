"""A CSV of runs (``hardware,count,hours,country``…) → one record per row."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainlca.errors import DataFileError
from trainlca.inputs import read_runs_csv

RUNS = """\
# three runs of one project
label,hardware,count,hours,accelerator_hours,flop,mfu,energy_kwh,country
pretrain,H100,512,720,,,,,USA
finetune,A100 SXM4 80 GB,,,3072,,,,France
ablation,H100,,,,1e21,0.4,,
"""


def _write(tmp_path: Path, text: str, name: str = "runs.csv") -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


def test_three_runs(tmp_path: Path) -> None:
    rs = read_runs_csv(_write(tmp_path, RUNS))
    a, b, c = rs.records
    assert (a.label, a.hardware, a.count, a.wall_hours) == ("pretrain", "H100", 512, 720)
    assert a.accelerator_hours == 512 * 720 and a.country == "USA"
    assert b.accelerator_hours == 3072 and b.country == "FRA"  # a name resolved to ISO-3
    assert b.count is None and b.wall_hours is None
    # a run given by compute: no accelerator-hours yet (they need the chip's peak and the MFU)
    assert c.accelerator_hours is None and c.flop == 1e21 and c.mfu == 0.4
    assert c.country is None and c.energy_kwh is None
    assert rs.accelerator_hours is None  # one record has none: no partial sum
    assert rs.files[0].name == "runs.csv" and rs.files[0].rows == 3
    assert a.source == "runs runs.csv line 3"


def test_minimal_columns_and_measured_energy(tmp_path: Path) -> None:
    rs = read_runs_csv(_write(tmp_path, "hardware,count,hours,country,energy_kwh\n"
                                        "H100,8,24,DEU,1500\nTPU v4,32,10,,\n"))
    a, b = rs.records
    assert a.label == "line 2" and b.label == "line 3"
    assert a.energy_kwh == 1500 and b.energy_kwh is None
    assert rs.accelerator_hours == 8 * 24 + 32 * 10


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty file"),
    ("hardware,count,hours\n", "no runs"),
    ("hardware,count,hour\nH100,8,2\n", "unknown column(s) hour"),
    ("count,hours\n8,2\n", "no hardware column"),
    ("hardware,count,hours\nH100,8,\n", "line 2: count and hours go together"),
    ("hardware,count,hours,accelerator_hours\nH100,8,2,16\n",
     "line 2: describe the run once"),
    ("hardware,count,hours\nH100,,\n", "line 2: describe the run once"),
    ("hardware,count,hours\nH100,8,-2\n", "line 2: column hours must be a finite number > 0"),
    ("hardware,count,hours\nH100,eight,2\n", "line 2: column count is not a number"),
    ("hardware,flop,mfu\nH100,1e21,40\n", "line 2: mfu 40 must be a fraction"),
    ("hardware,accelerator_hours,mfu\nH100,10,0.4\n", "line 2: mfu applies to a run given by"),
    ("hardware,count,hours\nH1000000,8,2\n", "line 2: unknown accelerator 'H1000000'"),
    ("hardware,count,hours,country\nH100,8,2,Atlantis\n", "line 2: unknown country"),
    ("label,hardware,count,hours\na,H100,1,1\na,H100,2,2\n", "line 3: label 'a' already used"),
])
def test_bad_rows_one_line_with_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    f = _write(tmp_path, text, "bad.csv")
    with pytest.raises(DataFileError) as exc:
        read_runs_csv(f)
    msg = str(exc.value)
    assert message in msg and "bad.csv" in msg and "\n" not in msg


def test_hardware_check_can_be_left_to_the_engine(tmp_path: Path) -> None:
    f = _write(tmp_path, "hardware,count,hours\nMy custom ASIC,8,2\n")
    (r,) = read_runs_csv(f, check_hardware=False).records
    assert r.hardware == "My custom ASIC" and r.accelerator_hours == 16


def test_runs_before_training_from_the_models_size(tmp_path: Path) -> None:
    from trainlca.api import estimate
    from trainlca.projects import estimate_runs

    text = ("label,hardware,parameters,tokens,count,country\n"
            "llm,H100 SXM5,7e10,1.5e13,1024,USA\n")
    rs = read_runs_csv(_write(tmp_path, text))
    (r,) = rs.records
    assert r.flop == pytest.approx(6 * 7e10 * 1.5e13) and r.count == 1024
    assert "6 × parameters × tokens" in r.source
    total = estimate_runs(rs, draws=0)
    one = estimate("H100 SXM5", parameters=7e10, tokens=1.5e13, country="USA", draws=0)
    assert total.totals["gwp"] == pytest.approx(one.impacts["gwp"]["total"], rel=1e-9)
    assert total.energy_kwh == pytest.approx(one.energy_kwh, rel=1e-9)
    for bad, message in (("parameters,tokens\n7e10,\n", "parameters and tokens go together"),
                         ("parameters,tokens,flop\n7e10,1e12,1e24\n", "describe the run once")):
        with pytest.raises(DataFileError, match=message):
            read_runs_csv(_write(tmp_path, "hardware," + bad.replace("\n", "\nH100,", 1)))
