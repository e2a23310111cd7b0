"""The study's HTML report: one self-contained ``report.html`` (no external file, URL, script
or font; figures inlined as base64 PNG, the per-system chart as inline SVG with a hover label
per point).

Everything is built in memory first and written with one atomic rename, so a failure never
leaves a half-written report.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from trainlca.report.files import OutputError, check_dir, save

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

SCENARIO_ORDER: Final[tuple[str, ...]] = ("baseline", "location-shift", "efficient-hardware",
                                          "both")
CRITERION_ORDER: Final[tuple[str, ...]] = ("energy", "gwp", "adpe", "pe", "wu")
UNIT: Final[dict[str, str]] = {"energy": "kWh", "gwp": "kgCO2eq", "adpe": "kgSbeq", "pe": "MJ",
                               "wu": "L"}
CITATIONS: Final[tuple[str, ...]] = (
    "C. Morand, A.-L. Ligozat, A. Névéol. How Green Can AI Be? A Study of Trends in Machine "
    "Learning Environmental Impacts. arXiv:2412.17376 (2024).",
    "Epoch AI. Data on Notable AI Models and on Machine Learning Hardware (CC BY 4.0), epoch.ai.",
    "EcoLogits: electricity impact factors (GenAI Impact), ecologits.ai.",
    "trainlca: life-cycle impacts of training machine-learning models (this software).",
)

CSS: Final[str] = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 margin:0 auto;max-width:1100px;padding:1.5rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;
 border-bottom:1px solid #ccc;padding-bottom:.2rem}
.sub{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums;
 white-space:nowrap}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.88rem;color:#444}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ccc;border-radius:6px;
 padding:.5rem .9rem;min-width:9rem}.card b{font-size:1.4rem;display:block}
svg.scatter circle{cursor:pointer}svg.scatter circle:hover{stroke:#000;stroke-width:2}
svg.scatter text{font-size:11px;font-family:inherit}
.note{color:#555;font-size:.88rem}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _num(x: Any, digits: int = 3) -> str:
    """A number as HTML: 3 significant digits, powers of ten as superscripts."""
    from trainlca.report.statement import number

    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    text = _e(number(v, digits=digits))
    return re.sub(r"×10\^(-?\d+)", r"×10<sup>\1</sup>", text)


def _table(header: Sequence[str], rows: Iterable[Sequence[tuple[str, bool]]],
           caption: str = "") -> str:
    """HTML table; each cell is (already escaped html, numeric?)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{c}</td>' if num else f"<td>{c}</td>"
                         for c, num in row) + "</tr>"
        for row in rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _present(df: pd.DataFrame | None) -> bool:
    return df is not None and len(df) > 0


def _baseline(systems: pd.DataFrame) -> pd.DataFrame:
    if "scenario" in systems.columns:
        return systems[systems["scenario"] == "baseline"]
    return systems


# --------------------------------------------------------------------------------------------
# sections


def _coverage(systems: pd.DataFrame | None, skipped: pd.DataFrame | None) -> str:
    base = _baseline(systems) if systems is not None and len(systems) else None
    n_ok = len(base) if base is not None else 0
    n_skip = len(skipped) if skipped is not None else 0
    cards = [("systems assessed", n_ok), ("systems skipped", n_skip)]
    if base is not None and "year" in base.columns and n_ok:
        y = np.asarray(base["year"], dtype=np.float64)
        if np.isfinite(y).any():
            cards.append(("period", f"{np.nanmin(y):.1f}–{np.nanmax(y):.1f}"))  # type: ignore[arg-type]
    out = ['<div class="cards">'] + [
        f'<div class="card"><b>{_e(v)}</b>{_e(k)}</div>' for k, v in cards] + ["</div>"]
    if skipped is not None and n_skip and "skip_reason" in skipped.columns:
        counts = skipped["skip_reason"].fillna("(no reason)").value_counts()
        out.append("<h3>Skipped, by reason</h3>")
        out.append(_table(["reason", "systems"],
                          [[(_e(k), False), (_e(int(v)), True)] for k, v in counts.items()]))
    if base is not None and n_ok:
        flags = [c for c in base.columns if c.startswith("flag_")]
        if flags:
            rows = []
            for f in flags:
                k = int(np.asarray(base[f].fillna(False), dtype=bool).sum())
                rows.append([(_e(f.removeprefix("flag_").replace("_", " ")), False),
                             (_e(k), True), (f"{100 * k / n_ok:.0f} %", True)])
            out.append("<h3>Imputations (baseline rows flagged)</h3>")
            out.append(_table(["what was imputed", "systems", "share"], rows))
    return "\n".join(out)


