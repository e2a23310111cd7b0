"""A paragraph for the environmental-impact section of a paper (Markdown or LaTeX).

``statement(estimate, fmt)`` states the run (hardware, accelerators × hours or
accelerator-hours, location), the electricity and each criterion with its 90 % interval, the
boundary (what is included and excluded), the preset, the data versions, and the citations.
Numbers are given to three significant digits, the same as the ``estimate`` table.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from trainlca.api import Estimate, Provenance

Fmt = Literal["md", "latex"]

REFERENCES: Final[dict[str, str]] = {
    "trainlca": "trainlca {version}: life-cycle impacts of training machine-learning models "
                "(software).",
    "morand": "C. Morand, A.-L. Ligozat, A. Névéol. How Green Can AI Be? A Study of Trends in "
              "Machine Learning Environmental Impacts. arXiv:2412.17376, 2024.",
    "ecologits": "EcoLogits {version}: electricity impact factors "
                 "(GenAI Impact, https://ecologits.ai).",
    "epoch": "Epoch AI. Data on Machine Learning Hardware (CC BY 4.0), "
             "https://epoch.ai/data/machine-learning-hardware.",
    "codecarbon": "CodeCarbon: track and reduce CO2 emissions from your computing "
                  "(https://codecarbon.io), energy measurement.",
}

_CRIT_TEXT: Final[dict[str, tuple[str, str]]] = {
    # criterion → (words, LaTeX unit)
    "gwp": ("a global warming potential (GWP) of", r"kgCO\textsubscript{2}eq"),
    "adpe": ("an abiotic resource depletion (ADPe, minerals and metals) of", "kgSbeq"),
    "pe": ("a primary energy use (PE) of", "MJ"),
    "wu": ("a water use (WU) of", "L"),
}
_MD_UNIT: Final[dict[str, str]] = {"gwp": "kgCO2eq", "adpe": "kgSbeq", "pe": "MJ", "wu": "L"}


def number(x: float | None, fmt: Fmt | str = "md", digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits (thousands separated); powers of ten for very
    large or small values (``1.23×10^7`` in Markdown, ``$1.23\\times10^{7}$`` in LaTeX)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/c"
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 1e7 or ax < 1e-3:
        mant, exp = f"{x:.{digits - 1}e}".split("e")
        e = int(exp)
        if fmt == "latex":
            return f"${mant}\\times10^{{{e}}}$"
        return f"{mant}×10^{e}"
    mag = math.floor(math.log10(ax))
    mag = math.floor(math.log10(abs(round(x, digits - 1 - mag))))  # 0.009996 → 0.0100
    decimals = max(0, digits - 1 - mag)
    text = f"{round(x, digits - 1 - mag):,.{decimals}f}"
    return text.replace(",", "{,}") if fmt == "latex" else text


_LATEX_SPECIAL: Final[dict[str, str]] = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "×": r"$\times$", "–": "--", "—": "---", "≥": r"$\geq$", "≤": r"$\leq$", "²": "$^2$",
    "±": r"$\pm$", "·": r"$\cdot$",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIAL))


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters (and a few non-ASCII symbols) in plain text."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], text)


def _g(x: float | None) -> str:
    """A parameter as written (64, 0.85, 5): up to 4 significant digits, no padding."""
    return "n/c" if x is None or math.isnan(x) else f"{x:.4g}"


def _prov(e: Estimate, name: str) -> Provenance | None:
    return next((p for p in e.provenance if p.name == name), None)


def _value(e: Estimate, name: str) -> float | None:
    p = _prov(e, name)
    return float(p.value) if p is not None and not isinstance(p.value, str) else None


def statement(estimate: Estimate, fmt: Fmt | str = "md") -> str:
    """A paragraph (plus references) describing one estimate, ready to paste into a paper.

    Args:
        estimate: the result of :func:`trainlca.api.estimate`.
        fmt: ``md`` (Markdown) or ``latex``.
    """
    from trainlca import __version__
    from trainlca.errors import ParameterError

    if fmt not in ("md", "latex"):
        raise ParameterError(f"--statement {fmt!r}: use md or latex")
    e = estimate
    tex = fmt == "latex"

    def t(s: str) -> str:  # plain text from data → escaped
        return latex_escape(s) if tex else s

    def n(x: float | None) -> str:
        return number(x, fmt)

    def code(s: str) -> str:
        return f"\\texttt{{{latex_escape(s)}}}" if tex else f"`{s}`"

    pct = r"\%" if tex else "%"
    nbsp = "~" if tex else " "
    dash = "--" if tex else "–"
    times = r"$\times$" if tex else "×"

    def cite(key: str) -> str:
        num = list(refs).index(key) + 1
        return f"[{num}]"

    refs: dict[str, str] = {"morand": REFERENCES["morand"],
                            "trainlca": REFERENCES["trainlca"].format(version=__version__)}
    measured = _prov(e, "energy_kwh")
    energy_measured = measured is not None and measured.status == "input"
    if energy_measured and "CodeCarbon" in (measured.source if measured else ""):
        refs["codecarbon"] = REFERENCES["codecarbon"]
    if e.grid_provider.lower().startswith("ecologits"):
        refs["ecologits"] = REFERENCES["ecologits"].format(
            version=e.grid_provider.split(" ", 1)[1] if " " in e.grid_provider else "")
    if any("epoch" in p.source.lower() for p in e.provenance):
        refs["epoch"] = REFERENCES["epoch"]

    # --- the run
    count, hours = _value(e, "count"), _value(e, "hours")
    flop, mfu = _value(e, "flop"), _value(e, "mfu")
    run = f"The model was trained on {t(e.hardware.name)} accelerators"
    if count is not None and hours is not None:
        run += f" ({_g(count)}{times}{n(hours)}{nbsp}h, i.e. {n(e.accelerator_hours)} " \
               "accelerator-hours)"
    elif flop is not None and mfu is not None:
        run += (f" for {n(e.accelerator_hours)} accelerator-hours, derived from "
                f"{n(flop)}{nbsp}FLOP at a model FLOP utilisation of {_g(mfu * 100)}{nbsp}{pct}")
    else:
        run += f" for {n(e.accelerator_hours)} accelerator-hours"
    loc = ("on the world-average electricity grid (location unknown)" if e.grid.zone == "WOR"
           else f"in {t(e.grid.name)} ({t(e.grid.zone)})")
    run += f", {loc}."

    # --- energy and impacts
    tool = f"Following the life-cycle method of Morand et al. {cite('morand')}, we estimated " \
           f"its impacts with trainlca {__version__} {cite('trainlca')}"
    tool += f" (preset {code(e.preset.name)})."
    if energy_measured:
        src = (measured.source if measured else "").split(":", 1)[0]
        cc = f" {cite('codecarbon')}" if "codecarbon" in refs else ""
        energy = (f"The electricity of the run, measured{cc} ({t(src)}), was "
                  f"{n(e.energy_kwh)}{nbsp}kWh.")
    else:
        energy = f"The electricity of the run is estimated at {n(e.energy_kwh)}{nbsp}kWh"
        if e.energy_interval is not None:
            energy += (f" (90{nbsp}{pct} interval {n(e.energy_interval.p5)}{dash}"
                       f"{n(e.energy_interval.p95)})")
        energy += "."
    parts = []
    for c in ("gwp", "adpe", "pe", "wu"):
        words, lunit = _CRIT_TEXT[c]
        unit = lunit if tex else _MD_UNIT[c]
        tot = e.impacts[c]["total"]
        s = f"{words} {n(tot)}{nbsp}{unit}"
        iv = e.intervals.get(c, {}).get("total")
        if iv is not None:
            s += f" (90{nbsp}{pct} interval {n(iv.p5)}{dash}{n(iv.p95)})"
        prod = e.impacts[c].get("production", math.nan)
        if c == "wu":
            s += ", electricity only"
        elif tot > 0 and prod is not None and math.isfinite(prod):
            s += f", of which {100 * prod / tot:.0f}{nbsp}{pct} from hardware production"
        parts.append(s)
    impacts = ("Over its life cycle, the training run has " + "; ".join(parts[:-1])
               + "; and " + parts[-1] + ".")

    # --- boundary
    b = e.boundary
    incl = (["the electricity of the run as measured"] if energy_measured else
            ["the electricity of the run (accelerators" + (" and host servers" if b.host_power
                                                           else "") + ", times the PUE)"])
    if b.accelerator_production:
        incl.append("the production of the accelerators" +
                    (" including transport" if b.transport else ""))
    if b.host_production:
        incl.append("the production of the host servers")
    boundary = "The boundary includes " + ", ".join(incl[:-1]) + \
        (" and " if len(incl) > 1 else "") + incl[-1]
    if b.accelerator_production or b.host_production:
        boundary += (", allocated to the run by its share of the hardware's lifetime "
                     f"({_g(_value(e, 'lifetime_years'))} years at "
                     f"{_g((_value(e, 'use_ratio') or math.nan) * 100)}{nbsp}{pct} use)")
    boundary += "; it excludes end of life"
    card_wu = e.card.get("wu", math.nan)
    dry_acc = b.accelerator_production and (
        not b.production_water or card_wu is None or math.isnan(card_wu))
    dry = (["hardware"] if dry_acc and b.host_production else
           ["accelerators"] if dry_acc else ["host servers"] if b.host_production else [])
    if dry:
        boundary += f" and the water used to produce the {dry[0]} (not covered)"
    if b.accelerator_production and not dry_acc:
        boundary += ("; the water used to produce the accelerators follows BoaviztAPI 2.5.0's "
                     "GPU model")
    boundary += "."

    # --- data and uncertainty
    grid_ref = f" {cite('ecologits')}" if "ecologits" in refs else ""
    data = (f"Electricity impact factors: {t(e.grid_provider)}{grid_ref} for {t(e.grid.zone)}"
            + (f" (world average for {t(', '.join(e.grid.fallbacks))})" if e.grid.fallbacks
               else "")
            + f"; accelerator catalogue {t(e.catalog_version)}")
    if "epoch" in refs:
        data += f", with hardware data from Epoch AI {cite('epoch')}"
    data += "."
    if e.draws and e.intervals:
        data += (f" Intervals are the 5th and 95th percentiles of {e.draws:,} Monte Carlo "
                 f"draws of the uncertain parameters (seed {e.seed}).")
        if tex:
            data = data.replace(f"{e.draws:,}", f"{e.draws:,}".replace(",", "{,}"))
    imputed = [f"{p.name} ({p.source})" for p in e.provenance if p.status == "imputed"]
    if imputed:
        data += " Imputed values: " + t(", ".join(imputed)) + "."

    body = " ".join([run, tool, energy, impacts, boundary, data])
    if tex:
        head = r"\paragraph{Environmental impact.} "
        items = "\n".join(f"  \\item {latex_escape(r)}" for r in refs.values())
        return f"{head}{body}\n\n\\begin{{enumerate}}\n{items}\n\\end{{enumerate}}\n"
    items = "\n".join(f"{i}. {r}" for i, r in enumerate(refs.values(), start=1))
    return f"**Environmental impact.** {body}\n\n{items}\n"
