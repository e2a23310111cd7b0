"""Host servers (METHOD §3, docs/servers.md): archetypes, the default platform rule, user
files in BoaviztAPI's and MLCA's schemas, production and power by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainlca.api import estimate
from trainlca.cards import card_table
from trainlca.catalog import load_catalog
from trainlca.errors import DataFileError, ParameterError
from trainlca.presets import get_preset
from trainlca.servers import (
    ARCHETYPES_PATH,
    Cell,
    archetypes,
    default_server,
    default_server_id,
    host_power_w,
    host_production,
    load_server,
    read_archetypes,
)
from trainlca.uncertainty import point_values, sample

DEFAULT = point_values(get_preset("default").params())
MLCA = point_values(get_preset("mlca").params())

#: Published host production per GPU, kgCO2eq (issue 12): LLMCarbon's XLM setup, MLCA's BLOOM
#: server, the BLOOM paper (2,500 / 8), EcoLogits' p5.48xlarge (5,700 / 8).
PUBLISHED_HOST_PER_GPU = (103.0, 285.0, 312.5, 712.5)

#: MLCA's BLOOM ML setup (blubrom/MLCA boaviztapi/data/ml_setups/test_bloom.json), as written.
MLCA_BLOOM_SETUP = {
    "server": {"model": {"type": "rack"},
               "configuration": {"cpu": {"units": 2, "model": "EPYC 7543"},
                                 "ram": [{"units": 1, "capacity": 518}]}},
    "gpu": [{"units": 8, "model": "NVIDIA A100 SXM4 80 GB"}],
    "psf": 1, "nb_nodes": 48, "cpu_usage": 0,
    "usage": {"days_use_time": 118, "hours_use_time": 5, "minute_use_time": 41,
              "usage_location": "FRA", "gwp_factor": 51.28e-3},
}

#: A BoaviztAPI server body (its schema: die_size in mm², model.type), 8 GPUs.
BOAVIZTA_SERVER = {
    "model": {"name": "my-hgx", "type": "rack"},
    "configuration": {
        "cpu": {"units": 2, "die_size": 1908, "tdp": 350, "name": "Intel Xeon Platinum 8480C"},
        "ram": [{"units": 32, "capacity": 64, "density": 2.4}],
        "disk": [{"units": 2, "type": "ssd", "capacity": 1920, "density": 54.88},
                 {"units": 8, "type": "ssd", "capacity": 3840}],
        "power_supply": {"units": 6, "unit_weight": 2.99},
        "gpu": {"units": 8, "name": "NVIDIA H100"},
    },
    "usage": {"usage_location": "FRA"},
}


def by_hand_gwp(cpus: float, die_mm2: float, ram_units: float, ram_gb: float, rho: float,
                ssd_units: float, ssd_total_gb: float, ssd_rho: float, psus: float,
                psu_kg: float = 2.99) -> float:
    """Bottom-up server GWP with BoaviztAPI 2.5.0's factors, written out."""
    return (cpus * (die_mm2 / 100 * 1.97 + 9.14)
            + ram_units * (ram_gb / rho * 2.20 + 5.22)
            + ssd_total_gb / ssd_rho * 2.20 + ssd_units * 6.34
            + psus * psu_kg * 24.30 + 150.0 + 66.10 + 6.68)


# --------------------------------------------------------------------------- archetypes


def test_every_archetype_is_sourced_and_every_chip_has_one() -> None:
    table = archetypes()
    assert {"hgx-a100", "hgx-h100", "hgx-b200", "gb200-nvl72-tray", "tpu-v4-host",
            "tpu-v5e-host", "tpu-v5p-host", "tpu-v6e-host", "trn2-16", "mi300x-8",
            "pcie-workstation-4"} <= set(table)
    for s in table.values():
        assert len(s.source) > 40 and "kgCO2eq per" in s.rationale
    for acc in load_catalog():
        assert default_server(acc).name in table


