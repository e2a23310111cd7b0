"""CodeCarbon import on files written by the real CodeCarbon during the test session.

Each scenario is what a training job writes; the energy read must equal CodeCarbon's own final
``energy_consumed`` (the tracker object's, in memory) within 1e-9 relative.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from codecarbon_files import (
    NVML_H100,
    final_energy,
    quiet_codecarbon,
    tracker,
    with_gpus,
    work,
)
from trainlca.catalog import load_catalog
from trainlca.errors import DataFileError, ParameterError, UnknownHardwareError
from trainlca.inputs import check_plausible, read_codecarbon, resolve_hardware
from trainlca.inputs.codecarbon import OVERLAP_TOLERANCE_S

pytest.importorskip("codecarbon", reason="install the extra: pip install 'trainlca[codecarbon]'")

REL = 1e-9


@dataclass(frozen=True)
class Scenario:
    path: Path  # the file (or folder) CodeCarbon wrote
    finals: tuple[float, ...]  # CodeCarbon's final energy_consumed of each tracker, kWh
    durations: tuple[float, ...]  # CodeCarbon's final duration of each tracker, s


def _stop(*trackers: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    for t in trackers:
        t.stop()
    return (tuple(final_energy(t) for t in trackers),
            tuple(float(t.final_emissions_data.duration) for t in trackers))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scenario]:
    base = tmp_path_factory.mktemp("codecarbon")
    out: dict[str, Scenario] = {}
    with quiet_codecarbon():
        t = tracker(base / "single")
        t.start()
        work(0.3)
        out["single"] = Scenario(base / "single" / "emissions.csv", *_stop(t))

        t = tracker(base / "flushed")
        t.start()
        for _ in range(2):
            work(0.2)
            t.flush()  # checkpoint: a cumulative row with the same run_id
        work(0.2)
        out["flushed"] = Scenario(base / "flushed" / "emissions.csv", *_stop(t))

        finals, durations = [], []
        for _ in range(2):  # a job killed and resumed: two run_ids, one after the other
            t = tracker(base / "resumed")
            t.start()
            work(0.2)
            f, d = _stop(t)
            finals += f
            durations += d
        out["resumed"] = Scenario(base / "resumed" / "emissions.csv", tuple(finals),
                                  tuple(durations))

        a, b = tracker(base / "concurrent"), tracker(base / "concurrent")
        a.start()  # two ranks, one machine, machine mode, one shared file
        b.start()
        work(2.5)  # overlap well beyond the 1 s resolution of CodeCarbon's timestamps
        out["concurrent"] = Scenario(base / "concurrent" / "emissions.csv", *_stop(a, b))

        n1, n2 = tracker(base / "nodes" / "node1"), tracker(base / "nodes" / "node2")
        n1.start()  # two nodes at the same time, one file each
        n2.start()
        work(2.0)
        f, d = _stop(n1, n2)
        out["nodes"] = Scenario(base / "nodes", f, d)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_files_are_codecarbon_3_3(runs: dict[str, Scenario]) -> None:
    rows = _rows(runs["flushed"].path)
    assert {r["codecarbon_version"] for r in rows} == {"3.3.2"}
    assert len(rows) == 3 and len({r["run_id"] for r in rows}) == 1  # 3 cumulative rows
    assert len({r["run_id"] for r in _rows(runs["concurrent"].path)}) == 2


def test_single_run(runs: dict[str, Scenario]) -> None:
    s = runs["single"]
    rs = read_codecarbon(s.path)
    (rec,) = rs.records
    assert rec.energy_kwh == pytest.approx(s.finals[0], rel=REL)
    assert rec.wall_hours == pytest.approx(s.durations[0] / 3600, rel=REL)
    assert rec.country == "FRA" and rs.country == "FRA"
    assert rs.tool == "CodeCarbon 3.3.2"
    # No GPU on this machine: no count and no accelerator-hours, with a note (never 0).
    assert rec.count is None and rec.accelerator_hours is None
    assert [n.code for n in rec.notes] == ["codecarbon.no_gpu"]
    # CodeCarbon's own figures are kept for comparison.
    row = _rows(s.path)[-1]
    assert rec.reported_emissions_kg == pytest.approx(float(row["emissions"]), rel=REL)
    assert rec.reported_water_l == pytest.approx(float(row["water_consumed"]), abs=0)
    assert rec.reported_pue == 1.0
    (f,) = rs.files
    assert f.name == "emissions.csv" and len(f.sha256) == 64 and f.rows == 1


def test_flushed_run_keeps_the_last_cumulative_row(runs: dict[str, Scenario]) -> None:
    s = runs["flushed"]
    rs = read_codecarbon(s.path)
    (rec,) = rs.records
    rows = _rows(s.path)
    assert rec.energy_kwh == pytest.approx(s.finals[0], rel=REL)
    assert rec.energy_kwh == pytest.approx(float(rows[-1]["energy_consumed"]), rel=REL)
    # The rows, at about 1/3, 2/3 and 3/3 of the run, are cumulative: summing them (the bug
    # this reader fixes) gives about twice the run's energy.
    assert [float(r["energy_consumed"]) for r in rows] == sorted(
        float(r["energy_consumed"]) for r in rows)
    assert sum(float(r["energy_consumed"]) for r in rows) > 1.5 * rec.energy_kwh
    assert "codecarbon.flush_rows_collapsed" in [n.code for n in rs.all_notes()]


def test_resumed_run_is_summed(runs: dict[str, Scenario]) -> None:
    s = runs["resumed"]
    rs = read_codecarbon(s.path)
    (rec,) = rs.records  # one machine
    assert rec.energy_kwh == pytest.approx(sum(s.finals), rel=REL)
    assert rec.wall_hours == pytest.approx(sum(s.durations) / 3600, rel=REL)
    assert len(rec.parts) == 2
    assert "codecarbon.resumed_run_summed" in [n.code for n in rec.notes]


def test_concurrent_machine_trackers_counted_once(runs: dict[str, Scenario]) -> None:
    s = runs["concurrent"]
    rs = read_codecarbon(s.path)
    (rec,) = rs.records
    assert rec.energy_kwh == pytest.approx(max(s.finals), rel=REL)
    assert rec.wall_hours == pytest.approx(s.durations[s.finals.index(max(s.finals))] / 3600,
                                           rel=REL)
    assert len(rec.parts) == 1
    codes = [n.code for n in rec.notes]
    assert "codecarbon.concurrent_trackers_counted_once" in codes
    assert "codecarbon.resumed_run_summed" not in codes


def test_per_node_files_are_summed(runs: dict[str, Scenario]) -> None:
    s = runs["nodes"]
    rs = read_codecarbon(s.path)  # the folder: both node files
    assert len(rs.records) == 2
    assert rs.energy_kwh == pytest.approx(sum(s.finals), rel=REL)
    assert sorted(f.name for f in rs.files) == ["node1/emissions.csv", "node2/emissions.csv"]
    assert all(not Path(f.name).is_absolute() for f in rs.files)
    # The same two files given one by one read the same; as one machine they overlap (they ran
    # at the same time) and are counted once.
    files = sorted(s.path.glob("*/emissions.csv"))
    assert read_codecarbon(files).energy_kwh == pytest.approx(rs.energy_kwh, rel=REL)
    one = read_codecarbon(files, same_machine=True)
    assert one.energy_kwh == pytest.approx(max(s.finals), rel=REL)
    assert "codecarbon.files_same_machine" in [n.code for n in one.notes]


def test_gpu_count_path_on_an_edited_file(runs: dict[str, Scenario], tmp_path: Path) -> None:
    """The machine has no GPU: the generated single-run file is edited to say 8 H100s, as
    CodeCarbon writes them on an 8-GPU node (gpu_count 8, gpu_model "8 x NVIDIA H100 …")."""
    s = runs["single"]
    rec = read_codecarbon(with_gpus(s.path, tmp_path / "gpu.csv", 8)).records[0]
    assert rec.count == 8 and rec.hardware == NVML_H100
    assert rec.accelerator_hours == pytest.approx(8 * s.durations[0] / 3600, rel=REL)
    assert rec.energy_kwh == pytest.approx(s.finals[0], rel=REL)
    assert "codecarbon.gpu_energy_zero" in [n.code for n in rec.notes]
    # The caller's count replaces the file's, with a note.
    given = read_codecarbon(tmp_path / "gpu.csv", count=4).records[0]
    assert given.accelerator_hours == pytest.approx(4 * s.durations[0] / 3600, rel=REL)
    assert "codecarbon.count_given" in [n.code for n in given.notes]
    # A caller-given count on the GPU-less file itself.
    cpu = read_codecarbon(s.path, count=2).records[0]
    assert cpu.accelerator_hours == pytest.approx(2 * s.durations[0] / 3600, rel=REL)


def test_nvml_name_resolves_and_override_is_noted(runs: dict[str, Scenario],
                                                  tmp_path: Path) -> None:
    cat = load_catalog()
    rec = read_codecarbon(with_gpus(runs["single"].path, tmp_path / "g.csv", 8)).records[0]
    acc, notes = resolve_hardware(rec.hardware, None, cat)
    assert acc.name == "NVIDIA H100 SXM5 80 GB" and notes[0].code == "hardware.from_file"
    acc, notes = resolve_hardware(rec.hardware, "A100 SXM4 80GB", cat)
    assert acc.name == "NVIDIA A100 SXM4 80 GB"
    assert [n.code for n in notes] == ["hardware.override_disagrees"]
    assert NVML_H100 in notes[0].text and "A100" in notes[0].text
    assert resolve_hardware(rec.hardware, "H100 SXM", cat)[1] == []  # agrees: no note
    with pytest.raises(UnknownHardwareError, match="Tesla K0"):
        resolve_hardware("Tesla K0", None, cat)
    with pytest.raises(ParameterError, match="-H"):
        resolve_hardware(None, None, cat)


def test_nvml_name_resolves_in_the_shipped_catalogue() -> None:
    assert load_catalog().get(NVML_H100).name == "NVIDIA H100 SXM5 80 GB"


def test_tolerance_covers_timestamp_truncation(runs: dict[str, Scenario]) -> None:
    # Resumed runs came one after the other, possibly within the same second: the reader must
    # not take them for concurrent ones. Their computed overlap is < 1 s by construction.
    assert OVERLAP_TOLERANCE_S == 1.0
    assert len(read_codecarbon(runs["resumed"].path).records[0].parts) == 2


def test_plausibility(runs: dict[str, Scenario], tmp_path: Path) -> None:
    rec = read_codecarbon(with_gpus(runs["single"].path, tmp_path / "g.csv", 1)).records[0]
    assert check_plausible(rec, 700.0) == []  # a few W per "GPU" here
    # 20 kWh over 1 h on 8 H100 = 2.5 kW per GPU > 2 × 700 W.
    from dataclasses import replace

    hot = replace(rec, energy_kwh=20.0, accelerator_hours=8.0, label="node1")
    (n,) = check_plausible(hot, 700.0)
    assert n.code == "plausibility.power_above_tdp" and "2500 W" in n.text
    assert check_plausible(replace(hot, energy_kwh=11.2), 700.0) == []  # exactly 2 × 700 W


def test_decreasing_cumulative_energy_fails_one_line(runs: dict[str, Scenario],
                                                     tmp_path: Path) -> None:
    rows = _rows(runs["flushed"].path)
    rows[2]["energy_consumed"] = str(float(rows[1]["energy_consumed"]) / 2)
    bad = tmp_path / "edited.csv"
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    bad.write_text(out.getvalue())
    with pytest.raises(DataFileError, match=r"line 4: energy_consumed decreases") as exc:
        read_codecarbon(bad)
    assert "\n" not in str(exc.value)
    rows[2]["energy_consumed"] = "-1"
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    bad.write_text(out.getvalue())
    with pytest.raises(DataFileError, match="must be a finite number ≥ 0"):
        read_codecarbon(bad)


def test_stdin(runs: dict[str, Scenario], monkeypatch: pytest.MonkeyPatch) -> None:
    s = runs["single"]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(s.path.read_bytes())))
    rs = read_codecarbon("-")
    assert rs.energy_kwh == pytest.approx(s.finals[0], rel=REL)
    assert rs.files[0].name == "<stdin>"


def test_same_file_twice_is_refused(runs: dict[str, Scenario]) -> None:
    p = runs["single"].path
    with pytest.raises(DataFileError, match="same content"):
        read_codecarbon([p, p])
