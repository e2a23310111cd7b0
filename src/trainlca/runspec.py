"""How a description of a training run becomes accelerator-hours — written once (METHOD §4, §6).

A run is described in one of three ways, and may carry a measured energy:

- ``count`` accelerators for ``hours`` wall-clock hours: ``H = count · hours``;
- ``accelerator_hours`` directly (chips × hours, e.g. from a model card or SLURM accounting);
- training compute ``flop`` on a chip whose peak at the run's precision is ``peak_flops``, at a
  model FLOP utilisation ``mfu``::

      H = flop / (peak_flops · mfu) / 3600

  When the run has no MFU of its own, ``mfu`` is NaN and the ``mfu`` parameter is used: its
  point value for the point estimate, its draws in Monte Carlo (so the default's range reaches
  the intervals).

The study's efficient-hardware scenario redoes a run's work on another chip at the same
utilisation (:meth:`RunSpec.on_hardware`): ``H' = H · peak(chip) / peak(best)``. A measured
energy (CodeCarbon) replaces the modelled electricity of the use stage; the production share
still follows ``H``.

:class:`RunSpec` holds these descriptions for many runs as arrays shaped (R,): ``estimate``,
the study, the readers of measured runs and validation all build one, and the run model
(``run.py``) asks it for ``H`` with :meth:`RunSpec.hours`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import ArrayLike

from trainlca.errors import ParameterError
from trainlca.params import FloatArray, Value
from trainlca.provenance import Provenance, Status

if TYPE_CHECKING:
    from trainlca.catalog import Accelerator

SECONDS_PER_HOUR = 3600.0


def _column(x: object, runs: int | None = None) -> FloatArray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(1 if runs is None else runs, float(a))
    return a


def hours_from_flop(flop: ArrayLike, peak_flops: ArrayLike, mfu: ArrayLike) -> FloatArray:
    """Accelerator-hours of a run given by compute: FLOP / (FLOP/s · MFU) / 3600, h.

    Shapes broadcast: (R,) with a (D, 1) ``mfu`` gives (D, R)."""
    f = np.asarray(flop, dtype=np.float64)
    peak = np.asarray(peak_flops, dtype=np.float64)
    return f / (peak * np.asarray(mfu, dtype=np.float64)) / SECONDS_PER_HOUR


@dataclass(frozen=True)
class RunSpec:
    """Descriptions of R runs, arrays shaped (R,).

    Attributes:
        accelerator_hours: H where it is given (count × hours, or directly), h; NaN where the
            run is given by compute.
        flop: training compute, FLOP; NaN where H is given.
        peak_flops: peak FLOP/s of the run's chip at the run's precision; NaN where unknown
            (needed only for runs given by compute, and for the hardware substitution).
        mfu: the run's own model FLOP utilisation, 1; NaN = the ``mfu`` parameter.
        measured_energy_kwh: the run's measured electricity, kWh; NaN = modelled.
    """

    accelerator_hours: FloatArray
    flop: FloatArray
    peak_flops: FloatArray
    mfu: FloatArray
    measured_energy_kwh: FloatArray

    def __post_init__(self) -> None:
        n = self.accelerator_hours.shape
        for name in ("flop", "peak_flops", "mfu", "measured_energy_kwh"):
            if getattr(self, name).shape != n or len(n) != 1:
                raise AssertionError(f"RunSpec.{name}: shape {getattr(self, name).shape}, "
                                     f"expected {n} (one value per run)")
        both = np.isfinite(self.accelerator_hours) & np.isfinite(self.flop)
        neither = ~np.isfinite(self.accelerator_hours) & ~(
            np.isfinite(self.flop) & np.isfinite(self.peak_flops))
        if np.any(both) or np.any(neither):
            raise AssertionError("RunSpec: each run needs exactly one of accelerator_hours, or "
                                 "flop with peak_flops")

    def __len__(self) -> int:
        return int(self.accelerator_hours.shape[0])

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def of(cls, *, accelerator_hours: object = math.nan, flop: object = math.nan,
           peak_flops: object = math.nan, mfu: object = math.nan,
           measured_energy_kwh: object = math.nan) -> RunSpec:
        """Runs from columns (arrays shaped (R,) or scalars for one run; NaN = not given)."""
        cols = [np.asarray(x, dtype=np.float64) for x in
                (accelerator_hours, flop, peak_flops, mfu, measured_energy_kwh)]
        runs = max((c.shape[0] for c in cols if c.ndim == 1), default=1)
        h, f, pk, m, e = (_column(c, runs) for c in cols)
        return cls(h, f, pk, m, e)

    # --- what the model asks -------------------------------------------------------------

    @property
    def from_flop(self) -> np.ndarray:
        """Runs whose H is derived from compute, bool (R,)."""
        return ~np.isfinite(self.accelerator_hours)

    @property
    def default_mfu(self) -> np.ndarray:
        """Runs given by compute without an MFU of their own (the ``mfu`` parameter enters),
        bool (R,)."""
        return self.from_flop & np.isnan(self.mfu)

    @property
    def measured(self) -> np.ndarray:
        """Runs with a measured energy, bool (R,)."""
        return np.isfinite(self.measured_energy_kwh)

    def hours(self, p: Mapping[str, Value]) -> FloatArray:
        """Accelerator-hours H of every run, h: (R,) when no run needs the ``mfu`` parameter
        or it is a scalar, else (D, R) with ``p["mfu"]`` shaped (D, 1)."""
        if not np.any(self.from_flop):
            return self.accelerator_hours
        mfu = self.mfu
        if np.any(self.default_mfu):
            mfu = np.where(np.isnan(self.mfu), np.asarray(p["mfu"], dtype=np.float64), self.mfu)
        derived = hours_from_flop(self.flop, self.peak_flops, mfu)
        return np.where(self.from_flop, derived, self.accelerator_hours)

    def point_hours(self, mfu_default: float) -> FloatArray:
        """H at the point value ``mfu_default`` of the ``mfu`` parameter, h (R,)."""
        return np.asarray(self.hours({"mfu": mfu_default}), dtype=np.float64)

    # --- transformations -----------------------------------------------------------------

    def take(self, index: np.ndarray | slice) -> RunSpec:
        """The runs at ``index`` (an index array, a boolean mask or a slice)."""
        return RunSpec(*(np.atleast_1d(getattr(self, f)[index]) for f in
                         ("accelerator_hours", "flop", "peak_flops", "mfu",
                          "measured_energy_kwh")))

    def on_hardware(self, peak_flops: FloatArray, substituted: np.ndarray) -> RunSpec:
        """The same work on other chips at the same utilisation (efficient-hardware scenario):
        where ``substituted``, ``H' = H · peak(old) / peak(new)`` — a run given by compute
        takes the new peak, a run given by hours is scaled by the peak ratio."""
        new = np.asarray(peak_flops, dtype=np.float64)
        sub = np.asarray(substituted, dtype=bool)
        scaled = np.where(sub & ~self.from_flop,
                          self.accelerator_hours * self.peak_flops / np.where(sub, new, 1.0),
                          self.accelerator_hours)
        return replace(self, accelerator_hours=scaled,
                       peak_flops=np.where(sub, new, self.peak_flops))

    def with_measured_energy(self, kwh: FloatArray) -> RunSpec:
        """The same runs with their measured electricity, kWh (R,); NaN = modelled."""
        return replace(self, measured_energy_kwh=np.asarray(kwh, dtype=np.float64))


# --- one run, as a user describes it ------------------------------------------------------


#: Plausible ranges of a run's description: (low, high, why). Outside them the model's products
#: overflow or the input is plainly a unit mistake.
BOUNDS: Final[dict[str, tuple[float, float, str]]] = {
    "count": (1e-3, 1e8, "no training run uses more than 10^8 accelerators"),
    "hours": (1e-6, 1e6, "10^6 h is 114 years of wall-clock time"),
    "accelerator_hours": (1e-6, 1e14, "10^14 accelerator-hours is 10^8 chips for 114 years"),
    "flop": (1.0, 1e32, "10^32 FLOP is 10^5 times the largest training run published by 2026"),
    "mfu": (1e-3, 1.0, "a model FLOP utilisation is a fraction; below 0.1 % it is a unit error"),
    "parameters": (1.0, 1e15, "10^15 parameters is 500 times the largest model published by 2026"),
    "tokens": (1.0, 1e16, "10^16 tokens is 300 times the largest training set published by 2026"),
    "measured_energy_kwh": (1e-12, 1e12, "10^12 kWh is 4 times the world's yearly data-centre "
                            "electricity"),
}


#: Training FLOP per parameter and token of a dense transformer: 2 for the forward pass, 4 for
#: the backward pass (Kaplan et al. 2020, arXiv 2001.08361, §2.1, C ≈ 6·N·D; the rule behind
#: Epoch AI's and Hoffmann et al. 2022's compute estimates). Attention's share is left out; for
#: a mixture of experts N is the active parameters.
FLOP_PER_PARAMETER_TOKEN: Final[float] = 6.0
FLOP_RULE_SOURCE: Final[str] = ("6 × parameters × tokens (dense transformer, forward + "
                                "backward: Kaplan et al. 2020, arXiv 2001.08361)")


def training_flop(parameters: float, tokens: float) -> float:
    """Training compute of a dense transformer, FLOP: 6 · N · D (see
    :data:`FLOP_PER_PARAMETER_TOKEN`)."""
    return FLOP_PER_PARAMETER_TOKEN * parameters * tokens


def positive(name: str, value: float | None) -> float | None:
    """``value`` as a float when given; ParameterError unless a finite number > 0 within its
    plausible range (:data:`BOUNDS`), the bound and its reason in the message."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} {value:g}: must be > 0 (a finite number)")
    low, high, why = BOUNDS.get(name, (0.0, math.inf, ""))
    if not low <= value <= high:
        raise ParameterError(f"{name} {value:g}: outside the plausible range {low:g}–{high:g} "
                             f"({why})")
    return float(value)


