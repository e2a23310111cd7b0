"""Loading an Epoch AI CSV (local file or cached download) into :class:`EpochData`."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from trainlca.epoch.download import EPOCH_NOTABLE_URL, fetch, sha256_file
from trainlca.epoch.schema import SchemaMap, normalise, resolve_columns
from trainlca.errors import DataFileError


@dataclass(frozen=True)
class EpochData:
    """One Epoch AI table, as read, plus what we know about where it came from.

    ``raw`` is the table as read (every column, text); ``frame`` holds the canonical fields
    (see :data:`trainlca.epoch.schema.COLUMN_ALTERNATIVES`) with clean types, same index.
    """

    raw: pd.DataFrame
    frame: pd.DataFrame
    sha256: str
    snapshot_date: date | None
    source: str
    schema: SchemaMap
    encoding: str
    downloaded_at: str | None = None
    #: per canonical field, values present but unparseable (now missing).
    coerced: dict[str, int] = field(default_factory=dict)

    @property
    def df(self) -> pd.DataFrame:
        return self.raw

    @property
    def schema_variant(self) -> str:
        return self.schema.variant

    def __len__(self) -> int:
        return len(self.raw)


#: Encodings tried in turn: UTF-8 (with or without BOM), cp1252, then latin-1 (never fails).
_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252", "latin-1")


def _read_raw(data: bytes) -> tuple[pd.DataFrame, str]:
    """The CSV's cells as text, decoded by the parser itself (no copy of the file as a Python
    string: a third of the load time of a large file), with the first encoding that fits."""
    for enc in _ENCODINGS:
        try:
            raw = pd.read_csv(io.BytesIO(data), encoding=enc, dtype=str, keep_default_na=False,
                              na_values=[""], on_bad_lines="error")
        except UnicodeDecodeError:
            continue
        return raw, enc
    raise AssertionError("latin-1 decodes any bytes")


def read_epoch_csv(path: Path, *, source: str | None = None) -> EpochData:
    """Read and normalise one local Epoch CSV; raise :class:`DataFileError` on any defect that
    makes it unusable (missing, empty, not CSV, required columns absent, no rows)."""
    src = source or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"cannot read Epoch data file {path}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise DataFileError(f"Epoch data file {src} is empty")
    try:
        raw, encoding = _read_raw(data)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(f"Epoch data file {src} is not a readable CSV ({first})") from exc
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    twice = sorted({c for c in raw.columns if list(raw.columns).count(c) > 1})
    if twice:
        raise DataFileError(f"{src}: column(s) appear twice: {', '.join(map(repr, twice))}")
    try:
        schema = resolve_columns(list(raw.columns))
    except DataFileError as exc:
        raise DataFileError(f"{src}: {exc}") from exc
    if raw.empty:
        raise DataFileError(f"Epoch data file {src} has a header but no rows")
    frame, coerced = normalise(raw, schema)
    newest = frame["publication_date"].max()
    snapshot = None if pd.isna(newest) else pd.Timestamp(newest).date()
    return EpochData(
        raw=raw,
        frame=frame,
        sha256=sha256_file(path),
        snapshot_date=snapshot,
        source=src,
        schema=schema,
        encoding=encoding,
        coerced=coerced,
    )


def load_epoch(
    path: str | Path | None = None,
    *,
    url: str = EPOCH_NOTABLE_URL,
    cache_dir: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    expected_sha256: str | None = None,
) -> EpochData:
    """Epoch AI notable-models data: from ``path`` if given, else from the user cache,
    downloading ``url`` into it first when absent (or when ``refresh``). ``expected_sha256``:
    the downloaded or cached file must have this sha256 (a mismatch is never kept)."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise DataFileError(f"Epoch data file not found: {p}")
        return read_epoch_csv(p)
    cached = fetch(url, cache_dir=cache_dir, offline=offline, refresh=refresh,
                   expected_sha256=expected_sha256)
    data = read_epoch_csv(cached.path, source=cached.url)
    return EpochData(
        raw=data.raw,
        frame=data.frame,
        sha256=cached.sha256,
        snapshot_date=data.snapshot_date,
        source=cached.url,
        schema=data.schema,
        encoding=data.encoding,
        downloaded_at=cached.downloaded_at,
        coerced=data.coerced,
    )
