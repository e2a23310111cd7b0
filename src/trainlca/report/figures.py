"""Figures of the study and of one estimate (matplotlib, Agg, imported inside functions only).

Every ``fig_*`` function takes DataFrames shaped as in ``docs/study-outputs.md`` (or an
:class:`~trainlca.api.Estimate`), writes one file per format and returns the paths. The
``*_figure`` builders return the matplotlib Figure instead (the HTML report renders those in
memory).

Print-safe: log y axes where values span decades, units on every axis, a colour-blind-safe
palette (Okabe & Ito 2008) and, for greyscale print, series that also differ by marker, line
style or hatch. Figures are built on :class:`matplotlib.figure.Figure` directly, never through
pyplot, so no GUI backend is ever touched.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, ParamSpec

import numpy as np

from trainlca.report.files import OutputError, check_dir, save

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from trainlca.api import Estimate

P = ParamSpec("P")

#: Okabe-Ito colour-blind-safe palette.
OKABE_ITO: Final[dict[str, str]] = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}

#: Display style of each scenario: colour, line style, marker (distinct in greyscale too).
SCENARIO_STYLE: Final[dict[str, dict[str, str]]] = {
    "baseline": {"color": OKABE_ITO["blue"], "ls": "-", "marker": "o"},
    "location-shift": {"color": OKABE_ITO["green"], "ls": "--", "marker": "s"},
    "efficient-hardware": {"color": OKABE_ITO["vermillion"], "ls": "-.", "marker": "^"},
    "both": {"color": OKABE_ITO["purple"], "ls": ":", "marker": "D"},
}

#: Axis labels with units (mathtext subscripts).
AXIS_LABEL: Final[dict[str, str]] = {
    "energy": "Electricity (kWh)",
    "gwp": "GWP (kgCO$_2$eq)",
    "adpe": "ADPe (kgSbeq)",
    "pe": "Primary energy (MJ)",
    "wu": "Water use (L)",
}
SHORT: Final[dict[str, str]] = {"energy": "energy", "gwp": "GWP", "adpe": "ADPe", "pe": "PE",
                                "wu": "WU"}
TITLE: Final[dict[str, str]] = {
    "energy": "Electricity", "gwp": "Global warming", "adpe": "Abiotic depletion (metals)",
    "pe": "Primary energy", "wu": "Water use",
}

FORMATS: Final[tuple[str, ...]] = (".png", ".svg", ".pdf")
DPI: Final[int] = 150

_RC: Final[dict[str, Any]] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "trainlca",
    "svg.fonttype": "none",
}


# --------------------------------------------------------------------------------------------
# helpers


def _styled(build: Callable[P, Figure]) -> Callable[P, Figure]:
    """Build the figure under the package's rcParams (they apply when artists are created)."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        import matplotlib

        with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
            return build(*args, **kwargs)

    return wrapper


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def render(fig: Figure, fmt: str = "png") -> bytes:
    """The figure as PNG, SVG or PDF bytes (deterministic metadata)."""
    fmt = fmt.lstrip(".").lower()
    import matplotlib

    meta: dict[str, Any] = {"png": {"Software": None}, "svg": {"Date": None},
                            "pdf": {"CreationDate": None, "ModDate": None}}.get(fmt, {})
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta, facecolor="white")
    return buf.getvalue()


def save_figure(fig: Figure, out_dir: str | Path, name: str,
                formats: Iterable[str] = ("png", "svg")) -> list[Path]:
    """Write ``out_dir/name.<fmt>`` for every format; returns the paths."""
    d = check_dir(out_dir)
    paths = []
    for fmt in formats:
        ext = "." + fmt.lstrip(".").lower()
        if ext not in FORMATS:
            raise OutputError(f"unknown figure format '{fmt}'; use one of {', '.join(FORMATS)}")
        paths.append(save(d / f"{name}{ext}", render(fig, ext)))
    return paths


def _decimal_years(values: Any) -> np.ndarray:
    """Decimal years from ISO dates (or numbers already in years)."""
    import pandas as pd

    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s):
        return np.asarray(s, dtype=np.float64)
    d = pd.to_datetime(s, errors="coerce")
    start = pd.to_datetime(d.dt.year.astype("Int64").astype(str) + "-01-01", errors="coerce")
    days = np.where(d.dt.is_leap_year, 366.0, 365.0)
    out = d.dt.year + (d - start).dt.days / days
    return np.asarray(out.astype("float64"), dtype=np.float64)


