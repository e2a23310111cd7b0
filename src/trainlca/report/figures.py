"""Figures of the study and of one estimate (matplotlib, Agg, imported inside functions only).

Every ``*_figure`` builder takes DataFrames shaped as in ``docs/study-outputs.md`` (or an
:class:`~trainlca.api.Estimate`) and returns a matplotlib Figure; :func:`render_formats` lays it
out once and renders it to every format asked (PNG for the report, SVG for papers). The study
draws its figures through one path, :func:`render_study_figures`, whose bytes are both written
to ``figures/`` and inlined in ``report.html``.

Print-safe: log y axes wherever a fit is exponential (every trend panel), units on every axis,
a colour-blind-safe palette (Okabe & Ito 2008) and, for greyscale print, series that also
differ by marker, line style or hatch. Fit annotations sit in the panel titles and legends below
the panels, never over the data. Fits that should not be read as trends
(:func:`trainlca.trends.fit_flags`) are drawn grey and dashed and say why. Figures are built on
:class:`matplotlib.figure.Figure` directly, never through pyplot, so no GUI backend is ever
touched. Text uses Unicode super- and subscripts (10⁻⁴, CO₂), never mathtext, which is both
slower and, for numbers, easy to get wrong ("10^-4").
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, ParamSpec

import numpy as np

from trainlca.report.files import OutputError, check_dir, save

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from trainlca.api import Estimate
    from trainlca.trends import TrendFit

P = ParamSpec("P")

#: Okabe-Ito colour-blind-safe palette.
OKABE_ITO: Final[dict[str, str]] = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
#: Colour of fits flagged by :func:`trainlca.trends.fit_flags`.
FLAGGED_GREY: Final[str] = "#8c8c8c"

#: Display style of each scenario: colour, line style, marker, line width (distinct in greyscale
#: too; widths decrease so that a dashed line drawn over a coinciding solid one leaves both
#: visible).
SCENARIO_STYLE: Final[dict[str, dict[str, Any]]] = {
    "baseline": {"color": OKABE_ITO["blue"], "ls": "-", "marker": "o", "lw": 2.6},
    "location-shift": {"color": OKABE_ITO["green"], "ls": (0, (5, 2.5)), "marker": "s",
                       "lw": 2.0},
    "efficient-hardware": {"color": OKABE_ITO["vermillion"], "ls": (0, (6, 2, 1.5, 2)),
                           "marker": "^", "lw": 1.6},
    "both": {"color": OKABE_ITO["purple"], "ls": (0, (1.5, 1.5)), "marker": "D", "lw": 1.4},
}

#: Marker and colour per accelerator class of the catalogue (``type``); anything else: "other".
ACCELERATOR_STYLE: Final[dict[str, tuple[str, str, str]]] = {
    "GPU": ("o", OKABE_ITO["blue"], "GPU"),
    "TPU": ("s", OKABE_ITO["green"], "TPU"),
    "ASIC": ("^", OKABE_ITO["vermillion"], "other ASIC"),
    "WSE": ("D", OKABE_ITO["purple"], "wafer-scale engine"),
    "other": ("P", OKABE_ITO["black"], "other"),
}

#: Axis labels with units.
AXIS_LABEL: Final[dict[str, str]] = {
    "energy": "Electricity (kWh)",
    "gwp": "GWP (kgCO₂eq)",
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
#: Column of systems.csv per trend quantity.
COLUMN: Final[dict[str, str]] = {"energy": "energy_kwh", "gwp": "gwp", "adpe": "adpe",
                                 "pe": "pe", "wu": "wu"}

FORMATS: Final[tuple[str, ...]] = (".png", ".svg", ".pdf")
#: Formats of the study's ``figures/`` (PNG for screens and the report, SVG for papers).
STUDY_FORMATS: Final[tuple[str, ...]] = ("png", "svg")
DPI: Final[int] = 150

_RC: Final[dict[str, Any]] = {
    "font.size": 9,
    "axes.titlesize": 9.5,
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

_SUPERSCRIPT: Final[dict[int, int]] = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


# --------------------------------------------------------------------------------------------
# helpers: styling, rendering, numbers


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


def _metadata(fmt: str) -> dict[str, Any]:
    """Metadata without dates or versions, so that the same figure gives the same bytes."""
    return {"png": {"Software": None}, "svg": {"Date": None},
            "pdf": {"CreationDate": None, "ModDate": None}}.get(fmt, {})


def render(fig: Figure, fmt: str = "png") -> bytes:
    """The figure as PNG, SVG or PDF bytes (deterministic metadata)."""
    return render_formats(fig, (fmt,))[fmt.lstrip(".").lower()]


def render_formats(fig: Figure, formats: Iterable[str]) -> dict[str, bytes]:
    """The figure in every format, laid out once: the constrained layout runs on the first
    render and is then frozen, so the next formats only draw (the layout is in inches and
    points, the same at any resolution). Returns ``{format: bytes}`` (format without a dot)."""
    import matplotlib

    out: dict[str, bytes] = {}
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        for f in formats:
            fmt = f.lstrip(".").lower()
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=DPI, metadata=_metadata(fmt), facecolor="white")
            out[fmt] = buf.getvalue()
            fig.set_layout_engine("none")
    return out


def save_figure(fig: Figure, out_dir: str | Path, name: str,
                formats: Iterable[str] = STUDY_FORMATS) -> list[Path]:
    """Write ``out_dir/name.<fmt>`` for every format; returns the paths."""
    d = check_dir(out_dir)
    exts = ["." + f.lstrip(".").lower() for f in formats]
    for ext in exts:
        if ext not in FORMATS:
            raise OutputError(f"unknown figure format '{ext[1:]}'; use one of "
                              f"{', '.join(FORMATS)}")
    data = render_formats(fig, exts)
    return [save(d / f"{name}{ext}", data[ext[1:]]) for ext in exts]


def superscripts(text: str) -> str:
    """``1.2×10^-4`` → ``1.2×10⁻⁴`` (plain-text powers of ten as Unicode superscripts)."""
    return re.sub(r"10\^(-?\d+)", lambda m: "10" + m.group(1).translate(_SUPERSCRIPT), text)


def number(x: float, digits: int = 3) -> str:
    """A number for a figure: ``digits`` significant digits, thousands separated, powers of ten
    as superscripts (``3.47×10⁻⁴``); ``inf``/``nan`` spelt out."""
    if not math.isfinite(x):
        return "n/a" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    from trainlca.report.statement import number as plain

    return superscripts(plain(x, digits=digits))


def _power_label(v: float, _pos: Any = None) -> str:
    """Tick label of a decade: ``10⁻³``, ``10⁰``, ``10⁸`` (empty between decades)."""
    if not (v > 0 and math.isfinite(v)):
        return ""
    e = round(math.log10(v))
    if abs(math.log10(v) - e) > 1e-9:
        return ""
    return "10" + str(e).translate(_SUPERSCRIPT)


def _decimal_years(values: Any) -> np.ndarray:
    """Decimal years from ISO dates (or numbers already in years), as the study computes them
    (:func:`trainlca.epoch.schema.decimal_year`)."""
    import pandas as pd

    from trainlca.epoch.schema import decimal_year

    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s):
        return np.asarray(s, dtype=np.float64)
    return np.asarray(decimal_year(pd.to_datetime(s, errors="coerce")).astype("float64"),
                      dtype=np.float64)


def years(df: pd.DataFrame) -> np.ndarray:
    """Each row's decimal publication year (its ``year`` column, else from its date)."""
    if "year" in df.columns:
        y = np.asarray(df["year"], dtype=np.float64)
        if np.isfinite(y).any():
            return y
    return _decimal_years(df["publication_date"])