@pytest.mark.parametrize(("kind", "name", "node", "expected"), [
    ("GPU", "NVIDIA H100 SXM5 80 GB", 8, "hgx-h100"),
    ("GPU", "NVIDIA H200 SXM 141 GB", 8, "hgx-h100"),
    ("GPU", "NVIDIA H100 PCIe 80 GB", 8, "pcie-server-8"),
    ("GPU", "NVIDIA A100 SXM4 80 GB", 8, "hgx-a100"),
    ("GPU", "NVIDIA B200", 8, "hgx-b200"),
    ("GPU", "NVIDIA GB200", 4, "gb200-nvl72-tray"),
    ("GPU", "AMD Instinct MI300X", 8, "mi300x-8"),
    ("GPU", "NVIDIA GeForce RTX 4090", 4, "pcie-workstation-4"),
    ("GPU", "NVIDIA T4", 8, "pcie-server-8"),
    ("TPU", "Google TPU v3", 4, "tpu-v4-host"),
    ("TPU", "Google TPU v5e", 4, "tpu-v5e-host"),
    ("TPU", "Google TPU v5p", 4, "tpu-v5p-host"),
    ("TPU", "Google TPU v6e", 4, "tpu-v6e-host"),
    ("ASIC", "Amazon Trainium2", 16, "trn2-16"),
    ("ASIC", "Intel Habana Gaudi2", 8, "hgx-a100"),
])
def test_default_platform_rule(kind: str, name: str, node: int, expected: str) -> None:
    assert default_server_id(kind, name, node) == expected


def test_hgx_h100_host_by_hand_and_inside_published_range() -> None:
    h = archetypes()["hgx-h100"]
    gwp = by_hand_gwp(2, 1908, 32, 64, 2.4, 10, 10 * 3456, 54.88, 6)
    assert float(host_production(h, DEFAULT)["gwp"]) == pytest.approx(gwp, rel=1e-12)
    per_gpu = gwp / 8
    assert per_gpu == pytest.approx(530.7, abs=0.1)
    # must-show: inside the published host figures, above the A100-era ones
    assert min(PUBLISHED_HOST_PER_GPU) < per_gpu < max(PUBLISHED_HOST_PER_GPU)
    assert per_gpu > 312.5
    draws = host_production(h, sample(get_preset("default").params(), 2000, 5))["gwp"][:, 0] / 8
    p5, p95 = np.percentile(draws, [5, 95])
    assert p5 < per_gpu < p95
    assert p5 > min(PUBLISHED_HOST_PER_GPU)


def test_hgx_a100_host_by_hand_and_mlca_rules() -> None:
    h = archetypes()["hgx-a100"]
    assert float(host_production(h, DEFAULT)["gwp"]) == pytest.approx(
        by_hand_gwp(2, 1008, 16, 64, 2.1, 6, 6 * 3200, 54.88, 6), rel=1e-12)
    # MLCA's rules: server RAM at 0.625 GB/cm², SSD 48.5 GB/cm²
    assert float(host_production(h, MLCA)["gwp"]) == pytest.approx(
        by_hand_gwp(2, 1008, 16, 64, 0.625, 6, 6 * 3200, 48.5, 6), rel=1e-12)
    # MLCA's host power: RAM 0.3725 W/GB + CPU TDP × 1 (its default cpu_usage), per GPU
    assert float(host_power_w(h, MLCA)) / 8 == pytest.approx((1024 * 0.3725 + 2 * 225) / 8)
    assert float(host_power_w(h, MLCA)) / 8 == pytest.approx(103.9, abs=0.05)
    assert math.isnan(float(host_production(h, DEFAULT)["wu"]))


def test_gb200_tray_counts_its_share_of_switch_trays() -> None:
    t = archetypes()["gb200-nvl72-tray"]
    assert t.accelerators == 4 and t.switch_units.value == 1.0 and t.case_units.value == 1.5
    gwp = (2 * (6.0 * 1.97 + 9.14) + 1 * (6.0 * 1.97 + 9.14)
           + 2 * (480 / 2.4 * 2.20 + 5.22) + 4 * 3840 / 54.88 * 2.20 + 4 * 6.34
           + 2.67 * 2.99 * 24.30 + 1.5 * 150.0 + 1.5 * 66.10 + 6.68)
    assert float(host_production(t, DEFAULT)["gwp"]) == pytest.approx(gwp, rel=1e-12)


