"""Component impact factors of host servers: BoaviztAPI 2.5.0 ``data/factors.yml`` (from
Gröger et al. 2021), the same numbers MLCA uses. Facts: fixed, not drawn.

Per criterion (``gwp`` kgCO2eq, ``pe`` MJ, ``adpe`` kgSbeq)::

    CPU / logic ASIC   die_cm2 · cpu_die + cpu_base                 per package
    RAM module         capacity / density · ram_die + ram_base      per module (density GB/cm²)
    SSD                capacity / density · ssd_die + ssd_base      per drive (NAND GB/cm²)
    HDD                hdd                                          per drive
    power supply       mass · psu_per_kg                            per unit
    case               rack_case, or blade_server + blade_enclosure / 16
    motherboard, assembly                                           per unit, per server

MLCA's own copies differ from BoaviztAPI 2.5.0 in three digits, all below 0.05 % of any
server of its results: SSD PE base 76.90 MJ (BoaviztAPI 73.98), CPU ADPe 5.80e-7 kgSbeq/cm²
(5.87e-7), HDD GWP 31.10 kgCO2eq (31.11). We use BoaviztAPI's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

#: BoaviztAPI 2.5.0 component factors (factors.yml; Gröger et al. 2021). Per cm² of die for the
#: ``*_die`` rows (BoaviztAPI states the CPU factor per mm²: 0.0197 kgCO2eq/mm²).
BOAVIZTA_COMPONENTS: Final[Mapping[str, Mapping[str, float]]] = {
    # per cm² of CPU die, and per CPU package
    "cpu_die": {"gwp": 1.97, "pe": 26.50, "adpe": 5.87e-7},
    "cpu_base": {"gwp": 9.14, "pe": 156.0, "adpe": 2.04e-2},
    # per cm² of DRAM die, and per module
    "ram_die": {"gwp": 2.20, "pe": 27.30, "adpe": 6.30e-5},
    "ram_base": {"gwp": 5.22, "pe": 74.0, "adpe": 1.69e-3},
    # per cm² of NAND die, and per SSD
    "ssd_die": {"gwp": 2.20, "pe": 27.30, "adpe": 6.30e-5},
    "ssd_base": {"gwp": 6.34, "pe": 73.98, "adpe": 5.63e-4},
    # per hard disk drive
    "hdd": {"gwp": 31.11, "pe": 276.0, "adpe": 2.50e-4},
    # per kg of power supply
    "psu_per_kg": {"gwp": 24.30, "pe": 352.0, "adpe": 8.30e-3},
    "rack_case": {"gwp": 150.0, "pe": 2200.0, "adpe": 2.02e-2},
    # blade: one blade server's share of a 16-slot enclosure is enclosure / 16 + blade
    "blade_server": {"gwp": 30.90, "pe": 435.0, "adpe": 6.72e-4},
    "blade_enclosure": {"gwp": 880.0, "pe": 12_700.0, "adpe": 4.32e-1},
    "motherboard": {"gwp": 66.10, "pe": 836.0, "adpe": 3.69e-3},
    "assembly": {"gwp": 6.68, "pe": 68.60, "adpe": 1.41e-6},
}
BOAVIZTA_SOURCE: Final[str] = "BoaviztAPI 2.5.0 data/factors.yml (Gröger et al. 2021)"
#: Slots of the blade enclosure of BoaviztAPI's blade case factor.
BLADE_SLOTS: Final[float] = 16.0
