"""Look-up commands: ``hardware``, ``grid``, ``params``, ``presets``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import click

from trainlca.cli import cli
from trainlca.cli.output import fmt_num, format_option, stamped, to_csv, to_json
from trainlca.provenance import Status

if TYPE_CHECKING:
    from trainlca.catalog import Accelerator


def _names_match(query: str, acc: Accelerator) -> bool:
    from trainlca.catalog import normalise_name

    key = normalise_name(query)
    return any(key in normalise_name(lbl) for lbl in (acc.name, *acc.aliases, acc.vendor))


@cli.command()
@click.argument("query", required=False)
@format_option
def hardware(query: str | None, fmt: str) -> None:
    """List or search the accelerator catalogue."""
    from trainlca.catalog import load_catalog
    from trainlca.servers import default_server_id

    cat = load_catalog()
    rows = list(cat) if not query else cat.search(query)
    if query and not any(_names_match(query, a) for a in rows):
        # search() falls back to the closest names: a miss is an error that suggests them
        cat.get(query)
    recs = [{
        "name": a.name, "vendor": a.vendor, "type": a.type,
        "release_date": a.release_date.isoformat(), "process_nm": a.process_nm,
        "die_area_mm2": a.die_area_mm2, "die_area_imputed": a.die_area_imputed,
        "memory_gb": a.memory_gb, "memory_type": a.memory_type, "tdp_w": a.tdp_w,
        "tensor_16bit_flops": a.tensor_16bit_flops, "fp8_flops": a.fp8_flops,
        "node_size": a.node_size,
        "default_server": default_server_id(a.type, a.name, a.node_size),
        "aliases": "; ".join(a.aliases),
        "sources": dict(a.sources),
        "provenance": {
            "die_area_mm2": Status.IMPUTED if a.die_area_imputed else Status.CATALOGUE,
            **{k: Status.CATALOGUE for k in ("release_date", "process_nm", "memory_gb",
                                             "tdp_w", "tensor_16bit_flops", "node_size")}},
    } for a in rows]
    if fmt == "json":
        click.echo(to_json(stamped({"catalogue_version": cat.version, "accelerators": recs,
                            "data_versions": {"catalogue": cat.version},
                            "query": {"value": query, "status": "input"} if query else None})))
        return
    if fmt == "csv":
        cols = [k for k in recs[0] if k != "sources"] if recs else ["name"]
        click.echo(to_csv(recs, cols), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Accelerator catalogue ({len(recs)} of {len(cat)})", title_justify="left")
    for col in ("name", "released", "die mm²", "memory", "TDP W", "16-bit TFLOP/s"):
        t.add_column(col, justify="left" if col == "name" else "right")
    for a in rows:
        die = f"{a.die_area_mm2:,.0f}" + ("*" if a.die_area_imputed else "")
        tf = a.tensor_16bit_flops / 1e12 if math.isfinite(a.tensor_16bit_flops) else float("nan")
        t.add_row(a.name, a.release_date.isoformat(), die,
                  f"{a.memory_gb:g} GB {a.memory_type}", f"{a.tdp_w:g}", fmt_num(tf))
    con = Console()
    con.print(t)
    con.print("[dim]* imputed die area (see `--format json` for every field's source)[/dim]")


@cli.command()
@click.argument("query", required=False)
@click.option("--grid", "grid_path", type=click.Path(dir_okay=False),
              help="CSV of grid factors instead of the default provider.")
@format_option
def grid(query: str | None, grid_path: str | None, fmt: str) -> None:
    """List or search electricity impact factors per country."""
    from trainlca.grid import load_grid

    prov = load_grid(grid_path)
    rows = [prov.get(query)] if query and len(query) == 3 and query.isupper() else (
        prov.search(query) if query else [prov.get(z) for z in prov.zones()])
    if query and not rows:
        rows = [prov.get(query)]  # raises a clear error with suggestions
    recs: list[dict[str, Any]] = [{
        "zone": g.zone, "name": g.name, "gwp_kgco2eq_per_kwh": g.gwp,
        "adpe_kgsbeq_per_kwh": g.adpe, "pe_mj_per_kwh": g.pe, "wu_l_per_kwh": g.wu,
        "world_fallbacks": ";".join(g.fallbacks), "source": g.source,
        "provenance": {c: Status.IMPUTED if c in g.fallbacks else Status.PROVIDER
                       for c in ("gwp", "adpe", "pe", "wu")},
    } for g in rows]
    if fmt == "json":
        click.echo(to_json(stamped({"provider": prov.name, "version": prov.version, "zones": recs,
                            "data_versions": {"grid_provider": prov.name,
                                              "grid_version": prov.version,
                                              "grid_source": prov.source}})))
        return
    if fmt == "csv":
        click.echo(to_csv(recs, list(recs[0]) if recs else ["zone"]), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Grid factors: {prov.name} {prov.version}", title_justify="left")
    for col in ("zone", "name", "kgCO2eq/kWh", "kgSbeq/kWh", "MJ/kWh", "L/kWh"):
        t.add_column(col, justify="left" if col in ("zone", "name") else "right")
    for g in rows:
        mark = {c: ("*" if c in g.fallbacks else "") for c in ("gwp", "adpe", "pe", "wu")}
        t.add_row(g.zone, g.name, fmt_num(g.gwp) + mark["gwp"], fmt_num(g.adpe) + mark["adpe"],
                  fmt_num(g.pe) + mark["pe"], fmt_num(g.wu) + mark["wu"])
    con = Console()
    con.print(t)
    con.print("[dim]* filled in: the provider's world average, or the default provider's value "
              "for a user CSV[/dim]")


@cli.command()
@click.option("--preset", "-p", default="default", show_default=True)
@format_option
def params(preset: str, fmt: str) -> None:
    """Every model parameter: value, unit, range, distribution and source."""
    from trainlca.presets import get_preset

    ps = get_preset(preset).params()
    recs = [{"name": p.name, "value": p.value, "unit": p.unit, "low": p.low, "high": p.high,
             "distribution": p.dist, "group": p.group, "description": p.description,
             "source": p.source} for p in ps.values()]
    if fmt == "json":
        from trainlca import __version__

        for r, p in zip(recs, ps.values(), strict=True):  # no --set: default or preset
            r["status"] = p.status.value
        click.echo(to_json(stamped({"preset": preset, "parameters": recs,
                            "data_versions": {"trainlca": __version__}})))
        return
    if fmt == "csv":
        click.echo(to_csv(recs, list(recs[0])), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Parameters (preset {preset})", title_justify="left")
    for col in ("name", "value", "unit", "range", "dist", "source"):
        t.add_column(col, overflow="fold")
    for p in ps.values():
        rng = f"{fmt_num(p.low)} – {fmt_num(p.high)}" if p.uncertain else ""
        t.add_row(p.name, fmt_num(p.value, 4), p.unit, rng, p.dist, p.source)
    Console().print(t)


@cli.command()
def presets() -> None:
    """The named presets and their boundaries."""
    from rich.console import Console
    from rich.table import Table

    from trainlca.presets import PRESETS

    t = Table(title="Presets", title_justify="left")
    for col in ("name", "what", "boundary"):
        t.add_column(col, overflow="fold")
    for p in PRESETS.values():
        t.add_row(p.name, p.description, p.boundary.describe())
    Console().print(t)


@cli.command()
@click.argument("query", required=False)
@format_option
def servers(query: str | None, fmt: str) -> None:
    """List the host-server archetypes (for --server), with their host production.

    \b
    Examples:
      trainlca servers
      trainlca servers h100 --format json
    """
    from trainlca.presets import get_preset
    from trainlca.servers import archetypes, host_production
    from trainlca.uncertainty import point_values

    table = archetypes()
    rows = [s for sid, s in table.items()
            if not query or query.lower() in f"{sid} {s.name}".lower()]
    if query and not rows:
        from trainlca.errors import ParameterError

        raise ParameterError(f"no server archetype matches {query!r}; archetypes: "
                             f"{', '.join(table)}")
    p = point_values(get_preset("default").params())
    recs: list[dict[str, Any]] = []
    for s in rows:
        host = host_production(s, p)
        recs.append({
            "id": s.name, "accelerators": s.accelerators, "cpu": s.cpu.name,
            "cpu_units": s.cpu.units.value, "ram_gb": s.ram_gb, "storage_gb": s.storage_gb,
            **{f"host_{c}_per_accelerator": float(host[c]) / s.accelerators
               for c in ("gwp", "adpe", "pe")},
            "source": s.source})
    if fmt == "json":
        click.echo(to_json(stamped({"preset": "default", "servers": recs})))
        return
    if fmt == "csv":
        click.echo(to_csv(recs, list(recs[0])), nl=False)
        return
    from rich.table import Table

    from trainlca.cli.options import console

    t = Table(title="Host-server archetypes (production at the default preset's point values)",
              title_justify="left")
    for col in ("id", "accel.", "CPUs", "RAM GB", "storage TB", "kgCO2eq/accel."):
        t.add_column(col, justify="left" if col == "id" else "right", no_wrap=col == "id")
    for r in recs:
        t.add_row(r["id"], str(r["accelerators"]), f"{r['cpu_units']:g}",
                  f"{r['ram_gb']:,.0f}", f"{r['storage_gb'] / 1000:,.1f}",
                  fmt_num(r["host_gwp_per_accelerator"]))
    con = console()
    con.print(t)
    con.print("[dim]host production per accelerator (not in `cards`' card figures); CPU models "
              "and sources: --format json; a chip's default: `trainlca hardware NAME --format "
              "json` (default_server); your own server: --server FILE (docs/servers.md)[/dim]")
