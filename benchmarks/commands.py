"""The user-facing commands, timed as whole processes, beside the targets of their speed issue.

Each case is one ``trainlca …`` command line as a user types it (the study WITH its figures and
HTML report), run several times in a fresh process; each run gives wall time and peak memory (see
``children.py``). A case stops early when a run fails or times out (the failure is reported, not
raised), or, at the default run counts, when one more run would pass its time budget, so that the
whole ``make bench`` stays within ~10 minutes on 2 cores even while the code is slow.

Targets (issue "Speed of the whole command", 2,000 = the default draws): study 0 draws ≤ 2 s,
2,000 ≤ 3 s, 10,000 ≤ 5 s; the notable-models file ×30 (~8,800 systems) at 2,000 draws ≤ 12 s and
≤ 1 GiB, at 10,000 draws ≤ 1 GiB; ``cards`` ≤ 0.5 s; ``estimate --plot`` ≤ 0.8 s; ``estimate``
< 0.5 s (the cold-start target). Wall targets are checked on the median run, memory targets on
the largest peak of any run.
"""

from __future__ import annotations

import csv
import json
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from children import ChildRun, run_timed, stats

GIB = 1024.0  # MiB
#: Rows of --data kept for the small file of --quick, and how often it is repeated there.
QUICK_ROWS = 300
QUICK_TIMES = 3
#: The Epoch CSV's model-name column (current name first; older exports call it ``System``).
NAME_COLUMNS = ("Model", "System")
ESTIMATE = ("estimate", "-H", "H100 SXM5", "-n", "8", "--hours", "10")
STUDY_OUTPUTS = ("study/study.json", "study/report.html", "study/figures")


@dataclass(frozen=True)
class Target:
    """A command's target: wall time (median run) and/or peak memory (largest run)."""

    wall_s: float | None = None
    memory_mib: float | None = None

    def describe(self) -> str:
        parts = []
        if self.wall_s is not None:
            parts.append(f"≤ {self.wall_s:g} s")
        if self.memory_mib is not None:
            m = self.memory_mib
            parts.append(f"≤ {m / GIB:g} GiB" if m >= GIB else f"≤ {m:g} MiB")
        return ", ".join(parts)


@dataclass(frozen=True)
class Case:
    """One command to time.

    ``args`` follow the ``trainlca`` executable; ``{data}``, ``{big}`` and ``{out}`` in them are
    replaced by the data file, the repeated file and a fresh directory of this case. ``outputs``
    are paths under ``{out}`` that a successful run must have written. ``budget_s``: at the
    default run count no run starts once elapsed time + the last run would pass it.
    """

    name: str
    label: str
    args: tuple[str, ...]
    target: Target
    runs: int
    budget_s: float
    timeout_s: float
    outputs: tuple[str, ...] = ()
    warm_up: bool = False

    def command(self) -> str:
        return shlex.join(["trainlca", *self.args])


@dataclass(frozen=True)
class Files:
    """The input files of the study cases: the data file and the same rows repeated."""

    data: Path
    big: Path | None
    times: int


# --- the inputs ----------------------------------------------------------------------------------


def repeat_rows(src: Path, dest: Path, times: int, *, limit: int | None = None) -> int:
    """Write the first ``limit`` (default all) rows of the Epoch CSV ``src`` into ``dest``,
    ``times`` times over; copy k ≥ 1 of a row gets the model name ``"<name> (copy k)"`` so that
    every system stays distinct. Returns the number of data rows written."""
    with src.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for _, row in zip(range(limit), reader, strict=False)] if limit \
            else list(reader)
    name_col = next((header.index(c) for c in NAME_COLUMNS if c in header), None)
    if name_col is None:
        raise SystemExit(f"{src}: no {' or '.join(NAME_COLUMNS)} column to make names distinct")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for k in range(times):
            for row in rows:
                if k and name_col < len(row):
                    row = [*row[:name_col], f"{row[name_col]} (copy {k})", *row[name_col + 1:]]
                writer.writerow(row)
    return len(rows) * times


