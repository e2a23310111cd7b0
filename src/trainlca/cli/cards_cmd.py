"""``trainlca cards``: production impacts of every catalogue card and their trend over time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from trainlca.cli import cli
from trainlca.cli.options import (
    draws_option,
    finite,
    format_option,
    preset_option,
    seed_option,
    server_option,
    set_option,
)
from trainlca.cli.output import fmt_num, stamped, to_json
from trainlca.criteria import CRITERIA, UNITS

if TYPE_CHECKING:
    from rich.console import Console

    from trainlca.cards import CardRow, CardTrend
    from trainlca.presets import Preset


@cli.command()
@preset_option
@set_option
@click.option("--all", "include_all", is_flag=True,
              help="Include TPUs, ASICs and wafer-scale systems (default: GPUs only).")
@click.option("--since", default=2013.0, show_default=True, type=float, callback=finite,
              help="First release year of the trend fit (the table lists every card).")
@draws_option(0, "for p5/p95 per card")
@seed_option
@server_option
@format_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the output to FILE (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def cards(preset: str, sets: tuple[str, ...], include_all: bool, since: float, draws: int,
          seed: int | None, server: str | None, fmt: str, out: Path | None,
          force: bool) -> None:
    """Production impacts (GWP, ADPe, PE) of every accelerator card, and their trend against
    release date.

    \b
    Examples:
      trainlca cards
      trainlca cards --preset mlca --format csv --out cards.csv
      trainlca cards --all --draws 1000 --format json
    """
    from trainlca.cards import NOTES, card_table, card_trend, cards_csv
    from trainlca.catalog import load_catalog
    from trainlca.cli.options import parse_sets
    from trainlca.presets import get_preset

    if out is not None and str(out) == "-":
        out = None  # `--out -`: standard output
    if out is not None:
        from trainlca.io import check_output

        check_output(out, force=force)
    overrides = parse_sets(sets)
    cat = load_catalog()
    rows = card_table(preset, overrides, draws=draws, seed=seed, catalog=cat,
                      types=None if include_all else ("GPU",), server=server)
    trend = card_trend(rows, include_all=include_all, since=since)
    pre = get_preset(preset)
    notes = list(NOTES)
    if not pre.boundary.transport:
        notes.append(f"transport to the data centre excluded (preset {preset})")

    if fmt == "table" and out is None:
        _table(_terminal(), rows, trend, preset, cat.version, draws, notes)
        return
    if fmt == "csv":
        text = cards_csv(rows)
    elif fmt == "json":
        text = _json(rows, trend, pre, preset, overrides, cat.version, draws, notes)
    else:
        text = _table_text(rows, trend, preset, cat.version, draws, notes)
    if out is None:
        click.echo(text, nl=False)
    else:
        from trainlca.io import save

        save(out, text)
        click.echo(f"wrote {out} ({len(rows)} cards)", err=True)


def _json(rows: list[CardRow], trend: CardTrend, pre: Preset, preset: str,
          overrides: dict[str, float], version: str, draws: int, notes: list[str]) -> str:
    from trainlca import __version__

    return to_json(stamped({
        "trainlca_version": __version__,
        "catalogue_version": version,
        "data_versions": {"catalogue": version, "trainlca": __version__},
        "parameters": [p.provenance() for p in pre.params(overrides).values()],
        "preset": preset,
        "overrides": overrides,
        "draws": draws,
        "units": {c: UNITS[c] for c in CRITERIA},
        "notes": notes,
        "trend": trend.to_dict(),
        "rows": [r.to_dict() for r in rows],
    })) + "\n"


def _terminal() -> Console:
    from rich.console import Console

    con = Console()
    return con if con.is_terminal else Console(width=160)  # piped: not squeezed into 80 cols


def _table_text(rows: list[CardRow], trend: CardTrend, preset: str, version: str, draws: int,
                notes: list[str]) -> str:
    """The table as plain text, for --out FILE."""
    import io

    from rich.console import Console

    buf = io.StringIO()
    _table(Console(file=buf, width=160, color_system=None), rows, trend, preset, version, draws,
           notes)
    return buf.getvalue()


def _table(con: Console, rows: list[CardRow], trend: CardTrend, preset: str, version: str,
           draws: int, notes: list[str]) -> None:
    """Print the rich table, the trend lines and the notes on ``con``."""
    from rich.table import Table

    who = "GPU" if trend.subset == "GPU" else "accelerator"
    t = Table(title=f"Production impact per {who} card · preset {preset} · catalogue {version}",
              title_justify="left")
    for col in ("name", "released", "die cm²", "memory GB", "GWP kgCO2eq", "ADPe kgSbeq",
                "PE MJ", "WU L"):
        t.add_column(col, justify="left" if col == "name" else "right",
                     no_wrap=col != "name")
    if draws:
        t.add_column("GWP p5–p95", justify="right")
    t.add_column("host GWP/acc.", justify="right")
    for r in rows:
        cells = [
            r.hardware, r.release_date.isoformat(),
            f"{r.die_area_cm2:.2f}" + ("*" if r.die_area_imputed else ""),
            f"{r.memory_gb:g}", fmt_num(r.gwp), fmt_num(r.adpe), fmt_num(r.pe), fmt_num(r.wu),
        ]
        if draws:
            cells.append(f"{fmt_num(r.gwp_p5)}–{fmt_num(r.gwp_p95)}")
        cells.append(fmt_num(r.host_gwp_per_accelerator))
        t.add_row(*cells)
    con.print(t)
    for c in trend.fits:
        con.print(trend.line(c))
    con.print(f"[dim]trend: log10(impact) vs release year, cards released ≥ {trend.since:g}; "
              "* imputed die area; n/c = not covered; host GWP/acc. = host production per "
              "accelerator, not in GWP.[/dim]")
    for n in notes:
        con.print(f"[dim]• {n}[/dim]")
