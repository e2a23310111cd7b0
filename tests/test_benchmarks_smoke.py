"""Smoke run of the benchmark code paths (benchmarks/run.py, commands.py, children.py): they run
and return sane shapes.

No timing is asserted (timings depend on the machine); the BoaviztAPI baseline, which needs its
own venv, is left to ``make bench``. The one behavioural check: the estimate command imports no
matplotlib, scipy or pandas (its cold start depends on it).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trainlca_bench", REPO / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def epoch_csv(shared_data: Path) -> Path:
    return shared_data / "epoch" / "notable_ai_models.csv"


def test_stats_median_and_spread(bench: ModuleType) -> None:
    s = bench.stats([3.0, 1.0, 2.0, 10.0])
    assert s["median"] == 2.5 and s["min"] == 1.0 and s["max"] == 10.0 and s["runs"] == 4
    assert s["q1"] <= s["median"] <= s["q3"]


def test_child_process_reports_wall_time_and_peak_rss(bench: ModuleType) -> None:
    wall, peak_mib, out, rc = bench.run_child([sys.executable, "-c", "print('ok')"])
    assert rc == 0 and out.strip() == "ok" and wall > 0 and peak_mib > 1


def test_estimate_path_imports_no_heavy_modules(bench: ModuleType) -> None:
    imp = bench.check_imports()
    assert imp["heavy_modules_imported"] == [], imp
    assert imp["trainlca_import_s"] > 0


def test_catalogue_and_run_loops_agree_and_run(bench: ModuleType, epoch_csv: Path) -> None:
    cat = bench.bench_catalogue(1)
    assert cat["chips"] > 20 and cat["card_production_vectorised_s"]["runs"] == 1
    loops = bench.bench_runs_loop(epoch_csv, 1)
    assert loops["runs"] > 100


def test_study_child_runs(bench: ModuleType, epoch_csv: Path) -> None:
    s = bench.bench_study(epoch_csv, 0, 1)
    assert s["systems"] > 100 and s["peak_mib"]["median"] > 10


# --- the user-facing commands (benchmarks/commands.py, children.py) ------------------------------


@pytest.fixture(scope="module")
def commands(bench: ModuleType) -> ModuleType:
    return sys.modules["commands"]


@pytest.fixture(scope="module")
def children(bench: ModuleType) -> ModuleType:
    return sys.modules["children"]


def test_timeout_kills_the_child_and_says_so(children: ModuleType) -> None:
    r = children.run_timed([sys.executable, "-c", "import time; time.sleep(60)"], timeout_s=0.5)
    assert r.timed_out and not r.ok and 0.5 <= r.wall_s < 30
    assert r.returncode == -9 and r.failure().startswith("timed out")


def test_failure_carries_exit_code_and_last_stderr_line(children: ModuleType) -> None:
    code = "import sys; print('first', file=sys.stderr); sys.exit('trainlca: bad draws')"
    r = children.run_timed([sys.executable, "-c", code])
    assert r.returncode == 1 and not r.timed_out
    assert r.failure() == "failed (exit 1): trainlca: bad draws"


def test_memory_of_a_second_process_is_seen(children: ModuleType) -> None:
    """A child that does its work in a grandchild: wait4's peak and the sampled tree PSS both
    see the grandchild's 200 MiB (written, so resident)."""
    grand = "import time; b = b'x' * (200 * 2**20); time.sleep(1.0)"
    code = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grand!r}])"
    r = children.run_timed([sys.executable, "-c", code], sample_s=0.05)
    assert r.ok and r.peak_mib >= 200
    assert r.tree_procs >= 2 and r.tree_pss_mib is not None and r.tree_pss_mib >= 200


def test_peak_memory_is_the_commands_not_the_benchmarks(children: ModuleType) -> None:
    """On Linux a forked child's ru_maxrss starts at its parent's RSS; the launcher keeps the
    benchmark's own memory (here 300 MiB held by this process) out of the command's peak."""
    held = b"x" * (300 * 2**20)
    r = children.run_timed([sys.executable, "-c", "pass"])
    assert len(held) == 300 * 2**20
    assert r.ok and 1 < r.peak_mib < 100


