"""Property tests for the small parsers the run builder relies on."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from trainlca.epoch import pick_first_known, split_values
from trainlca.epoch.schema import decimal_year, parse_mfu

tokens = st.text(alphabet="abcXYZ ", min_size=0, max_size=6)


@given(st.lists(tokens, max_size=6))
def test_split_values_distinct_and_ordered(parts: list[str]) -> None:
    out = split_values(",".join(parts))
    assert all(v == v.strip() and v for v in out)
    assert len({v.casefold() for v in out}) == len(out)
    firsts = [p.strip() for p in parts if p.strip()]
    assert (out[0] if out else None) == (firsts[0] if firsts else None)


@given(st.lists(tokens, max_size=6), st.sets(st.sampled_from(["a", "b", "X"])))
def test_pick_first_known_is_first_resolvable(parts: list[str], known: set[str]) -> None:
    cell = ",".join(parts)
    got, multi = pick_first_known(cell, lambda v: v if v in known else None)
    values = split_values(cell)
    expected = next((v for v in values if v in known), None)
    assert got == expected and multi == (len(values) > 1)


@given(st.floats(min_value=0.001, max_value=1.0))
def test_mfu_fraction_and_percent_agree(x: float) -> None:
    s = pd.Series([str(x), f"{x * 100}%"])
    frac, pct = parse_mfu(s).tolist()
    assert abs(frac - x) < 1e-12 and abs(pct - x) < 1e-9


@given(
    st.dates(
        min_value=pd.Timestamp("1950-01-01").date(), max_value=pd.Timestamp("2030-12-31").date()
    )
)
def test_decimal_year_within_its_year(d: object) -> None:
    y = decimal_year(pd.Series(pd.to_datetime([d])))[0]
    ts = pd.Timestamp(d)  # type: ignore[arg-type]
    assert ts.year <= y < ts.year + 1