@dataclass(frozen=True)
class Described:
    """One run described by a user: its spec (one run) and the provenance of its inputs."""

    spec: RunSpec
    provenance: tuple[Provenance, ...]
    #: how it was described: "count-hours", "accelerator-hours" or "flop".
    kind: str


def check_description(*, count: float | None = None, hours: float | None = None,
                      accelerator_hours: float | None = None, flop: float | None = None,
                      parameters: float | None = None, tokens: float | None = None) -> str:
    """How a run is described — ``"count-hours"``, ``"accelerator-hours"``, ``"flop"`` or
    ``"size"`` (parameters and tokens) — when it is described exactly once. A count beside
    accelerator-hours, FLOP or the size is allowed (a fact of the run). The one rule for
    every route (the API, the CLI, a runs CSV).

    Raises:
        ParameterError: nothing, or more than one description; parameters without tokens (or
            the reverse); count without hours (or the reverse).
    """
    sized = parameters is not None or tokens is not None
    if sized and (parameters is None or tokens is None):
        raise ParameterError("parameters and tokens go together (training compute = 6 × "
                             "parameters × tokens)")
    if sized and flop is not None:
        raise ParameterError("describe the run once: give the training compute once (flop, "
                             "or parameters and tokens)")
    given = [kind for kind, v in (("count-hours", hours),
                                  ("accelerator-hours", accelerator_hours), ("flop", flop),
                                  ("size", parameters)) if v is not None]
    if (not given and count is not None) or (given == ["count-hours"] and count is None):
        raise ParameterError("count and hours go together, or give accelerator_hours")
    if len(given) != 1:
        got = " and ".join(given) if given else "nothing"
        raise ParameterError("describe the run once: count and hours, or accelerator_hours, or "
                             f"flop (with mfu), or parameters and tokens; got {got}")
    return given[0]


