"""Electricity impact factors per location (per kWh drawn from the grid).

A :class:`GridProvider` maps a zone (ISO-3 country code, or ``WOR`` for the world average) to
:class:`GridFactors`: GWP (kgCO2eq/kWh), ADPe (kgSbeq/kWh), PE (MJ/kWh) and water (L/kWh).

Providers
---------
* **ecologits** (default, :func:`ecologits_provider`): the table ``data/electricity_mixes.json``
  shipped inside the ``ecologits`` package (215 zones). The file is read directly and located
  with :func:`importlib.util.find_spec`, without importing ``ecologits`` (its ``__init__``
  imports the LLM-provider tracers). Its water field ``wue`` becomes ``wu``.
* **user CSV** (:func:`csv_provider`), three accepted layouts, detected from the header:

  - simple: ``zone,gwp,adpe,pe,wu`` with any non-empty subset of the criteria columns (``wue``
    is accepted for ``wu``) and optional ``name`` and ``source`` columns. ``zone`` is an ISO-3
    code, ``WOR``, a country name (mapped with :func:`trainlca.countries.to_iso3`) or any other
    code of your own (kept upper-cased, e.g. ``US-CA``). Units: kgCO2eq/kWh, kgSbeq/kWh, MJ/kWh,
    L/kWh. Conflicting duplicate zones are an error.
  - MLCA's ``electricity_impact_factors.csv`` (columns ``code``, ``gwp_emission_factor``,
    ``adpe_emission_factor``, ``pe_emission_factor``, ...; zones are ISO-3 plus ``WOR`` and
    ``EEE``). It has no water factor. A country missing from it gets the ``EEE`` (Europe)
    factors, as MLCA does (:data:`MLCA_DEFAULT_ZONE`; ``GridFactors.requested`` names the
    country asked for, and estimates say so in a note). MLCA's file lists ``HND`` twice with
    different ADPe/PE; for MLCA and Green Algorithms files the first row of a zone wins.
  - Green Algorithms' ``CI_aggregated.csv`` (a units row, then ``location,...,
    carbonIntensity,...``; gCO2e/kWh, converted to kg). GWP only. Two-letter codes become ISO-3,
    ``WORLD`` becomes ``WOR``, regional codes (``US-CA``, ``CN-HK``) are kept as they are.

  A criterion missing from the file (absent column or empty cell) is filled from the EcoLogits
  table for the same zone (for a regional code ``XX-...``, for country ``XX``) and named in
  :attr:`GridFactors.fallbacks`; if EcoLogits has no such zone it is ``nan``.

World average
-------------
EcoLogits has a ``WOR`` row (GWP 0.45829 kgCO2eq/kWh in 0.11.3) and flags, per zone, the
criteria it filled with that world value: the warnings ``electricity-mix-adpe-world``,
``electricity-mix-pe-world`` and ``electricity-mix-wue-world``. For every flagged zone the value
equals the ``WOR`` row's value (checked in the tests), so :attr:`GridFactors.fallbacks` lists
those criteria (``wue`` → ``wu``) and nothing is invented here.

Location-shift scenario
-----------------------
:data:`LOW_CARBON_TARGET` (computed on first access, from the default table) is the zone of
:func:`low_carbon_target`; see its docstring for the rationale.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from trainlca import countries
from trainlca.cells import parse_number
from trainlca.criteria import CRITERIA, UNITS
from trainlca.errors import DataFileError, ParameterError, UnknownLocationError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "LARGE_DATACENTRE_HOSTS",
    "LOW_CARBON_TARGET",
    "GridFactors",
    "GridProvider",
    "csv_provider",
    "ecologits_provider",
    "load_grid",
    "low_carbon_target",
]


@dataclass(frozen=True)
class GridFactors:
    """Impact factors of one kWh of grid electricity in one zone."""

    zone: str
    """ISO-3 code, ``WOR``, or a provider-specific code (``EEE``, ``US-CA``)."""
    name: str
    """Display name."""
    gwp: float
    """kgCO2eq/kWh."""
    adpe: float
    """kgSbeq/kWh."""
    pe: float
    """MJ/kWh."""
    wu: float
    """L/kWh (``nan`` if the provider has no water factor)."""
    source: str
    """Provider, version and, where known, the underlying source."""
    fallbacks: tuple[str, ...] = ()
    """Criteria whose value is the world average or was filled from another provider."""
    requested: str = ""
    """The zone asked for when it is missing from the provider and these are the provider's
    default zone's factors (MLCA's files: ``EEE``); empty otherwise."""

    def get(self, criterion: str) -> float:
        """Factor for ``criterion`` (one of :data:`trainlca.criteria.CRITERIA`)."""
        if criterion not in CRITERIA:
            raise ParameterError(
                f"unknown criterion '{criterion}'; expected one of {', '.join(CRITERIA)}"
            )
        value: float = getattr(self, criterion)
        return value


class GridProvider:
    """A table of :class:`GridFactors` keyed by zone."""

    def __init__(
        self, name: str, version: str, factors: Iterable[GridFactors], source: str = "",
        *, default_zone: str | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.source = source or f"{name} {version}"
        #: zone used for a country missing from the table (MLCA's files: its ``EEE``, as MLCA
        #: does); None = a missing country is an error.
        self.default_zone = default_zone
        self._table: dict[str, GridFactors] = {}
        for f in factors:
            if f.zone in self._table:
                raise DataFileError(f"{self.source}: zone {f.zone} appears twice")
            self._table[f.zone] = f
        if not self._table:
            raise DataFileError(f"{self.source}: no grid zones")
        if default_zone is not None and default_zone not in self._table:
            raise DataFileError(f"{self.source}: default zone {default_zone} is not in the table")

    def __repr__(self) -> str:
        return f"GridProvider({self.name!r}, {self.version!r}, {len(self._table)} zones)"

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[GridFactors]:
        return iter(self._table.values())

    def __contains__(self, zone: object) -> bool:
        return isinstance(zone, str) and zone in self._table

    def defaulted(self, zones: Iterable[str]) -> list[str]:
        """The distinct zones of ``zones`` that fall back to the default zone (sorted)."""
        return sorted({f.requested for f in (self.get(z) for z in set(zones)) if f.requested})

    def zones(self) -> list[str]:
        """All zone codes, sorted."""
        return sorted(self._table)

    def get(self, location: str) -> GridFactors:
        """Factors for a zone code, ISO-3 code, country name or ``WOR``.

        Raises :class:`UnknownLocationError` for a name that is not a country, for a
        "multinational" string, and for a country this provider has no factors for — unless the
        provider has a default zone (MLCA's files): then that zone's factors, with
        ``requested`` set to the country asked for.
        """
        key = location.strip()
        hit = self._table.get(key.upper())
        if hit is not None:
            return hit
        code = countries.resolve(key)
        hit = self._table.get(code)
        if hit is None and self.default_zone is not None:
            base = self._table[self.default_zone]
            return replace(base, requested=code, fallbacks=CRITERIA,
                           source=f"{base.source}; {code} not in the file: its default zone "
                                  f"{base.zone} (as MLCA does)")
        if hit is None:
            raise UnknownLocationError(
                f"no grid factors for '{key}' ({code}) in {self.source}; "
                "use WOR for the world average (see `trainlca grid`)"
            )
        return hit

    def search(self, query: str) -> list[GridFactors]:
        """Zones whose code starts with, or whose name contains, ``query`` (all if empty).

        A query that is a country name resolving to a zone puts that zone first.
        """
        q = query.strip().casefold()
        if not q:
            return [self._table[z] for z in self.zones()]
        found = [
            f
            for z, f in sorted(self._table.items())
            if z.casefold().startswith(q) or q in f.name.casefold()
        ]
        code = countries.to_iso3(query)
        if code is not None and code in self._table:
            exact = self._table[code]
            found = [exact, *(f for f in found if f is not exact)]
        return found

    def arrays(self, zones: Sequence[str]) -> dict[str, npt.NDArray[np.float64]]:
        """Per-criterion factor arrays aligned with ``zones`` (one lookup per distinct zone)."""
        import numpy as np

        codes = np.asarray(list(zones), dtype=object)
        if codes.size == 0:
            return {c: np.empty(0, dtype=np.float64) for c in CRITERIA}
        unique, inverse = np.unique(codes, return_inverse=True)
        rows = [self.get(str(z)) for z in unique]
        return {
            c: np.array([getattr(r, c) for r in rows], dtype=np.float64)[inverse] for c in CRITERIA
        }


# --------------------------------------------------------------------------- ecologits

_ECOLOGITS_FIELDS: Final[dict[str, str]] = {"gwp": "gwp", "adpe": "adpe", "pe": "pe", "wue": "wu"}
#: MLCA's default usage location (blubrom/MLCA @ d2d8a42, model/components/usage.py
#: ``_DEFAULT_USAGE_LOCATION``), used for a location missing from its factor file.
MLCA_DEFAULT_ZONE: Final[str] = "EEE"
_WORLD_WARNING = re.compile(r"^electricity-mix-(\w+)-world$")


def ecologits_json_path() -> Path:
    """Path of ``ecologits/data/electricity_mixes.json``, found without importing ecologits."""
    spec = importlib.util.find_spec("ecologits")
    if spec is None or not spec.submodule_search_locations:
        raise DataFileError(
            "the ecologits package is not installed (pip install ecologits); "
            "or give a grid CSV with --grid"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "electricity_mixes.json"
    if not path.is_file():
        raise DataFileError(f"ecologits electricity table not found at {path}")
    return path


def _criteria(values: dict[str, float]) -> dict[str, Any]:
    """The criterion values as GridFactors keywords (gwp, adpe, pe, wu)."""
    return {c: values[c] for c in CRITERIA}


def _float(value: Any, where: str) -> float:
    out = parse_number(value, where, required=True)
    assert out is not None
    return out


@functools.lru_cache(maxsize=1)
def ecologits_provider() -> GridProvider:
    """The default provider: EcoLogits' electricity-mix table (cached)."""
    path = ecologits_json_path()
    version = importlib.metadata.version("ecologits")
    source = f"ecologits {version} (data/electricity_mixes.json)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["electricity_mixes"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataFileError(f"{path}: not an EcoLogits electricity-mix table ({exc})") from None
    if not isinstance(rows, list) or not rows:
        raise DataFileError(f"{path}: empty electricity-mix table")
    factors = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            raise DataFileError(f"{path}: entry {i} has no zone name")
        zone = row["name"].strip().upper()
        values: dict[str, float] = {}
        for field, crit in _ECOLOGITS_FIELDS.items():
            if field not in row:
                raise DataFileError(f"{path}: zone {zone} has no '{field}'")
            values[crit] = _float(row[field], f"{path}: zone {zone}, field '{field}'")
        flagged = set()
        for warning in row.get("warnings") or ():
            m = _WORLD_WARNING.match(str(warning))
            if m and m.group(1) in _ECOLOGITS_FIELDS:
                flagged.add(_ECOLOGITS_FIELDS[m.group(1)])
        factors.append(
            GridFactors(
                zone=zone,
                name=countries.country_name(zone),
                source=source,
                fallbacks=tuple(c for c in CRITERIA if c in flagged),
                **_criteria(values),
            )
        )
    return GridProvider("ecologits", version, factors, source)


# --------------------------------------------------------------------------- user CSV

_SIMPLE_ALIASES: Final[dict[str, str]] = {
    "gwp": "gwp",
    "adpe": "adpe",
    "pe": "pe",
    "wu": "wu",
    "wue": "wu",
}
_MLCA_COLUMNS: Final[dict[str, str]] = {
    "gwp": "gwp_emission_factor",
    "adpe": "adpe_emission_factor",
    "pe": "pe_emission_factor",
}
_MISSING: Final[frozenset[str]] = frozenset({"", "na", "n/a", "nan", "none", "null", "-"})
_LEADING_INDEX = re.compile(r"^\d+-")
_REGION_CODE = re.compile(r"^[A-Za-z]{2}-\w+$")

_FORMATS_HELP: Final[str] = (
    "expected a header 'zone,gwp,adpe,pe,wu' (any subset of the criteria), MLCA's "
    "'code,...,gwp_emission_factor,...' or Green Algorithms' 'location,...,carbonIntensity'"
)


def _normalise_zone(raw: str) -> str:
    """ISO-3 (or ``WOR``) when ``raw`` names a country, else ``raw`` upper-cased (``EEE``)."""
    zone = raw.strip()
    if _REGION_CODE.match(zone):  # ``US-CA``: a regional code, not a country name
        return zone.upper()
    code = countries.to_iso3(zone)
    return code if code is not None else zone.upper()


def _parent_zone(zone: str) -> str | None:
    """ISO-3 of the country of a regional code such as ``US-CA`` or ``CN-HK``."""
    if "-" not in zone:
        return None
    return countries.to_iso3(zone.split("-", 1)[0])


@dataclass(frozen=True)
class _Layout:
    """Where a grid CSV keeps its values: one of the three layouts it may have."""

    fmt: str  # "csv", "mlca" or "green-algorithms"
    cols: list[str]
    zone: int
    name: int | None
    criteria: dict[str, int]
    divisor: dict[str, float]
    sources: list[int]
    #: a zone listed twice with other values is an error (our layout) or ignored (theirs).
    strict_duplicates: bool

    def col(self, name: str) -> int | None:
        lower = [c.lower() for c in self.cols]
        return lower.index(name.lower()) if name.lower() in lower else None


def _read_grid_rows(p: Path) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """(sha256 prefix, header, body rows with their line numbers) of a grid CSV."""
    if not p.is_file():
        raise DataFileError(f"grid file not found: {p}")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"{p}: not a UTF-8 text file") from None
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise DataFileError(f"{p}: line {reader.line_num}: not a readable CSV ({exc})") from None
    if not rows:
        raise DataFileError(f"{p}: empty file; {_FORMATS_HELP}")
    _, header = rows[0]
    body = rows[1:]
    if header and header[0].strip().lower() == "index" and body:  # Green Algorithms units row
        _, header = body[0]
        body = body[1:]
    if not body:
        raise DataFileError(f"{p}: header but no data rows")
    return hashlib.sha256(raw).hexdigest()[:12], [h.strip() for h in header], body


