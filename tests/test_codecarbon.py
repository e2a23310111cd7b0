"""CodeCarbon import: hand-written files, the estimate of a measured run, the command line."""

from __future__ import annotations

import datetime
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clitools import run_cli as run
from trainlca.api import estimate
from trainlca.catalog import load_catalog
from trainlca.codecarbon import estimate_from_codecarbon, read_codecarbon
from trainlca.criteria import CRITERIA
from trainlca.errors import DataFileError, ParameterError, UnknownHardwareError

DATA = Path(__file__).parent / "data"
# Two ranks of one 4-GPU machine, machine mode, both stopping at 10:00:00: r1 ran 7200 s
# (5.9 kWh), r2 3600 s (2.95 kWh) — r2's hour lies inside r1's two: one machine, counted once.
TWO = DATA / "codecarbon_two_ranks.csv"
MISSING = DATA / "codecarbon_missing_columns.csv"


def _codes(notes: object) -> list[str]:
    return [n.code for n in notes]  # type: ignore[attr-defined]


def test_concurrent_ranks_counted_once() -> None:
    rs = read_codecarbon(TWO)
    (r,) = rs.records
    assert r.energy_kwh == pytest.approx(5.9)  # not 5.9 + 2.95
    assert r.accelerator_hours == pytest.approx(4 * 2.0)  # gpu_count × 7200 s
    assert r.count == 4 and r.hardware == "NVIDIA H100 80GB HBM3"
    assert r.country == "FRA" and r.reported_pue == 1.0
    assert r.reported_emissions_kg == pytest.approx(1.2)  # r1's own figure
    assert r.parts == ("r1",)
    assert "codecarbon.concurrent_trackers_counted_once" in _codes(r.notes)
    assert read_codecarbon(TWO, count=2).accelerator_hours == pytest.approx(4.0)


def test_resumed_runs_summed(tmp_path: Path) -> None:
    text = TWO.read_text().splitlines()
    # r2 now ends at 11:00:00: it ran 10:00–11:00, after r1 (08:00–10:00).
    f = tmp_path / "resumed.csv"
    f.write_text("\n".join([text[0], text[1], text[2].replace("T10:00:00", "T11:00:00")]) + "\n")
    (r,) = read_codecarbon(f).records
    assert r.energy_kwh == pytest.approx(5.9 + 2.95)
    assert r.accelerator_hours == pytest.approx(4 * 3.0)
    assert "codecarbon.resumed_run_summed" in _codes(r.notes)


def test_process_mode_overlaps_are_summed(tmp_path: Path) -> None:
    f = tmp_path / "process.csv"
    f.write_text(TWO.read_text().replace(",machine,", ",process,"))
    (r,) = read_codecarbon(f).records
    assert r.energy_kwh == pytest.approx(5.9 + 2.95)
    assert r.accelerator_hours == pytest.approx(4 * 2.0)  # the machine's wall-clock, once
    assert "codecarbon.concurrent_process_trackers_summed" in _codes(r.notes)


def test_hand_computed_impacts() -> None:
    e = estimate_from_codecarbon(TWO, "H100", draws=0)
    ref = estimate("H100", accelerator_hours=8.0, country="FRA", draws=0)
    assert e.accelerator_hours == pytest.approx(8.0)
    assert e.energy_kwh == pytest.approx(5.9)
    for c in CRITERIA:
        # use = measured kWh × grid factor (EcoLogits France); production from H = 8 h; water
        # adds the on-site cooling water: the measured IT energy 5.9 kWh × WUE 0.38 L/kWh
        # (provider class unknown); no PUE division: CodeCarbon measured the IT equipment
        onsite = 5.9 * 0.38 if c == "wu" else 0.0
        assert e.impacts[c]["use"] == pytest.approx(5.9 * ref.grid.get(c) + onsite, rel=1e-12)
        assert e.impacts[c]["production_accelerator"] == pytest.approx(
            ref.impacts[c]["production_accelerator"], nan_ok=True)
    assert e.impacts["gwp"]["use"] == pytest.approx(5.9 * 0.04144, rel=1e-9)
    prov = {p.name: p for p in e.provenance}
    assert prov["energy_kwh"].status == "measured" and "CodeCarbon" in prov["energy_kwh"].source
    assert prov["accelerator_hours"].status == "measured"
    assert "country_iso_code" in prov["location"].source
    assert e.energy_interval is None  # measured: no modelled spread
    own = next(n for n in e.notes if n.code == "codecarbon.own_figure")
    # CodeCarbon's 1.2 kg for 5.9 kWh is 203.4 gCO2/kWh; ours 41.44 g: the grid source.
    assert "1.2 kgCO2eq" in own.text and "203.4 gCO2/kWh" in own.text
    assert "41.44 gCO2eq/kWh" in own.text and "grid factor's source" in own.text


