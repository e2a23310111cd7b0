"""Paper-ready statements: the numbers of the estimate, the boundary, versions, citations."""

from __future__ import annotations

import re

import pytest

from trainlca.api import Estimate, estimate
from trainlca.cli import main
from trainlca.report.statement import latex_escape, number, statement


@pytest.fixture(scope="module")
def est() -> Estimate:
    return estimate("H100", count=64, hours=100, country="FRA", draws=300)


def test_number_formatting() -> None:
    assert number(12345) == "12,300"
    assert number(455.61) == "456"
    assert number(0.009996) == "0.0100"
    assert number(1.5e8) == "1.50×10^8"
    assert number(1.5e8, "latex") == r"$1.50\times10^{8}$"
    assert number(8064, "latex") == "8{,}060"


def test_markdown_has_exact_numbers(est: Estimate) -> None:
    s = statement(est, "md")
    assert number(est.energy_kwh) in s and "kWh" in s
    assert est.energy_interval is not None
    assert f"{number(est.energy_interval.p5)}–{number(est.energy_interval.p95)}" in s
    for c, unit in (("gwp", "kgCO2eq"), ("adpe", "kgSbeq"), ("pe", "MJ"), ("wu", "L")):
        iv = est.intervals[c]["total"]
        assert f"{number(est.impacts[c]['total'])} {unit}" in s
        assert f"{number(iv.p5)}–{number(iv.p95)}" in s
    assert "6,400 accelerator-hours" in s and "64×100 h" in s and "France (FRA)" in s
    assert "preset `default`" in s
    assert "water used to produce the host servers (not covered)" in s and "end of life" in s
    assert "water used to produce the accelerators follows BoaviztAPI 2.5.0's GPU model" in s
    assert est.catalog_version in s and est.grid_provider in s
    assert "arXiv:2412.17376" in s and "EcoLogits" in s and "Epoch AI" in s
    assert "300 Monte Carlo draws" in s


def test_latex_escapes(est: Estimate) -> None:
    s = statement(est, "latex")
    assert re.search(r"(?<!\\)%", s) is None  # every % escaped
    assert re.search(r"(?<!\\)[&#]", s) is None
    assert r"90~\% interval" in s and r"kgCO\textsubscript{2}eq" in s
    assert number(est.impacts["gwp"]["total"], "latex") in s
    assert "--" in s and "–" not in s  # en dashes as LaTeX --
    assert latex_escape("a_b & 50% #1") == r"a\_b \& 50\% \#1"
    assert s.count(r"\begin{enumerate}") == 1


def test_statement_from_flop_and_world_grid() -> None:
    e = estimate("H100", flop=1e23, draws=0)
    s = statement(e)
    assert "accelerator-hours, derived from 1.00×10^23 FLOP" in s
    assert "world-average" in s and "90 % interval" not in s


def test_cli_statement(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        main(["estimate", "-H", "H100", "-n", "8", "--hours", "10", "-c", "USA",
              "--draws", "100", "--statement", "latex"])
    except SystemExit as exc:
        assert not exc.code
    out = capsys.readouterr().out
    assert out.startswith(r"\paragraph{Environmental impact.}") and "┃" not in out
    with pytest.raises(SystemExit) as ex:
        main(["estimate", "-H", "H100", "-n", "8", "--hours", "10", "--statement", "md",
              "--format", "json"])
    assert ex.value.code == 2


def test_mlca_statement_says_production_water_not_covered() -> None:
    e = estimate("H100", count=8, hours=10, country="FRA", draws=0, preset="mlca")
    s = statement(e, "md")
    assert "water used to produce the hardware (not covered)" in s
    assert "BoaviztAPI" not in s


@pytest.mark.parametrize("preset", ["default", "mlca", "tdp-pue", "bloom"])
@pytest.mark.parametrize("no_host", [False, True])
def test_water_sentence_matches_the_counted_stages(preset: str, no_host: bool) -> None:
    # The words about water follow the stages the water total adds up, never a fixed phrase:
    # "electricity only" exactly when production water adds nothing to the number.
    from trainlca.api import estimate

    e = estimate("H100 SXM5", count=8, hours=100, country="FRA", preset=preset, draws=0,
                 include_host=not no_host)
    s = statement(e)
    water = s.split("a water use (WU) of", 1)[1].split(".", 1)[0]
    wu = e.impacts["wu"]
    counted = e.counted("wu")
    if counted == ("use",):
        assert "electricity only" in water
        assert wu["total"] == pytest.approx(wu["use"])
    else:
        assert "electricity only" not in water
        assert "from accelerator production" in water
        share = 100 * wu["production"] / wu["total"]
        assert f"of which {share:.0f} % from accelerator production" in water
        assert wu["total"] == pytest.approx(wu["use"] + wu["production_accelerator"])
    # what the boundary sentence says is not covered is exactly what is left out
    if e.boundary.accelerator_production and "production_accelerator" not in counted:
        assert "water used to produce the accelerators (not covered)" in s or \
            "water used to produce the hardware (not covered)" in s
    if "production_accelerator" in counted:
        assert "the water used to produce the accelerators follows BoaviztAPI" in s
