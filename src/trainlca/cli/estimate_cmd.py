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
    set_option,
    warn,
)
from trainlca.cli.output import to_csv, to_json
from trainlca.criteria import CRITERIA, STAGES, UNITS
from trainlca.errors import ParameterError

if TYPE_CHECKING:
    from trainlca.api import Estimate

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
    codecarbon_csv: str | None
    plot_path: str | None
    statement_fmt: str | None
    force: bool
    fmt: str
    verbose: bool
    quiet: bool


@cli.command()
@click.option("--hardware", "-H", help="Accelerator name or alias (see `trainlca hardware`).")
@click.option("--count", "-n", type=float, callback=finite, help="Number of accelerators.")
@click.option("--hours", type=float, callback=finite,
              help="Wall-clock hours of the run (with --count).")
@click.option("--accelerator-hours", type=float, callback=finite,
              help="Accelerator-hours (chips × hours).")
@click.option("--flop", type=float, callback=finite,
              help="Training compute, FLOP (hours derived from peak × MFU).")
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
@click.option("--from-codecarbon", "codecarbon_csv", type=click.Path(dir_okay=False),
              metavar="CSV", help="CodeCarbon emissions.csv: measured energy and duration "
              "(rows summed; --count = accelerators per row if gpu_count is missing).")
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
      trainlca estimate -H H100 --from-codecarbon emissions.csv --statement latex
      trainlca estimate -H H100 -n 8 --hours 24 --plot run.png
      trainlca estimate -H H100 -n 512 --hours 720 -c USA --format boamps
      trainlca estimate -H H100 -n 512 --hours 720 -c USA --format hf-card
      trainlca estimate -H H100 -n 512 --hours 720 -c USA --statement ai-act
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
    if a.hardware is None:
        raise ParameterError("give the accelerator with --hardware/-H (see `trainlca "
                             "hardware`)")
    if a.sensitivity and a.draws < 50:
        raise ParameterError("--sensitivity needs --draws ≥ 50")
    if a.statement_fmt and a.fmt != "table":
        raise ParameterError("--statement prints a paragraph; it does not combine with --format")
    if a.flop is None and a.mfu is not None:
        out.append("--mfu has no effect without --flop")
    if a.flop is None and a.precision_given:
        out.append("--precision has no effect without --flop")
    if a.sensitivity and (a.fmt == "csv" or a.statement_fmt):
        out.append("--sensitivity is shown in the table and in --format json only")
    if a.verbose and (a.fmt != "table" or a.statement_fmt):
        out.append("--verbose changes the table only (JSON always holds every note and source)")
    if a.force and not a.plot_path:
        out.append("--force has no effect without --plot")
    if a.plot_path:
        from trainlca.io import check_output
        from trainlca.report.figures import FORMATS as FIGURE_FORMATS

        check_output(a.plot_path, force=a.force, suffixes=FIGURE_FORMATS)
    return out


def _run(a: _Args, warnings: list[str]) -> Estimate:
    from trainlca.api import estimate as run_estimate

    assert a.hardware is not None
    common: dict[str, Any] = {
        "preset": a.preset, "overrides": parse_sets(a.sets), "draws": a.draws,
        "seed": resolve_seed(a.seed), "grid": a.grid_path,
        "with_sensitivity": a.sensitivity, "include_host": not a.no_host,
    }
    if not a.codecarbon_csv:
        return run_estimate(a.hardware, count=a.count, hours=a.hours,
                            accelerator_hours=a.accelerator_hours, flop=a.flop, mfu=a.mfu,
                            precision=a.precision, country=a.country, **common)
    given = [flag for flag, v in (("--hours", a.hours), ("--accelerator-hours",
             a.accelerator_hours), ("--flop", a.flop), ("--mfu", a.mfu)) if v is not None]
    if given:
        raise ParameterError("--from-codecarbon gives the duration and energy; drop "
                             + ", ".join(given))
    energy_params = {"pue", "power_fraction", "host_power_ratio", "host_power_w",
                     "dynamic_ratio"} & set(common["overrides"])
    if energy_params:
        warnings.append(f"--set {', '.join(sorted(energy_params))} has no effect on a measured "
                        "energy (--from-codecarbon)")
    from trainlca.codecarbon import estimate_from_codecarbon

    return estimate_from_codecarbon(a.codecarbon_csv, a.hardware, count=a.count,
                                    country=a.country if a.country_given else None, **common)


def _emit(e: Estimate, a: _Args) -> None:
    if a.plot_path:
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
