"""Output helpers of the CLI: number formatting, JSON and CSV text."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from trainlca.cli.options import FORMATS, format_option
from trainlca.numbers import format_number

__all__ = ["FORMATS", "fmt_num", "format_option", "stamped", "to_csv", "to_json"]


def fmt_num(x: float | None, digits: int = 3) -> str:
    """A number in a terminal table: :func:`trainlca.numbers.format_number`, powers of ten
    (``1.87e+06``) from a million."""
    return format_number(x, digits, "plain", sci_above=1e6)


def stamped(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` with ``schema_version`` and ``trainlca_version`` first (every JSON output)."""
    from trainlca import SCHEMA_VERSION, __version__

    return {"schema_version": SCHEMA_VERSION, "trainlca_version": __version__, **doc}


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


def _cell(v: Any) -> Any:
    """A CSV cell: empty for None/NaN (not covered), ``true``/``false`` for booleans (one
    spelling in every CSV trainlca writes)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _cell(v) for k, v in r.items()})
    return buf.getvalue()
