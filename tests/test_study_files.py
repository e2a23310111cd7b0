"""The study's output files (trainlca.report.study_files): tables byte for byte, one render of
each figure shared by figures/ and report.html, two processes, no local path, and reports of
windows where trends decline or vanish (checked in headless Chromium)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from clitools import run_cli
from trainlca import worker as W
from trainlca.epoch import load_epoch
from trainlca.report import figures as F
from trainlca.report import study_files as S
from trainlca.report.public import public_meta
from trainlca.study import StudyResult, run_study

HERE = Path(__file__).parent
SMALL = HERE / "data" / "epoch_runs.csv"
CHROMIUM = Path("/usr/bin/chromium")
TABLES = ("systems.csv", "trends.csv", "rebound.csv", "cards.csv", "skipped.csv", "study.json")

#: sha256 of the outputs of `trainlca study --data tests/data/epoch_runs.csv --no-figures`.
#: They pin every number of the study's tables bit for bit (the trends.csv with draws pins
#: fit_draws' Monte Carlo intervals), so a change of the engine that should not change results
#: (rendering, chunking, caching) is checked here. An intended change of the model or of a
#: format updates these and says so in its commit. Last updated with the production model v2
#: (servers, card models), true/false booleans and the schema_version/trainlca_version columns;
#: the per-draw slopes then moved from a BLAS matrix-vector product to einsum (a draw's slope no
#: longer depends on how many draws are computed together): trends.csv with draws moved by
#: < 4e-16 relative. Then the fits' sums moved from BLAS dot products to math.fsum (exactly
#: rounded), because a new numpy wheel's OpenBLAS changed trends.csv and rebound.csv in the
#: last bits: they moved by < 1e-14 relative, and no longer depend on the BLAS build.
#: systems.csv then gained the whole-development columns (development_factor and
#: *_whole_development, issue on production model v2); no other column moved.
_SAME: dict[str, str] = {
    "rebound.csv": "6c3da8a8c2f71bca86533b82237d71c2b332381c6a37aefa1dcf01b1281ef230",
    "cards.csv": "6f8f7eb8f7639a22bfcc737987de63726da9ea8057a4c5d316d29fe222f55e53",
    "skipped.csv": "9879ccaf909b41c45307719c1037b657c786fc5bc96a3a342fed68c1abfab019",
}
GOLDEN: dict[str, dict[str, str]] = {
    "0": {
        "systems.csv": "648da06954f73dcba1d43fa004fdda9aedc4afe2d8f9d01d2077d5830271d2f2",
        "trends.csv": "210dd0d570cc8506000a7617a3f8568c186c0dae42a5587d147513f2432f50b2",
        **_SAME,
    },
    "50": {
        "systems.csv": "f094c2c9911080abafdcdcbdad382c3921b6715ae452bfe28917a3211b962951",
        "trends.csv": "2cdefcb01e43b36af50e7467e3d1fa81e8d1003e02012f06d8645077b1ee25a3",
        **_SAME,
    },
    "2000": {
        "systems.csv": "5cf14de417fb31d83ab29d09c0040111c448ca61671771b0187fdabec2daef49",
        "trends.csv": "4e4c5f092a86fe1ed0b868ab4b7f6dff6743b58a3db90d31fd1bcfe390e0c375",
    },
    "10000": {
        "systems.csv": "b4723de7058436658db5d6e10f8e65163689a96fdfec0a762bbe59cfaa058de7",
        "trends.csv": "011dea5b4f773222bd62b6c57ed3284a7a4e44641c323e09c21475c425c47bbb",
    },
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("draws", list(GOLDEN))
def test_tables_byte_identical_to_before(draws: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    code, _, err = run_cli(capsys, "study", "--data", str(SMALL), "--out", str(out),
                           "--draws", draws, "--no-figures")
    assert code == 0, err
    assert {f: _sha(out / f) for f in GOLDEN[draws]} == GOLDEN[draws]
    meta = json.loads((out / "study.json").read_text())
    assert meta["epoch"]["source"] == "epoch_runs.csv"  # was the path given to --data
    assert meta["draws"] == int(draws) and len(meta["epoch"]["sha256"]) == 64


@pytest.fixture(scope="module")
def small_study() -> StudyResult:
    return run_study(load_epoch(SMALL), draws=20)


@pytest.fixture(scope="module")
def written(small_study: StudyResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("study") / "out"
    paths = S.write_study(small_study, out)
    assert sorted(p.name for p in paths) == sorted([*TABLES, "figures", "report.html"])
    return out


def test_every_figure_is_rendered_once_for_the_files_and_the_report(written: Path) -> None:
    page = (written / "report.html").read_text()
    inlined = [base64.b64decode(b) for b in re.findall(r"data:image/png;base64,([^\"]+)", page)]
    names = list(F.STUDY_FIGURES)
    assert sorted(p.name for p in (written / "figures").iterdir()) == sorted(
        f"{n}.{ext}" for n in names for ext in ("png", "svg"))
    # The report shows exactly the bytes written to figures/, in report order.
    assert inlined == [(written / "figures" / f"{n}.png").read_bytes() for n in names]


def test_tables_written_with_figures_equal_those_without(small_study: StudyResult,
                                                         written: Path, tmp_path: Path) -> None:
    S.write_study(small_study, tmp_path / "bare", figures=False)
    assert sorted(p.name for p in (tmp_path / "bare").iterdir()) == sorted(TABLES)
    for f in TABLES:
        assert (tmp_path / "bare" / f).read_bytes() == (written / f).read_bytes(), f


def test_no_absolute_path_in_any_output(small_study: StudyResult, written: Path) -> None:
    local = str(SMALL.resolve().parent)
    assert small_study.meta["epoch"]["source"].endswith("epoch_runs.csv")
    for p in [*written.iterdir(), *(written / "figures").iterdir()]:
        if p.is_file():
            text = p.read_bytes().decode("utf-8", errors="replace")
            assert local not in text and str(HERE) not in text, p.name
    page = (written / "report.html").read_text()
    assert "epoch_runs.csv" in page and small_study.meta["epoch"]["sha256"][:12] in page


def test_public_meta_names_files_and_keeps_the_rest() -> None:
    meta = {"epoch": {"source": "/home/me/data/notable.csv", "sha256": "ab" * 32},
            "grid": {"source": "csv:mine.csv sha256:0123", "version": "1"},
            "note": "C:\\Users\\me\\grid.csv", "list": ["/tmp/x/y.csv", "text with / slash"],
            "url": "https://epoch.ai/data/notable_ai_models.csv", "n": 3}
    assert public_meta(meta) == {
        "epoch": {"source": "notable.csv", "sha256": "ab" * 32},
        "grid": {"source": "csv:mine.csv sha256:0123", "version": "1"},
        "note": "grid.csv", "list": ["y.csv", "text with / slash"],
        "url": "https://epoch.ai/data/notable_ai_models.csv", "n": 3}
    rel = public_meta({"epoch": {"source": "../shared/data/epoch/notable_ai_models.csv"}})
    assert rel["epoch"]["source"] == "notable_ai_models.csv"


# --- two processes ---------------------------------------------------------------------------


def test_split_balances_the_measured_costs() -> None:
    names = list(F.STUDY_FIGURES)
    mine, theirs = S._split(names, head_start=1.0)
    assert sorted(mine + theirs) == sorted(names) and mine and theirs
    load = [sum(S._COST[n] for n in mine), 1.0 + sum(S._COST[n] for n in theirs)]
    assert abs(load[0] - load[1]) <= max(S._COST.values())
    assert S._split(["rebound"], head_start=1.0) == (["rebound"], [])


def test_second_process_gives_the_same_bytes(small_study: StudyResult) -> None:
    t = F.StudyTables(small_study.systems, small_study.trends, small_study.rebound,
                      small_study.cards, small_study.meta["epoch"]["snapshot_date"])
    names = ["rebound", "share", "cards"]
    with W.Worker(preload=S.PLOTTING_MODULES) as w:
        _, remote = w.wait(w.call(S.RENDER_FIGURES, t, ["share", "cards"]))
    assert remote is not None and sorted(remote) == ["cards", "share"]
    here = F.render_study_figures(t, names)
    assert {n: remote[n] for n in remote} == {n: here[n] for n in remote}
    assert S.render_figures(t, names, parallel=True) == here


def test_a_failed_second_process_is_replaced_by_this_one(small_study: StudyResult,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    t = F.StudyTables(None, None, small_study.rebound, small_study.cards)
    monkeypatch.setattr(W, "_CHILD", "import sys; sys.exit(3)")
    done = S.render_figures(t, ["cards", "rebound"], parallel=True)
    assert sorted(done) == ["cards", "rebound"] and done == F.render_study_figures(
        t, ["cards", "rebound"])


def test_second_process_never_runs_the_callers_script(tmp_path: Path) -> None:
    # multiprocessing's spawn would re-run an unguarded script in the child; ours must not.
    log = tmp_path / "runs.log"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import pandas as pd\n"
        "from trainlca.report import figures as F\n"
        "from trainlca import worker as W\n"
        "from trainlca.report import study_files as S\n"
        f"open({str(log)!r}, 'a').write('run\\n')\n"
        "rb = pd.DataFrame([{'term': 'energy', 'growth_per_year': 2.0, 'ci_low': 1.5,"
        " 'ci_high': 2.5, 'r2': 0.5, 'n': 30}])\n"
        "t = F.StudyTables(None, None, rb, None)\n"
        "with W.Worker() as w:\n"
        "    ok, done = w.wait(w.call(S.RENDER_FIGURES, t, ['rebound']))\n"
        "    assert ok and done is not None\n")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert log.read_text() == "run\n"


# --- windows where trends decline or vanish, and the 2024-12 snapshot ------------------------


REAL = {
    "2019-2020": ("notable_ai_models.csv", 2019.0, 2020.0),
    "2013-2015": ("notable_ai_models.csv", 2013.0, 2015.0),
    "2024-2025": ("notable_ai_models.csv", 2024.0, 2025.0),
    "snapshot-2024-12": ("snapshots/2024-12/notable_ai_models.csv", 2013.0, None),
}


@pytest.fixture(scope="module")
def real_reports(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Full studies (0 draws) with figures and report, once per window."""
    out = {}
    base = tmp_path_factory.mktemp("real")
    for label, (rel, start, end) in REAL.items():
        r = run_study(load_epoch(shared_data / "epoch" / rel), draws=0, start_year=start,
                      end_year=end)
        out[label] = base / label
        S.write_study(r, out[label])
    return out


