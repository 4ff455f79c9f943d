"""Numbers and dates as a reader expects them, in either number style.

``number_style="vi"`` writes numbers as 1.234.567,8 (dot thousands, comma decimals) and
months as 01/2017; the default ``"en"`` writes 1,234,567.8 and Jan.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from matplotlib import ticker

from ..numbers import day, month, number, pct, signed_pct, vnd

_DATE_FORMATS = {
    "en": dict(formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
               zero_formats=["", "%Y", "%b", "%d %b", "%H:%M", "%H:%M"],
               offset_formats=["", "%Y", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y %H:%M"]),
    "vi": dict(formats=["%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M", "%S.%f"],
               zero_formats=["", "%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M"],
               offset_formats=["", "%Y", "%Y", "%m/%Y", "%d/%m/%Y", "%d/%m/%Y %H:%M"]),
}
"""Date axis tick formats (matplotlib's ConciseDateFormatter) per number style."""


format_number = number  # ``1234567.8`` → "1,234,567.8" (en) or "1.234.567,8" (vi): simulator.numbers
format_percent = pct  # a share as a percentage: 0.165 → "16.5%" (en) or "16,5%" (vi)


class NumberFormatter(ticker.Formatter):
    """Tick labels in the chosen number style, with as many decimals as the tick step needs."""

    def __init__(self, style: str = "en", scale: float = 1.0, suffix: str = ""):
        self.style, self.scale, self.suffix = style, scale, suffix
        self._decimals = 0

    def format_ticks(self, values):
        v = np.asarray(values, dtype=float) * self.scale
        # the fewest decimals that still write every tick exactly (2.5 needs one, 2 needs none)
        tol = 1e-6 * max(float(np.abs(v).max()) if v.size else 0.0, 1e-12)
        self._decimals = next((d for d in range(7) if np.all(np.abs(np.round(v, d) - v) <= tol)), 6)
        return [self(x) for x in values]

    def __call__(self, x, pos=None):
        return format_number(x * self.scale, self._decimals, self.style) + self.suffix


def _scale(values: Iterable[float], unit: str) -> tuple[float, str]:
    """A divisor and unit label that keep axis numbers short: VND in million/billion, litres in thousands/millions."""
    a = np.asarray(list(values), dtype=float)
    top = float(np.nanmax(np.abs(a))) if a.size and np.isfinite(a).any() else 0.0
    if unit == "VND":
        steps = ((1e9, "billion VND"), (1e6, "million VND"), (1e3, "thousand VND"))
    else:
        steps = ((1e6, "million litres"), (1e3, "thousand litres"))
    for div, label in steps:
        if top >= div:
            return div, label
    return 1.0, unit


_money, _day, _month = vnd, day, month  # (x, style): as simulator.numbers writes them


def _signed_percent(x: float, style: str) -> str:
    return signed_pct(x, 1, style)
