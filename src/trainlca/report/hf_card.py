"""The environmental-impact part of a Hugging Face model card.

The Hub reads carbon emissions from the model card's YAML metadata (the ``README.md`` front
matter), as documented in https://huggingface.co/docs/hub/model-cards-co2::

    co2_eq_emissions:
      emissions: number (in grams of CO2)
      source: "source of the information, either directly from AutoTrain, code carbon or from a
               scientific article documenting the model"
      training_type: "pre-training or fine-tuning"
      geographical_location: "as granular as possible, for instance Quebec, Canada ..."
      hardware_used: "how much compute and what kind, e.g. 8 v100 GPUs"

:func:`hf_card` writes that block, with ``emissions`` = the estimate's life-cycle GWP total
(kgCO2eq) × 1000, then a short Markdown section with the other criteria (ADPe, PE, water), their
90 % intervals, the boundary and what is not covered. :func:`hf_card_metadata` returns the block
as a dict, to merge into an existing card (e.g. ``huggingface_hub.ModelCard.data``).

The YAML is written by hand (no YAML library at run time): strings as JSON strings, which are
valid YAML double-quoted scalars, and numbers with a decimal point so that YAML 1.1 parsers
(PyYAML) read them as floats.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from trainlca.errors import ParameterError
from trainlca.report.facts import RunFacts, impact, impact_interval, plain, run_facts

#: Keys of ``co2_eq_emissions``, spelled as the Hub documents them.
KEYS: Final[tuple[str, ...]] = ("emissions", "source", "training_type",
                                "geographical_location", "hardware_used")
_CRITERIA: Final[tuple[tuple[str, str, str], ...]] = (
    ("gwp", "global warming (GWP)", "kgCO2eq"),
    ("adpe", "abiotic depletion, minerals and metals (ADPe)", "kgSbeq"),
    ("pe", "primary energy (PE)", "MJ"),
    ("wu", "water use (WU)", "L"),
)
_STAGES: Final[dict[str, str]] = {"production_accelerator": "accelerator production",
                                  "production_host": "host production", "use": "electricity"}


def _version(doc: Mapping[str, Any]) -> str:
    v = doc.get("trainlca_version")
    return f"trainlca {v}" if isinstance(v, str) else "trainlca"


def _source(doc: Mapping[str, Any], f: RunFacts) -> str:
    what = (f"life-cycle GWP (hardware production share + electricity, preset {f.preset})"
            if "production" in f.boundary else f"GWP of the electricity (preset {f.preset})")
    if f.energy_measured and f.codecarbon_version:
        cc = "" if f.codecarbon_version == "?" else f" {f.codecarbon_version}"
        return f"energy measured by CodeCarbon{cc}; {what} estimated by {_version(doc)}"
    energy = "measured energy" if f.energy_measured else "estimated energy"
    return f"{_version(doc)}: {what}, from {energy}"


def _location(f: RunFacts) -> str:
    from trainlca.countries import WORLD, country_name

    if f.location == WORLD:
        return "unknown (world-average electricity grid assumed)"
    return country_name(f.location)


def _hardware(f: RunFacts) -> str:
    hours = f"{plain(f.accelerator_hours)} accelerator-hours"
    n = f.whole_count
    return f"{n} × {f.hardware} ({hours})" if n is not None else f"{f.hardware} ({hours})"


def hf_card_metadata(doc: Mapping[str, Any], *, training_type: str = "pre-training",
                     geographical_location: str | None = None,
                     hardware_used: str | None = None) -> dict[str, Any]:
    """The ``co2_eq_emissions`` metadata of an estimate: ``{"co2_eq_emissions": {...}}``.

    Args:
        doc: the estimate document (``Estimate.to_dict()`` / ``estimate --format json``).
        training_type: "pre-training" (default) or "fine-tuning".
        geographical_location: more precise than the country (default: the grid's country).
        hardware_used: default "N × <accelerator> (H accelerator-hours)".

    Raises:
        ParameterError: an empty ``training_type``, no GWP total, not an estimate document.
    """
    if not training_type.strip():
        raise ParameterError("training_type: give 'pre-training' or 'fine-tuning'")
    f = run_facts(doc)
    gwp = impact(doc, "gwp")
    if gwp is None:
        raise ParameterError("the estimate has no GWP total: cannot write co2_eq_emissions")
    return {"co2_eq_emissions": {
        "emissions": gwp * 1000.0,  # kgCO2eq → g
        "source": _source(doc, f),
        "training_type": training_type,
        "geographical_location": geographical_location or _location(f),
        "hardware_used": hardware_used or _hardware(f),
    }}


def _yaml_scalar(x: Any) -> str:
    if isinstance(x, float):
        text = repr(x)
        mantissa, _, exponent = text.partition("e")
        if exponent and "." not in mantissa:
            text = f"{mantissa}.0e{exponent}"  # YAML 1.1 floats need a point: 1e-05 → 1.0e-05
        return text
    return json.dumps(str(x), ensure_ascii=False)


def _front_matter(meta: Mapping[str, Any]) -> str:
    lines = ["---", "co2_eq_emissions:"]
    lines += [f"  {k}: {_yaml_scalar(v)}" for k, v in meta["co2_eq_emissions"].items()]
    return "\n".join([*lines, "---"])


def _interval_text(doc: Mapping[str, Any], c: str) -> str:
    iv = impact_interval(doc, c)
    return "–" if iv is None else f"{plain(iv.p5)}–{plain(iv.p95)} (median {plain(iv.p50)})"


def _share(doc: Mapping[str, Any], c: str, in_boundary: bool) -> str:
    """Hardware production as a share of the total ("excluded" outside the boundary)."""
    tot, prod = impact(doc, c), impact(doc, c, "production")
    if not in_boundary:
        return "excluded"
    if prod is None or not tot:
        return "n/c"
    pct = 100 * prod / tot
    return f"{pct:.0f} %" if pct >= 1 or pct == 0 else f"{pct:.1g} %"


def _table(doc: Mapping[str, Any]) -> str:
    rows = ["| criterion | total | 90 % interval | hardware production |",
            "|---|---|---|---|"]
    in_boundary = "production" in str(doc.get("boundary", ""))
    for c, label, unit in _CRITERIA:
        tot, share = impact(doc, c), _share(doc, c, in_boundary)
        rows.append(f"| {label} | {'n/c' if tot is None else plain(tot)} {unit} | "
                    f"{_interval_text(doc, c)} | {share} |")
    return "\n".join(rows)


def _not_covered(doc: Mapping[str, Any]) -> list[str]:
    out = []
    impacts = doc.get("impacts") or {}
    for c, label, _unit in _CRITERIA:
        out += [f"{label.split(' (')[0]} of {_STAGES[s]}" for s in _STAGES
                if s in impacts.get(c, {}) and impact(doc, c, s) is None]
    return out


def _body(doc: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    f = run_facts(doc)
    co2 = meta["co2_eq_emissions"]
    energy = (f"{plain(f.energy_kwh)} kWh of electricity (measured)"
              if f.energy_measured else f"an estimated {plain(f.energy_kwh)} kWh of electricity")
    if f.energy_interval is not None:
        energy += (f" (90 % interval {plain(f.energy_interval.p5)}–"
                   f"{plain(f.energy_interval.p95)} kWh)")
    where = co2["geographical_location"]
    where = ("at an unknown location (world-average electricity grid assumed)"
             if where == _location(f) and f.location == "WOR" else f"in {where}")
    text = (f"Training ran on {co2['hardware_used']} {where} and "
            f"used {energy}. The `co2_eq_emissions` metadata is the GWP total below in grams, "
            f"{plain(co2['emissions'])} g CO2eq. All criteria ({_version(doc)}, preset "
            f"`{f.preset}`):")
    missing = _not_covered(doc)
    tail = [f"Boundary: {f.boundary}."]
    if missing:
        tail.append("Not covered (no data, shown n/c, never zero): " + "; ".join(missing) + ".")
    if impact_interval(doc, "gwp") is not None:
        tail.append(f"Intervals: 5th–95th percentiles of {f.draws:,} Monte Carlo draws of the "
                    "uncertain parameters.")
    else:
        tail.append("Point estimate: no Monte Carlo interval was drawn.")
    return "\n\n".join(["## Environmental impact", text, _table(doc), " ".join(tail)])


def hf_card(doc: Mapping[str, Any], *, training_type: str = "pre-training",
            geographical_location: str | None = None, hardware_used: str | None = None) -> str:
    """A model-card fragment: the ``co2_eq_emissions`` YAML front matter, then an
    "Environmental impact" Markdown section (criteria, 90 % intervals, boundary).

    Arguments as :func:`hf_card_metadata`.
    """
    meta = hf_card_metadata(doc, training_type=training_type,
                            geographical_location=geographical_location,
                            hardware_used=hardware_used)
    return f"{_front_matter(meta)}\n\n{_body(doc, meta)}\n"