def prepare_files(data: Path, workdir: Path, *, quick: bool, big: bool) -> Files:
    """The study inputs: ``data`` itself and ``data`` ×30 (``big``), or for ``quick`` its first
    :data:`QUICK_ROWS` rows and those ×:data:`QUICK_TIMES`; written under ``workdir``."""
    times = QUICK_TIMES if quick else 30
    limit = QUICK_ROWS if quick else None
    if quick:
        small = workdir / "small.csv"
        repeat_rows(data, small, 1, limit=limit)
        data = small
    big_path = workdir / f"x{times}.csv" if big else None
    if big_path is not None:
        repeat_rows(data, big_path, times)
    return Files(data=data, big=big_path, times=times)


# --- the cases -----------------------------------------------------------------------------------


def _study(name: str, draws: int, target: Target, *, file: str = "{data}", label: str = "",
           runs: int = 5, budget_s: float = 75.0, timeout_s: float = 150.0,
           figures: bool = True) -> Case:
    args = ("study", "--data", file, "--out", "{out}/study", "--force", "--offline",
            "--draws", str(draws), *(() if figures else ("--no-figures",)))
    outputs = STUDY_OUTPUTS if figures else STUDY_OUTPUTS[:1]
    return Case(name, label or f"trainlca study, {draws:,} draws", args, target, runs, budget_s,
                timeout_s, outputs)


def default_cases(*, quick: bool, times: int = 30) -> list[Case]:
    """Every command case; ``quick``: one run each and 0/100/200 draws instead of
    0/2,000/10,000 (a smoke run: targets are not evaluated)."""
    d2k, d10k = (100, 200) if quick else (2000, 10_000)
    big = f"trainlca study, file ×{times}"
    cases = [
        _study("study-0", 0, Target(wall_s=2.0)),
        _study("study-2k", d2k, Target(wall_s=3.0)),
        _study("study-10k", d10k, Target(wall_s=5.0)),
        _study("study-x30-2k", d2k, Target(wall_s=12.0, memory_mib=GIB), file="{big}",
               label=f"{big}, {d2k:,} draws", runs=3, budget_s=120.0, timeout_s=300.0),
        _study("study-x30-10k", d10k, Target(memory_mib=GIB), file="{big}",
               label=f"{big}, {d10k:,} draws", runs=3, budget_s=120.0, timeout_s=300.0),
        _study("study-nofig", d10k, Target(memory_mib=GIB), runs=1, budget_s=60.0,
               label=f"trainlca study --no-figures, {d10k:,} draws", figures=False),
        Case("cards", "trainlca cards", ("cards",), Target(wall_s=0.5), 7, 30.0, 60.0,
             warm_up=True),
        Case("estimate", "trainlca estimate (cold)", ESTIMATE, Target(wall_s=0.5), 7, 30.0,
             60.0, warm_up=True),
        Case("estimate-plot", "trainlca estimate --plot FILE.png",
             (*ESTIMATE, "--plot", "{out}/run.png", "--force"), Target(wall_s=0.8), 7, 30.0,
             60.0, ("run.png",), warm_up=True),
    ]
    if quick:
        cases = [Case(c.name, c.label, c.args, c.target, 1, c.budget_s, c.timeout_s, c.outputs)
                 for c in cases]
    return cases


# --- running a case ------------------------------------------------------------------------------


def _missing(out: Path, outputs: Sequence[str]) -> list[str]:
    return [p for p in outputs if not (out / p).exists()
            or ((out / p).is_file() and (out / p).stat().st_size == 0)
            or ((out / p).is_dir() and not any((out / p).iterdir()))]


