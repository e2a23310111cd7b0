"""Monte Carlo draws of the uncertain parameters, percentiles and sensitivity (METHOD §8).

Draws are arrays shaped (draws, 1): they broadcast against run arrays shaped (runs,), so every
run of a study shares the same draw of each parameter and sums or trend fits over runs keep
their correlation. A fixed seed gives the same numbers bit for bit (NumPy's PCG64 generator;
parameters are sampled in the sorted order of their names).

Sensitivity uses Spearman rank correlations between each parameter's draws and the output
(computed on the same draws as the intervals, so it costs nothing extra and is robust to the
skewed, monotone responses of this model). Squared and normalised, they give each parameter's
share of the explained spread. Sobol indices (SALib) would need a dedicated sample design with
N·(2k+2) model runs; the rank correlations rank the drivers identically for a monotone,
near-additive model like this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from trainlca.errors import ParameterError
from trainlca.params import FloatArray, Param, Value

DEFAULT_DRAWS: Final[int] = 2000
DEFAULT_SEED: Final[int] = 20241217
#: Upper bound on draws × runs (one float64 array of this size is 8 bytes × cells); keeps one
#: study's arrays under ~1 GiB in total.
MAX_CELLS: Final[int] = 20_000_000
MAX_DRAWS: Final[int] = 1_000_000
PERCENTILES: Final[tuple[int, int, int]] = (5, 50, 95)


def check_draws(draws: int, runs: int = 1) -> int:
    """Validate a ``--draws`` value against the memory bound; returns it."""
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer):
        raise ParameterError(f"--draws must be a whole number, got {draws!r}")
    if draws < 0:
        raise ParameterError(f"--draws {draws}: must be ≥ 0 (0 = point estimate only)")
    if draws > MAX_DRAWS or draws * max(runs, 1) > MAX_CELLS:
        raise ParameterError(
            f"--draws {draws} × {runs} runs exceeds the memory bound of {MAX_CELLS:,} cells "
            f"(~{MAX_CELLS * 8 / 2**20:.0f} MiB per array); use fewer draws"
        )
    return int(draws)


def check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"--seed must be a whole number ≥ 0, got {seed!r}")
    return int(seed)


def point_values(params: Mapping[str, Param]) -> dict[str, Value]:
    """Every parameter at its point value (scalars)."""
    return {name: p.value for name, p in params.items()}


def sample(params: Mapping[str, Param], draws: int, seed: int = DEFAULT_SEED) -> dict[str, Value]:
    """Monte Carlo draws: uncertain parameters as (draws, 1) arrays, fixed ones as scalars."""
    rng = np.random.default_rng(check_seed(seed))
    out: dict[str, Value] = {}
    for name in sorted(params):
        p = params[name]
        out[name] = p.sample(rng, draws)[:, None] if p.uncertain else p.value
    return out


@dataclass(frozen=True)
class Interval:
    p5: float
    p50: float
    p95: float


def percentiles(samples: FloatArray) -> FloatArray:
    """5th, 50th and 95th percentiles over the draws axis (axis 0): shape (3, ...)."""
    return np.percentile(samples, PERCENTILES, axis=0)


def interval(samples: FloatArray) -> Interval:
    """Percentiles of a 1-D array of draws (NaN-aware)."""
    s = np.asarray(samples, dtype=np.float64).ravel()
    if np.all(np.isnan(s)):
        return Interval(np.nan, np.nan, np.nan)
    p5, p50, p95 = np.nanpercentile(s, PERCENTILES)
    return Interval(float(p5), float(p50), float(p95))


def _ranks(x: FloatArray) -> FloatArray:
    """Ranks 0..n-1 of a 1-D array (ties broken by position)."""
    ranks = np.empty(x.shape[0], dtype=np.float64)
    ranks[np.argsort(x, kind="stable")] = np.arange(x.shape[0], dtype=np.float64)
    return ranks


def spearman(x: FloatArray, y: FloatArray) -> float:
    """Spearman rank correlation of two 1-D arrays (0 when either is constant)."""
    rx, ry = _ranks(np.asarray(x, float)), _ranks(np.asarray(y, float))
    rx -= rx.mean()
    ry -= ry.mean()
    den = float(np.sqrt((rx * rx).sum() * (ry * ry).sum()))
    return float((rx * ry).sum() / den) if den > 0 else 0.0


@dataclass(frozen=True)
class Driver:
    """One parameter's influence on an output."""

    name: str
    spearman: float
    share: float  # rho² normalised over all parameters, 0-1


def sensitivity(draws: Mapping[str, Value], output: FloatArray) -> list[Driver]:
    """Rank the uncertain parameters by |Spearman ρ| with ``output`` (1-D over draws)."""
    y = np.asarray(output, dtype=np.float64).ravel()
    rows: list[tuple[str, float]] = []
    for name, v in draws.items():
        arr = np.asarray(v, dtype=np.float64)
        if arr.ndim == 0 or arr.shape[0] != y.shape[0]:
            continue
        rows.append((name, spearman(arr.ravel(), y)))
    total = sum(r * r for _, r in rows)
    drivers = [Driver(n, r, (r * r / total) if total > 0 else 0.0) for n, r in rows]
    return sorted(drivers, key=lambda d: -abs(d.spearman))
