"""MLCA's own published results, recomputed by trainlca from their inputs (``validate --mlca``).

Each verbose result of MLCA (``POST /v1/mlca/?verbose=true``; blubrom/MLCA ``results/``) prints
every input it used: nodes, duration, GPU and CPU usage, ``psf``, lifetime
(``hardware_replacement_rate``) and use ratio (``average_usage``), the grid factors, the dynamic
ratio, the server's components and the GPU (die size, memory, memory density, TDP). We build the
same run for our engine — the case's server (``servers.mlca``), its GPU, the ``mlca`` preset with
the case's L, u_a, ρ, dynamic ratio, GPU usage (``power_fraction``) and CPU usage — and compare
energy and GWP / PE / ADPe of production and use (and the production split host / GPUs).

Inputs not printed, and how we get them:

- GPUs per node: from the node power MLCA printed (``hours_electrical_consumption`` =
  (n · TDP · gpu_usage + RAM GB · 0.3725 + CPU TDP · cpu_usage) / 1000 kW), or, with
  ``gpu_usage`` 0, from the embodied GPU split (= nodes · H · n · I_gpu / (L · 8760 · u_a));
  rounded to a whole number.
- The dynamic ratio applied: the input if one was given, else MLCA's default 200/109. (MLCA's
  results dated 22-01-24 print 1 as the used value; its commit d2d8a42 fixes that printing.)

MLCA rounds its outputs to 2-3 significant figures: a comparison agrees when our value is within
2 % of the printed one or rounds to it at the printed precision (:attr:`MlcaComparison.agrees`).
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from trainlca.cells import parse_number
from trainlca.criteria import CRITERIA
from trainlca.errors import DataFileError
from trainlca.params import FloatArray
from trainlca.production import card_production
from trainlca.run import Hardware, RunInputs
from trainlca.runspec import RunSpec
from trainlca.servers import Server, host_power_w
from trainlca.servers.mlca import SERVER_KEY, server_from_verbose, used

__all__ = ["QUANTITIES", "SPLITS", "TOLERANCE", "MlcaCase", "MlcaComparison", "MlcaValidation",
           "format_table", "load_mlca_case", "load_mlca_cases", "recompute", "validate_mlca"]

#: Relative tolerance of the comparison.
TOLERANCE: Final[float] = 0.02
#: MLCA's default dynamic ratio (BLOOM: 200 kWh in all per 109 kWh of compute).
MLCA_DYNAMIC_RATIO: Final[float] = 200 / 109
#: MLCA's RAM power, W/GB (used only to infer the GPUs per node from the node power).
MLCA_RAM_W_PER_GB: Final[float] = 0.3725
#: Compared quantities: energy, and production (``embodied``) and use (``direct``) per criterion.
QUANTITIES: Final[tuple[str, ...]] = (
    "energy", "gwp_production", "gwp_use", "pe_production", "pe_use", "adpe_production",
    "adpe_use")
#: The production split MLCA prints (``verbose`` → ``embodied impacts``).
SPLITS: Final[tuple[str, ...]] = (
    "gwp_production_host", "gwp_production_gpus", "pe_production_host", "pe_production_gpus",
    "adpe_production_host", "adpe_production_gpus")
UNITS: Final[Mapping[str, str]] = {"energy": "kWh", "gwp": "kgCO2eq", "pe": "MJ",
                                   "adpe": "kgSbeq"}
_MLCA_CRITERION: Final[Mapping[str, str]] = {"gwp": "gwp", "pe": "pe", "adpe": "adp"}
_PRODUCTION_CRITERIA: Final[tuple[str, ...]] = ("gwp", "pe", "adpe")


# --------------------------------------------------------------------------- one case


@dataclass(frozen=True)
class MlcaCase:
    """One MLCA result: the inputs it printed and the values it reported.

    Attributes:
        id: the file's path under the results folder, without ``.json``.
        nodes, gpus_per_node, hours, psf: run size; H = psf · nodes · gpus_per_node · hours.
        gpu_usage, cpu_usage: loads (fractions of TDP).
        lifetime_years, use_ratio: L and u_a.
        dynamic_ratio: the ratio MLCA applied.
        grid: kgCO2eq, kgSbeq, MJ per kWh.
        tdp_w, die_area_cm2, memory_gb, memory_density: the GPU.
        server: MLCA's server of the case.
        reported: quantity → value printed by MLCA (:data:`QUANTITIES`, :data:`SPLITS`).
        notes: how inputs that are not printed were obtained.
    """

    id: str
    nodes: float
    gpus_per_node: int
    hours: float
    psf: float
    gpu_usage: float
    cpu_usage: float
    lifetime_years: float
    use_ratio: float
    dynamic_ratio: float
    location: str
    grid: Mapping[str, float]
    tdp_w: float
    die_area_cm2: float
    memory_gb: float
    memory_density: float
    server: Server
    reported: Mapping[str, float]
    notes: tuple[str, ...] = ()

    @property
    def accelerator_hours(self) -> float:
        return self.psf * self.nodes * self.gpus_per_node * self.hours


def _obj(parent: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = parent.get(key)
    if not isinstance(value, Mapping):
        raise DataFileError(f"{where}: missing '{key}' (an MLCA verbose result has it)")
    return value


def _num(value: Any, where: str) -> float:
    out = parse_number(value, where, required=True)
    assert out is not None
    return out


def _hours(usage: Mapping[str, Any], where: str) -> float:
    """MLCA's duration: years · 8760 + days · 24 + hours + minutes / 60, h."""
    parts = {"years_use_time": 8760.0, "days_use_time": 24.0, "hours_use_time": 1.0,
             "minute_use_time": 1 / 60}
    return sum((used(usage, k, where, required=False) or 0.0) * f for k, f in parts.items())