def _layout(p: Path, cols: list[str]) -> _Layout:
    """Recognise the layout from the header."""
    lower = [c.lower() for c in cols]

    def col(name: str) -> int | None:
        return lower.index(name.lower()) if name.lower() in lower else None

    if (zone := col("code")) is not None and col("gwp_emission_factor") is not None:
        mlca = {k: i for k, c in _MLCA_COLUMNS.items() if (i := col(c)) is not None}
        srcs = [i for c in ("gwp_emission_source", "gwp_emission_year")
                if (i := col(c)) is not None]
        return _Layout("mlca", cols, zone, col("country"), mlca, {}, srcs, False)
    if (zone := col("location")) is not None and (ci := col("carbonIntensity")) is not None:
        srcs = [i for i in (col("source"),) if i is not None]
        # gCO2e/kWh -> kgCO2eq/kWh
        return _Layout("green-algorithms", cols, zone, None, {"gwp": ci}, {"gwp": 1000.0},
                       srcs, False)
    if (zone := col("zone")) is not None:
        crit: dict[str, int] = {}
        for i, c in enumerate(lower):
            alias = _SIMPLE_ALIASES.get(c)
            if alias is not None:
                if alias in crit:
                    raise DataFileError(f"{p}: two columns for criterion '{alias}'")
                crit[alias] = i
        if not crit:
            raise DataFileError(
                f"{p}: no criteria columns (need at least one of gwp, adpe, pe, wu) in "
                f"header {','.join(cols)}"
            )
        return _Layout("csv", cols, zone, col("name"), crit, {},
                       [i for i in (col("source"),) if i is not None], True)
    raise DataFileError(f"{p}: missing required columns; {_FORMATS_HELP}; got {','.join(cols)}")


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


