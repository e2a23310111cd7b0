"""``trainlca estimate``: one training run → impacts per criterion and stage, with intervals."""

from __future__ import annotations

from dataclasses import dataclass
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
    resolve_seed,
    seed_option,
    server_option,
    set_option,
    warn,
)
from trainlca.cli.output import to_csv, to_json
from trainlca.criteria import CRITERIA, STAGES, UNITS
from trainlca.errors import ParameterError
from trainlca.projects import ProjectEstimate

if TYPE_CHECKING:
    from trainlca.api import Estimate
    from trainlca.catalog import Catalog

FORMATS = ("table", "json", "csv", "boamps", "hf-card")
STATEMENTS = ("md", "latex", "ai-act")
CSV_COLUMNS = ("quantity", "stage", "unit", "value", "p5", "p50", "p95", "schema_version",
               "trainlca_version")


@dataclass(frozen=True)
class _Args:
    """The command's options, as parsed."""

    hardware: str | None
    count: float | None
    hours: float | None
    accelerator_hours: float | None
    flop: float | None
    parameters: float | None
    tokens: float | None
    mfu: float | None
    precision: str
    country: str
    country_given: bool
    precision_given: bool
    preset: str
    sets: tuple[str, ...]
    grid_path: str | None
    draws: int
    seed: int | None
    sensitivity: bool
    no_host: bool
    codecarbon_csv: tuple[str, ...]
    same_machine: bool
    slurm_file: str | None
    runs_file: str | None
    boamps_file: str | None
    server: str | None
    catalog_file: str | None
    chip: str | None
    plot_path: str | None
    statement_fmt: str | None
    force: bool
    fmt: str
    verbose: bool
    quiet: bool


@cli.command()
@click.option("--hardware", "-H", help="Accelerator name or alias (see `trainlca hardware`).")
@click.option("--count", "-n", type=float, callback=finite,
              help="Number of accelerators (with --hours; beside --accelerator-hours or --flop "
              "it fills reports such as BoAmps).")
@click.option("--hours", type=float, callback=finite,
              help="Wall-clock hours of the run (with --count).")
@click.option("--accelerator-hours", type=float, callback=finite,
              help="Accelerator-hours (chips × hours).")
@click.option("--flop", type=float, callback=finite,
              help="Training compute, FLOP (hours derived from peak × MFU).")
@click.option("--parameters", type=float, callback=finite, metavar="N",
              help="Before training: the model's parameters (active ones for a mixture of "
              "experts); with --tokens, compute = 6 × N × tokens FLOP.")
@click.option("--tokens", type=float, callback=finite, metavar="D",
              help="Training tokens, with --parameters.")
@click.option("--mfu", type=float, callback=finite,
              help="Model FLOP utilisation for --flop (default: params mfu).")
@click.option("--precision", default="bf16", show_default=True,
              type=click.Choice(["fp32", "tf32", "fp16", "bf16", "fp8"]),
              help="Numerical precision of the run, for --flop.")
@click.option("--country", "-c", default="WOR", show_default=True,
              help="Training location: ISO-3 code or country name; WOR = world average.")
@preset_option
@set_option
@grid_option
@draws_option(2000, "for the 90 % intervals")
@seed_option
@click.option("--sensitivity", is_flag=True, help="Rank the parameters that drive the spread.")
@click.option("--no-host", is_flag=True,
              help="Leave the host servers out (their production and power).")
@click.option("--from-codecarbon", "codecarbon_csv", multiple=True, metavar="PATH",
              help="CodeCarbon emissions.csv file(s), a folder or - (repeatable): the measured "
              "energy and accelerator-hours of one run (last cumulative row per run_id; "
              "resumed runs summed; concurrent machine-mode trackers counted once; separate "
              "files = separate machines). The chip comes from gpu_model unless -H.")
@click.option("--same-machine", is_flag=True,
              help="With --from-codecarbon: the files come from one machine (not summed).")
@click.option("--from-slurm", "slurm_file", metavar="FILE",
              help="sacct --parsable2 output (one job or many, - = stdin): accelerator-hours per "
              "job and GPU type; -H for jobs whose gres names no type. Gives the project's "
              "total and a table per job.")
@click.option("--runs", "runs_file", type=click.Path(dir_okay=False), metavar="CSV",
              help="A CSV of runs (hardware,count,hours,country; or accelerator_hours, flop, "
              "parameters and tokens, mfu, energy_kwh, label): the total with its interval "
              "and a table per run.")
