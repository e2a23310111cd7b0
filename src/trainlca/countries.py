"""Country and zone names → ISO 3166-1 alpha-3 codes (plus ``WOR`` for the world average).

Grid factor tables are keyed by ISO-3 codes, while Epoch's ``Country (of organization)`` column
and users write names such as ``"Korea (Republic of)"``, ``"United States of America"``,
``"Russia"`` or ``"UK"``. :func:`to_iso3` maps such a string to a code in this order:

1. ``WOR``/``World``/``Global``/``Worldwide`` → ``"WOR"``;
2. :data:`OVERRIDES`, an explicit table for names that ``pycountry`` does not know (UN-style
   parenthesised names, short forms, former names);
3. ``pycountry.countries.lookup``: exact, case-insensitive match of an alpha-2, alpha-3 or
   numeric code, a name, an official name or a common name;
4. ``pycountry.countries.search_fuzzy``, accepted only when exactly one of its results has a
   name containing the query (``"Russia"`` → RUS), so that a subdivision name that happens to
   match (``"Meta"`` is a Colombian department) or an ambiguous one (``"Korea"``) gives ``None``.

Strings meaning "no single country" (:data:`MULTINATIONAL`, e.g. Epoch's ``"Multinational"``)
deliberately map to ``None``: callers decide to use the world average and flag the row.
Lookups are cached; ``pycountry`` is imported lazily, so importing this module is cheap.
"""

from __future__ import annotations

import difflib
import functools
import re
from typing import Any, Final

from trainlca.errors import UnknownLocationError

__all__ = [
    "MULTINATIONAL",
    "OVERRIDES",
    "WORLD",
    "country_name",
    "is_multinational",
    "resolve",
    "split_countries",
    "suggestions",
    "to_iso3",
]

#: Code of the world-average zone (the code EcoLogits and MLCA use).
WORLD: Final[str] = "WOR"

_WORLD_NAMES: Final[frozenset[str]] = frozenset({"wor", "world", "global", "worldwide"})

#: Strings that mean "no single country" (Epoch writes ``Multinational``). :func:`to_iso3`
#: returns ``None`` for them; callers map them to ``WOR`` and flag the row. Compare with
#: :func:`is_multinational`, which ignores case and surrounding spaces.
MULTINATIONAL: Final[frozenset[str]] = frozenset(
    {
        "Multinational",
        "Multi-national",
        "Multi national",
        "International",
        "Multiple",
        "Multiple countries",
        "Various",
    }
)
_MULTINATIONAL_KEYS: Final[frozenset[str]] = frozenset(s.casefold() for s in MULTINATIONAL)

#: Names that pycountry 26.x does not resolve by exact lookup (keys are case-folded).
OVERRIDES: Final[dict[str, str]] = {
    # UN / Epoch style, "X (Y of)" instead of pycountry's "X, Y of"
    "korea (republic of)": "KOR",
    "korea (democratic people's republic of)": "PRK",
    "iran (islamic republic of)": "IRN",
    "bolivia (plurinational state of)": "BOL",
    "venezuela (bolivarian republic of)": "VEN",
    "micronesia (federated states of)": "FSM",
    "moldova (republic of)": "MDA",
    "tanzania (united republic of)": "TZA",
    "congo (democratic republic of the)": "COD",
    "taiwan (province of china)": "TWN",
    # short and common names
    "south korea": "KOR",
    "republic of korea": "KOR",
    "korea, south": "KOR",
    "north korea": "PRK",
    "korea, north": "PRK",
    "usa": "USA",
    "us": "USA",
    "u.s.": "USA",
    "u.s.a.": "USA",
    "united states": "USA",
    "america": "USA",
    "uk": "GBR",
    "u.k.": "GBR",
    "united kingdom": "GBR",
    "great britain": "GBR",
    "britain": "GBR",
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "northern ireland": "GBR",
    "russia": "RUS",
    "iran": "IRN",
    "turkey": "TUR",
    "turkiye": "TUR",
    "vietnam": "VNM",
    "syria": "SYR",
    "laos": "LAO",
    "czech republic": "CZE",
    "the netherlands": "NLD",
    "holland": "NLD",
    "uae": "ARE",
    "hong kong sar": "HKG",
    "hong kong, china": "HKG",
    "macau": "MAC",
    "macao sar": "MAC",
    "taipei": "TWN",
    "chinese taipei": "TWN",
    "republic of china": "TWN",
    "people's republic of china": "CHN",
    "prc": "CHN",
    "mainland china": "CHN",
    "ivory coast": "CIV",
    "cote d'ivoire": "CIV",
    "dr congo": "COD",
    "drc": "COD",
    "democratic republic of the congo": "COD",
    "republic of the congo": "COG",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "macedonia": "MKD",
    "burma": "MMR",
    "east timor": "TLS",
    "palestine": "PSE",
    "vatican": "VAT",
}