def _years(df: pd.DataFrame) -> np.ndarray:
    if "year" in df.columns:
        y = np.asarray(df["year"], dtype=np.float64)
        if np.isfinite(y).any():
            return y
    return _decimal_years(df["publication_date"])


def _fmt_growth(g: float, lo: float, hi: float, months: float | None = None) -> str:
    if not math.isfinite(g):
        return "no fit"
    ci = f" [{lo:.2f}–{hi:.2f}]" if math.isfinite(lo) and math.isfinite(hi) else ""
    dbl = ""
    if months is not None and math.isfinite(months) and months > 0:
        dbl = f", doubles in {months:.0f} mo"
    return f"×{g:.2f}/yr{ci}{dbl}"


def _trend_row(trends: pd.DataFrame | None, criterion: str,
               scenario: str = "baseline") -> dict[str, float] | None:
    """The ``domain == all`` row of trends.csv for a criterion and scenario, if any."""
    if trends is None or len(trends) == 0 or "criterion" not in trends.columns:
        return None
    m = trends["criterion"] == criterion
    if "scenario" in trends.columns:
        m &= trends["scenario"] == scenario
    if "domain" in trends.columns:
        m &= trends["domain"].fillna("all") == "all"
    rows = trends[m]
    if len(rows) == 0:
        return None
    r = rows.iloc[0]
    return {k: float(r[k]) for k in ("growth_per_year", "ci_low", "ci_high", "doubling_months")
            if k in r.index and r[k] is not None and not _isnan(r[k])}


def _isnan(x: Any) -> bool:
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def _fit_line(ax: Axes, x: np.ndarray, y: np.ndarray, *, color: str, ls: str,
              band: bool = True, label: str | None = None,
              trend: dict[str, float] | None = None) -> str:
    """Draw the log-linear fit of y on x (and its 95 % band); returns the growth label."""
    from trainlca.trends import fit_log_trend

    fit = fit_log_trend(x, y)
    if not math.isfinite(fit.slope):
        return "no fit"
    lo, hi = fit.period
    xs = np.linspace(lo, hi, 100)
    pred = fit.predict(xs)
    t = trend or {}
    text = _fmt_growth(t.get("growth_per_year", fit.growth_per_year),
                       t.get("ci_low", fit.ci_low), t.get("ci_high", fit.ci_high),
                       t.get("doubling_months", fit.doubling_months))
    ax.plot(xs, pred.fit, color=color, ls=ls, lw=1.8,
            label=f"{label}: {text}" if label else "exponential fit (95 % CI band)")
    if band and np.isfinite(pred.low).all():
        ax.fill_between(xs, pred.low, pred.high, color=color, alpha=0.15, lw=0)
    return text


def _log_y(ax: Axes) -> None:
    """Log y axis; within less than two decades, label ticks with plain numbers (no 2×10²)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from trainlca.report.statement import number

    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    if lo > 0 and hi / lo < 100:
        subs = (1.0, 1.2, 1.5, 2.0, 3.0, 5.0, 7.0) if hi / lo < 3 else (1.0, 2.0, 5.0)
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v, digits=2)))
        ax.yaxis.set_minor_formatter(NullFormatter())


def _corner_text(ax: Axes, text: str) -> None:
    """The fit's growth rate in the upper left corner (empty for a rising trend)."""
    ax.text(0.03, 0.97, text.replace(", doubles", "\ndoubles"), transform=ax.transAxes,
            va="top", ha="left", fontsize=7.5,
            bbox={"facecolor": "white", "edgecolor": "#999999", "boxstyle": "round,pad=0.3"})


def _shared_legend(fig: Figure, axes: Iterable[Axes]) -> None:
    """One legend below the panels, with the entries of the first axes that has any."""
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="outside lower center",
                       ncol=min(len(handles), 4), frameon=False)
            return


def _year_axis(ax: Axes, label: str = "Publication date (year)") -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    ax.set_xlabel(label)


def _positive(values: Any) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    return np.where(a > 0, a, np.nan)


def _criteria_present(df: pd.DataFrame, wanted: Sequence[str]) -> list[str]:
    return [c for c in wanted if c in df.columns
            and np.isfinite(_positive(df[c])).sum() >= 2]


