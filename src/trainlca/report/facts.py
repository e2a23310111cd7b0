"""What an estimate document says about its run, read once for every exporter.

The exporters (BoAmps, the Hugging Face model card, the EU AI Act form) are pure functions of the
JSON document of ``trainlca estimate --format json`` (:meth:`trainlca.api.Estimate.to_dict`), so
that they work on a saved file as well as on a fresh estimate. :func:`run_facts` gathers from
that document, and from its provenance, what they all need: the hardware and how the run was
described (count × hours, accelerator-hours, FLOP), whether the energy was measured or modelled
and its interval, the electricity boundary (chip, node, facility), and the location.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from trainlca.errors import ParameterError

#: Provenance statuses of a value that was given or metered rather than modelled.
GIVEN: Final[frozenset[str]] = frozenset({"input", "measured"})
#: Parameters of the energy model (run.py): power, host power and facility overhead.
ENERGY_PARAMS: Final[tuple[str, ...]] = ("power_fraction", "host_power_ratio", "host_power_w",
                                         "pue", "dynamic_ratio")
_CODECARBON_VERSION = re.compile(r"CodeCarbon\s+([0-9][\w.+-]*)")


def number(x: Any) -> float | None:
    """A finite float, or None (absent, null, NaN, not a number)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return float(x) if math.isfinite(x) else None


@dataclass(frozen=True)
class Interval:
    """5th, 50th and 95th percentiles over the Monte Carlo draws."""

    p5: float
    p50: float
    p95: float


@dataclass(frozen=True)
class RunFacts:
    """The facts of one estimate document (units in the names; None = not in the document).

    Attributes:
        hardware: catalogue name of the accelerator.
        count: accelerators, when the run was given as count × hours.
        hours: wall-clock hours, when given.
        accelerator_hours: accelerator-hours of the run, h.
        accelerator_hours_status: provenance status of the accelerator-hours (``input`` when
            given or from count × hours, ``imputed`` when derived from FLOP).
        flop: training compute, FLOP, when given.
        energy_kwh: the energy of the figures, kWh (point value, or as measured).
        energy_interval: its 90 % interval, kWh (None at 0 draws or when measured).
        energy_measured: the energy was given (measured) rather than modelled.
        energy_source: provenance source of a given energy ('' when modelled).
        codecarbon_version: version of CodeCarbon that measured it ('' if not CodeCarbon).
        location: grid zone (ISO-3 code or WOR).
        preset: preset name.
        boundary: the document's boundary sentence.
        hosts_powered: the modelled energy includes the host servers (None: not stated).
        pue: power usage effectiveness applied to the modelled energy.
        dynamic_ratio: MLCA's overhead factor, applied in place of PUE and idle power.
        draws: Monte Carlo draws.
    """

    hardware: str
    count: float | None
    hours: float | None
    accelerator_hours: float
    accelerator_hours_status: str
    flop: float | None
    energy_kwh: float
    energy_interval: Interval | None
    energy_measured: bool
    energy_source: str
    codecarbon_version: str
    location: str
    preset: str
    boundary: str
    hosts_powered: bool | None
    pue: float | None
    dynamic_ratio: float | None
    draws: int

    @property
    def whole_count(self) -> int | None:
        """``count`` when it is a whole number of accelerators, else None."""
        c = self.count
        return int(c) if c is not None and c >= 1 and float(c).is_integer() else None


