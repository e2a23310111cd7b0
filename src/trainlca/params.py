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
- ``uniform(low, high)``: a position with no preferred value (``card_model_u``, a quantile).
- ``discrete``: a choice among coded options ``0 … k−1`` drawn with ``weights`` (the card model
  of a draw, ``card_model``); the point value is the code of the point's option.

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

Distribution = Literal["fixed", "triangular", "loguniform", "uniform", "discrete"]

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
        weights: for ``discrete``, the probability of each code ``0 … k−1`` (sums to 1).
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
    weights: tuple[float, ...] = ()

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
        if self.dist == "uniform":
            return rng.uniform(self.low, self.high, size=n)
        if self.dist == "discrete":
            w = np.asarray(self.weights, dtype=np.float64)
            return rng.choice(w.size, size=n, p=w / w.sum()).astype(np.float64)
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


#: Whole development per final run that the study's ``*_whole_development`` columns use
#: by default (the parameter ``development_factor`` itself stays 1: the final run only).
DEVELOPMENT_GUIDANCE: Final[float] = 1.5
DEVELOPMENT_GUIDANCE_SOURCE: Final[str] = (
    "1.5 with OLMo 2's development (Morrison et al. 2025, ICLR, arXiv 2503.05804: 'model "
    "development ... amounted to 50% of that of training'); 5.6 with Olmo 3's (Morrison, Smith "
    "& Strubell 2026, arXiv 2605.01158: experimentation, failed runs and ablations 82.2 % of "
    "total compute, 1 / (1 − 0.822) = 5.6)")


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


#: BoaviztAPI 2.5.0's GPU factors (``data/factors.yml`` key ``gpu``; ``adp`` there is our ADPe),
#: multiplied in its ``compute/impacts_computation.py`` ``gpu_impact_embedded`` by the attribute
#: whose unit ``models/component/gpu.py`` declares: name prefix, the attribute, its unit, and
#: the value per criterion (per unit of the attribute). Water keeps its ±50 % range, the others
#: ±30 %.
_BOAVIZTA_GPU_FACTORS: Final[tuple[tuple[str, str, str, str, Mapping[str, float]], ...]] = (
    ("gpu_die", "gpu", "mm² of effective logic-die wafer area (gpu_surface)", "/mm2",
     {"gwp": 0.042592, "adpe": 1.555e-08, "pe": 0.56728, "wu": 0.014831}),
    ("gpu_vram", "vram", "mm² of effective memory-die wafer area (vram_surface)", "/mm2",
     {"gwp": 0.18379, "adpe": 5.0731e-09, "pe": 2.452, "wu": 0.070829}),
    ("gpu_pwb", "pwb", "cm² of printed wiring board (pwb_surface)", "/cm2",
     {"gwp": 0.032549, "adpe": 1.2707e-05, "pe": 0.82969, "wu": 0.016173}),
    ("gpu_heatsink", "heatsink", "kg of heatsink (heatsink_weight)", "/kg",
     {"gwp": 5.7412, "adpe": 0.0018669, "pe": 92.287, "wu": 10.459}),
    ("gpu_casing", "casing", "kg of card casing (casing_weight)", "/kg",
     {"gwp": 8.2542, "adpe": 0.00040835, "pe": 245.88, "wu": 3.8931}),
    ("gpu_upstream_transport", "upstream_transport",
     "kg of card, upstream supply-chain transport (weight; here card_mass_kg)", "/kg",
     {"gwp": 0.25955, "adpe": 1.0196e-08, "pe": 3.619, "wu": 0.00098353}),
)
_BZ_UNITS: Final[Mapping[str, str]] = {**_FACTOR_UNITS, "wu": "L"}
_BZ_WORDS: Final[Mapping[str, str]] = {**_FACTOR_WORDS, "wu": "water"}
#: Distribution transport of BoaviztAPI's DEFAULT GPU archetype (data/archetypes/components/
#: gpu.csv: boat 19,000 km, truck 1,000 km, plane 0 km) × factors.yml gpu.transport_<mode>
#: .distribution per kg·km (boat, truck): GWP 1.33e-5, 5.04e-5; ADPe 4.62e-13, 1.98e-12;
#: PE 1.64e-4, 7.04e-4 → per kg of card.
_BZ_DISTRIBUTION: Final[Mapping[str, float]] = {
    "gwp": 19_000 * 1.33e-5 + 1_000 * 5.04e-5,
    "adpe": 19_000 * 4.62e-13 + 1_000 * 1.98e-12,
    "pe": 19_000 * 1.64e-4 + 1_000 * 7.04e-4,
}


