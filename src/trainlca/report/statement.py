"""A paragraph for the environmental-impact section of a paper (Markdown or LaTeX).

``statement(estimate, fmt)`` states the run (hardware, accelerators × hours or
accelerator-hours, location), the electricity and each criterion with its 90 % interval, the
boundary (what is included and excluded), the preset, the data versions, and the citations.
Numbers are given to three significant digits, the same as the ``estimate`` table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from trainlca.criteria import quantity
from trainlca.numbers import format_number

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

def number(x: float | None, fmt: Fmt | str = "md", digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits for a statement (``1.23×10^7`` in Markdown,
    ``$1.23\\times10^{7}$`` in LaTeX): :func:`trainlca.numbers.format_number`."""
    return format_number(x, digits, "latex" if fmt == "latex" else "md")


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


@dataclass(frozen=True)
class _Style:
    """The tokens of one output format."""

    fmt: str

    @property
    def tex(self) -> bool:
        return self.fmt == "latex"

    def t(self, s: str) -> str:  # plain text from data → escaped
        return latex_escape(s) if self.tex else s

    def n(self, x: float | None) -> str:
        return number(x, self.fmt)

    def code(self, s: str) -> str:
        return f"\\texttt{{{latex_escape(s)}}}" if self.tex else f"`{s}`"

    @property
    def pct(self) -> str:
        return r"\%" if self.tex else "%"

    @property
    def nbsp(self) -> str:
        return "~" if self.tex else " "

    @property
    def dash(self) -> str:
        return "--" if self.tex else "–"

    @property
    def times(self) -> str:
        return r"$\times$" if self.tex else "×"

    def interval(self, lo: float, hi: float) -> str:
        return f"90{self.nbsp}{self.pct} interval {self.n(lo)}{self.dash}{self.n(hi)}"


class _Refs:
    """The numbered references, in order of first use."""

    def __init__(self, e: Estimate) -> None:
        from trainlca import __version__

        self.items: dict[str, str] = {
            "morand": REFERENCES["morand"],
            "trainlca": REFERENCES["trainlca"].format(version=__version__)}
        measured = _prov(e, "energy_kwh")
        if e.energy_measured and measured is not None and "CodeCarbon" in measured.source:
            self.items["codecarbon"] = REFERENCES["codecarbon"]
        if e.grid_provider.lower().startswith("ecologits"):
            self.items["ecologits"] = REFERENCES["ecologits"].format(
                version=e.grid_provider.split(" ", 1)[1] if " " in e.grid_provider else "")
        if any("epoch" in p.source.lower() for p in e.provenance):
            self.items["epoch"] = REFERENCES["epoch"]

    def cite(self, key: str) -> str:
        return f"[{list(self.items).index(key) + 1}]" if key in self.items else ""


def statement(estimate: Estimate, fmt: Fmt | str = "md") -> str:
    """A paragraph (plus references) describing one estimate, ready to paste into a paper.

    Args:
        estimate: the result of :func:`trainlca.api.estimate`.
        fmt: ``md`` (Markdown) or ``latex``.
    """
    from trainlca.errors import ParameterError

    if fmt not in ("md", "latex"):
        raise ParameterError(f"statement format {fmt!r}: use md or latex")
    e, st = estimate, _Style(fmt)
    refs = _Refs(e)
    body = " ".join([_run_sentence(e, st), _tool_sentence(e, st, refs),
                     _energy_sentence(e, st, refs), _impacts_sentence(e, st),
                     _boundary_sentence(e, st), _data_sentence(e, st, refs)])
    if st.tex:
        head = r"\paragraph{Environmental impact.} "
        items = "\n".join(f"  \\item {latex_escape(r)}" for r in refs.items.values())
        return f"{head}{body}\n\n\\begin{{enumerate}}\n{items}\n\\end{{enumerate}}\n"
    items = "\n".join(f"{i}. {r}" for i, r in enumerate(refs.items.values(), start=1))
    return f"**Environmental impact.** {body}\n\n{items}\n"


def _run_sentence(e: Estimate, st: _Style) -> str:
    count, hours = _value(e, "count"), _value(e, "hours")
    flop, mfu = _value(e, "flop"), _value(e, "mfu")
    run = f"The model was trained on {st.t(e.hardware.name)} accelerators"
    if count is not None and hours is not None:
        run += (f" ({_g(count)}{st.times}{st.n(hours)}{st.nbsp}h, i.e. "
                f"{st.n(e.accelerator_hours)} accelerator-hours)")
    elif flop is not None and mfu is not None:
        run += (f" for {st.n(e.accelerator_hours)} accelerator-hours, derived from "
                f"{st.n(flop)}{st.nbsp}FLOP at a model FLOP utilisation of "
                f"{_g(mfu * 100)}{st.nbsp}{st.pct}")
    else:
        run += f" for {st.n(e.accelerator_hours)} accelerator-hours"
    loc = ("on the world-average electricity grid (location unknown)" if e.grid.zone == "WOR"
           else f"in {st.t(e.grid.name)} ({st.t(e.grid.zone)})")
    return run + f", {loc}."


