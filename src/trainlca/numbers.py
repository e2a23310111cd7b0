"""Numbers as people read them — the one formatter of tables, statements, figures and reports.

``format_number(x)`` gives ``digits`` significant digits (rounded, thousands separated), and a
power of ten outside ``[sci_below, sci_above)``, written for the medium: ``plain`` (``1.50e+08``,
terminals and CSV-like text), ``md`` (``1.50×10^8``), ``unicode`` (``1.50×10⁸``, figures and
HTML) or ``latex`` (``$1.50\\times10^{8}$``, and ``{,}`` thousands separators). NaN and None are
``n/c`` (not covered), never a number.
"""

from __future__ import annotations

import math
from typing import Final, Literal

Style = Literal["plain", "md", "unicode", "latex"]

NOT_COVERED: Final[str] = "n/c"
_SUPERSCRIPT: Final[dict[int, str]] = dict(zip(b"0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻", strict=True))


def _power_of_ten(x: float, digits: int, style: Style) -> str:
    mant, exp = f"{x:.{digits - 1}e}".split("e")
    e = int(exp)
    if style == "plain":
        return f"{x:.{digits - 1}e}"
    if style == "latex":
        return f"${mant}\\times10^{{{e}}}$"
    if style == "unicode":
        return f"{mant}×10{str(e).translate(_SUPERSCRIPT)}"
    return f"{mant}×10^{e}"


def format_number(x: float | None, digits: int = 3, style: Style = "plain", *,
                  sci_above: float = 1e7, sci_below: float = 1e-3) -> str:
    """``x`` to ``digits`` significant digits, e.g. 12345 → ``12,300``, 0.009996 → ``0.0100``,
    1.5e8 → ``1.50e+08`` (plain) / ``1.50×10^8`` (md) / ``1.50×10⁸`` (unicode)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return NOT_COVERED
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= sci_above or ax < sci_below:
        return _power_of_ten(x, digits, style)
    mag = math.floor(math.log10(ax))
    rounded = round(x, digits - 1 - mag)
    mag = math.floor(math.log10(abs(rounded)))  # 0.009996 → 0.0100
    text = f"{round(x, digits - 1 - mag):,.{max(0, digits - 1 - mag)}f}"
    return text.replace(",", "{,}") if style == "latex" else text