def _dynamic_ratio(usage: Mapping[str, Any], where: str) -> tuple[float, tuple[str, ...]]:
    attr = _obj(usage, "dynamic_ratio", where)
    given = parse_number(attr.get("input_value"), f"{where}.dynamic_ratio.input_value")
    ratio = MLCA_DYNAMIC_RATIO if given is None else given
    printed = _num(attr.get("used_value"), f"{where}.dynamic_ratio.used_value")
    if abs(printed - ratio) > 1e-9:
        return ratio, (f"dynamic ratio printed {printed:g}; MLCA applied "
                       f"{'its default 200/109' if given is None else f'the input {given:g}'} "
                       "(printing fixed in MLCA d2d8a42)",)
    return ratio, ()


def _reported(doc: Mapping[str, Any], where: str) -> dict[str, float]:
    impacts = _obj(doc, "impacts", where)
    out = {"energy": _num(_obj(impacts, "energy consumption", where).get("value"),
                          f"{where}: energy consumption")}
    split = _obj(_obj(doc, "verbose", where), "embodied impacts", where)
    for c in _PRODUCTION_CRITERIA:
        m = _obj(impacts, _MLCA_CRITERION[c], where)
        out[f"{c}_production"] = _num(m.get("embodied"), f"{where}: {c} embodied")
        out[f"{c}_use"] = _num(m.get("direct"), f"{where}: {c} direct")
        s = _obj(split, _MLCA_CRITERION[c], where)
        out[f"{c}_production_host"] = _num(s.get("server"), f"{where}: {c} server")
        out[f"{c}_production_gpus"] = _num(s.get("gpus"), f"{where}: {c} gpus")
    return out


def _gpu(verbose: Mapping[str, Any], where: str) -> tuple[float, float, float, float]:
    """TDP W, die area cm², memory GB, memory density GB/cm² of MLCA's GPU."""
    gpu = _obj(verbose, "manufacture of one gpu", where)
    w = f"{where}: gpu"
    mem_block = gpu.get("memory")
    memory: Mapping[str, Any] = mem_block if isinstance(mem_block, Mapping) else {}
    density = used(memory, "density", w, required=False, positive=True)
    return (_num(used(gpu, "tdp", w), f"{w}.tdp"), _num(used(gpu, "die_size", w), f"{w}.die"),
            used(gpu, "memory_size", w, required=False) or 0.0,
            0.625 if density is None else density)


