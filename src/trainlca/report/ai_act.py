"""The training-energy part of the EU AI Act documentation of a general-purpose AI model.

Article 53(1)(a) and Annex XI, Section 1, points 2(d)-(e) of the AI Act (Regulation (EU)
2024/1689) ask providers of general-purpose AI models to document "the computational resources
used to train the model (e.g. number of floating point operations), training time" and the
"known or estimated energy consumption of the model". The General-Purpose AI Code of Practice,
Transparency chapter (10 July 2025), collects them in its Model Documentation Form; the items of
that form this module fills are listed, with their source, in ``docs/exports.md``:

- Training time: wall-clock days and hardware-days (for the AI Office), a range (< 1 month,
  1-3, 3-6, > 6 months; for national competent authorities);
- Amount of computation used for training: FLOP, at least two significant figures (order of
  magnitude for the authorities), and the measurement methodology;
- Amount of energy used for training: MWh, at least two significant figures, and the
  measurement methodology (recommended about 100 words).

:func:`ai_act` writes them in Markdown (default) or LaTeX from an estimate document; the energy
methodology paragraph states the boundary (chip, node, or facility with PUE), what was measured
and what was estimated (from the provenance), and the 90 % interval.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from trainlca.errors import ParameterError
from trainlca.report.facts import (
    ENERGY_PARAMS,
    RunFacts,
    plain,
    power_of_ten,
    provenance,
    provenance_value,
    run_facts,
    superscript,
)

FORM: Final[str] = ("General-Purpose AI Code of Practice, Transparency chapter, Model "
                    "Documentation Form (10 July 2025)")
LEGAL_BASIS: Final[str] = "AI Act (Regulation (EU) 2024/1689), Annex XI, Section 1, points 2(d)-(e)"
#: Average month, days (365.25 / 12), for the form's training-time ranges.
MONTH_DAYS: Final[float] = 30.4375
_PARAM_WORDS: Final[dict[str, str]] = {
    "power_fraction": "power fraction", "host_power_ratio": "host power",
    "host_power_w": "host power", "pue": "PUE", "dynamic_ratio": "overhead factor",
    "mfu": "model FLOP utilisation",
}


@dataclass(frozen=True)
class FormItem:
    """One item of the Model Documentation Form: its name and the text to enter."""

    item: str
    value: str


def _months_range(days: float) -> str:
    months = days / MONTH_DAYS
    if months < 1:
        return "less than 1 month"
    if months <= 3:
        return "1–3 months"
    return "3–6 months" if months <= 6 else "more than 6 months"


def _training_time(f: RunFacts) -> list[FormItem]:
    hw = (f"{power_of_ten(f.accelerator_hours / 24)} accelerator-days "
          f"({plain(f.accelerator_hours)} accelerator-hours of {f.hardware}"
          f"{', derived from the compute' if f.accelerator_hours_status == 'imputed' else ''})")
    if f.hours is None:
        wall = "not known to trainlca (the run was given as accelerator-hours or FLOP)"
    else:
        days = f.hours / 24
        wall = f"{plain(days)} days ({plain(f.hours)} h); range: {_months_range(days)}"
    return [FormItem("Training time (wall-clock)", wall),
            FormItem("Training time (hardware)", hw)]


def _peak_flops(hardware: str) -> float | None:
    """Dense 16-bit peak FLOP/s of a catalogue accelerator (None if unknown)."""
    from trainlca.catalog import load_catalog
    from trainlca.errors import UnknownHardwareError

    try:
        peak = load_catalog().get(hardware).peak_flops("bf16")
    except UnknownHardwareError:
        return None
    return peak if math.isfinite(peak) and peak > 0 else None


def _computation(doc: Mapping[str, Any], f: RunFacts) -> list[FormItem]:
    mfu = provenance_value(doc, "mfu")
    if f.flop is not None:
        flop, how = f.flop, "as given to trainlca (--flop); not measured by trainlca"
        status = "given"
    else:
        peak = _peak_flops(f.hardware)
        if peak is None or mfu is None:
            return [FormItem("Amount of computation used for training",
                             "not known to trainlca: give the run's FLOP (--flop)"),
                    FormItem("Measurement methodology (computation)", "none")]
        from trainlca.params import DEFAULTS

        low, high = DEFAULTS["mfu"].low, DEFAULTS["mfu"].high
        flop, status = f.accelerator_hours * 3600 * peak * mfu, "estimated"
        how = (f"estimated by trainlca as accelerator-hours × 3,600 s × dense 16-bit peak "
               f"{power_of_ten(peak, 3)} FLOP/s (catalogue) × model FLOP utilisation "
               f"{mfu:g} (trainlca default, range {low:g}–{high:g}); replace it with the "
               "counted FLOP")
    magnitude = f"10{superscript(math.floor(math.log10(flop)))}"
    return [FormItem("Amount of computation used for training",
                     f"{power_of_ten(flop)} FLOP ({status}; order of magnitude {magnitude})"),
            FormItem("Measurement methodology (computation)", how)]


def _boundary(f: RunFacts) -> str:
    """The electricity boundary in words: chip, node or facility (with PUE)."""
    if f.energy_measured:
        if f.codecarbon_version:
            return ("node — the CPUs, GPUs and RAM of the machines CodeCarbon tracked, as it "
                    "metered them; trainlca adds no facility overhead (PUE) to a measured value")
        return "that of the meter, which trainlca does not record: state it"
    pue = f.pue if f.pue is not None else 1.0
    dr = f.dynamic_ratio if f.dynamic_ratio is not None else 1.0
    if f.hosts_powered is None:
        return f"as stated by trainlca: {f.boundary}"
    what = ("the accelerators and their host servers" if f.hosts_powered
            else "the accelerators only, no host servers")
    if dr > 1:
        return (f"facility — {what}, times MLCA's overhead factor {dr:.3g} (in place of PUE "
                "and idle power)")
    if pue > 1:
        kind = "facility" if f.hosts_powered else "chip with PUE"
        return (f"{kind} — {what}, times a power usage effectiveness (PUE) of {pue:.3g} for "
                "cooling and power distribution")
    return f"{'node' if f.hosts_powered else 'chip'} — {what}, no facility overhead (PUE 1)"


def _estimated_parts(doc: Mapping[str, Any], f: RunFacts) -> str:
    """The energy formula of run.py with this run's values:
    E = H × (TDP × power fraction + host ratio × TDP + host W) × PUE × overhead factor."""
    h_src = (f"{f.count:g} accelerators × {plain(f.hours or 0)} h, given"
             if f.count is not None and f.hours is not None else
             "derived from the given FLOP" if f.accelerator_hours_status == "imputed"
             else "given")
    tdp, pf = provenance_value(doc, "tdp_w"), provenance_value(doc, "power_fraction")
    power = f"TDP {tdp:g} W (catalogue)" if tdp is not None else "TDP (catalogue)"
    if pf is not None:
        power += f" × average power fraction {pf:g}"
    if f.hosts_powered:
        ratio, watts = provenance_value(doc, "host_power_ratio"), provenance_value(
            doc, "host_power_w")
        server = provenance_value(doc, "host_server_power_w")
        if server:
            power += f" + host CPUs and RAM {server:.3g} W"
        if ratio:
            power += f" + other host IT {ratio:g} × TDP"
        if watts:
            power += f" + {watts:g} W per accelerator"
    overhead = "".join(f" × {name} {v:.3g}" for name, v in
                       (("PUE", f.pue), ("overhead factor", f.dynamic_ratio))
                       if v is not None and v != 1)
    return (f"Estimated: energy = accelerator-hours ({plain(f.accelerator_hours)}, {h_src}) × "
            f"({power}){overhead}.")


def _uncertain(doc: Mapping[str, Any], f: RunFacts) -> list[str]:
    """Energy-model parameters drawn in the Monte Carlo (default status and a range)."""
    from trainlca.params import DEFAULTS

    names = list(ENERGY_PARAMS) + (["mfu"] if f.accelerator_hours_status == "imputed" else [])
    out = []
    for name in names:
        p = provenance(doc, name)
        par = DEFAULTS.get(name)
        if p is not None and p.get("status") == "default" and par is not None and par.uncertain:
            out.append(_PARAM_WORDS.get(name, name))
    return list(dict.fromkeys(out))


def _interval(doc: Mapping[str, Any], f: RunFacts) -> str:
    if f.energy_measured:
        return "No interval: a metered value, for which the meter reports no uncertainty."
    iv = f.energy_interval
    if iv is None:
        return "No interval: a point estimate (no Monte Carlo draws)."
    drivers = _uncertain(doc, f)
    over = f" over {', '.join(drivers)}" if drivers else ""
    return (f"90 % interval {power_of_ten(iv.p5 / 1000)}–{power_of_ten(iv.p95 / 1000)} MWh: "
            f"5th–95th percentiles of {f.draws:,} Monte Carlo draws{over}.")


def energy_methodology(doc: Mapping[str, Any]) -> str:
    """The form's "Measurement methodology" of the training energy (about 100 words)."""
    f = run_facts(doc)
    version = doc.get("trainlca_version")
    tool = f"trainlca {version}" if isinstance(version, str) else "trainlca"
    if f.energy_measured:
        meter = (f.energy_source.split(":")[0] if f.codecarbon_version else
                 "the user's meter (given to trainlca as a measured energy)")
        head = f"Measured by {meter}; {tool} only converts kWh to MWh."
        parts = "Measured: the energy. Estimated: nothing in this figure."
    else:
        head = (f"Estimated with {tool} (preset {f.preset}), a model of the run's power, not "
                "metered.")
        parts = "Measured: nothing. " + _estimated_parts(doc, f)
    return " ".join([head, f"Boundary: {_boundary(f)}.", parts, _interval(doc, f),
                     "It covers this training run only (not experiments or failed runs) and "
                     "excludes hardware production and other life-cycle stages."])


