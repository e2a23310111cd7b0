"""The live tracker, for real on CPU: CodeCarbon measures a short workload, trainlca's JSON is
checked against the emissions.csv CodeCarbon wrote and against the allocation formula by hand.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from codecarbon_files import OFFLINE, quiet_codecarbon, work
from trainlca.criteria import CRITERIA
from trainlca.errors import ParameterError, UnknownHardwareError, UnknownLocationError
from trainlca.track import EXTRA_HINT, TrackerUnavailableError, rank_info, track

pytest.importorskip("codecarbon", reason="install the extra: pip install 'trainlca[codecarbon]'")

REL = 1e-9
#: CodeCarbon options for an offline, root-free run (constant CPU and RAM powers).
CC = {k: OFFLINE[k] for k in ("force_cpu_power", "force_ram_power")}


def _options(tmp_path: Path, **kw: Any) -> dict[str, Any]:
    return {"count": 1, "country": "FRA", "output_dir": tmp_path, "draws": 200,
            "measure_power_secs": 0.1, "codecarbon_options": CC, "env": {}, **kw}


def _rows(path: Path, run_id: str) -> list[dict[str, str]]:
    return [r for r in csv.DictReader(io.StringIO(path.read_text())) if r["run_id"] == run_id]


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    with quiet_codecarbon():
        yield


def test_cpu_run_matches_codecarbon_and_the_allocation_formula(tmp_path: Path) -> None:
    t = track("H100", **_options(tmp_path))
    with t:
        work(0.3)
        t.flush()  # a checkpoint row: the result must follow the last row, not their sum
        work(0.3)
    assert t.json_path == tmp_path / "trainlca.json" and t.run_id is not None
    d = json.loads(t.json_path.read_text())
    assert t.result is not None and d == json.loads(json.dumps(t.result.to_dict()))
    rows = _rows(tmp_path / "emissions.csv", t.run_id)
    assert len(rows) == 2
    last = rows[-1]

    # Use stage: the energy CodeCarbon wrote, times the grid factors of the JSON's provenance.
    energy = float(last["energy_consumed"])
    assert d["energy_kwh"] == pytest.approx(energy, rel=REL)
    prov = {p["name"]: p for p in d["provenance"]}
    assert prov["energy_kwh"]["status"] == "measured"
    for c in CRITERIA:
        # water adds the on-site cooling water: the measured IT energy × WUE (unknown class)
        onsite = energy * prov["wue_unknown"]["value"] if c == "wu" else 0.0
        assert d["impacts"][c]["use"] == pytest.approx(
            energy * prov[f"grid_{c}"]["value"] + onsite, rel=REL)
        if c == "wu":
            assert d["impacts"]["wu"]["use_onsite"] == pytest.approx(onsite, rel=REL)

    # Production: H × (card + host share) / (L · 8760 · u_a), H = count × CodeCarbon's duration.
    hours = 1 * float(last["duration"]) / 3600
    assert d["accelerator_hours"] == pytest.approx(hours, rel=REL)
    life, use = prov["lifetime_years"]["value"], prov["use_ratio"]["value"]
    assert (life, use) == (5.0, 0.85)
    share = hours / (life * 8760 * use)
    for c in ("gwp", "adpe", "pe"):
        card = d["card_production"][c]
        host = d["host_production_per_accelerator"][c]
        assert d["impacts"][c]["production_accelerator"] == pytest.approx(share * card, rel=REL)
        assert d["impacts"][c]["production_host"] == pytest.approx(share * host, rel=REL)
        assert d["impacts"][c]["production"] == pytest.approx(share * (card + host), rel=REL)
    gwp = d["impacts"]["gwp"]
    assert gwp["p5"] < gwp["p50"] < gwp["p95"] and d["uncertainty"]["draws"] == 200
    codes = [n["code"] for n in d["notes"]]
    assert {"track.live", "codecarbon.own_figure", "codecarbon.flush_rows_collapsed"} <= set(
        codes)


def test_decorator_writes_one_result_per_call(tmp_path: Path) -> None:
    calls: list[str] = []
    t = track("A100 SXM4 80 GB", **_options(tmp_path, draws=0))

    @t
    def train() -> str:
        work(0.2)
        calls.append("x")
        return "done"

    assert train() == "done"
    first = t.run_id
    assert train() == "done" and calls == ["x", "x"] and t.run_id != first
    assert t.run_id is not None
    d = json.loads((tmp_path / "trainlca.json").read_text())
    (row,) = _rows(tmp_path / "emissions.csv", t.run_id)  # the second call's run only
    assert d["energy_kwh"] == pytest.approx(float(row["energy_consumed"]), rel=REL)
    assert d["hardware"] == "NVIDIA A100 SXM4 80 GB"


def test_only_local_rank_zero_measures(tmp_path: Path) -> None:
    t = track("H100", **_options(tmp_path, env={"LOCAL_RANK": "3", "RANK": "11"}))
    with t:
        work(0.05)
    assert not t.measuring and t.result is None and list(tmp_path.iterdir()) == []


def test_rank_info_from_launchers() -> None:
    r = rank_info({"LOCAL_RANK": "0", "RANK": "8", "GROUP_RANK": "1", "WORLD_SIZE": "16",
                   "LOCAL_WORLD_SIZE": "8"})  # torchrun, second machine
    assert (r.local_rank, r.source, r.node, r.nodes, r.measures) == (0, "LOCAL_RANK", 1, 2, True)
    r = rank_info({"SLURM_LOCALID": "2", "SLURM_NODEID": "0", "SLURM_NNODES": "4"})
    assert (r.local_rank, r.measures, r.nodes) == (2, False, 4)
    r = rank_info({})
    assert (r.local_rank, r.source, r.several_nodes) == (0, "", False)
    assert rank_info({"RANK": "1"}).measures is False  # no local rank: the global one


def test_each_machine_writes_its_own_files(tmp_path: Path) -> None:
    env = {"SLURM_LOCALID": "0", "SLURM_NODEID": "1", "SLURM_NNODES": "2"}
    t = track("H100", **_options(tmp_path, env=env, draws=0))
    with t:
        work(0.1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emissions.node1.csv",
                                                         "trainlca.node1.json"]
    live = next(n for n in t.result.notes if n.code == "track.live")  # type: ignore[union-attr]
    assert "machine 1 of 2" in live.text


def test_without_codecarbon_one_line_naming_the_extra(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "codecarbon", None)  # import codecarbon → ImportError
    ran = []
    with pytest.raises(TrackerUnavailableError) as exc, track("H100", **_options(tmp_path)):
        ran.append(1)
    assert EXTRA_HINT in str(exc.value) and "\n" not in str(exc.value)
    assert ran == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("kw", "error"), [
    ({"hardware": "H1000000"}, UnknownHardwareError),
    ({"country": "Atlantis"}, UnknownLocationError),
    ({"count": -1}, ParameterError),
    ({"draws": -5}, ParameterError),
])
def test_bad_arguments_fail_before_the_run(tmp_path: Path, kw: dict[str, Any],
                                           error: type[Exception]) -> None:
    options = _options(tmp_path, **{k: v for k, v in kw.items() if k != "hardware"})
    ran = []
    with pytest.raises(error), track(kw.get("hardware", "H100"), **options):
        ran.append(1)
    assert ran == [] and list(tmp_path.iterdir()) == []


def test_no_gpu_and_no_hardware_fails_at_the_start(tmp_path: Path) -> None:
    ran = []
    with pytest.raises(ParameterError, match="sees no GPU"), track(
            **_options(tmp_path, count=None)):
        ran.append(1)
    assert ran == [] and list(tmp_path.iterdir()) == []


def test_a_failing_body_still_gets_its_result(tmp_path: Path) -> None:
    t = track("H100", **_options(tmp_path, draws=0))
    with pytest.raises(RuntimeError, match="diverged"), t:
        work(0.1)
        raise RuntimeError("loss diverged")
    assert t.json_path is not None and t.json_path.exists()  # the energy was consumed