def test_hardware_from_gpu_model_and_disagreeing_override() -> None:
    cat = load_catalog()
    e = estimate_from_codecarbon(TWO, catalog=cat, draws=0)  # no hardware given
    assert e.hardware.name == "NVIDIA H100 SXM5 80 GB"
    prov = {p.name: p for p in e.provenance}
    assert prov["hardware"].status == "measured" and "gpu_model" in prov["hardware"].source
    e = estimate_from_codecarbon(TWO, "A100 SXM4 80GB", catalog=cat, draws=0)
    assert e.hardware.name == "NVIDIA A100 SXM4 80 GB"
    assert "hardware.override_disagrees" in _codes(e.notes)


def test_mixed_gpu_models(tmp_path: Path) -> None:
    # CodeCarbon concatenates the models of a mixed machine: "4 x NVIDIA H100 80GB HBM34 x …"
    f = tmp_path / "mixed.csv"
    f.write_text(TWO.read_text().replace("4 x NVIDIA H100 80GB HBM3",
                                         "2 x NVIDIA H100 80GB HBM32 x Tesla T4"))
    (r,) = read_codecarbon(f).records
    assert r.hardware == "2 x NVIDIA H100 80GB HBM32 x Tesla T4"
    assert "codecarbon.mixed_gpu_models" in _codes(r.notes)
    with pytest.raises(UnknownHardwareError, match="several accelerators"):
        estimate_from_codecarbon(f, draws=0)
    e = estimate_from_codecarbon(f, "H100", draws=0)  # the caller chooses
    assert e.hardware.name == "NVIDIA H100 SXM5 80 GB"
    assert "hardware.file_name_unknown" in _codes(e.notes)


def test_country_rules(tmp_path: Path) -> None:
    text = TWO.read_text().splitlines()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("\n".join(text[:2]) + "\n")
    b.write_text("\n".join([text[0], text[2].replace(",FRA,", ",DEU,")]) + "\n")
    with pytest.raises(ParameterError, match="several countries"):
        estimate_from_codecarbon([a, b], "H100", draws=0)
    e = estimate_from_codecarbon([a, b], "H100", country="SWE", draws=0)
    assert e.grid.zone == "SWE" and e.energy_kwh == pytest.approx(5.9 + 2.95)


def test_missing_columns_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DataFileError, match="duration, energy_consumed"):
        read_codecarbon(MISSING)
    code, out, err = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(MISSING))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "duration, energy_consumed" in err


def test_bad_files_name_the_file_and_the_fix(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataFileError, match=r"empty.csv: empty file"):
        read_codecarbon(empty)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(DataFileError, match="not a text file"):
        read_codecarbon(binary)
    with pytest.raises(DataFileError, match="no such CodeCarbon file"):
        read_codecarbon(tmp_path / "nope.csv")
    with pytest.raises(DataFileError, match=r"sacct_jobs.txt: not a CodeCarbon emissions.csv: "
                       r"missing column\(s\) duration, energy_consumed; give the file"):
        read_codecarbon(DATA / "sacct_jobs.txt")
    folder = tmp_path / "none"
    folder.mkdir()
    with pytest.raises(DataFileError, match="folder holds no CodeCarbon"):
        read_codecarbon(folder)


