"""Shared output helpers: formats, number formatting, atomic file writes."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

FORMATS = ("table", "json", "csv")

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output format.",
)

# Options shared by the commands that run the model (estimate, cards, study).
preset_option = click.option(
    "--preset", "-p", default="default", show_default=True,
    help="Boundary and defaults: default, mlca, tdp-pue, bloom (see `trainlca presets`).",
)
set_option = click.option(
    "--set", "sets", multiple=True, metavar="NAME=VALUE",
    help="Override a parameter (repeatable), e.g. --set pue=1.3 (see `trainlca params`).",
)
grid_option = click.option(
    "--grid", "grid_path", type=click.Path(dir_okay=False),
    help="CSV of grid factors instead of EcoLogits' table (MLCA's format or zone,gwp,adpe,pe,wu).",
)
seed_option = click.option("--seed", default=None, type=int,
                           help="Random seed of the Monte Carlo draws (default fixed).")


def fmt_num(x: float | None, digits: int = 3) -> str:
    """Human-readable number with ``digits`` significant digits; NaN/None → 'n/c'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/c"
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 1e6 or ax < 1e-3:
        return f"{x:.{digits - 1}e}"
    decimals = max(0, digits - 1 - math.floor(math.log10(ax)))
    return f"{x:,.{decimals}f}"


def to_json(obj: Any) -> str:
    def default(o: Any) -> Any:
        if hasattr(o, "item"):
            return o.item()
        if hasattr(o, "isoformat"):
            return o.isoformat()
        return str(o)

    def clean(o: Any) -> Any:
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, Mapping):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list | tuple):
            return [clean(v) for v in o]
        return o

    return json.dumps(clean(obj), indent=2, default=default, ensure_ascii=False)


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
                    for k, v in r.items()})
    return buf.getvalue()


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file via a temporary file in the same folder and an atomic rename, with the
    usual permissions (mkstemp's 0600, relaxed by the umask as ``open`` would)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
