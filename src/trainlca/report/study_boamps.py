"""BoAmps reports of the study's systems: one per notable system (baseline scenario).

``trainlca study --boamps`` writes ``boamps/<system>.json`` for every baseline system whose
accelerator count is known (Epoch's ``Hardware quantity``, or accelerator-hours ÷ training
time), and ``boamps/index.csv``: every baseline system with its file, or why it has none
(BoAmps requires ``nbComponent``). Each report is valid against the BoAmps 1.1.0 schemas and
maps the study's row as :func:`trainlca.report.boamps.to_boamps` maps an estimate: the energy is
"trainlca estimate", the grid's carbon intensity the one the study applied, ``quality`` from the
90 % energy interval; BoAmps has no field for production impacts, ADPe, PE, water or intervals,
so the ``"trainlca"`` extension carries the system's whole row of ``systems.csv`` and the
study's settings (``docs/exports.md``).
"""

from __future__ import annotations

import csv
import io
import math
import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from trainlca.report.boamps import (
    EXTENSION_KEY,
    accelerator_kind,
    assemble,
    boamps_header,
    json_ready,
    quality_of,
)
from trainlca.report.facts import plain

if TYPE_CHECKING:
    import pandas as pd

    from trainlca.study import StudyResult

#: reportId namespace: the same system of the same study gets the same id.
_NAMESPACE: Final[uuid.UUID] = uuid.uuid5(uuid.NAMESPACE_URL, "https://trainlca/study/boamps")
#: study.json keys copied into each report's extension.
_STUDY_KEYS: Final[tuple[str, ...]] = ("preset", "boundary", "draws", "seed", "epoch",
                                       "catalogue_version", "grid", "server",
                                       "development_factor", "schema_version",
                                       "trainlca_version")


def _count(run: Mapping[Any, Any]) -> tuple[int | None, str]:
    """The system's accelerator count and where it comes from, or None and why not."""
    q = _finite(run.get("hardware_quantity"))
    if q is not None and q >= 1:
        return round(q), "Epoch AI: Hardware quantity"
    hours, ah = _finite(run.get("training_hours")), _finite(run.get("accelerator_hours"))
    if hours and ah and ah / hours >= 1:
        return round(ah / hours), "accelerator-hours ÷ Epoch AI's Training time (rounded)"
    return None, ("Epoch AI gives no hardware quantity (accelerator-hours derived from compute): "
                  "BoAmps requires nbComponent")


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _quality(row: Mapping[Any, Any]) -> str | None:
    """BoAmps quality from the energy interval around the point value (None without draws or
    beyond ±50 %)."""
    point, p5, p95 = (_finite(row.get(k)) for k in ("energy_kwh", "energy_kwh_p5",
                                                    "energy_kwh_p95"))
    return None if point is None or p5 is None or p95 is None else quality_of(point, p5, p95)


