"""The Python API validates its arguments with the CLI's rules and raises the library's typed
errors, worded for Python callers (argument names, not flags)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainlca.api import estimate
from trainlca.errors import ParameterError, TrainLCAError, UnknownHardwareError
from trainlca.params import BOUNDS, DEFAULTS, GENERIC_SPAN, check_value
from trainlca.presets import PRESETS


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"overrides": {"pue": "abc"}}, ParameterError, ["pue='abc'", "not a number"]),
    ({"overrides": [("pue", 1.3)]}, ParameterError, ["mapping"]),
    ({"overrides": {"pue": 0.5}}, ParameterError, ["pue=0.5", "[1, 3]"]),
    ({"overrides": {"pue": math.nan}}, ParameterError, ["finite"]),
    ({"overrides": {"lifetime_years": 1e-300}}, ParameterError, ["lifetime_years"]),
    ({"overrides": {"nope": 1.0}}, ParameterError, ["unknown parameter 'nope'"]),
    ({"hardware": None}, ParameterError, ["hardware must be an accelerator name"]),
    ({"hardware": "zzz"}, UnknownHardwareError, ["closest"]),
    ({"country": None}, ParameterError, ["country"]),
    ({"count": -1}, ParameterError, ["count -1", "> 0"]),
    ({"count": True}, ParameterError, ["count must be a number"]),
    ({"hours": None, "count": None}, ParameterError, ["describe the run once"]),
    ({"draws": -1}, ParameterError, ["draws -1"]),
    ({"draws": 2.5}, ParameterError, ["draws must be a whole number"]),
    ({"with_sensitivity": True, "draws": 10}, ParameterError, ["at least 50"]),
    ({"seed": -3}, ParameterError, ["seed"]),
    ({"measured_energy_kwh": -1.0}, ParameterError, ["measured_energy_kwh"]),
])
def test_bad_calls_raise_typed_errors(kwargs: dict[str, object], error: type[Exception],
                                      words: list[str]) -> None:
    call: dict[str, object] = {"hardware": "A100 SXM4 80 GB", "count": 8, "hours": 10,
                               "draws": 0}
    call.update(kwargs)
    hardware = call.pop("hardware")
    with pytest.raises(error) as info:
        estimate(hardware, **call)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and "--" not in message.split(";")[0], message
    for w in words:
        assert w in message, (w, message)


def test_every_preset_value_is_within_its_bounds() -> None:
    for preset in PRESETS.values():
        for name, p in preset.params().items():
            assert check_value(name, p.value) == p.value, (preset.name, name)
            if p.uncertain:
                check_value(name, p.low)
                check_value(name, p.high)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(DEFAULTS)),
       value=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.floats(min_value=0, max_value=1e4), st.text(max_size=5),
                       st.none(), st.booleans(), st.integers(-10**6, 10**6)))
def test_any_override_is_accepted_or_a_typed_error(name: str, value: object) -> None:
    try:
        e = estimate("A100 SXM4 80 GB", count=8, hours=10, draws=0,
                     overrides={name: value})  # type: ignore[dict-item]
    except TrainLCAError as exc:
        assert "\n" not in str(exc)
        return
    p = DEFAULTS[name]
    low, high, _ = BOUNDS.get(name, (0.0, GENERIC_SPAN * max(p.high, p.value, 1.0), ""))
    assert isinstance(value, int | float) and not isinstance(value, bool)
    assert low <= float(value) <= high
    assert all(math.isfinite(e.impacts[c]["total"]) for c in ("gwp", "adpe", "pe"))
