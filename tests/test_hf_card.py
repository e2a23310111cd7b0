"""Hugging Face model card: the co2_eq_emissions front matter parses as YAML with the Hub's
keys, emissions in grams = GWP total × 1000; the section lists the other criteria and intervals."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from estimate_docs import A100_RUN, CODECARBON_TWO_RANKS, cli_doc, versioned
from trainlca.api import estimate
from trainlca.errors import ParameterError
from trainlca.report.hf_card import KEYS, hf_card, hf_card_metadata


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return versioned(estimate("A100 SXM4 80 GB", count=384, hours=2820, country="FRA",
                              draws=300).to_dict())


def front_matter(card: str) -> dict[str, Any]:
    """The YAML between the leading '---' lines, parsed by PyYAML (YAML 1.1)."""
    assert card.startswith("---\n")
    block, sep, _body = card[4:].partition("\n---\n")
    assert sep, "front matter not closed"
    data: dict[str, Any] = yaml.safe_load(block)
    return data


@pytest.mark.parametrize("args", [
    (*A100_RUN, "--draws", "300"),
    (*A100_RUN, "--preset", "tdp-pue", "--draws", "0"),
    ("-H", "H100", "--from-codecarbon", str(CODECARBON_TWO_RANKS)),
    ("-H", "H100 SXM5", "--flop", "3.8e25", "--draws", "0"),
])
def test_front_matter_parses_with_emissions_in_grams(capsys: pytest.CaptureFixture[str],
                                                     args: tuple[str, ...]) -> None:
    d = cli_doc(capsys, *args)
    meta = front_matter(hf_card(d))
    co2 = meta["co2_eq_emissions"]
    assert list(meta) == ["co2_eq_emissions"] and tuple(co2) == KEYS
    assert isinstance(co2["emissions"], float)
    assert co2["emissions"] == d["impacts"]["gwp"]["total"] * 1000
    assert co2 == hf_card_metadata(d)["co2_eq_emissions"]
    assert all(isinstance(co2[k], str) and co2[k] for k in KEYS[1:])


def test_values(doc: dict[str, Any]) -> None:
    co2 = front_matter(hf_card(doc))["co2_eq_emissions"]
    assert co2["emissions"] == pytest.approx(doc["impacts"]["gwp"]["total"] * 1000, rel=0)
    assert co2["training_type"] == "pre-training"
    assert co2["geographical_location"] == "France"
    assert co2["hardware_used"] == "384 × NVIDIA A100 SXM4 80 GB (1,080,000 accelerator-hours)"
    assert co2["source"] == ("trainlca 0.1.0: life-cycle GWP (hardware production share + "
                             "electricity, preset default), from estimated energy")


def test_overrides_and_quoting(doc: dict[str, Any]) -> None:
    card = hf_card(doc, training_type="fine-tuning", geographical_location='Saclay, "FR"',
                   hardware_used="48 nodes: 8 A100 each")
    co2 = front_matter(card)["co2_eq_emissions"]
    assert co2["training_type"] == "fine-tuning"
    assert co2["geographical_location"] == 'Saclay, "FR"'
    assert co2["hardware_used"] == "48 nodes: 8 A100 each"
    with pytest.raises(ParameterError, match="pre-training"):
        hf_card(doc, training_type=" ")


def test_section_has_criteria_and_intervals(doc: dict[str, Any]) -> None:
    body = hf_card(doc).split("\n---\n", 1)[1]
    assert "## Environmental impact" in body
    gwp = doc["impacts"]["gwp"]
    # 3 significant figures, as the estimate table (e.g. 52,864 kg → 52,900)
    from trainlca.numbers import format_number

    total = gwp["total"]
    assert f"| global warming (GWP) | {format_number(total)} kgCO2eq |" in body
    assert format_number(52_864.0) == "52,900"
    lo, hi = gwp["total_interval"]["p5"], gwp["total_interval"]["p95"]
    assert 10_000 < lo < hi < 100_000
    assert f"{round(lo, -2):,.0f}–{round(hi, -2):,.0f}" in body
    rows = {line.split(" | ")[0]: line for line in body.splitlines() if line.startswith("| ")}
    assert {"| abiotic depletion, minerals and metals (ADPe)", "| primary energy (PE)",
            "| water use (WU)"} <= set(rows)
    wu = doc["impacts"]["wu"]
    assert f"{100 * wu['production'] / wu['total']:.1g} %" in rows["| water use (WU)"]
    assert "Not covered (no data, shown n/c, never zero): water use of host production." in body
    assert "300 Monte Carlo draws" in body
    # hardware production share of GWP, hand-computed: production / total
    assert f"{100 * gwp['production'] / gwp['total']:.0f} %" in body


def test_point_estimate_and_world_grid(capsys: pytest.CaptureFixture[str]) -> None:
    d = cli_doc(capsys, "-H", "H100", "-n", "8", "--hours", "24", "--draws", "0")
    card = hf_card(d)
    co2 = front_matter(card)["co2_eq_emissions"]
    assert co2["geographical_location"].startswith("unknown")
    assert "at an unknown location" in card and "Point estimate" in card
    assert co2["hardware_used"].startswith("8 × NVIDIA H100")


def test_tiny_emissions_stay_floats(doc: dict[str, Any]) -> None:
    # 1e-08 kgCO2eq → 1e-05 g: Python writes "1e-05", which YAML 1.1 would read as a string
    d = {**doc, "impacts": {**doc["impacts"],
                            "gwp": {**doc["impacts"]["gwp"], "total": 1e-08}}}
    card = hf_card(d)
    assert "emissions: 1.0e-05\n" in card
    assert front_matter(card)["co2_eq_emissions"]["emissions"] == 1e-08 * 1000


def test_measured_source(capsys: pytest.CaptureFixture[str]) -> None:
    d = cli_doc(capsys, "-H", "H100", "--from-codecarbon", str(CODECARBON_TWO_RANKS))
    card = hf_card(d)
    co2 = front_matter(card)["co2_eq_emissions"]
    assert co2["source"].startswith("energy measured by CodeCarbon 2.8.3;")
    assert "5.90 kWh of electricity (measured)" in card  # two concurrent ranks counted once


def test_cli_format_hf_card(capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    from clitools import run_cli
    from trainlca.api import estimate

    code, out, err = run_cli(capsys, "estimate", "-H", "H100 SXM5", "-n", "8", "--hours",
                             "100", "-c", "FRA", "--draws", "0", "--format", "hf-card")
    assert code == 0, err
    meta = yaml.safe_load(out.split("---")[1])["co2_eq_emissions"]
    e = estimate("H100 SXM5", count=8, hours=100, country="FRA", draws=0)
    assert meta["emissions"] == pytest.approx(e.impacts["gwp"]["total"] * 1000, rel=1e-12)
