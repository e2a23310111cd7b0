"""Chips the packaged catalogue lacks: a user catalogue CSV (:func:`load_user_catalog`) and an
inline spec (:func:`parse_chip_spec`), so that no user is stuck with an unlisted chip.

Both take the columns of ``accelerators.csv``. Required: ``tdp_w`` (and ``name`` in a CSV).
A chip that names one of ours (its name, an alias or a generic name) takes every fact it does
not give from our row. A new chip gets the rest as follows, each flagged:

* ``die_area_mm2``, ``memory_gb``, ``memory_type``, ``process_nm``, ``release_date``: imputed
  as the median (most common, for the memory type) of the catalogue chips of the same type whose
  TDP is within ±25 % of the given TDP, or of the 5 with the nearest TDP when fewer than 3 are;
  named in ``Accelerator.imputed`` (the die area also in ``die_area_imputed``) and in its source;
* ``type`` GPU, ``chip_class`` from the type (a GPU is taken as a PCIe card), ``node_size``
  from the class (the catalogue's rules: 8 per server, 4 per workstation or TPU host, 1
  wafer-scale system), ``die_count`` 1, ``vendor`` "unknown";
* no FLOP/s figure: peak FLOP/s is NaN, so an estimate from training compute asks for
  ``tensor_16bit_flops``; no measured power unless ``measured_power_w`` and its scope are given.

Sources: a CSV's ``*_source`` cell where given, else "user catalogue FILE"; every inline field
"user input (--chip)". Errors are one line naming file, line and column (:class:`DataFileError`)
or the field and the fix (:class:`ParameterError`).
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import hashlib
import math
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from trainlca.catalog.accelerator import (
    CHIP_CLASSES,
    POWER_SCOPES,
    TYPES,
    Accelerator,
    default_chip_class,
)
from trainlca.catalog.lookup import Catalog
from trainlca.errors import DataFileError, ParameterError, TrainLCAError

if TYPE_CHECKING:
    from trainlca.schemas import TableSpec

__all__ = ["CHIP_SPEC_SOURCE", "SPEC_FIELDS", "load_user_catalog", "parse_chip_spec"]

CHIP_SPEC_SOURCE = "user input (--chip)"
_BLANK = frozenset({"", "na", "n/a", "nan", "none", "null", "-"})  # as trainlca.schemas
_NODE_OF_CLASS: Mapping[str, int] = MappingProxyType({
    "gpu-sxm": 8, "gpu-pcie": 8, "gpu-workstation": 4, "tpu": 4, "asic": 8, "wafer-scale": 1,
})
#: Which source each fact column takes.
_SOURCE_KEY: Mapping[str, str] = MappingProxyType({
    "release_date": "release_date", "process_nm": "process_nm", "die_area_mm2": "die_area",
    "die_count": "die_area", "die_area_status": "die_area", "memory_gb": "memory",
    "memory_type": "memory", "tdp_w": "tdp", "fp32_flops": "flops", "tensor_16bit_flops": "flops",
    "fp8_flops": "flops", "tf32_flops": "flops", "node_size": "node_size",
    "measured_power_w": "measured_power", "measured_power_scope": "measured_power",
})
_IMPUTABLE = ("die_area_mm2", "memory_gb", "memory_type", "process_nm", "release_date")


@dataclass(frozen=True)
class _Field:
    """One inline-spec field: kind, plausible range [low, high] (unit) or choices."""

    kind: str  # text | list | number | integer | date | choice
    low: float = -math.inf
    high: float = math.inf
    unit: str = ""
    choices: tuple[str, ...] = ()
    low_open: bool = False


_FLOPS = _Field("number", 0.0, 1e18, "FLOP/s", low_open=True)
#: The fields of an inline spec, with their plausible ranges.
SPEC_FIELDS: Mapping[str, _Field] = MappingProxyType({
    "name": _Field("text"),
    "aliases": _Field("list"),
    "vendor": _Field("text"),
    "type": _Field("choice", choices=TYPES),
    "chip_class": _Field("choice", choices=CHIP_CLASSES),
    "release_date": _Field("date"),
    "process_nm": _Field("number", 1.0, 250.0, "nm"),
    "die_area_mm2": _Field("number", 1.0, 50_000.0, "mm²"),
    "die_count": _Field("integer", 1.0, 100.0, "dies"),
    "die_area_status": _Field("choice", choices=("reported", "imputed")),
    "memory_gb": _Field("number", 0.0, 2048.0, "GB"),
    "memory_type": _Field("text"),
    "tdp_w": _Field("number", 1.0, 5000.0, "W"),
    "fp32_flops": _FLOPS,
    "tensor_16bit_flops": _FLOPS,
    "fp8_flops": _FLOPS,
    "tf32_flops": _FLOPS,
    "node_size": _Field("integer", 1.0, 1024.0, "accelerators per server"),
    "measured_power_w": _Field("number", 1.0, 5000.0, "W"),
    "measured_power_scope": _Field("choice", choices=POWER_SCOPES),
    "notes": _Field("text"),
})
_FIX: Mapping[str, str] = MappingProxyType({
    "tdp_w": "give the chip's TDP in watts",
    "die_area_mm2": "give the summed logic die area in mm² (or leave it out to impute it)",
    "memory_gb": "give the memory in GB (or leave it out to impute it)",
    "release_date": "write it as YYYY-MM-DD",
    "die_count": "give the number of logic dies, a whole number",
    "node_size": "give the accelerators per server, a whole number",
})


# ---------------------------------------------------------------------------- conversion


def _convert(field: str, text: str, spec: _Field) -> Any:
    """The value of ``text``; raises ValueError with the reason (no range check here)."""
    if spec.kind in ("text", "list"):
        return text if spec.kind == "text" else tuple(a.strip() for a in text.split(";")
                                                       if a.strip())
    if spec.kind == "choice":
        if text not in spec.choices:
            raise ValueError(f"is not one of {', '.join(spec.choices)}")
        return text
    if spec.kind == "date":
        for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError("is not a date")
    try:
        value = float(text)
    except ValueError:
        raise ValueError("is not a number") from None
    if not math.isfinite(value):
        raise ValueError("is not a finite number")
    if spec.kind == "integer":
        if value != int(value):
            raise ValueError("is not a whole number")
        return int(value)
    return value


def _in_range(value: float, spec: _Field) -> bool:
    low_ok = value > spec.low if spec.low_open else value >= spec.low
    return low_ok and value <= spec.high


def _parse_spec_text(spec: str) -> dict[str, str]:
    items = [p.strip() for p in spec.split(",") if p.strip()]
    if not items:
        raise ParameterError("--chip is empty; e.g. --chip tdp_w=350,die_area_mm2=600,"
                             "memory_gb=48,memory_type=GDDR6,name=MyChip")
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ParameterError(f"--chip: {item!r} is not field=value; e.g. --chip "
                                 f"tdp_w=350,die_area_mm2=600,memory_gb=48")
        if key not in SPEC_FIELDS:
            near = difflib.get_close_matches(key, list(SPEC_FIELDS), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise ParameterError(f"--chip: unknown field {key!r}; {hint}fields: "
                                 f"{', '.join(SPEC_FIELDS)}")
        if key in out:
            raise ParameterError(f"--chip: {key} is given twice; give it once")
        out[key] = value
    return out


def _spec_values(raw: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, text in raw.items():
        spec = SPEC_FIELDS[key]
        fix = _FIX.get(key) or (f"give it in {spec.unit}" if spec.unit else "give a value")
        if not text:
            raise ParameterError(f"--chip: {key} is empty; {fix}")
        try:
            value = _convert(key, text, spec)
        except ValueError as exc:
            raise ParameterError(f"--chip: {key}={text!r} {exc}; {fix}") from None
        if spec.kind in ("number", "integer") and not _in_range(value, spec):
            bounds = (f"above {spec.low:g} and at most" if spec.low_open
                      else f"between {spec.low:g} and")
            raise ParameterError(f"--chip: {key}={text} must be {bounds} {spec.high:g} "
                                 f"{spec.unit}; {fix}")
        values[key] = value
    return values


# ---------------------------------------------------------------------------- building


def _peers(base: Catalog, typ: str, tdp: float) -> tuple[list[Accelerator], str]:
    same = [a for a in base if a.type == typ and a.tdp_w > 0] or [a for a in base if a.tdp_w > 0]
    near = [a for a in same if abs(a.tdp_w - tdp) <= 0.25 * tdp]
    if len(near) >= 3:
        return near, f"the {len(near)} catalogue {typ} chips with TDP within ±25 % of {tdp:g} W"
    peers = sorted(same, key=lambda a: (abs(math.log(a.tdp_w / tdp)), a.name))[:5]
    return peers, f"the {len(peers)} catalogue {typ} chips with the TDP nearest {tdp:g} W"


def _impute(field: str, peers: Sequence[Accelerator]) -> Any:
    if field == "memory_type":
        counts = Counter(a.memory_type for a in peers)
        return max(counts, key=lambda t: (counts[t], -[a.memory_type for a in peers].index(t)))
    if field == "release_date":
        return datetime.date.fromordinal(
            int(statistics.median(a.release_date.toordinal() for a in peers)))
    return float(statistics.median(getattr(a, field) for a in peers))


def _new_sources(values: Mapping[str, Any], imputed: Sequence[str], given_src: Mapping[str, str],
                 default_src: str, rule: str) -> dict[str, str]:
    """Sources of a new user chip: given facts, imputed ones (with the rule), no FLOP/s."""
    sources: dict[str, str] = {}
    for f, key in _SOURCE_KEY.items():
        if f in values and key not in sources:
            sources[key] = given_src.get(key) or default_src
    for key in dict.fromkeys(_SOURCE_KEY[f] for f in imputed):
        fields = ", ".join(f + (" (most common)" if f == "memory_type" else " (median)")
                           for f in imputed if _SOURCE_KEY[f] == key)
        text = f"imputed {fields} of {rule}"
        sources[key] = f"{sources[key]}; {text}" if key in sources else text
    if not any(f in values for f in ("fp32_flops", "tensor_16bit_flops", "fp8_flops",
                                     "tf32_flops")):
        sources["flops"] = ("none given (an estimate from training compute needs "
                            "tensor_16bit_flops)")
    return sources


def _new_chip(values: Mapping[str, Any], given_src: Mapping[str, str], default_src: str,
              base: Catalog) -> Accelerator:
    typ = values.get("type", "GPU")
    cls = values.get("chip_class") or default_chip_class(typ)
    tdp = float(values["tdp_w"])
    peers, rule = _peers(base, typ, tdp)
    names = ", ".join(a.name for a in peers[:4]) + (", …" if len(peers) > 4 else "")
    filled = dict(values)
    imputed = [f for f in _IMPUTABLE if f not in values]
    for f in imputed:
        filled[f] = _impute(f, peers)
    sources = _new_sources(values, imputed, given_src, default_src, f"{rule} ({names})")
    if "node_size" not in values:
        sources["node_size"] = f"default for chip class {cls} (the catalogue's node rules)"
    die_imputed = "die_area_mm2" in imputed or values.get("die_area_status") == "imputed"
    return Accelerator(
        name=str(values["name"]), aliases=tuple(values.get("aliases", ())),
        vendor=str(values.get("vendor") or "unknown"), type=typ,
        release_date=filled["release_date"], process_nm=float(filled["process_nm"]),
        die_area_mm2=float(filled["die_area_mm2"]), die_count=int(values.get("die_count", 1)),
        die_area_imputed=die_imputed, memory_gb=float(filled["memory_gb"]),
        memory_type=str(filled["memory_type"]), tdp_w=tdp,
        fp32_flops=float(values.get("fp32_flops", math.nan)),
        tensor_16bit_flops=float(values.get("tensor_16bit_flops", math.nan)),
        fp8_flops=float(values.get("fp8_flops", math.nan)),
        node_size=int(values.get("node_size", _NODE_OF_CLASS[cls])),
        sources=MappingProxyType(sources), tf32_flops=float(values.get("tf32_flops", math.nan)),
        notes=str(values.get("notes", "")), chip_class=cls,
        measured_power_w=float(values.get("measured_power_w", math.nan)),
        measured_power_scope=str(values.get("measured_power_scope", "")),
        imputed=tuple(dict.fromkeys(
            [*("die_area" if f == "die_area_mm2" else f for f in imputed),
             *(["die_area"] if die_imputed else [])])),
    )


def _override(ours: Accelerator, values: Mapping[str, Any], given_src: Mapping[str, str],
              default_src: str) -> Accelerator:
    """Our chip with the facts the user gave (their sources), the rest as in our row."""
    changes: dict[str, Any] = {f: values[f] for f in values
                               if f not in ("name", "aliases", "die_area_status", "notes")}
    sources = dict(ours.sources)
    by_key: dict[str, list[str]] = {}
    for f in changes:
        if f in _SOURCE_KEY:
            by_key.setdefault(_SOURCE_KEY[f], []).append(f)
    for key, fields in by_key.items():
        src = given_src.get(key) or default_src
        sources[key] = (f"{', '.join(fields)}: {src}; others: {ours.sources[key]}"
                        if key in ours.sources else src)
    imputed = [f for f in ours.imputed if not (f == "die_area" and "die_area_mm2" in values)]
    die_imputed = ("die_area" in imputed) or values.get("die_area_status") == "imputed"
    given = ", ".join(sorted(changes))
    note = f"{given} from {default_src}; other facts from the catalogue row"
    return dataclasses.replace(
        ours, **changes, sources=MappingProxyType(sources), die_area_imputed=die_imputed,
        imputed=tuple(dict.fromkeys([*imputed, *(["die_area"] if die_imputed else [])])),
        aliases=(*ours.aliases, *values.get("aliases", ())),
        notes="; ".join(n for n in (ours.notes, str(values.get("notes", "")), note) if n),
    )


def _chip(values: Mapping[str, Any], given_src: Mapping[str, str], default_src: str,
          base: Catalog, fail: Callable[[str], TrainLCAError]) -> Accelerator:
    if ("measured_power_w" in values) != ("measured_power_scope" in values):
        raise fail("measured_power_w and measured_power_scope go together (scope: system = per "
                   "accelerator with its host share, chip = the accelerator alone)")
    ours = base.match(str(values["name"]))
    if ours is not None:
        return _override(ours, values, given_src, default_src)
    return _new_chip(values, given_src, default_src, base)


def _default_base(base: Catalog | None) -> Catalog:
    if base is not None:
        return base
    from trainlca.catalog import load_catalog

    return load_catalog()


def parse_chip_spec(spec: str, base: Catalog | None = None) -> Accelerator:
    """The chip an inline spec describes: ``"tdp_w=350,die_area_mm2=600,memory_gb=48,
    memory_type=GDDR6,name=MyChip"`` (fields: :data:`SPEC_FIELDS`, aliases ";"-separated).

    ``tdp_w`` is required; ``name`` defaults to "user chip". Ranges: TDP 1-5,000 W, die area
    1-50,000 mm², memory 0-2,048 GB, FLOP/s above 0 and at most 1e18 (see :data:`SPEC_FIELDS`).
    Every given field's source is "user input (--chip)". Missing facts: see the module doc.
    ``base``: the catalogue to inherit from and impute with (default: the packaged one).
    Raises :class:`ParameterError` (one line, naming the field and the fix).
    """
    values = _spec_values(_parse_spec_text(spec))
    if "tdp_w" not in values:
        raise ParameterError("--chip needs tdp_w=… (the chip's TDP in W); e.g. --chip "
                             "tdp_w=350,die_area_mm2=600,memory_gb=48")
    values.setdefault("name", "user chip")
    return _chip(values, {}, CHIP_SPEC_SOURCE, _default_base(base),
                 lambda m: ParameterError(f"--chip: {m}"))


# ---------------------------------------------------------------------------- CSV


def _user_spec(header: Sequence[str], path: Path) -> TableSpec:
    from trainlca.schemas import CATALOGUE_SPEC, TableSpec

    cols = tuple(dataclasses.replace(c, required=c.name in ("name", "tdp_w"),
                                     nonempty=c.name in ("name", "tdp_w"), source=None)
                 for c in CATALOGUE_SPEC.columns)
    return TableSpec(str(path), cols, key=("name",))


def _check_header(header: Sequence[str], path: Path) -> None:
    from trainlca.schemas import CATALOGUE_SPEC

    known = [c.name for c in CATALOGUE_SPEC.columns]
    for i, col in enumerate(header):
        if col not in known:
            near = difflib.get_close_matches(col, known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise DataFileError(f"{path}: line 1, column {i + 1} {col!r} is not a catalogue "
                                f"column{hint} (those of the packaged accelerators.csv)")


def _row_values(row: Mapping[Any, Any], line: int, path: Path) -> tuple[dict[str, Any],
                                                                          dict[str, str]]:
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for col, cell in row.items():
        text = str(cell or "").strip()
        if col is None or text.lower() in _BLANK:
            continue
        if col.endswith("_source"):
            sources[col.removesuffix("_source")] = text
            continue
        spec = SPEC_FIELDS[col]
        try:
            values[col] = _convert(col, text, spec)
        except ValueError as exc:
            raise DataFileError(f"{path}: line {line}, column {col!r}: {text!r} {exc}") from None
    return values, sources


def _line_error(path: Path, line: int) -> Callable[[str], TrainLCAError]:
    def fail(message: str) -> TrainLCAError:
        return DataFileError(f"{path}: line {line}: {message}")

    return fail


def load_user_catalog(path: str | Path, base: Catalog | None = None) -> Catalog:
    """The chips of a user catalogue CSV (the columns of ``accelerators.csv``; ``name`` and
    ``tdp_w`` required, the rest optional, see the module doc), checked by the catalogue's
    schema (:data:`trainlca.schemas.CATALOGUE_SPEC` ranges).

    Merge it with :meth:`Catalog.merged` (user rows take precedence). ``base``: the catalogue
    to inherit from and impute with (default: the packaged one). Raises :class:`DataFileError`,
    one line naming the file, line and column.
    """
    from trainlca.schemas import check_table, read_csv_table

    p = Path(path)
    try:
        raw = p.read_bytes()
        table = read_csv_table(p, name=str(p))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"user catalogue {p}: cannot read ({exc})") from None
    _check_header(table.header, p)
    problems = check_table(table, _user_spec(table.header, p))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataFileError(f"{problems[0]}{more}")
    cat = _default_base(base)
    items: list[Accelerator] = []
    lines: dict[str, int] = {}
    for line, row in table.rows:
        values, sources = _row_values(row, line, p)
        chip = _chip(values, sources, f"user catalogue {p}", cat, _line_error(p, line))
        if chip.name in lines:
            raise DataFileError(f"{p}: lines {lines[chip.name]} and {line} both describe "
                                f"{chip.name!r}; keep one")
        lines[chip.name] = line
        items.append(chip)
    version = f"user catalogue {p.name} sha256:{hashlib.sha256(raw).hexdigest()[:12]}"
    try:
        return Catalog(items, version)
    except DataFileError as exc:
        raise DataFileError(f"{p}: {exc}") from None