def growth_text(g: float, lo: float = math.nan, hi: float = math.nan, *,
                months: bool = True, ci: bool = True) -> str:
    """``×2.41/yr [2.06–2.83], doubles in 9 mo`` (or ``halves in …`` for a decline; ``no fit``
    when g is not finite)."""
    if not (math.isfinite(g) and g > 0):
        return "no fit"
    text = f"×{_g2(g)}/yr"
    if ci and math.isfinite(lo) and math.isfinite(hi):
        text += f" [{_g2(lo)}–{_g2(hi)}]"
    if months and g != 1.0:
        m = 12.0 * math.log10(2.0) / abs(math.log10(g))
        if math.isfinite(m) and m < 1200:
            text += f", {'doubles' if g > 1 else 'halves'} in {m:.0f} mo"
    return text


def _g2(v: float) -> str:
    """A growth factor: 2 decimals, 3 significant digits below 0.1, powers of ten above 1000."""
    if not math.isfinite(v):
        return "∞" if v > 0 else "n/a"
    if v >= 1000 or (0 < v < 0.1):
        return number(v, 3)
    return f"{v:.2f}"


@dataclass(frozen=True)
class FitSummary:
    """What a panel says about its fit: growth per year and its 95 % CI, and the flags of
    :func:`trainlca.trends.fit_flags` that grey it."""

    growth: float
    ci_low: float
    ci_high: float
    flags: tuple[str, ...]

    @property
    def text(self) -> str:
        return growth_text(self.growth, self.ci_low, self.ci_high)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def title_line(self) -> str:
        """One line for a good fit; a flagged one drops the doubling time and says why on a
        second line."""
        if not self.flags:
            return self.text
        return (growth_text(self.growth, self.ci_low, self.ci_high, months=False)
                + "\nflagged: " + "; ".join(self.flags))


def _summary(fit: TrendFit, row: Mapping[str, float] | None) -> FitSummary:
    """Growth text and flags of a fit, with the numbers of its trends.csv row when given."""
    from trainlca.trends import fit_flags

    r = dict(row or {})
    g = r.get("growth_per_year", fit.growth_per_year)
    lo, hi = r.get("ci_low", fit.ci_low), r.get("ci_high", fit.ci_high)
    return FitSummary(g, lo, hi, fit_flags(r.get("r2", fit.r2), r.get("n", fit.n), lo, hi))


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
    return {k: float(r[k]) for k in ("growth_per_year", "ci_low", "ci_high", "r2", "n")
            if k in r.index and not _isnan(r[k])}


def _isnan(x: Any) -> bool:
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def _fit(x: np.ndarray, y: np.ndarray) -> TrendFit:
    from trainlca.trends import fit_log_trend

    return fit_log_trend(x, y)