@click.option("--from-boamps", "boamps_file", type=click.Path(dir_okay=False), metavar="JSON",
              help="A BoAmps report (e.g. written by CodeCarbon): its measured energy, "
              "hardware and duration.")
@server_option
@click.option("--catalog", "catalog_file", type=click.Path(dir_okay=False), metavar="CSV",
              help="Your accelerator catalogue (our catalogue's columns), merged over ours.")
@click.option("--chip", metavar="SPEC",
              help="An unlisted chip inline, e.g. name=MyChip,tdp_w=350,die_area_mm2=600,"
              "memory_gb=48,memory_type=GDDR6 (then -H is optional).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write a figure of the stages (.png, .svg or .pdf).")
@click.option("--statement", "statement_fmt", type=click.Choice(STATEMENTS),
              help="Print a paragraph for a paper (Markdown or LaTeX), or the training-energy "
              "items of the EU AI Act's model documentation (ai-act), instead of the table.")
@click.option("--force", is_flag=True, help="Overwrite an existing --plot file.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True, help="Output format: a table, JSON, CSV, a BoAmps report "
              "(boamps) or a Hugging Face model-card block (hf-card).")
@click.option("--verbose", "-v", is_flag=True,
              help="Show every note and the source of every value.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the result (table, JSON or CSV) or the error.")
@click.pass_context
def estimate(ctx: click.Context, /, **kw: Any) -> None:
    """Life-cycle impacts of one training run, with 90 % intervals.

    \b
    Examples:
      trainlca estimate -H "A100 SXM4 80 GB" -n 384 --hours 2820 -c FRA
      trainlca estimate -H H100 --flop 3.8e25 --mfu 0.4 -c USA --format json
      trainlca estimate -H H100 -n 1024 --parameters 7e10 --tokens 1.5e13 -c USA
      trainlca estimate -H H100 --from-codecarbon emissions.csv --statement latex
      trainlca estimate -H H100 -n 8 --hours 24 --plot run.png
      trainlca estimate -H H100 -n 512 --hours 720 -c USA --format boamps
      trainlca estimate -H H100 -n 512 --hours 720 -c USA --format hf-card
      trainlca estimate -H H100 -n 512 --hours 720 -c USA --statement ai-act
      trainlca estimate --from-codecarbon emissions.csv -c FRA
      trainlca estimate --from-slurm sacct.txt -H A100 -c FRA
      trainlca estimate --runs runs.csv --format json
      trainlca estimate --chip name=MyChip,tdp_w=350,die_area_mm2=600,memory_gb=48 -n 8 --hours 100
      trainlca estimate -H H100 -n 64 --hours 100 --server hgx-h100
    """
    src = ctx.get_parameter_source
    args = _Args(**kw,
                 country_given=src("country") is not click.core.ParameterSource.DEFAULT,
                 precision_given=src("precision") is not click.core.ParameterSource.DEFAULT)
    warnings = _check(args)
    e = _run(args, warnings)
    for w in warnings:  # only once the run is valid: an error stays one line
        if not args.quiet:
            warn(w)
    _emit(e, args)


