"""Training runs → energy, use impacts and allocated production impacts (METHOD §4-5).

Pure and vectorised. Runs are arrays shaped (R,) (:class:`RunInputs`: a run description
``runspec.RunSpec``, the accelerators ``Hardware`` and the grid factors); parameters come as a
``uncertainty.Sample``, which says how many draws D it holds. The shape contract: every array
of a result is (R,) for a point sample and (D, R) for a Monte Carlo sample, whatever the preset
fixes; :class:`Impacts` checks it when it is built.

Energy of a run, kWh, with H accelerator-hours (``RunSpec.hours``) times the
``development_factor`` (1 = the final run only)::

    E = H · (P_acc + P_host) · PUE · dynamic_ratio / 1000
    P_acc  = TDP · u_p[class], or the chip's measured system power (``power.py``)
    P_host = P_server / n + host_power_ratio · TDP + host_power_w      (per accelerator, W;
             0 where P_acc is a measured system power, which includes the host)

with ``P_server`` the CPU and RAM power of the run's host server (``servers.host_power_w``:
CPU TDP × usage + RAM GB × W/GB, MLCA's rule) and ``n`` its accelerators; ``host_power_ratio``
covers the rest of the host IT (network, switches, fans, drives).

or the run's measured energy (× development_factor) where it has one. Use impacts
``I_use[c] = E · F_grid[c] · grid_<c>_scale``; water adds the on-site cooling water::

    W_use = E · F_grid[wu] · grid_wu_scale  +  (E / PUE) · WUE[provider class]
            (off-site: the grid's)              (on-site: the data centre's)

Production share of one run::

    I_emb[c] = H · (I_card[c] + I_host[c] / n) / (L · 8760 · u_a)

Each run uses one server (``Hardware.servers[Hardware.host_index]``): the chip's default
archetype, or the server the user described. ``I_card`` comes from the card model of each draw
(``card_models``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np

from trainlca import card_models, power
from trainlca.card_models import CardResult
from trainlca.criteria import CRITERIA
from trainlca.params import PROVIDER_CLASSES, FloatArray, Value
from trainlca.presets import Boundary
from trainlca.runspec import RunSpec
from trainlca.servers import Server, default_server, host_power_w, host_production
from trainlca.uncertainty import Sample

if TYPE_CHECKING:
    from trainlca.catalog import Accelerator

HOURS_PER_YEAR: Final[float] = 8760.0

ParamValues = Mapping[str, Value]


def _arr(x: Value) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


@dataclass(frozen=True)
class Hardware:
    """The accelerators of R runs (or R catalogue rows), arrays shaped (R,).

    Attributes:
        tdp_w: thermal design power, W.
        die_area_cm2: total logic die area of one accelerator, cm².
        memory_gb: on-board memory of one accelerator, GB.
        die_area_imputed: True where the catalogue imputed the die area.
        die_count: logic dies per accelerator (for the water model's effective wafer area).
        host_index: index into ``servers`` of each accelerator's host server, int (R,).
        servers: the host servers the rows use (each once).
        memory_index: memory technology, index into ``params.MEMORY_KEYS`` (−1 unknown: the
            ``rho`` parameter), (R,).
        chip_class: power class, index into ``params.POWER_CLASS_KEYS``, (R,).
        measured_power_w: measured average system power per chip, W; NaN where none, (R,).
        published: published card figures, (R, F, 4) (``card_models.published_array``).
    The last four default to "unknown technology, GPU SXM, not measured, no figure".
    """

    tdp_w: FloatArray
    die_area_cm2: FloatArray
    memory_gb: FloatArray
    die_area_imputed: np.ndarray
    die_count: FloatArray
    host_index: np.ndarray
    servers: tuple[Server, ...]
    memory_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    chip_class: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    measured_power_w: FloatArray = field(default_factory=lambda: np.zeros(0))
    published: FloatArray = field(default_factory=lambda: np.zeros((0, 1, len(CRITERIA))))

    def __post_init__(self) -> None:
        idx = np.asarray(self.host_index)
        if idx.size and (idx.min() < 0 or idx.max() >= len(self.servers)):
            raise AssertionError(f"Hardware.host_index outside the {len(self.servers)} servers")
        n = int(self.tdp_w.shape[0])
        defaults = {"memory_index": np.full(n, -1, dtype=np.intp),
                    "chip_class": np.zeros(n, dtype=np.intp),
                    "measured_power_w": np.full(n, np.nan),
                    "published": np.full((n, 1, len(CRITERIA)), np.nan)}
        for name, value in defaults.items():
            if np.shape(getattr(self, name))[0] != n:
                object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return int(self.tdp_w.shape[0])

    def take(self, index: np.ndarray | slice) -> Hardware:
        """The rows at ``index`` (an index array, a boolean mask or a slice)."""
        cols = {f: np.atleast_1d(getattr(self, f)[index]) for f in
                ("tdp_w", "die_area_cm2", "memory_gb", "die_area_imputed", "die_count",
                 "host_index", "memory_index", "chip_class", "measured_power_w")}
        pub = self.published[index]
        return Hardware(**cols, servers=self.servers,
                        published=pub if pub.ndim == 3 else pub[None])

    def server_of(self, row: int) -> Server:
        """The host server of row ``row``."""
        return self.servers[int(self.host_index[row])]

    @classmethod
    def of(cls, accelerators: Sequence[Accelerator], server: Server | None = None) -> Hardware:
        """Arrays from catalogue rows, one per run; every run on ``server`` when given, else on
        its chip's default archetype (``servers.default_server``)."""
        chosen = [server or default_server(a) for a in accelerators]
        servers = tuple(dict.fromkeys(chosen))
        return cls(
            tdp_w=np.array([a.tdp_w for a in accelerators], dtype=np.float64),
            die_area_cm2=np.array([a.die_area_cm2 for a in accelerators], dtype=np.float64),
            memory_gb=np.array([a.memory_gb for a in accelerators], dtype=np.float64),
            die_area_imputed=np.array([a.die_area_imputed for a in accelerators], dtype=bool),
            die_count=np.array([a.die_count for a in accelerators], dtype=np.float64),
            host_index=np.array([servers.index(s) for s in chosen], dtype=np.intp),
            servers=servers,
            memory_index=np.array([card_models.memory_index(a.memory_type)
                                   for a in accelerators], dtype=np.intp),
            chip_class=np.array([power.class_index(a) for a in accelerators], dtype=np.intp),
            measured_power_w=np.array([power.measured_power_w(a) for a in accelerators],
                                      dtype=np.float64),
            published=card_models.published_array([a.name for a in accelerators]),
        )


@dataclass(frozen=True)
class RunInputs:
    """R runs: how each is described, on which accelerators, on which grid.

    Attributes:
        spec: the run descriptions (accelerator-hours, or compute with MFU; measured energy).
        hardware: the accelerators.
        grid: electricity factors per criterion, per kWh (kgCO2eq, kgSbeq, MJ, L), (R,).
        provider_class: data-centre class of each run (index into
            ``params.PROVIDER_CLASSES``: 0 unknown, 1 hyperscale, 2 colocation), (R,); None =
            the ``provider_class`` parameter for every run.
    """

    spec: RunSpec
    hardware: Hardware
    grid: Mapping[str, FloatArray]
    provider_class: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.spec)
        if len(self.hardware) != n or any(np.shape(self.grid[c]) != (n,) for c in CRITERIA):
            raise AssertionError(f"RunInputs: spec has {n} runs, hardware {len(self.hardware)}, "
                                 f"grid {[np.shape(self.grid[c]) for c in CRITERIA]}")

    def __len__(self) -> int:
        return len(self.spec)

    def take(self, index: np.ndarray | slice) -> RunInputs:
        """The runs at ``index`` (an index array, a boolean mask or a slice)."""
        return RunInputs(self.spec.take(index), self.hardware.take(index),
                         {c: np.atleast_1d(v[index]) for c, v in self.grid.items()},
                         None if self.provider_class is None
                         else np.atleast_1d(self.provider_class[index]))