def _draw_fit(ax: Axes, fit: TrendFit, *, color: str, ls: Any = "-", lw: float = 1.8,
              band: bool = True, label: str | None = None, marker: str | None = None,
              mark_offset: int = 0, flagged: bool = False, alpha: float = 1.0) -> None:
    """The fitted line over the fit's period (and its 95 % band); nothing without a fit.
    A flagged fit is grey and dashed; predictions that overflow a float are not drawn."""
    if not math.isfinite(fit.slope):
        return
    lo, hi = fit.period
    xs = np.linspace(lo, hi, 100)
    with np.errstate(over="ignore", invalid="ignore"):
        pred = fit.predict(xs)
    ok = np.isfinite(pred.fit) & (pred.fit > 0)
    if not ok.any():
        return
    if flagged:
        color, ls = FLAGGED_GREY, (0, (4, 2))
    ax.plot(xs[ok], pred.fit[ok], color=color, ls=ls, lw=lw, label=label, marker=marker,
            markevery=(mark_offset, 20), ms=4.5, mfc="white", mew=1.1, alpha=alpha)
    okb = ok & np.isfinite(pred.low) & np.isfinite(pred.high) & (pred.low > 0)
    if band and okb.any():
        ax.fill_between(xs[okb], pred.low[okb], pred.high[okb], color=color,
                        alpha=0.12 * alpha, lw=0)


def _log_y(ax: Axes) -> None:
    """Log y axis labelled 10ⁿ; within less than two decades, plain numbers at 1-2-5 (or
    finer) steps and a "log scale" note, so a narrow log axis is not mistaken for a linear one.
    Call after the data are drawn."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    if not (lo > 0 and math.isfinite(hi) and hi > lo):
        return
    ratio = hi / lo
    if ratio < 100:
        subs = ((1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0) if ratio < 3 else
                (1.0, 2.0, 3.0, 5.0) if ratio < 12 else (1.0, 2.0, 5.0))
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v, digits=2)))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylabel(ax.get_ylabel() + ", log scale")
        return
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=7))
    ax.yaxis.set_major_formatter(FuncFormatter(_power_label))
    ax.yaxis.set_minor_formatter(NullFormatter())
    if ratio > 1e5:  # eight minor ticks per decade over many decades are noise (and slow)
        ax.yaxis.set_minor_locator(NullLocator())


def _title(ax: Axes, title: str, summary: FitSummary | None) -> None:
    """Panel title, with the fit's growth on a second, smaller line (grey when flagged)."""
    lines = 0 if summary is None else summary.title_line.count("\n") + 1
    ax.set_title(title, loc="center", y=1.0, pad=4 + 10 * lines)
    if summary is not None:
        ax.annotate(summary.title_line, (0.5, 1.0), xycoords="axes fraction",
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=7.5, color=FLAGGED_GREY if summary.flagged else "#333333")


def _legend_below(fig: Figure, handles: Sequence[Any], labels: Sequence[str],
                  ncol: int | None = None) -> None:
    if handles:
        fig.legend(handles, labels, loc="outside lower center",
                   ncol=ncol or min(len(handles), 4), frameon=False)


def _legend_off_data(fig: Figure, axes: Sequence[Axes], used: int, handles: Sequence[Any],
                     labels: Sequence[str]) -> None:
    """The legend in the first spare cell of the grid (one column), else below the panels."""
    if len(axes) > used:
        spare = axes[used]
        spare.set_visible(True)
        spare.set_axis_off()
        spare.legend(handles, labels, loc="center", frameon=False, handlelength=3.2)
    else:
        _legend_below(fig, handles, labels)


def _year_axis(ax: Axes, label: str = "Publication date (year)") -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=7))
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}")
    ax.set_xlabel(label)


def _positive(values: Any) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(a > 0, a, np.nan)


def _criteria_present(df: pd.DataFrame, wanted: Sequence[str]) -> list[str]:
    return [c for c in wanted if c in df.columns
            and np.isfinite(_positive(df[c])).sum() >= 2]


def _baseline(systems: pd.DataFrame) -> pd.DataFrame:
    if "scenario" in systems.columns:
        return systems[systems["scenario"] == "baseline"]
    return systems


def _grid(fig: Figure, n: int, cols: int) -> list[Axes]:
    """``n`` panels on a grid of ``cols`` columns; the spare cells are hidden."""
    rows = max(math.ceil(n / cols), 1)
    axes = list(fig.subplots(rows, cols, squeeze=False).ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes


def _marker_handle(marker: str, color: str, hollow: bool = False, ls: Any = "none",
                   lw: float = 0.0) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], marker=marker, ls=ls, lw=lw, ms=6, mec=color,
                  mfc="none" if hollow else color, mew=1.0, color=color)


# --------------------------------------------------------------------------------------------
# the study's figures


def _card_window(cards: pd.DataFrame, snapshot: str | None) -> tuple[pd.DataFrame, int]:
    """Cards released up to the data snapshot (all when unknown), and how many were left out."""
    if not snapshot or "release_date" not in cards.columns:
        return cards, 0
    import pandas as pd

    released = pd.to_datetime(cards["release_date"].astype(str), errors="coerce")
    keep = ~(released > pd.Timestamp(snapshot))
    return cards[keep.to_numpy()], int((~keep).sum())


