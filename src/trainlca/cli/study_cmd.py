"""``trainlca study``: the whole study on an Epoch AI dataset, written to a directory."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from trainlca.cli import cli
from trainlca.cli.options import (
    console,
    draws_option,
    finite,
    grid_option,
    parse_sets,
    preset_option,
    seed_option,
    server_option,
    set_option,
)
from trainlca.errors import OutputError, TrainLCAError
from trainlca.params import DEVELOPMENT_GUIDANCE
from trainlca.report.study_files import OUTPUT_SET, PLOTTING_MODULES, write_study

if TYPE_CHECKING:
    from trainlca.study import StudyResult
    from trainlca.worker import Worker

def _check_out_dir(out_dir: str, force: bool) -> Path:
    """The study's folder (:func:`trainlca.io.check_folder`), the error naming --out."""
    from trainlca.io import check_folder

    try:
        return check_folder(out_dir, force=force, holds=OUTPUT_SET)
    except OutputError as exc:
        raise TrainLCAError(f"--out {exc}") from None


def _fmt_growth(row: Any) -> str:
    if not math.isfinite(row["growth_per_year"]):
        return "n/a"
    s = f"×{row['growth_per_year']:.2f}/yr ({row['ci_low']:.2f}–{row['ci_high']:.2f})"
    if "mc_ci_low" in row and isinstance(row["mc_ci_low"], float) and math.isfinite(
            row["mc_ci_low"]):
        s += f" [MC {row['mc_ci_low']:.2f}–{row['mc_ci_high']:.2f}]"
    return s


def print_summary(result: StudyResult, out: Path) -> None:
    from rich.table import Table

    con = console()
    m = result.meta
    con.print(f"[bold]{m['systems_assessed']}[/bold] systems assessed "
              f"({m['window']['start_year']:g}–{m['window']['end_year'] or 'latest'}), "
              f"Epoch file {m['epoch']['snapshot_date']} (sha256 {m['epoch']['sha256'][:12]}…); "
              f"preset {m['preset']}, {m['draws']} draws")
    skipped = ", ".join(f"{k}: {v}" for k, v in m["skipped"].items())
    con.print(f"skipped: {skipped or 'none'}")
    flags = ", ".join(f"{k.removeprefix('flag_')}: {v}" for k, v in m["flags"].items() if v)
    con.print(f"imputed/flagged: {flags or 'none'}")
    t = Table(title="Growth per year of training impacts (95 % CI; [MC] with parameter "
              "uncertainty)", title_justify="left")
    t.add_column("criterion")
    scen = list(dict.fromkeys(result.trends["scenario"]))
    for s in scen:
        t.add_column(s, justify="right")
    tr = result.trends[result.trends["domain"] == "all"]
    for q in dict.fromkeys(tr["criterion"]):
        cells = []
        for s in scen:
            r = tr[(tr["criterion"] == q) & (tr["scenario"] == s)]
            cells.append(_fmt_growth(r.iloc[0]) if len(r) else "")
        t.add_row(q, *cells)
    con.print(t)
    rb = {r["term"]: r for _, r in result.rebound.iterrows()}
    con.print("rebound: compute " + _fmt_growth(rb["compute"]) + ", hardware efficiency "
              + _fmt_growth(rb["efficiency"]) + ", energy " + _fmt_growth(rb["energy"]))
    if result.card_trend is not None:
        con.print(result.card_trend.line("gwp"))
    con.print(f"written to {out}/: " + ", ".join(sorted(p.name for p in out.iterdir()
                                                        if not p.name.startswith("."))))


@cli.command()
@click.option("--data", "data_path", type=click.Path(dir_okay=False),
              help="Epoch AI notable-models CSV (default: download from epoch.ai into a cache).")
@click.option("--out", "out_dir", default="trainlca-study", show_default=True,
              type=click.Path(file_okay=False), help="Output directory.")
@preset_option
@set_option
@grid_option
@draws_option(2000, "shared across systems")
@seed_option
@server_option
@click.option("--start-year", default=2013.0, show_default=True, type=float, callback=finite,
              help="First publication year of the window.")
