"""``trainlca estimate``: one training run → impacts per criterion and stage, with intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from trainlca.cli import cli
from trainlca.cli.options import (
    console,
    draws_option,
    format_option,
    grid_option,
    parse_sets,
    preset_option,
    resolve_seed,
    seed_option,
    set_option,
)
from trainlca.cli.output import fmt_num, to_csv, to_json
from trainlca.criteria import CRITERIA, STAGE_LABELS, STAGE_SHORT, STAGES, UNITS
from trainlca.errors import ParameterError

if TYPE_CHECKING:
    from trainlca.api import Estimate


@cli.command()
@click.option("--hardware", "-H", required=True,
              help="Accelerator name or alias (see `trainlca hardware`).")
@click.option("--count", "-n", type=float, help="Number of accelerators.")
@click.option("--hours", type=float, help="Wall-clock hours of the run (with --count).")
@click.option("--accelerator-hours", type=float, help="Accelerator-hours (chips × hours).")
@click.option("--flop", type=float, help="Training compute, FLOP (hours derived from peak × MFU).")
@click.option("--mfu", type=float, help="Model FLOP utilisation for --flop (default: params mfu).")
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
@click.option("--statement", "statement_fmt", type=click.Choice(["md", "latex"]),
              help="Print a paragraph for a paper (Markdown or LaTeX) instead of the table.")
@click.option("--force", is_flag=True, help="Overwrite an existing --plot file.")
@format_option
@click.pass_context
def estimate(ctx: click.Context, hardware: str, count: float | None, hours: float | None,
             accelerator_hours: float | None, flop: float | None, mfu: float | None,
             precision: str, country: str, preset: str, sets: tuple[str, ...],
             grid_path: str | None, draws: int, seed: int | None, sensitivity: bool,
             no_host: bool, codecarbon_csv: str | None, plot_path: str | None,
             statement_fmt: str | None, force: bool, fmt: str) -> None:
    """Life-cycle impacts of one training run, with 90 % intervals.

    \b
    Examples:
      trainlca estimate -H "A100 SXM4 80 GB" -n 384 --hours 2820 -c FRA
      trainlca estimate -H H100 --flop 3.8e25 --mfu 0.4 -c USA --format json
      trainlca estimate -H H100 --from-codecarbon emissions.csv --statement latex
      trainlca estimate -H H100 -n 8 --hours 24 --plot run.png
    """
    from trainlca.api import estimate as run_estimate
    from trainlca.uncertainty import check_draws

    check_draws(draws)
    if sensitivity and draws < 50:
        raise ParameterError("--sensitivity needs --draws ≥ 50")
    if statement_fmt and fmt != "table":
        raise ParameterError("--statement prints a paragraph; it does not combine with --format")
    if plot_path:  # fail before computing anything
        from trainlca.io import check_output
        from trainlca.report.figures import FORMATS

        check_output(plot_path, force=force, suffixes=FORMATS)
    common: dict[str, Any] = {
        "preset": preset, "overrides": parse_sets(sets), "draws": draws,
        "seed": resolve_seed(seed), "grid": grid_path,
        "with_sensitivity": sensitivity, "include_host": not no_host,
    }
    if codecarbon_csv:
        given = [flag for flag, v in (("--hours", hours), ("--accelerator-hours",
                 accelerator_hours), ("--flop", flop), ("--mfu", mfu)) if v is not None]
        if given:
            raise ParameterError("--from-codecarbon gives the duration and energy; drop "
                                 + ", ".join(given))
        from trainlca.codecarbon import estimate_from_codecarbon

        country_given = (ctx.get_parameter_source("country")
                         is not click.core.ParameterSource.DEFAULT)
        e = estimate_from_codecarbon(codecarbon_csv, hardware, count=count,
                                     country=country if country_given else None, **common)
    else:
        e = run_estimate(
            hardware, count=count, hours=hours, accelerator_hours=accelerator_hours,
            flop=flop, mfu=mfu, precision=precision, country=country, **common,
        )
    if plot_path:
        from trainlca.report.figures import fig_estimate

        fig_estimate(e, plot_path)
        click.echo(f"trainlca: wrote {plot_path}", err=True)
    if statement_fmt:
        from trainlca.report.statement import statement

        click.echo(statement(e, statement_fmt), nl=False)
    elif fmt == "json":
        click.echo(to_json(e.to_dict()))
    elif fmt == "csv":
        click.echo(to_csv(csv_rows(e), ["quantity", "stage", "unit", "value", "p5", "p50", "p95"]),
                   nl=False)
    else:
        print_table(e, sensitivity)


def csv_rows(e: Estimate) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    ei = e.energy_interval
    rows.append({"quantity": "energy", "stage": "use", "unit": "kWh", "value": e.energy_kwh,
                 "p5": ei.p5 if ei else None, "p50": ei.p50 if ei else None,
                 "p95": ei.p95 if ei else None})
    for c in CRITERIA:
        for stage in (*STAGES, "production", "total"):
            iv = e.intervals.get(c, {}).get(stage)
            rows.append({"quantity": c, "stage": stage, "unit": UNITS[c],
                         "value": e.impacts[c][stage],
                         "p5": iv.p5 if iv else None, "p50": iv.p50 if iv else None,
                         "p95": iv.p95 if iv else None})
    return rows


def print_table(e: Estimate, sensitivity: bool) -> None:
    from rich.table import Table

    con = console()
    title = (f"{e.hardware.name} · {e.accelerator_hours:,.0f} accelerator-hours · "
             f"{e.grid.name} ({e.grid.zone}) · preset {e.preset.name}")
    t = Table(title=title, title_justify="left")
    t.add_column("criterion")
    t.add_column("unit")
    for s in STAGES:
        t.add_column(STAGE_SHORT[s], justify="right")
    t.add_column("total", justify="right", style="bold")
    if e.draws:
        t.add_column("90 % interval (p5 – p95)", justify="right", no_wrap=True)
    ei = e.energy_interval
    erow = ["energy", "kWh", "", "", fmt_num(e.energy_kwh), fmt_num(e.energy_kwh)]
    if e.draws:
        erow.append(f"{fmt_num(ei.p5)} – {fmt_num(ei.p95)}" if ei else "")
    t.add_row(*erow)
    for c in CRITERIA:
        row = [c.upper(), UNITS[c], *[fmt_num(e.impacts[c][s]) for s in STAGES],
               fmt_num(e.impacts[c]["total"])]
        if e.draws:
            iv = e.intervals[c]["total"]
            row.append(f"{fmt_num(iv.p5)} – {fmt_num(iv.p95)}")
        t.add_row(*row)
    con.print(t)
    con.print(f"[dim]n/c = not covered by the model. Stages: "
              f"{'; '.join(f'{STAGE_SHORT[s]} = {STAGE_LABELS[s]}' for s in STAGES)}.[/dim]")

    p = Table(title="Inputs, defaults and imputations used", title_justify="left")
    p.add_column("name", no_wrap=True)
    p.add_column("value", justify="right", no_wrap=True)
    p.add_column("unit", no_wrap=True)
    p.add_column("status", no_wrap=True)
    p.add_column("source", overflow="fold", ratio=1)
    for pr in e.provenance:
        value = pr.value if isinstance(pr.value, str) else fmt_num(pr.value, 4)
        p.add_row(pr.name, value, pr.unit, pr.status, pr.source)
    con.print(p)
    if sensitivity and e.drivers:
        st = Table(title="What drives the spread (Spearman rank correlation, share of ρ²)",
                   title_justify="left")
        st.add_column("output")
        for k in range(1, 4):
            st.add_column(f"#{k}")
        for out, drivers in e.drivers.items():
            top = [f"{d.name} ({d.spearman:+.2f}, {d.share:.0%})" for d in drivers[:3]]
            st.add_row(out, *top, *[""] * (3 - len(top)))
        con.print(st)
    for n in e.notes:
        con.print(f"• {n}")