@_styled
def cards_figure(cards: pd.DataFrame, fit_since: float = 2013.0,
                 snapshot: str | None = None) -> Figure:
    """Production impact of one card per criterion vs release date, log y, with the fit.

    Cards released after ``snapshot`` (the Epoch file's newest publication date, ISO) are left
    out, so the figure covers the period of the study. Markers and colours per accelerator
    class, hollow where the die area is imputed. The fit (line, band, title line) uses the GPUs
    released from ``fit_since`` on, the subset of ``trainlca.cards.card_trend`` (the seed study
    is about graphics cards)."""
    shown, later = _card_window(cards, snapshot)
    crits = _criteria_present(shown, ("gwp", "adpe", "pe", "wu"))
    n = max(len(crits), 1)
    cols = 2 if n == 4 else n
    fig = _figure(3.7 * cols, 3.3 * math.ceil(n / cols) + 0.5)
    axes = _grid(fig, n, cols)
    x = (_decimal_years(shown["release_date"]) if "release_date" in shown.columns
         else np.full(len(shown), np.nan))
    imputed = (np.asarray(shown["die_area_imputed"], dtype=bool)
               if "die_area_imputed" in shown.columns else np.zeros(len(shown), dtype=bool))
    kinds = (shown["type"].fillna("other").astype(str).str.upper().to_numpy()
             if "type" in shown.columns else np.array(["GPU"] * len(shown)))
    kinds = np.where(np.isin(kinds, list(ACCELERATOR_STYLE)), kinds, "other")
    present = [k for k in ACCELERATOR_STYLE if (kinds == k).any()]
    for ax, c in zip(axes, crits, strict=False):
        y = _positive(shown[c])
        for kind in present:
            marker, color, _ = ACCELERATOR_STYLE[kind]
            for imp in (False, True):
                m = (kinds == kind) & (imputed == imp)
                if m.any():
                    ax.scatter(x[m], y[m], marker=marker, s=24, linewidths=0.9,
                               facecolors="none" if imp else color, edgecolors=color,
                               alpha=0.9)
        sel = (kinds == "GPU") & (x >= fit_since)
        fit = _fit(x[sel], y[sel])
        summary = _summary(fit, None)
        _draw_fit(ax, fit, color=OKABE_ITO["black"], flagged=summary.flagged)
        ax.set_ylabel(AXIS_LABEL[c] + " per card")
        _log_y(ax)
        _title(ax, TITLE[c], summary)
        _year_axis(ax, "Release date (year)")
    handles = [_marker_handle(ACCELERATOR_STYLE[k][0], ACCELERATOR_STYLE[k][1])
               for k in present]
    labels = [ACCELERATOR_STYLE[k][2] for k in present]
    if imputed.any():
        handles.append(_marker_handle("o", "#555555", hollow=True))
        labels.append("hollow: die area imputed")
    handles.append(_marker_handle("", OKABE_ITO["black"], ls="-", lw=1.8))
    labels.append(f"exponential fit, GPUs from {fit_since:.0f} (band: 95 % CI)")
    _legend_below(fig, handles, labels, ncol=min(len(handles), 4))
    window = f"released up to the data snapshot ({snapshot})" if snapshot else "all releases"
    if later:
        window += f"; {later} later card{'s' if later > 1 else ''} not shown"
    fig.suptitle(f"Production impacts of one accelerator card\n{window}")
    return fig


@_styled
def systems_figure(systems: pd.DataFrame, trends: pd.DataFrame | None = None) -> Figure:
    """Energy and each criterion per system vs publication date (baseline), log y, fit + band.

    Filled markers: hours reported by Epoch; hollow: hours derived from the training compute.
    The growth in each title comes from ``trends`` (trends.csv) when given, else from the fit.
    """
    base = _baseline(systems)
    crits = _criteria_present(base, [COLUMN[q] for q in ("energy", "gwp", "adpe", "pe", "wu")])
    n = max(len(crits), 1)
    cols = 3 if n > 4 else 2 if n > 1 else 1
    fig = _figure(3.6 * cols, 3.0 * math.ceil(n / cols) + 0.6)
    axes = _grid(fig, n, cols)
    x = years(base)
    from_compute = (np.asarray(base["flag_hours_from_compute"], dtype=bool)
                    if "flag_hours_from_compute" in base.columns
                    else np.zeros(len(base), dtype=bool))
    flagged = False
    for ax, col in zip(axes, crits, strict=False):
        c = "energy" if col == "energy_kwh" else col
        y = _positive(base[col])
        ax.scatter(x[~from_compute], y[~from_compute], s=14, marker="o",
                   color=OKABE_ITO["blue"], alpha=0.75, lw=0)
        ax.scatter(x[from_compute], y[from_compute], s=16, marker="^", facecolors="none",
                   edgecolors=OKABE_ITO["orange"], lw=0.9)
        fit = _fit(x, y)
        summary = _summary(fit, _trend_row(trends, c))
        flagged |= summary.flagged
        _draw_fit(ax, fit, color=OKABE_ITO["black"], flagged=summary.flagged)
        ax.set_ylabel(AXIS_LABEL[c])
        _log_y(ax)
        _title(ax, TITLE[c], summary)
        _year_axis(ax)
    handles = [_marker_handle("o", OKABE_ITO["blue"]),
               _marker_handle("^", OKABE_ITO["orange"], hollow=True),
               _marker_handle("", OKABE_ITO["black"], ls="-", lw=1.8)]
    labels = ["hours reported", "hours from compute", "exponential fit (band: 95 % CI)"]
    if flagged:
        handles.append(_marker_handle("", FLAGGED_GREY, ls=(0, (4, 2)), lw=1.8))
        labels.append("flagged fit (see its title)")
    _legend_off_data(fig, axes, len(crits), handles, labels)
    fig.suptitle("Training runs of notable ML systems (baseline: organisation's grid)")
    return fig