@dataclass(frozen=True)
class _Inputs:
    """The inputs of a case before the GPUs per node are known."""

    nodes: float
    hours: float
    psf: float
    gpu_usage: float
    cpu_usage: float
    lifetime_years: float
    use_ratio: float
    node_kw: float
    gpu: tuple[float, float, float, float]


def _gpus_per_node(inp: _Inputs, reported: Mapping[str, float], server: Server,
                   where: str) -> tuple[int, tuple[str, ...]]:
    """GPUs per node from the node power, else (no GPU load) from the embodied GPU split."""
    tdp, die, mem, rho = inp.gpu
    if inp.gpu_usage > 0:
        host = host_power_w(server, {"host_cpu_usage": inp.cpu_usage,
                                     "host_ram_w_per_gb": MLCA_RAM_W_PER_GB,
                                     "host_cpu_spread": 0.0, "host_ram_spread": 0.0})
        n = (inp.node_kw * 1000.0 - float(host)) / (tdp * inp.gpu_usage)
        source = "node power"
    else:
        card = card_production(die, mem, _mlca_card_params(rho), transport=False, water=False)
        # MLCA's printed split leaves psf out; it has 1-2 significant figures
        share = inp.nodes * inp.hours / (inp.lifetime_years * 8760 * inp.use_ratio)
        n = statistics.median(reported[f"{c}_production_gpus"] / (share * float(card[c]))
                              for c in _PRODUCTION_CRITERIA)
        source = "embodied GPU split"
    slack = 0.05 if inp.gpu_usage > 0 else 0.25
    if n < 0.5 or abs(n - round(n)) > slack * max(1.0, round(n) / 4):
        raise DataFileError(f"{where}: cannot infer the GPUs per node ({n:.2f} from the {source})")
    return round(n), (f"GPUs per node {round(n)} from MLCA's {source}",)


def _mlca_card_params(rho: float) -> dict[str, float]:
    from trainlca.presets import get_preset

    p = {k: v.value for k, v in get_preset("mlca").params().items()}
    p["rho"] = rho
    return p


def _inputs(verbose: Mapping[str, Any], where: str) -> _Inputs:
    usage = _obj(verbose, "usage", where)
    return _Inputs(
        nodes=_num(used(verbose, "nb_nodes", where), f"{where}: nb_nodes"),
        hours=_hours(usage, f"{where}: usage"),
        psf=used(verbose, "psf", where, required=False) or 1.0,
        gpu_usage=_num(used(verbose, "gpu_usage", where), f"{where}: gpu_usage"),
        cpu_usage=_num(used(verbose, "cpu_usage", where), f"{where}: cpu_usage"),
        lifetime_years=_num(used(verbose, "hardware_replacement_rate", where, positive=True),
                            f"{where}: lifetime"),
        use_ratio=_num(used(verbose, "average_usage", where, positive=True),
                       f"{where}: average_usage"),
        node_kw=_num(used(usage, "hours_electrical_consumption", where), f"{where}: power"),
        gpu=_gpu(verbose, where),
    )


