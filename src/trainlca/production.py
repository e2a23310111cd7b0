"""Production ("embodied") impacts of an accelerator card and of a host server (METHOD §2-3).

Pure, vectorised functions: every input may be a scalar, an array over runs shaped (runs,), or a
parameter array shaped (draws, 1); outputs broadcast to (draws, runs).

Card, per criterion c (GWP, PE, ADPe)::

    I_card[c] = A_die · f_die[c] + B_card[c] + I_mem[c] + I_transport[c]
    I_mem[c]  = (M / ρ) · f_mem[c] + B_mem[c]          (0 when M = 0)

BoaviztAPI 2.5.0's bottom-up GPU model (``boavizta_card``, every criterion; ``card_water`` is
its water, WU in litres): effective wafer area of the logic dies and of the VRAM dies, board
surface, heatsink and casing masses, each times its ``factors.yml`` factor, plus upstream transport
(and distribution transport when ``transport``); BoaviztAPI's end-of-life term is left out (end
of life is outside our boundary, as in MLCA). Host production water is not covered (BoaviztAPI's
CPU, RAM, SSD, power-supply, case and motherboard factors have no water criterion): it is NaN and
reported as "not covered", never as zero.

Host servers are modelled in ``trainlca.servers`` (sourced archetypes or a user's server, built
bottom-up from BoaviztAPI 2.5.0 component factors; their impact is shared equally by the
server's accelerators).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np

from trainlca.params import FloatArray, Value

# Host servers moved to trainlca.servers; these two names stay importable from here during the
# transition (import them from trainlca.servers).
from trainlca.servers.components import BOAVIZTA_COMPONENTS, BOAVIZTA_SOURCE  # noqa: F401

#: Criteria of the per-area card model and of the host model (water has its own card model,
#: ``card_water``, and is not covered for hosts).
PRODUCTION_CRITERIA: Final[tuple[str, ...]] = ("gwp", "adpe", "pe")

#: Why host production water is missing, shown in every output whose boundary has hosts.
HOST_WATER_NOT_COVERED: Final[str] = (
    "host production water not covered: BoaviztAPI 2.5.0's CPU, RAM, SSD, power-supply, case "
    "and motherboard factors have no water criterion"
)
#: Where accelerator production water comes from (shown when it is counted).
CARD_WATER_SOURCE: Final[str] = (
    "accelerator production water: from the card model of each value (BoaviztAPI 2.5.0's GPU "
    "model; the mlca and published models take BoaviztAPI's water per kgCO2eq of the card)"
)
#: Accelerator production water under a preset whose source has no water (``mlca``, ``bloom``).
PRESET_WATER_NOT_COVERED: Final[str] = (
    "accelerator production water not covered under this preset (its source has no water "
    "criterion)"
)
#: Chips outside the domain of BoaviztAPI's effective-area formula (wafer-scale engines).
WAFER_SCALE_WATER_NOT_COVERED: Final[str] = (
    "production water not covered for wafer-scale chips (e.g. Cerebras CS-2): BoaviztAPI's "
    "effective-area formula needs at least one die per 300 mm wafer"
)
#: Back-compatible name: the host note (the part of production water that stays uncovered).
WATER_NOT_COVERED: Final[str] = HOST_WATER_NOT_COVERED

ParamValues = Mapping[str, Value]


def _arr(x: Value) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def memory_production(memory_gb: Value, p: ParamValues,
                      rho: Value | None = None) -> dict[str, FloatArray]:
    """Production impact of on-board DRAM/HBM: ``(M/ρ)·f_mem + B_mem`` (0 when M = 0).

    Args:
        memory_gb: memory capacity in GB, (R,) or scalar.
        p: parameter values (``rho`` in GB/cm², ``mem_*``, ``mem_base_*``).
        rho: memory density per row, GB/cm² ((R,) or (D, R), e.g. per memory technology,
            ``card_models.memory_density``); default ``p["rho"]``.
    Returns:
        impacts per criterion (kgCO2eq, kgSbeq, MJ).
    """
    m = _arr(memory_gb)
    has = m > 0
    area_cm2 = m / _arr(p["rho"] if rho is None else rho)
    return {
        c: np.where(has, area_cm2 * _arr(p[f"mem_{c}"]) + _arr(p[f"mem_base_{c}"]), 0.0)
        for c in PRODUCTION_CRITERIA
    }


def effective_die_area_mm2(die_area_mm2: Value, p: ParamValues) -> FloatArray:
    """Wafer area consumed per good die, mm² (BoaviztAPI 2.5.0
    ``_calculate_effective_area_on_circular_wafer``), vectorised.

    With side ``w = √A + kerf``, ``a = w²``, wafer surface ``W = π(D/2)²``::

        n_dies   = W/a − π·D/√(2a)             dies per wafer (edge loss)
        area     = a · W / (n_dies · a)          wafer area per die
        usable   = exp(−√(a/100 · D0))           yield (a in cm², D0 defects/cm²)
        effective = area / usable

    NaN where fewer than one die fits the wafer (wafer-scale engines): the formula has no meaning
    there (BoaviztAPI would return a negative area).
    """
    a_mm2 = _arr(die_area_mm2)
    d = _arr(p["wafer_diameter_mm"])
    wafer = np.pi * (d / 2.0) ** 2
    side = np.sqrt(a_mm2) + _arr(p["wafer_kerf_mm"])
    actual = side**2
    n_dies = wafer / actual - (np.pi * d) / np.sqrt(2.0 * actual)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_die = actual * (wafer / (n_dies * actual))
    usable = np.exp(-np.sqrt(actual / 100.0 * _arr(p["wafer_defect_density"])))
    return np.where(n_dies >= 1.0, per_die / usable, np.nan)


#: Parts of BoaviztAPI 2.5.0's GPU sum (``gpu_impact_embedded``), in its order: parameter prefix
#: of their factors (``<prefix>_<criterion>``, params.py ``_BOAVIZTA_GPU_FACTORS``).
BOAVIZTA_PARTS: Final[tuple[str, ...]] = ("gpu_die", "gpu_vram", "gpu_pwb", "gpu_heatsink",
                                          "gpu_casing", "gpu_upstream_transport")
BOAVIZTA_CRITERIA: Final[tuple[str, ...]] = ("gwp", "adpe", "pe", "wu")


def _distribution_name(criterion: str) -> str:
    return "transport_wu_per_kg" if criterion == "wu" else f"gpu_distribution_{criterion}_per_kg"


def boavizta_card(
    die_area_mm2: Value,
    die_count: Value,
    memory_gb: Value,
    p: ParamValues,
    *,
    transport: bool = True,
    criteria: tuple[str, ...] = BOAVIZTA_CRITERIA,
) -> dict[str, FloatArray]:
    """Production of one accelerator card under BoaviztAPI 2.5.0's GPU model, every criterion
    (``compute/impacts_computation.py`` ``gpu_impact_embedded`` without its end-of-life term).

    ::

        S_gpu  = k · eff(A / k)                          mm², k dies of equal area, A total
        S_vram = n · eff(M · s_vram / n)                 mm², n VRAM dies (0 when M = 0)
        I[c] = f_die[c]·S_gpu + f_vram[c]·S_vram + f_pwb[c]·gpu_pwb_cm2
               + f_heatsink[c]·gpu_heatsink_kg + f_casing[c]·gpu_casing_kg
               + f_upstream[c]·card_mass_kg [+ f_distribution[c]·card_mass_kg with transport]

    ``eff`` is :func:`effective_die_area_mm2`. Board surface, heatsink and casing masses and the
    VRAM die count are BoaviztAPI's DEFAULT GPU archetype values (one card type for all, as
    BoaviztAPI uses for a card missing from its ``gpu_specs.csv``); the memory technology does
    not enter (BoaviztAPI uses one VRAM surface per GB).

    Args:
        die_area_mm2: total logic die area, mm² (summed over dies), (R,) or scalar.
        die_count: logic dies per package (≥ 1).
        memory_gb: on-board memory, GB.
        p: parameter values (``params.py``: ``gpu_<part>_<criterion>``, ``gpu_pwb_cm2``…).
        transport: include the distribution transport to the data centre.
        criteria: which criteria to compute (``gwp``, ``adpe``, ``pe``, ``wu``).
    Returns:
        per criterion (kgCO2eq, kgSbeq, MJ, L) per card, shapes broadcast ((R,) or (D, R)); NaN
        where the die is wafer-scale (outside the formula's domain).
    """
    k = np.maximum(_arr(die_count), 1.0)
    s_gpu = k * effective_die_area_mm2(_arr(die_area_mm2) / k, p)
    m = _arr(memory_gb)
    n = _arr(p["vram_dies"])
    s_vram = np.where(m > 0, n * effective_die_area_mm2(m * _arr(p["vram_mm2_per_gb"]) / n, p),
                      0.0)
    mass = _arr(p["card_mass_kg"])
    amount = {"gpu_die": s_gpu, "gpu_vram": s_vram, "gpu_pwb": _arr(p["gpu_pwb_cm2"]),
              "gpu_heatsink": _arr(p["gpu_heatsink_kg"]),
              "gpu_casing": _arr(p["gpu_casing_kg"]), "gpu_upstream_transport": mass}
    out: dict[str, FloatArray] = {}
    for c in criteria:
        total = _arr(0.0)
        for part in BOAVIZTA_PARTS:
            total = total + _arr(p[f"{part}_{c}"]) * amount[part]
        if transport:
            total = total + _arr(p[_distribution_name(c)]) * mass
        out[c] = total
    return out


def card_water(
    die_area_mm2: Value,
    die_count: Value,
    memory_gb: Value,
    p: ParamValues,
    *,
    transport: bool = True,
) -> FloatArray:
    """Production water of one accelerator card, litres: the ``wu`` of :func:`boavizta_card`
    (BoaviztAPI 2.5.0 GPU model without its end-of-life term); NaN where the die is
    wafer-scale."""
    return boavizta_card(die_area_mm2, die_count, memory_gb, p, transport=transport,
                         criteria=("wu",))["wu"]


def card_production(
    die_area_cm2: Value,
    memory_gb: Value,
    p: ParamValues,
    *,
    transport: bool = True,
    die_count: Value = 1,
    water: bool = True,
    rho: Value | None = None,
) -> dict[str, FloatArray]:
    """Production impact of one accelerator card under the per-area (mlca) model, per criterion
    (METHOD §2), with BoaviztAPI's water (``card_water``) beside it. The card models of
    ``trainlca.card_models`` use :func:`memory_production` and :func:`boavizta_card` directly.

    Args:
        die_area_cm2: total logic die area, cm² (summed over dies).
        memory_gb: on-board memory, GB.
        p: parameter values (see ``params.py``): ``die_*``, ``card_base_*``, memory factors,
            ``card_mass_kg`` (kg), ``transport_gwp_per_kg`` (kgCO2eq/kg),
            ``transport_pe_per_kgco2`` (MJ/kgCO2eq).
        transport: include transport to the data centre.
        die_count: logic dies per package (for the water model's effective wafer area).
        water: count production water (``card_water``); False (presets whose source has no
            water, e.g. ``mlca``) gives NaN = not covered.
        rho: memory density per row, GB/cm² (default ``p["rho"]``).
    Returns:
        ``{"gwp": kgCO2eq, "adpe": kgSbeq, "pe": MJ, "wu": L}`` per card.
    """
    die = _arr(die_area_cm2)
    mem = memory_production(memory_gb, p, rho)
    out: dict[str, FloatArray] = {}
    for c in PRODUCTION_CRITERIA:
        out[c] = die * _arr(p[f"die_{c}"]) + _arr(p[f"card_base_{c}"]) + mem[c]
    if transport:
        t_gwp = _arr(p["card_mass_kg"]) * _arr(p["transport_gwp_per_kg"])
        out["gwp"] = out["gwp"] + t_gwp
        out["pe"] = out["pe"] + t_gwp * _arr(p["transport_pe_per_kgco2"])
        # ADPe of freight transport is negligible (< 1e-6 kgSbeq per card) and not counted.
    if water:
        wu = card_water(die * 100.0, die_count, memory_gb, p, transport=transport)
        out["wu"] = np.broadcast_to(wu, np.broadcast(wu, *out.values()).shape).copy()
    else:
        out["wu"] = np.full(np.broadcast(*out.values()).shape, np.nan)
    return out

