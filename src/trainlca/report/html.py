"""The study's HTML report: one self-contained ``report.html`` (no external file, URL, script
or font; figures inlined as base64 PNG, the per-system chart as inline SVG with a hover label
per point).

The figures are the study's own (:func:`trainlca.report.figures.render_study_figures`): the
caller passes the PNG bytes it wrote to ``figures/`` (``trainlca study`` does), or the report
renders them through the same function. Tables use one number format per column, fits that
should not be read as trends (:func:`trainlca.trends.fit_flags`) are greyed and say why, and
no absolute local path is shown (the Epoch file is named by file name and sha256).

Everything is built in memory first and written with one atomic rename, so a failure never
leaves a half-written report.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from trainlca.report.files import OutputError, check_dir, save

if TYPE_CHECKING:
    import pandas as pd

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
#: Captions of the study's figures (report order is figures.STUDY_FIGURES').
CAPTIONS: Final[dict[str, str]] = {
    "systems": "Electricity and each criterion per system (baseline), log scale, with the "
               "exponential fit and its 95 % confidence band. Grey dashed fits are flagged "
               "(see the growth table).",
    "scenarios": "Fits per scenario for electricity and every criterion: baseline, location "
                 "shift to a low-carbon grid, efficient hardware, and both. Fits that coincide "
                 "are marked “=” (same line) or “≈” (within 5 %).",
    "share": "Share of hardware production in each run's impact.",
    "rebound": "Growth per year of training compute, hardware efficiency and training energy, "
               "with 95 % confidence intervals.",
    "cards": "Production impacts of one accelerator card vs its release date, up to the Epoch "
             "file's snapshot; marker per accelerator class, hollow where the die area is "
             "imputed; the fit uses GPUs released from 2013.",
}

CSS: Final[str] = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 margin:0 auto;max-width:1100px;padding:1.5rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;
 border-bottom:1px solid #ccc;padding-bottom:.2rem}
.sub{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}
caption{text-align:left;color:#444;padding:.2rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums;
 white-space:nowrap}
tr.flagged td{color:#8c8c8c;background:#fafafa}td.flag{color:#8c8c8c;font-size:.8rem}
td.nw{white-space:nowrap}.src,.what{font-size:.78rem;color:#444}
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


# --------------------------------------------------------------------------------------------
# numbers: one format per column


def _float(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _sci(v: float, digits: int) -> str:
    """``1.37×10<sup>8</sup>`` (``digits`` significant digits)."""
    mant, exp = f"{v:.{digits - 1}e}".split("e")
    return f"{mant}×10<sup>{int(exp)}</sup>"


def _special(v: float) -> str | None:
    """Text of a value that is not a finite number (None when it is one)."""
    if math.isnan(v):
        return "–"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return None


def column_format(values: Iterable[Any], digits: int = 3,
                  decimals: int | None = None) -> Callable[[Any], str]:
    """One format for a whole column: fixed decimals with thousands separators when every
    finite non-zero value lies in [0.01, 10⁶) and within four decades of the others, else
    powers of ten for every cell. Fixed: ``decimals`` if given, else enough for ``digits``
    significant digits on the smallest value."""
    mags = [abs(v) for v in map(_float, values) if math.isfinite(v) and v != 0]
    lo, hi = (min(mags), max(mags)) if mags else (1.0, 1.0)
    if lo >= 0.01 and hi < 1e6 and hi / lo < 1e4:
        if decimals is None:
            decimals = max(0, min(4, digits - 1 - math.floor(math.log10(lo))))

        def fixed(x: Any) -> str:
            v = _float(x)
            return _special(v) or f"{v:,.{decimals}f}"

        return fixed

    def scientific(x: Any) -> str:
        v = _float(x)
        return _special(v) or ("0" if v == 0 else _sci(v, digits))

    return scientific


def general_format(values: Iterable[Any], digits: int = 4) -> Callable[[Any], str]:
    """One format for a few values of one unit (a parameter's value and range): up to
    ``digits`` significant digits without trailing zeros, thousands separated; powers of ten
    for all of them when one lies outside [10⁻³, 10⁶)."""
    mags = [abs(v) for v in map(_float, values) if math.isfinite(v) and v != 0]
    sci = any(not 1e-3 <= m < 1e6 for m in mags)

    def fmt(x: Any) -> str:
        v = _float(x)
        if (s := _special(v)) is not None:
            return s
        if v == 0:
            return "0"
        if sci:
            mant, exp = f"{v:.{digits - 1}e}".split("e")
            mant = mant.rstrip("0").rstrip(".") if "." in mant else mant
            return f"{mant}×10<sup>{int(exp)}</sup>"
        dec = max(0, digits - 1 - math.floor(math.log10(abs(v))))
        text = f"{round(v, dec):,.{dec}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    return fmt


def _growth_cell(fmt: Callable[[Any], str], g: Any) -> str:
    v = _float(g)
    return "no fit" if math.isnan(v) else f"×{fmt(v)}"


def _interval(fmt: Callable[[Any], str], lo: Any, hi: Any) -> str:
    a, b = _float(lo), _float(hi)
    return "–" if math.isnan(a) or math.isnan(b) else f"{fmt(a)}–{fmt(b)}"


def _months(x: Any) -> str:
    """Doubling time in whole months; ∞ (no doubling) for a flat or declining trend."""
    v = _float(x)
    if (s := _special(v)) is not None:
        return "∞ (no doubling)" if s == "∞" else s
    return f"{v:,.0f}"


# --------------------------------------------------------------------------------------------
# tables


#: A table cell: (already escaped html, kind): True = number (right-aligned), False = text,
#: or a CSS class ("nw": text kept on one line).
Cell = tuple[str, bool | str]


def _td(html_text: str, kind: bool | str) -> str:
    cls = "num" if kind is True else kind or ""
    return f'<td class="{cls}">{html_text}</td>' if cls else f"<td>{html_text}</td>"


def _table(header: Sequence[str], rows: Iterable[Sequence[Cell]], caption: str = "",
           row_class: Sequence[str] | None = None) -> str:
    """HTML table of :data:`Cell` rows; ``row_class`` per row (e.g. ``flagged``)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = row_class[i] if row_class is not None and i < len(row_class) else ""
        tr = f'<tr class="{cls}">' if cls else "<tr>"
        body.append(tr + "".join(_td(c, kind) for c, kind in row) + "</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _present(df: pd.DataFrame | None) -> bool:
    return df is not None and len(df) > 0


def _baseline(systems: pd.DataFrame) -> pd.DataFrame:
    if "scenario" in systems.columns:
        return systems[systems["scenario"] == "baseline"]
    return systems


def _coverage(systems: pd.DataFrame | None, skipped: pd.DataFrame | None) -> str:
    base = _baseline(systems) if systems is not None and len(systems) else None
    n_ok = len(base) if base is not None else 0
    n_skip = len(skipped) if skipped is not None else 0
    cards: list[tuple[str, Any]] = [("systems assessed", n_ok), ("systems skipped", n_skip)]
    if base is not None and "year" in base.columns and n_ok:
        y = np.asarray(base["year"], dtype=np.float64)
        if np.isfinite(y).any():
            cards.append(("period", f"{np.nanmin(y):.1f}–{np.nanmax(y):.1f}"))
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


def _sorted_trends(trends: pd.DataFrame) -> pd.DataFrame:
    t = trends.copy()
    t["_s"] = (t["scenario"].map({s: i for i, s in enumerate(SCENARIO_ORDER)}).fillna(9)
               if "scenario" in t.columns else 0)
    t["_c"] = t["criterion"].map({c: i for i, c in enumerate(CRITERION_ORDER)}).fillna(9)
    return t.sort_values(["_s", "_c"], kind="stable")


def _fit_rows(t: pd.DataFrame, lead: Sequence[str], mc: bool) -> tuple[list[list[Cell]],
                                                                       list[str]]:
    """Rows of a fit table: the ``lead`` columns, growth, CI, doubling, R², n, period, [MC],
    flags; and the row classes (``flagged``)."""
    from trainlca.trends import fit_flags

    growth = column_format(np.concatenate([t[c].to_numpy(dtype=np.float64) for c in
                                           ("growth_per_year", "ci_low", "ci_high")]),
                           decimals=2)
    mcfmt = (column_format(np.concatenate([t[c].to_numpy(dtype=np.float64) for c in
                                           ("mc_growth_p50", "mc_ci_low", "mc_ci_high")]),
                           decimals=2)
             if mc else growth)
    rows, classes = [], []
    for _, r in t.iterrows():
        flags = fit_flags(_float(r.get("r2")), _float(r.get("n")) if not _nan(r.get("n"))
                          else 0, _float(r.get("ci_low")), _float(r.get("ci_high")))
        row: list[Cell] = [(_e(r.get(c, "")), "nw") for c in lead]
        row += [(_growth_cell(growth, r.get("growth_per_year")), True),
                (_interval(growth, r.get("ci_low"), r.get("ci_high")), True),
                (_months(r.get("doubling_months")), True),
                (_r2(r.get("r2")), True), (_e(_int(r.get("n"))), True),
                (_e(r.get("period", "")), "nw")]
        if mc:
            row += [(_growth_cell(mcfmt, r.get("mc_growth_p50")), True),
                    (_interval(mcfmt, r.get("mc_ci_low"), r.get("mc_ci_high")), True)]
        row.append((_e("; ".join(flags)), False))
        rows.append(row)
        classes.append("flagged" if flags else "")
    return rows, classes


def _nan(x: Any) -> bool:
    return math.isnan(_float(x))


def _int(x: Any) -> str:
    v = _float(x)
    return "" if math.isnan(v) else f"{v:.0f}"


def _r2(x: Any) -> str:
    v = _float(x)
    return _special(v) or f"{v:.2f}"


_FIT_HEADER: Final[tuple[str, ...]] = ("growth / year", "95 % CI", "doubling (months)", "R²", "n",
                                       "period")


def _trend_tables(trends: pd.DataFrame) -> str:
    """All-systems fits per criterion and scenario; per-domain fits (baseline) apart."""
    from trainlca.trends import MIN_FIT_N, WEAK_R2

    t = _sorted_trends(trends)
    dom = t["domain"].fillna("all") if "domain" in t.columns else None
    mc = "mc_ci_low" in t.columns
    out = [f"<p>Exponential fits log10(y) = a + b·year; growth per year 10<sup>b</sup> with its "
           f"95 % confidence interval. Greyed rows are flagged, not trends to quote: "
           f"R² &lt; {WEAK_R2:g} (the year explains less than {100 * WEAK_R2:.0f} % of the "
           f"variance of log10(y)), fewer than {MIN_FIT_N} systems, or a confidence interval "
           "that includes ×1 (no significant change).</p>"]
    main = t if dom is None else t[dom == "all"]
    header = ["criterion", "scenario", *_FIT_HEADER] + (
        ["growth p50 (MC)", "95 % CI incl. parameters"] if mc else []) + ["flagged"]
    rows, cls = _fit_rows(main, ["criterion", "scenario"], mc)
    out.append(_table(header, rows, "All systems", cls))
    if dom is not None and (dom != "all").any():
        sub = t[dom != "all"].sort_values(["_c", "domain"], kind="stable")
        rows, cls = _fit_rows(sub, ["criterion", "domain"], False)
        out.append(_table(["criterion", "domain", *_FIT_HEADER, "flagged"], rows,
                          "Per Epoch domain (baseline; domains with at least 20 systems)", cls))
    return "\n".join(out)


def _rebound_table(rebound: pd.DataFrame) -> str:
    t = rebound.copy()
    rows, cls = _fit_rows(t, ["term", "unit"] if "unit" in t.columns else ["term"], False)
    return _table(["term", "unit", *_FIT_HEADER, "flagged"] if "unit" in t.columns
                  else ["term", *_FIT_HEADER, "flagged"], rows,
                  "Rebound decomposition (baseline)", cls)


def _top_systems(systems: pd.DataFrame, n: int = 15) -> str:
    base = _baseline(systems)
    if "gwp" not in base.columns:
        return '<p class="note">No GWP column.</p>'
    top = base.sort_values("gwp", ascending=False, na_position="last").head(n)
    cols = {c: column_format(top[c]) if c in top.columns else (lambda _x: "")
            for c in ("accelerator_hours", "energy_kwh")}
    gwp_cols = [c for c in ("gwp", "gwp_p5", "gwp_p95") if c in top.columns]
    gwp = column_format(np.concatenate([top[c].to_numpy(dtype=np.float64) for c in gwp_cols]))
    rows: list[list[Cell]] = []
    for i, (_, r) in enumerate(top.iterrows(), start=1):
        interval = (_interval(gwp, r["gwp_p5"], r["gwp_p95"])
                    if "gwp_p5" in r.index and "gwp_p95" in r.index else "–")
        share = "–"
        if "gwp_production" in r.index:
            s = 100 * _float(r["gwp_production"]) / _float(r["gwp"])
            share = f"{s:.0f} %" if math.isfinite(s) else "–"
        rows.append([(_e(i), True), (_e(r.get("model")), False),
                     (_e(r.get("organization", "")), False),
                     (_e(str(r.get("publication_date", ""))[:10]), "nw"),
                     (_e(r.get("hardware", "")), False), (_e(r.get("zone", "")), False),
                     (cols["accelerator_hours"](r.get("accelerator_hours")), True),
                     (cols["energy_kwh"](r.get("energy_kwh")), True),
                     (gwp(r.get("gwp")), True), (interval, True), (share, True)])
    return _table(["#", "system", "organisation", "published", "hardware", "grid",
                   "accelerator-hours", "energy (kWh)", "GWP (kgCO2eq)", "GWP 90 % interval",
                   "production share"], rows)


# --------------------------------------------------------------------------------------------
# metadata and parameters


#: Metadata rows of the report: (label, path in study.json); counts shown elsewhere are left out.
_META_ROWS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("Epoch file", ("epoch", "source")),
    ("Epoch file sha256", ("epoch", "sha256")),
    ("Epoch snapshot (newest publication)", ("epoch", "snapshot_date")),
    ("Epoch schema", ("epoch", "schema")),
    ("Epoch rows", ("epoch", "rows")),
    ("Epoch downloaded at", ("epoch", "downloaded_at")),
    ("accelerator catalogue", ("catalogue_version",)),
    ("grid factors", ("data_versions", "grid_source")),
    ("grid factors", ("grid",)),
    ("preset", ("preset",)),
    ("boundary", ("boundary",)),
    ("Monte Carlo draws", ("draws",)),
    ("seed", ("seed",)),
    ("first publication year", ("window", "start_year")),
    ("last publication year", ("window", "end_year")),
    ("hardware imputed for rows without it", ("impute_hardware",)),
    ("low-carbon grid of the location-shift scenarios", ("low_carbon_target",)),
    ("scenarios", ("scenarios",)),
)


#: Top-level metadata shown elsewhere in the report (coverage, parameters) or duplicated.
_META_ELSEWHERE: Final[frozenset[str]] = frozenset({
    "parameters", "skipped", "flags", "systems_assessed", "data_versions", "card_trend",
    "overrides", "generated"})


def _get(meta: Mapping[str, Any], path: Sequence[str]) -> Any:
    v: Any = meta
    for k in path:
        if not isinstance(v, Mapping) or k not in v:
            return None
        v = v[k]
    return v


def _text(v: Any) -> str:
    """A metadata value as plain text (no Python repr)."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list | tuple):
        return ", ".join(_text(x) for x in v)
    if isinstance(v, Mapping):
        return "; ".join(f"{k} = {_text(x)}" for k, x in v.items()) or "none"
    return str(v)


def _meta(meta: Mapping[str, Any]) -> str:
    rows: list[list[Cell]] = []
    shown: set[str] = set()
    for label, path in _META_ROWS:
        v = _get(meta, path)
        if path == ("window", "end_year") and v is None and "window" in meta:
            v = "latest"
        if v is None and (len(path) == 1 or _get(meta, path[:-1]) is None):
            continue  # not in this study's metadata
        if label in shown:  # a fallback row (grid): only when the first one had nothing
            continue
        shown.add(label)
        rows.append([(_e(label), False), (_e(_text(v)), False)])
    known = {p[0] for _, p in _META_ROWS} | _META_ELSEWHERE
    for k, v in meta.items():  # anything newer than this list, as plain text
        if k not in known:
            rows.append([(_e(k.replace("_", " ")), False), (_e(_text(v)), False)])
    over = meta.get("overrides")
    if over:
        rows.append([(_e("parameters set by the user"), False), (_e(_text(over)), False)])
    return (_table(["item", "value"], rows, "Data and settings") if rows
            else '<p class="note">No metadata.</p>')


def _param_ranges(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Each parameter's definition under the study's preset and overrides (its range and
    distribution), from :mod:`trainlca.presets`; empty if the preset is unknown."""
    from trainlca.errors import TrainLCAError
    from trainlca.presets import get_preset

    try:
        return dict(get_preset(str(meta.get("preset", "default"))).params(
            meta.get("overrides") or None))
    except (TrainLCAError, TypeError, ValueError):
        return {}


def _parameters(meta: Mapping[str, Any]) -> str:
    """Parameters as a table: name, value, unit, range (distribution), status, source."""
    params = meta.get("parameters")
    if not params:
        return ""
    defs = _param_ranges(meta)
    rows = []
    for p in params:
        name = str(p.get("name", ""))
        d = defs.get(name)
        low, high = p.get("low", getattr(d, "low", None)), p.get("high", getattr(d, "high", None))
        dist = p.get("dist", getattr(d, "dist", None))
        fmt = general_format([p.get("value"), low, high])
        if low is None or high is None or dist in (None, "fixed") or low == high:
            span = "fixed"
        else:
            span = f"{fmt(low)}–{fmt(high)} ({dist})"
        what = getattr(d, "description", "")
        label = _e(name) + (f'<br><span class="what">{_e(what)}</span>' if what else "")
        rows.append([(label, False), (fmt(p.get("value")), True),
                     (_e(p.get("unit", "")), False), (span, True),
                     (_e(p.get("status", "")), False),
                     (f'<span class="src">{_e(p.get("source", ""))}</span>', False)])
    return ("<h3>Parameters</h3>"
            + _table(["name", "value", "unit", "range (Monte Carlo distribution)", "status",
                      "source"], rows))


def _figure_block(png: bytes, alt: str, caption: str, dpi: int = 150) -> str:
    """A PNG inlined as base64, displayed at its physical size (96 CSS px per inch)."""
    b64 = base64.b64encode(png).decode("ascii")
    width = struct.unpack(">I", png[16:20])[0] if png[:8] == b"\x89PNG\r\n\x1a\n" else 0
    style = f' style="width:{round(width * 96 / dpi)}px"' if width else ""
    return (f'<figure><img src="data:image/png;base64,{b64}" alt="{_e(alt)}"{style}>'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


# --------------------------------------------------------------------------------------------
# inline SVG scatter with a <title> (hover label) per system


@dataclass(frozen=True)
class _Plot:
    """The scatter's plotting area (px) and data range (years; decades of log10 y)."""

    left: int
    top: int
    pw: int
    ph: int
    x0: int
    x1: int
    y0: int
    y1: int

    def sx(self, v: float) -> float:
        return self.left + (v - self.x0) / (self.x1 - self.x0) * self.pw

    def sy(self, lv: float) -> float:
        return self.top + (1 - (lv - self.y0) / (self.y1 - self.y0)) * self.ph


def svg_scatter(systems: pd.DataFrame, column: str = "gwp", *, width: int = 900,
                height: int = 420) -> str:
    """Hand-written inline SVG: ``column`` per system (baseline) vs publication year, log y,
    one ``<circle>`` with a ``<title>`` per system (shown on hover)."""
    base = _baseline(systems)
    if column not in base.columns or len(base) == 0:
        return ""
    from trainlca.report.figures import years

    x = years(base)
    y = np.asarray(base[column], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x) & np.isfinite(y) & (y > 0)
    if ok.sum() == 0:
        return ""
    left, right, top, bottom = 70, 20, 20, 45
    x0, x1 = math.floor(float(x[ok].min())), math.ceil(float(x[ok].max()))
    ly = np.log10(y[ok])
    y0, y1 = math.floor(float(ly.min())), math.ceil(float(ly.max()))
    plot = _Plot(left, top, width - left - right, height - top - bottom,
                 x0, x1 if x1 != x0 else x0 + 1, y0, y1 if y1 != y0 else y0 + 1)
    unit = UNIT.get(column.removesuffix("_kwh"), "")
    parts = [f'<svg class="scatter" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{_e(column.upper())} per system vs publication year">',
             *_scatter_axes(plot, column, unit, height),
             *_scatter_points(base, plot, x, y, ly, ok, unit), "</svg>"]
    return "".join(parts)


def _scatter_axes(plot: _Plot, column: str, unit: str, height: int) -> list[str]:
    """The frame, a grid line and label per year and per decade (at most ~12), axis titles."""
    left, top, pw, ph = plot.left, plot.top, plot.pw, plot.ph
    parts = [f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fff" '
             'stroke="#999"/>']
    for yr in range(plot.x0, plot.x1 + 1):
        X = plot.sx(yr)
        parts.append(f'<line x1="{X:.1f}" y1="{top}" x2="{X:.1f}" y2="{top + ph}" '
                     'stroke="#e5e5e5"/>')
        parts.append(f'<text x="{X:.1f}" y="{top + ph + 16}" text-anchor="middle">{yr}</text>')
    step = max(1, math.ceil((plot.y1 - plot.y0) / 12))
    for p in range(plot.y0, plot.y1 + 1, step):
        Y = plot.sy(p)
        parts.append(f'<line x1="{left}" y1="{Y:.1f}" x2="{left + pw}" y2="{Y:.1f}" '
                     'stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 6}" y="{Y + 4:.1f}" text-anchor="end">10'
                     f'<tspan dy="-6" font-size="9">{p}</tspan></text>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle">'
                 "Publication date (year)</text>")
    parts.append(f'<text transform="translate(16 {top + ph / 2}) rotate(-90)" '
                 f'text-anchor="middle">{_e(column.upper())} ({_e(unit)}), log scale</text>')
    return parts


def _scatter_points(base: pd.DataFrame, plot: _Plot, x: np.ndarray, y: np.ndarray,
                    ly: np.ndarray, ok: np.ndarray, unit: str) -> list[str]:
    """One circle per system with its hover title (hollow orange: hours from compute)."""
    from trainlca.report.figures import number as fig_number

    from_compute = (np.asarray(base["flag_hours_from_compute"].fillna(False), dtype=bool)
                    if "flag_hours_from_compute" in base.columns
                    else np.zeros(len(base), dtype=bool))
    parts = []
    for k, i in enumerate(np.flatnonzero(ok)):
        r = base.iloc[i]
        label = (f"{r.get('model', '')} ({r.get('organization', '')}, "
                 f"{str(r.get('publication_date', ''))[:10]}): {fig_number(float(y[i]))} "
                 f"{unit}; {r.get('hardware', '')}, grid {r.get('zone', '')}")
        style = ('fill="none" stroke="#D55E00" stroke-width="1.5"' if from_compute[i]
                 else 'fill="#0072B2" fill-opacity="0.75"')
        parts.append(f'<circle cx="{plot.sx(float(x[i])):.1f}" cy="{plot.sy(float(ly[k])):.1f}" '
                     f'r="4.5" {style}><title>{_e(label)}</title></circle>')
    return parts


# --------------------------------------------------------------------------------------------


def _figures_html(figures: Mapping[str, bytes], systems_df: pd.DataFrame | None) -> str:
    from trainlca.report.figures import DPI, STUDY_FIGURES

    blocks = []
    for name in (n for n in STUDY_FIGURES if n in figures):
        blocks.append(_figure_block(figures[name], STUDY_FIGURES[name], CAPTIONS[name], DPI))
        if name == "systems" and systems_df is not None:
            svg = svg_scatter(systems_df, "gwp")
            if svg:
                blocks.append(f"<figure>{svg}<figcaption>GWP per system (baseline), log scale. "
                              "Hover a point for the system's name. Filled: hours reported; "
                              "hollow: hours derived from training compute.</figcaption>"
                              "</figure>")
    return "<h2>Figures</h2>" + "\n".join(blocks) if blocks else ""


def _render_figures(systems_df: pd.DataFrame | None, trends_df: pd.DataFrame | None,
                    rebound_df: pd.DataFrame | None, cards_df: pd.DataFrame | None,
                    meta: Mapping[str, Any]) -> dict[str, bytes]:
    """The study's figures as PNG, through the study's one render path."""
    from trainlca.report.figures import StudyTables, render_study_figures, study_figure_names

    epoch = meta.get("epoch")
    snapshot = epoch.get("snapshot_date") if isinstance(epoch, Mapping) else None
    t = StudyTables(systems_df, trends_df, rebound_df, cards_df, snapshot)
    done = render_study_figures(t, study_figure_names(t), formats=("png",))
    return {n: d["png"] for n, d in done.items()}


def _header(meta: Mapping[str, Any]) -> str:
    from trainlca import __version__

    generated = meta.get("generated") or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    epoch = meta.get("epoch") if isinstance(meta.get("epoch"), Mapping) else {}
    data = ""
    if epoch:
        sha = str(epoch.get("sha256") or "")
        data = (f" · data {_e(epoch.get('source') or 'Epoch AI')}"
                + (f" (sha256 {_e(sha[:12])}…, newest publication "
                   f"{_e(epoch.get('snapshot_date') or '–')})" if sha else ""))
    run = ""
    if "preset" in meta:
        run = f" · preset {_e(meta['preset'])}, {_e(meta.get('draws', 0))} Monte Carlo draws"
    return (f"<h1>trainlca study report</h1><p class=\"sub\">Life-cycle impacts of training "
            f"notable ML systems · trainlca {_e(__version__)} · generated {_e(generated)}"
            f"{data}{run}</p>")


def build_report(systems_df: pd.DataFrame | None, trends_df: pd.DataFrame | None,
                 rebound_df: pd.DataFrame | None, cards_df: pd.DataFrame | None,
                 skipped_df: pd.DataFrame | None, meta: Mapping[str, Any], *,
                 figures: Mapping[str, bytes] | None = None) -> str:
    """The report as one HTML string (nothing written).

    ``figures``: PNG bytes of the study figures by name (as written to ``figures/``); when
    None they are rendered here, through the same path.
    """
    from trainlca.report.public import public_meta

    meta = public_meta(meta)
    if figures is None:
        figures = _render_figures(systems_df, trends_df, rebound_df, cards_df, meta)
    sections: list[str] = ["<h2>Data coverage</h2>" + _coverage(systems_df, skipped_df)]
    if _present(trends_df) or _present(rebound_df):
        sections.append("<h2>Growth rates</h2>"
                        + (_trend_tables(trends_df) if trends_df is not None
                           and len(trends_df) else "")
                        + (_rebound_table(rebound_df) if rebound_df is not None
                           and len(rebound_df) else ""))
    sections.append(_figures_html(figures, systems_df))
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
        + _parameters(meta)
        + "<h3>Cite</h3><ol>" + "".join(f"<li>{_e(c)}</li>" for c in CITATIONS) + "</ol>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>trainlca study report</title><style>{CSS}</style></head><body>"
        + _header(meta) + "\n".join(s for s in sections if s) + "</body></html>\n"
    )


def write_report(out_dir: str | Path, systems_df: pd.DataFrame | None,
                 trends_df: pd.DataFrame | None, rebound_df: pd.DataFrame | None,
                 cards_df: pd.DataFrame | None, skipped_df: pd.DataFrame | None,
                 meta: Mapping[str, Any], *, force: bool = True,
                 figures: Mapping[str, bytes] | None = None) -> Path:
    """Write ``out_dir/report.html`` (self-contained); returns its path.

    The folder is checked first, the page built in memory, then written atomically.
    ``figures``: as :func:`build_report`.

    Raises:
        OutputError: the folder is not writable, or the report exists and ``force`` is False.
    """
    d = check_dir(out_dir)
    path = d / "report.html"
    if path.exists() and not force:
        raise OutputError(f"{path} exists; use --force to overwrite it")
    page = build_report(systems_df, trends_df, rebound_df, cards_df, skipped_df, meta,
                        figures=figures)
    return save(path, page)
