"""The files of ``trainlca study --out DIR``: tables, metadata, figures and the report.

:func:`write_study` writes everything into a temporary sibling of ``DIR`` and then moves the
files in, so a failure leaves ``DIR`` as it was. Figures are built and rendered once
(:func:`trainlca.report.figures.render_study_figures`): the same PNG bytes go to
``figures/*.png`` and into ``report.html``, beside an SVG of each for papers. They are rendered
on two cores: a second process (:class:`Worker`, a fresh interpreter, safe whatever
threads the caller runs and whatever its main module does) draws part of them while this one
draws the rest.

No absolute local path reaches an output: the Epoch file is named by its file name and sha256
(:func:`public_meta`), as the report shows it.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from trainlca.errors import OutputError
from trainlca.report.public import public_meta
from trainlca.worker import Worker, cpus

if TYPE_CHECKING:
    from trainlca.report.figures import StudyTables
    from trainlca.study import StudyResult

#: Relative cost of rendering each figure (PNG + SVG, measured), to share them between cores.
_COST: Final[dict[str, float]] = {"systems": 1.2, "scenarios": 1.05, "cards": 0.9,
                                  "share": 0.5, "rebound": 0.2}
#: What each system beyond the 294 of the measurement adds (measured on the ×30 file: systems
#: 0.89 → 1.23 s, scenarios 0.68 → 0.87 s, share 0.34 → 0.41 s for 8,820 systems).
_COST_PER_SYSTEM: Final[dict[str, float]] = {"systems": 5.3e-5, "scenarios": 3e-5,
                                             "share": 1.1e-5}
#: What starting the second process costs in the same units (a fresh interpreter importing
#: numpy, pandas and matplotlib).
_WORKER_START: Final[float] = 1.0
#: The same for a process started earlier (its imports done): reading its input.
_WORKER_READY: Final[float] = 0.2
#: ``{figure name: {format: bytes}}``, as :func:`trainlca.report.figures.render_study_figures`.
Rendered = dict[str, dict[str, bytes]]
#: The second process's job that renders study figures (``module:function``).
RENDER_FIGURES: Final[str] = "trainlca.report.figures:render_study_figures"
#: What a second process that will render figures imports first (``Worker(preload=...)``).
PLOTTING_MODULES: Final[tuple[str, ...]] = (
    "matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg",
    "trainlca.report.figures")


def write_study(result: StudyResult, out: str | Path, *, figures: bool = True,
                worker: Worker | None = None, boamps: bool = False) -> list[Path]:
    """Write the study's outputs into ``out`` (created if needed); returns the paths written.

    ``systems.csv``, ``trends.csv``, ``rebound.csv``, ``cards.csv``, ``skipped.csv``,
    ``study.json`` and, with ``figures``, ``figures/{systems,scenarios,share,rebound,cards}
    .{png,svg}`` and the self-contained ``report.html`` (see docs/study-outputs.md). Everything
    is written into a temporary sibling folder first, then moved into ``out``: a failure leaves
    ``out`` as it was.

    ``boamps``: also ``boamps/<system>.json``, a BoAmps report per baseline system, and
    ``boamps/index.csv`` (:mod:`trainlca.report.study_boamps`).

    ``worker``: a :class:`Worker` started earlier (its imports then overlap the study);
    by default one is started here when two CPUs are available. The caller closes its own.
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write there: {exc.strerror or exc}") from None
    try:
        meta = public_meta(result.meta)
        # the second process gets its figures first: it renders them while this one writes
        # the tables, then renders its own share
        render = _study_figures(result, meta, worker) if figures else None
        _write_tables(result, meta, tmp)
        if boamps:
            _write_boamps(result, meta, tmp)
        if render is not None:
            _write_figures(result, meta, tmp, render())
        return _move_into(tmp, out)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_tables(result: StudyResult, meta: Mapping[str, Any], tmp: Path) -> None:
    from trainlca.cards import cards_csv

    for name, frame in (("systems", result.systems), ("trends", result.trends),
                        ("rebound", result.rebound), ("skipped", result.skipped)):
        frame_csv(frame, tmp / f"{name}.csv")
    (tmp / "cards.csv").write_text(cards_csv(result.card_rows), encoding="utf-8")
    doc = dict(meta)
    doc["card_trend"] = result.card_trend.to_dict() if result.card_trend else None
    (tmp / "study.json").write_text(json_text(doc), encoding="utf-8")


