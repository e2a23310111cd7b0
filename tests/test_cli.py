"""The command line: outputs, and one-line errors with exit code 2 for bad input."""

from __future__ import annotations

import json

import pytest

from clitools import run_cli as run


def test_estimate_mlca_production_water_not_covered(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "estimate", "-H", "A100 SXM4 80 GB", "-n", "8", "--hours",
                       "100", "--preset", "mlca", "--format", "json", "--draws", "0")
    assert code == 0
    d = json.loads(out)
    assert d["card_production"]["wu"] is None  # MLCA has no water: not covered, never zero
    assert d["impacts"]["wu"]["production"] is None
    assert d["impacts"]["wu"]["total"] == pytest.approx(d["impacts"]["wu"]["use"])
    assert any("accelerator production water not covered under this preset" in n["text"]
               for n in d["notes"])
    assert any("host production water not covered" in n["text"] for n in d["notes"])


def test_estimate_json_shape_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "estimate", "-H", "A100 SXM4 80 GB", "-n", "384", "--hours",
                       "2820", "-c", "FRA", "--format", "json", "--draws", "300")
    assert code == 0
    d = json.loads(out)
    # (400·0.9 + host CPUs and RAM of the hgx-a100 server per GPU + 0.4·400) W · 1.2 PUE
    # · 1,082,880 h / 1000; the server: 2 × 225 W × 0.5 + 1,024 GB × 0.3725 W/GB over 8 GPUs
    server_w = (2 * 225 * 0.5 + 1024 * 0.3725) / 8
    assert d["energy_kwh"] == pytest.approx(1_082_880 * (360 + server_w + 160) * 1.2 / 1000)
    assert d["energy_kwh_p5"] < d["energy_kwh"] < d["energy_kwh_p95"]
    for c, unit in (("gwp", "kgCO2eq"), ("adpe", "kgSbeq"), ("pe", "MJ"), ("wu", "L")):
        i = d["impacts"][c]
        assert i["unit"] == unit
        assert i["use"] > 0 and i["total"] > 0
        assert i["p5"] < i["p50"] < i["p95"]
    # water: the card's point model is mlca, whose water is BoaviztAPI's (225.903 L per A100 80 GB
    # card, see test_cards) per kgCO2eq of BoaviztAPI's GWP (575.606) times the mlca GWP
    # (124.567 at ρ_HBM2e 2.375), allocated by H / (L·8760·u_a); host production water not
    # covered (null, never a silent zero)
    share = 1_082_880 / (5 * 8760 * 0.85)
    models = d["card_production_models"]
    assert models["point_model"] == "mlca" and models["completed"]["mlca"] == ["wu"]
    assert models["models"]["boavizta"]["wu"] == pytest.approx(225.903, abs=0.001)
    assert d["card_production"]["wu"] == pytest.approx(
        225.903 * models["models"]["mlca"]["gwp"] / models["models"]["boavizta"]["gwp"],
        rel=1e-5)
    assert d["card_production"]["gwp"] == pytest.approx(
        8.26 * 1.97 + 26.97 + 80 / 2.375 * 2.20 + 5.22 + 2.0)
    # use water = off-site (grid) + on-site (IT energy × WUE 0.38 L/kWh, unknown class)
    wu = d["impacts"]["wu"]
    assert wu["use_onsite"] == pytest.approx(d["energy_kwh"] / 1.2 * 0.38)
    assert wu["use"] == pytest.approx(wu["use_offsite"] + wu["use_onsite"])
    assert d["impacts"]["wu"]["production_accelerator"] == pytest.approx(
        share * d["card_production"]["wu"])
    assert d["impacts"]["wu"]["production"] == pytest.approx(share * d["card_production"]["wu"])
    assert d["impacts"]["wu"]["production_host"] is None
    assert d["host_production_per_accelerator"]["wu"] is None
    assert d["impacts"]["wu"]["total"] == pytest.approx(
        d["impacts"]["wu"]["use"] + d["impacts"]["wu"]["production"])
    assert any("host production water not covered" in n["text"] for n in d["notes"])
    assert any(n["code"] == "water.card_model" and "BoaviztAPI 2.5.0" in n["text"]
               for n in d["notes"])
    assert any(n["code"] == "card_model.mixture" for n in d["notes"])
    assert d["data_versions"]["grid"].startswith("ecologits")
    statuses = {p["name"]: p["status"] for p in d["provenance"]}
    assert statuses["count"] == "input" and statuses["pue"] == "default"


