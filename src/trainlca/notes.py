"""Notes attached to results: a stable code, and one text per code.

Every note an output can carry is declared here once (:data:`TEXTS`), so the same situation is
always worded the same way, tests and tools can match on the code, and no module writes its own
variant. A text may hold ``{fields}`` filled by :func:`note`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

TEXTS: Final[Mapping[str, str]] = MappingProxyType({
    "boundary": "boundary: {boundary}",
    "water.card_model": (
        "accelerator production water: from the card model of each value (BoaviztAPI 2.5.0's "
        "GPU model: effective die and VRAM wafer area, board, heatsink, casing, transport, its "
        "end-of-life water outside the boundary; the mlca and published models, which have no "
        "water, take BoaviztAPI's water per kgCO2eq of the same card)"),
    "card_model.mixture": (
        "card production: the {model} model at the point; the draws pick the card model "
        "({shares}), and {structural} of the spread of card GWP lies between models"),
    "card_model.completed": (
        "card {criteria} of the {model} model: completed at BoaviztAPI 2.5.0's ratio to GWP "
        "for the same card (the model does not cover them)"),
    "water.onsite": (
        "use water = off-site (the grid's water per kWh) + on-site cooling water of the data "
        "centre (WUE {wue} L per kWh of IT energy, {provider} class)"),
    "water.onsite_not_covered": (
        "on-site cooling water not counted under this preset (its source counts electricity "
        "only): use water is the grid's (off-site) alone"),
    "power.measured": (
        "accelerator power: the measured system power per chip of {hardware}, {watts} W, in "
        "place of TDP × power fraction; host power is in it and not added"),
    "memory.density_unknown": (
        "memory type '{memory_type}' of {hardware} has no density of its own: rho = "
        "{rho} GB/cm² is used"),
    "development.factor": (
        "whole development counted: accelerator-hours × development_factor {factor} (energy "
        "and production share)"),
    "water.preset_not_covered": (
        "accelerator production water not covered under this preset (its source has no water "
        "criterion)"),
    "water.wafer_scale_not_covered": (
        "production water not covered for wafer-scale chips (e.g. Cerebras CS-2): BoaviztAPI's "
        "effective-area formula needs at least one die per 300 mm wafer"),
    "water.host_not_covered": (
        "host production water not covered: BoaviztAPI 2.5.0's CPU, RAM, SSD, power-supply, "
        "case and motherboard factors have no water criterion"),
    "end_of_life.excluded": "end of life outside the boundary (as in MLCA)",
    "hardware.generic": "{text}",
    "die_area.imputed": "die area of {hardware} is imputed ({source})",
    "grid.default_zone": (
        "no grid factors for {requested} in {source}: its default zone {zone} is used, as MLCA "
        "does for a location missing from its file"),
    "server.imputed": (
        "server {server}: not given in its file, filled with defaults: {fields}"),
    "server.fields_ignored": (
        "server {server}: fields not used by trainlca: {fields}"),
    "grid.world_fallback": (
        "grid factors for {zone} use the world average for: {criteria}"),
    "location.world": (
        "location: world average grid (give --country for the training location)"),
    "location.world_caution": (
        "caution: the grid provider's world-average PE and ADPe factors can be far from large "
        "grids' (EcoLogits 0.11.3 WOR PE 2.59 MJ/kWh vs USA 9.69): PE and ADPe of a WOR run are "
        "indicative only"),
    "energy.measured": (
        "energy: measured value given as input; the energy model (power, PUE) is not used, its "
        "parameters do not affect the use stage"),
    "interval.zero_width": (
        "preset {preset} fixes every parameter: the {draws} draws are identical and the 90 % "
        "interval has zero width (the preset reproduces a report, it has no uncertainty of its "
        "own)"),
    "interval.partial": (
        "preset {preset} pins {pinned}: the 90 % interval reflects only the ranges of the "
        "other parameters"),
    "allocation.exceeds_lifetime": (
        "warning: the run ({hours:,.0f} h) is longer than the hardware's useful life "
        "(L · 8760 · u_a = {life:,.0f} h): more than each chip's whole production is allocated "
        "to it; check --hours (wall-clock hours, not accelerator-hours)"),
    "peak.fallback": (
        "{hardware} has no {precision} peak in the catalogue: its FLOP are counted at the rate "
        "of its nearest precision ({peak:.3g} FLOP/s)"),
    "cards.host_columns": (
        "host columns: host archetype production per accelerator, not included in gwp/adpe/pe"),
    "cards.water_presets": (
        "wu is n/c under the mlca and bloom presets (no water in their sources)"),
})


@dataclass(frozen=True)
class Note:
    """A note of a result: its code (a key of :data:`TEXTS`) and its text."""

    code: str
    text: str

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


def note(code: str, **fields: Any) -> Note:
    """The note ``code`` with its text filled from ``fields``; an unknown code is a bug."""
    return Note(code, TEXTS[code].format(**fields))


def custom(code: str, text: str) -> Note:
    """A note whose text is data (e.g. a reader's own message), under a namespaced code such as
    ``codecarbon.rows_summed``."""
    if "." not in code:
        raise AssertionError(f"note code {code!r} must be namespaced (e.g. 'reader.what')")
    return Note(code, text)