def _baseline(systems: pd.DataFrame) -> pd.DataFrame:
    if "scenario" in systems.columns:
        return systems[systems["scenario"] == "baseline"]
    return systems


# --------------------------------------------------------------------------------------------
# the study's figures


@_styled
def cards_figure(cards: pd.DataFrame, trend: pd.DataFrame | None = None,
                 fit_since: float = 2013.0) -> Figure:
    """Production impact of one card per criterion vs release date, log y, with the fit.

    Every card is plotted; the fit (line, band, label) uses GPUs released from ``fit_since``
    on, the subset of ``trainlca.cards.card_trend`` (the seed study is about graphics cards)."""
    crits = _criteria_present(cards, ("gwp", "adpe", "pe"))
    fig = _figure(3.4 * max(len(crits), 1), 3.4)
    axes = fig.subplots(1, max(len(crits), 1), squeeze=False)[0]
    x = _decimal_years(cards["release_date"]) if "release_date" in cards.columns else \
        np.full(len(cards), np.nan)
    imputed = (np.asarray(cards["die_area_imputed"], dtype=bool)
               if "die_area_imputed" in cards.columns else np.zeros(len(cards), dtype=bool))
    kinds = (cards["type"].fillna("other").astype(str).str.upper().to_numpy()
             if "type" in cards.columns else np.array(["GPU"] * len(cards)))
    markers = {"GPU": "o", "TPU": "s"}
    for ax, c in zip(axes, crits, strict=False):
        y = _positive(cards[c])
        for kind in sorted(set(kinds)):
            for imp in (False, True):
                m = (kinds == kind) & (imputed == imp)
                if not m.any():
                    continue
                ax.scatter(x[m], y[m], marker=markers.get(kind, "^"), s=22,
                           facecolors="none" if imp else OKABE_ITO["sky"],
                           edgecolors=OKABE_ITO["blue"], linewidths=0.8,
                           label=f"{kind}{' (die area imputed)' if imp else ''}")
        row = (_trend_row(trend, c, "cards") if trend is not None and "scenario" in trend.columns
               else _trend_row(trend, c))
        fit = (kinds == "GPU") & (x >= fit_since)
        _corner_text(ax, _fit_line(ax, x[fit], y[fit], color=OKABE_ITO["black"], ls="-",
                                   trend=row))
        _log_y(ax)
        ax.set_ylabel(AXIS_LABEL[c] + " per card")
        ax.set_title(TITLE[c])
        _year_axis(ax, "Release date (year)")
    _shared_legend(fig, axes)
    fig.suptitle("Production impacts of one accelerator card "
                 f"(fit: GPUs released from {fit_since:.0f})")
    return fig


