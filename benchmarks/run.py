"""trainlca speed and memory benchmarks (``make bench``); see benchmarks/README.md.

Measures, several runs each, median and spread:

a. ``trainlca estimate`` cold start as a whole process (2,000 and 0 draws), beside ``python -c
   pass`` (interpreter start-up) and an ``-X importtime`` check that the estimate path imports
   no matplotlib, scipy or pandas;
b. the study on the Epoch notable-models file through the library (``load_epoch`` +
   ``run_study``, no figures) with 0 and 10,000 draws, each in a fresh process;
c. production impacts of the whole catalogue: one vectorised ``card_production`` call, and
   ``card_table``;
d. peak memory (``ru_maxrss`` of each child process, read with ``os.wait4``) of (b);
e. the user-facing commands as whole processes (commands.py): ``trainlca study`` with figures and
   report at 0, 2,000 and 10,000 draws, on the file ×30 at 2,000 and 10,000 draws, with
   ``--no-figures`` at 10,000; ``trainlca cards``; ``trainlca estimate``; ``estimate --plot``;
   wall time and peak memory per run, beside the targets of the issue.

Baselines in the same run: BoaviztAPI 2.5.0's own Python code path for the same GPUs (in the
separate venv ``benchmarks/.venv-boavizta``, created on first use), and a naive per-card /
per-run Python loop over the same trainlca formulas with scalars.

Writes rich tables to the terminal and ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:  # the sibling modules, also when loaded by file path (tests)
    sys.path.insert(0, str(BENCH))

import commands  # noqa: E402
from children import run_timed, stats  # noqa: E402
from report import render  # noqa: E402

REPO = BENCH.parent
BIN = Path(sys.executable).parent
SHARED = Path(os.environ.get("TRAINLCA_SHARED_DATA") or REPO.parent / "shared" / "data")
DEFAULT_DATA = SHARED / "epoch" / "notable_ai_models.csv"
HW_MERGED = SHARED / "hardware" / "accelerator_specs_merged.csv"
BOAVIZTA_VENV = BENCH / ".venv-boavizta"
ESTIMATE_ARGS = ["estimate", "-H", "H100 SXM5", "-n", "8", "--hours", "10", "--format", "json"]
HEAVY_MODULES = ("matplotlib", "scipy", "pandas")

#: Targets of the library benchmarks (README): seconds, MiB, ratio. The commands' targets are
#: in commands.py.
TARGETS = {
    "cold_start_s": 0.5,
    "study_10k_s": 5.0,
    "study_peak_mib": 1024.0,
    "catalogue_vs_boavizta": 100.0,
}

#: What ``--only`` accepts: the library parts, every command case, and groups of them.
LIBRARY_PARTS = ("cold-start", "imports", "study-lib", "catalogue", "loops", "boavizta")
COMMAND_PARTS = tuple(c.name for c in commands.default_cases(quick=False))
GROUPS = {
    "library": LIBRARY_PARTS,
    "commands": COMMAND_PARTS,
    "study": ("study-0", "study-2k", "study-10k"),
    "x30": ("study-x30-2k", "study-x30-10k"),
}

# Child process of benchmark (b): imports, then times load_epoch + run_study, prints JSON.
STUDY_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from trainlca.epoch import load_epoch
from trainlca.study import run_study
t1 = time.perf_counter()
rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = load_epoch(sys.argv[1])
res = run_study(data, draws=int(sys.argv[2]))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "study_s": t2 - t1,
                  "systems": int(res.meta["systems_assessed"]),
                  "rss_after_import_kib": rss_import}))
"""


# --- measuring -----------------------------------------------------------------------------------


def run_child(cmd: Sequence[str], *, stdin: str | None = None,
              cwd: Path | None = None) -> tuple[float, float, str, int]:
    """Run ``cmd``; return (wall seconds, peak RSS MiB of that child, stdout, exit code).

    ``os.wait4`` gives the rusage of exactly this child (its ``ru_maxrss``, KiB on Linux)."""
    r = run_timed(cmd, stdin=stdin, cwd=cwd, sample_s=None)
    return r.wall_s, r.peak_mib, r.stdout, r.returncode


