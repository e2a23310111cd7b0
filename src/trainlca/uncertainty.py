"""Monte Carlo draws of the uncertain parameters, percentiles and sensitivity (METHOD §8).

Parameter values reach the model as a :class:`Sample`, which says how many draws it holds: a
point sample (``draws`` None) maps every parameter to a scalar; a Monte Carlo sample maps every
parameter to an array shaped (draws, 1) — uncertain ones drawn, fixed ones as constant columns —
so every result of the model is (draws, runs) whatever the preset fixes. The (draws, 1) columns
broadcast against run arrays shaped (runs,): every run of a study shares the same draw of each
parameter, and sums or trend fits over runs keep their correlation.

A fixed seed gives the same numbers bit for bit (NumPy's PCG64 generator; parameters are
sampled in the sorted order of their names).

Sensitivity uses Spearman rank correlations between each parameter's draws and the output
(computed on the same draws as the intervals, so it costs nothing extra and is robust to the
skewed, monotone responses of this model). Squared and normalised, they give each parameter's
share of the explained spread. Sobol indices (SALib) would need a dedicated sample design with
N·(2k+2) model runs; the rank correlations rank the drivers identically for a monotone,
near-additive model like this one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
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
        raise ParameterError(f"draws must be a whole number, got {draws!r}")
    if draws < 0:
        raise ParameterError(f"draws {draws}: must be ≥ 0 (0 = point estimate only)")
    if draws > MAX_DRAWS or draws * max(runs, 1) > MAX_CELLS:
        raise ParameterError(
            f"draws {draws} × {runs} runs exceeds the memory bound of {MAX_CELLS:,} cells "
            f"(~{MAX_CELLS * 8 / 2**20:.0f} MiB per array); use fewer draws"
        )
    return int(draws)


def check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed must be a whole number ≥ 0, got {seed!r}")
    return int(seed)


class Sample(Mapping[str, Value]):
    """Parameter values for the model, and the number of draws they hold.

    Attributes:
        draws: None for a point sample (every value a float), else D: every value an array
            shaped (D, 1).
        uncertain: names of the parameters that were drawn (the others are constant).
    """

    __slots__ = ("_values", "draws", "uncertain")

    def __init__(self, values: Mapping[str, Value], draws: int | None,
                 uncertain: frozenset[str] = frozenset()) -> None:
        self._values = dict(values)
        self.draws = draws
        self.uncertain = uncertain
        want = () if draws is None else (draws, 1)
        for name, v in self._values.items():
            if np.shape(v) != want:
                raise AssertionError(f"parameter {name}: shape {np.shape(v)}, expected {want}")

    def __getitem__(self, name: str) -> Value:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def take(self, rows: slice) -> Sample:
        """The draws ``rows`` (a slice of a Monte Carlo sample): every value (d, 1)."""
        if self.draws is None:
            raise AssertionError("take() needs a Monte Carlo sample")
        values = {k: np.asarray(v)[rows] for k, v in self._values.items()}
        n = int(next(iter(values.values())).shape[0]) if values else 0
        return Sample(values, n, self.uncertain)

    def shape(self, runs: int) -> tuple[int, ...]:
        """The shape of every result over ``runs`` runs: (runs,) or (draws, runs)."""
        return (runs,) if self.draws is None else (self.draws, runs)


def point_values(params: Mapping[str, Param]) -> Sample:
    """Every parameter at its point value (scalars)."""
    return Sample({name: float(p.value) for name, p in params.items()}, None)


def sample(params: Mapping[str, Param], draws: int, seed: int = DEFAULT_SEED) -> Sample:
    """Monte Carlo draws, every parameter shaped (draws, 1): uncertain ones drawn (in the sorted
    order of their names, so a seed gives the same numbers bit for bit), fixed ones constant."""
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise AssertionError(f"sample() needs draws ≥ 1, got {draws!r}")
    rng = np.random.default_rng(check_seed(seed))
    out: dict[str, Value] = {}
    for name in sorted(params):
        p = params[name]
        if p.uncertain:
            out[name] = p.sample(rng, draws)[:, None]
        else:
            out[name] = np.full((draws, 1), p.value, dtype=np.float64)
    return Sample(out, int(draws), frozenset(n for n, p in params.items() if p.uncertain))


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


def noise_floor(draws: int) -> float:
    """|ρ| below which a Spearman correlation over ``draws`` independent draws is noise: three
    standard errors (1/√(draws − 1)) of ρ under independence."""
    return 3.0 / math.sqrt(max(draws - 1, 1))


def sensitivity(draws: Sample, output: FloatArray) -> list[Driver]:
    """Rank the uncertain parameters by |Spearman ρ| with ``output`` (one value per draw,
    shaped (draws,)). Fixed parameters have no spread and are not ranked."""
    y = np.asarray(output, dtype=np.float64)
    if draws.draws is None or y.shape != (draws.draws,):
        raise AssertionError(f"sensitivity: output shaped {y.shape}, expected ({draws.draws},)")
    rows = [(name, spearman(np.asarray(draws[name], dtype=np.float64)[:, 0], y))
            for name in sorted(draws.uncertain)]
    total = sum(r * r for _, r in rows)
    drivers = [Driver(n, r, (r * r / total) if total > 0 else 0.0) for n, r in rows]
    return sorted(drivers, key=lambda d: -abs(d.spearman))
