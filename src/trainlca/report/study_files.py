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
from collections.abc import Mapping, Sequence
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any, Final

from trainlca.errors import OutputError
from trainlca.worker import Rendered, Worker, cpus

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
        plan = _FigurePlan(result, meta, worker) if figures else None
        _write_tables(result, meta, tmp)
        if boamps:
            _write_boamps(result, meta, tmp)
        if plan is not None:
            _write_figures(result, meta, tmp, plan.finish())
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
    """The study's figures, split between this process and ``worker``: the worker's share is
    submitted at once (:meth:`__init__`), this process renders its own in :meth:`finish`
    (after writing the tables, whose cost the split accounts for)."""

    def __init__(self, result: StudyResult, meta: Mapping[str, Any],
                 worker: Worker | None) -> None:
        from trainlca.report.figures import StudyTables, study_figure_names

        epoch = meta.get("epoch") or {}
        self.tables = StudyTables(result.systems, result.trends, result.rebound, result.cards,
                                  epoch.get("snapshot_date"))
        self.names = study_figure_names(self.tables)
        self.worker = worker
        self.mine, self.theirs = list(self.names), list[str]()
        if worker is not None:
            own_delay = _TABLE_ROW_COST * len(result.systems)
            n = int((result.systems["scenario"] == "baseline").sum()) if "scenario" in \
                result.systems.columns else len(result.systems)
            self.mine, self.theirs = _split(self.names, _WORKER_READY, own_start=own_delay,
                                            systems=n)
            if self.theirs:
                worker.submit(self.tables, self.theirs)

    def finish(self) -> Rendered:
        from trainlca.report.figures import render_study_figures

        if self.worker is None:
            return render_figures(self.tables, self.names)
        done = render_study_figures(self.tables, self.mine)
        remote = self.worker.result() if self.theirs else {}
        if remote is None or set(remote) != set(self.theirs):  # it failed: render them here
            remote = render_study_figures(self.tables, self.theirs)
        return {n: (done | remote)[n] for n in self.names}


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
    from trainlca.report.figures import render_study_figures

    if parallel is None:
        parallel = worker is not None or cpus() >= 2
    head_start = _WORKER_START if worker is None else _WORKER_READY
    mine, theirs = _split(names, head_start) if parallel else (list(names), [])
    if not theirs:
        return render_study_figures(tables, mine)
    own = worker is None
    w = Worker() if own else worker
    assert w is not None
    try:
        w.submit(tables, theirs)
        done = render_study_figures(tables, mine)
        remote = w.result()
    finally:
        if own:
            w.close()
    if remote is None or set(remote) != set(theirs):  # it failed: render its share here
        remote = render_study_figures(tables, theirs)
    return {n: (done | remote)[n] for n in names}


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


# --------------------------------------------------------------------------------------------
# metadata fit to share


def public_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The study's metadata fit to share: the Epoch file named by its file name (its sha256
    is beside it) unless it is a URL, and any other absolute local path replaced by its file
    name; everything else unchanged."""
    out = {k: _public(v) for k, v in meta.items()}
    epoch = out.get("epoch")
    if isinstance(epoch, dict) and isinstance(epoch.get("source"), str) \
            and "://" not in epoch["source"]:
        epoch["source"] = _file_name(epoch["source"])
    return out


def _file_name(path: str) -> str:
    return PureWindowsPath(path).name if "\\" in path else Path(path).name


def _public(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {k: _public(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_public(x) for x in v]
    if isinstance(v, str) and _is_local_path(v):
        return _file_name(v)
    return v


def _is_local_path(s: str) -> bool:
    """An absolute path of this machine: ``/…``, ``~/…``, ``C:\\…`` or ``file:…`` (one line)."""
    return (s.startswith(("/", "~/", "file:")) or PureWindowsPath(s).drive != "") \
        and "\n" not in s


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
