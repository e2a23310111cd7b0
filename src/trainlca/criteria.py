"""The impact criteria and energy: names, units and labels, in one place."""

from __future__ import annotations

from typing import Final, Literal

Criterion = Literal["gwp", "adpe", "pe", "wu"]

#: The life-cycle impact criteria, in display order.
CRITERIA: Final[tuple[Criterion, ...]] = ("gwp", "adpe", "pe", "wu")

#: Unit of each criterion and of energy.
UNITS: Final[dict[str, str]] = {
    "gwp": "kgCO2eq",
    "adpe": "kgSbeq",
    "pe": "MJ",
    "wu": "L",
    "energy": "kWh",
}

#: Human-readable names.
LABELS: Final[dict[str, str]] = {
    "gwp": "Global warming potential",
    "adpe": "Abiotic depletion (minerals & metals)",
    "pe": "Primary energy",
    "wu": "Water use",
    "energy": "Electricity",
}

#: Life-cycle stages reported for a training run.
STAGES: Final[tuple[str, ...]] = ("production_accelerator", "production_host", "use")

STAGE_LABELS: Final[dict[str, str]] = {
    "production_accelerator": "Production: accelerators (allocated)",
    "production_host": "Production: hosts (allocated)",
    "use": "Use: electricity",
}


def unit(name: str) -> str:
    """Unit of a criterion or of ``energy``."""
    return UNITS[name]