def _boavizta_gpu_params() -> tuple[Param, ...]:
    """``<prefix>_<criterion>`` for every row of ``_BOAVIZTA_GPU_FACTORS`` and
    ``gpu_distribution_<criterion>_per_kg`` (water's is ``transport_wu_per_kg``)."""
    out: list[Param] = []
    for prefix, part, what, per, values in _BOAVIZTA_GPU_FACTORS:
        for c, v in values.items():
            rel, rng = (0.5, OURS_50) if c == "wu" else (0.3, OURS_30)
            out.append(_p(f"{prefix}_{c}", v, _BZ_UNITS[c] + per, v * (1 - rel), v * (1 + rel),
                          "triangular",
                          f"{BZ_FACTORS} gpu.{part}.manufacture.{'adp' if c == 'adpe' else c}; "
                          f"range {rng}", f"{_BZ_WORDS[c]} per {what} (boavizta card model)",
                          "production"))
    for c, v in _BZ_DISTRIBUTION.items():
        out.append(_p(f"gpu_distribution_{c}_per_kg", v, f"{_FACTOR_UNITS[c]}/kg", v * 0.7,
                      v * 1.3, "triangular",
                      f"{BZ_FACTORS} gpu.transport_{{boat,truck}}.distribution × the DEFAULT "
                      f"archetype's distances ({BZ_ARCH}: boat 19,000 km, truck 1,000 km, plane "
                      f"0 km); range {OURS_30}",
                      f"{_FACTOR_WORDS[c]} of the card's distribution transport per kg "
                      "(boavizta card model)", "production"))
    return tuple(out)


MLCA_RAM = ("MLCA ram_manufacture.csv (blubrom/MLCA @ d2d8a42, from BoaviztAPI), GB per cm² of "
            "DRAM die by process: 30 nm 0.625-0.875; 25-26 nm 1.0-1.25; 20-21 nm 1.125-1.875; "
            "18 nm 2.375")
NVIDIA_HBM3 = ("NVIDIA HGX H100 PCF summary: memory 546 kgCO2eq of the 1,312 kgCO2eq baseboard "
               "(8 × 80 GB HBM3) = 68.25 kg per GPU; with the mlca model's f_mem 2.20 kgCO2eq/cm² "
               "and B_mem 5.22 kg, (68.25 − 5.22) / 80 GB = 0.788 kg/GB ⇒ ρ = 2.20 / 0.788 = 2.79 "
               "GB/cm² (ours, derived)")
BZ_VRAM = ("BoaviztAPI 2.5.0 models/component/gpu.py VRAM_DIE_SURFACE_PER_GB 15.5 mm²/GB = 6.45 "
           "GB/cm² (its 'average of studied GPUs': close to the stacks' footprint, an upper bound "
           "for the silicon of all dies)")

