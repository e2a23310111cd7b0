"""A host server as the production and power models see it: components with a default and a
range (BoaviztAPI's ``default;min;max`` archetype cells), the accelerators it carries, and where
every count comes from.

Units: die sizes mm² (BoaviztAPI's unit; MLCA's cm² values are converted when read), RAM and
disk capacities GB per module or drive, densities GB/cm², TDP W, power-supply mass kg.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np

from trainlca.params import FloatArray, Value

#: RAM technologies with a density parameter of their own (``host_ram_density_<type>``).
RAM_TYPES: Final[tuple[str, ...]] = ("ddr4", "ddr5")
#: Case types of BoaviztAPI's case component.
CASE_TYPES: Final[tuple[str, ...]] = ("rack", "blade")

DiskKind = Literal["ssd", "hdd"]


@dataclass(frozen=True)
class Cell:
    """One component quantity: its default and its range (all equal when it is a fact).

    A draw places it in its range with a position ``q`` in [-1, 1]: ``q = -1`` is ``low``, 0 the
    default, +1 ``high``, linear on each side (:meth:`at`).
    """

    value: float
    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low <= self.value <= self.high:
            raise AssertionError(f"Cell: need low ≤ value ≤ high, got {self}")

    @classmethod
    def fixed(cls, value: float) -> Cell:
        return cls(value, value, value)

    @property
    def uncertain(self) -> bool:
        return self.high > self.low

    def at(self, position: Value) -> FloatArray:
        """The quantity at ``position`` (scalar, or (D, 1) in Monte Carlo), same shape."""
        q = np.clip(np.asarray(position, dtype=np.float64), -1.0, 1.0)
        up = self.value + q * (self.high - self.value)
        down = self.value + q * (self.value - self.low)
        return np.where(q >= 0, up, down)


@dataclass(frozen=True)
class Cpu:
    """``units`` CPUs of one model: die area per CPU (mm², all dies of the package) and TDP."""

    units: Cell
    die_mm2: Cell
    tdp_w: Cell
    name: str = ""


@dataclass(frozen=True)
class Ram:
    """``units`` memory modules of ``capacity_gb`` each; ``density`` GB/cm² when given, else
    the ``host_ram_density_<technology>`` parameter."""

    units: Cell
    capacity_gb: Cell
    technology: str = "ddr4"
    density: float | None = None


@dataclass(frozen=True)
class Disk:
    """``units`` drives of ``capacity_gb`` each; an SSD's NAND ``density`` GB/cm² when given,
    else the ``host_ssd_density`` parameter (HDDs have a flat impact per drive)."""

    kind: DiskKind
    units: Cell
    capacity_gb: Cell
    density: float | None = None


@dataclass(frozen=True)
class Server:
    """A host server carrying ``accelerators`` accelerators.

    Attributes:
        name: archetype id or the file it was read from.
        accelerators: accelerators the server carries (its production is shared among them).
        cpu: the CPUs.
        ram: memory groups (BoaviztAPI's ``ram`` list).
        disks: drive groups (BoaviztAPI's ``disk`` list).
        psu_units, psu_kg: power supplies and the mass of one, kg.
        switch_units, switch_die_mm2: other logic ASICs counted with the CPU factors (NVLink
            switch chips of a GB200 NVL72 rack's switch trays, per compute tray), mm² each.
        case_type: ``rack`` or ``blade``.
        case_units, motherboard_units: chassis and main boards (1, or more where a share of
            shared trays is counted).
        cpu_usage: the CPU load of the file (MLCA's ``cpu_usage``); None = the
            ``host_cpu_usage`` parameter.
        source: where the counts come from.
        rationale: why the default sits where it does among published host figures.
        imputed: fields of a user file filled with defaults (shown as notes).
        ignored: fields of a user file that trainlca does not use.
    """

    name: str
    accelerators: int
    cpu: Cpu
    ram: tuple[Ram, ...]
    disks: tuple[Disk, ...]
    psu_units: Cell
    psu_kg: Cell
    switch_units: Cell = field(default_factory=lambda: Cell.fixed(0.0))
    switch_die_mm2: Cell = field(default_factory=lambda: Cell.fixed(0.0))
    case_type: str = "rack"
    case_units: Cell = field(default_factory=lambda: Cell.fixed(1.0))
    motherboard_units: Cell = field(default_factory=lambda: Cell.fixed(1.0))
    cpu_usage: float | None = None
    source: str = ""
    rationale: str = ""
    imputed: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.accelerators < 1:
            raise AssertionError(f"Server {self.name}: accelerators must be ≥ 1")
        if self.case_type not in CASE_TYPES:
            raise AssertionError(f"Server {self.name}: case_type {self.case_type!r}")

    @property
    def ram_gb(self) -> float:
        """Installed memory at the default counts, GB."""
        return sum(r.units.value * r.capacity_gb.value for r in self.ram)

    @property
    def storage_gb(self) -> float:
        """Installed storage at the default counts, GB."""
        return sum(d.units.value * d.capacity_gb.value for d in self.disks)
