"""Power of an accelerator during training, by chip class (METHOD §4).

Per accelerator, W, every input an array over runs (R,) or a parameter column (D, 1)::

    P = measured_power_w · measured_power_scale        where measured and use_measured_power
    P = TDP · power_fraction_<class>                   elsewhere

A measured power is a *system* power per chip (Patterson et al. 2021, Table 4: "including
memory, network interface, fans, host CPU"), so no host power is added to it
(:func:`host_counted`). Classes (:data:`trainlca.params.POWER_CLASS_KEYS`):

- ``gpu_sxm``: GPU modules on a baseboard (SXM, OAM, the Blackwell and Instinct modules); its
  fraction is ``power_fraction`` itself;
- ``gpu_pcie``: PCIe, workstation and consumer boards;
- ``tpu``, ``asic``, ``wse``: the catalogue types TPU, ASIC and WSE.

The measured power comes from the catalogue's ``measured_power_w`` (NaN where none is
published), read with ``getattr`` so a catalogue without the column still loads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import numpy as np

from trainlca.params import POWER_CLASS_KEYS, FloatArray, Value

if TYPE_CHECKING:
    from trainlca.catalog import Accelerator

#: Names of GPU modules without "SXM" in them (OAM and Blackwell/Grace-Blackwell modules).
_MODULE = re.compile(r"sxm|oam|\b(instinct mi[234]\d\dx?|g?b[123]00)\b", re.IGNORECASE)


def chip_class(acc: Accelerator) -> str:
    """The power class of a catalogue accelerator (one of ``POWER_CLASS_KEYS``)."""
    typ = acc.type.upper()
    if typ != "GPU":
        return {"TPU": "tpu", "ASIC": "asic", "WSE": "wse"}.get(typ, "asic")
    return "gpu_sxm" if _MODULE.search(acc.name) else "gpu_pcie"


def class_index(acc: Accelerator) -> int:
    """Index of :func:`chip_class` in ``POWER_CLASS_KEYS`` (for ``run.Hardware``)."""
    return POWER_CLASS_KEYS.index(chip_class(acc))


def measured_power_w(acc: Accelerator) -> float:
    """The catalogue's measured average (system) power per chip, W; NaN where none."""
    v = getattr(acc, "measured_power_w", math.nan)
    try:
        out = float(v)
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) and out > 0 else math.nan


def _arr(x: Value) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def power_fraction(chip_class_index: np.ndarray, p: Mapping[str, Value]) -> FloatArray:
    """u_p of each run from its class, 1: (R,) or (D, R).

    Args:
        chip_class_index: (R,) indices into ``POWER_CLASS_KEYS``.
        p: ``power_fraction`` (GPU SXM) and ``power_fraction_<class>``.
    """
    cols = [_arr(p["power_fraction"])] + [_arr(p[f"power_fraction_{k}"])
                                          for k in POWER_CLASS_KEYS[1:]]
    side = np.concatenate([np.atleast_1d(c) for c in np.broadcast_arrays(*cols)], axis=-1)
    return np.take(side, np.asarray(chip_class_index, dtype=np.intp), axis=-1)


def uses_measured(measured_w: FloatArray, p: Mapping[str, Value]) -> FloatArray:
    """1.0 where the run's measured power replaces TDP × u_p, else 0.0: (R,) or (D, R)."""
    has = np.isfinite(_arr(measured_w)).astype(np.float64)
    return has * (_arr(p["use_measured_power"]) >= 0.5)


def accelerator_power_w(tdp_w: Value, chip_class_index: np.ndarray | None,
                        measured_w: Value | None, p: Mapping[str, Value]) -> FloatArray:
    """Mean power of one accelerator during training, W: (R,) or (D, R).

    ``chip_class_index`` None: every chip is GPU SXM (``power_fraction``); ``measured_w`` None:
    no measured power."""
    tdp = _arr(tdp_w)
    fraction = (_arr(p["power_fraction"]) if chip_class_index is None
                else power_fraction(chip_class_index, p))
    modelled = tdp * fraction
    if measured_w is None:
        return modelled
    m = _arr(measured_w)
    use = uses_measured(m, p)
    return np.where(use > 0, np.where(np.isfinite(m), m, 0.0) * _arr(p["measured_power_scale"]),
                    modelled)


def host_counted(measured_w: Value | None, p: Mapping[str, Value]) -> FloatArray:
    """1.0 where host power is added to the accelerator's, 0.0 where the accelerator's power is
    a measured system power that already holds it: (R,), (D, R) or a scalar."""
    if measured_w is None:
        return np.asarray(1.0)
    return 1.0 - uses_measured(_arr(measured_w), p)


#: Documented per class in docs/production.md: E / (H · TDP) = (u_p + host_power_ratio) · PUE.
ALL_IN_NOTE: Final[str] = "all-in ratio E / (H · TDP) = (u_p + host_power_ratio) · PUE"