def describe(
    acc: Accelerator,
    *,
    count: float | None = None,
    hours: float | None = None,
    accelerator_hours: float | None = None,
    flop: float | None = None,
    mfu: float | None = None,
    precision: str = "bf16",
    mfu_default: float = 0.35,
    measured_energy_kwh: float | None = None,
    hours_status: Status = Status.INPUT,
    hours_source: str = "user",
    parameters: float | None = None,
    tokens: float | None = None,
) -> Described:
    """One run from whichever description was given (:func:`check_description`): ``count``
    and ``hours``; ``accelerator_hours``; ``flop`` (optionally ``mfu``) on ``acc`` at
    ``precision``; or the model's ``parameters`` and training ``tokens``, whose compute is
    6 · N · D FLOP (:func:`training_flop`, flagged imputed) and then runs as ``flop``.

    ``hours_status``/``hours_source`` label given accelerator-hours (e.g. measured by
    CodeCarbon)."""
    count, hours = positive("count", count), positive("hours", hours)
    accelerator_hours = positive("accelerator_hours", accelerator_hours)
    flop, mfu = positive("flop", flop), positive("mfu", mfu)
    parameters, tokens = positive("parameters", parameters), positive("tokens", tokens)
    measured = positive("measured_energy_kwh", measured_energy_kwh)
    energy = math.nan if measured is None else measured
    kind = check_description(count=count, hours=hours, accelerator_hours=accelerator_hours,
                             flop=flop, parameters=parameters, tokens=tokens)
    if kind == "count-hours":
        assert count is not None and hours is not None
        return _describe_count_hours(count, hours, energy)
    # a count beside accelerator-hours or FLOP is a fact of the run (reports such as BoAmps
    # need it); it changes nothing in the model, which runs on accelerator-hours
    counted: tuple[Provenance, ...] = () if count is None else (
        Provenance("count", count, "accelerators", Status.INPUT, "user"),)
    if kind == "accelerator-hours":
        assert accelerator_hours is not None
        d = _describe_hours(accelerator_hours, count, hours_status, hours_source, energy)
    elif kind == "flop":
        assert flop is not None
        d = _describe_flop(acc, flop, mfu, precision, mfu_default, energy)
    else:
        assert parameters is not None and tokens is not None
        d = _describe_size(acc, parameters, tokens, mfu, precision, mfu_default, energy)
    return replace(d, provenance=(*counted, *d.provenance))