def ai_act_items(doc: Mapping[str, Any]) -> list[FormItem]:
    """The form items, in the form's order: training time, computation, energy."""
    f = run_facts(doc)
    mwh = f.energy_kwh / 1000.0
    status = "measured" if f.energy_measured else "estimated"
    return [
        *_training_time(f),
        *_computation(doc, f),
        FormItem("Amount of energy used for training", f"{power_of_ten(mwh)} MWh ({status})"),
        FormItem("Measurement methodology (energy)", energy_methodology(doc)),
        FormItem("Benchmarked amount of computation used for inference",
                 "not covered (trainlca assesses training)"),
    ]


_SCI = re.compile(r"(?:(\d(?:\.\d+)?)×)?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _latex(text: str) -> str:
    """LaTeX-escaped text with ``7.8×10²`` as ``$7.8\\times10^{2}$`` and ``10²³`` as
    ``$10^{23}$``."""
    from trainlca.report.statement import latex_escape

    out, last = [], 0
    for m in _SCI.finditer(text):
        out.append(latex_escape(text[last:m.start()]))
        mantissa = f"{m.group(1)}\\times" if m.group(1) else ""
        out.append(f"${mantissa}10^{{{m.group(2).translate(_DIGITS)}}}$")
        last = m.end()
    out.append(latex_escape(text[last:]))
    return "".join(out)


def ai_act(doc: Mapping[str, Any], fmt: str = "md") -> str:
    """The training-energy items of the Model Documentation Form, ready to paste.

    Args:
        doc: the estimate document (``Estimate.to_dict()`` / ``estimate --format json``).
        fmt: ``md`` (Markdown, default) or ``latex``.

    Raises:
        ParameterError: an unknown ``fmt``, not an estimate document.
    """
    if fmt not in ("md", "latex"):
        raise ParameterError(f"--statement ai-act format {fmt!r}: use md or latex")
    items = ai_act_items(doc)
    intro = (f"For the {FORM}: the items on training time, computation and energy "
             f"({LEGAL_BASIS}).")
    if fmt == "latex":
        rows = "\n".join(f"  \\item[{_latex(i.item)}] {_latex(i.value)}" for i in items)
        return (f"\\paragraph{{Energy consumption and computational resources (training).}} "
                f"{_latex(intro)}\n\\begin{{description}}\n{rows}\n\\end{{description}}\n")
    body = "\n".join(f"- **{i.item}:** {i.value}" for i in items)
    return f"## Energy consumption and computational resources (training)\n\n{intro}\n\n{body}\n"