def _check(a: _Args) -> list[str]:
    """Reject what cannot work (before computing anything); return the warnings about what has
    no effect."""
    out: list[str] = []
    from trainlca.uncertainty import check_draws

    check_draws(a.draws)
    sources = [flag for flag, v in (("--from-codecarbon", a.codecarbon_csv),
                                    ("--from-slurm", a.slurm_file), ("--runs", a.runs_file),
                                    ("--from-boamps", a.boamps_file)) if v]
    if len(sources) > 1:
        raise ParameterError(f"give one source of runs, not {' and '.join(sources)}")
    if a.hardware is None and not sources and not a.chip:
        raise ParameterError("give the accelerator with --hardware/-H (see `trainlca "
                             "hardware`), or --chip for an unlisted one")
    if sources:
        given = [flag for flag, v in (("--hours", a.hours), ("--accelerator-hours",
                 a.accelerator_hours), ("--flop", a.flop), ("--mfu", a.mfu),
                 ("--parameters", a.parameters), ("--tokens", a.tokens)) if v is not None]
        if given:
            raise ParameterError(f"{sources[0]} describes the run(s); drop {', '.join(given)}")
    if (a.slurm_file or a.runs_file) and (a.fmt in ("boamps", "hf-card") or a.statement_fmt
                                          or a.plot_path is not None or a.sensitivity):
        raise ParameterError(f"{sources[0]} gives a project total: use --format table, json "
                             "or csv (no --statement, --plot, --sensitivity or boamps/hf-card)")
    if a.same_machine and not a.codecarbon_csv:
        out.append("--same-machine has no effect without --from-codecarbon")
    if a.sensitivity and a.draws < 50:
        raise ParameterError("--sensitivity needs --draws ≥ 50")
    if a.statement_fmt and a.fmt != "table":
        raise ParameterError("--statement prints a paragraph; it does not combine with --format")
    by_compute = a.flop is not None or a.parameters is not None or a.tokens is not None
    if not by_compute and a.mfu is not None:
        out.append("--mfu has no effect without --flop (or --parameters and --tokens)")
    if not by_compute and a.precision_given:
        out.append("--precision has no effect without --flop (or --parameters and --tokens)")
    if a.sensitivity and (a.fmt == "csv" or a.statement_fmt):
        out.append("--sensitivity is shown in the table and in --format json only")
    if a.verbose and (a.fmt != "table" or a.statement_fmt):
        out.append("--verbose changes the table only (JSON always holds every note and source)")
    if a.force and a.plot_path is None:
        out.append("--force has no effect without --plot")
    if a.plot_path is not None:
        from trainlca.io import check_output
        from trainlca.report.figures import FORMATS as FIGURE_FORMATS

        check_output(a.plot_path, force=a.force, suffixes=FIGURE_FORMATS)
    return out


def _catalog(a: _Args) -> Catalog:
    """Our catalogue, with the user's CSV and inline chip merged over it."""
    from trainlca.catalog import load_catalog, parse_chip_spec

    cat = load_catalog(user=a.catalog_file) if a.catalog_file else load_catalog()
    if a.chip:
        cat = cat.merged([parse_chip_spec(a.chip)])
    return cat


def _hardware(a: _Args) -> str | None:
    if a.hardware is None and a.chip:
        from trainlca.catalog import parse_chip_spec

        return parse_chip_spec(a.chip).name
    return a.hardware


def _common(a: _Args) -> dict[str, Any]:
    return {"preset": a.preset, "overrides": parse_sets(a.sets), "draws": a.draws,
            "seed": resolve_seed(a.seed), "grid": a.grid_path}


def _run(a: _Args, warnings: list[str]) -> Estimate | ProjectEstimate:
    from trainlca.api import estimate as run_estimate

    cat = _catalog(a)
    hardware = _hardware(a)
    common = _common(a)
    country = a.country if a.country_given else None
    if a.slurm_file or a.runs_file:
        return _project(a, cat, hardware, common, country)
    common.update(with_sensitivity=a.sensitivity, include_host=not a.no_host, server=a.server)
    measured = a.codecarbon_csv or a.boamps_file
    energy_params = {"pue", "power_fraction", "host_power_ratio", "host_power_w",
                     "dynamic_ratio"} & set(common["overrides"])
    if measured and energy_params:
        warnings.append(f"--set {', '.join(sorted(energy_params))} has no effect on a measured "
                        "energy")
    if a.codecarbon_csv:
        from trainlca.codecarbon import estimate_from_codecarbon

        return estimate_from_codecarbon(list(a.codecarbon_csv), hardware, count=a.count,
                                        country=country, same_machine=a.same_machine,
                                        catalog=cat, **common)
    if a.boamps_file:
        return _from_boamps(a.boamps_file, hardware, country, cat, common)
    assert hardware is not None
    return run_estimate(hardware, count=a.count, hours=a.hours,
                        accelerator_hours=a.accelerator_hours, flop=a.flop, mfu=a.mfu,
                        parameters=a.parameters, tokens=a.tokens,
                        precision=a.precision, country=a.country, catalog=cat, **common)