def _coincides(a: TrendFit, b: TrendFit) -> str:
    """``"="`` when two fits are the same line (within 10⁻⁹ decade), ``"≈"`` when they would
    be drawn on top of each other (slopes within 0.002 decade/yr and lines within 5 % at mid
    period), else ``""``."""
    if not (math.isfinite(a.slope) and math.isfinite(b.slope)):
        return ""
    mid = (a.period[0] + a.period[1]) / 2.0
    gap = abs((a.intercept + a.slope * mid) - (b.intercept + b.slope * mid))
    slope = abs(a.slope - b.slope)
    if slope < 1e-9 and gap < 1e-9:
        return "="
    return "≈" if slope < 2e-3 and gap < math.log10(1.05) else ""


#: Short scenario names for "same line as" notes.
_SHORT_SCENARIO: Final[dict[str, str]] = {"baseline": "baseline", "location-shift": "location",
                                          "efficient-hardware": "efficient hw", "both": "both"}


def _scenario_panel(ax: Axes, systems: pd.DataFrame, trends: pd.DataFrame | None, q: str,
                    scenarios: Sequence[str]) -> None:
    """One criterion: baseline points (grey), every scenario's fit (style per scenario), and
    beside the axes the growth of each, in the scenario's colour, "= s" where fits coincide.
    Flagged fits keep their style (so they stay apart) but are faded, and the panel says why."""
    col = COLUMN[q]
    fits: dict[str, TrendFit] = {}
    for s in scenarios:
        sub = systems[systems["scenario"] == s] if "scenario" in systems.columns else systems
        x, y = years(sub), _positive(sub[col])
        if s == scenarios[0]:
            ax.scatter(x, y, s=5, color="#b3b3b3", lw=0, zorder=1)
        fits[s] = _fit(x, y)
    lines: list[tuple[str, str, float]] = []
    flags: dict[str, None] = {}
    for i, s in enumerate(scenarios):
        st = SCENARIO_STYLE[s]
        summary = _summary(fits[s], _trend_row(trends, q, s))
        alpha = 0.45 if summary.flagged else 1.0
        _draw_fit(ax, fits[s], color=st["color"], ls=st["ls"], lw=st["lw"],
                  marker=st["marker"], mark_offset=5 * i, alpha=alpha)
        same = next(((t, how) for t in scenarios[:i] if (how := _coincides(fits[t], fits[s]))),
                    None)
        text = growth_text(summary.growth, summary.ci_low, summary.ci_high, months=False)
        if same:
            text += f"  ({same[1]} {_SHORT_SCENARIO.get(same[0], same[0])})"
        flags.update(dict.fromkeys(summary.flags))
        lines.append((text + (" *" if summary.flagged else ""), st["color"], alpha))
    ax.set_ylabel(AXIS_LABEL[q])
    _log_y(ax)
    ax.set_title(TITLE[q], y=1.0)
    _year_axis(ax)
    for i, (text, color, alpha) in enumerate(lines):
        ax.annotate(text, (1.03, 0.96 - 0.12 * i), xycoords="axes fraction", ha="left",
                    va="top", fontsize=7.5, color=color, alpha=max(alpha, 0.7))
    if flags:
        ax.annotate("* flagged, faded:\n" + "; ".join(flags), (1.03, 0.96 - 0.12 * len(lines)),
                    xycoords="axes fraction", ha="left", va="top", fontsize=7,
                    color=FLAGGED_GREY)


@_styled
def scenarios_figure(systems: pd.DataFrame, trends: pd.DataFrame | None = None,
                     criteria: Sequence[str] = ("energy", "gwp", "adpe", "pe", "wu")) -> Figure:
    """Every scenario's fit per criterion (energy and the four criteria, water included): one
    panel per criterion, colour, dash pattern and markers per scenario so that coinciding fits
    stay visible (and are named as such), growth rates beside each panel, legend below."""
    qs = [q for q in criteria if COLUMN[q] in systems.columns]
    scenarios = [s for s in SCENARIO_STYLE if "scenario" in systems.columns
                 and (systems["scenario"] == s).any()] or ["baseline"]
    n = max(len(qs), 1)
    cols = 2 if n > 1 else 1
    fig = _figure(5.6 * cols, 2.9 * math.ceil(n / cols) + 0.6)
    axes = _grid(fig, n, cols)
    for ax, q in zip(axes, qs, strict=False):
        _scenario_panel(ax, systems, trends, q, scenarios)
    handles = [_marker_handle(SCENARIO_STYLE[s]["marker"], SCENARIO_STYLE[s]["color"],
                              hollow=True, ls=SCENARIO_STYLE[s]["ls"], lw=SCENARIO_STYLE[s]["lw"])
               for s in scenarios]
    from matplotlib.patches import Patch

    handles += [_marker_handle("o", "#b3b3b3"), Patch(color=FLAGGED_GREY, alpha=0.25)]
    labels = [*scenarios, "systems (baseline)", "95 % CI bands"]
    _legend_off_data(fig, axes, len(qs), handles, labels)
    fig.suptitle("Reduction scenarios: exponential fit per scenario (growth per year, 95 % CI)")
    return fig


