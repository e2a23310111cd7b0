"""Named presets: a boundary (which stages count) plus parameter values (METHOD §9).

- ``default``: the project's best estimate, full boundary (accelerator and host production,
  transport, electricity with host power and PUE), uncertain parameters at their documented
  ranges.
- ``mlca``: MLCA's defaults exactly (ρ = 0.625 GB/cm² for GPU and server RAM, SSD 48.5 GB/cm²,
  L = 6 y, u_a = 0.85, dynamic ratio 200/109 in place of PUE and idle, host power = RAM
  0.3725 W/GB + CPU TDP × cpu_usage 1 of the run's server, no transport); use it with MLCA's
  grid file (``--grid electricity_impact_factors.csv``) to reproduce MLCA
  (``validate_mlca`` recomputes its published results).
- ``tdp-pue``: accelerator TDP × hours × PUE, use phase only, PUE 1.1 unless given: the boundary
  of Meta's model cards and Patterson et al. 2021.
- ``bloom``: BLOOM's split (Luccioni et al. 2023): dynamic energy at TDP, idle and infrastructure
  as a share of it (256,646 / 433,196 kWh), embodied GWP from the paper's flat figures (150
  kgCO2eq per GPU, 2,500 kgCO2eq per 8-GPU server without GPUs) over 6 years at 85 % use; every
  parameter fixed. It reproduces 433,196 + 256,646 kWh and 11.2 tCO2eq embodied for BLOOM.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from trainlca.errors import ParameterError
from trainlca.params import DEFAULTS, FAMILIES, Param, check_overrides
from trainlca.provenance import Status

#: Host production water is never covered (BoaviztAPI 2.5.0's server component factors have no
#: water criterion); a boundary with hosts says so.
HOST_WATER_COVERED: Final[bool] = False


@dataclass(frozen=True)
class Boundary:
    """Which life-cycle stages a preset counts — the one description of a boundary: the model
    (``run.py``) zeroes the stages it excludes and leaves NaN the ones it cannot cover, and every
    sentence about the boundary (``describe``, the paper statement) reads :meth:`counts`."""

    accelerator_production: bool = True
    host_production: bool = True
    transport: bool = True
    host_power: bool = True
    #: Count accelerator production water (BoaviztAPI's GPU water model). False for presets
    #: whose source has no water (``mlca``, ``bloom``): their production water is not covered.
    production_water: bool = True
    #: Count the on-site cooling water of the use stage (WUE × IT energy) beside the grid's
    #: water. False for presets whose source counts electricity only (``mlca``, ``bloom``,
    #: ``tdp-pue``): their use water is the grid's (off-site) alone.
    onsite_water: bool = True

    def includes(self, stage: str) -> bool:
        """Whether ``stage`` is inside the boundary (excluded stages are 0 in results)."""
        return {"use": True, "production_accelerator": self.accelerator_production,
                "production_host": self.host_production}[stage]

    def covers(self, criterion: str, stage: str) -> bool:
        """Whether the model has data for ``stage`` of ``criterion`` inside this boundary
        (a stage inside the boundary but not covered is NaN, shown "n/c")."""
        if not self.includes(stage) or criterion != "wu":
            return self.includes(stage)
        if stage == "production_accelerator":
            return self.production_water
        if stage == "production_host":
            return HOST_WATER_COVERED
        return True

    def counts(self, criterion: str) -> tuple[str, ...]:
        """The stages of ``criterion`` that a total adds up."""
        return tuple(s for s in ("production_accelerator", "production_host", "use")
                     if self.covers(criterion, s))

    def describe(self) -> str:
        """The boundary in one sentence (the only place it is worded)."""
        parts = ["electricity of the run"]
        if self.host_power:
            parts[0] += " (accelerators + hosts, × PUE)"
        else:
            parts[0] += " (accelerators only, × PUE)"
        if self.onsite_water:
            parts.append("on-site cooling water (WUE)")
        if self.accelerator_production:
            parts.append("accelerator production" + (" incl. transport" if self.transport else "")
                         + ("" if self.covers("wu", "production_accelerator") else " (no water)"))
        if self.host_production:
            parts.append("host production" + ("" if self.covers("wu", "production_host")
                                              else " (no water)"))
        return "; ".join(parts) + "; end of life excluded"


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    boundary: Boundary
    overrides: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    #: Fix every parameter at its value (no Monte Carlo spread at all).
    fixed_all: bool = False

    def params(self, user: Mapping[str, float] | None = None) -> dict[str, Param]:
        """Resolved parameters: defaults, then the preset's values, then the user's ``--set``.

        A preset or user value pins the parameter (fixed). With ``fixed_all`` every parameter is
        fixed at its value: presets that reproduce a report have no uncertainty of their own.
        """
        out: dict[str, Param] = {}
        for name, p in DEFAULTS.items():
            if name in self.overrides:
                value, source = self.overrides[name]
                p = p.with_value(value, f"preset {self.name}: {source}", Status.PRESET)
            elif self.fixed_all:
                p = p.with_value(p.value)
            out[name] = p
        _follow_families(out)
        for name, value in check_overrides(user).items():
            out[name] = out[name].with_value(value, "user input", Status.INPUT)
        _follow_families(out)
        return out


_RANK: Final[Mapping[Status, int]] = {Status.DEFAULT: 0, Status.PRESET: 1, Status.INPUT: 2}


def _follow_families(params: dict[str, Param]) -> None:
    """A family head set by a preset or the user (``rho``, ``power_fraction``) sets its members
    that were not set at the same or a later step (``params.FAMILIES``)."""
    for head, members in FAMILIES.items():
        h = params[head]
        rank = _RANK.get(h.status, 0)
        if rank == 0:
            continue
        for m in members:
            if _RANK.get(params[m].status, 0) < rank:
                params[m] = params[m].with_value(h.value, f"follows {head}: {h.source}",
                                                 h.status)


MLCA_SRC = "MLCA (blubrom/MLCA @ d2d8a42), Morand et al. 2024"

BLOOM_SRC = "Luccioni, Viguier & Ligozat 2023 (JMLR 24(253), arXiv 2211.02001)"
BLOOM_DYNAMIC_KWH: Final[float] = 433_196.0
BLOOM_IDLE_KWH: Final[float] = 256_646.0
#: Embodied GWP assumed by the BLOOM paper, per A100 GPU and per server without GPUs, kgCO2eq.
BLOOM_GPU_KGCO2: Final[float] = 150.0
BLOOM_SERVER_KGCO2: Final[float] = 2_500.0


#: The server the bloom preset scales to the paper's 2,500 kgCO2eq (BLOOM ran on A100 SXM4 nodes).
BLOOM_SERVER: Final[str] = "hgx-a100"


def _bloom_server_gwp() -> float:
    """GWP of the A100 host archetype at the default parameters (the bloom preset's scale)."""
    from trainlca.servers import archetypes, host_production

    p = {name: par.value for name, par in DEFAULTS.items()}
    return float(host_production(archetypes()[BLOOM_SERVER], p)["gwp"])


PRESETS: Final[Mapping[str, Preset]] = {
    "default": Preset(
        "default",
        "trainlca best estimate: full boundary, documented ranges",
        Boundary(),
    ),
    "mlca": Preset(
        "mlca",
        "MLCA's defaults exactly (Morand et al.): ρ 0.625, L 6 y, u_a 0.85, dynamic ratio 200/109",
        Boundary(transport=False, host_power=True, production_water=False, onsite_water=False),
        {
            "rho": (0.625, MLCA_SRC + " (30 nm DRAM, worst case, for every memory type)"),
            "card_model": (0.0, MLCA_SRC + ": MLCA's per-area card model"),
            "use_measured_power": (0.0, MLCA_SRC + ": accelerators at TDP"),
            "lifetime_years": (6.0, MLCA_SRC),
            "use_ratio": (0.85, MLCA_SRC + " from the BLOOM paper"),
            "dynamic_ratio": (200 / 109, MLCA_SRC + " (BLOOM: 200 kWh total per 109 kWh compute)"),
            "pue": (1.0, MLCA_SRC + ": the dynamic ratio replaces PUE"),
            "power_fraction": (1.0, MLCA_SRC + ": accelerators at TDP"),
            # MLCA's host rules (model/ml_setup.py dynamic_power, model/components/component.py)
            "host_power_ratio": (0.0, MLCA_SRC + ": host power is the server's RAM and CPUs only"),
            "host_cpu_usage": (1.0, MLCA_SRC + ": default cpu_usage 1 (CPUs at TDP)"),
            "host_ram_w_per_gb": (0.3725, MLCA_SRC + ": RAM 0.3725 W/GB (Green Algorithms)"),
            "host_ram_density_ddr4": (0.625, MLCA_SRC + ": server RAM density 0.625 GB/cm² "
                                      "(its default for any RAM without a density)"),
            "host_ram_density_ddr5": (0.625, MLCA_SRC + ": server RAM density 0.625 GB/cm² "
                                      "(its default for any RAM without a density)"),
            "host_ssd_density": (48.5, MLCA_SRC + ": SSD density 48.5 GB/cm² (its default)"),
        },
    ),
    "tdp-pue": Preset(
        "tdp-pue",
        "accelerator TDP × hours × PUE, use phase only (Meta model cards, Patterson et al. 2021)",
        Boundary(accelerator_production=False, host_production=False, transport=False,
                 host_power=False, onsite_water=False),
        {
            "power_fraction": (1.0, "Meta model cards: accelerators at TDP"),
            "use_measured_power": (0.0, "Meta model cards: TDP, not a measured power (set "
                                   "use_measured_power=1 for Patterson et al.'s measured "
                                   "system power per chip)"),
            "pue": (1.1, "Meta model cards / Patterson et al. 2021 (hyperscale)"),
            "host_power_ratio": (0.0, "host power outside this boundary"),
        },
    ),
    "bloom": Preset(
        "bloom",
        "BLOOM's split (Luccioni et al. 2023): dynamic at TDP + idle/infrastructure + embodied "
        "(150 kgCO2eq per GPU, 2,500 kgCO2eq per 8-GPU server, 6 y at 85 %)",
        Boundary(transport=False, production_water=False, onsite_water=False),
        {
            "power_fraction": (1.0, BLOOM_SRC + ": dynamic consumption at TDP (400 W per A100)"),
            "use_measured_power": (0.0, BLOOM_SRC + ": TDP, not a measured power"),
            "card_model": (0.0, BLOOM_SRC + ": its flat per-GPU figure, in the mlca model's "
                           "card base"),
            "pue": (1.0, BLOOM_SRC + ": idle and infrastructure counted separately, not as PUE"),
            "host_power_ratio": (
                BLOOM_IDLE_KWH / BLOOM_DYNAMIC_KWH,
                BLOOM_SRC + ": idle + infrastructure 256,646 kWh per 433,196 kWh dynamic",
            ),
            "lifetime_years": (6.0, BLOOM_SRC + ": 6-year hardware lifetime"),
            "use_ratio": (0.85, BLOOM_SRC + ": 85 % use rate of the cluster"),
            # Embodied GWP: the paper's flat per-unit figures replace the bottom-up card model.
            "card_base_gwp": (BLOOM_GPU_KGCO2, BLOOM_SRC + ": 150 kgCO2eq per GPU"),
            "die_gwp": (0.0, BLOOM_SRC + ": per-GPU figure used instead of a per-area model"),
            "mem_gwp": (0.0, BLOOM_SRC + ": per-GPU figure includes memory"),
            "mem_base_gwp": (0.0, BLOOM_SRC + ": per-GPU figure includes memory"),
            "host_share_scale": (
                BLOOM_SERVER_KGCO2 / _bloom_server_gwp(),
                BLOOM_SRC + ": 2,500 kgCO2eq per server without GPUs (scales our hgx-a100 "
                "host archetype to it; PE and ADPe of the host scale alike)",
            ),
            "host_cpu_usage": (0.0, BLOOM_SRC + ": host power is inside the idle/infrastructure "
                               "share"),
            "host_ram_w_per_gb": (0.0, BLOOM_SRC + ": host power is inside the idle/"
                                  "infrastructure share"),
        },
        fixed_all=True,
    ),
}


def get_preset(name: str) -> Preset:
    """Preset by name; unknown names raise ParameterError listing the valid ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ParameterError(
            f"unknown preset '{name}'; choose one of: {', '.join(PRESETS)}"
        ) from None


def names() -> Iterable[str]:
    return PRESETS.keys()