def test_spread_positions_reach_the_archetype_cells() -> None:
    h = archetypes()["hgx-h100"]
    top = {**DEFAULT, "host_ram_spread": 1.0, "host_storage_spread": 1.0,
           "host_cpu_spread": 1.0, "host_chassis_spread": 1.0}
    assert float(host_production(h, top)["gwp"]) == pytest.approx(
        by_hand_gwp(2, 1908, 64, 64, 2.4, 10, 10 * 3840, 54.88, 8, 5.0), rel=1e-12)
    low = {**top, **{k: -1.0 for k in ("host_ram_spread", "host_storage_spread",
                                       "host_cpu_spread", "host_chassis_spread")}}
    assert float(host_production(h, low)["gwp"]) == pytest.approx(
        by_hand_gwp(2, 973, 16, 64, 2.4, 2, 2 * 1920, 54.88, 4, 1.0), rel=1e-12)


@given(lo=st.floats(0, 10), d1=st.floats(0, 10), d2=st.floats(0, 10),
       q=st.floats(-1, 1), r=st.floats(-1, 1))
def test_cell_position_is_monotone_and_hits_its_ends(lo: float, d1: float, d2: float,
                                                     q: float, r: float) -> None:
    c = Cell(lo + d1, lo, lo + d1 + d2)
    assert float(c.at(-1.0)) == pytest.approx(lo)
    assert float(c.at(0.0)) == pytest.approx(lo + d1)
    assert float(c.at(1.0)) == pytest.approx(lo + d1 + d2)
    a, b = sorted((q, r))
    assert float(c.at(a)) <= float(c.at(b)) + 1e-12
    assert c.at(np.array([[q], [r]])).shape == (2, 1)


@pytest.mark.parametrize(("column", "cell", "message"), [
    ("RAM.units", "32;16", "default;min;max"),
    ("RAM.units", "8;16;64", "min ≤ default ≤ max"),
    ("SSD.units", "", "empty"),
    ("RAM.type", "hbm", "RAM.type"),
    ("CPU.tdp", "-5", "≥ 0"),
])
def test_archetype_table_schema_errors(tmp_path: Path, column: str, cell: str,
                                       message: str) -> None:
    import csv

    rows = list(csv.DictReader(ARCHETYPES_PATH.open(encoding="utf-8")))
    rows[1][column] = cell
    bad = tmp_path / "archetypes.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(DataFileError, match=message):
        read_archetypes(bad)


def test_archetype_table_missing_column(tmp_path: Path) -> None:
    bad = tmp_path / "a.csv"
    bad.write_text("id,name\nx,y\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing columns"):
        read_archetypes(bad)


# --------------------------------------------------------------------------- user files


def test_mlca_bloom_setup_loads_as_written(tmp_path: Path) -> None:
    f = tmp_path / "test_bloom.json"
    f.write_text(json.dumps(MLCA_BLOOM_SETUP), encoding="utf-8")
    s = load_server(f)
    assert s.accelerators == 8 and s.cpu_usage == 0.0
    assert s.cpu.die_mm2.value == 1064.0 and s.cpu.tdp_w.value == 225.0  # our CPU table
    assert s.ram_gb == 518.0
    assert any("power_supply" in i for i in s.imputed) and any("disk" in i for i in s.imputed)
    # MLCA's BLOOM server (its verbose result): 2 CPUs, 518 GB at 0.625, one 1 TB SSD at
    # 48.5 GB/cm², 2 PSUs of 2.99 kg, rack → 2,308.6 kgCO2eq = 288.6 per GPU
    gwp = by_hand_gwp(2, 1064, 1, 518, 0.625, 1, 1000, 48.5, 2)
    assert float(host_production(s, MLCA)["gwp"]) == pytest.approx(gwp, rel=1e-12)
    assert gwp / 8 == pytest.approx(288.6, abs=0.05)
    # host power under MLCA's rule with the file's cpu_usage 0: RAM only, 24.1 W per GPU
    assert float(host_power_w(s, MLCA)) / 8 == pytest.approx(518 * 0.3725 / 8)
    assert float(host_power_w(s, MLCA)) / 8 == pytest.approx(24.1, abs=0.05)