def _tool_sentence(e: Estimate, st: _Style, refs: _Refs) -> str:
    from trainlca import __version__

    return (f"Following the life-cycle method of Morand et al. {refs.cite('morand')}, we "
            f"estimated its impacts with trainlca {__version__} {refs.cite('trainlca')} "
            f"(preset {st.code(e.preset.name)}).")


def _energy_sentence(e: Estimate, st: _Style, refs: _Refs) -> str:
    if e.energy_measured:
        measured = _prov(e, "energy_kwh")
        src = (measured.source if measured else "").split(":", 1)[0]
        cc = f" {refs.cite('codecarbon')}" if "codecarbon" in refs.items else ""
        return (f"The electricity of the run, measured{cc} ({st.t(src)}), was "
                f"{st.n(e.energy_kwh)}{st.nbsp}kWh.")
    energy = f"The electricity of the run is estimated at {st.n(e.energy_kwh)}{st.nbsp}kWh"
    if e.energy_interval is not None:
        energy += f" ({st.interval(e.energy_interval.p5, e.energy_interval.p95)})"
    return energy + "."


_STAGE_WORDS: Final[dict[str, str]] = {
    "production_accelerator": "accelerator production",
    "production_host": "host production",
    "use": "electricity",
}


def _share_phrase(e: Estimate, c: str, st: _Style) -> str:
    """What the total of ``c`` counts, read from the stages it adds up (so the words cannot
    disagree with the number): "electricity only", or the production share."""
    counted = e.counted(c)
    if counted == ("use",):
        return ", electricity only"
    tot, prod = e.impacts[c]["total"], e.impacts[c].get("production", math.nan)
    if tot > 0 and prod is not None and math.isfinite(prod):
        made = " and ".join(_STAGE_WORDS[s] for s in counted if s != "use")
        return f", of which {100 * prod / tot:.0f}{st.nbsp}{st.pct} from {made}"
    return ""


def _impacts_sentence(e: Estimate, st: _Style) -> str:
    parts = []
    for c in ("gwp", "adpe", "pe", "wu"):
        q = quantity(c)
        article = "an" if q.words[0] in "aeiou" else "a"
        s = (f"{article} {q.words} of {st.n(e.impacts[c]['total'])}{st.nbsp}"
             f"{q.latex_unit if st.tex else q.unit}")
        iv = e.intervals.get(c, {}).get("total")
        if iv is not None:
            s += f" ({st.interval(iv.p5, iv.p95)})"
        parts.append(s + _share_phrase(e, c, st))
    return ("Over its life cycle, the training run has " + "; ".join(parts[:-1])
            + "; and " + parts[-1] + ".")


def _boundary_sentence(e: Estimate, st: _Style) -> str:
    b = e.boundary
    incl = (["the electricity of the run as measured"] if e.energy_measured else
            ["the electricity of the run (accelerators" + (" and host servers" if b.host_power
                                                           else "") + ", times the PUE)"])
    if b.accelerator_production:
        incl.append("the production of the accelerators" +
                    (" including transport" if b.transport else ""))
    if b.host_production:
        incl.append("the production of the host servers")
    text = ("The boundary includes " + ", ".join(incl[:-1])
            + (" and " if len(incl) > 1 else "") + incl[-1])
    if b.accelerator_production or b.host_production:
        text += (", allocated to the run by its share of the hardware's lifetime "
                 f"({_g(_value(e, 'lifetime_years'))} years at "
                 f"{_g((_value(e, 'use_ratio') or math.nan) * 100)}{st.nbsp}{st.pct} use)")
    text += "; it excludes end of life"
    # Production water: the stages inside the boundary that the water total does not count.
    dry = [s for s in ("production_accelerator", "production_host")
           if b.includes(s) and s not in e.counted("wu")]
    names = {"production_accelerator": "accelerators", "production_host": "host servers"}
    if dry:
        what = "hardware" if len(dry) == 2 else names[dry[0]]
        text += f" and the water used to produce the {what} (not covered)"
    if "production_accelerator" in e.counted("wu"):
        text += ("; the water used to produce the accelerators follows BoaviztAPI 2.5.0's "
                 "GPU model")
    return text + "."


def _data_sentence(e: Estimate, st: _Style, refs: _Refs) -> str:
    grid_ref = f" {refs.cite('ecologits')}" if "ecologits" in refs.items else ""
    data = (f"Electricity impact factors: {st.t(e.grid_provider)}{grid_ref} for "
            f"{st.t(e.grid.zone)}"
            + (f" (world average for {st.t(', '.join(e.grid.fallbacks))})" if e.grid.fallbacks
               else "")
            + f"; accelerator catalogue {st.t(e.catalog_version)}")
    if "epoch" in refs.items:
        data += f", with hardware data from Epoch AI {refs.cite('epoch')}"
    data += "."
    if e.draws and e.intervals:
        draws = f"{e.draws:,}".replace(",", "{,}") if st.tex else f"{e.draws:,}"
        data += (f" Intervals are the 5th and 95th percentiles of {draws} Monte Carlo "
                 f"draws of the uncertain parameters (seed {e.seed}).")
    imputed = [f"{p.name} ({p.source})" for p in e.provenance if p.status == "imputed"]
    if imputed:
        data += " Imputed values: " + st.t(", ".join(imputed)) + "."
    return data