def time_calls(fn: Callable[[], object], repeats: int, min_s: float = 0.05) -> list[float]:
    """Seconds per call of ``fn``: ``repeats`` batches, each of enough calls to last ``min_s``."""
    fn()  # warm-up
    t = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t, 1e-7)
    number = max(1, int(min_s / once))
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        out.append((time.perf_counter() - t) / number)
    return out


# --- (a) cold start ------------------------------------------------------------------------------


def bench_cold_start(runs: int) -> dict[str, Any]:
    trainlca = str(BIN / "trainlca")
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "trainlca estimate --draws 2000": [trainlca, *ESTIMATE_ARGS, "--draws", "2000"],
        "trainlca estimate --draws 0": [trainlca, *ESTIMATE_ARGS, "--draws", "0"],
    }
    out: dict[str, Any] = {}
    for name, cmd in cases.items():
        run_child(cmd, cwd=REPO)  # warm the file cache; not counted
        walls = []
        for _ in range(runs):
            wall, _rss, _o, rc = run_child(cmd, cwd=REPO)
            if rc != 0:
                raise SystemExit(f"{name} failed (exit {rc})")
            walls.append(wall)
        out[name] = stats(walls)
    return out


def check_imports() -> dict[str, Any]:
    """``python -X importtime`` on the estimate command: heavy modules imported, import time."""
    cmd = [sys.executable, "-X", "importtime", str(BIN / "trainlca"), *ESTIMATE_ARGS,
           "--draws", "2000"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False)
    heavy: set[str] = set()
    trainlca_us = 0
    total_us = 0
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if not m:
            continue
        top = m.group(4).split(".")[0]
        if top in HEAVY_MODULES:
            heavy.add(top)
        if len(m.group(3)) == 1:  # top-level import (one space after the bar)
            total_us += int(m.group(2))
            if top == "trainlca":
                trainlca_us += int(m.group(2))
    return {"heavy_modules_imported": sorted(heavy), "trainlca_import_s": trainlca_us / 1e6,
            "all_imports_s": total_us / 1e6, "ok": not heavy}


# --- (b, d) study --------------------------------------------------------------------------------


def bench_study(data: Path, draws: int, runs: int) -> dict[str, Any]:
    walls, study_s, imports, peaks = [], [], [], []
    systems = 0
    for _ in range(runs):
        wall, peak, out, rc = run_child([sys.executable, "-c", STUDY_CHILD, str(data), str(draws)],
                                        cwd=REPO)
        if rc != 0:
            raise SystemExit(f"study with {draws} draws failed (exit {rc})")
        child = json.loads(out.strip().splitlines()[-1])
        walls.append(wall)
        study_s.append(child["study_s"])
        imports.append(child["import_s"])
        peaks.append(peak)
        systems = child["systems"]
    return {"draws": draws, "systems": systems, "study_s": stats(study_s),
            "process_s": stats(walls), "import_s": stats(imports), "peak_mib": stats(peaks)}


# --- (c) catalogue production and the naive loops ------------------------------------------------