@_styled
def share_figure(systems: pd.DataFrame) -> Figure:
    """Share of production (accelerators + hosts) in each system's total, per criterion."""
    base = _baseline(systems)
    crits = [c for c in ("gwp", "adpe", "pe")
             if f"{c}_production" in base.columns and c in base.columns]
    fig = _figure(3.4 * max(len(crits), 1), 3.2)
    axes = fig.subplots(1, max(len(crits), 1), squeeze=False)[0]
    x = years(base)
    for ax, c in zip(axes, crits, strict=False):
        tot = _positive(base[c])
        share = 100.0 * np.asarray(base[f"{c}_production"], dtype=np.float64) / tot
        ok = np.isfinite(share) & np.isfinite(x)
        ax.scatter(x[ok], share[ok], s=12, marker="o", color=OKABE_ITO["orange"], alpha=0.6,
                   lw=0)
        if ok.sum() >= 3:
            whole = np.floor(x[ok])
            uy = np.unique(whole)
            med = [np.median(share[ok][whole == u]) for u in uy]
            ax.plot(uy + 0.5, med, color=OKABE_ITO["black"], ls="--", marker="s", ms=3.5,
                    lw=1.4)
        ax.set_ylim(0, 100)
        ax.set_ylabel(f"Production share of {SHORT[c]} (%)")
        ax.set_title(TITLE[c], y=1.0)
        _year_axis(ax)
    _legend_below(fig, [_marker_handle("o", OKABE_ITO["orange"]),
                        _marker_handle("s", OKABE_ITO["black"], ls="--", lw=1.4)],
                  ["system", "median per year"])
    fig.suptitle("Hardware production vs electricity: production share of each run's impact "
                 "(rest = use)")
    return fig


_REBOUND_LABEL: Final[dict[str, str]] = {"compute": "Training compute (FLOP)",
                                         "efficiency": "Hardware efficiency (FLOP/J)",
                                         "energy": "Training energy (kWh)"}
_REBOUND_STYLE: Final[dict[str, tuple[str, str]]] = {
    "compute": (OKABE_ITO["blue"], ""), "efficiency": (OKABE_ITO["green"], "///"),
    "energy": (OKABE_ITO["vermillion"], "..")}
_GROWTH_TICKS: Final[tuple[float, ...]] = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
                                           1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def _rebound_bar(ax: Axes, y: float, term: str, r: Any) -> tuple[float, float, str]:
    """One term's bar from ×1 to its growth, with 95 % whiskers; returns the x span it needs
    and its label (NaN growth: no bar, "no fit")."""
    from trainlca.trends import fit_flags

    g = float(r["growth_per_year"])
    lo, hi = float(r.get("ci_low", math.nan)), float(r.get("ci_high", math.nan))
    flags = fit_flags(float(r.get("r2", 1.0)), float(r.get("n", 100)), lo, hi)
    color, hatch = _REBOUND_STYLE.get(term, (OKABE_ITO["black"], ""))
    if not (math.isfinite(g) and g > 0):
        return 1.0, 1.0, "no fit"
    if flags:
        color = FLAGGED_GREY
    ax.barh(y, g - 1.0, left=1.0, height=0.55, color=color, alpha=0.85, hatch=hatch,
            edgecolor="black", lw=0.6)
    span = [g, 1.0]
    if math.isfinite(lo) and math.isfinite(hi) and lo > 0:
        ax.errorbar(g, y, xerr=[[g - lo], [hi - g]], fmt="none", ecolor="black", capsize=4,
                    lw=1.1)
        span += [lo, hi]
    text = growth_text(g, lo, hi) + ("\nflagged: " + "; ".join(flags) if flags else "")
    return min(span), max(span), text


@_styled
def rebound_figure(rebound: pd.DataFrame) -> Figure:
    """Growth per year of compute, hardware efficiency and energy, 95 % CI whiskers, log x;
    bars start at ×1, so a decline (growth < 1) points left. Labels sit right of the axes."""
    order = [t for t in ("compute", "efficiency", "energy") if t in set(rebound["term"])]
    fig = _figure(7.6, 0.8 * len(order) + 1.6)
    ax = fig.subplots()
    ys = np.arange(len(order))[::-1]
    xmin, xmax = 1.0, 1.0
    growth: dict[str, float] = {}
    for y, term in zip(ys, order, strict=True):
        r = rebound[rebound["term"] == term].iloc[0]
        growth[term] = float(r["growth_per_year"])
        lo, hi, text = _rebound_bar(ax, float(y), term, r)
        xmin, xmax = min(xmin, lo), max(xmax, hi)
        ax.annotate(text, (1.02, float(y)), xycoords=("axes fraction", "data"), va="center",
                    fontsize=8, color="black" if "flagged" not in text else FLAGGED_GREY)
    if {"compute", "efficiency", "energy"} <= set(growth):
        implied = growth["compute"] / growth["efficiency"]
        if math.isfinite(implied) and implied > 0:
            ax.plot(implied, ys[order.index("energy")], marker="D", color="black", ms=6,
                    ls="none", label=f"compute ÷ efficiency = ×{_g2(implied)}/yr")
            xmin, xmax = min(xmin, implied), max(xmax, implied)
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    _rebound_axis(ax, order, ys, xmin, xmax)
    fig.suptitle("Rebound: energy growth ≈ compute growth ÷ hardware-efficiency growth",
                 fontsize=9.5)
    return fig


