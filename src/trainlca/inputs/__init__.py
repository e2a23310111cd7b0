"""Readers of measured and accounted runs: CodeCarbon files, SLURM ``sacct`` output, a CSV of
runs. Each returns a :class:`~trainlca.inputs.records.RunSet` of
:class:`~trainlca.inputs.records.RunRecord` values; :func:`resolve_hardware` and
:func:`check_plausible` are the steps after reading."""

from trainlca.inputs.codecarbon import read_codecarbon
from trainlca.inputs.records import (
    PLAUSIBLE_POWER_MARGIN,
    RunRecord,
    RunSet,
    SourceFile,
    check_plausible,
    resolve_hardware,
)
from trainlca.inputs.runs_csv import read_runs_csv
from trainlca.inputs.slurm import read_sacct

__all__ = [
    "PLAUSIBLE_POWER_MARGIN",
    "RunRecord",
    "RunSet",
    "SourceFile",
    "check_plausible",
    "read_codecarbon",
    "read_runs_csv",
    "read_sacct",
    "resolve_hardware",
]
