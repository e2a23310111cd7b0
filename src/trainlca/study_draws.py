"""The study's Monte Carlo, in blocks: every scenario's 90 % interval per system and per-draw
trend fits, in bounded memory whatever the number of systems and draws.

Two facts make it cheap:

- scenarios share work: ``baseline`` and ``location-shift`` run the same hardware (energy and
  production are the same arrays; only the use stage changes with the grid), and so do
  ``efficient-hardware`` and ``both`` — so the model's hardware part runs once per hardware set
  (``run.run_hardware``) and its use part once per scenario (``run.run_use``), and the energy,
  which no grid enters, is reduced once per hardware set;
- draws are independent and so are systems: a per-draw trend fit needs every system of a draw,
  a per-system percentile every draw of a system. When the (draws × systems) arrays fit in
  ``BLOCK_CELLS``, one pass gives both. Otherwise pass A runs blocks of draws (all systems) and
  keeps each draw's least-squares statistics (``trends.DrawStats``), and pass B runs blocks of
  systems (all draws) and keeps their percentiles. Every value is computed by the same
  elementwise formulas in either layout, so the blocked result equals the unblocked one bit for
  bit.

Peak memory is about 40 arrays of ``BLOCK_CELLS`` float64 cells (the model's temporaries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import numpy as np

from trainlca.criteria import CRITERIA
from trainlca.params import FloatArray
from trainlca.presets import Boundary
from trainlca.run import Impacts, RunInputs, run_hardware, run_use
from trainlca.trends import DrawFit, DrawStats, draw_stats, fit_stats
from trainlca.uncertainty import Sample

#: Cells (draws × systems) of one block: 1 M float64 cells = 8 MB per array (measured: 10,000
#: draws × 294 systems in 2 passes of blocks is faster than one 2.9 M-cell pass, at half the
#: memory).
BLOCK_CELLS: Final[int] = 1_000_000
#: The quantities reduced per scenario: energy and the total of every criterion.
QUANTITIES: Final[tuple[str, ...]] = ("energy", *CRITERIA)


@dataclass(frozen=True)
class ScenarioLayout:
    """A scenario: which hardware set (index) and which grid (name) its runs use."""

    name: str
    hardware: int
    grid: str


@dataclass
class ScenarioDraws:
    """One scenario's Monte Carlo summary: p5 and p95 per system (R,) and the per-draw trend
    fit of each quantity."""

    p5: dict[str, FloatArray] = field(default_factory=dict)
    p95: dict[str, FloatArray] = field(default_factory=dict)
    fits: dict[str, DrawFit] = field(default_factory=dict)


Step = Callable[[str], None]

#: Share of pass B's systems the helper takes (measured: pass B in the helper runs ~1.2× as
#: long as pass A here, the two competing for memory bandwidth; this process does the rest
#: after pass A).
HELPER_SHARE: Final[float] = 0.9


class Helper(Protocol):
    """A second process that runs a named pure function on picklable arguments
    (``trainlca.worker.Worker``): pass B runs there while pass A runs here."""

    def call(self, ref: str, *args: Any) -> int | None: ...

    def wait(self, job: int | None) -> tuple[bool, Any]: ...


def _totals(hw_runs: Sequence[RunInputs], grids: Mapping[str, Mapping[str, FloatArray]],
            provider_class: Sequence[np.ndarray | None], layout: Sequence[ScenarioLayout],
            p: Sample, boundary: Boundary) -> Iterator[tuple[str, dict[str, FloatArray]]]:
    """(scenario, energy and totals per criterion) for the runs and draws given, one hardware
    set at a time: its hardware part is freed before the next set is computed."""
    for h in dict.fromkeys(sc.hardware for sc in layout):
        part = run_hardware(hw_runs[h], p, boundary)
        for sc in (sc for sc in layout if sc.hardware == h):
            imp: Impacts = run_use(part, grids[sc.grid], provider_class[h], p, boundary)
            yield sc.name, {"energy": imp.energy_kwh, **{c: imp.total(c) for c in CRITERIA}}
            del imp
        del part


def _percentiles(a: FloatArray) -> tuple[FloatArray, FloatArray]:
    p5, p95 = np.percentile(a, [5, 95], axis=0)
    return p5, p95


def _same_energy(layout: Sequence[ScenarioLayout]) -> dict[str, str]:
    """Each scenario whose energy is another's (same hardware set) → that scenario."""
    first: dict[int, str] = {}
    out: dict[str, str] = {}
    for sc in layout:
        out[sc.name] = first.setdefault(sc.hardware, sc.name)
    return out