_SPACES = re.compile(r"\s+")


def _key(name: str) -> str:
    return _SPACES.sub(" ", name.strip()).casefold()


def is_multinational(name: str) -> bool:
    """True for strings meaning "no single country" (see :data:`MULTINATIONAL`)."""
    return _key(name) in _MULTINATIONAL_KEYS


def _countries() -> Any:
    import pycountry  # lazy: loading its database takes ~0.1 s

    return pycountry.countries


def _names(country: Any) -> list[str]:
    return [
        str(getattr(country, attr))
        for attr in ("name", "official_name", "common_name")
        if getattr(country, attr, None)
    ]


def to_iso3(name: str) -> str | None:
    """ISO-3 code of a country name or code, ``"WOR"`` for the world, ``None`` if unknown.

    >>> to_iso3("Korea (Republic of)"), to_iso3("fr"), to_iso3("World")
    ('KOR', 'FRA', 'WOR')
    """
    return _to_iso3(_key(name))


@functools.lru_cache(maxsize=4096)
def _to_iso3(key: str) -> str | None:
    if not key or key in _MULTINATIONAL_KEYS:
        return None
    if key in _WORLD_NAMES:
        return WORLD
    if key in OVERRIDES:
        return OVERRIDES[key]
    countries = _countries()
    try:
        return str(countries.lookup(key).alpha_3)
    except LookupError:
        pass
    if len(key) < 4:  # a short unknown code: fuzzy matching would only produce noise
        return None
    try:
        found = countries.search_fuzzy(key)
    except LookupError:
        return None
    named = [c for c in found if any(key in n.casefold() for n in _names(c))]
    return str(named[0].alpha_3) if len(named) == 1 else None


def country_name(code: str) -> str:
    """Display name for an ISO-3 code (``"World"`` for ``WOR``); the code itself if unknown."""
    return _country_name(code.strip().upper())


@functools.lru_cache(maxsize=1024)
def _country_name(code: str) -> str:
    if code == WORLD:
        return "World"
    if len(code) != 3 or not code.isalpha():
        return code
    country = _countries().get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@functools.lru_cache(maxsize=1)
def _vocabulary() -> dict[str, str]:
    """Case-folded name → ISO-3, for suggestions."""
    vocab: dict[str, str] = {}
    for country in _countries():
        for n in _names(country):
            vocab.setdefault(n.casefold(), str(country.alpha_3))
    for k, v in OVERRIDES.items():
        vocab.setdefault(k, v)
    vocab["world"] = WORLD
    return vocab


def suggestions(name: str, n: int = 3) -> list[str]:
    """Up to ``n`` close matches, as ``"Name (ISO)"``, best first."""
    key = _key(name)
    vocab = _vocabulary()
    out: list[str] = []
    for match in difflib.get_close_matches(key, list(vocab), n=4 * n, cutoff=0.5):
        label = f"{country_name(vocab[match])} ({vocab[match]})"
        if label not in out:
            out.append(label)
    if len(out) < n and len(key) >= 3:
        try:
            found = _countries().search_fuzzy(key)
        except LookupError:
            found = []
        for country in found:
            label = f"{country_name(str(country.alpha_3))} ({country.alpha_3})"
            if label not in out:
                out.append(label)
    return out[:n]


def resolve(name: str) -> str:
    """Like :func:`to_iso3` but raise :class:`UnknownLocationError` with suggestions."""
    code = to_iso3(name)
    if code is not None:
        return code
    if is_multinational(name):
        raise UnknownLocationError(
            f"'{name.strip()}' names no single country; use WOR for the world average "
            "(see `trainlca grid`)"
        )
    close = suggestions(name)
    raise UnknownLocationError(
        f"unknown country or zone '{name.strip()}'; closest: {', '.join(close) or 'none'}; "
        "use an ISO-3 code such as FRA, or WOR for the world average (see `trainlca grid`)"
    )


def split_countries(value: str) -> list[str]:
    """Split a comma-separated country list such as Epoch's, keeping names with a comma.

    Epoch writes UN-style names without commas (``"Korea (Republic of)"``), so splitting on
    ``","`` is enough for its files; this also keeps pycountry-style names that contain one
    (``"Korea, Republic of"``, ``"Iran, Islamic Republic of"``) in one piece: a part that is not
    a country by itself is joined to the previous part when the join is one. Empty parts are
    dropped; duplicates are kept (the caller decides how to weigh them).
    """
    parts = [p.strip() for p in value.split(",")]
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and to_iso3(part) is None and not is_multinational(part):
            joined = f"{out[-1]}, {part}"
            if to_iso3(joined) is not None:
                out[-1] = joined
                continue
        out.append(part)
    return out