#: Memory density ρ per DRAM technology (GB per cm² of DRAM die, all dies of a stack counted),
#: METHOD §2: parameter ``rho_<key>``, the catalogue memory types it applies to, point, low,
#: high (triangular), and why. Technologies are placed in MLCA's table by their DRAM process
#: generation (30 nm-class 2008-2013, 20-25 nm 2014-2017, 1x nm 2018-2021, 1y/1z/1a nm 2022-).
_MEMORY_DENSITIES: Final[tuple[tuple[str, tuple[str, ...], float, float, float, str], ...]] = (
    ("ddr3", ("DDR3", "GDDR3"), 0.75, 0.625, 0.875,
     f"{MLCA_RAM}: the four 30 nm rows (DDR3/GDDR3 era), mean 0.75, min-max"),
    ("gddr5", ("GDDR5", "GDDR5X"), 1.25, 0.75, 1.875,
     f"{MLCA_RAM}: Samsung 25 nm 1.25 (GDDR5 era, 2014-2017); range 30 nm SK hynix/Micron "
     "0.75 to 21 nm SK hynix 1.875"),
    ("hbm2", ("HBM", "HBM2"), 1.313, 1.0, 1.875,
     f"{MLCA_RAM}: SK hynix 21 nm 1.313 (HBM2 2016-2019, 20 nm class; 'HBM' of TPU v2/v3 is "
     "HBM2); range 26 nm 1.0 to 21 nm 1.875"),
    ("gddr6", ("GDDR6", "GDDR6X"), 2.375, 1.75, 2.79,
     f"{MLCA_RAM}: Samsung 18 nm 2.375 (1x nm, 2018-2021); low Samsung 20 nm 1.75; high the "
     f"HBM3 value below. {NVIDIA_HBM3}"),
    ("hbm2e", ("HBM2e",), 2.375, 1.875, 2.79,
     f"{MLCA_RAM}: Samsung 18 nm 2.375 (1y nm, 2020-2022); range 21 nm 1.875 to the HBM3 "
     "value below"),
    ("ddr4", ("DDR4",), 2.375, 1.75, 2.79,
     f"{MLCA_RAM}: Samsung 18 nm 2.375; range Samsung 20 nm 1.75 to the HBM3 value below"),
    ("hbm3", ("HBM3",), 2.79, 2.375, 6.45,
     f"{NVIDIA_HBM3}; low MLCA 18 nm 2.375; high {BZ_VRAM}"),
    ("hbm3e", ("HBM3e",), 2.79, 2.375, 6.45,
     "as HBM3 (no HBM3e-specific split is published we could check; denser 24 Gb dies sit in "
     f"the range). {NVIDIA_HBM3}; high {BZ_VRAM}"),
    ("ddr5", ("DDR5", "LPDDR5", "LPDDR5X"), 2.79, 2.375, 6.45,
     "as HBM3 (same DRAM process generation, 1z/1a nm)"),
)
#: Catalogue memory type (upper case) → ``rho_<key>``; other types use ``rho`` (flagged).
MEMORY_KEYS: Final[tuple[str, ...]] = tuple(k for k, *_ in _MEMORY_DENSITIES)
MEMORY_TYPE_KEYS: Final[Mapping[str, str]] = {
    t.upper(): k for k, types, *_ in _MEMORY_DENSITIES for t in types}


def _memory_density_params() -> tuple[Param, ...]:
    """``rho_<key>`` for every row of ``_MEMORY_DENSITIES``."""
    return tuple(
        _p(f"rho_{k}", v, "GB/cm2", lo, hi, "triangular", src,
           f"memory density of {'/'.join(types)} DRAM dies", "production")
        for k, types, v, lo, hi, src in _MEMORY_DENSITIES)


