"""Every default and uncertain parameter of the model: value, unit, range, distribution, source.

This is the one place where a number of the model is defined. Presets (``presets.py``) override
some values; users override any of them with ``--set name=value``. Monte Carlo draws
(``uncertainty.py``) sample each parameter whose distribution is not ``fixed`` between ``low``
and ``high``.

Distribution shapes, and why:

- ``triangular(low, value, high)``: the default for ranges given as a best estimate and plausible
  bounds (most LCA factors, PUE, lifetime): the mode is the documented default, so the point
  estimate sits at the centre of mass of the expert judgement, and the tails are bounded.
- ``loguniform(low, high)``: for parameters known only to an order of magnitude where no value
  is more plausible than another on a log scale. Not used by default.
- ``fixed``: facts (unit conversions, component counts) or values a preset pins exactly.

Multiplicative "scale" parameters (``*_scale``) apply an uncertainty to a whole table (grid
factors, imputed die areas) without changing its point value (their default is 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from trainlca.errors import ParameterError
from trainlca.provenance import Status

Distribution = Literal["fixed", "triangular", "loguniform"]

FloatArray = NDArray[np.float64]
#: A parameter value: a scalar for a point estimate, an array shaped (draws, 1) in Monte Carlo.
Value = float | FloatArray


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Attributes:
        name: identifier used in ``--set name=value`` and in outputs.
        value: default (point) value, in ``unit``.
        unit: physical unit of ``value``, ``low`` and ``high``.
        low, high: plausible range (equal to ``value`` when fixed).
        dist: sampling distribution in Monte Carlo (see module docstring).
        source: where the value and the range come from.
        description: what it is, in one line.
        group: which part of the model uses it (production, host, use, allocation, run, grid).
        status: how the value was resolved: ``default`` here, ``preset`` or ``input`` once a
            preset or the user pins it (set by :meth:`with_value`, never parsed from
            ``source``).
    """

    name: str
    value: float
    unit: str
    low: float
    high: float
    dist: Distribution
    source: str
    description: str
    group: str
    status: Status = Status.DEFAULT

    @property
    def uncertain(self) -> bool:
        return self.dist != "fixed" and self.high > self.low

    def with_value(self, value: float, source: str | None = None,
                   status: Status | None = None) -> Param:
        """A copy pinned at ``value`` (fixed), e.g. by a preset (``Status.PRESET``) or a user
        override (``Status.INPUT``); the status is kept when none is given."""
        return replace(self, value=value, low=value, high=value, dist="fixed",
                       source=source or self.source, status=status or self.status)

    def provenance(self) -> dict[str, float | str]:
        """The parameter as an output's provenance entry: name, value, unit, status, source."""
        return {"name": self.name, "value": self.value, "unit": self.unit,
                "status": self.status.value, "source": self.source}

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` draws from the parameter's distribution (all equal to ``value`` when fixed)."""
        if not self.uncertain:
            return np.full(n, self.value, dtype=np.float64)
        if self.dist == "triangular":
            mode = min(max(self.value, self.low), self.high)
            return rng.triangular(self.low, mode, self.high, size=n)
        if self.dist == "loguniform":
            return np.exp(rng.uniform(math.log(self.low), math.log(self.high), size=n))
        raise AssertionError(f"unknown distribution {self.dist}")


GROGER = "Gröger et al. 2021, Green Cloud Computing (Umweltbundesamt Texte 94/2021), via MLCA"
LOUBET = "Loubet et al. 2023, Int. J. Life Cycle Assess. (whole graphics card), via MLCA"
BOAVIZTA = "BoaviztAPI 2.5.0 factors.yml (component factors, from Gröger et al. 2021)"
OURS_30 = "±30 % (ours): spread of published per-area semiconductor factors; no range published"
BZ_FACTORS = "BoaviztAPI 2.5.0 data/factors.yml"
BZ_ARCH = "BoaviztAPI 2.5.0 data/archetypes/components/gpu.csv"
OURS_50 = ("±50 % triangular (ours): BoaviztAPI gives one value and no range; wider than the ±30 % "
           "of the GWP factors because water inventories of semiconductor fabs vary more (site "
           "water stress, ultrapure-water recycling)")


def _p(name: str, value: float, unit: str, low: float, high: float, dist: Distribution,
       source: str, description: str, group: str) -> Param:
    return Param(name, value, unit, low, high, dist, source, description, group)


def _factor(name: str, value: float, unit: str, source: str, description: str,
            group: str = "production", rel: float = 0.3) -> Param:
    """A production factor with a ±rel triangular range (documented in ``source``)."""
    return _p(name, value, unit, value * (1 - rel), value * (1 + rel), "triangular",
              f"{source}; range {OURS_30}", description, group)


#: Per-criterion factors of the card model (METHOD §2): name prefix, what it multiplies, the unit
#: it multiplies (``/cm2`` or "" for a flat base), source, and the value per criterion.
_CARD_FACTORS: Final[tuple[tuple[str, str, str, str, Mapping[str, float]], ...]] = (
    ("die", "per cm² of logic die", "/cm2", GROGER,
     {"gwp": 1.97, "pe": 26.50, "adpe": 5.80e-7}),
    ("card_base", "of the rest of the card (board, cooling, casing)", "", LOUBET,
     {"gwp": 26.97, "pe": 156.0, "adpe": 1.707e-2}),
    ("mem", "per cm² of DRAM die", "/cm2", GROGER,
     {"gwp": 2.20, "pe": 27.30, "adpe": 6.30e-5}),
    ("mem_base", "of the memory base (packaging)", "", GROGER,
     {"gwp": 5.22, "pe": 74.0, "adpe": 1.69e-3}),
)
_FACTOR_UNITS: Final[Mapping[str, str]] = {"gwp": "kgCO2eq", "pe": "MJ", "adpe": "kgSbeq"}
_FACTOR_WORDS: Final[Mapping[str, str]] = {"gwp": "GWP", "pe": "primary energy", "adpe": "ADPe"}


def _card_factor_params() -> tuple[Param, ...]:
    """The rows of ``_CARD_FACTORS`` as parameters ``<prefix>_<criterion>`` (±30 % ranges)."""
    return tuple(
        _factor(f"{prefix}_{c}", value, _FACTOR_UNITS[c] + per, source,
                f"{_FACTOR_WORDS[c]} {what}")
        for prefix, what, per, source, values in _CARD_FACTORS
        for c, value in values.items()
    )


_GRID_SCALES: Final[tuple[tuple[str, float, float, str], ...]] = (
    ("gwp", 0.8, 1.25,
     "ours: year-to-year and data-source spread of national grid GWP (Ember vs IEA vs ecoinvent)"),
    ("adpe", 0.5, 2.0,
     "ours: ADPe factors of electricity differ ×2 between databases (ADEME Base IMPACTS vs "
     "ecoinvent)"),
    ("pe", 0.8, 1.25, "ours: ±20 % between primary-energy accounting conventions"),
    ("wu", 0.5, 2.0,
     "ours: water factors of electricity vary ×2 with the cooling mix (Macknick et al. 2012)"),
)


def _grid_scale_params() -> tuple[Param, ...]:
    """``grid_<criterion>_scale``: multiplicative uncertainty on the grid table (point 1)."""
    return tuple(
        _p(f"grid_{c}_scale", 1.0, "1", low, high, "triangular", source,
           f"scale on the grid's {_FACTOR_WORDS.get(c, 'water')} factor", "grid")
        for c, low, high, source in _GRID_SCALES
    )


_PARAMS: tuple[Param, ...] = (
    # --- Production of one accelerator card (METHOD §2): per-criterion factors, see
    # _CARD_FACTORS below (one row per factor and criterion, built by _card_factor_params) ---
    *_card_factor_params(),
    _p("rho", 1.0, "GB/cm2", 0.625, 1.88, "triangular",
       "ours: 1.0 GB/cm² for current HBM/GDDR6-era DRAM; low 0.625 = MLCA's worst case (30 nm DRAM,"
       " BoaviztAPI ram_manufacture.csv); high 1.876 = Green Algorithms hardware table",
       "memory density of DRAM dies", "production"),
    _p("card_mass_kg", 2.0, "kg", 1.0, 3.0, "triangular",
       "ours: SXM/OAM module with heatsink 2-3 kg, PCIe board 1-2 kg (vendor datasheets)",
       "shipped mass of one accelerator card", "production"),
    _p("transport_gwp_per_kg", 1.0, "kgCO2eq/kg", 0.24, 11.3, "triangular",
       "ours from DEFRA 2023 freight factors: all sea 0.016 kgCO2eq/t·km × 15,000 km = 0.24; all "
       "air 1.13 × 10,000 km = 11.3; default ≈ 7 % of the mass-distance by air",
       "transport of the card from assembly to the data centre, per kg", "production"),
    _p("transport_pe_per_kgco2", 13.9, "MJ/kgCO2eq", 13.9, 13.9, "fixed",
       "ours: fuel energy per kg CO2 of combustion (marine/jet fuel LHV ≈ 43 MJ/kg ÷ 3.1 kgCO2/kg)",
       "primary energy of transport per kgCO2eq of transport", "production"),
    # --- Production water of one accelerator card: BoaviztAPI 2.5.0's GPU model (METHOD §2) ---
    # W_card = f_gpu·S_gpu + f_vram·S_vram + f_pwb·S_pwb + f_hs·m_hs + f_case·m_case
    #          + f_up·m_card [+ f_dist·m_card with transport]; end of life excluded.
    # Factors: factors.yml gpu.<part>.manufacture.wu, multiplied in compute/impacts_computation.py
    # gpu_impact_embedded by the attribute whose unit models/component/gpu.py declares.
    _p("gpu_die_wu", 0.014831, "L/mm2", 0.014831 * 0.5, 0.014831 * 1.5, "triangular",
       f"{BZ_FACTORS} gpu.gpu.manufacture.wu (× gpu_surface, mm² of effective wafer area); "
       f"range {OURS_50}", "water per mm² of effective logic-die wafer area", "production"),
    _p("gpu_vram_wu", 0.070829, "L/mm2", 0.070829 * 0.5, 0.070829 * 1.5, "triangular",
       f"{BZ_FACTORS} gpu.vram.manufacture.wu (× vram_surface, mm² of effective VRAM wafer "
       f"area); range {OURS_50}", "water per mm² of effective memory-die wafer area",
       "production"),
    _p("gpu_pwb_wu", 0.016173, "L/cm2", 0.016173 * 0.5, 0.016173 * 1.5, "triangular",
       f"{BZ_FACTORS} gpu.pwb.manufacture.wu (× pwb_surface, cm²); range {OURS_50}",
       "water per cm² of printed wiring board", "production"),
    _p("gpu_heatsink_wu", 10.459, "L/kg", 10.459 * 0.5, 10.459 * 1.5, "triangular",
       f"{BZ_FACTORS} gpu.heatsink.manufacture.wu (× heatsink_weight, kg); range {OURS_50}",
       "water per kg of heatsink", "production"),
    _p("gpu_casing_wu", 3.8931, "L/kg", 3.8931 * 0.5, 3.8931 * 1.5, "triangular",
       f"{BZ_FACTORS} gpu.casing.manufacture.wu (× casing_weight, kg); range {OURS_50}",
       "water per kg of card casing", "production"),
    _p("gpu_upstream_transport_wu", 0.00098353, "L/kg", 0.00098353 * 0.5, 0.00098353 * 1.5,
       "triangular",
       f"{BZ_FACTORS} gpu.upstream_transport.manufacture.wu (× card weight, kg; here "
       f"card_mass_kg); range {OURS_50}", "water of upstream (supply-chain) transport per kg of "
       "card", "production"),
    _p("transport_wu_per_kg", 0.000989, "L/kg", 0.000989 * 0.5, 0.000989 * 1.5, "triangular",
       f"{BZ_FACTORS} gpu.transport_{{boat,truck,plane}}.distribution.wu (4.2e-8, 1.91e-7, "
       "8.38e-6 L/(kg·km)) × the DEFAULT archetype's distances (data/archetypes/components/"
       f"gpu.csv: boat 19,000 km, truck 1,000 km, plane 0 km) = 0.000989; range {OURS_50}",
       "water of transport of the card to the data centre, per kg", "production"),
    _p("gpu_pwb_cm2", 296.0, "cm2", 93.13, 312.14, "triangular",
       f"{BZ_ARCH} pwb_surface (DEFAULT 'Large GPU'); range = min-max of pwb_surface over "
       "BoaviztAPI 2.5.0 data/crowdsourcing/gpu_specs.csv (T4/L4 93.13 … GTX 1080 Ti 312.14)",
       "printed wiring board surface of one card", "production"),
    _p("gpu_heatsink_kg", 0.90, "kg", 0.0537, 1.25, "triangular",
       f"{BZ_ARCH} heatsink_weight (DEFAULT 'Large GPU'); range = min-max of mass_heatsink over "
       "gpu_specs.csv (Titan RTX 0.0537 … A100 SXM4 1.25)", "heatsink mass of one card",
       "production"),
    _p("gpu_casing_kg", 0.79, "kg", 0.0, 0.79, "triangular",
       f"{BZ_ARCH} casing_weight (DEFAULT 'Large GPU'); range = min of mass_casing over "
       "gpu_specs.csv (L4/T4 0.0, passively cooled boards) to the archetype value (the "
       "largest in gpu_specs.csv is H100 SXM's 0.789)", "casing mass of one card", "production"),
    _p("vram_mm2_per_gb", 15.5, "mm2/GB", 15.5 * 0.5, 15.5 * 1.5, "triangular",
       "BoaviztAPI 2.5.0 models/component/gpu.py VRAM_DIE_SURFACE_PER_GB (\"average of studied "
       f"GPUs\"); range {OURS_50}. Used for water only: the GWP/PE/ADPe memory model uses rho",
       "VRAM die surface per GB of card memory (BoaviztAPI's water model)", "production"),
    _p("vram_dies", 6.0, "1", 4.0, 12.0, "triangular",
       f"{BZ_ARCH} vram_dies (DEFAULT 'Large GPU', used by BoaviztAPI for any card not in its "
       "gpu_specs.csv); range from gpu_specs.csv 'number': 4 HBM stacks (P100, V100) to 12 "
       "GDDR6 chips (A10, L4, Titan RTX)", "memory dies (HBM stacks or GDDR chips) per card",
       "production"),
    _p("wafer_diameter_mm", 300.0, "mm", 300.0, 300.0, "fixed",
       "BoaviztAPI 2.5.0 models/component/gpu.py _WAFER_DIAMETER (effective-area formula)",
       "wafer diameter in the effective-die-area formula", "production"),
    _p("wafer_kerf_mm", 0.2, "mm", 0.2, 0.2, "fixed",
       "BoaviztAPI 2.5.0 models/component/gpu.py _KERF (scribe line between dies)",
       "kerf added to the die side in the effective-die-area formula", "production"),
    _p("wafer_defect_density", 0.1, "1/cm2", 0.1, 0.1, "fixed",
       "BoaviztAPI 2.5.0 models/component/gpu.py _calculate_effective_area_on_circular_wafer: "
       "usable ratio exp(-sqrt(A[cm²]·0.1)); fixed: the ±50 % on the per-area factors carries "
       "the uncertainty of the area model", "defect density of the yield term", "production"),
    # --- Host servers (METHOD §3; docs/servers.md): production from the server's components,
    # power from its CPUs and RAM (MLCA's rule) plus the rest of the host IT as a TDP ratio ---
    _p("host_power_ratio", 0.4, "1", 0.2, 0.77, "triangular",
       "ours from NVIDIA datasheet maximum system power minus GPU TDP, CPU TDP and RAM at "
       "0.3725 W/GB: DGX A100 (6.5 kW - 8x400 - 2x225 - 381 W) = 0.77 x GPU TDP, DGX H100 "
       "(10.2 kW - 8x700 - 2x350 - 763 W) = 0.56; default 0.4 = below maximum (fans, NICs, "
       "switches, drives and conversion losses at training load); low 0.2 (ours)",
       "other host IT power per accelerator (network cards, switches, fans, drives, power "
       "conversion), as a fraction of accelerator TDP; CPUs and RAM are counted from the server",
       "host"),
    _p("host_power_w", 0.0, "W", 0.0, 0.0, "fixed",
       "ours: 0 (a user's extra host power per accelerator, e.g. a measured overhead)",
       "absolute host power per accelerator, added", "host"),
    _p("host_cpu_usage", 0.5, "1", 0.1, 1.0, "triangular",
       "ours: host CPUs of accelerator servers feed data and launch kernels, well below TDP; "
       "high 1.0 = MLCA's default cpu_usage (CPUs at TDP); low 0.1 (ours)",
       "mean load of the host CPUs as a fraction of their TDP", "host"),
    _p("host_ram_w_per_gb", 0.3725, "W/GB", 0.15, 0.45, "triangular",
       "Green Algorithms (Lannelongue et al. 2021, Adv. Sci. 8, 2100707) 0.3725 W/GB, used by "
       "MLCA; low 0.15 (ours: ~10 W per 64 GB DDR5 RDIMM under load); high 0.45 (ours)",
       "power of host memory per GB installed", "host"),
    _p("host_ram_density_ddr4", 2.1, "GB/cm2", 1.244, 3.09, "triangular",
       "BoaviztAPI 2.5.0 crowdsourcing/ram_manufacture.csv Samsung 18 nm row 2.375 GB/cm2 of "
       "die, divided by 1.125 for the ECC dies of an RDIMM (72 bits per 64); low 1.244 = mean "
       "of that table (BoaviztAPI's default; its 30 nm row, 0.625, MLCA's default, predates "
       "every archetype); high 3.09 = Micron D1z 16 Gb DDR4 die, 0.247 Gb/mm2 (TechInsights, "
       "Micron DDR5 DIMM technology blog), no ECC overhead",
       "capacity per cm2 of DRAM die of DDR4 server memory", "host"),
    _p("host_ram_density_ddr5", 2.4, "GB/cm2", 1.244, 3.01, "triangular",
       "Micron D1z 16 Gb DDR5 die, 0.241 Gb/mm2 = 3.01 GB/cm2 (TechInsights, Micron DDR5 DIMM "
       "technology blog), divided by 1.25 for the ECC dies of a DDR5 RDIMM (80 bits per 64); "
       "low 1.244 = mean of BoaviztAPI 2.5.0 ram_manufacture.csv (its default); high 3.01 = the "
       "die without ECC overhead",
       "capacity per cm2 of DRAM die of DDR5/LPDDR5X server memory", "host"),
    _p("host_ssd_density", 54.88, "GB/cm2", 16.4, 128.0, "triangular",
       "mean of BoaviztAPI 2.5.0 crowdsourcing/ssd_manufacture.csv (19 NAND rows, 2015-2020); "
       "range = its min (Intel 32-layer, 16.4) and max (Micron 128-layer, 128)",
       "capacity per cm2 of NAND die of host SSDs", "host"),
    _p("host_cpu_spread", 0.0, "1", -1.0, 1.0, "triangular",
       "archetype table servers/data/archetypes.csv: each row's CPU.* and SWITCH.* min/max "
       "cells (-1 = min, 0 = default, +1 = max)",
       "position of the host CPUs (die area, TDP) and switch ASICs within their archetype "
       "range", "host"),
    _p("host_ram_spread", 0.0, "1", -1.0, 1.0, "triangular",
       "archetype table servers/data/archetypes.csv: each row's RAM.units and RAM.capacity "
       "min/max cells",
       "position of the host memory (modules, GB per module) within its archetype range",
       "host"),
    _p("host_storage_spread", 0.0, "1", -1.0, 1.0, "triangular",
       "archetype table servers/data/archetypes.csv: each row's SSD.* and HDD.* min/max cells",
       "position of the host drives (count, GB per drive) within their archetype range",
       "host"),
    _p("host_chassis_spread", 0.0, "1", -1.0, 1.0, "triangular",
       "archetype table servers/data/archetypes.csv: each row's POWER_SUPPLY.*, CASE.units and "
       "MOTHERBOARD.units min/max cells",
       "position of the power supplies (count, mass) and chassis within their archetype range",
       "host"),
    _p("host_share_scale", 1.0, "1", 1.0, 1.0, "fixed",
       "1: the spread of real hosts is carried by the component positions host_*_spread and "
       "densities; the bloom preset scales the host to its paper's 2,500 kgCO2eq with it",
       "scale on the host server's production impact", "host"),
    # --- Use phase (METHOD §4) ---
    _p("power_fraction", 0.9, "1", 0.6, 1.0, "triangular",
       "ours: Meta model cards and BLOOM use TDP (1.0); measured large-model training averages "
       "60-100 % of TDP (Patterson et al. 2021; Luccioni et al. 2023)",
       "mean fraction of accelerator TDP drawn during training (u_p)", "use"),
    _p("pue", 1.2, "1", 1.08, 1.56, "triangular",
       "ours: hyperscale fleets 1.08-1.2 (Google 2023 fleet 1.10; Green Algorithms defaults GCP "
       "1.12, AWS 1.2); high = Uptime Institute 2024 global average 1.56",
       "power usage effectiveness of the data centre", "use"),
    _p("dynamic_ratio", 1.0, "1", 1.0, 1.0, "fixed",
       "1 outside the mlca preset; MLCA uses 200/109 (BLOOM: 200 kWh total per 109 kWh of "
       "compute) in place of PUE and idle power", "MLCA's all-in energy multiplier", "use"),
    # --- Allocation of production to a run (METHOD §5) ---
    _p("lifetime_years", 5.0, "year", 3.0, 6.0, "triangular",
       "ours: hyperscalers depreciate servers over 5-6 years (Microsoft, Alphabet 2022-23 filings);"
       " low 3 = EcoLogits and Green Algorithms (Ostrouchov et al. 2020); high 6 = MLCA",
       "hardware lifetime (L)", "allocation"),
    _p("use_ratio", 0.85, "1", 0.5, 0.95, "triangular",
       "MLCA and BLOOM paper (0.85); low 0.5 = Green Algorithms cloud; high 0.95 (ours, "
       "saturated AI clusters)", "share of the lifetime the hardware is in use (u_a)",
       "allocation"),
    # --- Runs described by FLOP (METHOD §6) ---
    _p("mfu", 0.35, "1", 0.2, 0.5, "triangular",
       "ours: reported model FLOP utilisation of large training runs mostly 0.2-0.5 (PaLM 0.46, "
       "Llama 3 0.38-0.43, GPT-3 on V100 ≈ 0.2; Epoch AI notable models)",
       "model FLOP utilisation when a run is given by FLOP without its own MFU", "run"),
    # --- Uncertainty on tables (multiplicative, point value 1) ---
    *_grid_scale_params(),
    _p("imputed_die_scale", 1.0, "1", 0.7, 1.3, "triangular",
       "ours: ±30 %, the spread of die areas among chips of one vendor and generation",
       "scale on die areas that the catalogue imputed", "production"),
)

#: Every parameter by name, at the project's best estimate (the `default` preset).
DEFAULTS: Final[Mapping[str, Param]] = {p.name: p for p in _PARAMS}


def get(name: str) -> Param:
    """The default parameter ``name``; unknown names raise ParameterError with the valid names."""
    try:
        return DEFAULTS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, list(DEFAULTS), n=3, cutoff=0.4)
        hint = f"did you mean {', '.join(close)}?" if close else "see `trainlca params`"
        raise ParameterError(f"unknown parameter '{name}'; {hint}") from None


#: Physical bounds of parameter values (inclusive), with the reason: a value outside is an
#: error wherever it comes from (``--set``, ``overrides=`` in Python, a preset). Parameters not
#: listed must be finite and ≥ 0.
BOUNDS: Final[Mapping[str, tuple[float, float, str]]] = {
    "pue": (1.0, 3.0, "a PUE is ≥ 1 by definition and no data centre reports above 3"),
    "dynamic_ratio": (1.0, 5.0, "MLCA's all-in multiplier is ≥ 1; BLOOM's is 1.83"),
    "lifetime_years": (0.5, 30.0, "accelerators serve months to decades, not 10^-300 years"),
    "use_ratio": (0.01, 1.0, "a share of the lifetime"),
    "mfu": (1e-3, 1.0, "a fraction of peak; below 0.1 % it is a unit error"),
    "power_fraction": (0.0, 2.0, "a fraction of TDP (0: accelerators unused, as in MLCA's "
                       "CPU-only jobs); above 1 only for a reported system power per chip, e.g. "
                       "GPT-3's 330 W per 300 W V100 (Patterson et al. 2021)"),
    "host_power_ratio": (0.0, 5.0, "host power is a fraction of the accelerators' (0.3-1 "
                         "measured)"),
    "host_power_w": (0.0, 10_000.0, "W per accelerator; a whole 8-GPU server draws ~10 kW"),
    "host_cpu_usage": (0.0, 1.0, "a fraction of the CPUs' TDP"),
    "host_ram_w_per_gb": (0.0, 10.0, "W per GB of server RAM (MLCA: 0.3725)"),
    "host_ram_density_ddr4": (0.01, 100.0, "DRAM density in GB/cm² of die"),
    "host_ram_density_ddr5": (0.01, 100.0, "DRAM density in GB/cm² of die"),
    "host_ssd_density": (0.1, 10_000.0, "NAND density in GB/cm² of die"),
    **{f"host_{part}_spread": (-1.0, 1.0, "a position between the archetype's min (-1) and "
                               "max (1), 0 = default")
       for part in ("cpu", "ram", "storage", "chassis")},
    "rho": (0.01, 100.0, "DRAM density in GB/cm² of die (0.6-7 in the sources)"),
    "card_mass_kg": (0.01, 100.0, "one accelerator card, kg"),
    "vram_dies": (1.0, 64.0, "memory dies per card"),
    "wafer_diameter_mm": (100.0, 450.0, "wafers are 150-300 mm (450 mm planned)"),
    "wafer_kerf_mm": (0.0, 5.0, "scribe lines are ~0.1-0.2 mm wide"),
    "wafer_defect_density": (0.0, 10.0, "defects per cm² (0.05-0.5 in current processes)"),
    "vram_mm2_per_gb": (0.1, 1000.0, "memory die area per GB (BoaviztAPI: 15.5 mm²/GB)"),
    "gpu_pwb_cm2": (0.0, 5000.0, "board area of one card, cm²"),
    "gpu_heatsink_kg": (0.0, 50.0, "heatsink of one card, kg"),
    "gpu_casing_kg": (0.0, 50.0, "casing of one card, kg"),
    "transport_gwp_per_kg": (0.0, 100.0, "kgCO2eq per kg shipped (all-air freight is ~11)"),
}


#: A parameter without bounds of its own may be at most this many times its documented range.
GENERIC_SPAN: Final[float] = 1000.0


def check_value(name: str, value: object, *, where: str = "") -> float:
    """``value`` as the value of parameter ``name``: a finite number within its bounds
    (:data:`BOUNDS`, else ≥ 0 and ≤ :data:`GENERIC_SPAN` × its range). ParameterError names
    the parameter, the bound and its reason; ``where`` says how it was given (``--set`` on the
    CLI, ``overrides`` in Python)."""
    param = get(name)
    given = f"{where} {name}={value!r}".strip() if where else f"{name}={value!r}"
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ParameterError(f"{given}: not a number; e.g. {name}={param.value:g}")
    x = float(value)
    low, high, why = BOUNDS.get(name, (0.0, GENERIC_SPAN * max(param.high, param.value, 1.0),
                                       f"≥ 0, and at most {GENERIC_SPAN:g} × the top of its "
                                       "documented range"))
    if not math.isfinite(x) or not low <= x <= high:
        rng = f"≥ {low:g}" if math.isinf(high) else f"in [{low:g}, {high:g}]"
        raise ParameterError(f"{given}: must be a finite number {rng} ({why})")
    return x


def check_overrides(overrides: object, *, where: str = "overrides") -> dict[str, float]:
    """User overrides (``--set`` or ``overrides=``) checked: a mapping of known parameter names
    to numbers within their bounds."""
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise ParameterError(f"{where} must be a mapping of parameter names to numbers, e.g. "
                             f"{{'pue': 1.3}}; got {type(overrides).__name__}")
    return {str(k): check_value(str(k), v, where=where) for k, v in overrides.items()}


def parse_override(text: str) -> tuple[str, float]:
    """Parse ``name=value`` from ``--set``; raises ParameterError on a malformed override."""
    if "=" not in text:
        raise ParameterError(f"malformed --set '{text}'; expected name=value, e.g. --set pue=1.3")
    name, _, raw = text.partition("=")
    name = name.strip()
    param = get(name)
    try:
        value = float(raw.strip())
    except ValueError:
        raise ParameterError(
            f"--set {name}: '{raw.strip()}' is not a number; e.g. --set {name}={param.value:g}"
        ) from None
    return name, check_value(name, value, where="--set")
