"""BoAmps: our reports validate against Boavizta's schemas (refs resolved locally), carry our
numbers in the right fields, and read back; BoAmps' examples and CodeCarbon's writer load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from codecarbon.output_methods.boamps import (
    BoAmpsAlgorithm,
    BoAmpsDataset,
    BoAmpsOutput,
    BoAmpsTask,
)
from codecarbon.output_methods.emissions_data import EmissionsData
from referencing import Registry, Resource

from estimate_docs import A100_RUN, CODECARBON_TWO_RANKS, cli_doc, versioned
from trainlca.api import estimate
from trainlca.codecarbon import estimate_from_codecarbon
from trainlca.errors import DataFileError, ParameterError
from trainlca.report.boamps import EXTENSION_KEY, read_boamps, to_boamps
from trainlca.report.schema import validate_estimate

FIXED = {"report_id": "7f0c2a4e-0000-4000-8000-000000000001",
         "report_datetime": "2025-06-01 12:00:00"}


@pytest.fixture(scope="module")
def boamps_dir(shared_data: Path) -> Path:
    return shared_data / "formats" / "boamps"


@pytest.fixture(scope="module")
def boamps_validator(boamps_dir: Path) -> jsonschema.protocols.Validator:
    """Draft-04 validator of report_schema.json; its $refs (absolute raw.githubusercontent
    URLs) resolve to the local copies through a registry, so nothing is fetched."""
    resources = [Resource.from_contents(json.loads(p.read_text(encoding="utf-8")))
                 for p in sorted(boamps_dir.glob("*_schema.json"))]
    registry: Registry[Any] = Registry().with_resources((r.id() or "", r) for r in resources)
    report = json.loads((boamps_dir / "report_schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(report)
    assert cls is jsonschema.Draft4Validator
    return cls(report, registry=registry)


def _errors(validator: jsonschema.protocols.Validator, report: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(report)]


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return versioned(estimate("A100 SXM4 80 GB", count=384, hours=2820, country="FRA",
                              draws=300).to_dict())


@pytest.fixture(scope="module")
def measured_doc() -> dict[str, Any]:
    return versioned(estimate_from_codecarbon(CODECARBON_TWO_RANKS, "A100 SXM4 80 GB",
                                              draws=300).to_dict())


def test_validator_resolves_refs_locally(boamps_validator: jsonschema.protocols.Validator,
                                         doc: dict[str, Any]) -> None:
    # a component without its required componentType is caught: hardware_schema.json was used
    report = to_boamps(doc, **FIXED)
    del report["infrastructure"]["components"][0]["componentType"]
    assert any("'componentType' is a required property" in e
               for e in _errors(boamps_validator, report))


@pytest.mark.parametrize("example", ["boamps_report.json", "energy-report-llm-inference.json"])
def test_boamps_examples_are_valid(boamps_validator: jsonschema.protocols.Validator,
                                   boamps_dir: Path, example: str) -> None:
    data = json.loads((boamps_dir / example).read_text(encoding="utf-8"))
    assert _errors(boamps_validator, data) == []


CLI_RUNS: dict[str, tuple[tuple[str, ...], int | None]] = {
    "default": ((*A100_RUN, "--draws", "300"), None),
    "draws0": ((*A100_RUN, "--draws", "0"), None),
    "tdp-pue": ((*A100_RUN, "--preset", "tdp-pue", "--draws", "0"), None),
    "mlca": ((*A100_RUN, "--preset", "mlca", "--draws", "0"), None),
    "no-host-world": (("-H", "H100", "-n", "8", "--hours", "24", "--no-host", "--draws", "0"),
                      None),
    "codecarbon": (("-H", "H100", "--from-codecarbon", str(CODECARBON_TWO_RANKS)), 4),
    "flop": (("-H", "H100 SXM5", "--flop", "3.8e25", "--mfu", "0.38", "-c", "USA",
              "--draws", "0"), 1024),
}


@pytest.mark.parametrize("name", list(CLI_RUNS))
def test_reports_validate_against_boamps(capsys: pytest.CaptureFixture[str],
                                         boamps_validator: jsonschema.protocols.Validator,
                                         name: str) -> None:
    args, count = CLI_RUNS[name]
    d = cli_doc(capsys, *args)
    report = to_boamps(d, count=count, **FIXED)
    assert _errors(boamps_validator, report) == []
    assert report["measures"][0]["powerConsumption"] == d["energy_kwh"]
    assert report["infrastructure"]["components"][0]["componentName"] == d["hardware"]
    # the extension carries the estimate document, itself valid against our schema
    assert report[EXTENSION_KEY]["estimate"] == d
    validate_estimate(report[EXTENSION_KEY]["estimate"])


def test_field_mapping(doc: dict[str, Any]) -> None:
    r = to_boamps(doc, task_family="text generation", training_type="unsupervisedLearning",
                  algorithm_type="llm", infra_type="onPremise", publisher="Lab",
                  confidentiality="internal", **FIXED)
    assert r["header"] == {"formatVersion": "1.1.0",
                           "formatVersionSpecificationUri":
                               "https://github.com/Boavizta/BoAmps/tree/main/model",
                           "reportId": FIXED["report_id"],
                           "reportDatetime": FIXED["report_datetime"], "reportStatus": "draft",
                           "publisher": {"name": "Lab", "confidentialityLevel": "internal"}}
    assert r["task"]["taskStage"] == "training" and r["task"]["taskFamily"] == "text generation"
    assert r["task"]["algorithms"] == [{"trainingType": "unsupervisedLearning",
                                        "algorithmType": "llm"}]
    assert r["measures"] == [{"measurementMethod": "trainlca estimate", "version": "0.1.0",
                              "powerConsumption": doc["energy_kwh"],
                              "measurementDuration": 2820 * 3600.0}]
    assert r["infrastructure"] == {
        "infraType": "onPremise",
        "components": [{"componentName": "NVIDIA A100 SXM4 80 GB", "componentType": "gpu",
                        "nbComponent": 384, "memorySize": 80.0, "manufacturer": "NVIDIA"}]}
    # EcoLogits' France factor 0.04144 kgCO2eq/kWh = 41.44 gCO2eq/kWh
    assert r["environment"] == {"country": "France",
                                "powerSourceCarbonIntensity": pytest.approx(41.44)}
    assert r[EXTENSION_KEY]["unspecified"] == ["task.dataset"]


def test_unknown_task_fields_are_declared(doc: dict[str, Any]) -> None:
    r = to_boamps(doc, **FIXED)
    assert r["task"]["taskFamily"] == "unspecified"
    assert r["task"]["algorithms"] == [{"algorithmType": "unspecified"}]
    assert r["infrastructure"]["infraType"] == "other"
    assert r[EXTENSION_KEY]["unspecified"] == ["task.taskFamily", "task.algorithms",
                                               "task.dataset", "infrastructure.infraType"]


@pytest.mark.parametrize(("p5", "p50", "p95", "quality"), [
    (95.0, 100.0, 105.0, "high"),      # ±5 %
    (90.0, 100.0, 110.0, "high"),      # ±10 % exactly
    (80.0, 100.0, 124.0, "medium"),    # +24 %
    (70.0, 100.0, 105.0, "low"),       # -30 %
    (60.0, 100.0, 151.0, None),        # +51 %: no BoAmps level fits
])
def test_quality_from_energy_interval(doc: dict[str, Any], p5: float, p50: float, p95: float,
                                      quality: str | None) -> None:
    d = {**doc, "energy_kwh_p5": p5, "energy_kwh_p50": p50, "energy_kwh_p95": p95}
    assert to_boamps(d, **FIXED).get("quality") == quality


def test_measured_energy(measured_doc: dict[str, Any],
                         boamps_validator: jsonschema.protocols.Validator) -> None:
    r = to_boamps(measured_doc, count=4, **FIXED)
    # tests/data/codecarbon_two_ranks.csv, CodeCarbon 2.8.3: two ranks of one machine that
    # overlap in time, each measuring the whole machine: counted once, 5.9 kWh (not 5.9 + 2.95)
    assert r["measures"] == [{"measurementMethod": "codecarbon", "version": "2.8.3",
                              "powerConsumption": pytest.approx(5.9)}]
    assert "quality" not in r  # a metered value: BoAmps quality not inferred
    assert r["environment"]["country"] == "France"
    assert _errors(boamps_validator, r) == []


def test_count_is_required_when_unknown(measured_doc: dict[str, Any]) -> None:
    hours_only = estimate("A100 SXM4 80 GB", accelerator_hours=80, draws=0).to_dict()
    with pytest.raises(ParameterError, match=r"number of accelerators.*--count N"):
        to_boamps(hours_only)
    with pytest.raises(ParameterError, match="whole number"):
        to_boamps(measured_doc, count=0)
    # CodeCarbon's files count the GPUs (gpu_count, 4 in this file): no count needed
    (gpu,) = to_boamps(measured_doc)["infrastructure"]["components"][:1]
    assert gpu["nbComponent"] == 4


def test_bad_infra_type(doc: dict[str, Any]) -> None:
    with pytest.raises(ParameterError, match="publicCloud, privateCloud, onPremise, other"):
        to_boamps(doc, infra_type="cloud")


def test_round_trip(tmp_path: Path, doc: dict[str, Any], measured_doc: dict[str, Any]) -> None:
    for d, count, hours in ((doc, None, 2820.0), (measured_doc, 4, None)):
        path = tmp_path / "report.json"
        path.write_text(json.dumps(to_boamps(d, count=count, **FIXED)), encoding="utf-8")
        run = read_boamps(path)
        assert run.energy_kwh == d["energy_kwh"]
        assert run.hardware == d["hardware"] == "NVIDIA A100 SXM4 80 GB"
        assert run.accelerator_count == (count or 384)
        assert run.duration_h == hours
        assert run.country == "FRA" and run.task_stage == "training"
        assert run.estimate == d


def test_read_boamps_examples(boamps_dir: Path) -> None:
    run = read_boamps(boamps_dir / "boamps_report.json")
    assert run.energy_kwh == 0.0004784439185735
    assert run.hardware == "Tesla V100S-PCIE-32GB" and run.accelerator_count == 2
    assert [c.type for c in run.components] == ["cpu", "gpu", "ram"]
    assert run.duration_h == pytest.approx(3.508045196533203 / 3600)
    assert run.accelerator_hours == pytest.approx(2 * 3.508045196533203 / 3600)
    assert (run.country, run.country_raw, run.task_stage) == ("FRA", "France", "inference")
    assert run.methods == ("codecarbon",) and run.estimate is None
    other = read_boamps(boamps_dir / "energy-report-llm-inference.json")
    assert other.energy_kwh == 0.00267074
    assert (other.country, other.country_raw) == ("FRA", "france")  # lower case in the example
    assert other.duration_h == pytest.approx(19.09390426 / 3600)


def _emissions(**overrides: Any) -> EmissionsData:
    """A CodeCarbon EmissionsData of a 2-hour run on 4 H100 in France (rank r1 of
    tests/data/codecarbon_two_ranks.csv)."""
    values: dict[str, Any] = dict(
        timestamp="2025-03-01T10:00:00", project_name="llm", run_id="r1", experiment_id="e1",
        duration=7200.0, emissions=1.2, emissions_rate=0.0001, cpu_power=100.0,
        gpu_power=2800.0, ram_power=50.0, cpu_energy=0.2, gpu_energy=5.6, ram_energy=0.1,
        energy_consumed=5.9, water_consumed=0.0, country_name="France", country_iso_code="FRA",
        region="ile-de-france", cloud_provider="", cloud_region="", os="Linux",
        python_version="3.11", codecarbon_version="3.3.2", cpu_count=64.0,
        cpu_model="AMD EPYC", gpu_count=4.0, gpu_model="4 x NVIDIA H100 80GB HBM3",
        longitude=2.3, latitude=48.8, ram_total_size=512.0, tracking_mode="machine",
        gpu_utilization_percent=93.0)
    values.update(overrides)
    return EmissionsData(**values)


def test_codecarbon_boamps_writer_loads(tmp_path: Path,
                                        boamps_validator: jsonschema.protocols.Validator) -> None:
    """A report written by CodeCarbon's own BoAmps output (codecarbon.output_methods.boamps,
    CodeCarbon >= 3.2.6) validates and reads back to CodeCarbon's numbers."""
    task = BoAmpsTask(task_stage="training", task_family="text generation",
                      algorithms=[BoAmpsAlgorithm(algorithm_type="llm")],
                      dataset=[BoAmpsDataset(data_usage="input", data_type="token")])
    writer = BoAmpsOutput(output_dir=str(tmp_path), task=task, quality="high")
    total = _emissions()
    writer.out(total, total)
    assert writer.save_file_path is not None
    path = Path(writer.save_file_path)
    report = json.loads(path.read_text(encoding="utf-8"))
    assert _errors(boamps_validator, report) == []
    run = read_boamps(path)
    assert run.energy_kwh == 5.9
    assert run.duration_h == 2.0 and run.accelerator_count == 4
    assert run.hardware == "NVIDIA H100 80GB HBM3"  # CodeCarbon's "4 x " prefix dropped
    assert run.accelerator_hours == 8.0
    assert run.country == "FRA" and run.methods == ("codecarbon",)
    assert {c.type for c in run.components} == {"cpu", "gpu", "ram"}


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "r.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("data", "message"), [
    ("{not json", "not JSON"),
    ([1, 2], "is a JSON object"),
    ({"task": {}}, "no 'measures'"),
    ({"measures": [{"measurementMethod": "x", "powerConsumption": -1}]}, "number ≥ 0"),
    ({"measures": [{"measurementMethod": "x", "powerConsumption": "5 kWh"}]}, "number ≥ 0"),
    ({"measures": [{"measurementMethod": "x", "powerConsumption": 1, "unit": "MJoule"}]},
     "in kWh"),
    ({"measures": [{"measurementMethod": "codecarbon", "powerConsumption": 1},
                   {"measurementMethod": "wattmeter", "powerConsumption": 1}]},
     "different methods"),
    ({"measures": [{"measurementMethod": "x", "powerConsumption": 1}],
      "infrastructure": {"components": [{"componentType": "gpu", "nbComponent": 2.5}]}},
     "whole number"),
])
def test_read_errors(tmp_path: Path, data: Any, message: str) -> None:
    with pytest.raises(DataFileError, match=message) as info:
        read_boamps(_write(tmp_path, data))
    assert "\n" not in str(info.value) and "r.json" in str(info.value)