#: Chip classes of the energy model (``power.chip_class`` assigns them) and their mean
#: fraction of TDP drawn in training: parameter ``power_fraction_<class>`` (GPU SXM/OAM is
#: ``power_fraction`` itself), point, low, high, source. The all-in ratio E / (H · TDP) of a
#: class is (u_p + host_power_ratio) · PUE (docs/production.md lists it per class).
_POWER_CLASSES: Final[tuple[tuple[str, str, float, float, float, str], ...]] = (
    ("gpu_pcie", "PCIe and workstation GPU boards", 0.9, 0.6, 1.0,
     "ours: no class-specific measurement found; as GPU SXM (boards are capped at their TDP "
     "like modules)"),
    ("tpu", "Google TPUs", 0.55, 0.4, 0.8,
     "Patterson et al. 2021 Table 4: measured system power per TPU v3 (incl. memory, NIC, fans, "
     "host CPU) 245-310 W per 450 W TDP = 0.54-0.69, per TPU v2 208 W per 280 W = 0.74; 'TPUs "
     "don't offer [Turbo, DVFS], so their TDP is much higher than their average power'. The "
     "chip alone draws less than the system: 0.55 (ours), low 0.4, high 0.8"),
    ("asic", "other training ASICs (Trainium, Gaudi, Ascend)", 0.8, 0.5, 1.0,
     "ours: no published measurement; between the GPU and TPU classes"),
    ("wse", "wafer-scale systems (Cerebras)", 0.8, 0.5, 1.0,
     "ours: no published measurement; the system TDP (23 kW for CS-2) includes its own cooling "
     "and power supplies"),
)
POWER_CLASS_KEYS: Final[tuple[str, ...]] = ("gpu_sxm", *(k for k, *_ in _POWER_CLASSES))


def _power_class_params() -> tuple[Param, ...]:
    return tuple(
        _p(f"power_fraction_{k}", v, "1", lo, hi, "triangular", src,
           f"mean fraction of TDP drawn during training, {what}", "use")
        for k, what, v, lo, hi, src in _POWER_CLASSES)


ECOLOGITS_WUE = ("EcoLogits 0.9 docs/methodology/llm_inference.md, data-centre table from the "
                 "providers' reports: AWS 0.13-0.18, Microsoft 0.569 (Sweden 0.09), Google 0.99 "
                 "L/kWh")
LBNL_2024 = ("Shehabi et al. 2024, 2024 United States Data Center Energy Usage Report (LBNL): "
             "17 billion gallons (64 billion L) of direct water in 2023, average WUE rising "
             "from 0.36 (2014) to 0.38 L/kWh (2023)")
SHEHABI_2016 = ("Shehabi et al. 2016 (LBNL-1005775), as cited by Mytton 2021 (npj Clean Water): "
                "1.8 L of on-site cooling water per kWh")

#: On-site water usage effectiveness (WUE, litres of cooling water per kWh of IT energy) per
#: provider class, METHOD §4: parameter ``wue_<class>``, point, low, high, source.
_WUE: Final[tuple[tuple[str, float, float, float, str], ...]] = (
    ("unknown", 0.38, 0.0, 1.8,
     f"{LBNL_2024}: the point; low 0 (dry or closed-loop cooling); high {SHEHABI_2016}"),
    ("hyperscale", 0.57, 0.09, 0.99,
     f"{ECOLOGITS_WUE}: point Microsoft 0.569, range Microsoft Sweden 0.09 to Google 0.99"),
    ("colocation", 0.38, 0.0, 1.0,
     f"{LBNL_2024}: the point (colocation is most of the US stock outside hyperscale); low 0 "
     "(water-free cooling, e.g. CyrusOne's published WUE-site of its water-free sites); high "
     "1.0 ≈ the hyperscale maximum (ours)"),
)
PROVIDER_CLASSES: Final[tuple[str, ...]] = tuple(k for k, *_ in _WUE)


def _wue_params() -> tuple[Param, ...]:
    return tuple(
        _p(f"wue_{k}", v, "L/kWh", lo, hi, "triangular", src,
           f"on-site cooling water per kWh of IT energy (WUE), {k} data centres", "use")
        for k, v, lo, hi, src in _WUE)