def _trend_table(trends: pd.DataFrame) -> str:
    t = trends.copy()
    t["_s"] = t["scenario"].map({s: i for i, s in enumerate(SCENARIO_ORDER)}).fillna(9) \
        if "scenario" in t.columns else 0
    t["_c"] = t["criterion"].map({c: i for i, c in enumerate(CRITERION_ORDER)}).fillna(9)
    t["_d"] = (t["domain"].fillna("all") != "all").astype(int) if "domain" in t.columns else 0
    t = t.sort_values(["_d", "_s", "_c"], kind="stable")
    mc = "mc_ci_low" in t.columns
    header = ["criterion", "scenario", "domain", "growth / year", "95 % CI", "doubling (months)",
              "R²", "n", "period"] + (["growth p50 (MC)", "95 % CI incl. parameters"]
                                      if mc else [])
    rows = []
    for _, r in t.iterrows():
        row = [(_e(r.get("criterion")), False), (_e(r.get("scenario", "")), False),
               (_e(r.get("domain", "all")), False),
               (f"×{_num(r.get('growth_per_year'))}", True),
               (f"{_num(r.get('ci_low'))}–{_num(r.get('ci_high'))}", True),
               (_num(r.get("doubling_months"), 2), True), (_num(r.get("r2"), 2), True),
               (_e(r.get("n", "")), True), (_e(r.get("period", "")), False)]
        if mc:
            row += [(_num(r.get("mc_growth_p50")), True),
                    (f"{_num(r.get('mc_ci_low'))}–{_num(r.get('mc_ci_high'))}", True)]
        rows.append(row)
    return _table(header, rows)


def _top_systems(systems: pd.DataFrame, n: int = 15) -> str:
    base = _baseline(systems)
    if "gwp" not in base.columns:
        return '<p class="note">No GWP column.</p>'
    top = base.sort_values("gwp", ascending=False, na_position="last").head(n)
    rows = []
    for i, (_, r) in enumerate(top.iterrows(), start=1):
        interval = ""
        if "gwp_p5" in r.index and "gwp_p95" in r.index:
            lo, hi = _num(r["gwp_p5"]), _num(r["gwp_p95"])
            interval = f"{lo}–{hi}" if lo and hi else ""
        share = ""
        if "gwp_production" in r.index:
            try:
                share = f"{100 * float(r['gwp_production']) / float(r['gwp']):.0f} %"
            except (TypeError, ValueError, ZeroDivisionError):
                share = ""
            if share.startswith("nan"):
                share = ""
        rows.append([(_e(i), True), (_e(r.get("model")), False),
                     (_e(r.get("organization", "")), False),
                     (_e(str(r.get("publication_date", ""))[:10]), False),
                     (_e(r.get("hardware", "")), False), (_e(r.get("zone", "")), False),
                     (_num(r.get("accelerator_hours")), True), (_num(r.get("energy_kwh")), True),
                     (_num(r.get("gwp")), True), (interval, True), (share, True)])
    return _table(["#", "system", "organisation", "published", "hardware", "grid",
                   "accelerator-hours", "energy (kWh)", "GWP (kgCO2eq)", "GWP 90 % interval",
                   "production share"], rows)


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out += _flatten(v, key + ".")
        elif isinstance(v, list | tuple):
            out.append((key, ", ".join(str(x) for x in v)))
        else:
            out.append((key, v))
    return out


def _meta(meta: Mapping[str, Any]) -> str:
    rows = [[(_e(k), False), (_e(v), False)] for k, v in _flatten(meta)]
    return _table(["item", "value"], rows) if rows else '<p class="note">No metadata.</p>'