def system_report(row: Mapping[Any, Any], run: Mapping[Any, Any], meta: Mapping[str, Any], *,
                  count: int, count_source: str, report_datetime: str) -> dict[str, Any]:
    """The BoAmps report of one system: ``row`` of systems.csv (baseline), ``run`` the same
    system's Epoch run (hardware_quantity, training_hours, grid_gwp), ``meta`` study.json."""
    from trainlca import __version__
    from trainlca.countries import WORLD, country_name

    hw = str(row["hardware"])
    ctype, vendor = accelerator_kind(hw)
    component: dict[str, Any] = {"componentName": hw, "componentType": ctype,
                                 "nbComponent": count}
    if vendor:
        component["manufacturer"] = vendor
    hours = _finite(run.get("training_hours"))
    measure: dict[str, Any] = {"measurementMethod": "trainlca estimate", "version": __version__,
                               "powerConsumption": float(row["energy_kwh"])}
    if hours is not None:
        measure["measurementDuration"] = hours * 3600.0
    zone = str(row["zone"])
    env: dict[str, Any] = {"country": country_name(zone)}
    if zone == WORLD:
        env["location"] = "world-average grid (Epoch AI gives no usable country)"
    gwp = _finite(run.get("grid_gwp"))
    if gwp is not None:
        env["powerSourceCarbonIntensity"] = gwp * 1000.0  # kgCO2eq/kWh → gCO2eq/kWh
    domain = str(row.get("domain") or "").strip()
    unspecified = ["task.algorithms", "task.dataset", "infrastructure.infraType"] + (
        [] if domain else ["task.taskFamily"])
    model = str(row["model"])
    when = str(row.get("publication_date") or "")
    run_text = (f"{count} × {hw} for {plain(hours)} h" if hours is not None
                else f"{count} × {hw}")
    report_id = uuid.uuid5(_NAMESPACE, f"{meta.get('epoch', {}).get('sha256')}:"
                                       f"{meta.get('preset')}:{model}:{when}")
    task = {
        "taskStage": "training",
        "taskFamily": domain.lower() or "unspecified",
        "algorithms": [{"algorithmType": "unspecified"}],
        "dataset": [{"dataUsage": "input", "dataType": "other"}],
        "taskDescription": (
            f"Final training run of {model} ({row.get('organization') or 'unknown'}, "
            f"published {when}), as recorded in Epoch AI's Notable AI Models: {run_text}, "
            f"{plain(float(row['accelerator_hours']))} accelerator-hours; energy estimated by "
            f"trainlca study (preset {meta.get('preset')}). Life-cycle results (hardware "
            f"production, GWP, ADPe, PE, water, intervals) in the '{EXTENSION_KEY}' "
            "extension."),
    }
    quality = _quality(row)
    return assemble(boamps_header(str(report_id), report_datetime, None, "public"), task,
                    measure, component, "other", env, quality, {
        "description": "trainlca extension: the system's row of the study's systems.csv "
                       "(baseline scenario; units as in docs/study-outputs.md) and the study's "
                       "settings (study.json).",
        "unspecified": unspecified,
        "nbComponent": count_source,
        "quality": ("from the 90 % energy interval around the point value (high ≤ 10 %, "
                    "medium ≤ 25 %, low ≤ 50 %)" if quality else
                    "not given (no draws, or an interval wider than ±50 %)"),
        "system": json_ready({k: _plain_value(v) for k, v in row.items()}),
        "study": json_ready({k: meta[k] for k in _STUDY_KEYS if k in meta}),
    })


def _plain_value(v: Any) -> Any:
    """numpy/pandas scalars as Python values; missing as None."""
    if hasattr(v, "item"):
        v = v.item()
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def _file_name(model: str, taken: set[str]) -> str:
    base = _SLUG.sub("-", model).strip("-.")[:80] or "system"
    name, k = f"{base}.json", 2
    while name.lower() in taken:
        name, k = f"{base}-{k}.json", k + 1
    taken.add(name.lower())
    return name


def study_reports(result: StudyResult, meta: Mapping[str, Any], *, report_datetime: str
                  ) -> tuple[dict[str, dict[str, Any]], str]:
    """``({file name: BoAmps report}, index.csv text)`` for the study's baseline systems."""
    systems: pd.DataFrame = result.systems
    base = systems[systems["scenario"] == "baseline"].reset_index(drop=True)
    runs = result.runs
    if runs is None or len(runs) != len(base) or list(runs["model"]) != list(base["model"]):
        raise AssertionError("study_reports: the study's runs do not match its baseline rows")
    reports: dict[str, dict[str, Any]] = {}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    from trainlca import SCHEMA_VERSION, __version__

    versions = [SCHEMA_VERSION, __version__]
    w.writerow(["model", "publication_date", "hardware", "file", "nbComponent", "reason",
                "schema_version", "trainlca_version"])
    taken: set[str] = set()
    for row, run in zip(base.to_dict("records"), runs.to_dict("records"), strict=True):
        count, why = _count(run)
        if count is None:
            w.writerow([row["model"], row["publication_date"], row["hardware"], "", "", why,
                        *versions])
            continue
        name = _file_name(str(row["model"]), taken)
        reports[name] = system_report(row, run, meta, count=count, count_source=why,
                                      report_datetime=report_datetime)
        w.writerow([row["model"], row["publication_date"], row["hardware"], name, count, "",
                    *versions])
    return reports, out.getvalue()
