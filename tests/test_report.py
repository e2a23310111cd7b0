"""Figures, the HTML report (checked in headless Chromium) and `estimate --plot`."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clitools import run_cli as run
from trainlca.report import figures as F
from trainlca.report.files import OutputError
from trainlca.report.html import build_report, column_format, write_report

CHROMIUM = Path("/usr/bin/chromium")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def synthetic(seed: int = 1, n: int = 40) -> tuple[pd.DataFrame, ...]:
    """Systems, trends, rebound, cards and skipped tables shaped as docs/study-outputs.md,
    exponential growth over 2013-2026."""
    rng = np.random.default_rng(seed)
    year = np.sort(rng.uniform(2013, 2026, n))
    dates = [pd.Timestamp(f"{int(y)}-01-01") + pd.Timedelta(days=int((y % 1) * 365)) for y in year]
    rows = []
    for sc, ef, gf in (
        ("baseline", 1, 1),
        ("location-shift", 1, 0.1),
        ("efficient-hardware", 0.5, 1),
        ("both", 0.5, 0.1),
    ):
        for i in range(n):
            e = 10 ** (3 + 0.5 * (year[i] - 2013) + rng.normal(0, 0.4)) * ef
            prod_share = 0.1 + 0.2 * rng.random()
            r = {
                "model": f"Model-{i} <b>&</b>",
                "organization": f"Org {i % 5}",
                "domain": ["Language", "Vision"][i % 2],
                "publication_date": dates[i].date().isoformat(),
                "year": year[i],
                "scenario": sc,
                "hardware": "NVIDIA H100 SXM5 80 GB",
                "hardware_raw": "NVIDIA H100",
                "country": "United States of America",
                "zone": "USA",
                "training_compute_flop": e * 1e18,
                "accelerator_hours": e / 1.2,
                "energy_kwh": e,
                "energy_kwh_p5": e * 0.8,
                "energy_kwh_p95": e * 1.3,
            }
            for c, f in (("gwp", 0.4), ("adpe", 1e-7), ("pe", 10), ("wu", 3)):
                use = e * f * gf
                prod = use * prod_share / (1 - prod_share) * (50 if c == "adpe" else 1)
                r[c] = use + prod
                r[f"{c}_p5"] = r[c] * 0.8
                r[f"{c}_p95"] = r[c] * 1.3
                # wu: accelerator production water counted (hosts not covered), as the study
                r[f"{c}_production"] = prod
                r[f"{c}_use"] = use
            for fl in (
                "hours_from_compute",
                "default_mfu",
                "hardware_imputed",
                "multi_hardware",
                "die_area_imputed",
                "world_grid",
                "multi_country",
                "precision_default",
            ):
                r[f"flag_{fl}"] = bool(rng.random() < 0.3)
            rows.append(r)
    systems = pd.DataFrame(rows)
    from trainlca.trends import fit_log_trend

    trows = []
    for sc in ("baseline", "location-shift", "efficient-hardware", "both"):
        sub = systems[systems.scenario == sc]
        for c, col in (
            ("energy", "energy_kwh"),
            ("gwp", "gwp"),
            ("adpe", "adpe"),
            ("pe", "pe"),
            ("wu", "wu"),
        ):
            f = fit_log_trend(sub.year.to_numpy(), sub[col].to_numpy())
            trows.append(
                {
                    "criterion": c,
                    "scenario": sc,
                    "domain": "all",
                    "growth_per_year": f.growth_per_year,
                    "ci_low": f.ci_low,
                    "ci_high": f.ci_high,
                    "doubling_months": f.doubling_months,
                    "r2": f.r2,
                    "n": f.n,
                    "period": f.period_label,
                }
            )
    trends = pd.DataFrame(trows)
    rebound = pd.DataFrame(
        [
            {
                "term": "compute",
                "growth_per_year": 4.1,
                "ci_low": 3.5,
                "ci_high": 4.8,
                "doubling_months": 5.9,
                "r2": 0.8,
                "n": n,
                "period": "2013–2026",
                "residual_log10": 0.01,
            },
            {
                "term": "efficiency",
                "growth_per_year": 1.35,
                "ci_low": 1.28,
                "ci_high": 1.42,
                "doubling_months": 27.7,
                "r2": 0.6,
                "n": n,
                "period": "2013–2026",
                "residual_log10": 0.01,
            },
            {
                "term": "energy",
                "growth_per_year": 3.0,
                "ci_low": 2.5,
                "ci_high": 3.6,
                "doubling_months": 7.6,
                "r2": 0.7,
                "n": n,
                "period": "2013–2026",
                "residual_log10": 0.01,
            },
        ]
    )
    cy = np.sort(rng.uniform(2013, 2025.5, 25))
    cards = pd.DataFrame(
        {
            "hardware": [f"Chip {i}" for i in range(25)],
            "release_date": [
                (pd.Timestamp(f"{int(y)}-01-01") + pd.Timedelta(days=int((y % 1) * 365)))
                .date()
                .isoformat()
                for y in cy
            ],
            "type": ["GPU" if i % 4 else "TPU" for i in range(25)],
            "die_area_cm2": 3 + (cy - 2013) * 0.5,
            "die_area_imputed": [i % 5 == 0 for i in range(25)],
            "memory_gb": 12 * 1.25 ** (cy - 2013),
        }
    )
    cards["gwp"] = 30 + 2 * cards.die_area_cm2 + 2.2 * cards.memory_gb
    cards["adpe"] = 0.017 + 6e-5 * cards.memory_gb
    cards["pe"] = 200 + 27 * cards.memory_gb
    cards["wu"] = 40 + 2.3 * cards.memory_gb
    cards["host_gwp_per_accelerator"] = 300.0
    skipped = pd.DataFrame(
        {"model": ["A", "B", "C"], "skip_reason": ["no hardware", "no hardware", "before 2013"]}
    )
    return systems, trends, rebound, cards, skipped


@pytest.fixture(scope="module")
def study() -> tuple[pd.DataFrame, ...]:
    return synthetic()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_study_figures_written(study: tuple[pd.DataFrame, ...], tmp_path: Path) -> None:
    systems, trends, rebound, cards, _ = study
    paths = [
        *F.fig_cards(cards, out_dir=tmp_path),
        *F.fig_systems(systems, trends, out_dir=tmp_path),
        *F.fig_scenarios(systems, trends, out_dir=tmp_path),
        *F.fig_share(systems, out_dir=tmp_path),
        *F.fig_rebound(rebound, out_dir=tmp_path),
    ]
    assert len(paths) == 10
    for p in paths:
        assert p.exists() and p.stat().st_size > 5000
        if p.suffix == ".png":
            w, h = _png_size(p)
            assert 600 <= w <= 3000 and 250 <= h <= 2500
        else:
            assert p.read_text().lstrip().startswith("<?xml")
    svg = (tmp_path / "systems.svg").read_text()
    assert "Publication date (year)" in svg and "kWh" in svg  # labels and units


def test_fit_annotation_uses_trends_csv(study: tuple[pd.DataFrame, ...], tmp_path: Path) -> None:
    systems, trends, *_ = study
    t = trends.copy()
    t.loc[(t.criterion == "gwp") & (t.scenario == "baseline"), "growth_per_year"] = 9.87
    F.fig_systems(systems, t, out_dir=tmp_path, formats=("svg",))
    assert "×9.87/yr" in (tmp_path / "systems.svg").read_text()


def test_figures_reject_bad_format(study: tuple[pd.DataFrame, ...], tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        F.fig_rebound(study[2], out_dir=tmp_path, formats=("gif",))


def test_report_is_self_contained(study: tuple[pd.DataFrame, ...], tmp_path: Path) -> None:
    systems, trends, rebound, cards, skipped = study
    meta = {
        "epoch": {"sha256": "abc123def", "newest_publication_date": "2025-10-01"},
        "catalogue_version": "sha256:de84",
        "grid": "ecologits 0.11.3",
        "preset": "default",
        "draws": 200,
        "seed": 7,
    }
    path = write_report(tmp_path, systems, trends, rebound, cards, skipped, meta)
    text = path.read_text()
    assert path == tmp_path / "report.html"
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text and "<script" not in text and "<link" not in text
    assert text.count("data:image/png;base64,") == 5 and text.count("<title>") > 40
    assert "abc123def" in text and "ecologits 0.11.3" in text and "sha256:de84" in text
    assert "Model-39 &lt;b&gt;&amp;&lt;/b&gt;" in text and "<b>&</b>" not in text  # escaped
    assert "no hardware" in text and "hours from compute" in text  # skips and flags
    assert "Top 15 systems" in text and "arXiv:2412.17376" in text
    top = systems[systems.scenario == "baseline"].nlargest(15, "gwp")["model"]
    assert all(str(m).replace("<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;") in text for m in top)


def test_report_unwritable_and_existing(study: tuple[pd.DataFrame, ...], tmp_path: Path) -> None:
    systems, trends, rebound, cards, skipped = study
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_report(blocker / "out", systems, trends, rebound, cards, skipped, {})
    write_report(tmp_path, None, None, None, None, None, {})  # empty study still renders
    with pytest.raises(OutputError, match="--force"):
        write_report(tmp_path, None, None, None, None, None, {}, force=False)


@pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's /usr/bin/chromium (apt-get install chromium; CI installs it)",
)
def test_report_in_headless_chromium(study: tuple[pd.DataFrame, ...], tmp_path: Path) -> None:
    from playwright import sync_api  # a dev dependency: CI must run this test, never skip it

    systems, trends, rebound, cards, skipped = study
    path = write_report(tmp_path, systems, trends, rebound, cards, skipped, {"preset": "default"})
    shots = Path(os.environ.get("TRAINLCA_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    failed: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on(
                "request",
                lambda r: (
                    failed.append(r.url) if not r.url.startswith(("file:", "data:")) else None
                ),
            )
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            imgs = page.locator("figure img")
            assert imgs.count() == 5
            for i in range(imgs.count()):
                img = imgs.nth(i)
                img.scroll_into_view_if_needed()
                box = img.bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 100
                assert img.evaluate("e => e.complete && e.naturalWidth") > 0
            svg = page.locator("figure svg.scatter")
            assert svg.count() == 1
            box = svg.first.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100
            titles = page.locator("svg.scatter circle title").all_text_contents()
            assert len(titles) == 40 and any("Model-39 <b>&</b>" in t for t in titles)
            page.screenshot(path=str(shots / "report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == [] and failed == []
    assert (shots / "report.png").stat().st_size > 10_000




# --- what each figure shows -------------------------------------------------------------------


def _svg_text(fig) -> str:  # type: ignore[no-untyped-def]
    return F.render(fig, "svg").decode("utf-8")


def _overlaps(a, b) -> bool:  # type: ignore[no-untyped-def]
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _data_axes(fig):  # type: ignore[no-untyped-def]
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison]


def test_scenarios_figure_has_every_criterion_coinciding_fits_named_legend_off_data(
        study: tuple[pd.DataFrame, ...]) -> None:
    systems, _trends, *_ = study
    systems = systems.copy()
    sc = systems["scenario"].to_numpy()
    for moved, same in (("location-shift", "baseline"), ("both", "efficient-hardware")):
        # energy does not depend on the grid (as in the study)
        systems.loc[sc == moved, "energy_kwh"] = systems.loc[sc == same, "energy_kwh"].to_numpy()
    fig = F.scenarios_figure(systems)
    svg = _svg_text(fig)  # draws the figure: positions below are final
    for title in ("Electricity", "Global warming", "Abiotic depletion (metals)",
                  "Primary energy", "Water use"):
        assert title in svg
    axes = _data_axes(fig)
    assert len(axes) == 5 and all(ax.get_yscale() == "log" for ax in axes)
    # Location-shift is the baseline line, "both" the efficient-hardware one for energy: both
    # are named, and drawn with distinct dashes and markers.
    assert svg.count("(= baseline)") == 1 and svg.count("(= efficient hw)") == 1
    lines = [ln for ln in axes[0].get_lines() if len(ln.get_xdata()) > 2]
    assert len({(str(ln.get_linestyle()), ln.get_marker()) for ln in lines}) == 4
    legends = [lg for ax in fig.axes for lg in ([ax.get_legend()] if ax.get_legend() else [])]
    legends += list(fig.legends)
    assert len(legends) == 1
    box = legends[0].get_window_extent()
    assert not any(_overlaps(box, ax.get_window_extent()) for ax in axes)


def test_every_study_figure_keeps_legends_off_the_axes(study: tuple[pd.DataFrame, ...]) -> None:
    systems, trends, _rebound, cards, _ = study
    for fig in (F.systems_figure(systems, trends), F.cards_figure(cards),
                F.share_figure(systems)):
        F.render(fig, "png")
        boxes = [lg.get_window_extent() for lg in fig.legends] + [
            ax.get_legend().get_window_extent() for ax in fig.axes if ax.get_legend()]
        assert boxes
        assert not any(_overlaps(b, ax.get_window_extent()) for b in boxes
                       for ax in _data_axes(fig))


def _cards_by_class() -> pd.DataFrame:
    rows = []
    for i, (kind, year) in enumerate([("GPU", 2014 + k) for k in range(10)]
                                     + [("TPU", 2018.5), ("TPU", 2021.5), ("ASIC", 2019.2),
                                        ("ASIC", 2022.4), ("WSE", 2021.6), ("GPU", 2025.9)]):
        date = pd.Timestamp(f"{int(year)}-01-01") + pd.Timedelta(days=int((year % 1) * 365))
        gwp = 40 * 1.2 ** (year - 2014)
        rows.append({"hardware": f"chip {i}", "type": kind,
                     "release_date": date.date().isoformat(), "die_area_imputed": i == 3,
                     "gwp": gwp, "adpe": 0.018 * 1.04 ** (year - 2014), "pe": 12 * gwp,
                     "wu": gwp})
    return pd.DataFrame(rows)


def test_cards_figure_log_axes_markers_per_class_and_snapshot_window() -> None:
    cards = _cards_by_class()
    fig = F.cards_figure(cards, snapshot="2025-06-30")
    axes = _data_axes(fig)
    # Every panel carries an exponential fit, so every y axis is logarithmic, ADPe included
    # (its range spans less than a decade: labelled plain, marked "log scale").
    assert [ax.get_yscale() for ax in axes] == ["log"] * 4
    assert "log scale" in axes[1].get_ylabel()
    # GPU, TPU, ASIC and wafer-scale engines each have their own marker (and colour).
    legend = fig.legends[0]
    markers = {t.get_text(): h.get_marker() for t, h in zip(
        legend.get_texts(), legend.legend_handles, strict=True)}
    classes = ["GPU", "TPU", "other ASIC", "wafer-scale engine"]
    assert len({markers[c] for c in classes}) == 4
    # The card released after the snapshot (2025-11) is not drawn, and the title says so.
    drawn = sum(len(c.get_offsets()) for c in axes[0].collections
                if type(c).__name__ == "PathCollection")
    assert drawn == len(cards) - 1
    assert "1 later card not shown" in fig.get_suptitle()
    everything = F.cards_figure(cards)
    assert sum(len(c.get_offsets()) for c in _data_axes(everything)[0].collections
               if type(c).__name__ == "PathCollection") == len(cards)


def _noisy(seed: int, slope: float, n: int = 30, noise: float = 1.5) -> pd.DataFrame:
    """Systems over 2019-2021 with a trend of ``slope`` decades/yr under ``noise`` decades."""
    rng = np.random.default_rng(seed)
    year = np.sort(rng.uniform(2019, 2021, n))
    rows = []
    for sc in ("baseline", "location-shift", "efficient-hardware", "both"):
        for i in range(n):
            e = 10 ** (5 + slope * (year[i] - 2019) + rng.normal(0, noise))
            r = {"model": f"m{i}", "publication_date": "2020-01-01", "year": year[i],
                 "scenario": sc, "energy_kwh": e, "flag_hours_from_compute": i % 2 == 0}
            for c in ("gwp", "adpe", "pe", "wu"):
                r[c] = e * 0.3
                r[f"{c}_production"] = e * 0.03
            rows.append(r)
    return pd.DataFrame(rows)


def test_weak_fits_are_grey_and_say_why() -> None:
    fig = F.systems_figure(_noisy(3, 0.0))
    svg = _svg_text(fig)
    assert svg.count("flagged: ") == 5 and "R² &lt; 0.1" in svg
    for ax in _data_axes(fig):
        fit = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 100]
        assert len(fit) == 1 and fit[0].get_color() == F.FLAGGED_GREY
    good = F.systems_figure(synthetic()[0])
    for ax in _data_axes(good):
        fit = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 100]
        assert fit[0].get_color() == F.OKABE_ITO["black"]


def test_declining_flat_and_degenerate_series_render(study: tuple[pd.DataFrame, ...]) -> None:
    from trainlca.report.study_files import render_figures

    *_, cards, _ = study
    falling = _noisy(5, -1.0, noise=0.2)
    flat = _noisy(6, 0.0).assign(energy_kwh=1e4, gwp=3e3, adpe=2.0, pe=5e4, wu=8e3)
    one = _noisy(7, 0.5, n=1)
    for systems in (falling, flat, one):
        tr = [(q, f) for q, f in (("compute", 0.5), ("efficiency", 2.0), ("energy", 0.25))]
        rebound = pd.DataFrame([{"term": q, "growth_per_year": g, "ci_low": g * 0.8,
                                 "ci_high": g * 1.2, "r2": 0.4, "n": 30} for q, g in tr])
        t = F.StudyTables(systems, None, rebound, cards)
        done = render_figures(t, F.study_figure_names(t), parallel=False)
        assert sorted(done) == ["cards", "rebound", "scenarios", "share", "systems"]
        assert all(len(d["png"]) > 5000 for d in done.values())
    assert "halves in" in _svg_text(F.systems_figure(falling))
    nan = pd.DataFrame([{"term": "compute", "growth_per_year": math.nan}])
    assert "no fit" in _svg_text(F.rebound_figure(nan))


def test_number_and_growth_texts() -> None:
    assert F.number(3.47e-4) == "3.47×10⁻⁴" and F.number(1.37e8) == "1.37×10⁸"
    assert F.number(2300.0) == "2,300" and F.number(math.inf) == "∞"
    assert F.superscripts("2.34×10^-4 and 10^12") == "2.34×10⁻⁴ and 10¹²"
    assert F.growth_text(2.0) == "×2.00/yr, doubles in 12 mo"
    assert F.growth_text(0.5, 0.4, 0.6) == "×0.50/yr [0.40–0.60], halves in 12 mo"
    assert F.growth_text(1.0) == "×1.00/yr" and F.growth_text(math.nan) == "no fit"
    assert F.growth_text(8308.9) == "×8,310/yr, doubles in 1 mo"


@pytest.mark.parametrize("draws", ["0", "200"])
def test_estimate_plot_superscripts_and_point_panel(draws: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "run.svg"
    code, _, err = run(capsys, "estimate", "-H", "H100", "-n", "8", "--hours", "24", "-c",
                       "FRA", "--draws", draws, "--plot", str(target))
    assert code == 0, err
    svg = target.read_text()
    assert "^" not in svg and "×10⁻⁴ kgSbeq" in svg and "kgCO₂eq" in svg
    if draws == "0":  # no interval to draw: the panel lists the point values and says why
        assert "Point values (0 draws: no interval;" in svg and "90 %:" not in svg
    else:
        assert "Point values" not in svg and "90 %:" in svg


@pytest.mark.parametrize("ext", [".png", ".svg", ".pdf"])
def test_estimate_plot(ext: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / f"run{ext}"
    args = [
        "estimate",
        "-H",
        "H100",
        "-n",
        "8",
        "--hours",
        "24",
        "-c",
        "FRA",
        "--draws",
        "200",
        "--plot",
        str(target),
    ]
    code, out, _ = run(capsys, *args)
    assert code == 0 and "GWP" in out and target.stat().st_size > 5000
    if ext == ".png":
        w, h = _png_size(target)
        assert w > 800 and h > 300
    code, _, err = run(capsys, *args)  # exists, no --force
    assert code == 2 and "--force" in err and err.count("\n") == 1
    code, _, _ = run(capsys, *args, "--force")
    assert code == 0


def test_estimate_plot_bad_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["estimate", "-H", "H100", "-n", "8", "--hours", "24", "--draws", "0", "--plot"]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target, words in (
        (tmp_path / "x.gif", "unknown file type"),
        (blocker / "x.png", "is a file"),
    ):
        code, out, err = run(capsys, *base, str(target))
        assert code == 2 and words in err and err.count("\n") == 1 and out == ""
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        code, _, err = run(capsys, *base, str(ro / "x.png"))
        assert code == 2 and "not writable" in err
    assert sorted(p.name for p in tmp_path.iterdir()) in (["file"], ["file", "ro"])


def test_estimate_cold_start_does_not_import_matplotlib() -> None:
    code = (
        "import sys; from trainlca.cli import main\n"
        "try:\n    main(['estimate','-H','H100','-n','8','--hours','2','--draws','0',"
        "'--format','json'])\nexcept SystemExit: pass\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


# --- the report's tables -----------------------------------------------------------------------


@given(st.lists(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)
                .filter(lambda v: v == 0 or abs(v) > 1e-12), min_size=1, max_size=30))
def test_one_number_format_per_column(values: list[float]) -> None:
    cells = [column_format(values)(v) for v in values]
    nonzero = [c for c, v in zip(cells, values, strict=True) if v != 0]
    powers = {("×10<sup>" in c) for c in nonzero}
    assert len(powers) <= 1  # all in powers of ten, or none
    if powers == {False}:  # fixed: the same number of decimals everywhere
        assert len({len(c.split(".")[1]) if "." in c else 0 for c in nonzero}) == 1
    for c, v in zip(cells, values, strict=True):  # and each cell still says its value
        if "×10<sup>" in c:
            mant, exp = c.removesuffix("</sup>").split("×10<sup>")
            assert float(mant) * 10 ** int(exp) == pytest.approx(v, rel=6e-3)
        else:
            assert float(c.replace(",", "")) == pytest.approx(v, rel=6e-3, abs=6e-3)


def test_column_format_spells_out_special_values() -> None:
    fmt = column_format([1.37e8, 8.03e6, float("nan"), float("inf")])
    assert [fmt(v) for v in (1.37e8, 8.03e6)] == ["1.37×10<sup>8</sup>", "8.03×10<sup>6</sup>"]
    assert fmt(float("nan")) == "–" and fmt(float("inf")) == "∞"


def test_report_tables_flag_weak_fits_and_list_parameters(
        study: tuple[pd.DataFrame, ...]) -> None:
    from trainlca.presets import get_preset

    systems, trends, rebound, _cards, skipped = study
    t = trends.copy()
    weak = (t.criterion == "adpe") & (t.scenario == "both")
    t.loc[weak, ["r2", "ci_low"]] = [2e-4, 0.7]
    params = get_preset("default").params()
    meta = {"preset": "default", "draws": 0, "epoch": {"source": "/home/me/x.csv",
                                                       "sha256": "ab" * 32},
            "parameters": [{"name": k, "value": p.value, "unit": p.unit, "status": "default",
                            "source": p.source} for k, p in params.items()]}
    page = build_report(systems, t, rebound, None, skipped, meta,
                        figures={"rebound": F.render(F.rebound_figure(rebound))})
    assert page.count('<tr class="flagged">') == 1
    row = page[page.index('<tr class="flagged">'):].split("</tr>")[0]
    assert "adpe" in row and "R² &lt; 0.1; CI includes ×1" in row
    assert "<th>range (Monte Carlo distribution)</th>" in page
    pue = page[page.index("<td>pue<br>"):].split("</tr>")[0]
    assert ">1.2</td>" in pue and "1.08–1.56 (triangular)" in pue and "Uptime" in pue
    assert "/home/me" not in page and "x.csv" in page and "{'" not in page