def test_boavizta_server_json_and_yaml_load_alike(tmp_path: Path) -> None:
    import yaml

    j, y = tmp_path / "server.json", tmp_path / "server.yaml"
    j.write_text(json.dumps(BOAVIZTA_SERVER), encoding="utf-8")
    y.write_text(yaml.safe_dump(BOAVIZTA_SERVER), encoding="utf-8")
    a, b = load_server(j), load_server(y)
    assert a.accelerators == b.accelerators == 8 and a.name == "my-hgx"
    assert a.imputed == () and "usage" not in " ".join(a.ignored)
    ga, gb = (float(host_production(s, DEFAULT)["gwp"]) for s in (a, b))
    assert ga == gb == pytest.approx(
        by_hand_gwp(2, 1908, 32, 64, 2.4, 10, 2 * 1920 + 8 * 3840, 54.88, 6), rel=1e-12)


def test_user_file_errors_are_one_line(tmp_path: Path) -> None:
    def write(doc: object, name: str = "s.json") -> Path:
        f = tmp_path / name
        f.write_text(json.dumps(doc), encoding="utf-8")
        return f

    no_gpu = {"configuration": {"cpu": {"units": 2, "die_size": 1008, "tdp": 225}}}
    with pytest.raises(DataFileError, match="how many accelerators"):
        load_server(write(no_gpu))
    assert load_server(write(no_gpu), accelerators=4).accelerators == 4
    cm2 = {"configuration": {"cpu": {"units": 2, "die_size": 10.08, "tdp": 225},
                             "gpu": {"units": 8}}}
    with pytest.raises(DataFileError, match="die_size_unit"):
        load_server(write(cm2))
    cm2["configuration"]["cpu"]["die_size_unit"] = "cm2"  # type: ignore[index]
    assert load_server(write(cm2)).cpu.die_mm2.value == pytest.approx(1008.0)
    typo = {"configuration": {"ram": [{"capacty": 64}], "gpu": {"units": 8}}}
    with pytest.raises(DataFileError, match="unknown field"):
        load_server(write(typo))
    (tmp_path / "b.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid JSON or YAML"):
        load_server(tmp_path / "b.json")
    with pytest.raises(ParameterError, match="unknown server"):
        load_server("hgx-h999")


def test_unknown_cpu_gets_mlca_defaults_flagged(tmp_path: Path) -> None:
    f = tmp_path / "s.yml"
    f.write_text("configuration:\n  cpu: {units: 2, name: Mystery 9000}\n  gpu: {units: 4}\n",
                 encoding="utf-8")
    s = load_server(f)
    assert s.cpu.die_mm2.value == 210.0 and s.cpu.tdp_w.value == 65.0
    assert any("Mystery 9000" in i for i in s.imputed)


# --------------------------------------------------------------------------- in the engine


def test_estimate_with_a_server_file(tmp_path: Path) -> None:
    f = tmp_path / "server.json"
    f.write_text(json.dumps(BOAVIZTA_SERVER), encoding="utf-8")
    e = estimate("H100 SXM5 80GB", accelerator_hours=1000.0, draws=0, server=str(f))
    s = load_server(f)
    host = float(host_production(s, DEFAULT)["gwp"]) / 8
    assert e.host_per_accelerator["gwp"] == pytest.approx(host)
    share = 1000.0 / (5 * 8760 * 0.85)
    assert e.impacts["gwp"]["production_host"] == pytest.approx(host * share)
    # energy: (700·0.9 + server CPU/RAM power per GPU + 0.4·700) W · 1.2 PUE
    server_w = (2 * 350 * 0.5 + 32 * 64 * 0.3725) / 8
    assert e.energy_kwh == pytest.approx(1000 * (630 + server_w + 280) * 1.2 / 1000)
    prov = next(p for p in e.provenance if p.name == "server")
    assert prov.value == "my-hgx" and prov.status == "input"
    default = estimate("H100 SXM5 80GB", accelerator_hours=1000.0, draws=0)
    assert next(p for p in default.provenance if p.name == "server").value == "hgx-h100"
    assert default.host_per_accelerator["gwp"] == pytest.approx(530.7, abs=0.1)


