"""Numbers read from data files (CSV cells, JSON values): one parser, one wording of its errors.

Used by the catalogue, the grid tables, the reference footprints and the readers of measured
runs, so a bad cell gives the same one-line :class:`~trainlca.errors.DataFileError` everywhere:
where it is (file, line, column), what it holds, and what it must be.
"""

from __future__ import annotations

import math
from typing import Final

from trainlca.errors import DataFileError

#: Cell texts read as "no value".
EMPTY: Final[frozenset[str]] = frozenset({"", "nan", "none", "null", "na", "n/a", "-"})


def parse_number(value: object, where: str, *, required: bool = False,
                 positive: bool = False) -> float | None:
    """A finite number ≥ 0 (> 0 when ``positive``) from a cell; None when the cell is empty
    and not ``required``.

    Args:
        value: the cell (text, or a number from JSON).
        where: the place for the message, e.g. ``"file.csv: line 4, column 'tdp_w'"``.
        required: an empty cell is an error.
        positive: 0 is an error.
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in EMPTY):
        if required:
            raise DataFileError(f"{where}: empty; a number is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DataFileError(f"{where}: {value!r} is not a number")
    try:
        x = float(value)
    except ValueError:
        raise DataFileError(f"{where}: {value!r} is not a number") from None
    if not math.isfinite(x) or x < 0 or (positive and x == 0):
        bound = "> 0" if positive else "≥ 0"
        raise DataFileError(f"{where}: {value!r} must be a finite number {bound}")
    return x