def _rebound_axis(ax: Axes, order: Sequence[str], ys: np.ndarray, xmin: float,
                  xmax: float) -> None:
    """Log x from below the smallest bar or whisker to past the largest, ticks ×1-2-5 (×1.5
    too over a short span)."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    lo, hi = min(0.9, xmin / 1.2), max(xmax * 1.2, 1.2)
    ticks = [t for t in _GROWTH_TICKS if lo <= t <= hi]
    if hi / lo < 30:
        ticks = sorted({*ticks, *(t for t in (0.7, 1.5, 3.0) if lo <= t <= hi)})
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(lambda v, _pos: f"×{v:g}")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_yticks(ys, [_REBOUND_LABEL.get(t, t) for t in order])
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_xlabel("Growth factor per year (log scale; 1 = no growth; whiskers = 95 % CI)")
    ax.grid(axis="y", visible=False)


# --------------------------------------------------------------------------------------------
# one estimate


def _stage_bars(ax: Axes, e: Estimate, ys: np.ndarray) -> None:
    """Left panel: share of each stage in each criterion's total (stacked, %)."""
    from trainlca.criteria import CRITERIA, STAGE_LABELS, STAGES

    colours = {"production_accelerator": OKABE_ITO["orange"],
               "production_host": OKABE_ITO["sky"], "use": OKABE_ITO["blue"]}
    hatches = {"production_accelerator": "///", "production_host": "...", "use": ""}
    for y, c in zip(ys, CRITERIA, strict=True):
        total = e.impacts[c]["total"]
        left = 0.0
        for s in STAGES:
            v = e.impacts[c][s]
            share = 0.0 if (v is None or math.isnan(v) or not total > 0) else 100.0 * v / total
            ax.barh(y, share, left=left, height=0.6, color=colours[s], hatch=hatches[s],
                    edgecolor="black", lw=0.5, label=STAGE_LABELS[s] if y == ys[0] else None)
            if share >= 12:
                ax.text(left + share / 2, y, f"{share:.0f} %", ha="center", va="center",
                        fontsize=7.5, color="white" if s == "use" else "black",
                        bbox=None if s == "use" else
                        {"facecolor": "white", "edgecolor": "none", "pad": 1.0})
            left += share
    ax.set_yticks(ys, [c.upper() for c in CRITERIA])
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("Share of the total impact (%)")
    ax.grid(axis="y", visible=False)


def _total_label(e: Estimate, c: str, with_interval: bool) -> str:
    from trainlca.criteria import UNITS

    unit = UNITS[c].replace("CO2", "CO₂")
    label = f"{number(e.impacts[c]['total'])} {unit}"
    iv = e.intervals.get(c, {}).get("total")
    if with_interval and iv is not None:
        label += f"\n90 %: {number(iv.p5)}–{number(iv.p95)}"
    nc_acc = math.isnan(e.impacts[c]["production_accelerator"])
    nc_host = math.isnan(e.impacts[c]["production_host"])
    if nc_acc or nc_host:
        label += ("\n(production not covered)" if nc_acc and nc_host else
                  "\n(host production not covered)" if nc_host else
                  "\n(accelerator production not covered)")
    return label


def _interval_panel(bx: Axes, e: Estimate, ys: np.ndarray) -> None:
    """Right panel with draws: median and 90 % interval of each total ÷ its point value (log
    x), labelled with the totals."""
    from trainlca.criteria import CRITERIA

    for y, c in zip(ys, CRITERIA, strict=True):
        total = e.impacts[c]["total"]
        iv = e.intervals.get(c, {}).get("total")
        if iv is not None and total > 0:
            lo, mid, hi = iv.p5 / total, iv.p50 / total, iv.p95 / total
            bx.errorbar(mid, y, xerr=[[mid - lo], [hi - mid]], fmt="o", color="black",
                        ms=3.5, capsize=4, lw=1.2)
    bx.set_xscale("log")
    bx.set_xlim(0.25, 4.0)
    bx.axvline(1.0, color="grey", lw=0.8, ls="--")
    bx.set_xticks([0.25, 0.5, 1, 2, 4], ["¼", "½", "1", "2", "4"])
    bx.minorticks_off()
    bx.set_xlabel("Total ÷ point value\n(median, 90 % interval)")
    bx.grid(axis="y", visible=False)
    bx.tick_params(axis="y", left=False, labelleft=False)
    rax = bx.secondary_yaxis("right")
    rax.set_yticks(ys, [_total_label(e, c, True) for c in CRITERIA])
    rax.tick_params(labelsize=7.5, length=0)
    rax.spines["right"].set_visible(False)


def _point_panel(bx: Axes, e: Estimate, ys: np.ndarray) -> None:
    """Right panel without draws: the point totals, and why there is no interval."""
    from trainlca.criteria import CRITERIA

    bx.set_axis_off()
    for y, c in zip(ys, CRITERIA, strict=True):
        bx.text(0.04, y, _total_label(e, c, False), va="center", ha="left", fontsize=8.5,
                transform=bx.get_yaxis_transform())
    bx.set_title("Point values (0 draws: no interval;\nuse --draws N for 90 % intervals)",
                 fontsize=8, color="#555555")


@_styled
def estimate_figure(e: Estimate) -> Figure:
    """One run: share of each stage per criterion (stacked bars, left) and, right, the 90 %
    interval of each total relative to its point value (whiskers on a log axis, labelled with
    the totals), or the point totals alone when the estimate has no Monte Carlo draws."""
    from trainlca.criteria import CRITERIA

    fig = _figure(8.4, 3.7)
    ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3.0, 1.4]}, sharey=True)
    ys = np.arange(len(CRITERIA))[::-1]
    _stage_bars(ax, e, ys)
    fig.get_layout_engine().set(wspace=0.06)  # type: ignore[union-attr, call-arg]
    fig.legend(loc="outside lower center", ncol=3, frameon=False)
    if any(e.intervals.get(c, {}).get("total") is not None for c in CRITERIA):
        _interval_panel(bx, e, ys)
    else:
        _point_panel(bx, e, ys)
    energy = f"{number(e.energy_kwh)} kWh"
    if e.energy_interval is not None:
        energy += f" (90 %: {number(e.energy_interval.p5)}–{number(e.energy_interval.p95)})"
    fig.suptitle(f"{e.hardware.name}, {number(e.accelerator_hours)} accelerator-hours, "
                 f"{e.grid.name} ({e.grid.zone}), preset {e.preset.name}\n"
                 f"electricity {energy}", fontsize=9)
    return fig


