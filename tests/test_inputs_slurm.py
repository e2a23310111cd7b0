"""SLURM accounting: ``sacct --parsable2`` fixtures in the real layout → accelerator-hours."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainlca.catalog import load_catalog
from trainlca.errors import DataFileError
from trainlca.inputs import RunRecord, read_sacct, resolve_hardware
from trainlca.inputs.slurm import parse_elapsed, parse_gpus, parse_job_id

DATA = Path(__file__).parent / "data"
JOBS = DATA / "sacct_jobs.txt"  # jobs with steps, ElapsedRaw, failed/cancelled/pending/CPU-only
ARRAY_HET = DATA / "sacct_array_het.txt"  # array and heterogeneous jobs, Elapsed only


def _by_label(path: Path) -> dict[str, RunRecord]:
    return {r.label: r for r in read_sacct(path).records}


def test_job_steps_not_double_counted() -> None:
    rs = read_sacct(JOBS)
    r = {x.label: x for x in rs.records}
    # 1001: 2 nodes, AllocTRES gres/gpu:a100=8 (the job's total), 10 h: 80 A100-hours, not 160,
    # and its .batch/.extern/.0 lines add nothing.
    assert r["1001"].hardware == "a100" and r["1001"].count == 8 and r["1001"].nodes == 2
    assert r["1001"].accelerator_hours == pytest.approx(80.0)
    assert not any("." in x.label for x in rs.records)
    step_note = next(n for n in rs.notes if n.code == "slurm.steps_not_counted")
    assert "10 job-step line(s)" in step_note.text


def test_failed_and_cancelled_jobs_included_and_labelled() -> None:
    r = _by_label(JOBS)
    c = r["1002"]
    assert c.state == "CANCELLED"
    assert c.hardware is None  # gres/gpu=2 without a type: the caller's hardware
    assert c.accelerator_hours == pytest.approx(2 * 26.0)  # 1-02:00:00
    texts = " ".join(n.text for n in c.notes)
    assert "CANCELLED by 51234" in texts
    assert {n.code for n in c.notes} == {"slurm.job_not_completed",
                                         "slurm.untyped_gpus"}
    assert r["1005"].state == "FAILED"
    assert r["1005"].accelerator_hours == pytest.approx(4 * 2730 / 3600)
    assert r["1006"].state == "TIMEOUT"
    assert r["1006"].accelerator_hours == pytest.approx(16 * 48.0)
    assert r["1009"].state == "OUT_OF_MEMORY"
    assert r["1001"].state == "COMPLETED" and r["1001"].notes == ()


def test_totals_per_gpu_type() -> None:
    rs = read_sacct(JOBS)
    by = rs.accelerator_hours_by_hardware()
    assert by == pytest.approx({"a100": 80 + 4 * 2730 / 3600, "h100": 768 + 0.2, None: 52.0})
    assert rs.accelerator_hours == pytest.approx(80 + 4 * 2730 / 3600 + 768.2 + 52)
    assert rs.energy_kwh is None  # sacct measures no energy here: never a silent zero
    codes = {n.code for n in rs.notes}
    assert {"slurm.pending_skipped", "slurm.no_gpu_skipped"} <= codes
    pending = next(n for n in rs.notes if n.code == "slurm.pending_skipped")
    assert "1008" in pending.text
    assert rs.files[0].name == "sacct_jobs.txt" and rs.files[0].rows == 17
    assert rs.tool == "SLURM sacct"


def test_array_and_heterogeneous_jobs() -> None:
    rs = read_sacct(ARRAY_HET)
    r = {x.label: x for x in rs.records}
    assert set(r) == {"2001_1", "2001_2", "2002+0", "2002+2", "2003 (a100)", "2003 (v100)"}
    assert r["2001_1"].accelerator_hours == pytest.approx(2.5)
    assert r["2001_2"].accelerator_hours == pytest.approx(2.25)
    # heterogeneous components are allocations of their own; the CPU-only one is skipped
    assert r["2002+0"].accelerator_hours == pytest.approx(20.0)
    assert r["2002+2"].hardware == "a100" and r["2002+2"].accelerator_hours == pytest.approx(10)
    # two GPU types in one job: one record each
    assert r["2003 (v100)"].count == 2 and r["2003 (v100)"].accelerator_hours == 2.0
    assert rs.accelerator_hours_by_hardware() == pytest.approx(
        {"h100": 24.75, "a100": 12.0, "v100": 2.0})
    skipped = {n.code: n.text for n in rs.notes}
    assert "2001_[3-4%2]" in skipped["slurm.pending_skipped"]
    assert "2002+1" in skipped["slurm.no_gpu_skipped"]
    assert "2004" in skipped["slurm.never_started_skipped"]


def test_parsable_with_trailing_pipe_and_stdin(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    text = "".join(line + "|\n" for line in JOBS.read_text().splitlines())
    f = tmp_path / "p.txt"
    f.write_text(text)
    assert read_sacct(f).accelerator_hours == pytest.approx(read_sacct(JOBS).accelerator_hours)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(JOBS.read_bytes())))
    rs = read_sacct("-")
    assert rs.files[0].name == "<stdin>" and len(rs.records) == 5


def test_bad_files_one_line(tmp_path: Path) -> None:
    cases = {
        "empty.txt": ("", "empty file"),
        "comma.csv": ("timestamp,duration,energy_consumed\n1,2,3\n", "not sacct --parsable2"),
        "cols.txt": ("JobID|State\n1|COMPLETED\n", "lacks column(s) AllocTRES, Elapsed or "
                     "ElapsedRaw"),
        "cpu.txt": ("JobID|State|Elapsed|AllocTRES\n7|COMPLETED|01:00:00|cpu=8,mem=4G,node=1\n",
                    "no job with GPUs"),
        "noheader.txt": ("7|COMPLETED|01:00:00|gres/gpu=1\n", "drop --noheader"),
        "fields.txt": ("JobID|State|Elapsed|AllocTRES\n7|COMPLETED|01:00:00\n",
                       "line 2: 3 fields"),
        "elapsed.txt": ("JobID|State|Elapsed|AllocTRES\n7|COMPLETED|soon|gres/gpu=1\n",
                        "line 2: Elapsed 'soon'"),
        "jobid.txt": ("JobID|State|Elapsed|AllocTRES\nabc|COMPLETED|01:00|gres/gpu=1\n",
                      "line 2: JobID 'abc'"),
    }
    for name, (text, msg) in cases.items():
        f = tmp_path / name
        f.write_text(text)
        with pytest.raises(DataFileError) as exc:
            read_sacct(f)
        assert msg in str(exc.value) and name in str(exc.value), name
        assert "\n" not in str(exc.value)


def test_parsers() -> None:
    assert parse_elapsed("1-02:03:04") == 93784
    assert parse_elapsed("10:00:00") == 36000
    assert parse_elapsed("45:30") == 2730
    assert parse_elapsed("05:30.250") == pytest.approx(330.25)
    assert parse_elapsed("UNLIMITED") is None
    assert parse_gpus("billing=64,cpu=64,gres/gpu:a100=8,gres/gpu=8,mem=500G,node=2") == {
        "a100": 8}
    assert parse_gpus("cpu=8,gres/gpu=2") == {None: 2}
    assert parse_gpus("gres/gpu:a100=2,gres/gpu=3") == {"a100": 2, None: 1}
    assert parse_gpus("gres/gpumem=40G,gres/gpu:nvidia_h100_80gb_hbm3=4") == {
        "nvidia_h100_80gb_hbm3": 4}
    assert parse_gpus("cpu=8,gres/gpu=0") == {}
    j = parse_job_id("123_4.batch")
    assert j is not None and (j.job, j.task, j.step) == ("123", "4", "batch") and j.is_step
    j = parse_job_id("123+1")
    assert j is not None and j.het == "1" and not j.is_step
    j = parse_job_id("123_[1-3%2]")
    assert j is not None and j.pending_array
    assert parse_job_id("x1") is None


@given(d=st.integers(0, 400), h=st.integers(0, 23), m=st.integers(0, 59),
       s=st.integers(0, 59))
def test_elapsed_round_trip(d: int, h: int, m: int, s: int) -> None:
    text = f"{d}-{h:02d}:{m:02d}:{s:02d}" if d else f"{h:02d}:{m:02d}:{s:02d}"
    assert parse_elapsed(text) == ((d * 24 + h) * 60 + m) * 60 + s


def test_gres_types_resolve_through_the_catalogue() -> None:
    cat = load_catalog()
    chips = {r.label: resolve_hardware(r.hardware, None if r.hardware else "H100 PCIe", cat)[0].name
             for r in read_sacct(JOBS).records}
    assert chips == {"1001": "NVIDIA A100 SXM4 40 GB", "1002": "NVIDIA H100 PCIe 80 GB",
                     "1005": "NVIDIA A100 SXM4 40 GB", "1006": "NVIDIA H100 SXM5 80 GB",
                     "1009": "NVIDIA H100 SXM5 80 GB"}
    # a bare gres type is a generic name: the catalogue's documented choice, with its note
    acc, notes = resolve_hardware("a100", None, cat, where="job 1001")
    assert [n.code for n in notes] == ["hardware.from_file", "hardware.generic"]
    assert "ambiguous" in notes[1].text and acc.name in notes[1].text
