"""Smoke run of the benchmark code paths (benchmarks/run.py): they run and return sane shapes.

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