def test_bloom_dynamic_energy_through_the_api() -> None:
    from trainlca.api import estimate

    e = estimate("NVIDIA A100 SXM4 80 GB", accelerator_hours=1_082_990, preset="tdp-pue",
                 overrides={"pue": 1.0}, country="FRA", draws=0)
    assert e.energy_kwh == pytest.approx(433_196, rel=1e-6)


def test_mlca_card_through_the_api() -> None:
    from trainlca.api import estimate

    e = estimate("A100 SXM4 80 GB", accelerator_hours=1.0, preset="mlca", draws=0)
    assert e.card["gwp"] == pytest.approx(330.06, abs=0.01)
    assert e.card["pe"] == pytest.approx(3943.29, abs=0.01)
    assert e.card["adpe"] == pytest.approx(0.026829, rel=1e-4)


def test_flop_with_mfu(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "estimate", "-H", "A100 SXM4 80 GB", "--flop", "1e23", "--mfu",
                       "0.4", "--format", "json", "--draws", "0")
    assert code == 0
    assert json.loads(out)["accelerator_hours"] == pytest.approx(1e23 / (312e12 * 0.4) / 3600)


def test_csv_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "estimate", "-H", "H100 PCIe", "-n", "8", "--hours", "10",
                       "--format", "csv", "--draws", "100")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "quantity,stage,unit,value,p5,p50,p95,schema_version,trainlca_version"
    assert len(lines) == 1 + 1 + 4 * 5
    # the CSV holds the same intervals as the JSON, production stages included
    import csv
    import io
    import json

    rows = {(r["quantity"], r["stage"]): r for r in csv.DictReader(io.StringIO(out))}
    _, js, _ = run(capsys, "estimate", "-H", "H100 PCIe", "-n", "8", "--hours", "10",
                   "--format", "json", "--draws", "100")
    doc = json.loads(js)
    for c in ("gwp", "adpe", "pe"):
        for stage in ("production_accelerator", "production_host", "use", "production",
                      "total"):
            iv = doc["impacts"][c][f"{stage}_interval"]
            assert float(rows[(c, stage)]["p5"]) == pytest.approx(iv["p5"], rel=1e-12)
            assert float(rows[(c, stage)]["p95"]) == pytest.approx(iv["p95"], rel=1e-12)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-H", "H1OO", "-n", "8", "--hours", "10"], "closest"),
        (["-H", "H100 PCIe", "-n", "-8", "--hours", "10"], "must be > 0"),
        (["-H", "H100 PCIe", "-n", "0", "--hours", "10"], "must be > 0"),
        (["-H", "H100 PCIe", "-n", "eight", "--hours", "10"], "count"),
        (["-H", "H100 PCIe", "-n", "8", "--hours", "10", "-c", "Atlantis"], "Atlantis"),
        (["-H", "H100 PCIe", "-n", "8", "--hours", "10", "--set", "pue"], "name=value"),
        (["-H", "H100 PCIe", "-n", "8", "--hours", "10", "--set", "pue=abc"], "not a number"),
        (["-H", "H100 PCIe", "-n", "8", "--hours", "10", "--set", "foo=1"], "unknown parameter"),
        (["-H", "H100 PCIe", "-n", "8", "--hours", "10", "--preset", "nope"], "preset"),
        (["-H", "H100 PCIe", "-n", "8", "--hours", "10", "--draws", "-5"], "draws"),
        (["-H", "H100 PCIe", "-n", "8", "--hours", "10", "--draws", "1e9"], "draws"),
        (["-H", "H100 PCIe", "-n", "8"], "count and hours go together"),
        (["-H", "H100 PCIe"], "describe the run"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], args: list[str],
                                      needle: str) -> None:
    code, out, err = run(capsys, "estimate", *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("trainlca: error:")
    assert needle in lines[0]
    assert "Traceback" not in err


def test_unknown_chip_lists_three_closest(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "estimate", "-H", "H1OO", "-n", "8", "--hours", "10")
    assert "H100" in err and err.count("'") >= 6


def test_hardware_and_grid_lookups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "hardware", "h100", "--format", "json")
    assert code == 0
    names = [a["name"] for a in json.loads(out)["accelerators"]]
    assert any("H100" in n for n in names)
    code, out, _ = run(capsys, "grid", "FRA", "--format", "json")
    assert code == 0
    assert json.loads(out)["zones"][0]["zone"] == "FRA"
    code, out, _ = run(capsys, "params", "--format", "csv")
    assert code == 0 and "pue" in out