def bench_catalogue(repeats: int, draws: int = 10_000) -> dict[str, Any]:
    """(c): the per-area card function alone, the three card models and their mixture over the
    whole catalogue (point, and ``draws`` Monte Carlo draws incl. sampling), ``card_table``."""
    from trainlca.cards import card_table
    from trainlca.catalog import load_catalog
    from trainlca.presets import get_preset
    from trainlca.production import card_production
    from trainlca.run import Hardware, hardware_production_models
    from trainlca.uncertainty import point_values, sample

    accs = list(load_catalog())
    pre = get_preset("default")
    p = point_values(pre.params())
    transport = pre.boundary.transport
    scale = float(np.asarray(p["imputed_die_scale"]))
    die = np.array([a.die_area_cm2 * (scale if a.die_area_imputed else 1.0) for a in accs])
    mem = np.array([a.memory_gb for a in accs], dtype=np.float64)
    die_l = [float(x) for x in die]
    mem_l = [float(x) for x in mem]
    p_float = {k: (float(np.asarray(v)) if np.ndim(v) == 0 else v) for k, v in p.items()}

    def vectorised() -> object:
        return card_production(die, mem, p, transport=transport)

    def naive() -> object:
        return [card_production(d, m, p_float, transport=transport)
                for d, m in zip(die_l, mem_l, strict=True)]

    hw = Hardware.of(accs)
    params = pre.params()

    def models_point() -> object:
        return hardware_production_models(hw, p, pre.boundary)

    def models_mixture() -> object:
        return hardware_production_models(hw, sample(params, draws, 1), pre.boundary)

    vec = time_calls(vectorised, repeats)
    loop = time_calls(naive, repeats)
    table = time_calls(card_table, repeats)
    point = time_calls(models_point, repeats)
    mixture = time_calls(models_mixture, max(1, repeats // 2), min_s=0.0)
    # Same numbers either way (a check, not a timing).
    v = vectorised()
    assert isinstance(v, dict)
    n = naive()
    assert isinstance(n, list)
    np.testing.assert_allclose(v["gwp"], [float(r["gwp"]) for r in n], rtol=1e-12)
    return {"chips": len(accs), "card_production_vectorised_s": stats(vec),
            "card_production_naive_loop_s": stats(loop), "card_table_s": stats(table),
            "card_models_point_s": stats(point), "mixture_draws": draws,
            "card_models_mixture_s": stats(mixture)}


def bench_runs_loop(data: Path, repeats: int) -> dict[str, Any]:
    """The study's baseline runs at point values: one vectorised ``run_impacts`` vs a loop."""
    from trainlca.api import runs_from_catalog
    from trainlca.catalog import load_catalog
    from trainlca.criteria import CRITERIA
    from trainlca.epoch import build_runs, load_epoch
    from trainlca.grid import load_grid
    from trainlca.presets import get_preset
    from trainlca.run import RunInputs, run_impacts
    from trainlca.study import _baseline_spec
    from trainlca.uncertainty import point_values

    pre = get_preset("default")
    params = pre.params()
    p = point_values(params)
    cat = load_catalog()
    rt = build_runs(load_epoch(data), catalog=cat, mfu_default=float(params["mfu"].value))
    df = rt.runs.reset_index(drop=True)
    accs = [cat.get(h) for h in df["hardware"]]
    factors = load_grid().arrays([str(z) for z in df["zone"]])
    runs = runs_from_catalog(accs, _baseline_spec(df), {c: factors[c] for c in CRITERIA})
    one_by_one: list[RunInputs] = [runs.take(np.array([i])) for i in range(len(runs))]

    def vectorised() -> object:
        return run_impacts(runs, p, pre.boundary)

    def naive() -> object:
        return [run_impacts(r, p, pre.boundary) for r in one_by_one]

    vec = time_calls(vectorised, repeats)
    loop = time_calls(naive, repeats)
    return {"runs": len(runs), "run_impacts_vectorised_s": stats(vec),
            "run_impacts_naive_loop_s": stats(loop)}


# --- BoaviztAPI baseline -------------------------------------------------------------------------


def ensure_boavizta_venv() -> Path:
    """The benchmark-only venv with boaviztapi (created and filled on first use)."""
    py = BOAVIZTA_VENV / "bin" / "python"
    if not py.exists():
        base = shutil.which("python3") or sys.executable
        subprocess.run([base, "-m", "venv", str(BOAVIZTA_VENV)], check=True)
    probe = subprocess.run([str(py), "-c", "import boaviztapi"], capture_output=True, check=False)
    if probe.returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-r",
                        str(BENCH / "requirements.txt")], check=True)
    return py


def boavizta_pairs() -> list[tuple[str, str]]:
    """(trainlca catalogue name, BoaviztAPI GPU name), one per BoaviztAPI name."""
    from trainlca.catalog import load_catalog

    cat = load_catalog()
    seen: dict[str, str] = {}
    with HW_MERGED.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            bname = (row.get("boavizta_name") or "").strip()
            if not bname or bname in seen:
                continue
            try:
                seen[bname] = cat.get(row["hardware_name"]).name
            except Exception:  # not in our catalogue: leave it out
                continue
    return [(ours, b) for b, ours in seen.items()]