def load_mlca_case(path: str | Path, root: str | Path | None = None) -> MlcaCase:
    """One MLCA verbose result (``root``: the folder its id is relative to)."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(f"{p}: not a readable JSON file ({exc})") from None
    where = str(p)
    verbose = _obj(doc, "verbose", where)
    _obj(verbose, SERVER_KEY, where)
    inp, reported = _inputs(verbose, where), _reported(doc, where)
    probe = server_from_verbose(doc, where, accelerators=1)
    n, how = _gpus_per_node(inp, reported, probe, where)
    usage = _obj(verbose, "usage", where)
    ratio, ratio_note = _dynamic_ratio(usage, f"{where}: usage")
    tdp, die, mem, rho = inp.gpu
    rel = p.relative_to(root) if root is not None else Path(p.name)
    return MlcaCase(
        id=str(rel.with_suffix("")), nodes=inp.nodes, gpus_per_node=n, hours=inp.hours,
        psf=inp.psf, gpu_usage=inp.gpu_usage, cpu_usage=inp.cpu_usage,
        lifetime_years=inp.lifetime_years, use_ratio=inp.use_ratio, dynamic_ratio=ratio,
        location=str(_obj(usage, "usage_location", where).get("used_value", "")),
        grid={c: _num(used(usage, f"{_MLCA_CRITERION[c]}_factor", where), f"{where}: {c}")
              for c in _PRODUCTION_CRITERIA},
        tdp_w=tdp, die_area_cm2=die, memory_gb=mem, memory_density=rho,
        server=server_from_verbose(doc, rel.as_posix(), accelerators=n),
        reported=reported, notes=how + ratio_note,
    )


def load_mlca_cases(directory: str | Path) -> list[MlcaCase]:
    """Every MLCA verbose result (``*.json`` with a ``verbose`` part) under ``directory``,
    sorted by path."""
    root = Path(directory)
    if not root.is_dir():
        raise DataFileError(f"MLCA results folder not found: {root}")
    files = sorted(f for f in root.rglob("*.json") if f.is_file())
    if not files:
        raise DataFileError(f"{root}: no MLCA result JSON files")
    return [load_mlca_case(f, root) for f in files]


# --------------------------------------------------------------------------- our numbers


def _overrides(case: MlcaCase) -> dict[str, float]:
    """The case's own values for the ``mlca`` preset's parameters."""
    return {"rho": case.memory_density, "lifetime_years": case.lifetime_years,
            "use_ratio": case.use_ratio, "dynamic_ratio": case.dynamic_ratio,
            "power_fraction": case.gpu_usage, "host_cpu_usage": case.cpu_usage}


def _runs(case: MlcaCase) -> RunInputs:
    one = np.ones(1)
    hw = Hardware(tdp_w=case.tdp_w * one, die_area_cm2=case.die_area_cm2 * one,
                  memory_gb=case.memory_gb * one, die_area_imputed=np.zeros(1, dtype=bool),
                  die_count=one, host_index=np.zeros(1, dtype=np.intp), servers=(case.server,))
    grid: dict[str, FloatArray] = {c: np.array([case.grid.get(c, math.nan)], dtype=np.float64)
                                   for c in CRITERIA}
    return RunInputs(RunSpec.of(accelerator_hours=case.accelerator_hours), hw, grid)


def recompute(case: MlcaCase) -> dict[str, float]:
    """Our engine's values of :data:`QUANTITIES` and :data:`SPLITS` for the case (``mlca``
    preset, the case's inputs)."""
    from trainlca.api import assess_runs

    imp = assess_runs(_runs(case), preset="mlca", overrides=_overrides(case)).point
    out = {"energy": float(imp.energy_kwh[0])}
    for c in _PRODUCTION_CRITERIA:
        out[f"{c}_production"] = float(imp.production(c)[0])
        out[f"{c}_use"] = float(imp.use(c)[0])
        # MLCA's printed split leaves psf out
        out[f"{c}_production_host"] = float(imp.stages[c]["production_host"][0]) / case.psf
        out[f"{c}_production_gpus"] = (float(imp.stages[c]["production_accelerator"][0])
                                       / case.psf)
    return out


# --------------------------------------------------------------------------- comparisons


def printed_digits(x: float) -> int:
    """Significant digits of a number as MLCA printed it (trailing zeros not counted)."""
    digits = f"{abs(x):.15g}".split("e")[0].replace(".", "").lstrip("0").rstrip("0")
    return max(len(digits), 1)


@dataclass(frozen=True)
class MlcaComparison:
    """One quantity of one case: MLCA's printed value against ours."""

    case: MlcaCase
    quantity: str
    reported: float
    ours: float

    @property
    def unit(self) -> str:
        return UNITS[self.quantity.split("_")[0]]

    @property
    def ratio(self) -> float:
        """Ours / MLCA's (1 when both are 0)."""
        if self.reported == 0:
            return 1.0 if self.ours == 0 else math.inf
        return self.ours / self.reported

    @property
    def within(self) -> bool:
        """|ratio − 1| ≤ 2 %."""
        return abs(self.ratio - 1.0) <= TOLERANCE + 1e-12

    @property
    def within_printed(self) -> bool:
        """Our value rounds to MLCA's at the digits MLCA printed."""
        if self.reported == 0:
            return self.ours == 0
        half = 0.5 * 10 ** (math.floor(math.log10(abs(self.reported)))
                            - printed_digits(self.reported) + 1)
        return bool(abs(self.ours - self.reported) <= half * (1 + 1e-9))

    @property
    def agrees(self) -> bool:
        """Within 2 %, or within the precision MLCA printed."""
        return self.within or self.within_printed

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case.id, "quantity": self.quantity, "unit": self.unit,
                "reported": self.reported, "ours": self.ours, "ratio": self.ratio,
                "within_2pct": self.within, "within_printed_precision": self.within_printed,
                "agrees": self.agrees, "printed_digits": printed_digits(self.reported)}


