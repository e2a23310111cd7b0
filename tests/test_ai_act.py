"""EU AI Act (GPAI Model Documentation Form): training energy in MWh to 2 significant figures
equal to the estimate's energy, the boundary named, measured vs estimated from the provenance."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimate_docs import A100_RUN, CODECARBON_TWO_RANKS, cli_doc, versioned
from trainlca.api import estimate
from trainlca.errors import ParameterError
from trainlca.report.ai_act import ai_act, ai_act_items, energy_methodology
from trainlca.report.facts import power_of_ten

_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def sci(text: str) -> float:
    """'7.8×10²' → 780.0."""
    m = re.fullmatch(r"(\d\.\d)×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", text)
    assert m, text
    return float(m.group(1)) * 10.0 ** int(m.group(2).translate(_SUP))


def items(doc: dict[str, Any]) -> dict[str, str]:
    return {i.item: i.value for i in ai_act_items(doc)}


def two_sf(x: float) -> float:
    return float(f"{x:.1e}")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return versioned(estimate("A100 SXM4 80 GB", count=384, hours=2820, country="FRA",
                              draws=300).to_dict())


RUNS: dict[str, tuple[str, ...]] = {
    "default": (*A100_RUN, "--draws", "300"),
    "tdp-pue": (*A100_RUN, "--preset", "tdp-pue", "--draws", "0"),
    "mlca": (*A100_RUN, "--preset", "mlca", "--draws", "0"),
    "no-host": ("-H", "A100 SXM4 80 GB", "-n", "8", "--hours", "100", "--no-host",
                "--draws", "0"),
    "codecarbon": ("-H", "A100 SXM4 80 GB", "--from-codecarbon", str(CODECARBON_TWO_RANKS)),
    "flop": ("-H", "H100 SXM5", "--flop", "3.8e25", "--mfu", "0.38", "-c", "USA",
             "--draws", "200"),
}
#: boundary named in the methodology, per run (chip, node or facility with PUE)
BOUNDARY = {
    "default": "Boundary: facility — the accelerators and their host servers, times a power "
               "usage effectiveness (PUE) of 1.2",
    "tdp-pue": "Boundary: chip with PUE — the accelerators only, no host servers, times a "
               "power usage effectiveness (PUE) of 1.1",
    "mlca": "Boundary: facility — the accelerators and their host servers, times MLCA's "
            "overhead factor 1.83",
    "no-host": "Boundary: chip with PUE — the accelerators only",
    "codecarbon": "Boundary: node — the CPUs, GPUs and RAM of the machines CodeCarbon tracked",
    "flop": "Boundary: facility — the accelerators and their host servers",
}


@pytest.mark.parametrize("name", list(RUNS))
def test_mwh_two_significant_figures_and_boundary(capsys: pytest.CaptureFixture[str],
                                                  name: str) -> None:
    d = cli_doc(capsys, *RUNS[name])
    value = items(d)["Amount of energy used for training"]
    m = re.fullmatch(r"(\S+) MWh \((measured|estimated)\)", value)
    assert m, value
    assert sci(m.group(1)) == pytest.approx(two_sf(d["energy_kwh"] / 1000), rel=1e-12)
    measured = name == "codecarbon"
    assert m.group(2) == ("measured" if measured else "estimated")
    text = energy_methodology(d)
    assert BOUNDARY[name] in text
    assert 70 <= len(text.split()) <= 130  # "about 100 words"
    if measured:
        assert "Measured: the energy. Estimated: nothing" in text
        assert "Measured by CodeCarbon 2.8.3" in text and "No interval: a metered value" in text
    else:
        assert "Measured: nothing. Estimated: energy = accelerator-hours" in text


def test_numbers_by_hand(doc: dict[str, Any]) -> None:
    it = items(doc)
    # 1,082,880 h × (360 + 160 + 75.805) W × 1.2 = 774,222 kWh = 774.2 MWh → 7.7×10²
    assert doc["energy_kwh"] == pytest.approx(774_222.4, rel=1e-6)
    assert it["Amount of energy used for training"] == "7.7×10² MWh (estimated)"
    # 2,820 h = 117.5 days = 3.86 months
    assert it["Training time (wall-clock)"] == "118 days (2,820 h); range: 3–6 months"
    # 384 × 2,820 = 1,082,880 accelerator-hours = 45,120 accelerator-days
    assert it["Training time (hardware)"].startswith("4.5×10⁴ accelerator-days (1,080,000 ")
    # not given: 1,082,880 h × 3,600 s × 312 TFLOP/s (A100 dense 16-bit) × 0.35 = 4.26e23
    assert it["Amount of computation used for training"] == (
        "4.3×10²³ FLOP (estimated; order of magnitude 10²³)")
    assert "model FLOP utilisation 0.35" in it["Measurement methodology (computation)"]


def test_formula_in_text_gives_the_energy(doc: dict[str, Any]) -> None:
    text = energy_methodology(doc)
    assert ("energy = accelerator-hours (1,080,000, 384 accelerators × 2,820 h, given) × "
            "(TDP 400 W (catalogue) × average power fraction 0.9 + host CPUs and RAM 75.8 W + "
            "other host IT 0.4 × TDP) × PUE 1.2.") in text
    # DGX A100 host: 2 EPYC 7742 (225 W) at 50 % + 1,024 GB × 0.3725 W/GB, per 8 GPUs
    server_w = (2 * 225 * 0.5 + 1024 * 0.3725) / 8
    by_hand = 1_082_880 * (400 * 0.9 + 0.4 * 400 + server_w) * 1.2 / 1000  # kWh
    assert doc["energy_kwh"] == pytest.approx(by_hand)
    # the interval, in MWh to 2 s.f., and where it comes from
    lo, hi = two_sf(doc["energy_kwh_p5"] / 1000), two_sf(doc["energy_kwh_p95"] / 1000)
    m = re.search(r"90 % interval (\S+)–(\S+) MWh: 5th–95th percentiles of 300 Monte Carlo "
                  r"draws over power fraction, host power, PUE\.", text)
    assert m, text
    assert (sci(m.group(1)), sci(m.group(2))) == (pytest.approx(lo), pytest.approx(hi))


def test_mlca_formula_gives_the_energy(capsys: pytest.CaptureFixture[str]) -> None:
    d = cli_doc(capsys, *RUNS["mlca"])
    text = energy_methodology(d)
    # MLCA's host power: 1,024 GB × 0.3725 W/GB + 2 × 225 W CPUs at TDP, per 8 GPUs = 103.93 W
    assert ("(TDP 400 W (catalogue) × average power fraction 1 + host CPUs and RAM 104 W) × "
            "overhead factor 1.83.") in text
    by_hand = 1_082_880 * (400 + (1024 * 0.3725 + 2 * 225) / 8) * (200 / 109) / 1000  # kWh
    assert d["energy_kwh"] == pytest.approx(by_hand)
    assert "No interval: a point estimate" in text


def test_flop_given(capsys: pytest.CaptureFixture[str]) -> None:
    d = cli_doc(capsys, *RUNS["flop"])
    it = items(d)
    assert it["Amount of computation used for training"] == (
        "3.8×10²⁵ FLOP (given; order of magnitude 10²⁵)")
    assert it["Training time (wall-clock)"].startswith("not known to trainlca")
    # 3.8e25 / (989.4 TFLOP/s × 0.38) / 3600 = 28,075,377 h = 1,169,807 days
    assert it["Training time (hardware)"].startswith("1.2×10⁶ accelerator-days (28,100,000 ")
    assert "derived from the given FLOP" in energy_methodology(d)


def test_markdown_and_latex(doc: dict[str, Any]) -> None:
    md = ai_act(doc)
    assert md.startswith("## Energy consumption and computational resources (training)")
    assert "Model Documentation Form (10 July 2025)" in md and "Annex XI" in md
    assert "- **Amount of energy used for training:** 7.7×10² MWh (estimated)" in md
    tex = ai_act(doc, "latex")
    assert r"\item[Amount of energy used for training] $7.7\times10^{2}$ MWh (estimated)" in tex
    assert r"order of magnitude $10^{23}$" in tex
    assert "90 \\% interval $" in tex and "×" not in tex and "⁻" not in tex
    with pytest.raises(ParameterError, match="md or latex"):
        ai_act(doc, "html")


def test_tiny_measured_energy(capsys: pytest.CaptureFixture[str]) -> None:
    d = cli_doc(capsys, *RUNS["codecarbon"])
    # 5.9 kWh (two concurrent ranks of one machine, counted once) = 0.0059 MWh → 5.9×10⁻³
    assert items(d)["Amount of energy used for training"] == "5.9×10⁻³ MWh (measured)"
    assert math.isclose(sci("5.9×10⁻³"), 0.0059)


def test_status_measured_counts_as_measured(capsys: pytest.CaptureFixture[str]) -> None:
    # provenance statuses may say "measured" instead of "input" for a metered energy
    d = cli_doc(capsys, *RUNS["codecarbon"])
    d["provenance"] = [{**p, "status": "measured"} if p["name"] == "energy_kwh" else p
                       for p in d["provenance"]]
    assert items(d)["Amount of energy used for training"].endswith("(measured)")
    assert "Measured: the energy." in energy_methodology(d)


def test_not_an_estimate_document() -> None:
    with pytest.raises(ParameterError, match="not a trainlca estimate document"):
        ai_act({"hardware": "H100"})


@given(st.floats(min_value=1e-30, max_value=1e30, allow_nan=False, allow_infinity=False))
def test_power_of_ten_reads_back(x: float) -> None:
    assert sci(power_of_ten(x)) == pytest.approx(two_sf(x), rel=1e-12)