def _from_boamps(path: str, hardware: str | None, country: str | None, cat: Catalog,
                 common: dict[str, Any]) -> Estimate:
    from trainlca.api import estimate as run_estimate
    from trainlca.report.boamps import read_boamps

    run = read_boamps(path)
    chip = hardware or run.hardware
    if not chip:
        raise ParameterError(f"{path}: the BoAmps report names no accelerator; give -H NAME")
    if run.accelerator_hours is None:
        raise ParameterError(f"{path}: the BoAmps report gives no duration or accelerator "
                             "count; its accelerator-hours are unknown")
    return run_estimate(chip, count=run.accelerator_count, hours=run.duration_h,
                        measured_energy_kwh=run.energy_kwh,
                        country=country or run.country or "WOR", catalog=cat, **common)


def _project(a: _Args, cat: Catalog, hardware: str | None, common: dict[str, Any],
             country: str | None) -> ProjectEstimate:
    from trainlca.projects import estimate_runs

    if a.slurm_file:
        from trainlca.inputs.slurm import read_sacct

        runs = read_sacct(a.slurm_file)
    else:
        from trainlca.inputs.runs_csv import read_runs_csv

        assert a.runs_file is not None
        runs = read_runs_csv(a.runs_file, catalog=cat)
    return estimate_runs(runs, hardware=hardware, country=country, catalog=cat,
                         precision=a.precision, **common)


def _emit(e: Estimate | ProjectEstimate, a: _Args) -> None:
    if isinstance(e, ProjectEstimate):
        _emit_project(e, a)
        return
    if a.plot_path is not None:
        from trainlca.report.figures import fig_estimate

        fig_estimate(e, a.plot_path)
        if not a.quiet:
            click.echo(f"trainlca: wrote {a.plot_path}", err=True)
    if a.statement_fmt == "ai-act":
        from trainlca.report.ai_act import ai_act

        click.echo(ai_act(e.to_dict()), nl=False)
    elif a.statement_fmt:
        from trainlca.report.statement import statement

        click.echo(statement(e, a.statement_fmt), nl=False)
    elif a.fmt == "json":
        click.echo(to_json(e.to_dict()))
    elif a.fmt == "boamps":
        from trainlca.report.boamps import to_boamps

        count = int(a.count) if a.count is not None and a.count == int(a.count) else None
        click.echo(to_json(to_boamps(e.to_dict(), count=count)))
    elif a.fmt == "hf-card":
        from trainlca.report.hf_card import hf_card

        click.echo(hf_card(e.to_dict()), nl=False)
    elif a.fmt == "csv":
        click.echo(to_csv(csv_rows(e), CSV_COLUMNS), nl=False)
    else:
        from trainlca.cli.estimate_view import print_estimate

        print_estimate(console(), e, verbose=a.verbose, sensitivity=a.sensitivity,
                       quiet=a.quiet)


def _emit_project(pe: ProjectEstimate, a: _Args) -> None:
    if a.fmt == "json":
        click.echo(to_json(pe.to_dict()))
    elif a.fmt == "csv":
        from trainlca import SCHEMA_VERSION, __version__

        rows = [{**r.to_dict(), "schema_version": SCHEMA_VERSION,
                 "trainlca_version": __version__} for r in pe.runs]
        cols = ["label", "hardware", "country", "state", "accelerator_hours", "energy_kwh",
                "energy_measured", *CRITERIA, "schema_version", "trainlca_version"]
        click.echo(to_csv(rows, cols), nl=False)
    else:
        from trainlca.cli.estimate_view import print_project

        print_project(console(), pe, verbose=a.verbose, quiet=a.quiet)


def csv_rows(e: Estimate) -> list[dict[str, Any]]:
    """One row per quantity and stage, with the same intervals as the JSON."""
    from trainlca import SCHEMA_VERSION, __version__

    ei = e.energy_interval
    rows: list[dict[str, Any]] = [{
        "quantity": "energy", "stage": "use", "unit": "kWh", "value": e.energy_kwh,
        "p5": ei.p5 if ei else None, "p50": ei.p50 if ei else None,
        "p95": ei.p95 if ei else None}]
    for c in CRITERIA:
        for stage in (*STAGES, "production", "total"):
            iv = e.intervals.get(c, {}).get(stage)
            rows.append({"quantity": c, "stage": stage, "unit": UNITS[c],
                         "value": e.impacts[c][stage],
                         "p5": iv.p5 if iv else None, "p50": iv.p50 if iv else None,
                         "p95": iv.p95 if iv else None})
    for r in rows:
        r.update(schema_version=SCHEMA_VERSION, trainlca_version=__version__)
    return rows
