"""The shipped JSON Schema of ``estimate --format json``: real runs validate, broken ones do not."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from estimate_docs import A100_RUN, CODECARBON_TWO_RANKS, cli_doc, versioned
from trainlca.api import estimate
from trainlca.report.schema import (
    SCHEMA_VERSION,
    OutputSchemaError,
    estimate_schema,
    schema_errors,
    validate_estimate,
)

RUNS: dict[str, tuple[str, ...]] = {
    "default": (*A100_RUN, "--draws", "300"),
    "default-draws0": (*A100_RUN, "--draws", "0"),
    "mlca": (*A100_RUN, "--preset", "mlca", "--draws", "0"),
    "tdp-pue": (*A100_RUN, "--preset", "tdp-pue", "--draws", "0"),
    "bloom": (*A100_RUN, "--preset", "bloom", "--draws", "0"),
    "sensitivity": (*A100_RUN, "--draws", "300", "--sensitivity"),
    "codecarbon": ("-H", "A100 SXM4 80 GB", "--from-codecarbon", str(CODECARBON_TWO_RANKS),
                   "--draws", "300"),
    "no-host": ("-H", "A100 SXM4 80 GB", "-n", "8", "--hours", "100", "--no-host",
                "--draws", "300"),
    "flop-default-mfu": ("-H", "H100 SXM5", "--flop", "3.8e25", "-c", "USA", "--draws", "0"),
}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return versioned(estimate("A100 SXM4 80 GB", count=384, hours=2820, country="FRA",
                              draws=200).to_dict())


def test_schema_is_draft_2020_12_and_shipped() -> None:
    schema = estimate_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert {"schema_version", "trainlca_version"} <= set(schema["required"])
    statuses = schema["properties"]["provenance"]["items"]["properties"]["status"]["enum"]
    assert set(statuses) == {"input", "default", "preset", "catalogue", "provider", "imputed",
                             "measured"}
    assert SCHEMA_VERSION == "1.0"


@pytest.mark.parametrize("name", list(RUNS))
def test_real_runs_validate(capsys: pytest.CaptureFixture[str], name: str) -> None:
    d = cli_doc(capsys, *RUNS[name])
    assert schema_errors(d) == []
    validate_estimate(d)
    if name == "sensitivity":
        assert set(d["sensitivity"]) == {"gwp", "adpe", "pe", "wu", "energy"}
    if name.endswith("draws0") or name in ("mlca", "tdp-pue", "bloom"):
        assert d["uncertainty"]["draws"] == 0 and "energy_kwh_p5" not in d


def test_null_means_not_covered_and_validates(doc: dict[str, Any]) -> None:
    # host production water is not covered in the default preset: null, and that is valid
    assert doc["impacts"]["wu"]["production_host"] is None
    assert doc["host_production_per_accelerator"]["wu"] is None
    assert schema_errors(doc) == []


def _broken(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(doc)
    node: Any = d
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return d


_DELETE = object()


@pytest.mark.parametrize(("path", "value", "expected"), [
    (("schema_version",), _DELETE, "'schema_version' is a required property"),
    (("trainlca_version",), _DELETE, "'trainlca_version' is a required property"),
    (("schema_version",), "2.0", "does not match"),
    (("impacts", "gwp", "total"), "52.9 t", "is not of type"),
    (("impacts", "gwp", "unit"), "kg", "'kgCO2eq' was expected"),
    (("impacts", "wu", "use"), _DELETE, "'use' is a required property"),
    (("energy_kwh",), -1.0, "less than the minimum"),
    (("energy_kwh",), None, "is not of type"),
    (("energy_kwh_p95",), _DELETE, "dependency"),
    (("provenance", 0, "status"), "guessed", "is not one of"),
    (("provenance", 0, "source"), _DELETE, "'source' is a required property"),
    (("uncertainty", "draws"), 2.5, "is not of type 'integer'"),
    (("total_gwp",), 1.0, "Additional properties are not allowed"),
])
def test_broken_documents_fail(doc: dict[str, Any], path: tuple[str | int, ...], value: Any,
                               expected: str) -> None:
    d = _broken(doc, path, value)
    errors = schema_errors(d)
    assert errors and any(expected in e for e in errors), errors
    with pytest.raises(OutputSchemaError, match=f"schema {SCHEMA_VERSION}") as info:
        validate_estimate(d)
    assert "\n" not in str(info.value)


def test_error_names_the_key_path(doc: dict[str, Any]) -> None:
    d = _broken(doc, ("impacts", "adpe", "total_interval", "p95"), "high")
    with pytest.raises(OutputSchemaError, match=r"impacts/adpe/total_interval/p95: 'high'"):
        validate_estimate(d)
