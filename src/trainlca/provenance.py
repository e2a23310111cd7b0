"""Where every number comes from: a status set where a value is resolved, and its source.

The status is typed (:class:`Status`) and set by the code that resolves the value — the preset
and parameter resolution (``presets.py``), the catalogue look-up, the grid provider, the run
description (``runspec.py``) and the readers of measured runs — never derived later from the
wording of a source string.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """How a value was obtained (the JSON spelling is the member's value)."""

    #: given by the user (an option, an argument, ``--set``).
    INPUT = "input"
    #: a named model default with its source (``params.py``).
    DEFAULT = "default"
    #: pinned by the chosen preset (its boundary's source).
    PRESET = "preset"
    #: a sourced fact of the accelerator catalogue.
    CATALOGUE = "catalogue"
    #: a value of the grid-factor provider (EcoLogits' table, a user CSV).
    PROVIDER = "provider"
    #: filled in by a rule where the fact is unknown (flagged, with the rule as its source).
    IMPUTED = "imputed"
    #: measured during the run (CodeCarbon, SLURM accounting).
    MEASURED = "measured"


@dataclass(frozen=True)
class Provenance:
    """One value of an output with its unit, status and source.

    Attributes:
        name: the quantity (``pue``, ``tdp_w``, ``accelerator_hours``…).
        value: the value used, in ``unit`` (a string for names such as the hardware).
        unit: its unit ("" for names).
        status: how it was obtained.
        source: where it comes from (a citation, a catalogue row, a file name, "user").
    """

    name: str
    value: float | str
    unit: str
    status: Status
    source: str

    def __post_init__(self) -> None:
        # Accept the JSON spelling ("input") from callers, store the enum.
        object.__setattr__(self, "status", Status(self.status))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit,
                "status": self.status.value, "source": self.source}
