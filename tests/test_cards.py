"""Card production table, its trend and ``trainlca cards`` (METHOD §2, §7), real numbers."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from trainlca.cards import CSV_COLUMNS, CardRow, card_table, card_trend, cards_csv, write_cards_csv
from trainlca.catalog import load_catalog
from trainlca.cli import main
from trainlca.errors import TrainLCAError
from trainlca.presets import get_preset
from trainlca.production import card_production
from trainlca.servers import archetypes, host_production
from trainlca.uncertainty import point_values


def row(rows: list[CardRow], name: str) -> CardRow:
    return next(r for r in rows if r.hardware == name)


def test_mlca_a100_80gb_matches_mlca() -> None:
    a100 = row(card_table("mlca"), "NVIDIA A100 SXM4 80 GB")
    # 8.26 cm² × 1.97 + 26.97 + (80/0.625) × 2.20 + 5.22 (MLCA: no transport)
    assert a100.gwp == pytest.approx(330.1, abs=0.05)
    assert a100.pe == pytest.approx(3943, abs=0.5)
    assert a100.adpe == pytest.approx(0.0268, abs=5e-5)
    assert math.isnan(a100.wu)
    assert a100.host_archetype == "hgx-a100"


def test_default_h100_pcie_by_hand() -> None:
    # point model mlca, HBM2e at ρ 2.375 GB/cm² (MLCA's 18 nm row): 8.14·1.97 + 26.97 +
    # 80/2.375·2.20 + 5.22 + 2 kg × 1 kgCO2eq/kg transport = 124.33 (was 226.2 at one ρ = 1.0)
    h100 = row(card_table(), "NVIDIA H100 PCIe 80 GB")
    assert h100.card_model == "mlca" and h100.memory_density_gb_per_cm2 == 2.375
    assert h100.gwp == pytest.approx(8.14 * 1.97 + 26.97 + 80 / 2.375 * 2.20 + 5.22 + 2.0)
    assert h100.gwp == pytest.approx(124.33, abs=0.01)


def test_table_equals_per_card_calls_and_host_share() -> None:
    cat = load_catalog()
    rows = card_table("default", {"rho": 0.8}, catalog=cat)
    assert len(rows) == len(cat)
    assert [r.release_date for r in rows] == sorted(r.release_date for r in rows)
    p = point_values(get_preset("default").params({"rho": 0.8}))
    for r in rows:
        acc = cat.get(r.hardware)
        # rho pins every memory technology (the rho_<type> follow it)
        one = card_production(acc.die_area_cm2, acc.memory_gb, p, rho=0.8)
        assert r.gwp == pytest.approx(float(one["gwp"]), rel=1e-12)
        assert r.memory_density_gb_per_cm2 == 0.8
        host = archetypes()[r.host_archetype]
        hp = host_production(host, p)
        assert r.host_gwp_per_accelerator == pytest.approx(float(hp["gwp"]) / host.accelerators)


def test_draws_give_p5_p95_around_point() -> None:
    rows = card_table("default", draws=400, seed=3, types=["GPU"])
    assert all(r.type == "GPU" for r in rows)
    for r in rows:
        assert r.gwp_p5 < r.gwp_p95
        assert r.adpe_p5 <= r.adpe_p95 and r.pe_p5 < r.pe_p95
    again = card_table("default", draws=400, seed=3, types=["GPU"])
    assert [r.gwp_p5 for r in rows] == [r.gwp_p5 for r in again]
    assert math.isnan(card_table("default", types=["GPU"])[0].gwp_p5)


def test_bad_inputs_are_one_line_errors() -> None:
    with pytest.raises(TrainLCAError):
        card_table("nope")
    with pytest.raises(TrainLCAError):
        card_table("default", {"not_a_param": 1.0})
    with pytest.raises(TrainLCAError):
        card_table("default", draws=-1)


def test_gpu_gwp_trend_rises_with_release_date() -> None:
    rows = card_table("default")
    t = card_trend(rows)
    f = t.fits["gwp"]
    # the seed study's finding: card production GWP rises with the release date
    assert f.growth_per_year > 1 and f.ci_low > 1
    assert f.n == sum(1 for r in rows if r.type == "GPU" and r.release_year >= 2013)
    assert f.period[0] >= 2013
    for c in ("adpe", "pe"):
        assert t.fits[c].growth_per_year > 1
    everything = card_trend(rows, include_all=True)
    assert everything.fits["gwp"].n > f.n
    assert "GPU production GWP grows ×" in t.line("gwp")


def test_csv_columns_and_roundtrip(tmp_path: Path) -> None:
    rows = card_table("mlca")
    text = cards_csv(rows)
    reader = csv.DictReader(io.StringIO(text))
    cols = reader.fieldnames or []
    for c in ("hardware", "release_date", "gwp", "adpe", "pe", "wu", "die_area_cm2",
              "memory_gb", "die_area_imputed", "host_gwp_per_accelerator"):
        assert c in cols
    assert tuple(cols) == (*CSV_COLUMNS, "schema_version", "trainlca_version")
    recs = list(reader)
    a100 = next(r for r in recs if r["hardware"] == "NVIDIA A100 SXM4 80 GB")
    assert float(a100["gwp"]) == pytest.approx(330.06, abs=0.01)
    assert a100["wu"] == "" and a100["release_date"] == "2020-11-16"
    assert a100["die_area_imputed"] == "false"
    out = write_cards_csv(tmp_path / "d" / "cards.csv", rows)
    assert out.read_text(encoding="utf-8") == text


# --- CLI ---------------------------------------------------------------------------------------


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["cards"], capsys)
    assert code == 0
    assert "NVIDIA H100 PCIe 80 GB" in out and "n/c" in out
    assert "GPU production GWP grows ×" in out
    assert "Google TPU v4" not in out
    code, out, _ = run(["cards", "--all"], capsys)
    assert "Google TPU v4" in out and "Accelerator production GWP" in out


def test_cli_csv_json_and_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(["cards", "--preset", "mlca", "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("hardware,vendor,type,release_date")
    code, out, _ = run(["cards", "--format", "json", "--draws", "100", "--set", "rho=0.625"],
                       capsys)
    doc = json.loads(out)
    assert doc["preset"] == "default" and doc["catalogue_version"].startswith("sha256:")
    assert doc["overrides"] == {"rho": 0.625}
    assert doc["trend"]["fits"]["gwp"]["growth_per_year"] > 1
    a100 = next(r for r in doc["rows"] if r["hardware"] == "NVIDIA A100 SXM4 80 GB")
    assert a100["gwp_p5"] < a100["gwp"] < a100["gwp_p95"]
    # water of the point model (mlca): BoaviztAPI's water by hand, 0.014831 L/mm² × 2876.29 mm²
    # (effective, 826 mm² die) + 0.070829 × 2343.17 (80 GB on 6 VRAM dies) + board 4.787 +
    # heatsink 9.413 + casing 3.076 + transport 0.004 = 225.903 L, per kgCO2eq of BoaviztAPI's
    # GWP of the card, times the mlca GWP (rho 0.625 here)
    assert a100["card_model"] == "mlca"
    assert a100["wu"] == pytest.approx(225.903 * a100["gwp"] / a100["gwp_boavizta"], rel=1e-5)
    assert a100["wu_p5"] < a100["wu_p95"]
    dest = tmp_path / "cards.csv"
    code, out, err = run(["cards", "--format", "csv", "--out", str(dest)], capsys)
    assert code == 0 and out == "" and dest.read_text().startswith("hardware,")
    code, out, err = run(["cards", "--format", "csv", "--out", str(dest)], capsys)
    assert code == 2 and "exists" in err and "--force" in err and len(err.splitlines()) == 1
    code, _, _ = run(["cards", "--out", str(dest), "--force"], capsys)
    assert code == 0 and "GPU production GWP" in dest.read_text()
    assert "\x1b[" not in dest.read_text()


def test_cli_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["cards", "--preset", "nope"], ["cards", "--set", "rho"],
                 ["cards", "--draws", "-5"]):
        code, _, err = run(argv, capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1, (argv, err)


def test_trend_vectorised_matches_catalogue_arrays() -> None:
    rows = [r for r in card_table("default") if r.type == "GPU" and r.release_year >= 2013]
    x = np.array([r.release_year for r in rows])
    y = np.log10([r.gwp for r in rows])
    b = np.polyfit(x, y, 1)[0]
    assert card_trend(card_table("default")).fits["gwp"].slope == pytest.approx(b, rel=1e-9)
