"""The accelerator catalogue: our table of chip facts (``accelerators.csv``), the generic names
that several chips share (``generic_names.csv``), the loader, name resolution, and user chips.

Kept light on purpose (no pandas): ``csv`` + dataclasses, numpy only for :meth:`Catalog.arrays`.

Units: die area mm² (``die_area_cm2`` for the production model), memory GB (10^9 bytes), TDP W,
measured power W, peak throughput FLOP/s (dense, no sparsity). Every fact column of the CSV has
a ``*_source`` column naming where the value comes from; ``die_area_status`` is ``imputed``
where no public figure exists. Both tables are written by ``tools/build_catalog.py``.

Entry points: :func:`load_catalog` (optionally merged with a user catalogue CSV),
:meth:`Catalog.resolve` (the chip and, for a generic name such as bare ``A100``, a note naming
the choice), :meth:`Catalog.get` / :meth:`Catalog.match`, :func:`load_user_catalog`,
:func:`parse_chip_spec` (an inline ``tdp_w=…,die_area_mm2=…`` chip).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from trainlca.catalog.accelerator import (
    CHIP_CLASSES,
    POWER_SCOPES,
    Accelerator,
    default_chip_class,
)
from trainlca.catalog.generic import GenericName, read_generic_names
from trainlca.catalog.lookup import Catalog, Resolution
from trainlca.catalog.names import normalise_name, split_device_list
from trainlca.catalog.table import (
    FACT_COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    SOURCE_COLUMNS,
    read_table,
)
from trainlca.catalog.user import CHIP_SPEC_SOURCE, load_user_catalog, parse_chip_spec

__all__ = [
    "CHIP_CLASSES",
    "CHIP_SPEC_SOURCE",
    "DEFAULT_PATH",
    "FACT_COLUMNS",
    "GENERIC_PATH",
    "OPTIONAL_COLUMNS",
    "POWER_SCOPES",
    "REQUIRED_COLUMNS",
    "SOURCE_COLUMNS",
    "Accelerator",
    "Catalog",
    "GenericName",
    "Resolution",
    "default_chip_class",
    "load_catalog",
    "load_user_catalog",
    "normalise_name",
    "parse_chip_spec",
    "split_device_list",
]

DEFAULT_PATH = Path(__file__).with_name("accelerators.csv")
GENERIC_PATH = Path(__file__).with_name("generic_names.csv")


def _version(*raws: bytes) -> str:
    return "sha256:" + hashlib.sha256(b"\0".join(raws)).hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _load_default() -> Catalog:
    items, raw = read_table(DEFAULT_PATH)
    generic, graw = read_generic_names(GENERIC_PATH)
    return Catalog(items, _version(raw, graw), generic)


def load_catalog(path: str | Path | None = None, *, user: str | Path | None = None) -> Catalog:
    """Load the catalogue: the packaged tables by default (cached), or the full-schema CSV at
    ``path`` (then without generic names); with ``user``, merged with that user catalogue CSV,
    whose rows take precedence (:func:`load_user_catalog`, :meth:`Catalog.merged`).

    Raises :class:`DataFileError` naming the file, line and chip of a malformed row.
    """
    if path is None:
        base = _load_default()
    else:
        items, raw = read_table(Path(path))
        base = Catalog(items, _version(raw))
    if user is None:
        return base
    return base.merged(load_user_catalog(user, base))
