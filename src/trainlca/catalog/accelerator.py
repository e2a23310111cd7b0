"""One accelerator unit of the catalogue (:class:`Accelerator`) and its peak-throughput ladder.

Units: die area mm² (``die_area_cm2`` for the production model), memory GB (10^9 bytes), TDP W,
measured power W, peak throughput FLOP/s (dense, no sparsity).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from trainlca.errors import ParameterError

__all__ = ["CHIP_CLASSES", "POWER_SCOPES", "TYPES", "Accelerator", "default_chip_class"]

TYPES: tuple[str, ...] = ("GPU", "TPU", "ASIC", "WSE")

#: Chip classes by form factor: ``gpu-sxm`` (SXM/OAM modules and superchips on HGX/DGX-class
#: baseboards), ``gpu-pcie`` (PCIe datacenter cards), ``gpu-workstation`` (consumer and
#: workstation cards), ``tpu``, ``asic`` (other training ASICs), ``wafer-scale``.
CHIP_CLASSES: tuple[str, ...] = (
    "gpu-sxm", "gpu-pcie", "gpu-workstation", "tpu", "asic", "wafer-scale",
)

#: What a measured power covers: ``system`` = per accelerator including its share of the host
#: (memory, network interface, fans, host CPU), as Patterson et al. 2021 report it; ``chip`` =
#: the accelerator board alone (what NVML, nvidia-smi and CodeCarbon's GPU power read).
POWER_SCOPES: tuple[str, ...] = ("system", "chip")

_CLASS_OF_TYPE: Mapping[str, str] = MappingProxyType(
    {"GPU": "gpu-pcie", "TPU": "tpu", "ASIC": "asic", "WSE": "wafer-scale"}
)


def default_chip_class(accelerator_type: str) -> str:
    """The class of a chip whose form factor is not known: a GPU is taken as a PCIe card."""
    return _CLASS_OF_TYPE[accelerator_type]


# Precision ladder, highest precision first. Requests map onto a rung.
_LADDER: tuple[str, ...] = ("fp32", "tf32", "16bit", "fp8")
_PRECISION_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "fp32": "fp32",
        "float32": "fp32",
        "single": "fp32",
        "tf32": "tf32",
        "fp16": "16bit",
        "bf16": "16bit",
        "float16": "16bit",
        "bfloat16": "16bit",
        "half": "16bit",
        "16bit": "16bit",
        "mixed": "16bit",
        "amp": "16bit",
        "fp8": "fp8",
        "int8": "fp8",
    }
)


@dataclass(frozen=True)
class Accelerator:
    """One accelerator unit as Epoch counts it (a card, a TPU chip, a GB200 GPU, a CS-2 system).

    ``sources`` maps each fact (release_date, process_nm, die_area, memory, tdp, flops,
    node_size, and measured_power when there is one) to where its value comes from.
    ``measured_power_w`` is the published average power per accelerator measured during
    training (NaN when none is published), ``measured_power_scope`` what it covers (see
    :data:`POWER_SCOPES`). ``imputed`` names the facts that were imputed (die area: also
    ``die_area_imputed``).
    """

    name: str
    aliases: tuple[str, ...]
    vendor: str
    type: str
    release_date: datetime.date
    process_nm: float
    die_area_mm2: float
    die_count: int
    die_area_imputed: bool
    memory_gb: float
    memory_type: str
    tdp_w: float
    fp32_flops: float
    tensor_16bit_flops: float
    fp8_flops: float  # math.nan when the chip has no FP8
    node_size: int
    sources: Mapping[str, str] = field(compare=False, repr=False)
    tf32_flops: float = math.nan
    notes: str = ""
    chip_class: str = ""
    measured_power_w: float = math.nan
    measured_power_scope: str = ""
    imputed: tuple[str, ...] = ()

    @property
    def die_area_cm2(self) -> float:
        """Total logic die area in cm² (summed over dies)."""
        return self.die_area_mm2 / 100.0

    @property
    def release_year(self) -> float:
        """Release date as a decimal year (2020-07-02 -> ~2020.5)."""
        d = self.release_date
        start = datetime.date(d.year, 1, 1)
        days = (datetime.date(d.year + 1, 1, 1) - start).days
        return d.year + (d - start).days / days

    @property
    def measured_power_source(self) -> str:
        """Where ``measured_power_w`` comes from ("" when there is none)."""
        return self.sources.get("measured_power", "")

    def peak_flops(self, precision: str) -> float:
        """Dense peak FLOP/s at ``precision`` ("fp32", "tf32", "fp16", "bf16", "fp8", "int8",
        "mixed"/"amp" = 16-bit).

        Fallback when the chip has no figure at that precision: first the nearest *higher*
        precision that exists (what the chip would run instead: fp8 on an A100 runs at its
        16-bit tensor rate; tf32 on a V100 runs at FP32), then, if none exists, the nearest
        *lower* precision (TPUs publish no FP32 peak, so fp32 falls back to the bf16 MXU rate).
        ``tensor_16bit_flops`` is always present in the packaged catalogue (for chips without
        tensor cores it holds the FP16 or FP32 rate, see ``sources['flops']``), so the result is
        never NaN there; a user chip given without any FLOP/s figure gives NaN.
        """
        rung = _PRECISION_ALIASES.get(precision.strip().lower().replace("-", ""))
        if rung is None:
            known = ", ".join(sorted(_PRECISION_ALIASES))
            raise ParameterError(f"unknown precision {precision!r}; use one of: {known}")
        values = {
            "fp32": self.fp32_flops,
            "tf32": self.tf32_flops,
            "16bit": self.tensor_16bit_flops,
            "fp8": self.fp8_flops,
        }
        i = _LADDER.index(rung)
        order = [*_LADDER[i::-1], *_LADDER[i + 1 :]]
        for r in order:
            v = values[r]
            if not math.isnan(v):
                return v
        return math.nan