def frame_csv(frame: Any, path: Path) -> None:
    """A table as CSV: booleans spelled ``true``/``false`` (as in every CSV trainlca writes),
    empty cells for NaN (not covered), and the ``schema_version`` and ``trainlca_version``
    columns last."""
    from trainlca import SCHEMA_VERSION, __version__

    df = frame.copy()
    for col in df.columns:
        if df[col].dtype == bool:
            df[col] = df[col].map({True: "true", False: "false"})
    df["schema_version"] = SCHEMA_VERSION
    df["trainlca_version"] = __version__
    df.to_csv(path, index=False)


#: Every file a study writes: ``--force`` replaces the whole set (a study without figures removes
#: an earlier study's figures and report), and leaves other files of the folder alone.
OUTPUT_SET: tuple[str, ...] = ("systems.csv", "trends.csv", "rebound.csv", "cards.csv",
                               "skipped.csv", "study.json", "figures", "report.html", "boamps")


def _move_into(tmp: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    new = {f.name for f in tmp.iterdir()}
    for name in OUTPUT_SET:
        stale = out / name
        if name not in new and (stale.exists() or stale.is_symlink()):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()
    written = []
    for f in sorted(tmp.iterdir()):
        dest = out / f.name
        if f.is_dir():
            if dest.exists():
                shutil.rmtree(dest)
            f.rename(dest)
        else:
            f.replace(dest)
        written.append(dest)
    return written


def _write_boamps(result: StudyResult, meta: Mapping[str, Any], tmp: Path) -> None:
    import datetime

    from trainlca.report.study_boamps import study_reports

    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    reports, index = study_reports(result, meta, report_datetime=when)
    folder = tmp / "boamps"
    folder.mkdir()
    for name, report in reports.items():
        (folder / name).write_text(json_text(report), encoding="utf-8")
    (folder / "index.csv").write_text(index, encoding="utf-8")


def _write_figures(result: StudyResult, meta: Mapping[str, Any], tmp: Path,
                   rendered: Rendered) -> None:
    """``tmp/figures/*.{png,svg}`` and ``tmp/report.html``, from one render of each figure."""
    from trainlca.report.html import build_report

    figs = tmp / "figures"
    figs.mkdir()
    for name, data in rendered.items():
        for fmt, blob in data.items():
            (figs / f"{name}.{fmt}").write_bytes(blob)
    page = build_report(result.systems, result.trends, result.rebound, result.cards,
                        result.skipped, meta,
                        figures={n: d["png"] for n, d in rendered.items()})
    (tmp / "report.html").write_text(page, encoding="utf-8")


#: What writing the tables costs per row of systems.csv, in the units of ``_COST`` (measured:
#: 1.6 s for 35,000 rows; one unit ≈ 0.75 s).
_TABLE_ROW_COST: Final[float] = 6e-5


class _FigurePlan:
    """Figures split between this process and ``worker``: the worker's share is submitted at
    once, this process renders its own in :meth:`finish`, which also renders the worker's
    share here if the worker failed. The bytes are the same either way."""

    def __init__(self, tables: StudyTables, names: Sequence[str], worker: Worker | None, *,
                 head_start: float = _WORKER_READY, own_start: float = 0.0,
                 systems: int = 294) -> None:
        self.tables, self.names, self.worker = tables, list(names), worker
        self.mine, self.theirs = (
            _split(self.names, head_start, own_start=own_start, systems=systems)
            if worker is not None else (list(self.names), []))
        self.job = worker.call(RENDER_FIGURES, tables, self.theirs) \
            if worker is not None and self.theirs else None

    def finish(self) -> Rendered:
        from trainlca.report.figures import render_study_figures

        done = render_study_figures(self.tables, self.mine)
        remote: Any = {}
        if self.theirs:
            ok, remote = (False, None) if self.worker is None else self.worker.wait(self.job)
            if not ok or not isinstance(remote, dict) or set(remote) != set(self.theirs):
                remote = render_study_figures(self.tables, self.theirs)  # it failed: here
        return {n: (done | remote)[n] for n in self.names}


def _study_figures(result: StudyResult, meta: Mapping[str, Any],
                   worker: Worker | None) -> Callable[[], Rendered]:
    """What renders the study's figures when called. With ``worker``, its share is submitted
    now, before the tables are written (the split counts their cost); without, one is started
    for them at call time when two CPUs are available (:func:`render_figures`)."""
    from trainlca.report.figures import StudyTables, study_figure_names

    epoch = meta.get("epoch") or {}
    tables = StudyTables(result.systems, result.trends, result.rebound, result.cards,
                         epoch.get("snapshot_date"))
    names = study_figure_names(tables)
    if worker is None:
        return lambda: render_figures(tables, names)
    s = result.systems
    systems = int((s["scenario"] == "baseline").sum()) if "scenario" in s.columns else len(s)
    return _FigurePlan(tables, names, worker, own_start=_TABLE_ROW_COST * len(s),
                       systems=systems).finish


# --------------------------------------------------------------------------------------------
# rendering on two cores


def render_figures(tables: StudyTables, names: Sequence[str], *,
                   parallel: bool | None = None,
                   worker: Worker | None = None) -> Rendered:
    """``{name: {"png": bytes, "svg": bytes}}`` for the named study figures.

    With ``parallel`` (default: when this process may use two CPUs or more) a second process
    (``worker``, started here if None) renders the figures :func:`_split` gives it while this
    one renders the others; if that process cannot start or fails, this one renders
    everything. The bytes are the same either way."""
    if parallel is None:
        parallel = worker is not None or cpus() >= 2
    if not parallel:
        return _FigurePlan(tables, names, None).finish()
    if worker is not None:
        return _FigurePlan(tables, names, worker).finish()
    with Worker(preload=PLOTTING_MODULES) as own:
        return _FigurePlan(tables, names, own, head_start=_WORKER_START).finish()


def _split(names: Sequence[str], head_start: float = 0.0, *, own_start: float = 0.0,
           systems: int = 294) -> tuple[list[str], list[str]]:
    """Figures for this process and for the second one, balancing the measured costs for
    ``systems`` systems (the second process starts ``head_start`` behind, this one
    ``own_start``); heaviest first, to the less loaded."""
    mine: list[str] = []
    theirs: list[str] = []
    load = [own_start, head_start]

    def cost(n: str) -> float:
        return _COST.get(n, 1.0) + _COST_PER_SYSTEM.get(n, 0.0) * max(0, systems - 294)

    for n in sorted(names, key=lambda n: -cost(n)):
        k = 0 if load[0] <= load[1] else 1
        (mine, theirs)[k].append(n)
        load[k] += cost(n)
    return mine, theirs


def json_text(obj: Any) -> str:
    """``obj`` as indented JSON: non-finite floats as null, numpy scalars as numbers, dates
    in ISO, anything else as its string."""

    def default(o: Any) -> Any:
        if hasattr(o, "item"):
            return o.item()
        if hasattr(o, "isoformat"):
            return o.isoformat()
        return str(o)

    def clean(o: Any) -> Any:
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, Mapping):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list | tuple):
            return [clean(v) for v in o]
        return o

    return json.dumps(clean(obj), indent=2, default=default, ensure_ascii=False)
