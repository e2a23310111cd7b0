"""BoAmps reports: write one from an estimate, read one as a measured run.

BoAmps (Boavizta, https://github.com/Boavizta/BoAmps, format 1.1.0 of 2025-03-19, CC BY 4.0) is a
JSON format for the energy of an AI task: ``header``, ``task`` (stage, family, algorithms,
dataset), ``measures`` (method, ``powerConsumption`` in kWh, duration in s), ``infrastructure``
(components: type, name, count, memory), ``environment`` (country, grid carbon intensity in
gCO2eq/kWh) and ``quality`` (high ±10 %, medium ±25 %, low ±50 %).

:func:`to_boamps` maps an estimate document (``trainlca estimate --format json``) onto those
fields (the mapping, field by field, is in ``docs/exports.md``). BoAmps has no field for
production ("embodied") impacts, ADPe, PE, water or intervals, and its schemas set no
``additionalProperties: false``, so extra keys are valid anywhere: trainlca declares one
extension, the top-level key ``"trainlca"``, which carries the whole estimate document (shipped
schema ``urn:trainlca:schema:estimate:1``) and lists the BoAmps fields that trainlca could not
know and filled with a neutral value.

:func:`read_boamps` reads a BoAmps report (ours, BoAmps' examples, CodeCarbon's
``codecarbon.output_methods.boamps`` writer) into a :class:`BoampsRun`: energy, hardware and
counts, duration, country. Only the standard library is used.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from trainlca.errors import DataFileError, ParameterError
from trainlca.report.facts import RunFacts, number, plain, provenance_value, run_facts

#: BoAmps format version written (the shared schemas' release).
FORMAT_VERSION: Final[str] = "1.1.0"
FORMAT_URI: Final[str] = "https://github.com/Boavizta/BoAmps/tree/main/model"
#: Top-level key of trainlca's extension.
EXTENSION_KEY: Final[str] = "trainlca"
INFRA_TYPES: Final[tuple[str, ...]] = ("publicCloud", "privateCloud", "onPremise", "other")
#: Component types read as accelerators (BoAmps' componentType is free text: "gpu", ...).
ACCELERATOR_TYPES: Final[frozenset[str]] = frozenset(
    {"gpu", "tpu", "npu", "ipu", "asic", "wse", "fpga", "accelerator"})
#: quality level → largest relative half-width of the 90 % energy interval it stands for.
QUALITY: Final[tuple[tuple[str, float], ...]] = (("high", 0.10), ("medium", 0.25), ("low", 0.50))
#: How ``quality`` was derived, or why it is absent (the extension says which).
QUALITY_TEXT: Final[str] = ("from the 90 % energy interval (largest deviation from the median: "
                            "high ≤ 10 %, medium ≤ 25 %, low ≤ 50 %)")
NO_QUALITY_TEXT: Final[str] = "not given (no energy interval, or wider than ±50 %)"
_COUNT_PREFIX = re.compile(r"^\s*\d+\s*[x×]\s*", re.IGNORECASE)


def json_ready(x: Any) -> Any:
    """A deep copy with non-finite floats as None (JSON has no NaN)."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, Mapping):
        return {str(k): json_ready(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_ready(v) for v in x]
    return copy.copy(x)


def accelerator_kind(name: str) -> tuple[str, str]:
    """(componentType, manufacturer) of a catalogue accelerator; ("gpu", "") if unknown."""
    from trainlca.catalog import load_catalog
    from trainlca.errors import UnknownHardwareError

    try:
        acc = load_catalog().get(name)
    except UnknownHardwareError:
        return "gpu", ""
    return acc.type.lower(), acc.vendor


def _component_count(f: RunFacts, count: int | None) -> int:
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ParameterError(f"BoAmps nbComponent: count {count!r} must be a whole "
                                 "number ≥ 1")
        return count
    if f.whole_count is not None:
        return f.whole_count
    how = "accelerator-hours" if f.flop is None else "FLOP"
    raise ParameterError(
        f"BoAmps needs the number of accelerators (nbComponent), but this run was given as "
        f"{how}{'' if f.count is None else f' with {f.count:g} accelerators'}; give the count "
        "(--count N, or count= in Python)")


def _quality(f: RunFacts) -> str | None:
    """BoAmps quality from the 90 % energy interval around its median."""
    iv = f.energy_interval
    return None if iv is None else quality_of(iv.p50, iv.p5, iv.p95)


def quality_of(center: float, p5: float, p95: float) -> str | None:
    """BoAmps quality from a 90 % interval: the largest deviation from ``center``, relative
    to it; None when ``center`` ≤ 0 or the deviation exceeds ±50 %."""
    if not center > 0:
        return None
    spread = max(p95 - center, center - p5) / center
    return next((q for q, limit in QUALITY if spread <= limit), None)


def assemble(header: dict[str, Any], task: dict[str, Any], measure: dict[str, Any],
             component: dict[str, Any], infra_type: str, environment: dict[str, Any],
             quality: str | None, extension: dict[str, Any]) -> dict[str, Any]:
    """A BoAmps report from its parts (``quality`` omitted when None); ``extension`` goes
    under :data:`EXTENSION_KEY`."""
    report: dict[str, Any] = {
        "header": header, "task": task, "measures": [measure],
        "infrastructure": {"infraType": infra_type, "components": [component]},
        "environment": environment,
    }
    if quality is not None:
        report["quality"] = quality
    report[EXTENSION_KEY] = extension
    return report


def _measure(doc: Mapping[str, Any], f: RunFacts) -> dict[str, Any]:
    m: dict[str, Any]
    if f.energy_measured and f.codecarbon_version:
        m = {"measurementMethod": "codecarbon"}
        if f.codecarbon_version != "?":
            m["version"] = f.codecarbon_version
    elif f.energy_measured:
        m = {"measurementMethod": "measured (method not recorded by trainlca)"}
    else:
        m = {"measurementMethod": "trainlca estimate"}
        if isinstance(doc.get("trainlca_version"), str):
            m["version"] = doc["trainlca_version"]
    m["powerConsumption"] = f.energy_kwh
    if f.hours is not None:
        m["measurementDuration"] = f.hours * 3600.0
    return m


def _environment(doc: Mapping[str, Any], f: RunFacts) -> dict[str, Any]:
    from trainlca.countries import WORLD, country_name

    env: dict[str, Any] = {"country": country_name(f.location)}
    if f.location == WORLD:
        env["location"] = "world-average grid (training location not given)"
    gwp = provenance_value(doc, "grid_gwp")
    if gwp is not None:
        env["powerSourceCarbonIntensity"] = gwp * 1000.0  # kgCO2eq/kWh → gCO2eq/kWh
    return env


def boamps_header(report_id: str | None, report_datetime: str | None,
            publisher: str | None, confidentiality: str) -> dict[str, Any]:
    when = report_datetime or datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    header: dict[str, Any] = {
        "formatVersion": FORMAT_VERSION,
        "formatVersionSpecificationUri": FORMAT_URI,
        "reportId": report_id or str(uuid.uuid4()),
        "reportDatetime": when,
        "reportStatus": "draft",
    }
    if publisher:
        header["publisher"] = {"name": publisher, "confidentialityLevel": confidentiality}
    return header


def _description(f: RunFacts, count: int) -> str:
    run = (f"{count} × {f.hardware} for {plain(f.hours)} h" if f.hours is not None
           else f"{count} × {f.hardware}")
    energy = ("energy measured" if f.energy_measured else "energy estimated")
    return (f"Training run: {run}, {plain(f.accelerator_hours)} accelerator-hours; {energy}. "
            f"Assessed by trainlca (preset {f.preset}): life-cycle results (hardware "
            f"production, GWP, ADPe, PE, water, 90 % intervals) in the '{EXTENSION_KEY}' "
            "extension.")


def to_boamps(doc: Mapping[str, Any], *, count: int | None = None,
              task_family: str | None = None, training_type: str | None = None,
              algorithm_type: str | None = None, infra_type: str = "other",
              publisher: str | None = None, confidentiality: str = "public",
              report_id: str | None = None, report_datetime: str | None = None,
              ) -> dict[str, Any]:
    """A BoAmps 1.1.0 report (a JSON-ready dict) of one estimate.

    Args:
        doc: the estimate document (``Estimate.to_dict()`` / ``estimate --format json``).
        count: accelerators (``nbComponent``), needed when the run was not given as count ×
            hours (e.g. from FLOP or CodeCarbon accelerator-hours).
        task_family: BoAmps ``taskFamily`` (e.g. "text generation"); default "unspecified".
        training_type: BoAmps ``trainingType`` (e.g. "supervisedLearning").
        algorithm_type: BoAmps ``algorithmType`` (e.g. "llm").
        infra_type: publicCloud, privateCloud, onPremise or other (default: not known).
        publisher: the publishing organisation's name (``header.publisher``).
        confidentiality: public, internal, confidential or secret (with ``publisher``).
        report_id: report identifier (default: a new uuid4).
        report_datetime: "YYYY-MM-DD HH:MM:SS" (default: now, UTC).

    Raises:
        ParameterError: no accelerator count, a bad ``infra_type``, not an estimate document.
    """
    if infra_type not in INFRA_TYPES:
        raise ParameterError(f"BoAmps infraType {infra_type!r}: use one of "
                             f"{', '.join(INFRA_TYPES)}")
    f = run_facts(doc)
    n = _component_count(f, count)
    unspecified = [] if task_family else ["task.taskFamily"]
    algorithm = {k: v for k, v in (("trainingType", training_type),
                                   ("algorithmType", algorithm_type)) if v}
    if not algorithm:
        algorithm, unspecified = {"algorithmType": "unspecified"}, [
            *unspecified, "task.algorithms"]
    unspecified += ["task.dataset"] + (["infrastructure.infraType"]
                                       if infra_type == "other" else [])
    ctype, vendor = accelerator_kind(f.hardware)
    component: dict[str, Any] = {"componentName": f.hardware, "componentType": ctype,
                                 "nbComponent": n}
    memory = provenance_value(doc, "memory_gb")
    if memory is not None:
        component["memorySize"] = memory
    if vendor:
        component["manufacturer"] = vendor
    task = {
        "taskStage": "training",
        "taskFamily": task_family or "unspecified",
        "algorithms": [algorithm],
        "dataset": [{"dataUsage": "input", "dataType": "other"}],
        "taskDescription": _description(f, n),
    }
    quality = _quality(f)
    return assemble(
        boamps_header(report_id, report_datetime, publisher, confidentiality), task,
        _measure(doc, f), component, infra_type, _environment(doc, f), quality, {
            "description": "trainlca extension: life-cycle impacts beyond BoAmps 1.1.0 "
                           "(hardware production, GWP, ADPe, PE, water, 90 % intervals, "
                           "provenance). 'estimate' follows the JSON Schema "
                           "urn:trainlca:schema:estimate:1 shipped with trainlca.",
            "unspecified": unspecified,
            "quality": QUALITY_TEXT if quality else NO_QUALITY_TEXT,
            "estimate": json_ready(doc),
        })


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoampsComponent:
    """One ``infrastructure.components`` item."""

    type: str
    name: str
    count: int
    memory_gb: float | None = None
    manufacturer: str = ""

    @property
    def hardware(self) -> str:
        """The name without CodeCarbon's "4 x " count prefix."""
        return _COUNT_PREFIX.sub("", self.name).strip()

    @property
    def is_accelerator(self) -> bool:
        return self.type.strip().lower() in ACCELERATOR_TYPES


@dataclass(frozen=True)
class BoampsRun:
    """A BoAmps report read as a measured run.

    Attributes:
        path: the file read.
        energy_kwh: Σ ``measures[].powerConsumption``, kWh.
        duration_h: Σ ``measures[].measurementDuration`` / 3600, h (None if a measure has none).
        components: every infrastructure component.
        country: ISO-3 code of ``environment.country`` (None when absent or not a country).
        country_raw: ``environment.country`` as written ("France", "france", ...).
        task_stage: ``task.taskStage`` ("training", "inference", ...).
        methods: the measures' ``measurementMethod`` values.
        estimate: the trainlca estimate document of the extension, when present.
    """

    path: Path
    energy_kwh: float
    duration_h: float | None
    components: tuple[BoampsComponent, ...]
    country: str | None
    country_raw: str
    task_stage: str
    methods: tuple[str, ...]
    estimate: Mapping[str, Any] | None = None

    @property
    def accelerators(self) -> tuple[BoampsComponent, ...]:
        return tuple(c for c in self.components if c.is_accelerator)

    @property
    def hardware(self) -> str:
        """Accelerator name(s), comma-separated ('' when the report lists none)."""
        return ", ".join(dict.fromkeys(c.hardware for c in self.accelerators))

    @property
    def accelerator_count(self) -> int | None:
        """Σ nbComponent of the accelerators (None when there are none)."""
        acc = self.accelerators
        return sum(c.count for c in acc) if acc else None

    @property
    def accelerator_hours(self) -> float | None:
        """accelerators × duration, h (None without both)."""
        n, h = self.accelerator_count, self.duration_h
        return None if n is None or h is None else n * h


def _load(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read BoAmps report ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, Mapping):
        raise DataFileError(f"{path}: a BoAmps report is a JSON object, got "
                            f"{type(data).__name__}")
    return data


def _measures(path: Path, data: Mapping[str, Any]) -> tuple[float, float | None, tuple[str, ...]]:
    measures = data.get("measures")
    if not isinstance(measures, Sequence) or isinstance(measures, str) or not measures:
        raise DataFileError(f"{path}: no 'measures' (BoAmps needs at least one measure with "
                            "powerConsumption in kWh)")
    energy, durations, methods = 0.0, [], []
    for i, m in enumerate(measures):
        where = f"{path}: measures[{i}]"
        if not isinstance(m, Mapping):
            raise DataFileError(f"{where} is not an object")
        kwh = number(m.get("powerConsumption"))
        if kwh is None or kwh < 0:
            raise DataFileError(f"{where}.powerConsumption must be a number ≥ 0 (kWh), got "
                                f"{m.get('powerConsumption')!r}")
        unit = m.get("unit")
        if unit is not None and str(unit).lower() != "kwh":
            raise DataFileError(f"{where}: unit {unit!r}; BoAmps 1.x energies are in kWh")
        energy += kwh
        durations.append(number(m.get("measurementDuration")))
        methods.append(str(m.get("measurementMethod", "")))
    if len(set(methods)) > 1:
        raise DataFileError(
            f"{path}: {len(methods)} measures by different methods ({', '.join(methods)}): "
            "they may measure the same task twice; keep one measure in the file")
    duration = (None if any(d is None for d in durations)
                else sum(d for d in durations if d is not None) / 3600.0)
    return energy, duration, tuple(methods)


def _components(path: Path, data: Mapping[str, Any]) -> tuple[BoampsComponent, ...]:
    infra = data.get("infrastructure")
    items = infra.get("components") if isinstance(infra, Mapping) else None
    if not isinstance(items, Sequence) or isinstance(items, str):
        return ()
    out = []
    for i, c in enumerate(items):
        n = number(c.get("nbComponent")) if isinstance(c, Mapping) else None
        if not isinstance(c, Mapping) or n is None or n < 0 or not n.is_integer():
            raise DataFileError(f"{path}: infrastructure.components[{i}].nbComponent must be a "
                                "whole number ≥ 0")
        out.append(BoampsComponent(
            type=str(c.get("componentType", "")), name=str(c.get("componentName", "")),
            count=int(n), memory_gb=number(c.get("memorySize")),
            manufacturer=str(c.get("manufacturer", ""))))
    return tuple(out)


def read_boamps(path: str | Path) -> BoampsRun:
    """Read a BoAmps report (JSON) as a measured run.

    Several measures are added up when they come from one method (e.g. one per process);
    measures by different methods are refused, as they may measure the same task twice.

    Raises:
        DataFileError: unreadable file, not JSON, no measures, a bad energy, unit or count.
    """
    from trainlca.countries import to_iso3

    p = Path(path)
    data = _load(p)
    energy, duration, methods = _measures(p, data)
    env = data.get("environment")
    raw = str(env.get("country", "")) if isinstance(env, Mapping) else ""
    task = data.get("task")
    ext = data.get(EXTENSION_KEY)
    est = ext.get("estimate") if isinstance(ext, Mapping) else None
    return BoampsRun(
        path=p, energy_kwh=energy, duration_h=duration, components=_components(p, data),
        country=to_iso3(raw) if raw.strip() else None, country_raw=raw,
        task_stage=str(task.get("taskStage", "")) if isinstance(task, Mapping) else "",
        methods=methods, estimate=est if isinstance(est, Mapping) else None,
    )