def test_measures_of_one_method_add_up(tmp_path: Path) -> None:
    run = read_boamps(_write(tmp_path, {"measures": [
        {"measurementMethod": "codecarbon", "powerConsumption": 5.9, "measurementDuration": 7200},
        {"measurementMethod": "codecarbon", "powerConsumption": 2.95, "measurementDuration": 3600},
    ]}))
    assert run.energy_kwh == pytest.approx(8.85) and run.duration_h == 3.0
    assert run.accelerator_count is None and run.hardware == "" and run.country is None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        read_boamps(tmp_path / "absent.json")


def test_status_measured_is_a_measure(measured_doc: dict[str, Any]) -> None:
    d = {**measured_doc, "provenance": [
        {**p, "status": "measured"} if p["name"] == "energy_kwh" else p
        for p in measured_doc["provenance"]]}
    assert to_boamps(d, count=4, **FIXED)["measures"][0]["measurementMethod"] == "codecarbon"


def test_cli_format_boamps_validates(capsys: pytest.CaptureFixture[str],
                                     boamps_validator: jsonschema.protocols.Validator) -> None:
    from clitools import run_cli

    code, out, err = run_cli(capsys, "estimate", "-H", "H100 SXM5", "-n", "512", "--hours",
                             "720", "-c", "USA", "--format", "boamps")
    assert code == 0, err
    report = json.loads(out)
    assert _errors(boamps_validator, report) == []
    assert report["infrastructure"]["components"][0]["nbComponent"] == 512
    validate_estimate(report[EXTENSION_KEY]["estimate"])