@dataclass(frozen=True)
class Impacts:
    """Results of the run model, every array shaped (R,) (point) or (D, R) (Monte Carlo).

    Attributes:
        energy_kwh: electricity of each run, kWh.
        stages: criterion → stage → impact (stages: production_accelerator, production_host,
            use), in the criterion's unit. 0 where the boundary excludes a stage; NaN where the
            model does not cover it (host production water; accelerator production water under
            ``mlca``/``bloom`` and for wafer-scale chips).
        card: production impact of one accelerator card per criterion (before allocation).
        host_per_accelerator: production impact of the host per accelerator (before
            allocation).
        draws: D, or None for a point result.
        card_model: the card model of each value of ``card`` (``card_models.MODELS`` codes).
        use_water: ``offsite`` (the grid's water of the electricity) and ``onsite`` (cooling
            water of the data centre, WUE × IT energy; NaN where the boundary does not count
            it), L; the ``use`` stage of ``wu`` is their sum (on-site counted where covered).
    """

    energy_kwh: FloatArray
    stages: Mapping[str, Mapping[str, FloatArray]]
    card: Mapping[str, FloatArray] = field(default_factory=dict)
    host_per_accelerator: Mapping[str, FloatArray] = field(default_factory=dict)
    draws: int | None = None
    card_model: np.ndarray | None = None
    use_water: Mapping[str, FloatArray] = field(default_factory=dict)
    #: criterion → :meth:`production`, when the model computed it already (a cache).
    production_cache: Mapping[str, FloatArray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        want = self.shape
        arrays = {"energy_kwh": self.energy_kwh,
                  **{f"{c}.{s}": v for c, st in self.stages.items() for s, v in st.items()},
                  **{f"card.{c}": v for c, v in self.card.items()},
                  **{f"host.{c}": v for c, v in self.host_per_accelerator.items()},
                  **{f"use_water.{k}": v for k, v in self.use_water.items()},
                  **({} if self.card_model is None else {"card_model": self.card_model})}
        for name, a in arrays.items():
            if np.shape(a) != want:
                raise AssertionError(f"Impacts.{name}: shape {np.shape(a)}, expected {want}")

    @property
    def shape(self) -> tuple[int, ...]:
        """(R,) or (D, R)."""
        runs = int(np.shape(self.energy_kwh)[-1])
        return (runs,) if self.draws is None else (self.draws, runs)

    def production(self, criterion: str) -> FloatArray:
        """Allocated production impact of the covered production stages (accelerators + hosts);
        NaN only where neither is covered (a stage that is not covered counts as absent, and
        ``not_covered`` names it: e.g. water is the accelerators' alone, hosts not covered)."""
        if criterion in self.production_cache:
            return self.production_cache[criterion]
        s = self.stages[criterion]
        return production_sum(np.asarray(s["production_accelerator"]),
                              np.asarray(s["production_host"]))

    def use(self, criterion: str) -> FloatArray:
        return self.stages[criterion]["use"]

    def total(self, criterion: str) -> FloatArray:
        """Sum of the covered stages (a stage that is not covered counts as absent, and
        ``not_covered`` names it)."""
        prod = self.production(criterion)
        use = self.stages[criterion]["use"]
        if not np.isnan(prod).any():
            return prod + use
        return np.where(np.isnan(prod), 0.0, prod) + use

    def not_covered(self, criterion: str) -> list[str]:
        """Stages of ``criterion`` that the model does not cover (NaN)."""
        return [k for k, v in self.stages[criterion].items() if bool(np.all(np.isnan(v)))]


def production_sum(acc: FloatArray, hst: FloatArray) -> FloatArray:
    """Accelerator + host production, a stage that is not covered (NaN) counting as absent;
    NaN only where neither is covered."""
    acc_nan, hst_nan = np.isnan(acc), np.isnan(hst)
    if not acc_nan.any():
        if not hst_nan.any():
            return acc + hst
        if hst_nan.all():
            return acc + 0.0
    both = acc_nan & hst_nan
    return np.where(both, np.nan, np.where(acc_nan, 0.0, acc) + np.where(hst_nan, 0.0, hst))


def energy_kwh(
    accelerator_hours: Value, tdp_w: Value, p: ParamValues, *, host_power: bool = True,
    server_w: Value = 0.0, chip_class: np.ndarray | None = None,
    measured_power_w: FloatArray | None = None,
) -> FloatArray:
    """Modelled electricity of runs, kWh (METHOD §4); shapes broadcast ((R,) or (D, R)).

    Args:
        accelerator_hours: H, h.
        tdp_w: accelerator TDP, W.
        p: ``power_fraction`` and ``power_fraction_<class>`` (1), ``use_measured_power``,
            ``measured_power_scale``, ``host_power_ratio`` (1), ``host_power_w`` (W), ``pue`` (1),
            ``dynamic_ratio`` (1).
        host_power: include host power (False for the TDP × PUE boundary).
        server_w: CPU and RAM power of the host server per accelerator, W
            (:func:`host_power_per_accelerator`).
        chip_class: power class per run (``power.class_index``); None = GPU SXM for all.
        measured_power_w: measured system power per chip, W (NaN where none); None = none.
    """
    tdp = _arr(tdp_w)
    watts = power.accelerator_power_w(tdp, chip_class, measured_power_w, p)
    if host_power:
        host = (_arr(server_w) + tdp * _arr(p["host_power_ratio"])
                + _arr(p["host_power_w"]))
        watts = watts + host * power.host_counted(measured_power_w, p)
    return (
        _arr(accelerator_hours) * watts * _arr(p["pue"]) * _arr(p["dynamic_ratio"]) / 1000.0
    )


def onsite_water_l(energy: FloatArray, provider_class: np.ndarray | None,
                   p: ParamValues) -> FloatArray:
    """On-site cooling water of runs, L: IT energy × WUE of the run's provider class
    (``wue_<class>``); (R,) or (D, R).

    Args:
        energy: the runs' IT electricity, kWh (modelled: E / PUE; measured by CodeCarbon: as
            measured, the IT equipment's own).
        provider_class: (R,) class indices, or None for the ``provider_class`` parameter.
    """
    cols = [_arr(p[f"wue_{k}"]) for k in PROVIDER_CLASSES]
    side = np.concatenate([np.atleast_1d(c) for c in np.broadcast_arrays(*cols)], axis=-1)
    if provider_class is None:  # a fixed parameter: the same class in every draw
        wue = side[..., int(np.rint(np.ravel(_arr(p["provider_class"]))[0]))][..., None]
        wue = wue if np.ndim(side) > 1 else wue[0]
    else:
        wue = np.take(side, np.asarray(provider_class, dtype=np.intp), axis=-1)
    return _arr(energy) * _arr(wue)


def allocation_share(accelerator_hours: Value, p: ParamValues) -> FloatArray:
    """Share of one device's production allocated to H accelerator-hours: H / (L·8760·u_a)."""
    return _arr(accelerator_hours) / (
        _arr(p["lifetime_years"]) * HOURS_PER_YEAR * _arr(p["use_ratio"])
    )


def _per_row(hw: Hardware, per_server: Sequence[FloatArray]) -> FloatArray:
    """One value per server (each () or (D, 1)) → one per row of ``hw``: (R,) or (D, R)."""
    cols = np.broadcast_arrays(*(_arr(v) for v in per_server))
    side = np.concatenate([np.atleast_1d(a) for a in cols], axis=-1)
    return np.take(side, np.asarray(hw.host_index, dtype=np.intp), axis=-1)


def host_power_per_accelerator(hw: Hardware, p: ParamValues) -> FloatArray:
    """CPU and RAM power of each row's host server per accelerator, W: (R,) or (D, R)."""
    return _per_row(hw, [host_power_w(s, p) / s.accelerators for s in hw.servers])


def hardware_production(
    hw: Hardware, p: ParamValues, boundary: Boundary
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Production of one card and the host share per accelerator, per criterion, for every
    row of ``hw``: arrays shaped like ``p``'s values broadcast against (R,).

    The one place both are computed (runs and the card table use it)."""
    card, host = hardware_production_models(hw, p, boundary)
    return dict(card.values), host


def hardware_production_models(
    hw: Hardware, p: ParamValues, boundary: Boundary
) -> tuple[CardResult, dict[str, FloatArray]]:
    """:func:`hardware_production` with the card models behind the card values (the model of
    each draw, every model's values)."""
    card = _card_result(hw, p, boundary)
    # Host production per accelerator of each server, (D, 1) or scalar, gathered per row.
    per_server = [host_production(s, p) for s in hw.servers]
    host: dict[str, FloatArray] = {c: _per_row(hw, [hp[c] / s.accelerators
                             for hp, s in zip(per_server, hw.servers, strict=True)])
            for c in CRITERIA}
    return card, host


def _card_result(hw: Hardware, p: ParamValues, boundary: Boundary) -> CardResult:
    """The card models of every row of ``hw``, computed once per distinct card (runs of a study
    share few chips) and gathered back to the rows: arrays (R,) or (D, R)."""
    keys = np.column_stack([hw.die_area_cm2, hw.die_count, hw.memory_gb,
                            hw.die_area_imputed.astype(np.float64),
                            hw.memory_index.astype(np.float64),
                            np.nan_to_num(hw.published.reshape(len(hw), -1), nan=-1.0)])
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    u = hw.take(first)
    die = u.die_area_cm2 * np.where(u.die_area_imputed, _arr(p["imputed_die_scale"]), 1.0)
    card = card_models.card_result(die, u.die_count, u.memory_gb, u.memory_index, u.published,
                                   p, transport=boundary.transport,
                                   water=boundary.production_water)
    inv = np.asarray(inverse, dtype=np.intp).ravel()
    if first.size == len(hw) and np.array_equal(inv, np.arange(len(hw))):
        return card

    def back(a: np.ndarray) -> np.ndarray:
        return np.take(a, inv, axis=-1)

    return CardResult(
        values={c: back(v) for c, v in card.values.items()},
        model=back(card.model),
        per_model=_LazyModels(card.per_model, inv),
        completed={k: {c: back(v) for c, v in m.items()} for k, m in card.completed.items()},
    )


class _LazyModels(Mapping[str, Mapping[str, FloatArray]]):
    """Every model's values gathered back to the rows only when asked (runs need only the
    chosen values; the per-model arrays would be 12 more (D, R) copies)."""

    def __init__(self, per: Mapping[str, Mapping[str, FloatArray]], inv: np.ndarray) -> None:
        self._per, self._inv = per, inv

    def __getitem__(self, name: str) -> Mapping[str, FloatArray]:
        return {c: np.take(v, self._inv, axis=-1) for c, v in self._per[name].items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self._per)

    def __len__(self) -> int:
        return len(self._per)


@dataclass(frozen=True)
class HardwarePart:
    """What a run's impacts owe to its hardware and description, not to its grid: energy, the
    production share allocated to it, the card and host figures — (R,) or (D, R). Scenarios that
    move runs to another grid share it (``run_use``)."""

    energy: FloatArray
    it_energy: FloatArray
    share: FloatArray
    card: CardResult
    host: Mapping[str, FloatArray]
    shape: tuple[int, ...]
    draws: int | None
    #: criterion → production stage → allocated impact (0 outside the boundary, NaN not covered)
    production: Mapping[str, Mapping[str, FloatArray]]
    #: criterion → accelerator + host production (:func:`production_sum`)
    production_total: Mapping[str, FloatArray]


def run_hardware(runs: RunInputs, p: Sample, boundary: Boundary) -> HardwarePart:
    """Energy (modelled or measured) and production figures of every run (METHOD §4-5)."""
    shape = p.shape(len(runs))
    dev = _arr(p["development_factor"])
    h = runs.spec.hours(p) * dev
    hw = runs.hardware
    server_w = host_power_per_accelerator(hw, p) if boundary.host_power else 0.0
    modelled = energy_kwh(h, hw.tdp_w, p, host_power=boundary.host_power, server_w=server_w,
                          chip_class=hw.chip_class, measured_power_w=hw.measured_power_w)
    measured = runs.spec.measured
    energy = (np.where(measured, runs.spec.measured_energy_kwh * dev, modelled)
              if np.any(measured) else modelled)
    # IT energy for on-site cooling water: a measured energy (CodeCarbon: CPU + GPU + RAM) is
    # the IT equipment's own; a modelled one is the facility's, ÷ PUE.
    it_energy = (np.where(measured, energy, modelled / _arr(p["pue"])) if np.any(measured)
                 else modelled / _arr(p["pue"]))
    card, host = hardware_production_models(hw, p, boundary)
    share = allocation_share(h, p)
    per_device = {"production_accelerator": card.values, "production_host": host}
    stages: dict[str, dict[str, FloatArray]] = {
        c: {s: np.broadcast_to(share * per_device[s][c] if boundary.includes(s) else 0.0, shape)
            for s in ("production_accelerator", "production_host")}
        for c in CRITERIA}
    totals: dict[str, FloatArray] = {c: production_sum(np.asarray(st["production_accelerator"]),
                                np.asarray(st["production_host"])) for c, st in stages.items()}
    return HardwarePart(energy, it_energy, share, card, host, shape, p.draws, stages, totals)


def run_use(part: HardwarePart, grid: Mapping[str, FloatArray],
            provider_class: np.ndarray | None, p: Sample, boundary: Boundary) -> Impacts:
    """The impacts of runs with hardware ``part`` on the electricity ``grid`` (R,)."""
    shape, energy, card, host = part.shape, part.energy, part.card, part.host
    water = {"offsite": np.broadcast_to(energy * grid["wu"] * _arr(p["grid_wu_scale"]), shape),
             "onsite": np.broadcast_to(onsite_water_l(part.it_energy, provider_class, p)
                                       if boundary.onsite_water else np.nan, shape)}
    stages: dict[str, dict[str, FloatArray]] = {}
    for c in CRITERIA:
        use = (water["offsite"] + np.nan_to_num(water["onsite"]) if c == "wu"
               else energy * grid[c] * _arr(p[f"grid_{c}_scale"]))
        stages[c] = {**part.production[c], "use": np.broadcast_to(use, shape)}
    return Impacts(
        energy_kwh=np.broadcast_to(energy, shape),
        stages=stages,
        card={c: np.broadcast_to(v, shape) for c, v in card.values.items()},
        host_per_accelerator={c: np.broadcast_to(v, shape) for c, v in host.items()},
        draws=part.draws,
        card_model=np.broadcast_to(card.model, shape),
        use_water=water,
        production_cache={c: np.broadcast_to(v, shape)
                          for c, v in part.production_total.items()},
    )


def run_impacts(runs: RunInputs, p: Sample, boundary: Boundary) -> Impacts:
    """Energy and impacts per criterion and stage for every run: (R,) for a point sample,
    (D, R) for a Monte Carlo sample."""
    return run_use(run_hardware(runs, p, boundary), runs.grid, runs.provider_class, p,
                   boundary)
