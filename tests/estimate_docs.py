"""Estimate documents for the export tests: the JSON that ``trainlca estimate --format json``
prints, obtained in-process, with ``schema_version`` and ``trainlca_version`` filled in when the
engine does not (yet) write them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import trainlca
from clitools import run_cli
from trainlca.report.schema import SCHEMA_VERSION

DATA = Path(__file__).parent / "data"
CODECARBON_TWO_RANKS = DATA / "codecarbon_two_ranks.csv"  # 2 rows, 4 GPUs, 8.85 kWh, FRA
#: The run of the README: 384 A100 80 GB for 2,820 h in France.
A100_RUN = ("-H", "A100 SXM4 80 GB", "-n", "384", "--hours", "2820", "-c", "FRA")


def versioned(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with the two version keys the schema requires, added only where absent."""
    out = dict(doc)
    out.setdefault("schema_version", SCHEMA_VERSION)
    out.setdefault("trainlca_version", trainlca.__version__)
    return out


def cli_doc(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    """``trainlca estimate ARGS --format json``, parsed (and versioned)."""
    code, out, err = run_cli(capsys, "estimate", *args, "--format", "json")
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return versioned(doc)
