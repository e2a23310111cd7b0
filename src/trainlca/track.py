"""Live tracking: CodeCarbon measures the run, trainlca adds production and all criteria.

``track`` is a context manager and a decorator::

    from trainlca.track import track

    with track("H100", country="FRA", output_dir="runs/exp1"):
        train()

    @track(country="FRA")            # the chip from CodeCarbon's gpu_model
    def train() -> None: ...

Underneath runs CodeCarbon's tracker (the optional extra ``pip install 'trainlca[codecarbon]'``):
``OfflineEmissionsTracker`` when the country is given (no network), else CodeCarbon's
geolocating ``EmissionsTracker``. At exit the rows of this run are read back from the
``emissions.csv`` CodeCarbon wrote (:func:`trainlca.inputs.read_codecarbon`, so ``flush()``
rows are handled as in a file import) and ``trainlca.json`` is written beside it: the document
of ``trainlca estimate --format json`` (:meth:`trainlca.api.Estimate.to_dict`), with the
measured energy in the use stage and the production share of accelerators and hosts from the
run's accelerator-hours.

Several processes: only local rank 0 of each machine measures (``LOCAL_RANK``, else
``SLURM_LOCALID``, ``OMPI_COMM_WORLD_LOCAL_RANK``, ``MPI_LOCALRANKID``, else ``RANK``); the
other ranks run the body untracked. On several machines (``SLURM_NNODES``, or torchrun's
``WORLD_SIZE`` / ``LOCAL_WORLD_SIZE``) each machine writes its own files, ``emissions.node<i>.csv``
and ``trainlca.node<i>.json`` (``i`` from ``SLURM_NODEID``, ``GROUP_RANK`` or ``NODE_RANK``);
the whole run is then ``trainlca estimate --from-codecarbon OUTPUT_DIR``.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Mapping
from contextlib import ContextDecorator
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

from trainlca.catalog import load_catalog
from trainlca.errors import ParameterError, TrainLCAError
from trainlca.io import check_dir, save
from trainlca.notes import custom
from trainlca.uncertainty import DEFAULT_SEED

if TYPE_CHECKING:
    from trainlca.api import Estimate

__all__ = ["EXTRA_HINT", "RankInfo", "Tracker", "TrackerUnavailableError", "rank_info", "track"]

EXTRA_HINT: Final[str] = "pip install 'trainlca[codecarbon]'"
_LOCAL_RANK_VARS: Final[tuple[str, ...]] = ("LOCAL_RANK", "SLURM_LOCALID",
                                            "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID")
_NODE_VARS: Final[tuple[str, ...]] = ("SLURM_NODEID", "GROUP_RANK", "NODE_RANK")


class TrackerUnavailableError(TrainLCAError):
    """The live tracker needs CodeCarbon, which is not installed."""


@dataclass(frozen=True)
class RankInfo:
    """Where this process stands among the processes of a run.

    Attributes:
        local_rank: rank on this machine (0 measures).
        source: the environment variable it was read from ("" = a single process).
        node: index of this machine among the run's machines, when known.
        nodes: number of machines, when known.
    """

    local_rank: int
    source: str
    node: int | None
    nodes: int | None

    @property
    def measures(self) -> bool:
        return self.local_rank == 0

    @property
    def several_nodes(self) -> bool:
        return (self.nodes or 1) > 1 or (self.node or 0) > 0


def _int(env: Mapping[str, str], name: str) -> int | None:
    text = env.get(name, "").strip()
    return int(text) if text.isdigit() else None


def rank_info(env: Mapping[str, str] | None = None) -> RankInfo:
    """This process's rank on its machine and its machine's index, from the launcher's
    environment variables (torchrun, srun, Open MPI, Intel MPI/MPICH)."""
    e = os.environ if env is None else env
    local, source = 0, ""
    for name in (*_LOCAL_RANK_VARS, "RANK"):
        value = _int(e, name)
        if value is not None:
            local, source = value, name
            break
    node = next((v for v in (_int(e, n) for n in _NODE_VARS) if v is not None), None)
    nodes = _int(e, "SLURM_NNODES") or _int(e, "SLURM_JOB_NUM_NODES")
    world, local_world = _int(e, "WORLD_SIZE"), _int(e, "LOCAL_WORLD_SIZE")
    if nodes is None and world and local_world:
        nodes = max(1, world // local_world)
    return RankInfo(local, source, node, nodes)


def _json(obj: Any) -> str:
    """JSON text as ``trainlca estimate --format json`` writes it (NaN/inf → null)."""
    def clean(o: Any) -> Any:
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, Mapping):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list | tuple):
            return [clean(v) for v in o]
        return o

    return json.dumps(clean(obj), indent=2, default=str, ensure_ascii=False) + "\n"


class Tracker(ContextDecorator):
    """A live measurement of one run; see :func:`track` (which builds it).

    After exit: ``result`` (the :class:`~trainlca.api.Estimate`), ``json_path`` and
    ``emissions_path`` (None on a rank that does not measure), ``run_id`` (CodeCarbon's).
    """

    def __init__(self, hardware: str | None = None, *, count: float | None = None,
                 country: str | None = None, output_dir: str | Path = ".",
                 preset: str = "default", draws: int = 2000, seed: int = DEFAULT_SEED,
                 overrides: Mapping[str, float] | None = None, grid: str | None = None,
                 include_host: bool = True, project_name: str = "trainlca",
                 measure_power_secs: float = 15.0, tracking_mode: str = "machine",
                 output_file: str = "emissions.csv", result_file: str = "trainlca.json",
                 codecarbon_options: Mapping[str, Any] | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.hardware, self.count, self.country = hardware, count, country
        self.output_dir = Path(output_dir)
        self.estimate_options: dict[str, Any] = {
            "preset": preset, "draws": draws, "seed": seed, "overrides": overrides,
            "grid": grid, "include_host": include_host}
        self.codecarbon_options: dict[str, Any] = {
            "project_name": project_name, "measure_power_secs": measure_power_secs,
            "tracking_mode": tracking_mode, "log_level": "error",
            **(codecarbon_options or {})}
        self.rank = rank_info(env)
        stem, suffix = Path(output_file).stem, Path(output_file).suffix or ".csv"
        rstem, rsuffix = Path(result_file).stem, Path(result_file).suffix or ".json"
        tag = f".node{self.rank.node or 0}" if self.rank.several_nodes else ""
        self.output_file = f"{stem}{tag}{suffix}"
        self.result_file = f"{rstem}{tag}{rsuffix}"
        self.result: Estimate | None = None
        self.json_path: Path | None = None
        self.emissions_path: Path | None = None
        self.run_id: str | None = None
        self._tracker: Any = None

    @property
    def measuring(self) -> bool:
        """Whether this process measures (local rank 0 of its machine)."""
        return self.rank.measures

    # --- before the run: fail early --------------------------------------------------------

    def _check(self) -> None:
        from trainlca.grid import load_grid
        from trainlca.presets import get_preset
        from trainlca.uncertainty import check_draws

        if self.hardware is not None:
            load_catalog().get(self.hardware)
        if self.count is not None and (isinstance(self.count, bool) or not isinstance(
                self.count, int | float) or not math.isfinite(self.count) or self.count <= 0):
            raise ParameterError(f"count {self.count!r}: must be a number > 0 (accelerators "
                                 "of this machine)")
        if self.country is not None:
            load_grid(self.estimate_options["grid"]).get(self.country)
        get_preset(self.estimate_options["preset"]).params(self.estimate_options["overrides"])
        check_draws(self.estimate_options["draws"])
        check_dir(self.output_dir)

    def _codecarbon(self) -> Any:
        try:
            from codecarbon import EmissionsTracker, OfflineEmissionsTracker
        except ImportError:
            raise TrackerUnavailableError(
                f"the live tracker runs CodeCarbon, which is not installed: {EXTRA_HINT}"
            ) from None
        self.output_dir.mkdir(parents=True, exist_ok=True)
        opts = {**self.codecarbon_options, "output_dir": str(self.output_dir),
                "output_file": self.output_file}
        if self.country is not None:
            from trainlca.countries import to_iso3

            return OfflineEmissionsTracker(country_iso_code=to_iso3(self.country) or "WOR",
                                           **opts)
        return EmissionsTracker(**opts)

    def _check_detected(self) -> None:
        """Fail now, not after the training, when neither CodeCarbon nor the caller names the
        accelerators."""
        detect = getattr(self._tracker, "get_detected_hardware", None)
        info = detect() if callable(detect) else {}
        gpus = info.get("gpu_count") or 0
        if not gpus and (self.hardware is None or self.count is None):
            self._tracker = None
            raise ParameterError("CodeCarbon sees no GPU on this machine: give the accelerators "
                                 "(track(hardware=NAME, count=N))")

    def __enter__(self) -> Tracker:
        self.result = self.json_path = self.emissions_path = None
        if not self.measuring:
            return self
        self._check()
        self._tracker = self._codecarbon()
        self._check_detected()  # CodeCarbon's hardware probe, before anything is written
        self._tracker.start()
        self.run_id = str(self._tracker.run_id)
        return self

    def flush(self) -> None:
        """Write CodeCarbon's cumulative row now (a checkpoint); the result is still written at
        exit, from the last row. Nothing on a rank that does not measure."""
        if self._tracker is not None:
            self._tracker.flush()

    # --- after the run ---------------------------------------------------------------------

    def _finish(self) -> None:
        from trainlca.codecarbon import estimate_measured
        from trainlca.inputs.codecarbon import read_codecarbon

        path = self.output_dir / self.output_file
        assert self.run_id is not None
        runs = read_codecarbon(path, count=self.count, run_ids={self.run_id})
        e = estimate_measured(runs, self.hardware, country=self.country,
                              **self.estimate_options)
        e = replace(e, notes=[*e.notes, self._note(path)])
        self.json_path = save(self.output_dir / self.result_file, _json(e.to_dict()))
        self.emissions_path, self.result = path, e

    def _note(self, path: Path) -> Any:
        r = self.rank
        who = (f"local rank 0 ({r.source})" if r.source else "a single process")
        text = (f"measured live by trainlca.track: CodeCarbon run {self.run_id} in {path.name}, "
                f"{who}")
        if r.several_nodes:
            text += (f"; machine {r.node or 0} of {r.nodes or '?'}: this file covers this "
                     "machine only, the whole run is `trainlca estimate --from-codecarbon` over "
                     "every machine's emissions file")
        elif r.source == "RANK":
            text += "; no local rank set: on several machines set LOCAL_RANK"
        return custom("track.live", text)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        if not self.measuring or self._tracker is None:
            return False
        tracker, self._tracker = self._tracker, None
        tracker.stop()
        try:
            self._finish()
        except TrainLCAError as err:
            if exc_type is None:
                raise
            warnings.warn(f"trainlca.track: no result written: {err}", stacklevel=2)
        return False


def track(hardware: str | None = None, **options: Any) -> Tracker:
    """Measure a run live with CodeCarbon and write its life-cycle result at exit.

    Args:
        hardware: the accelerator (catalogue name); default: CodeCarbon's ``gpu_model``.
        **options: ``count`` (accelerators of this machine; default CodeCarbon's
            ``gpu_count``), ``country`` (ISO-3 or name; default: CodeCarbon geolocates),
            ``output_dir`` (default "."), ``preset``, ``draws``, ``seed``, ``overrides``,
            ``grid``, ``include_host`` (as for :func:`trainlca.api.estimate`),
            ``project_name``, ``measure_power_secs``, ``tracking_mode``, ``output_file``,
            ``result_file``, ``codecarbon_options`` (more CodeCarbon arguments), ``env`` (the
            environment the ranks are read from).

    Raises:
        TrackerUnavailableError: CodeCarbon is not installed (on entering).
        UnknownHardwareError, UnknownLocationError, ParameterError: bad arguments (on
            entering, before the run).
    """
    return Tracker(hardware, **options)