def _systems(out: Path) -> int | None:
    try:
        meta = json.loads((out / "study" / "study.json").read_text(encoding="utf-8"))
        return int(meta["systems_assessed"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _runs(case: Case, argv: list[str], out: Path, *, runs: int | None,
          timeout_s: float | None, cwd: Path | None) -> tuple[list[ChildRun], ChildRun | None, str]:
    """The counted runs of one case: (good runs, the failed run or None, why it failed)."""
    done: list[ChildRun] = []
    started = time.perf_counter()
    for _ in range(runs or case.runs):
        if runs is None and done and (
                time.perf_counter() - started + done[-1].wall_s > case.budget_s):
            break
        r = run_timed(argv, cwd=cwd, timeout_s=timeout_s or case.timeout_s)
        missing = _missing(out, case.outputs) if r.ok else []
        if not r.ok or missing:
            return done, r, r.failure() or f"failed: wrote no {', '.join(missing)}"
        done.append(r)
    return done, None, ""


def run_case(case: Case, trainlca: Path, files: Files, *, runs: int | None = None,
             timeout_s: float | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Run one case (warm-up, then its runs) in a fresh directory; its record for the JSON.

    ``runs`` / ``timeout_s`` override the case's (an explicit run count ignores the budget)."""
    with tempfile.TemporaryDirectory(prefix=f"trainlca-bench-{case.name}-") as tmp:
        out = Path(tmp)
        subst = {"data": str(files.data), "big": str(files.big or ""), "out": tmp}
        argv = [str(trainlca), *(a.format_map(subst) for a in case.args)]
        if case.warm_up:  # file cache and .pyc; not counted
            run_timed(argv, cwd=cwd, timeout_s=timeout_s or case.timeout_s, sample_s=None)
        done, bad, failure = _runs(case, argv, out, runs=runs, timeout_s=timeout_s, cwd=cwd)
        systems = _systems(out)
    tree = [r.tree_pss_mib for r in done if r.tree_pss_mib is not None]
    rec: dict[str, Any] = {
        "name": case.name, "label": case.label, "command": case.command(),
        "status": failure or "ok", "runs": len(done), "systems": systems,
        "target": case.target.describe(),
        "wall_s": stats([r.wall_s for r in done]) if done else None,
        "peak_mib": stats([r.peak_mib for r in done]) if done else None,
        "tree_pss_mib": stats(tree) if done and len(tree) == len(done) else None,
        "tree_procs": max((r.tree_procs for r in done), default=1),
        "memory_mib_max": max((r.memory_mib for r in done), default=None),
    }
    if bad is not None:
        rec["failed_run"] = {"wall_s": bad.wall_s, "peak_mib": bad.peak_mib,
                             "memory_mib": bad.memory_mib, "returncode": bad.returncode,
                             "timed_out": bad.timed_out, "stderr": bad.stderr_tail}
    return rec


# --- verdicts ------------------------------------------------------------------------------------


def _verdict(ok: bool | None, rec: dict[str, Any], quick: bool) -> str:
    if quick:
        return "not evaluated (quick)"
    if rec["status"] == "ok":
        return "met" if ok else "MISSED"
    why = "timed out" if rec["status"].startswith("timed out") else "failed"
    return f"MISSED ({why})" if ok is False else why


def verdicts(case: Case, rec: dict[str, Any], *, quick: bool) -> list[dict[str, Any]]:
    """One entry per target of ``case``: target, what was measured, and met / MISSED / timed out /
    failed / not evaluated (quick)."""
    out: list[dict[str, Any]] = []
    bad = rec.get("failed_run") or {}
    if case.target.wall_s is not None:
        wall = rec["wall_s"]["median"] if rec["wall_s"] else None
        ok = None if wall is None else wall <= case.target.wall_s
        if wall is None and bad.get("timed_out") and bad["wall_s"] > case.target.wall_s:
            ok = False  # killed at the timeout, past the target
        out.append({"name": f"{case.label}: wall (median)",
                    "target": f"≤ {case.target.wall_s:g} s", "measured": wall, "unit": "s",
                    "kind": "wall", "verdict": _verdict(ok, rec, quick)})
    if case.target.memory_mib is not None:
        mem = rec["memory_mib_max"]
        seen = max(mem or 0.0, bad.get("memory_mib", 0.0))
        ok = None if mem is None else mem <= case.target.memory_mib
        if seen > case.target.memory_mib:
            ok = False
        out.append({"name": f"{case.label}: peak memory (largest run)",
                    "target": Target(memory_mib=case.target.memory_mib).describe(),
                    "measured": mem, "unit": "MiB", "kind": "memory",
                    "verdict": _verdict(ok, rec, quick)})
    return out


def warm_imports(python: Path | str = sys.executable) -> None:
    """Read the study's heavy modules once (file cache), so that its first counted run is not
    also the first read from disk."""
    code = ("import importlib\n"
            "for m in ('numpy', 'pandas', 'matplotlib.pyplot', 'scipy.special', 'rich',\n"
            "          'trainlca.study', 'trainlca.report.html'):\n"
            "    try:\n        importlib.import_module(m)\n"
            "    except Exception:\n        pass\n")
    run_timed([str(python), "-c", code], timeout_s=120, sample_s=None)
