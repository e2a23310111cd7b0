"""Every command's ``--format json`` names the data versions used and, per value, whether it
was an input, a default/preset (with its source), a catalogue/provider fact or imputed."""

from __future__ import annotations

import json
from pathlib import Path

from conftest_fuzz import run_cli

STATUSES = {"input", "default", "preset", "catalogue", "imputed", "provider"}
DATA = Path(__file__).parent / "data"


def _json(argv: list[str]) -> dict:  # type: ignore[type-arg]
    r = run_cli([*argv, "--format", "json"])
    assert r.code == 0, r.stderr
    out: dict = json.loads(r.stdout)  # type: ignore[type-arg]
    return out


def _versions(d: dict) -> None:  # type: ignore[type-arg]
    assert d["data_versions"] and all(v for k, v in d["data_versions"].items()
                                      if not k.startswith("epoch_downloaded"))


def test_estimate() -> None:
    d = _json(["estimate", "-H", "A100", "-n", "8", "--hours", "10", "-c", "FRA",
               "--set", "pue=1.3", "--draws", "0"])
    _versions(d)
    assert d["data_versions"]["catalogue"].startswith("sha256:")
    assert d["data_versions"]["grid"].startswith("ecologits ")
    by = {p["name"]: p for p in d["provenance"]}
    assert {p["status"] for p in d["provenance"]} <= STATUSES
    assert by["count"]["status"] == by["hours"]["status"] == "input"
    assert by["pue"]["status"] == "input" and by["pue"]["value"] == 1.3
    assert by["location"]["status"] == "input"
    assert all(p["source"] for p in d["provenance"] if p["status"] != "input")
    defaults = [p for p in d["provenance"] if p["status"] == "default"]
    assert defaults and all(p["source"] for p in defaults)
    # a run from compute: hours imputed, MFU default
    d = _json(["estimate", "-H", "H100", "--flop", "1e24", "--draws", "0"])
    by = {p["name"]: p for p in d["provenance"]}
    assert by["accelerator_hours"]["status"] == "imputed"
    assert by["mfu"]["status"] == "default" and by["location"]["status"] == "default"


def test_hardware() -> None:
    d = _json(["hardware", "CS-2"])
    _versions(d)
    assert d["data_versions"]["catalogue"] == d["catalogue_version"]
    assert d["query"] == {"value": "CS-2", "status": "input"}
    d = _json(["hardware"])
    assert any(a["provenance"]["die_area_mm2"] == "imputed" for a in d["accelerators"])
    for a in d["accelerators"]:
        assert set(a["provenance"].values()) <= STATUSES
        assert (a["provenance"]["die_area_mm2"] == "imputed") == a["die_area_imputed"]
        assert all(a["sources"].values())


def test_grid(tmp_path: Path) -> None:
    d = _json(["grid"])
    _versions(d)
    assert d["data_versions"]["grid_provider"] == d["provider"] == "ecologits"
    assert d["data_versions"]["grid_version"] == d["version"]
    z = {r["zone"]: r for r in d["zones"]}
    flagged = [r for r in z.values() if r["world_fallbacks"]]
    assert flagged and all(r["provenance"][c] == "imputed" for r in flagged
                           for c in r["world_fallbacks"].split(";"))
    assert z["FRA"]["provenance"]["gwp"] == "provider"
    f = tmp_path / "g.csv"
    f.write_text("zone,gwp\nFRA,0.05\n", encoding="utf-8")
    d = _json(["grid", "--grid", str(f)])
    assert d["data_versions"]["grid_version"].startswith("sha256:")
    assert d["zones"][0]["provenance"] == {"gwp": "provider", "adpe": "imputed",
                                           "pe": "imputed", "wu": "imputed"}


def test_params() -> None:
    d = _json(["params", "-p", "mlca"])
    _versions(d)
    st = {p["name"]: p["status"] for p in d["parameters"]}
    assert set(st.values()) == {"default", "preset"}
    assert all(p["source"] for p in d["parameters"])


def test_cards() -> None:
    d = _json(["cards", "-p", "mlca", "--set", "rho=0.5"])
    _versions(d)
    assert d["data_versions"]["catalogue"] == d["catalogue_version"]
    st = {p["name"]: p for p in d["parameters"]}
    assert st["rho"]["status"] == "input" and st["rho"]["value"] == 0.5
    assert {p["status"] for p in d["parameters"]} == {"input", "preset", "default"}
    assert all(p["source"] for p in d["parameters"])
    assert any(r["die_area_imputed"] for r in d["rows"])


def test_validate() -> None:
    d = _json(["validate"])
    for versions in d["data_versions"].values():
        assert versions["catalogue"].startswith("sha256:")
        assert versions["grid_provider"] and versions["grid_version"]
        assert versions["references"]
    for mode in d["modes"].values():
        for row in mode["rows"]:  # the report's own values are the inputs, with the source
            assert row["inputs"] and row["source"]


def test_study_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run_cli(["study", "--data", str(DATA / "epoch_runs.csv"), "--out", str(out),
                 "--draws", "0", "--no-figures", "--set", "pue=1.2"])
    assert r.code == 0, r.stderr
    d = json.loads((out / "study.json").read_text(encoding="utf-8"))
    v = d["data_versions"]
    assert v["catalogue"].startswith("sha256:") and v["grid_provider"] == "ecologits"
    assert len(v["epoch_sha256"]) == 64 and v["epoch_snapshot_date"] == "2025-01-01"
    assert v["epoch_sha256"] == d["epoch"]["sha256"]  # the original keys stay
    st = {p["name"]: p for p in d["parameters"]}
    assert st["pue"]["status"] == "input" and st["pue"]["value"] == 1.2
    assert st["mfu"]["status"] == "default" and st["mfu"]["source"]
    assert d["flags"]["flag_hours_from_compute"] > 0  # imputed per system, counted