def _figure_block(png: bytes, alt: str, caption: str, dpi: int = 150) -> str:
    """A PNG inlined as base64, displayed at its physical size (96 CSS px per inch)."""
    b64 = base64.b64encode(png).decode("ascii")
    width = struct.unpack(">I", png[16:20])[0] if png[:8] == b"\x89PNG\r\n\x1a\n" else 0
    style = f' style="width:{round(width * 96 / dpi)}px"' if width else ""
    return (f'<figure><img src="data:image/png;base64,{b64}" alt="{_e(alt)}"{style}>'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


# --------------------------------------------------------------------------------------------
# inline SVG scatter with a <title> (hover label) per system


def svg_scatter(systems: pd.DataFrame, column: str = "gwp", *, width: int = 900,
                height: int = 420) -> str:
    """Hand-written inline SVG: ``column`` per system (baseline) vs publication year, log y,
    one ``<circle>`` with a ``<title>`` per system (shown on hover)."""
    base = _baseline(systems)
    if column not in base.columns or len(base) == 0:
        return ""
    from trainlca.report.figures import _years
    from trainlca.report.statement import number

    x = _years(base)
    y = np.asarray(base[column], dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y) & (y > 0)
    if ok.sum() == 0:
        return ""
    left, right, top, bottom = 70, 20, 20, 45
    x0, x1 = math.floor(float(x[ok].min())), math.ceil(float(x[ok].max()))
    if x1 == x0:
        x1 = x0 + 1
    ly = np.log10(y[ok])
    y0, y1 = math.floor(float(ly.min())), math.ceil(float(ly.max()))
    if y1 == y0:
        y1 = y0 + 1
    pw, ph = width - left - right, height - top - bottom

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def sy(lv: float) -> float:
        return top + (1 - (lv - y0) / (y1 - y0)) * ph

    parts = [f'<svg class="scatter" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{_e(column.upper())} per system vs publication year">',
             f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fff" '
             'stroke="#999"/>']
    for yr in range(x0, x1 + 1):
        X = sx(yr)
        parts.append(f'<line x1="{X:.1f}" y1="{top}" x2="{X:.1f}" y2="{top + ph}" '
                     'stroke="#e5e5e5"/>')
        parts.append(f'<text x="{X:.1f}" y="{top + ph + 16}" text-anchor="middle">{yr}</text>')
    for p in range(y0, y1 + 1):
        Y = sy(p)
        parts.append(f'<line x1="{left}" y1="{Y:.1f}" x2="{left + pw}" y2="{Y:.1f}" '
                     'stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 6}" y="{Y + 4:.1f}" text-anchor="end">10'
                     f'<tspan dy="-6" font-size="9">{p}</tspan></text>')
    unit = UNIT.get(column.removesuffix("_kwh"), "")
    parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle">'
                 "Publication date (year)</text>")
    parts.append(f'<text transform="translate(16 {top + ph / 2}) rotate(-90)" '
                 f'text-anchor="middle">{_e(column.upper())} ({_e(unit)}), log scale</text>')
    from_compute = (np.asarray(base["flag_hours_from_compute"].fillna(False), dtype=bool)
                    if "flag_hours_from_compute" in base.columns
                    else np.zeros(len(base), dtype=bool))
    idx = np.flatnonzero(ok)
    for k, i in enumerate(idx):
        r = base.iloc[i]
        label = (f"{r.get('model', '')} ({r.get('organization', '')}, "
                 f"{str(r.get('publication_date', ''))[:10]}): {number(float(y[i]))} {unit}; "
                 f"{r.get('hardware', '')}, grid {r.get('zone', '')}")
        style = ('fill="none" stroke="#D55E00" stroke-width="1.5"' if from_compute[i]
                 else 'fill="#0072B2" fill-opacity="0.75"')
        parts.append(f'<circle cx="{sx(float(x[i])):.1f}" cy="{sy(float(ly[k])):.1f}" r="4.5" '
                     f"{style}><title>{_e(label)}</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------


def build_report(systems_df: pd.DataFrame | None, trends_df: pd.DataFrame | None,
                 rebound_df: pd.DataFrame | None, cards_df: pd.DataFrame | None,
                 skipped_df: pd.DataFrame | None, meta: Mapping[str, Any]) -> str:
    """The report as one HTML string (nothing written)."""
    from trainlca import __version__
    from trainlca.report import figures as F

    def fig(build: Callable[[], Figure], alt: str, caption: str) -> str:
        return _figure_block(F.render(build(), "png"), alt, caption, F.DPI)

    sections: list[str] = []
    sections.append("<h2>Data coverage</h2>" + _coverage(systems_df, skipped_df))
    if _present(trends_df):
        assert trends_df is not None
        sections.append("<h2>Growth rates</h2><p>Exponential fits log10(y) = a + b·year; "
                        "growth per year 10<sup>b</sup> with its 95 % confidence interval."
                        "</p>" + _trend_table(trends_df))
    figs: list[str] = []
    if _present(systems_df):
        assert systems_df is not None
        figs.append(fig(lambda: F.systems_figure(systems_df, trends_df),
                        "Impacts per system vs publication date",
                        "Electricity and each criterion per system (baseline), log scale, with "
                        "the exponential fit and its 95 % confidence band."))
        svg = svg_scatter(systems_df, "gwp")
        if svg:
            figs.append(f"<figure>{svg}<figcaption>GWP per system (baseline), log scale. "
                        "Hover a point for the system's name. Filled: hours reported; hollow: "
                        "hours derived from training compute.</figcaption></figure>")
        if "scenario" in systems_df.columns and systems_df["scenario"].nunique() > 1:
            figs.append(fig(lambda: F.scenarios_figure(systems_df, trends_df),
                            "Scenario fits", "Fits per scenario: baseline, location shift to a "
                            "low-carbon grid, efficient hardware, and both."))
        if "gwp_production" in systems_df.columns:
            figs.append(fig(lambda: F.share_figure(systems_df), "Production share",
                            "Share of hardware production in each run's impact."))
    if _present(rebound_df):
        assert rebound_df is not None
        figs.append(fig(lambda: F.rebound_figure(rebound_df), "Rebound decomposition",
                        "Growth per year of training compute, hardware efficiency and "
                        "training energy, with 95 % confidence intervals."))
    if _present(cards_df):
        assert cards_df is not None
        figs.append(fig(lambda: F.cards_figure(cards_df), "Card production impacts",
                        "Production impacts of one accelerator card vs its release date."))
    if figs:
        sections.append("<h2>Figures</h2>" + "\n".join(figs))
    if _present(systems_df):
        assert systems_df is not None
        sections.append("<h2>Top 15 systems by GWP (baseline)</h2>" + _top_systems(systems_df))
    sections.append(
        "<h2>Method, data and sources</h2><p>Life-cycle impacts of each training run: "
        "electricity of the run (accelerators and hosts, × PUE) times grid factors of the "
        "organisation's country, plus the production of accelerators and hosts allocated by "
        "the run's share of the hardware lifetime (method of Morand et al., MLCA factors). "
        "Accelerator production water follows BoaviztAPI 2.5.0's GPU model (not counted under "
        "the mlca and bloom presets, whose sources have no water). End of life and the water "
        "used to produce the host servers are not covered. Intervals are the "
        "5th–95th percentiles of seeded Monte Carlo draws.</p>" + _meta(meta)
        + "<h3>Cite</h3><ol>" + "".join(f"<li>{_e(c)}</li>" for c in CITATIONS) + "</ol>")
    title = "trainlca study report"
    generated = meta.get("generated") or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class=\"sub\">Life-cycle impacts of training notable ML "
        f"systems · trainlca {_e(__version__)} · generated {_e(generated)}</p>"
        + "\n".join(sections) + "</body></html>\n"
    )


def write_report(out_dir: str | Path, systems_df: pd.DataFrame | None,
                 trends_df: pd.DataFrame | None, rebound_df: pd.DataFrame | None,
                 cards_df: pd.DataFrame | None, skipped_df: pd.DataFrame | None,
                 meta: Mapping[str, Any], *, force: bool = True) -> Path:
    """Write ``out_dir/report.html`` (self-contained); returns its path.

    The folder is checked first, the page built in memory, then written atomically.

    Raises:
        OutputError: the folder is not writable, or the report exists and ``force`` is False.
    """
    d = check_dir(out_dir)
    path = d / "report.html"
    if path.exists() and not force:
        raise OutputError(f"{path} exists; use --force to overwrite it")
    page = build_report(systems_df, trends_df, rebound_df, cards_df, skipped_df, meta)
    return save(path, page)
