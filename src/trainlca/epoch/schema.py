"""The schema map: Epoch AI column names across snapshots → our canonical field names.

Columns are always selected by NAME (case- and whitespace-insensitive), never by position.
Each canonical field lists the names Epoch has used for it, newest first. Epoch renamed
``Country (from Organization)`` → ``Country (of organization)`` and ``Hardware utilization`` →
``Hardware utilization (MFU)`` during 2025, and added ``Numerical format`` (absent in the
2024-12 snapshot). Older exports called the model column ``System``.

:func:`normalise` turns the raw table into a frame with canonical columns and clean types:
numbers that do not parse become missing (and are counted), dates that do not parse become NaT
(the row is later skipped with the reason ``unparseable date``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from trainlca.errors import DataFileError

#: canonical field → accepted column names, newest name first.
COLUMN_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "model": ("Model", "System"),
    "publication_date": ("Publication date",),
    "training_hardware": ("Training hardware",),
    "training_compute_flop": ("Training compute (FLOP)",),
    "hardware_quantity": ("Hardware quantity",),
    "training_time_hours": ("Training time (hours)",),
    "mfu": ("Hardware utilization (MFU)", "Hardware utilization"),
    "country": ("Country (of organization)", "Country (from Organization)"),
    "organization": ("Organization",),
    "domain": ("Domain",),
    "numerical_format": ("Numerical format",),
    "power_draw_w": ("Training power draw (W)",),
}

#: fields without which no row can be assessed.
REQUIRED_FIELDS: tuple[str, ...] = ("model", "publication_date", "training_hardware")
#: at least one of these groups must be complete: compute, or quantity and time.
HOURS_FIELD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("training_compute_flop",),
    ("hardware_quantity", "training_time_hours"),
)

NUMERIC_FIELDS: tuple[str, ...] = (
    "training_compute_flop",
    "hardware_quantity",
    "training_time_hours",
    "power_draw_w",
)
TEXT_FIELDS: tuple[str, ...] = (
    "model",
    "training_hardware",
    "country",
    "organization",
    "domain",
    "numerical_format",
)

#: fields whose column was renamed in 2025; the names used tell the schema variant apart.
RENAMED_FIELDS: frozenset[str] = frozenset({"country", "mfu"})

#: schema variants, named after the snapshot where we first saw them.
VARIANT_CURRENT = "2025+"  # Country (of organization), Hardware utilization (MFU)
VARIANT_LEGACY = "2024"  # Country (from Organization), Hardware utilization
VARIANT_MIXED = "mixed"


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lstrip("\ufeff")).casefold()


@dataclass(frozen=True)
class SchemaMap:
    """Which raw column feeds each canonical field, and which fields are absent."""

    columns: dict[str, str]
    missing_optional: tuple[str, ...]
    variant: str
    #: per field: values present in the file but not parseable (coerced to missing).
    coerced: dict[str, int] = field(default_factory=dict)


def resolve_columns(raw_columns: list[str]) -> SchemaMap:
    """Map raw column names to canonical fields; raise :class:`DataFileError` if required ones
    are missing (naming them, with the names we accept)."""
    by_key: dict[str, str] = {}
    for col in raw_columns:
        by_key.setdefault(_key(str(col)), str(col))
    columns: dict[str, str] = {}
    legacy_used = current_used = False
    for fname, names in COLUMN_ALTERNATIVES.items():
        for i, name in enumerate(names):
            if _key(name) in by_key:
                columns[fname] = by_key[_key(name)]
                if fname in RENAMED_FIELDS:
                    legacy_used |= i > 0
                    current_used |= i == 0
                break
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if not any(all(f in columns for f in group) for group in HOURS_FIELD_GROUPS):
        missing.append(
            " or ".join(
                "+".join(COLUMN_ALTERNATIVES[f][0] for f in group) for group in HOURS_FIELD_GROUPS
            )
        )
    if missing:
        labels = [
            " / ".join(COLUMN_ALTERNATIVES[m]) if m in COLUMN_ALTERNATIVES else m for m in missing
        ]
        raise DataFileError("Epoch data is missing required column(s): " + "; ".join(labels))
    variant = (
        VARIANT_MIXED
        if legacy_used and current_used
        else VARIANT_LEGACY
        if legacy_used
        else VARIANT_CURRENT
    )
    missing_optional = tuple(f for f in COLUMN_ALTERNATIVES if f not in columns)
    return SchemaMap(columns=columns, missing_optional=missing_optional, variant=variant)


def _text(s: pd.Series) -> pd.Series:
    out = s.astype("string").str.strip()
    return out.mask(out == "")


def parse_mfu(s: pd.Series) -> pd.Series:
    """MFU as a fraction in (0, 1]. Both shared snapshots store fractions (0.17–0.57); a value
    written with ``%`` or above 1 is read as a percentage. Zero, negative or > 100 → missing."""
    text = s.astype("string").str.strip()
    pct = text.str.endswith("%").fillna(False).astype(bool)
    num = pd.to_numeric(text.str.rstrip("%").str.strip(), errors="coerce").astype(float)
    num = num.where(~(pct | (num > 1.0)), num / 100.0)
    return num.where((num > 0) & (num <= 1.0))


def _ns(dates: pd.Series) -> pd.Series:
    """As ``datetime64[ns]``; dates outside its range (years 1677–2262, e.g. 9999-12-31) → NaT."""
    ok = dates.isna() | ((dates >= pd.Timestamp.min) & (dates <= pd.Timestamp.max))
    return dates.where(ok).astype("datetime64[ns]")


def parse_dates(s: pd.Series) -> pd.Series:
    """ISO dates (``2024-12-06``, also ``2024-12`` or ``2024``); other spellings tried next;
    anything else (or outside years 1677–2262) → NaT."""
    text = s.astype("string").str.strip()
    iso = _ns(pd.to_datetime(text, errors="coerce", format="ISO8601"))
    rest = iso.isna() & text.notna()
    if rest.any():
        other = pd.to_datetime(text[rest], errors="coerce", format="mixed")
        iso.loc[rest] = _ns(other)
    return iso


def decimal_year(dates: pd.Series) -> pd.Series:
    """2013-01-01 → 2013.0; 2013-07-02 → 2013.497 (day of year − 1) / days in year."""
    days = np.where(dates.dt.is_leap_year, 366.0, 365.0)
    frac = (dates.dt.day_of_year - 1) / days
    return pd.Series(dates.dt.year + frac, index=dates.index, dtype=float)


def normalise(raw: pd.DataFrame, schema: SchemaMap) -> tuple[pd.DataFrame, dict[str, int]]:
    """Canonical frame (one column per canonical field, absent optional ones all-missing) and
    the count of unparseable values per field."""
    n = len(raw)
    out = pd.DataFrame(index=raw.index)
    coerced: dict[str, int] = {}
    for fname in COLUMN_ALTERNATIVES:
        col = schema.columns.get(fname)
        src = raw[col] if col is not None else pd.Series([pd.NA] * n, index=raw.index)
        present = _text(src).notna()
        if fname in NUMERIC_FIELDS:
            val = pd.to_numeric(_text(src), errors="coerce").astype(float)
            val = val.where(np.isfinite(val))
            bad = int((present & val.isna()).sum())
        elif fname == "mfu":
            val = parse_mfu(src)
            bad = int((present & val.isna()).sum())
        elif fname == "publication_date":
            val = parse_dates(src)
            bad = int(val.isna().sum())
        else:
            val = _text(src)
            bad = 0
        out[fname] = val
        if bad:
            coerced[fname] = bad
    return out, coerced