@pytest.mark.parametrize("label", list(REAL))
def test_reports_of_declining_and_flat_windows(label: str, real_reports: dict[str, Path],
                                               shared_data: Path) -> None:
    page = (real_reports[label] / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 5
    # neither the data's folder nor the checkout's (nor their parent) appears in the page
    assert str(shared_data) not in page and str(HERE.resolve().parents[1]) not in page
    text = re.sub(r"data:image/png;base64,[^\"]+", "", page)
    for repr_text in ("{'", "': ", "×10^"):
        assert repr_text not in text, repr_text
    assert not re.findall(r"\b(None|True|False|nan|inf)\b", text)
    assert "<h3>Parameters</h3>" in page and "1.08–1.56 (triangular)" in page  # pue
    if label != "snapshot-2024-12":  # short windows: most fits are not trends, and say so
        assert page.count('<tr class="flagged">') >= 10
        assert "CI includes ×1" in page


def test_card_window_ends_at_the_snapshot(real_reports: dict[str, Path]) -> None:
    svg = (real_reports["snapshot-2024-12"] / "figures" / "cards.svg").read_text()
    assert "released up to the data snapshot (2024-12-06)" in svg
    assert "5 later cards not shown" in svg


@pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's /usr/bin/chromium (apt-get install chromium; CI installs it)",
)
@pytest.mark.parametrize("label", ["snapshot-2024-12", "2019-2020"])
def test_real_reports_in_headless_chromium(label: str, real_reports: dict[str, Path]) -> None:
    from playwright import sync_api  # a dev dependency: CI must run this test, never skip it

    path = real_reports[label] / "report.html"
    shots = Path(os.environ.get("TRAINLCA_SCREENSHOT_DIR") or real_reports[label]) / label
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                                           "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: errors.append(r.url)
                    if not r.url.startswith(("file:", "data:")) else None)
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            imgs = page.locator("figure img")
            blocks = page.locator("figure:has(img)")
            assert imgs.count() == 5 and blocks.count() == 5
            for i, name in enumerate(F.STUDY_FIGURES):
                img = imgs.nth(i)
                img.scroll_into_view_if_needed()
                assert img.evaluate("e => e.complete && e.naturalWidth") > 0
                assert img.get_attribute("alt") == F.STUDY_FIGURES[name]
                blocks.nth(i).screenshot(path=str(shots / f"{name}.png"))
            page.screenshot(path=str(shots / "report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert all((shots / f"{n}.png").stat().st_size > 10_000 for n in F.STUDY_FIGURES)
