"""Generic names: short names shared by several chips (bare ``A100``, ``H100``, ``V100``,
``TPU v5`` ...), each resolved to a documented choice, with the reason, by ``generic_names.csv``
(written by ``tools/build_catalog.py``).

Columns: ``names`` (";"-separated labels), ``choice`` (the canonical name used), ``family``
(";"-separated canonical names the label may mean; an entry ending in "(not in the
catalogue)" is a variant the catalogue lacks), ``reason`` (why the choice, with its source).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from trainlca.errors import DataFileError

__all__ = ["NOT_IN_CATALOGUE", "GenericName", "read_generic_names"]

NOT_IN_CATALOGUE = "(not in the catalogue)"
_COLUMNS = ("names", "choice", "family", "reason")


@dataclass(frozen=True)
class GenericName:
    """Labels that several chips answer to, the chip they resolve to and why."""

    names: tuple[str, ...]
    choice: str
    family: tuple[str, ...]
    reason: str

    def note(self, query: str, chosen: str) -> str:
        """The one-line note shown when ``query`` resolved through this entry to ``chosen``."""
        family = ", ".join(self.family)
        return (f"{query!r} is ambiguous ({family}); using {chosen} ({self.reason}) — give the "
                f"full name to choose")


def read_generic_names(path: Path) -> tuple[tuple[GenericName, ...], bytes]:
    """The entries of a generic-names CSV and its bytes (for the catalogue version)."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"generic names {path}: cannot read ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise DataFileError(f"generic names {path}: header must be {','.join(_COLUMNS)}")
    out = []
    for row in reader:
        where = f"{path.name} line {reader.line_num}"
        names = tuple(n.strip() for n in (row["names"] or "").split(";") if n.strip())
        family = tuple(n.strip() for n in (row["family"] or "").split(";") if n.strip())
        choice, reason = (row["choice"] or "").strip(), (row["reason"] or "").strip()
        if not (names and choice and reason) or choice not in family:
            raise DataFileError(f"{where}: needs names, a reason and a choice listed in family")
        out.append(GenericName(names, choice, family, reason))
    return tuple(out), raw