# --------------------------------------------------------------------------------------------
# the study's figures as one set: the single render path of figures/ and report.html


@dataclass(frozen=True)
class StudyTables:
    """What the study's figures are drawn from (picklable: it crosses to a second process).

    ``snapshot``: the Epoch file's newest publication date (ISO), bounding the card window.
    """

    systems: pd.DataFrame | None
    trends: pd.DataFrame | None
    rebound: pd.DataFrame | None
    cards: pd.DataFrame | None
    snapshot: str | None = None


def _rows(df: pd.DataFrame | None) -> bool:
    return df is not None and len(df) > 0


#: The study's figures in report order: name (file stem) → alt text.
STUDY_FIGURES: Final[dict[str, str]] = {
    "systems": "Impacts per system vs publication date",
    "scenarios": "Scenario fits per criterion",
    "share": "Production share of each run's impact",
    "rebound": "Rebound decomposition",
    "cards": "Production impacts of one accelerator card",
}


def study_figure_names(t: StudyTables) -> list[str]:
    """The figures the tables allow, in report order (e.g. no scenarios figure without
    scenarios)."""
    names = []
    s = t.systems
    if s is not None and len(s) > 0:
        names.append("systems")
        if "scenario" in s.columns and s["scenario"].nunique() > 1:
            names.append("scenarios")
        if "gwp_production" in s.columns:
            names.append("share")
    if _rows(t.rebound):
        names.append("rebound")
    if _rows(t.cards):
        names.append("cards")
    return names


def study_figure(name: str, t: StudyTables) -> Figure:
    """Build one of :data:`STUDY_FIGURES` from the tables (not rendered)."""
    builders: dict[str, Callable[[], Figure]] = {
        "systems": lambda: systems_figure(_need(t.systems), t.trends),
        "scenarios": lambda: scenarios_figure(_need(t.systems), t.trends),
        "share": lambda: share_figure(_need(t.systems)),
        "rebound": lambda: rebound_figure(_need(t.rebound)),
        "cards": lambda: cards_figure(_need(t.cards), snapshot=t.snapshot),
    }
    return builders[name]()


def _need(df: pd.DataFrame | None) -> pd.DataFrame:
    if df is None:
        raise AssertionError("figure asked for a table the study does not have")
    return df


def render_study_figures(t: StudyTables, names: Sequence[str],
                         formats: Sequence[str] = STUDY_FORMATS) -> dict[str, dict[str, bytes]]:
    """Build and render the named study figures: ``{name: {format: bytes}}``. Each figure is
    laid out once for all formats. A top-level function of plain data, so that a second
    process can run it on part of the names."""
    return {name: render_formats(study_figure(name, t), formats) for name in names}


# --------------------------------------------------------------------------------------------
# public: write files


def fig_cards(cards_df: pd.DataFrame, *, out_dir: str | Path,
              formats: Iterable[str] = STUDY_FORMATS, name: str = "cards",
              snapshot: str | None = None) -> list[Path]:
    """Card production per criterion vs release date (log y, fit line) → ``out_dir/name.*``;
    cards released after ``snapshot`` (ISO date) are left out."""
    return save_figure(cards_figure(cards_df, snapshot=snapshot), out_dir, name, formats)


def fig_systems(systems_df: pd.DataFrame, trends_df: pd.DataFrame | None = None, *,
                out_dir: str | Path, formats: Iterable[str] = STUDY_FORMATS,
                name: str = "systems") -> list[Path]:
    """Energy and every criterion per system vs publication date (baseline) with fit + 95 % band."""
    return save_figure(systems_figure(systems_df, trends_df), out_dir, name, formats)


def fig_scenarios(systems_df: pd.DataFrame, trends_df: pd.DataFrame | None = None, *,
                  out_dir: str | Path, formats: Iterable[str] = STUDY_FORMATS,
                  name: str = "scenarios") -> list[Path]:
    """Baseline, location-shift, efficient-hardware and both: fits overlaid per criterion."""
    return save_figure(scenarios_figure(systems_df, trends_df), out_dir, name, formats)


def fig_share(systems_df: pd.DataFrame, *, out_dir: str | Path,
              formats: Iterable[str] = STUDY_FORMATS, name: str = "share") -> list[Path]:
    """Production vs use share of GWP (and ADPe, PE) per system over time."""
    return save_figure(share_figure(systems_df), out_dir, name, formats)


def fig_rebound(rebound_df: pd.DataFrame, *, out_dir: str | Path,
                formats: Iterable[str] = STUDY_FORMATS, name: str = "rebound") -> list[Path]:
    """Growth per year of compute, efficiency and energy with 95 % CI whiskers (log scale)."""
    return save_figure(rebound_figure(rebound_df), out_dir, name, formats)


def fig_estimate(estimate: Estimate, path: str | Path) -> Path:
    """Stages of one estimate per criterion → ``path`` (.png, .svg or .pdf by its extension)."""
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise OutputError(f"{p}: unknown figure type '{p.suffix or '(none)'}'; "
                          f"use one of {', '.join(FORMATS)}")
    return save(p, render(estimate_figure(estimate), p.suffix))
