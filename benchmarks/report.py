"""The terminal tables of ``make bench`` (rich), from the record that run.py writes as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table


def fmt_s(x: float) -> str:
    if x >= 1:
        return f"{x:.2f} s"
    if x >= 1e-3:
        return f"{x * 1e3:.1f} ms"
    return f"{x * 1e6:.1f} µs"


def fmt_mib(x: float) -> str:
    return f"{x:.0f} MiB"


def _spread(s: dict[str, Any] | None, fmt: Callable[[float], str]) -> tuple[str, str]:
    """(median, "min – max") with the unit once where both ends share it."""
    if not s:
        return "—", ""
    lo, hi = fmt(s["min"]), fmt(s["max"])
    lo_n, _, lo_u = lo.partition(" ")
    hi_u = hi.partition(" ")[2]
    return fmt(s["median"]), f"{lo_n} – {hi}" if lo_u == hi_u else f"{lo} – {hi}"


def library_table(r: dict[str, Any]) -> Table | None:
    """Cold start, the library study, the catalogue and the loops (the parts that ran)."""
    m = r["machine"]
    t = Table(title=f"trainlca benchmarks — {m['date']} ({m['nproc']} cores, Python "
                    f"{m['python']}, NumPy {m['numpy']})")
    for col in ("benchmark", "median", "min – max", "IQR", "runs", "target"):
        t.add_column(col, justify="left" if col in ("benchmark", "target") else "right")

    def row(name: str, s: dict[str, Any], target: str = "",
            fmt: Callable[[float], str] = fmt_s) -> None:
        t.add_row(name, fmt(s["median"]), f"{fmt(s['min'])} – {fmt(s['max'])}",
                  f"{fmt(s['q1'])} – {fmt(s['q3'])}", str(s["runs"]), target)

    for name, s in r.get("cold_start", {}).items():
        row(f"cold start: {name}", s, "< 0.5 s" if "estimate" in name else "")
    for key in ("study_0", "study_10k"):
        s = r.get(key)
        if s:
            lbl = f"study, {s['draws']:,} draws, {s['systems']} systems"
            row(f"{lbl}: load+run_study", s["study_s"], "< 5 s" if s["draws"] >= 10_000 else "")
            row(f"{lbl}: whole process", s["process_s"])
            row(f"{lbl}: peak RSS", s["peak_mib"], "< 1 GiB", fmt_mib)
    cat = r.get("catalogue")
    if cat:
        row(f"catalogue ({cat['chips']} chips): card_production, one call",
            cat["card_production_vectorised_s"])
        row("catalogue: card_production, naive per-card loop", cat["card_production_naive_loop_s"])
        row("catalogue: card_table", cat["card_table_s"])
        if "card_models_point_s" in cat:
            row("catalogue: three card models + mixture, point", cat["card_models_point_s"])
            row(f"catalogue: card models, mixture, {cat['mixture_draws']:,} draws (incl. "
                "sampling)", cat["card_models_mixture_s"])
    rl = r.get("runs_loop")
    if rl:
        row(f"study runs ({rl['runs']}): run_impacts, one call", rl["run_impacts_vectorised_s"])
        row("study runs: run_impacts, naive per-run loop", rl["run_impacts_naive_loop_s"])
    b = r.get("boavizta")
    if b:
        row(f"BoaviztAPI {b['version']}: one GPU (per card, {b['cards']} cards)", b["per_card_s"])
    return t if t.row_count else None


def commands_table(r: dict[str, Any]) -> tuple[Table | None, list[str]]:
    """The user-facing commands: wall time and peak memory per run, target, verdict; and one
    note per command whose runs did not all count (failed or timed out)."""
    recs = r.get("commands", [])
    if not recs:
        return None, []
    t = Table(title="user-facing commands, whole process (wall: median and min – max over runs; "
                    "memory: largest peak RSS of any run, wait4)")
    for col in ("command", "systems", "wall", "min – max", "memory", "runs", "target",
                "verdict"):
        t.add_column(col, justify="left" if col in ("command", "target", "verdict") else "right",
                     no_wrap=col != "command")
    notes = []
    for rec in recs:
        wall, wall_mm = _spread(rec["wall_s"], fmt_s)
        mem = "—" if rec["memory_mib_max"] is None else fmt_mib(rec["memory_mib_max"])
        tree = rec.get("tree_pss_mib")
        if tree and rec.get("tree_procs", 1) > 1:  # work in several processes: their PSS sum
            mem += f" (tree PSS {fmt_mib(tree['max'])})"
        runs = str(rec["runs"])
        if rec["status"] != "ok":
            notes.append(f"{rec['label']}: {rec['status']}")
            runs += f" + 1 {'timed out' if rec['failed_run']['timed_out'] else 'failed'}" \
                if rec.get("failed_run") else ""
        vs = rec.get("verdicts", [])
        verdict = "; ".join(dict.fromkeys(
            (f"{v['kind']} " if len(vs) > 1 and "quick" not in v["verdict"] else "")
            + v["verdict"] for v in vs)) or "—"
        t.add_row(rec["label"], "" if rec["systems"] is None else f"{rec['systems']:,}", wall,
                  wall_mm, mem, runs, rec["target"] or "—", verdict)
    return t, notes


def targets_table(r: dict[str, Any]) -> Table:
    t = Table(title="targets")
    for col in ("target", "limit", "measured", "verdict"):
        t.add_column(col, justify="right" if col == "measured" else "left")
    for v in r["targets"]:
        x = v["measured"]
        if x is None or isinstance(x, str):
            shown = "—" if x is None else x
        elif v["unit"] == "s":
            shown = fmt_s(float(x))
        elif v["unit"] == "MiB":
            shown = fmt_mib(float(x))
        else:
            shown = f"{float(x):,.0f}{v['unit']}"
        style = "green" if v["verdict"] == "met" else ("yellow" if "quick" in v["verdict"]
                                                       else "red")
        t.add_row(v["name"], v["target"], shown, f"[{style}]{v['verdict']}[/{style}]")
    return t


def ratios_table(r: dict[str, Any]) -> Table | None:
    if not r.get("ratios"):
        return None
    rt = Table(title="ratios (median / median)")
    rt.add_column("comparison")
    rt.add_column("ratio", justify="right")
    rt.add_column("target")
    for name, v in r["ratios"].items():
        rt.add_row(name, f"{v:,.1f}×", "≥ 100×" if "/ card_production" in name
                   and name.startswith("BoaviztAPI") else "")
    return rt


def side_by_side_table(b: dict[str, Any]) -> Table:
    st = Table(title="production GWP per card, kgCO2eq (methods differ; shown for the record)")
    for col in ("trainlca card", "BoaviztAPI GPU", "trainlca", "BoaviztAPI"):
        st.add_column(col, justify="right" if col in ("trainlca", "BoaviztAPI") else "left")
    for s in b["side_by_side"]:
        bg = s["boavizta_gwp"]
        st.add_row(s["hardware"], s["boavizta_name"], f"{s['trainlca_gwp']:.0f}",
                   "n/a" if bg is None else f"{bg:.0f}")
    return st


def render(r: dict[str, Any], console: Console | None = None) -> None:
    """Print every table of the record ``r`` (the parts that ran)."""
    con = console or Console(width=max(Console().width, 150))
    cmd_table, notes = commands_table(r)
    for table in (library_table(r), cmd_table, ratios_table(r)):
        if table is not None:
            con.print(table)
    for note in notes:
        con.print(f"  [red]{note}[/red]", highlight=False)
    if r.get("boavizta"):
        con.print(side_by_side_table(r["boavizta"]))
    imp = r.get("imports")
    if imp:
        con.print(f"estimate path imports: {', '.join(imp['heavy_modules_imported']) or 'no'} "
                  f"matplotlib/scipy/pandas; trainlca import {imp['trainlca_import_s']:.3f} s")
    if r["targets"]:
        con.print(targets_table(r))
    m = r["machine"]
    load = "/".join(f"{x:.1f}" for x in m["loadavg_start"][:1] + m.get("loadavg_end", [])[:1])
    probe = m.get("speed_probe_s")
    if probe:
        con.print(f"speed probe (fixed Python + NumPy workload, for comparing runs): "
                  f"{fmt_s(probe['median'])} median")
    con.print(f"load average (1 min) at start/end: {load} on {m['nproc']} cores"
              + (" — other work was running at the start: quote medians, compare on a quiet "
                 "machine" if m["loadavg_start"][0] > 0.5 * (m["nproc"] or 1) else ""))