#: Upper bounds of electricity factors per kWh, with the largest value of the sources: a value
#: above is a unit mistake (a table in g/kWh read as kg/kWh), not a grid.
FACTOR_MAX: Final[dict[str, tuple[float, str]]] = {
    "gwp": (2.0, "the most carbon-intensive national grids emit ~1.3 kgCO2eq/kWh (EcoLogits "
            "0.11.3): is the file in g/kWh? divide by 1000"),
    "adpe": (1e-4, "national grids are below 3e-7 kgSbeq/kWh (EcoLogits 0.11.3, ADEME): is "
             "the unit gSbeq or mgSbeq?"),
    "pe": (1000.0, "primary-energy factors reach ~470 MJ/kWh at most (MLCA's table)"),
    "wu": (200.0, "grid water factors are below ~20 L/kWh (EcoLogits 0.11.3): is the unit mL?"),
}


def _plausible(criterion: str, value: float, where: str) -> float:
    high, why = FACTOR_MAX[criterion]
    if value > high:
        raise DataFileError(f"{where}: {value:g} {UNITS[criterion]}/kWh is above {high:g} "
                            f"({why})")
    return value


def _row_values(p: Path, lay: _Layout, line: int, row: list[str],
                zone_raw: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for crit, i in lay.criteria.items():
        text_value = _cell(row, i)
        if text_value.lower() in _MISSING:
            continue
        where = f"{p}: line {line} (zone {zone_raw}), column '{lay.cols[i]}'"
        values[crit] = _plausible(crit, _float(text_value, where) / lay.divisor.get(crit, 1.0),
                                  where)
    if not values:
        raise DataFileError(f"{p}: line {line} (zone {zone_raw}): no factor values")
    return values


def _fill(zone: str, values: dict[str, float],
          fill_from: GridProvider) -> tuple[list[str], GridFactors | None]:
    """Missing criteria from the default provider's zone (or its country); NaN without one."""
    donor = None
    for candidate in (zone, _parent_zone(zone)):
        if candidate is not None and candidate in fill_from:
            donor = fill_from.get(candidate)
            break
    filled: list[str] = []
    for crit in CRITERIA:
        if crit in values:
            continue
        if donor is not None:
            values[crit] = donor.get(crit)
            filled.append(crit)
        else:
            values[crit] = math.nan
    return filled, donor


def _row_name(lay: _Layout, row: list[str], zone: str) -> str:
    name = _cell(row, lay.name)
    name = _LEADING_INDEX.sub("", name) if lay.fmt == "mlca" else name
    if lay.fmt == "green-algorithms":
        region, country = _cell(row, lay.col("regionName")), _cell(row, lay.col("countryName"))
        name = region if region and region != "Any" else country
    shown = countries.country_name(zone)
    return shown if shown != zone or not name or name == "Any" else name


def _same(a: GridFactors, b: GridFactors) -> bool:
    return all(a.get(c) == b.get(c) or (math.isnan(a.get(c)) and math.isnan(b.get(c)))
               for c in CRITERIA)


def csv_provider(path: str | Path, fill_from: GridProvider | None = None) -> GridProvider:
    """Load a grid CSV (simple, MLCA or Green Algorithms layout; see the module docstring).

    Missing criteria are filled from ``fill_from`` (default: the EcoLogits table).
    """
    p = Path(path)
    digest, cols, body = _read_grid_rows(p)
    lay = _layout(p, cols)
    fill_from = fill_from if fill_from is not None else ecologits_provider()
    provider_name = f"{lay.fmt}:{p.name}"
    provider_source = f"{provider_name} sha256:{digest}"
    factors: dict[str, GridFactors] = {}
    for line, row in body:
        zone_raw = _cell(row, lay.zone)
        if not zone_raw:
            raise DataFileError(f"{p}: line {line}: empty zone")
        zone = _normalise_zone(zone_raw)
        values = _row_values(p, lay, line, row, zone_raw)
        filled, donor = _fill(zone, values, fill_from)
        details = "; ".join(_cell(row, i) for i in lay.sources if _cell(row, i))
        source = provider_source + (f"; {details}" if details else "")
        if filled and donor is not None:
            source += f"; {','.join(filled)} from {fill_from.source} zone {donor.zone}"
        factor = GridFactors(zone=zone, name=_row_name(lay, row, zone), source=source,
                             fallbacks=tuple(filled), **_criteria(values))
        previous = factors.get(zone)
        if previous is None:
            factors[zone] = factor
        elif lay.strict_duplicates and not _same(previous, factor):
            raise DataFileError(f"{p}: line {line}: zone {zone} appears twice with different "
                                "values")
        # MLCA / Green Algorithms: the first row of a zone wins
    # MLCA falls back to its default zone EEE for a location missing from its file
    # (model/components/usage.py, _DEFAULT_USAGE_LOCATION): so do we, with a note.
    default = MLCA_DEFAULT_ZONE if lay.fmt == "mlca" and MLCA_DEFAULT_ZONE in factors else None
    return GridProvider(provider_name, f"sha256:{digest}", factors.values(), provider_source,
                        default_zone=default)


def load_grid(path: str | Path | None = None) -> GridProvider:
    """The default EcoLogits provider, or the CSV at ``path`` (``"ecologits"`` = default)."""
    if path is None or str(path).strip().lower() == "ecologits":
        return ecologits_provider()
    return csv_provider(path)


# --------------------------------------------------------------------------- scenario

#: Countries taken as "large data-centre hosts" for the location-shift scenario: each hosts at
#: least one region of a hyperscale public cloud (AWS, Microsoft Azure or Google Cloud) and
#: large commercial data-centre capacity. Iceland is left out on purpose: it hosts colocation
#: sites but no hyperscale cloud region, so moving the world's training runs there is not a
#: realistic scenario (its EcoLogits GWP, 0.02782, is within 1 % of Norway's 0.02811).
LARGE_DATACENTRE_HOSTS: Final[tuple[str, ...]] = (
    "USA", "CHN", "IRL", "NLD", "DEU", "GBR", "FRA", "SWE", "NOR", "FIN",
    "CAN", "JPN", "SGP", "IND", "AUS", "KOR", "BRA", "CHE",
)  # fmt: skip


def low_carbon_target(
    provider: GridProvider | None = None,
    candidates: Sequence[str] = LARGE_DATACENTRE_HOSTS,
) -> str:
    """Zone of the location-shift scenario: the lowest-GWP country among ``candidates``.

    Rationale: the study's location-shifting scenario moves each training run to a low-carbon
    grid. Moving it to any country would pick a tiny grid that could never host the world's
    training compute, so the choice is restricted to countries that already host large,
    hyperscale data centres (:data:`LARGE_DATACENTRE_HOSTS`), and among them the one with the
    lowest GWP per kWh in ``provider`` (default: EcoLogits). With EcoLogits 0.11.3 this is
    Norway (NOR, 0.02811 kgCO2eq/kWh), ahead of Sweden (0.03526) and Switzerland (0.03922).
    Ties go to the earlier candidate.
    """
    grid = provider if provider is not None else ecologits_provider()
    present = [grid.get(z) for z in candidates if z in grid]
    if not present:
        raise UnknownLocationError(f"none of the candidate zones is in {grid.source}")
    best = min(present, key=lambda f: f.gwp)
    return best.zone


LOW_CARBON_TARGET: str
"""ISO-3 of :func:`low_carbon_target` on the default table (computed on first access)."""


def __getattr__(name: str) -> Any:
    if name == "LOW_CARBON_TARGET":
        value = low_carbon_target()
        globals()["LOW_CARBON_TARGET"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
