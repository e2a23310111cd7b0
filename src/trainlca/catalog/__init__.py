"""The accelerator catalogue: our table of chip facts (``accelerators.csv``), its loader and
name matching.

Kept light on purpose (no pandas): ``csv`` + dataclasses, numpy only for :meth:`Catalog.arrays`.

Units: die area mm² (``die_area_cm2`` for the production model), memory GB (10^9 bytes), TDP W,
peak throughput FLOP/s (dense, no sparsity). Every fact column of the CSV has a ``*_source``
column naming where the value comes from; ``die_area_status`` is ``imputed`` where no public
figure exists.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import functools
import hashlib
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from trainlca.cells import parse_number
from trainlca.errors import DataFileError, ParameterError, UnknownHardwareError

__all__ = [
    "DEFAULT_PATH",
    "FACT_COLUMNS",
    "REQUIRED_COLUMNS",
    "SOURCE_COLUMNS",
    "Accelerator",
    "Catalog",
    "load_catalog",
    "normalise_name",
]

DEFAULT_PATH = Path(__file__).with_name("accelerators.csv")

FACT_COLUMNS: tuple[str, ...] = (
    "name",
    "aliases",
    "vendor",
    "type",
    "release_date",
    "process_nm",
    "die_area_mm2",
    "die_count",
    "die_area_status",
    "memory_gb",
    "memory_type",
    "tdp_w",
    "fp32_flops",
    "tensor_16bit_flops",
    "fp8_flops",
    "node_size",
)
SOURCE_COLUMNS: tuple[str, ...] = (
    "release_date_source",
    "process_nm_source",
    "die_area_source",
    "memory_source",
    "tdp_source",
    "flops_source",
    "node_size_source",
)
#: Columns that must be present, in this order, at the start of the CSV (more may follow).
REQUIRED_COLUMNS: tuple[str, ...] = FACT_COLUMNS + SOURCE_COLUMNS
_TYPES = frozenset({"GPU", "TPU", "ASIC", "WSE"})
_PREFIX = re.compile(r"^(nvidia|amd|google|amazon|aws|huawei|intel|habana|cerebras)+")

# Precision ladder, highest precision first. Requests map onto a rung.
_LADDER: tuple[str, ...] = ("fp32", "tf32", "16bit", "fp8")
_PRECISION_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "fp32": "fp32",
        "float32": "fp32",
        "single": "fp32",
        "tf32": "tf32",
        "fp16": "16bit",
        "bf16": "16bit",
        "float16": "16bit",
        "bfloat16": "16bit",
        "half": "16bit",
        "16bit": "16bit",
        "mixed": "16bit",
        "amp": "16bit",
        "fp8": "fp8",
        "int8": "fp8",
    }
)


def normalise_name(name: str) -> str:
    """Case/space/hyphen/punctuation-insensitive key: "A100-SXM4 80GB" -> "a100sxm480gb"."""
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def _short_key(key: str) -> str:
    """The normalised key without a leading vendor word ("nvidiaa100" -> "a100")."""
    return _PREFIX.sub("", key) or key


@dataclass(frozen=True)
class Accelerator:
    """One accelerator unit as Epoch counts it (a card, a TPU chip, a GB200 GPU, a CS-2 system)."""

    name: str
    aliases: tuple[str, ...]
    vendor: str
    type: str
    release_date: datetime.date
    process_nm: float
    die_area_mm2: float
    die_count: int
    die_area_imputed: bool
    memory_gb: float
    memory_type: str
    tdp_w: float
    fp32_flops: float
    tensor_16bit_flops: float
    fp8_flops: float  # math.nan when the chip has no FP8
    node_size: int
    sources: Mapping[str, str] = field(compare=False, repr=False)
    tf32_flops: float = math.nan
    notes: str = ""

    @property
    def die_area_cm2(self) -> float:
        """Total logic die area in cm² (summed over dies)."""
        return self.die_area_mm2 / 100.0

    @property
    def release_year(self) -> float:
        """Release date as a decimal year (2020-07-02 -> ~2020.5)."""
        d = self.release_date
        start = datetime.date(d.year, 1, 1)
        days = (datetime.date(d.year + 1, 1, 1) - start).days
        return d.year + (d - start).days / days

    def peak_flops(self, precision: str) -> float:
        """Dense peak FLOP/s at ``precision`` ("fp32", "tf32", "fp16", "bf16", "fp8", "int8",
        "mixed"/"amp" = 16-bit).

        Fallback when the chip has no figure at that precision: first the nearest *higher*
        precision that exists (what the chip would run instead: fp8 on an A100 runs at its
        16-bit tensor rate; tf32 on a V100 runs at FP32), then, if none exists, the nearest
        *lower* precision (TPUs publish no FP32 peak, so fp32 falls back to the bf16 MXU rate).
        ``tensor_16bit_flops`` is always present (for chips without tensor cores it holds the
        FP16 or FP32 rate, see ``sources['flops']``), so the result is never NaN.
        """
        rung = _PRECISION_ALIASES.get(precision.strip().lower().replace("-", ""))
        if rung is None:
            known = ", ".join(sorted(_PRECISION_ALIASES))
            raise ParameterError(f"unknown precision {precision!r}; use one of: {known}")
        values = {
            "fp32": self.fp32_flops,
            "tf32": self.tf32_flops,
            "16bit": self.tensor_16bit_flops,
            "fp8": self.fp8_flops,
        }
        i = _LADDER.index(rung)
        order = [*_LADDER[i::-1], *_LADDER[i + 1 :]]
        for r in order:
            v = values[r]
            if not math.isnan(v):
                return v
        return math.nan  # unreachable for a valid catalogue row


class Catalog:
    """The accelerators of one catalogue file, with name matching."""

    def __init__(self, accelerators: Sequence[Accelerator], version: str) -> None:
        self._items: tuple[Accelerator, ...] = tuple(accelerators)
        self.version: str = version
        self._by_key: dict[str, Accelerator] = {}
        self._short: dict[str, list[Accelerator]] = {}
        for acc in self._items:
            for label in (acc.name, *acc.aliases):
                key = normalise_name(label)
                other = self._by_key.get(key)
                if other is not None and other is not acc:
                    raise DataFileError(
                        f"accelerator catalogue: name {label!r} of {acc.name!r} clashes with "
                        f"{other.name!r}"
                    )
                self._by_key[key] = acc
                bucket = self._short.setdefault(_short_key(key), [])
                if acc not in bucket:
                    bucket.append(acc)
        self._keys: list[str] = list(self._by_key)

    def __iter__(self) -> Iterator[Accelerator]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.match(name) is not None

    def names(self) -> list[str]:
        """Canonical names, in file order."""
        return [a.name for a in self._items]

    def match(self, name: str) -> Accelerator | None:
        """The accelerator called ``name`` (canonical name or alias, normalised), else None.

        A name without its vendor word ("A100 SXM4 80GB", "TPU v4") also matches when exactly
        one chip fits.
        """
        key = normalise_name(name)
        if not key:
            return None
        hit = self._by_key.get(key)
        if hit is not None:
            return hit
        bucket = self._short.get(_short_key(key), [])
        return bucket[0] if len(bucket) == 1 else None

    def closest(self, name: str, n: int = 3) -> list[str]:
        """The canonical names of the ``n`` chips whose names or aliases are closest to ``name``."""
        key = normalise_name(name)
        scored: dict[str, float] = {}
        for k in self._keys:
            acc = self._by_key[k]
            ratio = max(
                difflib.SequenceMatcher(None, key, k).ratio(),
                difflib.SequenceMatcher(None, _short_key(key), _short_key(k)).ratio(),
            )
            if ratio > scored.get(acc.name, -1.0):
                scored[acc.name] = ratio
        order = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        return [nm for nm, _ in order[:n]]

    def get(self, name: str) -> Accelerator:
        """Like :meth:`match` but raises :class:`UnknownHardwareError` naming the 3 closest."""
        hit = self.match(name)
        if hit is not None:
            return hit
        close = ", ".join(repr(c) for c in self.closest(name, 3))
        raise UnknownHardwareError(
            f"unknown accelerator {name!r}; closest: {close} (see `trainlca hardware`)"
        )

    def search(self, query: str) -> list[Accelerator]:
        """Chips whose name, alias or vendor contains ``query`` (normalised); if none, the fuzzy
        closest ones. An empty query lists everything."""
        key = normalise_name(query)
        if not key:
            return list(self._items)
        found = [
            a
            for a in self._items
            if any(key in normalise_name(lbl) for lbl in (a.name, *a.aliases, a.vendor))
        ]
        if found:
            return found
        wanted = set(self.closest(query, 5))
        return [a for a in self._items if a.name in wanted]

    def arrays(self, names: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectorised columns for many runs (one entry per name, duplicates allowed).

        Keys: die_area_cm2, memory_gb, tdp_w, tensor_16bit_flops, fp32_flops, fp8_flops,
        node_size, release_year (decimal), die_area_imputed (bool). Unknown names raise
        :class:`UnknownHardwareError`.
        """
        cache: dict[str, Accelerator] = {}
        accs: list[Accelerator] = []
        for n in names:
            acc = cache.get(n)
            if acc is None:
                acc = cache[n] = self.get(n)
            accs.append(acc)
        f = np.float64
        return {
            "die_area_cm2": np.array([a.die_area_cm2 for a in accs], dtype=f),
            "memory_gb": np.array([a.memory_gb for a in accs], dtype=f),
            "tdp_w": np.array([a.tdp_w for a in accs], dtype=f),
            "tensor_16bit_flops": np.array([a.tensor_16bit_flops for a in accs], dtype=f),
            "fp32_flops": np.array([a.fp32_flops for a in accs], dtype=f),
            "fp8_flops": np.array([a.fp8_flops for a in accs], dtype=f),
            "node_size": np.array([a.node_size for a in accs], dtype=np.int64),
            "release_year": np.array([a.release_year for a in accs], dtype=f),
            "die_area_imputed": np.array([a.die_area_imputed for a in accs], dtype=bool),
        }