def bench_boavizta(repeats: int, ours_per_card_s: float) -> dict[str, Any]:
    from trainlca.cards import card_table

    pairs = boavizta_pairs()
    py = ensure_boavizta_venv()
    req = json.dumps({"names": [b for _, b in pairs], "repeats": repeats})
    _w, _rss, out, rc = run_child([str(py), str(BENCH / "boavizta_baseline.py")], stdin=req)
    if rc != 0:
        raise SystemExit(f"BoaviztAPI baseline failed (exit {rc})")
    res = json.loads(out)
    per_card = [t / max(res["cards"], 1) for t in res["loop_s"]]
    ours = {r.hardware: r for r in card_table()}
    side = [{"hardware": o, "boavizta_name": b,
             "trainlca_gwp": ours[o].gwp, "boavizta_gwp": res["impacts"][b]["gwp"],
             "trainlca_pe": ours[o].pe, "boavizta_pe": res["impacts"][b]["pe"],
             "trainlca_adpe": ours[o].adpe, "boavizta_adpe": res["impacts"][b]["adp"]}
            for o, b in pairs if o in ours]
    st = stats(per_card)
    return {"version": res["boaviztapi_version"], "python": res["python"],
            "cards": res["cards"], "import_s": res["import_s"], "per_card_s": st,
            "ratio_vs_card_production": st["median"] / ours_per_card_s,
            "side_by_side": side}


# --- report and targets ------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=REPO, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, cwd=REPO,
                               check=False).stdout.strip() != ""
    except OSError:  # no git: the revision is unknown, the benchmark still runs
        rev, dirty = "", False
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)),
        "platform": platform.platform(), "machine": platform.machine(),
        "python": platform.python_version(), "numpy": np.__version__,
        "git": rev, "git_dirty": dirty, "loadavg_start": list(os.getloadavg()),
    }


def speed_probe(repeats: int = 5) -> dict[str, Any]:
    """A fixed workload (a pure-Python loop of 2 M additions, then sorting 1 M floats with NumPy),
    timed in this process: how fast this machine is right now, to compare runs made at other
    times or on other machines (a shared host slows everything in proportion)."""
    rng = np.random.default_rng(0)
    values = rng.random(1_000_000)

    def work() -> float:
        total = 0
        for i in range(2_000_000):
            total += i
        return float(np.sort(values)[0]) + total

    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        work()
        out.append(time.perf_counter() - t)
    return stats(out)


def _target(name: str, limit: str, measured: Any, unit: str, ok: bool,
            quick: bool) -> dict[str, Any]:
    verdict = "not evaluated (quick)" if quick else ("met" if ok else "MISSED")
    return {"name": name, "target": limit, "measured": measured, "unit": unit,
            "verdict": verdict}


def library_targets(r: dict[str, Any], *, quick: bool) -> list[dict[str, Any]]:
    """The targets of the library benchmarks that ran, with their verdicts."""
    out = []
    if "cold_start" in r:
        x = r["cold_start"]["trainlca estimate --draws 2000"]["median"]
        out.append(_target("cold start: trainlca estimate --draws 2000 (median)", "< 0.5 s", x,
                           "s", x < TARGETS["cold_start_s"], quick))
    if "imports" in r:
        heavy = r["imports"]["heavy_modules_imported"]
        out.append(_target("estimate path imports no matplotlib, scipy, pandas", "none",
                           ", ".join(heavy) or "none", "", r["imports"]["ok"], False))
    if "study_10k" in r:
        s = r["study_10k"]
        lbl = f"library study, {s['draws']:,} draws"
        x = s["study_s"]["median"]
        out.append(_target(f"{lbl}: load + run_study (median)", "< 5 s", x, "s",
                           x < TARGETS["study_10k_s"], quick))
        m = s["peak_mib"]["max"]
        out.append(_target(f"{lbl}: peak RSS (largest run)", "< 1 GiB", m, "MiB",
                           m < TARGETS["study_peak_mib"], quick))
    if "boavizta" in r:
        x = r["ratios"]["BoaviztAPI per card / card_production per card"]
        out.append(_target("catalogue: BoaviztAPI per card / card_production per card",
                           "≥ 100×", x, "×", x >= TARGETS["catalogue_vs_boavizta"], quick))
    return out