def _describe_count_hours(count: float, hours: float, energy: float) -> Described:
    prov = (Provenance("count", count, "accelerators", Status.INPUT, "user"),
            Provenance("hours", hours, "h", Status.INPUT, "user"),
            Provenance("accelerator_hours", count * hours, "h", Status.INPUT,
                       "count × hours"))
    return Described(RunSpec.of(accelerator_hours=count * hours, measured_energy_kwh=energy),
                     prov, "count-hours")


def _describe_hours(accelerator_hours: float, count: float | None, status: Status,
                    source: str, energy: float) -> Described:
    given = Provenance("accelerator_hours", accelerator_hours, "h", status, source)
    prov: tuple[Provenance, ...] = (given,) if count is None else (
        Provenance("hours", accelerator_hours / count, "h", Status.INPUT,
                   "accelerator_hours ÷ count"), given)
    return Described(RunSpec.of(accelerator_hours=accelerator_hours,
                                measured_energy_kwh=energy), prov, "accelerator-hours")


def _describe_size(acc: Accelerator, parameters: float, tokens: float, mfu: float | None,
                   precision: str, mfu_default: float, energy: float) -> Described:
    """A run described by the model's size: its compute 6 · N · D, then as :func:`_describe_flop`
    with the FLOP flagged imputed by that rule."""
    flop = positive("flop", training_flop(parameters, tokens))
    assert flop is not None
    d = _describe_flop(acc, flop, mfu, precision, mfu_default, energy)
    prov = (Provenance("parameters", parameters, "parameters", Status.INPUT, "user"),
            Provenance("tokens", tokens, "tokens", Status.INPUT, "user"),
            *(replace(q, status=Status.IMPUTED, source=FLOP_RULE_SOURCE) if q.name == "flop"
              else q for q in d.provenance))
    return replace(d, provenance=prov)


#: The catalogue field holding each precision's own peak.
_PEAK_FIELDS: Final[dict[str, str]] = {"fp32": "fp32_flops", "tf32": "tf32_flops",
                                       "fp16": "tensor_16bit_flops",
                                       "bf16": "tensor_16bit_flops", "fp8": "fp8_flops"}


def _peak(acc: Accelerator, precision: str) -> tuple[float, Status, str]:
    """The chip's peak at ``precision``: its own (catalogue), or the rate it would run that
    precision at instead (the catalogue's fallback rule, flagged imputed)."""
    peak = acc.peak_flops(precision)
    if not peak or not math.isfinite(peak) or peak <= 0:
        raise ParameterError(f"{acc.name} has no peak FLOP/s at {precision}; give count and "
                             "hours (or accelerator_hours) instead")
    source = acc.sources.get("flops", "catalogue")
    own = getattr(acc, _PEAK_FIELDS.get(precision, ""), math.nan)
    if isinstance(own, float) and math.isnan(own):
        return peak, Status.IMPUTED, (f"{acc.name} has no {precision} peak in the catalogue; "
                                      f"it runs {precision} work at the rate of its nearest "
                                      f"precision ({source})")
    return peak, Status.CATALOGUE, source


def _describe_flop(acc: Accelerator, flop: float, mfu: float | None, precision: str,
                   mfu_default: float, energy: float) -> Described:
    peak, peak_status, peak_source = _peak(acc, precision)
    spec = RunSpec.of(flop=flop, peak_flops=peak, mfu=math.nan if mfu is None else mfu,
                      measured_energy_kwh=energy)
    used = mfu_default if mfu is None else mfu
    prov = (
        Provenance("flop", flop, "FLOP", Status.INPUT, "user"),
        Provenance(f"peak_flops_{precision}", peak, "FLOP/s", peak_status, peak_source),
        Provenance("mfu", used, "1", Status.INPUT if mfu is not None else Status.DEFAULT,
                   "user" if mfu is not None else "params.mfu default (its range enters the "
                   "draws)"),
        Provenance("accelerator_hours", float(spec.point_hours(mfu_default)[0]), "h",
                   Status.IMPUTED, "FLOP / (peak × MFU) / 3600"),
    )
    return Described(spec, prov, "flop")