def provenance(doc: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """The first provenance entry called ``name`` (inputs come before defaults), or None."""
    entries: Sequence[Mapping[str, Any]] = doc.get("provenance") or ()
    return next((p for p in entries if p.get("name") == name), None)


def provenance_value(doc: Mapping[str, Any], name: str) -> float | None:
    p = provenance(doc, name)
    return None if p is None else number(p.get("value"))


def impact(doc: Mapping[str, Any], criterion: str, key: str = "total") -> float | None:
    """``impacts[criterion][key]`` as a finite float, None when not covered."""
    return number((doc.get("impacts") or {}).get(criterion, {}).get(key))


def impact_interval(doc: Mapping[str, Any], criterion: str,
                    part: str = "total") -> Interval | None:
    """The 90 % interval of ``part`` (total, production, use) of a criterion, when drawn."""
    iv = (doc.get("impacts") or {}).get(criterion, {}).get(f"{part}_interval")
    return _interval(iv) if isinstance(iv, Mapping) else None


def _interval(values: Mapping[str, Any]) -> Interval | None:
    p5, p50, p95 = (number(values.get(k)) for k in ("p5", "p50", "p95"))
    return None if p5 is None or p50 is None or p95 is None else Interval(p5, p50, p95)


def _hosts_powered(boundary: str) -> bool | None:
    if "accelerators + hosts" in boundary:
        return True
    if "accelerators only" in boundary:
        return False
    return None


def run_facts(doc: Mapping[str, Any]) -> RunFacts:
    """Read the facts of an estimate document.

    Raises:
        ParameterError: the document lacks the hardware, accelerator-hours or energy (not an
            estimate document).
    """
    hardware = doc.get("hardware")
    hours_total, energy = number(doc.get("accelerator_hours")), number(doc.get("energy_kwh"))
    if not isinstance(hardware, str) or hours_total is None or energy is None:
        raise ParameterError("not a trainlca estimate document: it needs 'hardware', "
                             "'accelerator_hours' and 'energy_kwh' (estimate --format json)")
    e_prov = provenance(doc, "energy_kwh")
    measured = e_prov is not None and e_prov.get("status") in GIVEN
    source = str(e_prov.get("source", "")) if measured and e_prov is not None else ""
    cc = _CODECARBON_VERSION.search(source)
    h_prov = provenance(doc, "accelerator_hours")
    boundary = str(doc.get("boundary", ""))
    draws = (doc.get("uncertainty") or {}).get("draws", 0)
    return RunFacts(
        hardware=hardware,
        count=provenance_value(doc, "count"),
        hours=provenance_value(doc, "hours"),
        accelerator_hours=hours_total,
        accelerator_hours_status=str(h_prov.get("status")) if h_prov else "input",
        flop=provenance_value(doc, "flop"),
        energy_kwh=energy,
        energy_interval=None if measured else _interval(
            {k[len("energy_kwh_"):]: doc.get(k) for k in
             ("energy_kwh_p5", "energy_kwh_p50", "energy_kwh_p95")}),
        energy_measured=measured,
        energy_source=source,
        codecarbon_version=cc.group(1) if cc else ("?" if "codecarbon" in source.lower()
                                                   else ""),
        location=str(doc.get("location", "WOR")),
        preset=str(doc.get("preset", "")),
        boundary=boundary,
        hosts_powered=_hosts_powered(boundary),
        pue=provenance_value(doc, "pue"),
        dynamic_ratio=provenance_value(doc, "dynamic_ratio"),
        draws=int(draws) if isinstance(draws, int) else 0,
    )


_SUPERSCRIPT: Final[dict[int, str]] = {ord(a): b for a, b in zip("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹",
                                                                    strict=True)}


def superscript(n: int) -> str:
    """An integer in superscript digits: -3 → ⁻³."""
    return str(n).translate(_SUPERSCRIPT)


def power_of_ten(x: float, digits: int = 2) -> str:
    """``x`` in scientific notation with ``digits`` significant figures and a real superscript
    (``7.8×10²``, ``8.9×10⁻³``); ``0`` for zero. This is how the Model Documentation Form writes
    numbers ("7.3*10^10")."""
    if x == 0:
        return "0"
    mant, exp = f"{x:.{digits - 1}e}".split("e")
    return f"{mant}×10{superscript(int(exp))}"


def plain(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures: plain with thousands separators from 0.001 to
    10⁹ (``1,080,000``, ``8.85``, ``0.0123``), powers of ten outside (``2.14×10⁻⁵``)."""
    if x == 0:
        return "0"
    if not 1e-3 <= abs(x) < 1e9:
        return power_of_ten(x, digits)
    mag = math.floor(math.log10(abs(x)))
    rounded = round(x, digits - 1 - mag)
    mag = math.floor(math.log10(abs(rounded)))
    decimals = max(0, digits - 1 - mag)
    return f"{rounded:,.{decimals}f}"