def ratios(r: dict[str, Any]) -> dict[str, float]:
    """Median / median comparisons of the parts that ran."""
    out: dict[str, float] = {}
    cat, rl, b = r.get("catalogue"), r.get("runs_loop"), r.get("boavizta")
    if cat:
        vec = cat["card_production_vectorised_s"]["median"]
        out["naive card loop / vectorised card_production"] = \
            cat["card_production_naive_loop_s"]["median"] / vec
    if rl:
        out["naive run loop / vectorised run_impacts"] = (
            rl["run_impacts_naive_loop_s"]["median"] / rl["run_impacts_vectorised_s"]["median"])
    if cat and b:
        out["BoaviztAPI per card / card_production per card"] = b["ratio_vs_card_production"]
        out["BoaviztAPI per card / card_table per card"] = (
            b["per_card_s"]["median"] / (cat["card_table_s"]["median"] / cat["chips"]))
        if "card_models_mixture_s" in cat:
            bz = b["per_card_s"]["median"]
            out["BoaviztAPI per card / card models (point) per card"] = (
                bz / (cat["card_models_point_s"]["median"] / cat["chips"]))
            out["BoaviztAPI per card / card-model mixture per card and draw"] = (
                bz / (cat["card_models_mixture_s"]["median"]
                      / (cat["chips"] * cat["mixture_draws"])))
    return out


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog=f"--only names: {', '.join((*LIBRARY_PARTS, *COMMAND_PARTS))}; groups: "
               + "; ".join(f"{g} = {','.join(v)}" for g, v in GROUPS.items()))
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help="Epoch notable-models CSV (default: ../shared/data/epoch/...)")
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "latest.json")
    ap.add_argument("--quick", action="store_true",
                    help="one run each, fewer draws (200 / 100 and 200), the commands on the "
                         f"first {commands.QUICK_ROWS} rows of --data and those "
                         f"×{commands.QUICK_TIMES}: a smoke run, targets not evaluated")
    ap.add_argument("--only", metavar="NAME[,NAME]",
                    help="run only these benchmarks or groups (see below)")
    ap.add_argument("--runs", type=int, metavar="N",
                    help="N runs of every benchmark (default: 7 / 5 / 3 by cost, within a time "
                         "budget per command)")
    ap.add_argument("--timeout", type=float, metavar="S",
                    help="kill a command run after S seconds (default: 60 s, 150 s for the "
                         "study, 300 s on the ×30 file)")
    ap.add_argument("--no-boavizta", action="store_true", help="skip the BoaviztAPI baseline")
    args = ap.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        ap.error(f"--runs {args.runs}: must be ≥ 1")
    if args.timeout is not None and args.timeout <= 0:
        ap.error(f"--timeout {args.timeout}: must be > 0")
    try:
        args.selected = selection(args.only, no_boavizta=args.no_boavizta)
    except ValueError as exc:
        ap.error(str(exc))
    if not args.data.is_file():
        ap.error(f"--data {args.data}: no such file (the Epoch notable-models CSV)")
    return args


def selection(only: str | None, *, no_boavizta: bool = False) -> list[str]:
    """The benchmarks to run, in run order, from ``--only`` (names and groups, comma-separated);
    ValueError names an unknown one."""
    order = (*LIBRARY_PARTS, *COMMAND_PARTS)
    if only is None:
        chosen = set(order)
    else:
        chosen = set()
        for name in (n.strip() for n in only.split(",") if n.strip()):
            if name in GROUPS:
                chosen.update(GROUPS[name])
            elif name in order:
                chosen.add(name)
            else:
                raise ValueError(f"--only: unknown benchmark {name!r}; choose from "
                                 f"{', '.join(order)} or the groups {', '.join(GROUPS)}")
    if no_boavizta:
        chosen.discard("boavizta")
    if "boavizta" in chosen:
        chosen.add("catalogue")  # its ratio is against card_production
    return [n for n in order if n in chosen]


