"""Real CodeCarbon files, written by CodeCarbon itself during the test session.

CodeCarbon runs offline and without root here: ``OfflineEmissionsTracker`` (no geolocation or
cloud look-up; the country is given), ``force_cpu_power``/``force_ram_power`` (constant CPU and
RAM powers, so the RAPL probe of ``/sys/class/powercap``, readable by root only on recent Linux,
is skipped; the CPU is then measured in CodeCarbon's "cpu_load" mode), a short
``measure_power_secs``, and ``log_level="error"``. The machine has no GPU, so the files have
``gpu_count`` 0: tests that need GPUs edit ``gpu_model``/``gpu_count`` afterwards
(:func:`with_gpus`) or pass a count.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Options that make CodeCarbon 3.3.2 run offline, fast and without root on a CPU machine.
OFFLINE: dict[str, Any] = {
    "country_iso_code": "FRA",
    "measure_power_secs": 0.1,
    "log_level": "error",
    "force_cpu_power": 40.0,
    "force_ram_power": 8.0,
    "project_name": "trainlca-tests",
}

#: The NVML name of an H100 SXM, as CodeCarbon writes it in gpu_model.
NVML_H100 = "NVIDIA H100 80GB HBM3"


def work(seconds: float) -> int:
    """A CPU workload lasting about ``seconds`` (the tests never assert on time)."""
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        x = (x * 31 + 7) % 1_000_003
    return x


@contextmanager
def quiet_codecarbon() -> Iterator[None]:
    """CodeCarbon's logger at ERROR and no CODECARBON_* settings from the environment."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("CODECARBON_")}
    for k in saved:
        del os.environ[k]
    logger = logging.getLogger("codecarbon")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
        os.environ.update(saved)


def tracker(folder: Path, **options: Any) -> Any:
    """An offline CodeCarbon tracker writing ``folder/emissions.csv``."""
    from codecarbon import OfflineEmissionsTracker

    folder.mkdir(parents=True, exist_ok=True)
    return OfflineEmissionsTracker(output_dir=str(folder), **{**OFFLINE, **options})


def final_energy(t: Any) -> float:
    """CodeCarbon's own final energy_consumed of a stopped tracker, kWh."""
    return float(t.final_emissions_data.energy_consumed)


def with_gpus(src: Path, dst: Path, count: int, model: str = NVML_H100) -> Path:
    """A copy of a CodeCarbon file with ``gpu_count`` and ``gpu_model`` set as a GPU machine
    would have them ("8 x NVIDIA H100 80GB HBM3")."""
    rows = list(csv.DictReader(io.StringIO(src.read_text())))
    for r in rows:
        r["gpu_count"] = str(count)
        r["gpu_model"] = f"{count} x {model}"
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(out.getvalue())
    return dst