#: Coded parameters: the names of their codes (``--set card_model=boavizta`` = 1).
CODES: Final[Mapping[str, tuple[str, ...]]] = {
    "card_model": ("mlca", "boavizta", "published"),
    "provider_class": PROVIDER_CLASSES,
    "use_measured_power": ("no", "yes"),
}
#: A parameter that sets its members when a preset or the user sets it (a member set itself
#: at the same or a later step keeps its own value): ``rho`` → every ``rho_<type>``,
#: ``power_fraction`` → every ``power_fraction_<class>``.
FAMILIES: Final[Mapping[str, tuple[str, ...]]] = {
    "rho": tuple(f"rho_{k}" for k in MEMORY_KEYS),
    "power_fraction": tuple(f"power_fraction_{k}" for k in POWER_CLASS_KEYS[1:]),
}


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
       "ours: 1.0 GB/cm² for a memory of unknown technology (the per-technology rho_<type> "
       "apply to the catalogue's memory types); low 0.625 = MLCA's worst case (30 nm DRAM, "
       "BoaviztAPI ram_manufacture.csv); high 1.876 = Green Algorithms hardware table. Setting "
       "rho (--set, a preset) sets every rho_<type> not set themselves",
       "memory density of DRAM dies (unknown technology; sets every rho_<type>)", "production"),
    # --- Memory density per technology (METHOD §2): see _MEMORY_DENSITIES ---
    *_memory_density_params(),
    # --- Which card model (METHOD §2b): see card_models.py ---
    replace(_p("card_model", 0.0, "model code", 0.0, 2.0, "discrete",
       "ours: the point is the mlca model (the seed study's; Morand et al.); under the default "
       "preset each Monte Carlo draw picks the model of every card with equal weights 1/3 "
       "(mlca, boavizta, published: no model is validated against the others, so none is "
       "preferred); a model a card lacks (published figure, BoaviztAPI's formula for wafer-scale "
       "dies) passes its draws to the card's other models in proportion to their weights "
       "(card_model_u). --set card_model=boavizta (or 1) pins one model",
       "card production model of a draw: 0 mlca, 1 boavizta, 2 published", "production"),
            weights=(1 / 3, 1 / 3, 1 / 3)),
    _p("card_model_u", 0.5, "1", 0.0, 1.0, "uniform",
       "ours: a uniform position in [0, 1) that shares the draws of a model a card lacks among "
       "its other models (in proportion to their weights), and picks one of several published "
       "figures of a card (at the point: the table's primary figure)",
       "position of a draw inside the card-model weights", "production"),
    _p("published_scale", 1.0, "1", 0.8, 1.2, "triangular",
       "ours: ±20 % on a published per-card figure (vendor PCFs and LCAs publish no range; "
       "±20 % is a usual LCA data-quality spread)",
       "scale on the published model's per-card figures", "production"),
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
    # --- The boavizta card model: BoaviztAPI 2.5.0's GPU model, every criterion (METHOD §2b);
    # factors in _BOAVIZTA_GPU_FACTORS (one row per part, one parameter per criterion) ---
    *_boavizta_gpu_params(),
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
       "60-100 % of TDP (Patterson et al. 2021 Table 4: V100 330 W system power per 300 W TDP; "
       "Luccioni et al. 2023). Applies to GPU SXM/OAM modules; setting it (--set, a preset) sets "
       "every power_fraction_<class> not set themselves",
       "mean fraction of accelerator TDP drawn during training (u_p), GPU SXM/OAM class (sets "
       "every class)", "use"),
    *_power_class_params(),
    _p("use_measured_power", 1.0, "0/1", 1.0, 1.0, "fixed",
       "ours: 1 = where the catalogue has a measured average power per chip (measured_power_w, "
       "e.g. TPU v3 283 W, Patterson et al. 2021 Table 3), it replaces TDP × power_fraction; it "
       "is a system power per chip ('including memory, network interface, fans, host CPU', "
       "Patterson et al. 2021 Table 4), so host power is not added to it. 0 = TDP × "
       "power_fraction everywhere (the presets that reproduce a report at TDP)",
       "use the catalogue's measured power per chip where it has one (1) or not (0)", "use"),
    _p("measured_power_scale", 1.0, "1", 0.9, 1.1, "triangular",
       "Patterson et al. 2021 Table 3: standard deviation 10 % of the measured average power "
       "over the runs of one processor (TPU v3 283 W ± 10 %, V100 325 W ± 2 %)",
       "scale on a measured average power per chip", "use"),
    _p("pue", 1.2, "1", 1.08, 1.56, "triangular",
       "ours: hyperscale fleets 1.08-1.2 (Google 2023 fleet 1.10; Green Algorithms defaults GCP "
       "1.12, AWS 1.2); high = Uptime Institute 2024 global average 1.56",
       "power usage effectiveness of the data centre", "use"),
    _p("dynamic_ratio", 1.0, "1", 1.0, 1.0, "fixed",
       "1 outside the mlca preset; MLCA uses 200/109 (BLOOM: 200 kWh total per 109 kWh of "
       "compute) in place of PUE and idle power", "MLCA's all-in energy multiplier", "use"),
    # --- On-site water of the use stage (METHOD §4): see _WUE ---
    *_wue_params(),
    _p("provider_class", 0.0, "class code", 0.0, 0.0, "fixed",
       "ours: 0 unknown (default: a run's data centre is rarely stated), 1 hyperscale, 2 "
       "colocation; a run of a study may carry its own class",
       "data-centre class whose on-site WUE applies: 0 unknown, 1 hyperscale, 2 colocation",
       "use"),
    # --- Allocation of production to a run (METHOD §5) ---
    _p("lifetime_years", 5.0, "year", 3.0, 6.0, "triangular",
       "ours: hyperscalers depreciate servers over 5-6 years (Microsoft, Alphabet 2022-23 filings);"
       " low 3 = EcoLogits and Green Algorithms (Ostrouchov et al. 2020); high 6 = MLCA",
       "hardware lifetime (L)", "allocation"),
    _p("use_ratio", 0.85, "1", 0.5, 0.95, "triangular",
       "MLCA and BLOOM paper (0.85); low 0.5 = Green Algorithms cloud; high 0.95 (ours, "
       "saturated AI clusters)", "share of the lifetime the hardware is in use (u_a)",
       "allocation"),
    _p("development_factor", 1.0, "1", 1.0, 1.0, "fixed",
       "ours: 1 = the final run only, as published footprints count it (keeps comparisons with "
       f"them intact). Guidance: {DEVELOPMENT_GUIDANCE_SOURCE}",
       "whole development per final run: multiplies the run's accelerator-hours (energy and "
       "production share)", "allocation"),
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
    "development_factor": (1.0, 100.0, "1 = the final run only; Olmo 3 spent ~5.6 × its final "
                           "run's GPU-hours in all"),
    "card_model_u": (0.0, 1.0, "a uniform draw"),
    **{f"rho_{k}": (0.01, 100.0, "DRAM density in GB/cm² of die (0.6-7 in the sources)")
       for k in MEMORY_KEYS},
    **{f"power_fraction_{k}": (0.0, 2.0, "a fraction of TDP") for k in POWER_CLASS_KEYS[1:]},
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
    if name in CODES and not isinstance(value, bool):
        return _code(name, value, given)
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
    """Parse ``name=value`` from ``--set``; raises ParameterError on a malformed override.

    A coded parameter (``CODES``) takes its code or its name, e.g. ``card_model=boavizta``."""
    if "=" not in text:
        raise ParameterError(f"malformed --set '{text}'; expected name=value, e.g. --set pue=1.3")
    name, _, raw = text.partition("=")
    name = name.strip()
    param = get(name)
    raw = raw.strip()
    if name in CODES:
        return name, _code(name, raw, f"--set {name}={raw}")
    try:
        value = float(raw)
    except ValueError:
        raise ParameterError(
            f"--set {name}: '{raw}' is not a number; e.g. --set {name}={param.value:g}"
        ) from None
    return name, check_value(name, value, where="--set")


def _code(name: str, raw: object, given: str) -> float:
    """The code of ``raw`` (a code or a name) for the coded parameter ``name``."""
    names = CODES[name]
    key = str(raw).strip().lower()
    if key in names:
        return float(names.index(key))
    try:
        value = float(key)
    except ValueError:
        value = math.nan
    if value in range(len(names)):
        return value
    choices = ", ".join(f"{i} {n}" for i, n in enumerate(names))
    raise ParameterError(f"{given}: choose one of {choices}")