def test_folder_skips_other_csvs_and_task_files(tmp_path: Path) -> None:
    (tmp_path / "emissions.csv").write_text(TWO.read_text())
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    header, row = TWO.read_text().splitlines()[:2]
    (tmp_path / "emissions_base_r1.csv").write_text(f"task_name,{header}\nfit,{row}\n")
    rs = read_codecarbon(tmp_path)
    assert [f.name for f in rs.files] == ["emissions.csv"]
    assert {"codecarbon.skipped_files", "codecarbon.task_files_skipped"} <= set(
        _codes(rs.notes))


def test_no_gpu_count_needs_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "nogpu.csv"
    f.write_text("duration,energy_consumed,country_iso_code\n3600,1.0,USA\n")
    code, _, err = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(f))
    assert code == 2 and "--count" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(f), "-n", "8",
                       "--draws", "0", "--format", "json")
    assert code == 0 and json.loads(out)["accelerator_hours"] == 8.0


def test_cli_rejects_conflicting_run_description(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(TWO),
                       "--hours", "3")
    assert code == 2 and "--hours" in err


def test_cli_country_overrides_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "estimate", "-H", "H100", "--from-codecarbon", str(TWO),
                       "-c", "POL", "--draws", "0", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["location"] == "POL" and d["energy_kwh"] == pytest.approx(5.9)


def test_statement_of_a_measured_run() -> None:
    from trainlca.report.statement import statement

    s = statement(estimate_from_codecarbon(TWO, "H100", draws=100))
    assert "CodeCarbon 2.8.3 codecarbon_two_ranks.csv" in s
    assert "measured [3] (CodeCarbon 2.8.3 codecarbon_two_ranks.csv), was 5.90 kWh" in s


# --- property: flush rows, resumed runs and concurrent twins, on synthetic files ---------------

_HEADER = "timestamp,run_id,duration,energy_consumed,gpu_count,gpu_model,cpu_model,tracking_mode"


@st.composite
def _jobs(draw: st.DrawFn) -> tuple[str, float, float]:
    """A file of resumed runs (gaps ≥ 0 s), each with 1–3 cumulative rows and maybe a
    concurrent twin (another rank, same interval); with its expected energy and wall-clock."""
    t = datetime.datetime(2025, 3, 1, 8, 0, 0)
    lines, energy, wall = [_HEADER], 0.0, 0.0
    for i in range(draw(st.integers(1, 4))):
        t += datetime.timedelta(seconds=draw(st.floats(0, 600)))
        duration = draw(st.floats(10, 5000))
        kwh = draw(st.floats(1e-6, 50))
        twin = draw(st.none() | st.floats(1e-6, 50))
        for rid, e in ((f"r{i}", kwh), (f"t{i}", twin)):
            if e is None:
                continue
            rows = draw(st.integers(1, 3))
            for k in range(1, rows + 1):
                d, end = duration * k / rows, t + datetime.timedelta(seconds=duration * k / rows)
                stamp = end.replace(microsecond=0).isoformat()  # CodeCarbon truncates
                lines.append(f"{stamp},{rid},{d!r},{e * k / rows!r},8,8 x NVIDIA H100 80GB "
                             "HBM3,AMD EPYC,machine")
        energy += max(kwh, twin or 0.0)
        wall += duration
        t += datetime.timedelta(seconds=duration)
    return "\n".join(lines) + "\n", energy, wall


@settings(max_examples=60, deadline=None)
@given(_jobs())
def test_merge_rules_property(job: tuple[str, float, float]) -> None:
    text, energy, wall = job
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "emissions.csv"
        f.write_text(text)
        (r,) = read_codecarbon(f).records
    assert r.energy_kwh == pytest.approx(energy, rel=1e-12)
    assert r.wall_hours == pytest.approx(wall / 3600, rel=1e-12)
    assert r.accelerator_hours == pytest.approx(8 * wall / 3600, rel=1e-12)
