"""How ``trainlca estimate`` shows one result in a terminal: brief by default, within 80 columns.

The default view is the table of criteria × stages with the median of the draws and the 90 %
interval, the point estimate (every input at its mode) on its own labelled line, the boundary in
one line and at most three notes. ``--verbose`` adds every note and the provenance of every
value; ``--quiet`` keeps the table only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from rich import box
from rich.table import Table

from trainlca.cli.output import fmt_num
from trainlca.criteria import CRITERIA, SHORT, STAGES, UNITS
from trainlca.uncertainty import noise_floor

if TYPE_CHECKING:
    from rich.console import Console

    from trainlca.api import Estimate
    from trainlca.notes import Note
    from trainlca.projects import ProjectEstimate

#: Notes shown first in the brief view (the rest need --verbose); the boundary has its own line.
NOTE_PRIORITY: Final[tuple[str, ...]] = (
    "hardware.generic", "allocation.exceeds_lifetime", "peak.fallback", "interval.zero_width",
    "interval.partial",
    "energy.measured", "location.world",
    "grid.world_fallback", "die_area.imputed", "water.preset_not_covered",
    "water.wafer_scale_not_covered", "water.host_not_covered", "water.card_model",
    "location.world_caution",
)
BRIEF_NOTES: Final[int] = 3
_HEADERS: Final[dict[str, str]] = {"production_accelerator": "accel.",
                                   "production_host": "hosts", "use": "use"}


def _central(e: Estimate, c: str, stage: str) -> float:
    """The headline value: the median of the draws, or the point without draws."""
    iv = e.intervals.get(c, {}).get(stage)
    return iv.p50 if iv is not None else e.impacts[c][stage]


def _headline(e: Estimate) -> str:
    what = (f"median of {e.draws:,} draws, 90 % interval p5–p95" if e.intervals
            else "point estimate (no draws)")
    return (f"{e.hardware.name} · {e.accelerator_hours:,.0f} accelerator-hours · "
            f"{e.grid.name} ({e.grid.zone}) · preset {e.preset.name} · {what}")


def impacts_table(e: Estimate) -> Table:
    """Criteria × stages: medians (or points), totals and 90 % intervals."""
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
              caption="accel., hosts: their production allocated to the run; use: "
              "electricity; n/c: not covered; –: outside the boundary",
              caption_justify="left")
    t.add_column("")
    for s in STAGES:
        t.add_column(_HEADERS[s], justify="right")
    t.add_column("total", justify="right", style="bold")
    if e.intervals:
        t.add_column("90 % interval", justify="right", no_wrap=True)
    ei = e.energy_interval
    energy = ei.p50 if ei is not None else e.energy_kwh
    row = ["Energy kWh", "–", "–", fmt_num(energy), fmt_num(energy)]
    if e.intervals:
        row.append(f"{fmt_num(ei.p5)}–{fmt_num(ei.p95)}" if ei is not None else "measured")
    t.add_row(*row)
    for c in CRITERIA:
        row = [f"{SHORT[c]} {UNITS[c]}",
               *(fmt_num(_central(e, c, s)) if e.boundary.includes(s) else "–"
                 for s in STAGES),
               fmt_num(_central(e, c, "total"))]
        if e.intervals:
            iv = e.intervals[c]["total"]
            row.append(f"{fmt_num(iv.p5)}–{fmt_num(iv.p95)}")
        t.add_row(*row)
    return t


def _point_line(e: Estimate) -> str:
    parts = [f"energy {fmt_num(e.energy_kwh)} kWh"] + [
        f"{SHORT[c]} {fmt_num(e.impacts[c]['total'])}" for c in CRITERIA]
    return "point estimate (every input at its mode): " + " · ".join(parts)


def _ordered_notes(notes: list[Note]) -> list[Note]:
    rank = {code: i for i, code in enumerate(NOTE_PRIORITY)}
    rest = [n for n in notes if n.code != "boundary"]
    return sorted(rest, key=lambda n: rank.get(n.code, len(rank) - 0.5))


def print_provenance(con: Console, e: Estimate) -> None:
    """Every value with its unit, status and source, one entry each (wrapped at the width)."""
    con.print("Inputs, defaults and imputations used:", style="bold")
    for pr in e.provenance:
        value = pr.value if isinstance(pr.value, str) else fmt_num(pr.value, 4)
        unit = f" {pr.unit}" if pr.unit and pr.unit != "1" else ""
        con.print(f"  {pr.name} = {value}{unit} [{pr.status.value}]: {pr.source}",
                  highlight=False, markup=False)


def drivers_table(e: Estimate) -> Table:
    st = Table(title="What drives the spread (Spearman ρ with the output, share of ρ²)",
               title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    st.add_column("output")
    for k in range(1, 4):
        st.add_column(f"#{k}", overflow="fold")
    floor = noise_floor(e.draws)
    for out, drivers in e.drivers.items():
        top = [f"{d.name} ({d.spearman:+.2f}, {d.share:.0%})" for d in drivers[:3]
               if abs(d.spearman) >= floor]
        if not top:
            top = ["no uncertain parameter (constant)"]
        st.add_row(SHORT.get(out, out), *top, *[""] * (3 - len(top)))
    st.caption = f"parameters with |ρ| < {floor:.2f} (noise at {e.draws:,} draws) left out"
    st.caption_justify = "left"
    return st


def print_estimate(con: Console, e: Estimate, *, verbose: bool = False,
                   sensitivity: bool = False, quiet: bool = False) -> None:
    """The estimate in a terminal: brief, or with every note and the provenance."""
    if not quiet:
        con.print(_headline(e), highlight=False)
    con.print(impacts_table(e))
    if quiet:
        return
    if e.intervals:
        con.print(_point_line(e), highlight=False)
    con.print(f"boundary: {e.boundary.describe()}", highlight=False)
    notes = _ordered_notes(e.notes)
    shown = notes if verbose else notes[:BRIEF_NOTES]
    for n in shown:
        con.print(f"• {n.text}", highlight=False)
    if sensitivity and e.drivers:
        con.print(drivers_table(e))
    if verbose:
        print_provenance(con, e)
    else:
        more = len(notes) - len(shown)
        extra = f"{more} more note{'s' * (more != 1)} and " if more else ""
        con.print(f"[dim]{extra}the source of every value: --verbose[/dim]")


def print_project(con: Console, pe: ProjectEstimate, *, verbose: bool = False,
                  quiet: bool = False) -> None:
    """A project in a terminal: the total (median and 90 % interval of the shared draws), one
    row per run (point values), and the notes."""
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
              title=None if quiet else f"{len(pe.runs)} runs · preset {pe.preset} · "
              + (f"total over {pe.draws:,} shared draws" if pe.intervals else "point values"),
              title_justify="left")
    t.add_column("")
    t.add_column("total", justify="right", style="bold")
    if pe.intervals:
        t.add_column("median", justify="right")
        t.add_column("90 % interval", justify="right", no_wrap=True)
    ei = pe.energy_interval
    row = ["Energy kWh", fmt_num(pe.energy_kwh)]
    if pe.intervals:
        row += ([fmt_num(ei.p50), f"{fmt_num(ei.p5)}–{fmt_num(ei.p95)}"] if ei is not None
                else ["", ""])
    t.add_row(*row)
    for c in CRITERIA:
        row = [f"{SHORT[c]} {UNITS[c]}", fmt_num(pe.totals[c])]
        if pe.intervals:
            iv = pe.intervals[c]
            row += [fmt_num(iv.p50), f"{fmt_num(iv.p5)}–{fmt_num(iv.p95)}"]
        t.add_row(*row)
    con.print(t)
    runs = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for col in ("run", "chip", "zone", "state", "acc.-h", "kWh", "kgCO2eq"):
        runs.add_column(col, justify="left" if col in ("run", "chip", "state") else "right",
                        overflow="fold")
    for r in pe.runs:
        runs.add_row(r.label, r.hardware, r.country, r.state or "", fmt_num(r.accelerator_hours),
                     fmt_num(r.energy_kwh) + ("*" if r.measured else ""),
                     fmt_num(r.totals["gwp"]))
    con.print(runs)
    if quiet:
        return
    star = "* measured energy; " if any(r.measured for r in pe.runs) else ""
    con.print(f"[dim]{star}the total's interval comes from draws shared by all runs[/dim]")
    notes = _ordered_notes(pe.notes)
    shown = notes if verbose else notes[:BRIEF_NOTES]
    for n in shown:
        con.print(f"• {n.text}", highlight=False)
    if len(notes) > len(shown):
        con.print(f"[dim]{len(notes) - len(shown)} more notes: --verbose[/dim]")