@click.option("--end-year", default=None, type=float, callback=finite,
              help="Last publication year (default: latest).")
@click.option("--impute-hardware", is_flag=True,
              help="Give rows with compute but no hardware the most common chip of their year.")
@click.option("--development-factor", type=float, default=DEVELOPMENT_GUIDANCE,
              show_default=True, callback=finite, metavar="F",
              help="Whole development per final run, for systems.csv's *_whole_development "
              "columns (OLMo 2's; Olmo 3 reports 5.6). Other results stay at the final run.")
@click.option("--offline", is_flag=True, help="Never download; use the cache or --data.")
@click.option("--no-figures", is_flag=True, help="Skip figures and the HTML report.")
@click.option("--boamps", is_flag=True,
              help="Also write boamps/: a BoAmps report per system (and index.csv).")
@click.option("--force", is_flag=True, help="Replace results already in --out.")
def study(data_path: str | None, out_dir: str, preset: str, sets: tuple[str, ...],
          grid_path: str | None, draws: int, seed: int | None, server: str | None,
          start_year: float,
          end_year: float | None, impute_hardware: bool, development_factor: float,
          offline: bool, no_figures: bool, boamps: bool, force: bool) -> None:
    """The whole study on Epoch AI's notable models: impacts, trends, scenarios, rebound.

    \b
    Writes systems.csv, trends.csv, rebound.csv, cards.csv, skipped.csv, study.json,
    figures and report.html into --out (see docs/study-outputs.md); with --boamps, a BoAmps
    report per system in boamps/.
    """
    from contextlib import nullcontext

    from trainlca.worker import Worker, cpus

    # The second process starts first: its imports overlap everything until the Monte Carlo
    # (which it halves) and the figures (its share); a refused option stops it at once. On
    # one CPU it would only compete.
    wanted = cpus() >= 2 and (draws > 0 or not no_figures)
    preload = () if no_figures else PLOTTING_MODULES
    with Worker(preload=preload) if wanted else nullcontext() as worker:
        result, out = _study(data_path, out_dir, preset, sets, grid_path, draws, seed, server,
                             start_year, end_year, impute_hardware, development_factor, offline,
                             no_figures, boamps, force, worker)
    print_summary(result, out)


def _study(data_path: str | None, out_dir: str, preset: str, sets: tuple[str, ...],
           grid_path: str | None, draws: int, seed: int | None, server: str | None,
           start_year: float, end_year: float | None, impute_hardware: bool,
           development_factor: float, offline: bool, no_figures: bool, boamps: bool,
           force: bool, worker: Worker | None) -> tuple[StudyResult, Path]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from trainlca.epoch import load_epoch
    from trainlca.presets import get_preset
    from trainlca.study import check_development, run_study
    from trainlca.uncertainty import DEFAULT_SEED, check_draws, check_seed

    check_draws(draws)
    get_preset(preset)
    overrides = parse_sets(sets)
    development = check_development(development_factor, overrides)
    out = _check_out_dir(out_dir, force)
    seed = DEFAULT_SEED if seed is None else check_seed(seed)
    steps = 14 + (0 if no_figures else 1)
    data = load_epoch(data_path, offline=offline)  # before the bar: a download error is one line
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console(), transient=True) as bar:
        task = bar.add_task("loaded Epoch data", total=steps)

        def advance(msg: str) -> None:
            bar.update(task, advance=1, description=msg)

        advance("loaded Epoch data")
        result = run_study(data, preset=preset, overrides=overrides, draws=draws, seed=seed,
                           start_year=start_year, end_year=end_year,
                           impute_hardware=impute_hardware, grid=grid_path, server=server,
                           development_factor=development, progress=advance, helper=worker)
        advance("writing outputs" + ("" if no_figures else ", figures and report"))
        write_study(result, out, figures=not no_figures, worker=worker if not no_figures else None,
                    boamps=boamps)
        bar.update(task, completed=steps)
    return result, out