def run_library(sel: Sequence[str], data: Path, *, quick: bool,
                runs: int | None) -> dict[str, Any]:
    """The library benchmarks (a–d, loops, BoaviztAPI) in ``sel``; their records."""
    cold_runs, study_runs, repeats = (1, 1, 1) if quick else (7, 3, 5)
    if runs is not None:
        cold_runs = study_runs = repeats = runs
    r: dict[str, Any] = {}
    if "cold-start" in sel:
        print("cold start …", file=sys.stderr)
        r["cold_start"] = bench_cold_start(cold_runs)
    if "imports" in sel:
        r["imports"] = check_imports()
    if "study-lib" in sel:
        print("study (library) …", file=sys.stderr)
        r["study_0"] = bench_study(data, 0, study_runs)
        r["study_10k"] = bench_study(data, 200 if quick else 10_000, study_runs)
    if "catalogue" in sel:
        print("catalogue …", file=sys.stderr)
        r["catalogue"] = bench_catalogue(repeats)
    if "loops" in sel:
        print("naive loops …", file=sys.stderr)
        r["runs_loop"] = bench_runs_loop(data, repeats)
    if "boavizta" in sel:
        print("BoaviztAPI baseline …", file=sys.stderr)
        cat = r["catalogue"]
        r["boavizta"] = bench_boavizta(
            repeats, cat["card_production_vectorised_s"]["median"] / cat["chips"])
    return r


def run_commands(sel: Sequence[str], data: Path, *, quick: bool, runs: int | None,
                 timeout_s: float | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The command cases in ``sel``: (their records with verdicts, the input files used)."""
    if not any(n in COMMAND_PARTS for n in sel):
        return [], {}
    big = any(n in GROUPS["x30"] for n in sel)
    recs = []
    with tempfile.TemporaryDirectory(prefix="trainlca-bench-data-") as tmp:
        files = commands.prepare_files(data, Path(tmp), quick=quick, big=big)
        cases = [c for c in commands.default_cases(quick=quick, times=files.times)
                 if c.name in sel]
        if any(c.name.startswith("study") for c in cases):
            commands.warm_imports()
        for case in cases:
            print(f"{case.name}: {case.command()} …", file=sys.stderr)
            rec = commands.run_case(case, BIN / "trainlca", files, runs=runs,
                                    timeout_s=timeout_s, cwd=REPO)
            rec["verdicts"] = commands.verdicts(case, rec, quick=quick)
            med = rec["wall_s"]["median"] if rec["wall_s"] else None
            print(f"  {rec['status']}, {rec['runs']} run(s)"
                  + (f", median {med:.2f} s" if med is not None else ""), file=sys.stderr)
            recs.append(rec)
        used = {"data": str(data if not quick else f"first {commands.QUICK_ROWS} rows of {data}"),
                "repeated": f"×{files.times}" if big else None}
    return recs, used


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    quick, sel = bool(args.quick), args.selected
    r: dict[str, Any] = {"machine": machine_info(), "quick": quick, "data": str(args.data),
                         "selected": sel}
    r["machine"]["speed_probe_s"] = speed_probe(1 if quick else 5)
    r.update(run_library(sel, args.data, quick=quick, runs=args.runs))
    r["ratios"] = ratios(r)
    r["commands"], r["command_files"] = run_commands(sel, args.data, quick=quick, runs=args.runs,
                                                     timeout_s=args.timeout)
    r["targets"] = library_targets(r, quick=quick) + [
        v for rec in r["commands"] for v in rec["verdicts"]]
    r["targets_met"] = {v["name"]: v["verdict"] == "met" for v in r["targets"]}
    r["machine"]["loadavg_end"] = list(os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    render(r)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