def test_repeated_file_has_distinct_names(commands: ModuleType, tmp_path: Path) -> None:
    import csv

    src = REPO / "tests" / "data" / "epoch_runs.csv"
    with src.open(newline="", encoding="utf-8-sig") as f:
        orig = list(csv.DictReader(f))
    n = commands.repeat_rows(src, tmp_path / "x3.csv", 3)
    with (tmp_path / "x3.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert n == len(rows) == 3 * len(orig)
    names = [r["Model"] for r in rows]
    assert len(set(names)) == len(names)
    assert names[len(orig)] == f"{orig[0]['Model']} (copy 1)"
    assert rows[2 * len(orig) + 1]["Training hardware"] == orig[1]["Training hardware"]
    assert commands.repeat_rows(src, tmp_path / "head.csv", 1, limit=5) == 5


def test_selection_groups_and_unknown_names(bench: ModuleType) -> None:
    assert bench.selection("x30,cards") == ["study-x30-2k", "study-x30-10k", "cards"]
    assert bench.selection("boavizta") == ["catalogue", "boavizta"]
    assert "boavizta" not in bench.selection(None, no_boavizta=True)
    with pytest.raises(ValueError, match="unknown benchmark 'study-5k'"):
        bench.selection("study-5k")


def _fake_case(commands: ModuleType, code: str, **kw: object) -> object:
    fields = {"name": "fake", "label": "fake", "args": ("-c", code),
              "target": commands.Target(wall_s=10.0, memory_mib=1024.0), "runs": 3,
              "budget_s": 60.0, "timeout_s": 30.0, "outputs": ("made.txt",)}
    fields.update(kw)
    return commands.Case(**fields)


def test_run_case_runs_checks_outputs_and_judges(commands: ModuleType) -> None:
    files = commands.Files(data=Path("in.csv"), big=None, times=30)
    write = "import sys; open(sys.argv[1], 'w').write('x')"
    case = _fake_case(commands, write, args=("-c", write, "{out}/made.txt"))
    rec = commands.run_case(case, Path(sys.executable), files)
    assert rec["status"] == "ok" and rec["runs"] == 3 and rec["wall_s"]["runs"] == 3
    v = commands.verdicts(case, rec, quick=False)
    assert [x["verdict"] for x in v] == ["met", "met"] and v[1]["measured"] < 1024
    assert commands.verdicts(case, rec, quick=True)[0]["verdict"] == "not evaluated (quick)"
    tight = commands.Case(**{**case.__dict__, "target": commands.Target(wall_s=1e-6)})
    assert commands.verdicts(tight, rec, quick=False)[0]["verdict"] == "MISSED"

    # A run that writes nothing fails; no further run starts.
    silent = _fake_case(commands, "pass")
    rec = commands.run_case(silent, Path(sys.executable), files)
    assert rec["runs"] == 0 and rec["status"] == "failed: wrote no made.txt"
    assert [x["verdict"] for x in commands.verdicts(silent, rec, quick=False)] == ["failed"] * 2

    # A run past its timeout: reported, and past the wall target, missed.
    slow = _fake_case(commands, "import time; time.sleep(60)", timeout_s=0.5,
                      target=commands.Target(wall_s=0.2))
    rec = commands.run_case(slow, Path(sys.executable), files)
    assert rec["status"].startswith("timed out") and rec["failed_run"]["timed_out"]
    assert commands.verdicts(slow, rec, quick=False)[0]["verdict"] == "MISSED (timed out)"


def test_run_case_stops_at_its_time_budget(commands: ModuleType) -> None:
    files = commands.Files(data=Path("in.csv"), big=None, times=30)
    case = _fake_case(commands, "pass", runs=5, budget_s=0.0, outputs=())
    assert commands.run_case(case, Path(sys.executable), files)["runs"] == 1
    # An explicit run count (--runs) is kept whatever the budget.
    assert commands.run_case(case, Path(sys.executable), files, runs=3)["runs"] == 3


def test_quick_run_of_commands_end_to_end(bench: ModuleType, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """``--quick --only`` on the small test file: every case runs, the JSON has each command's
    runs, memory and the targets of the issue beside them (not judged in a quick run)."""
    import json

    out = tmp_path / "latest.json"
    rc = bench.main(["--quick", "--only", "study-nofig,cards,estimate-plot,imports",
                     "--data", str(REPO / "tests" / "data" / "epoch_runs.csv"),
                     "--out", str(out)])
    assert rc == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    recs = {c["name"]: c for c in r["commands"]}
    assert list(recs) == ["study-nofig", "cards", "estimate-plot"]
    assert all(c["status"] == "ok" and c["runs"] == 1 for c in recs.values())
    assert recs["study-nofig"]["systems"] == 12  # the test file's assessable systems
    assert recs["estimate-plot"]["target"] == "≤ 0.8 s" and recs["cards"]["target"] == "≤ 0.5 s"
    assert all(c["peak_mib"]["median"] > 10 for c in recs.values())
    verdicts = {t["name"]: t["verdict"] for t in r["targets"]}
    assert verdicts["trainlca cards: wall (median)"] == "not evaluated (quick)"
    assert verdicts["estimate path imports no matplotlib, scipy, pandas"] == "met"
    shown = capsys.readouterr().out
    assert "≤ 0.8 s" in shown and "trainlca estimate --plot FILE.png" in shown