@_styled
def systems_figure(systems: pd.DataFrame, trends: pd.DataFrame | None = None) -> Figure:
    """Energy and each criterion per system vs publication date (baseline), log y, fit + band.

    Filled markers: hours reported by Epoch; hollow: hours derived from the training compute.
    """
    base = _baseline(systems)
    crits = _criteria_present(base, ("energy_kwh", "gwp", "adpe", "pe", "wu"))
    n = max(len(crits), 1)
    cols = 3 if n > 4 else 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    fig = _figure(3.5 * cols, 3.0 * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    x = _years(base)
    from_compute = (np.asarray(base["flag_hours_from_compute"], dtype=bool)
                    if "flag_hours_from_compute" in base.columns
                    else np.zeros(len(base), dtype=bool))
    for ax, col in zip(axes, crits, strict=False):
        c = "energy" if col == "energy_kwh" else col
        y = _positive(base[col])
        ax.scatter(x[~from_compute], y[~from_compute], s=14, marker="o",
                   color=OKABE_ITO["blue"], alpha=0.75, lw=0, label="hours reported")
        ax.scatter(x[from_compute], y[from_compute], s=16, marker="^", facecolors="none",
                   edgecolors=OKABE_ITO["orange"], lw=0.9, label="hours from compute")
        _corner_text(ax, _fit_line(ax, x, y, color=OKABE_ITO["black"], ls="-",
                                   trend=_trend_row(trends, c)))
        ax.set_yscale("log")
        ax.set_ylabel(AXIS_LABEL[c])
        ax.set_title(TITLE[c])
        _year_axis(ax)
    for ax in axes[len(crits):]:
        ax.set_visible(False)
    _shared_legend(fig, axes)
    fig.suptitle("Training runs of notable ML systems (baseline: organisation's grid); "
                 "line = exponential fit, band = 95 % CI")
    return fig


@_styled
def scenarios_figure(systems: pd.DataFrame, trends: pd.DataFrame | None = None,
                     criteria: Sequence[str] = ("energy_kwh", "gwp", "adpe", "pe")) -> Figure:
    """Fits of each scenario overlaid per criterion (line style and colour per scenario)."""
    crits = [c for c in criteria if c in systems.columns]
    n = max(len(crits), 1)
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    fig = _figure(4.3 * cols, 3.3 * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    scenarios = [s for s in SCENARIO_STYLE if "scenario" in systems.columns
                 and (systems["scenario"] == s).any()] or ["baseline"]
    for ax, col in zip(axes, crits, strict=False):
        c = "energy" if col == "energy_kwh" else col
        for s in scenarios:
            sub = systems[systems["scenario"] == s] if "scenario" in systems.columns else systems
            st = SCENARIO_STYLE[s]
            x, y = _years(sub), _positive(sub[col])
            ax.scatter(x, y, s=6, marker=st["marker"], color=st["color"], alpha=0.25, lw=0)
            _fit_line(ax, x, y, color=st["color"], ls=st["ls"], label=s,
                      trend=_trend_row(trends, c, s))
        ax.set_yscale("log")
        ax.set_ylabel(AXIS_LABEL[c])
        ax.set_title(TITLE[c])
        _year_axis(ax)
        ax.legend(loc="upper left", frameon=True, framealpha=0.9, edgecolor="#999999",
                  fontsize=6.5, handlelength=2.6)
    for ax in axes[len(crits):]:
        ax.set_visible(False)
    fig.suptitle("Reduction scenarios: fits per scenario (bands = 95 % CI)")
    return fig


@_styled
def share_figure(systems: pd.DataFrame) -> Figure:
    """Share of production (accelerators + hosts) in each system's total, per criterion."""
    base = _baseline(systems)
    crits = [c for c in ("gwp", "adpe", "pe")
             if f"{c}_production" in base.columns and c in base.columns]
    fig = _figure(3.4 * max(len(crits), 1), 3.2)
    axes = fig.subplots(1, max(len(crits), 1), squeeze=False)[0]
    x = _years(base)
    for ax, c in zip(axes, crits, strict=False):
        tot = _positive(base[c])
        share = 100.0 * np.asarray(base[f"{c}_production"], dtype=np.float64) / tot
        ok = np.isfinite(share) & np.isfinite(x)
        ax.scatter(x[ok], share[ok], s=12, marker="o", color=OKABE_ITO["orange"], alpha=0.6,
                   lw=0, label="system")
        if ok.sum() >= 3:
            years = np.floor(x[ok])
            uy = np.unique(years)
            med = [np.median(share[ok][years == u]) for u in uy]
            ax.plot(uy + 0.5, med, color=OKABE_ITO["black"], ls="--", marker="s", ms=3.5,
                    lw=1.4, label="median per year")
        ax.set_ylim(0, 100)
        ax.set_ylabel(f"Production share of {SHORT[c]} (%)")
        ax.set_title(TITLE[c])
        _year_axis(ax)
    _shared_legend(fig, axes)
    fig.suptitle("Hardware production vs electricity: production share of each run's impact "
                 "(rest = use)")
    return fig


@_styled
def rebound_figure(rebound: pd.DataFrame) -> Figure:
    """Growth per year of compute, hardware efficiency and energy, 95 % CI whiskers, log x."""
    order = [t for t in ("compute", "efficiency", "energy") if t in set(rebound["term"])]
    labels = {"compute": "Training compute (FLOP)",
              "efficiency": "Hardware efficiency (FLOP/J)",
              "energy": "Training energy (kWh)"}
    styles = {"compute": (OKABE_ITO["blue"], ""), "efficiency": (OKABE_ITO["green"], "///"),
              "energy": (OKABE_ITO["vermillion"], "..")}
    fig = _figure(6.6, 0.75 * len(order) + 1.6)
    ax = fig.subplots()
    ys = np.arange(len(order))[::-1]
    gmax = 1.0
    growth: dict[str, float] = {}
    for y, term in zip(ys, order, strict=True):
        r = rebound[rebound["term"] == term].iloc[0]
        g = float(r["growth_per_year"])
        growth[term] = g
        lo = float(r.get("ci_low", math.nan))
        hi = float(r.get("ci_high", math.nan))
        color, hatch = styles.get(term, (OKABE_ITO["black"], ""))
        # A bar from ×1 (no growth) to the growth factor, on a log axis.
        ax.barh(y, g - 1.0, left=1.0, height=0.55, color=color, alpha=0.85, hatch=hatch,
                edgecolor="black", lw=0.6)
        if math.isfinite(lo) and math.isfinite(hi):
            ax.errorbar(g, y, xerr=[[g - lo], [hi - g]], fmt="none", ecolor="black",
                        capsize=4, lw=1.1)
        months = float(r.get("doubling_months", math.nan))
        ax.text(max(hi if math.isfinite(hi) else g, g) * 1.08, y,
                _fmt_growth(g, lo, hi, months), va="center", fontsize=8)
        gmax = max(gmax, hi if math.isfinite(hi) else g)
    if {"compute", "efficiency", "energy"} <= set(growth):
        implied = growth["compute"] / growth["efficiency"]
        ax.plot(implied, ys[order.index("energy")], marker="D", color="black", ms=6,
                ls="none", label=f"compute ÷ efficiency = ×{implied:.2f}/yr")
        ax.legend(loc="upper right", frameon=False)
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    ax.set_xscale("log")
    ax.set_xlim(0.9, gmax * 6)
    ticks = [t for t in (1, 1.5, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000) if t <= gmax * 6]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(lambda v, _pos: f"×{v:g}")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_yticks(ys, [labels.get(t, t) for t in order])
    ax.set_xlabel("Growth factor per year (log scale; 1 = no growth; whiskers = 95 % CI)")
    ax.grid(axis="y", visible=False)
    fig.suptitle("Rebound: energy growth ≈ compute growth ÷ hardware-efficiency growth",
                 fontsize=9.5)
    return fig


@_styled
def estimate_figure(e: Estimate) -> Figure:
    """One run: share of each stage per criterion (stacked bars, left) and the 90 % interval of
    the total relative to its point value (whiskers on a log axis, right, labelled with the
    totals)."""
    from trainlca.criteria import CRITERIA, STAGE_LABELS, STAGES, UNITS
    from trainlca.report.statement import number

    colours = {"production_accelerator": OKABE_ITO["orange"],
               "production_host": OKABE_ITO["sky"], "use": OKABE_ITO["blue"]}
    hatches = {"production_accelerator": "///", "production_host": "...", "use": ""}
    fig = _figure(8.4, 3.7)
    ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3.0, 1.4]}, sharey=True)
    ys = np.arange(len(CRITERIA))[::-1]
    right_labels = []
    for y, c in zip(ys, CRITERIA, strict=True):
        total = e.impacts[c]["total"]
        left = 0.0
        for s in STAGES:
            v = e.impacts[c][s]
            share = 0.0 if (v is None or math.isnan(v) or total <= 0) else 100.0 * v / total
            ax.barh(y, share, left=left, height=0.6, color=colours[s], hatch=hatches[s],
                    edgecolor="black", lw=0.5, label=STAGE_LABELS[s] if y == ys[0] else None)
            if share >= 12:
                ax.text(left + share / 2, y, f"{share:.0f} %", ha="center", va="center",
                        fontsize=7.5, color="white" if s == "use" else "black",
                        bbox=None if s == "use" else
                        {"facecolor": "white", "edgecolor": "none", "pad": 1.0})
            left += share
        label = f"{number(total)} {UNITS[c]}"
        iv = e.intervals.get(c, {}).get("total")
        if iv is not None and total > 0:
            lo, mid, hi = iv.p5 / total, iv.p50 / total, iv.p95 / total
            bx.errorbar(mid, y, xerr=[[mid - lo], [hi - mid]], fmt="o", color="black",
                        ms=3.5, capsize=4, lw=1.2)
            label += f"\n90 %: {number(iv.p5)}–{number(iv.p95)}"
        nc_acc = math.isnan(e.impacts[c]["production_accelerator"])
        nc_host = math.isnan(e.impacts[c]["production_host"])
        if nc_acc or nc_host:
            label += ("\n(production not covered)" if nc_acc and nc_host else
                      "\n(host production not covered)" if nc_host else
                      "\n(accelerator production not covered)")
        right_labels.append(label)
    ax.set_yticks(ys, [c.upper() for c in CRITERIA])
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100])
    fig.get_layout_engine().set(wspace=0.06)  # type: ignore[union-attr, call-arg]
    ax.set_xlabel("Share of the total impact (%)")
    ax.grid(axis="y", visible=False)
    fig.legend(loc="outside lower center", ncol=3, frameon=False)
    bx.set_xscale("log")
    bx.set_xlim(0.25, 4.0)
    bx.axvline(1.0, color="grey", lw=0.8, ls="--")
    bx.set_xticks([0.25, 0.5, 1, 2, 4], ["¼", "½", "1", "2", "4"])
    bx.minorticks_off()
    bx.set_xlabel("Total ÷ point value\n(median, 90 % interval)")
    bx.grid(axis="y", visible=False)
    bx.tick_params(axis="y", left=False, labelleft=False)
    rax = bx.secondary_yaxis("right")
    rax.set_yticks(ys, right_labels)
    rax.tick_params(labelsize=7.5, length=0)
    rax.spines["right"].set_visible(False)
    energy = f"{number(e.energy_kwh)} kWh"
    if e.energy_interval is not None:
        energy += f" (90 %: {number(e.energy_interval.p5)}–{number(e.energy_interval.p95)})"
    fig.suptitle(f"{e.hardware.name}, {number(e.accelerator_hours)} accelerator-hours, "
                 f"{e.grid.name} ({e.grid.zone}), preset {e.preset.name}\n"
                 f"electricity {energy}", fontsize=9)
    return fig


