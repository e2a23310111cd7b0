"""Shared fixtures: where the shared data lives (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest_fuzz import pytest_terminal_summary  # noqa: F401  (fuzz case counts)

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``../shared/data`` beside the repo, or ``$TRAINLCA_SHARED_DATA``."""
    env = os.environ.get("TRAINLCA_SHARED_DATA")
    return Path(env) if env else (REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"shared data not found at {path}; set TRAINLCA_SHARED_DATA")
    return path