def test_estimate_notes_imputed_server_fields(tmp_path: Path) -> None:
    f = tmp_path / "bloom.json"
    f.write_text(json.dumps(MLCA_BLOOM_SETUP), encoding="utf-8")
    e = estimate("A100 SXM4 80GB", accelerator_hours=100.0, draws=0, server=str(f),
                 preset="mlca")
    codes = [n.code for n in e.notes]
    assert "server.imputed" in codes
    # MLCA's BLOOM host power: 24.1 W per GPU, no PUE, dynamic ratio 200/109
    assert e.energy_kwh == pytest.approx(100 * (400 + 518 * 0.3725 / 8) * 200 / 109 / 1000)


def test_card_table_with_one_server() -> None:
    rows = card_table("default", server="hgx-h100", types=["GPU"])
    assert {r.host_archetype for r in rows} == {"hgx-h100"}
    assert rows[0].host_gwp_per_accelerator == pytest.approx(530.7, abs=0.1)


# --------------------------------------------------------------------------- grid fallback


def test_mlca_grid_file_falls_back_to_eee(tmp_path: Path) -> None:
    from trainlca.grid import csv_provider

    f = tmp_path / "electricity_impact_factors.csv"
    f.write_text("code,country,gwp_emission_factor,adpe_emission_factor,pe_emission_factor\n"
                 "FRA,France,0.05128,4.86e-08,11.289\n"
                 "EEE,Europe,0.42,6.42e-08,12.874\n", encoding="utf-8")
    grid = csv_provider(f)
    hk = grid.get("HKG")
    assert hk.zone == "EEE" and hk.requested == "HKG" and hk.gwp == 0.42
    assert grid.get("FRA").requested == ""
    assert grid.defaulted(["FRA", "HKG", "HKG", "USA"]) == ["HKG", "USA"]
    e = estimate("A100 SXM4 80GB", accelerator_hours=10.0, country="HKG", grid=grid, draws=0,
                 preset="mlca")
    assert "grid.default_zone" in [n.code for n in e.notes]
    assert e.impacts["gwp"]["use"] == pytest.approx(e.energy_kwh * 0.42)


def test_study_runs_with_mlca_grid_file(shared_data: Path) -> None:
    """study --preset mlca --grid <MLCA's factor file> used to stop at 'no grid factors for
    HKG': MLCA's default zone EEE is used, and the study says for which zones."""
    from trainlca.epoch import load_epoch
    from trainlca.study import run_study

    data = load_epoch(shared_data / "epoch" / "notable_ai_models.csv")
    grid = shared_data / "impact_factors" / "mlca" / "electricity_impact_factors.csv"
    r = run_study(data, preset="mlca", grid=str(grid), draws=0, server="hgx-h100")
    assert r.meta["grid"]["defaulted_zones"] == ["HKG"]
    assert r.meta["server"] == "hgx-h100"
    hk = r.systems[(r.systems.zone == "HKG") & (r.systems.scenario == "baseline")]
    assert len(hk) > 0 and (hk.gwp_use > 0).all()


def test_servers_command_lists_the_archetypes(capsys: pytest.CaptureFixture[str]) -> None:

    from clitools import run_cli
    from trainlca.servers import archetypes

    code, out, _ = run_cli(capsys, "servers", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert [s["id"] for s in doc["servers"]] == list(archetypes())
    code, out, _ = run_cli(capsys, "cards", "--format", "json", "--draws", "0")
    h100 = next(c for c in json.loads(out)["rows"] if c["hardware"] == "NVIDIA H100 SXM5 80 GB")
    hgx = next(s for s in doc["servers"] if s["id"] == "hgx-h100")
    assert h100["host_archetype"] == "hgx-h100"  # the same host figure in both commands
    assert hgx["host_gwp_per_accelerator"] == pytest.approx(h100["host_gwp_per_accelerator"],
                                                            rel=1e-12)
    assert hgx["accelerators"] == 8 and hgx["ram_gb"] == 2048
    code, _, err = run_cli(capsys, "servers", "nope")
    assert code == 2 and err.startswith("trainlca: error: no server archetype matches 'nope'")
    code, out, _ = run_cli(capsys, "hardware", "H100 SXM5", "--format", "json")
    assert json.loads(out)["accelerators"][0]["default_server"] == "hgx-h100"
