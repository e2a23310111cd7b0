"""Many runs together (--runs, --from-slurm): the total is the sum of the runs, its interval
comes from draws shared by all runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from clitools import run_cli
from trainlca.api import assess_runs, estimate, runs_from_catalog
from trainlca.catalog import load_catalog
from trainlca.criteria import CRITERIA
from trainlca.grid import load_grid
from trainlca.inputs.runs_csv import read_runs_csv
from trainlca.projects import estimate_runs
from trainlca.runspec import RunSpec

DATA = Path(__file__).parent / "data"


def test_total_is_the_sum_of_the_runs() -> None:
    pe = estimate_runs(read_runs_csv(DATA / "runs.csv"), draws=0)
    assert len(pe.runs) == 3
    singles = [estimate("H100 SXM5", count=64, hours=100, country="FRA", draws=0),
               estimate("A100 SXM4 80 GB", count=32, hours=200, country="USA", draws=0),
               estimate("TPU v4", count=128, hours=50, country="USA", draws=0)]
    for c in CRITERIA:
        assert pe.totals[c] == pytest.approx(sum(e.impacts[c]["total"] for e in singles),
                                             rel=1e-12)
        for row, e in zip(pe.runs, singles, strict=True):
            assert row.totals[c] == pytest.approx(e.impacts[c]["total"], rel=1e-12)
    assert pe.energy_kwh == pytest.approx(sum(e.energy_kwh for e in singles), rel=1e-12)


def test_interval_of_the_total_comes_from_shared_draws(tmp_path: Path) -> None:
    f = tmp_path / "two.csv"
    f.write_text("hardware,accelerator_hours,country\nH100 SXM5,1000,FRA\nH100 SXM5,3000,USA\n")
    pe = estimate_runs(read_runs_csv(f), draws=400, seed=7)
    # by hand: the two runs in one call, summed draw by draw, then the percentiles
    acc = load_catalog().get("H100 SXM5")
    grid = load_grid().arrays(["FRA", "USA"])
    ri = runs_from_catalog([acc, acc], RunSpec.of(accelerator_hours=np.array([1000.0, 3000.0])),
                           {c: grid[c] for c in CRITERIA})
    res = assess_runs(ri, draws=400, seed=7)
    assert res.draws is not None
    for c in CRITERIA:
        summed = res.draws.total(c).sum(axis=1)
        p5, p50, p95 = np.percentile(summed, [5, 50, 95])
        iv = pe.intervals[c]
        assert (iv.p5, iv.p50, iv.p95) == pytest.approx((p5, p50, p95), rel=1e-12)


def test_cli_runs_and_slurm(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "estimate", "--runs", str(DATA / "runs.csv"), "--format",
                             "json", "--draws", "50")
    assert code == 0, err
    d = json.loads(out)
    assert d["kind"] == "runs" and [r["label"] for r in d["runs"]] == [
        "pretrain", "finetune", "ablation"]
    assert d["total"]["gwp"]["total"] == pytest.approx(sum(r["gwp"] for r in d["runs"]))
    code, out, err = run_cli(capsys, "estimate", "--from-slurm", str(DATA / "sacct_jobs.txt"),
                             "-H", "A100 SXM4 80 GB", "-c", "FRA", "--format", "json",
                             "--draws", "0")
    assert code == 0, err
    jobs = {r["label"]: r for r in json.loads(out)["runs"]}
    # job 1001: gres/gpu:a100=8 over 2 nodes for 10 h = 80 GPU-hours (AllocTRES is the total)
    assert jobs["1001"]["accelerator_hours"] == pytest.approx(80.0)
    assert jobs["1002"]["state"].startswith("CANCELLED")


@pytest.mark.parametrize(("args", "words"), [
    (["--runs", "README.md"], ["README.md"]),
    (["--from-slurm", str(DATA / "runs.csv")], ["runs.csv"]),
    (["--runs", str(DATA / "runs.csv"), "--plot", "x.png"], ["project total"]),
    (["--runs", str(DATA / "runs.csv"), "--from-slurm", str(DATA / "sacct_jobs.txt")],
     ["one source"]),
])
def test_bad_project_inputs(capsys: pytest.CaptureFixture[str], args: list[str],
                            words: list[str]) -> None:
    code, out, err = run_cli(capsys, "estimate", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("trainlca: error: ")
    for w in words:
        assert w in err