# ----------------------------------------------------------------------------------- loading


def _num(row: Mapping[str, str], col: str, where: str, *, required: bool = True) -> float:
    value = parse_number((row.get(col) or "").strip(), f"{where}: column {col!r}",
                         required=required)
    return math.nan if value is None else value


def _int(row: Mapping[str, str], col: str, where: str) -> int:
    value = _num(row, col, where)
    if value != int(value) or value < 1:
        raise DataFileError(f"{where}: column {col!r} must be a positive integer")
    return int(value)


def _parse_row(row: Mapping[str, str | None], line: int, path: Path) -> Accelerator:
    clean = {k: (v or "") for k, v in row.items() if k is not None}
    name = clean["name"].strip()
    where = f"{path.name} line {line} ({name or 'no name'})"
    if not name:
        raise DataFileError(f"{where}: empty name")
    if None in row:
        raise DataFileError(f"{where}: more fields than columns (unquoted comma?)")
    typ = clean["type"].strip()
    if typ not in _TYPES:
        raise DataFileError(f"{where}: type {typ!r} not one of {sorted(_TYPES)}")
    try:
        date = datetime.date.fromisoformat(clean["release_date"].strip())
    except ValueError:
        raise DataFileError(
            f"{where}: release_date {clean['release_date']!r} is not YYYY-MM-DD"
        ) from None
    status = clean["die_area_status"].strip()
    if status not in ("reported", "imputed"):
        raise DataFileError(f"{where}: die_area_status must be 'reported' or 'imputed'")
    sources: dict[str, str] = {}
    for col in SOURCE_COLUMNS:
        text = clean[col].strip()
        if not text:
            raise DataFileError(f"{where}: {col} is empty (every fact needs a source)")
        sources[col.removesuffix("_source")] = text
    aliases = tuple(a.strip() for a in clean["aliases"].split(";") if a.strip())
    return Accelerator(
        name=name,
        aliases=aliases,
        vendor=clean["vendor"].strip(),
        type=typ,
        release_date=date,
        process_nm=_num(clean, "process_nm", where),
        die_area_mm2=_num(clean, "die_area_mm2", where),
        die_count=_int(clean, "die_count", where),
        die_area_imputed=status == "imputed",
        memory_gb=_num(clean, "memory_gb", where),
        memory_type=clean["memory_type"].strip(),
        tdp_w=_num(clean, "tdp_w", where),
        fp32_flops=_num(clean, "fp32_flops", where, required=False),
        tensor_16bit_flops=_num(clean, "tensor_16bit_flops", where),
        fp8_flops=_num(clean, "fp8_flops", where, required=False),
        node_size=_int(clean, "node_size", where),
        sources=MappingProxyType(sources),
        tf32_flops=_num(clean, "tf32_flops", where, required=False),
        notes=clean.get("notes", "").strip(),
    )


def _load(path: Path) -> Catalog:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"accelerator catalogue {path}: cannot read ({exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"accelerator catalogue {path}: not UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    header = tuple(reader.fieldnames or ())
    if header[: len(REQUIRED_COLUMNS)] != REQUIRED_COLUMNS:
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        detail = f"missing {missing}" if missing else "columns out of order"
        raise DataFileError(f"accelerator catalogue {path}: bad header, {detail}")
    items = [_parse_row(row, reader.line_num, path) for row in reader]
    if not items:
        raise DataFileError(f"accelerator catalogue {path}: no rows")
    version = "sha256:" + hashlib.sha256(raw).hexdigest()[:12]
    return Catalog(items, version)


@functools.lru_cache(maxsize=1)
def _load_default() -> Catalog:
    return _load(DEFAULT_PATH)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load the catalogue (the packaged ``accelerators.csv`` by default, cached).

    Raises :class:`DataFileError` naming the file, line and chip of a malformed row.
    """
    if path is None:
        return _load_default()
    return _load(Path(path))