def test_study_writes_a_valid_boamps_report_per_system(
        boamps_validator: jsonschema.protocols.Validator, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    from clitools import run_cli

    small = Path(__file__).parent / "data" / "epoch_runs.csv"
    out = tmp_path / "study"
    code, _, err = run_cli(capsys, "study", "--data", str(small), "--out", str(out),
                           "--draws", "50", "--no-figures", "--boamps")
    assert code == 0, err
    with (out / "systems.csv").open(encoding="utf-8") as f:
        base = [r for r in csv.DictReader(f) if r["scenario"] == "baseline"]
    with (out / "boamps" / "index.csv").open(encoding="utf-8") as f:
        index = list(csv.DictReader(f))
    assert [r["model"] for r in index] == [r["model"] for r in base]  # every system listed
    written = [r for r in index if r["file"]]
    assert written and all(r["reason"] for r in index if not r["file"])
    assert sorted(p.name for p in (out / "boamps").iterdir()) == sorted(
        ["index.csv", *(r["file"] for r in written)])
    by_model = {r["model"]: r for r in base}
    for entry in written:
        path = out / "boamps" / entry["file"]
        report = json.loads(path.read_text(encoding="utf-8"))
        assert _errors(boamps_validator, report) == [], entry["file"]
        row = by_model[entry["model"]]
        (m,) = report["measures"]
        assert m["powerConsumption"] == pytest.approx(float(row["energy_kwh"]), rel=1e-12)
        assert report["task"]["taskStage"] == "training"
        system = report[EXTENSION_KEY]["system"]
        assert system["gwp"] == pytest.approx(float(row["gwp"]), rel=1e-12)
        assert report["infrastructure"]["components"][0]["nbComponent"] == int(
            entry["nbComponent"])
        run = read_boamps(path)  # reads back as a run of the same energy and accelerator-hours
        assert run.energy_kwh == pytest.approx(float(row["energy_kwh"]), rel=1e-12)
        if run.accelerator_hours is not None and "Hardware quantity" in report[
                EXTENSION_KEY]["nbComponent"]:
            assert run.accelerator_hours == pytest.approx(float(row["accelerator_hours"]),
                                                          rel=1e-9)
