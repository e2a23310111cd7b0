"""The impact criteria and energy: names, units and labels — the one registry every module and
figure reads.

``QUANTITIES`` holds energy and the four life-cycle criteria, each a :class:`Quantity` with its
key (used in outputs), unit, label (a heading), short label (a column or legend) and the words
a sentence uses. ``CRITERIA`` is the criteria's keys in display order (energy excluded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

Criterion = Literal["gwp", "adpe", "pe", "wu"]


@dataclass(frozen=True)
class Quantity:
    """A reported quantity: a life-cycle criterion, or the electricity of a run.

    Attributes:
        key: identifier in outputs (``gwp``, ``energy``…).
        unit: its unit (``kgCO2eq``, ``kWh``…), plain text.
        label: a heading ("Global warming potential").
        short: a column or legend label ("GWP").
        words: the noun phrase of a sentence ("global warming potential (GWP)").
        latex_unit: the unit in LaTeX (subscripts).
    """

    key: str
    unit: str
    label: str
    short: str
    words: str
    latex_unit: str

    @property
    def axis(self) -> str:
        """An axis label with its unit, e.g. "GWP (kgCO2eq)"."""
        return f"{self.short} ({self.unit})"


QUANTITIES: Final[Mapping[str, Quantity]] = MappingProxyType({
    q.key: q
    for q in (
        Quantity("energy", "kWh", "Electricity", "Energy", "electricity", "kWh"),
        Quantity("gwp", "kgCO2eq", "Global warming potential", "GWP",
                 "global warming potential (GWP)", r"kgCO\textsubscript{2}eq"),
        Quantity("adpe", "kgSbeq", "Abiotic depletion (minerals & metals)", "ADPe",
                 "abiotic resource depletion (ADPe, minerals and metals)", "kgSbeq"),
        Quantity("pe", "MJ", "Primary energy", "PE", "primary energy use (PE)", "MJ"),
        Quantity("wu", "L", "Water use", "WU", "water use (WU)", "L"),
    )
})

#: The life-cycle impact criteria, in display order.
CRITERIA: Final[tuple[Criterion, ...]] = ("gwp", "adpe", "pe", "wu")

#: Unit of each criterion and of energy (a view of the registry).
UNITS: Final[Mapping[str, str]] = MappingProxyType({k: q.unit for k, q in QUANTITIES.items()})
#: Labels of each criterion and of energy (a view of the registry).
LABELS: Final[Mapping[str, str]] = MappingProxyType({k: q.label for k, q in QUANTITIES.items()})
#: Short labels ("GWP") of each criterion and of energy.
SHORT: Final[Mapping[str, str]] = MappingProxyType({k: q.short for k, q in QUANTITIES.items()})

#: Life-cycle stages reported for a training run.
STAGES: Final[tuple[str, ...]] = ("production_accelerator", "production_host", "use")

STAGE_LABELS: Final[Mapping[str, str]] = MappingProxyType({
    "production_accelerator": "Production: accelerators (allocated)",
    "production_host": "Production: hosts (allocated)",
    "use": "Use: electricity",
})
#: Column headings of the stages (tables that must fit 80 columns).
STAGE_SHORT: Final[Mapping[str, str]] = MappingProxyType({
    "production_accelerator": "prod. accel.",
    "production_host": "prod. hosts",
    "use": "use (elec.)",
})


def quantity(name: str) -> Quantity:
    """The registry entry of a criterion or of ``energy``."""
    return QUANTITIES[name]


def unit(name: str) -> str:
    """Unit of a criterion or of ``energy``."""
    return QUANTITIES[name].unit