@dataclass(frozen=True)
class QuantitySummary:
    """Agreement of one quantity over every case."""

    quantity: str
    count: int
    within: int
    agrees: int
    worst: MlcaComparison

    def line(self) -> str:
        w = self.worst
        return (f"{self.quantity}: {self.within}/{self.count} within 2 %, {self.agrees}/"
                f"{self.count} within 2 % or MLCA's printed precision; worst {w.case.id} ratio "
                f"{w.ratio:.4f} (MLCA {w.reported:g} {w.unit}, ours {w.ours:.4g})")


@dataclass(frozen=True)
class MlcaValidation:
    """Every comparison of a results folder."""

    directory: str
    cases: list[MlcaCase]
    comparisons: list[MlcaComparison] = field(default_factory=list)

    def of(self, quantity: str) -> list[MlcaComparison]:
        return [c for c in self.comparisons if c.quantity == quantity]

    def summary(self, quantity: str) -> QuantitySummary:
        rows = self.of(quantity)
        worst = max(rows, key=lambda c: abs(math.log(c.ratio)) if c.ratio > 0 else math.inf)
        return QuantitySummary(quantity, len(rows), sum(c.within for c in rows),
                               sum(c.agrees for c in rows), worst)

    @property
    def all_agree(self) -> bool:
        return all(c.agrees for c in self.comparisons)

    def to_dict(self) -> dict[str, Any]:
        return {"directory": self.directory, "cases": len(self.cases),
                "tolerance": TOLERANCE,
                "summary": {q: {"count": s.count, "within_2pct": s.within, "agrees": s.agrees,
                                "worst_case": s.worst.case.id, "worst_ratio": s.worst.ratio}
                            for q in (*QUANTITIES, *SPLITS) for s in (self.summary(q),)},
                "notes": {c.id: list(c.notes) for c in self.cases if c.notes},
                "rows": [c.to_dict() for c in self.comparisons]}


def validate_mlca(directory: str | Path) -> MlcaValidation:
    """Recompute every MLCA result under ``directory`` and compare (see the module
    docstring)."""
    cases = load_mlca_cases(directory)
    out: list[MlcaComparison] = []
    for case in cases:
        ours = recompute(case)
        out += [MlcaComparison(case, q, case.reported[q], ours[q]) for q in (*QUANTITIES, *SPLITS)]
    return MlcaValidation(str(directory), cases, out)


def format_table(v: MlcaValidation, quantities: Sequence[str] = QUANTITIES) -> str:
    """The comparison as plain text: one line per case (ours / MLCA per quantity, ``*`` where
    it disagrees), then one summary line per quantity."""
    head = f"{'case':58s} {'n':>3s} " + " ".join(f"{q:>15s}" for q in quantities)
    lines = [head, "-" * len(head)]
    by_case: dict[str, dict[str, MlcaComparison]] = {}
    for c in v.comparisons:
        by_case.setdefault(c.case.id, {})[c.quantity] = c
    for case in v.cases:
        row = by_case[case.id]
        cells = " ".join(f"{row[q].ratio:>14.4f}{' ' if row[q].agrees else '*'}"
                         for q in quantities)
        lines.append(f"{case.id[-58:]:58s} {case.gpus_per_node:>3d} {cells}")
    lines.append("")
    lines += [v.summary(q).line() for q in (*quantities, *SPLITS)]
    return "\n".join(lines)