# --------------------------------------------------------------------------------------------
# public: write files


def fig_cards(cards_df: pd.DataFrame, trend: pd.DataFrame | None = None, *,
              out_dir: str | Path, formats: Iterable[str] = ("png", "svg"),
              name: str = "cards") -> list[Path]:
    """Card production per criterion vs release date (log y, fit line) → ``out_dir/name.*``.

    ``trend``: trends.csv-shaped rows (criterion, growth_per_year, ci_low, ci_high,
    doubling_months; scenario ``cards`` if present) for the annotation; the line is refitted.
    """
    return save_figure(cards_figure(cards_df, trend), out_dir, name, formats)


def fig_systems(systems_df: pd.DataFrame, trends_df: pd.DataFrame | None = None, *,
                out_dir: str | Path, formats: Iterable[str] = ("png", "svg"),
                name: str = "systems") -> list[Path]:
    """Energy and every criterion per system vs publication date (baseline) with fit + 95 % band."""
    return save_figure(systems_figure(systems_df, trends_df), out_dir, name, formats)


def fig_scenarios(systems_df: pd.DataFrame, trends_df: pd.DataFrame | None = None, *,
                  out_dir: str | Path, formats: Iterable[str] = ("png", "svg"),
                  name: str = "scenarios") -> list[Path]:
    """Baseline, location-shift, efficient-hardware and both: fits overlaid per criterion."""
    return save_figure(scenarios_figure(systems_df, trends_df), out_dir, name, formats)


def fig_share(systems_df: pd.DataFrame, *, out_dir: str | Path,
              formats: Iterable[str] = ("png", "svg"), name: str = "share") -> list[Path]:
    """Production vs use share of GWP (and ADPe, PE) per system over time."""
    return save_figure(share_figure(systems_df), out_dir, name, formats)


def fig_rebound(rebound_df: pd.DataFrame, *, out_dir: str | Path,
                formats: Iterable[str] = ("png", "svg"), name: str = "rebound") -> list[Path]:
    """Growth per year of compute, efficiency and energy with 95 % CI whiskers (log scale)."""
    return save_figure(rebound_figure(rebound_df), out_dir, name, formats)


def fig_estimate(estimate: Estimate, path: str | Path) -> Path:
    """Stages of one estimate per criterion → ``path`` (.png, .svg or .pdf by its extension)."""
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise OutputError(f"{p}: unknown figure type '{p.suffix or '(none)'}'; "
                          f"use one of {', '.join(FORMATS)}")
    return save(p, render(estimate_figure(estimate), p.suffix))