def scenario_draws(
    hw_runs: Sequence[RunInputs],
    grids: Mapping[str, Mapping[str, FloatArray]],
    layout: Sequence[ScenarioLayout],
    samples: Sample,
    boundary: Boundary,
    year: FloatArray,
    *,
    seed: int,
    block_cells: int | None = None,
    step: Step | None = None,
    helper: Helper | None = None,
) -> dict[str, ScenarioDraws]:
    """Percentiles per system and per-draw fits of every scenario (see the module docstring).

    Args:
        hw_runs: the runs of each hardware set (their own grid is not used: ``grids`` is).
        grids: grid factors per criterion (R,), by name.
        layout: the scenarios.
        samples: the parameter draws (D).
        boundary: the preset's boundary.
        year: decimal publication year of each system (R,), the x of the fits.
        seed: seed of the fits' t-samples.
        block_cells: cells (draws × systems) of one block (default :data:`BLOCK_CELLS`).
        helper: a second process; when the draws need two passes, pass B (percentiles) runs
            there while pass A (fits) runs here. Same results either way (if it fails, pass
            B runs here).
    """
    assert samples.draws is not None
    block_cells = BLOCK_CELLS if block_cells is None else block_cells
    d, r = samples.draws, len(hw_runs[0])
    pcls = [ri.provider_class for ri in hw_runs]
    same = _same_energy(layout)
    out = {sc.name: ScenarioDraws() for sc in layout}
    tell = step or (lambda _m: None)
    if d * r <= block_cells:
        tell(f"Monte Carlo: {r} systems × {d} draws in one block")
        _one_pass(hw_runs, grids, pcls, layout, samples, boundary, year, seed, same, out)
        return out
    cols = max(1, block_cells // d)
    # the helper takes pass B for the first systems; this process, after pass A, the rest
    cut = r if helper is None else min(r, max(cols, round(r * HELPER_SHARE)))
    job = None if helper is None else helper.call(
        "trainlca.study_draws:percentiles_by_system_blocks", hw_runs, grids, pcls, layout,
        samples, boundary, cols, same, None, 0, cut)
    _fits_by_draw_blocks(hw_runs, grids, pcls, layout, samples, boundary, year, seed,
                         max(1, block_cells // r), same, out, tell)
    tail = percentiles_by_system_blocks(hw_runs, grids, pcls, layout, samples, boundary, cols,
                                        same, tell, cut, r) if cut < r else {}
    ok, remote = (False, None) if helper is None or job is None else helper.wait(job)
    head: Mapping[tuple[str, str], tuple[FloatArray, FloatArray]] = (
        remote if ok and isinstance(remote, dict) else percentiles_by_system_blocks(
            hw_runs, grids, pcls, layout, samples, boundary, cols, same, tell, 0, cut))
    _merge_percentiles(_joined(head, tail), layout, same, out)
    return out


def _one_pass(hw_runs: Sequence[RunInputs], grids: Mapping[str, Mapping[str, FloatArray]],
              pcls: Sequence[np.ndarray | None], layout: Sequence[ScenarioLayout],
              samples: Sample, boundary: Boundary, year: FloatArray, seed: int,
              same: Mapping[str, str], out: dict[str, ScenarioDraws]) -> None:
    """Every draw and system at once: percentiles and per-draw fits from the same arrays."""
    for name, totals in _totals(hw_runs, grids, pcls, layout, samples, boundary):
        for q in QUANTITIES:
            if q == "energy" and same[name] != name:
                _copy_energy(out[same[name]], out[name])
                continue
            a = totals[q]
            out[name].p5[q], out[name].p95[q] = _percentiles(a)
            out[name].fits[q] = fit_stats(draw_stats(year, a), seed=seed)


Percentiles = Mapping[tuple[str, str], tuple[FloatArray, FloatArray]]


def _joined(head: Percentiles, tail: Percentiles) -> Percentiles:
    """Per-system (p5, p95) of the first systems, then of the rest."""
    return {key: (np.concatenate([p5, tail[key][0]]), np.concatenate([p95, tail[key][1]]))
            if key in tail else (p5, p95) for key, (p5, p95) in head.items()}


def _copy_energy(src: ScenarioDraws, dst: ScenarioDraws) -> None:
    for attr in ("p5", "p95", "fits"):
        if "energy" in getattr(src, attr):
            getattr(dst, attr)["energy"] = getattr(src, attr)["energy"]


def _fits_by_draw_blocks(hw_runs: Sequence[RunInputs],
                         grids: Mapping[str, Mapping[str, FloatArray]],
                         pcls: Sequence[np.ndarray | None], layout: Sequence[ScenarioLayout],
                         samples: Sample, boundary: Boundary, year: FloatArray, seed: int,
                         rows: int, same: Mapping[str, str], out: dict[str, ScenarioDraws],
                         tell: Step) -> None:
    """Pass A: blocks of ``rows`` draws over all systems → per-draw fit statistics."""
    assert samples.draws is not None
    stats: dict[tuple[str, str], list[DrawStats]] = {}
    for start in range(0, samples.draws, rows):
        tell(f"Monte Carlo fits: draws {start + 1}–{min(start + rows, samples.draws)}")
        block = samples.take(slice(start, start + rows))
        for name, totals in _totals(hw_runs, grids, pcls, layout, block, boundary):
            for q in QUANTITIES:
                if q == "energy" and same[name] != name:
                    continue
                stats.setdefault((name, q), []).append(draw_stats(year, totals[q]))
    for (name, q), parts in stats.items():
        out[name].fits[q] = fit_stats(DrawStats.concat(parts), seed=seed)
    for sc in layout:
        if same[sc.name] != sc.name:
            out[sc.name].fits["energy"] = out[same[sc.name]].fits["energy"]


def percentiles_by_system_blocks(hw_runs: Sequence[RunInputs],
                                 grids: Mapping[str, Mapping[str, FloatArray]],
                                 pcls: Sequence[np.ndarray | None],
                                 layout: Sequence[ScenarioLayout], samples: Sample,
                                 boundary: Boundary, cols: int, same: Mapping[str, str],
                                 tell: Step | None = None, first: int = 0,
                                 stop: int | None = None
                                 ) -> dict[tuple[str, str], tuple[FloatArray, FloatArray]]:
    """Pass B on systems ``first`` … ``stop`` − 1 (default all): blocks of ``cols`` systems
    over all draws → (scenario, quantity) → their (p5, p95). A top-level function of plain
    data: the second process runs it."""
    r = len(hw_runs[0]) if stop is None else stop
    chunks: dict[tuple[str, str], list[tuple[FloatArray, FloatArray]]] = {}
    for start in range(first, r, cols):
        if tell is not None:
            tell(f"Monte Carlo intervals: systems {start + 1}–{min(start + cols, r)}")
        idx = np.arange(start, min(start + cols, r))
        sub = [ri.take(idx) for ri in hw_runs]
        sub_grids = {k: {c: np.atleast_1d(v[idx]) for c, v in g.items()}
                     for k, g in grids.items()}
        for name, totals in _totals(sub, sub_grids, [ri.provider_class for ri in sub], layout,
                                    samples, boundary):
            for q in QUANTITIES:
                if q == "energy" and same[name] != name:
                    continue
                chunks.setdefault((name, q), []).append(_percentiles(totals[q]))
    return {key: (np.concatenate([a for a, _ in parts]), np.concatenate([b for _, b in parts]))
            for key, parts in chunks.items()}


def _merge_percentiles(chunks: Mapping[tuple[str, str], tuple[FloatArray, FloatArray]],
                       layout: Sequence[ScenarioLayout], same: Mapping[str, str],
                       out: dict[str, ScenarioDraws]) -> None:
    for (name, q), (p5, p95) in chunks.items():
        out[name].p5[q], out[name].p95[q] = p5, p95
    for sc in layout:
        if same[sc.name] != sc.name:
            out[sc.name].p5["energy"] = out[same[sc.name]].p5["energy"]
            out[sc.name].p95["energy"] = out[same[sc.name]].p95["energy"]
