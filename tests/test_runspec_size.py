"""Runs described before training by the model's size: compute = 6 × parameters × tokens."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clitools import run_cli
from trainlca.api import estimate
from trainlca.errors import ParameterError
from trainlca.runspec import training_flop


def test_size_runs_as_its_compute() -> None:
    # a 70 B model on 15 T tokens: 6 × 7e10 × 1.5e13 = 6.3e24 FLOP, by hand
    assert training_flop(7e10, 1.5e13) == pytest.approx(6.3e24, rel=1e-15)
    sized = estimate("H100 SXM5", parameters=7e10, tokens=1.5e13, country="USA", draws=0)
    flop = estimate("H100 SXM5", flop=6.3e24, country="USA", draws=0)
    assert sized.energy_kwh == pytest.approx(flop.energy_kwh, rel=1e-12)
    for c in ("gwp", "adpe", "pe", "wu"):
        assert sized.impacts[c]["total"] == pytest.approx(flop.impacts[c]["total"], rel=1e-12)
    prov = {p.name: p for p in sized.provenance}
    assert prov["parameters"].value == 7e10 and prov["parameters"].status == "input"
    assert prov["tokens"].value == 1.5e13 and prov["tokens"].status == "input"
    assert prov["flop"].status == "imputed" and "6 × parameters × tokens" in prov["flop"].source
    assert prov["flop"].value == pytest.approx(6.3e24)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"parameters": 7e10}, "parameters and tokens go together"),
    ({"tokens": 1e12}, "parameters and tokens go together"),
    ({"parameters": 7e10, "tokens": 1e12, "flop": 1e24}, "give the training compute once"),
    ({"parameters": 7e10, "tokens": 1e12, "hours": 10, "count": 8}, "describe the run once"),
    ({"parameters": 1e16, "tokens": 1e12}, r"parameters 1e\+16: outside the plausible range"),
    ({"parameters": -1.0, "tokens": 1e12}, "parameters -1: must be > 0"),
    ({"parameters": 7e10, "tokens": math.nan}, "tokens nan: must be > 0"),
])
def test_size_errors(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        estimate("H100 SXM5", draws=0, **kwargs)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(n=st.floats(1e6, 1e12), d=st.floats(1e8, 1e13), k=st.floats(1.01, 10.0))
def test_more_tokens_scale_energy_linearly(n: float, d: float, k: float) -> None:
    a = estimate("A100 SXM4 80 GB", parameters=n, tokens=d, draws=0)
    b = estimate("A100 SXM4 80 GB", parameters=n, tokens=d * k, draws=0)
    assert b.energy_kwh == pytest.approx(k * a.energy_kwh, rel=1e-9)
    assert b.impacts["gwp"]["total"] == pytest.approx(k * a.impacts["gwp"]["total"], rel=1e-9)


def test_cli_size(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "estimate", "-H", "H100 SXM5", "-n", "1024",
                             "--parameters", "7e10", "--tokens", "1.5e13", "-c", "USA",
                             "--draws", "0", "--format", "boamps", "-q")
    assert code == 0, err
    assert '"nbComponent": 1024' in out
    code, _, err = run_cli(capsys, "estimate", "-H", "H100", "--parameters", "7e10")
    assert code == 2 and err.startswith("trainlca: error: parameters and tokens go together")
    code, _, err = run_cli(capsys, "estimate", "-H", "H100", "-n", "8", "--hours", "10",
                           "--mfu", "0.4", "--draws", "0")
    assert code == 0 and "--mfu has no effect without --flop (or --parameters" in err
