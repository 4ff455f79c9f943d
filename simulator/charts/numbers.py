"""Numbers and dates on the charts, in the reader's language.

Every number and date a chart prints goes through :mod:`simulator.numbers` (Babel, CLDR):
``lang="vi"`` writes 1.234.567,8 and dates as 03/01/2017; ``"en"`` writes 1,234,567.8 and
3 Jan 2017. Tick labels follow one convention on every chart:

- **month axes** (a monthly series): ``Jan 2017``, ``Feb``, … (the year on the first tick and on
  each January) in English; ``1/2017``, ``2/2017``, … in Vietnamese, where "tháng 1/2017" would
  not fit twelve times (the axis label says "Tháng");
- **day axes** (progress, team schedule): ``3 Jan 2017``, ``16 Jan``, … / ``03/01/2017``,
  ``16/01``, … (the full date on the first tick and where the year changes).

Negative tick labels carry a true minus sign (−), as every signed number fuelseal writes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import numpy as np
from babel.dates import format_date
from matplotlib import dates as mdates
from matplotlib import ticker

from ..i18n import N_, translator
from ..numbers import day, month, number, pct, signed_pct, vnd

format_number = number  # ``1234567.8`` → "1,234,567.8" (en) or "1.234.567,8" (vi): simulator.numbers
format_percent = pct  # a share as a percentage: 0.165 → "16.5%" (en) or "16,5%" (vi)

MINUS = "\N{MINUS SIGN}"


class NumberFormatter(ticker.Formatter):
    """Tick labels in the chosen language, with as many decimals as the tick step needs."""

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
        text = format_number(float(x) * self.scale, self._decimals, self.style)
        return (MINUS + text[1:] if text.startswith("-") else text) + self.suffix


# ---- dates on axes ----------------------------------------------------------------------

_TICK = {  # Babel (CLDR) date patterns of tick labels: (full, short)
    "month": {"en": ("MMM y", "MMM"), "vi": ("M/y", "M/y")},
    "day": {"en": ("d MMM y", "d MMM"), "vi": ("dd/MM/y", "dd/MM")},
}


class DateTickFormatter(ticker.Formatter):
    """Tick labels of a month or a day axis (``kind``), Babel-formatted: the full form (with the year)
    on the first tick and wherever the year changes, the short form elsewhere."""

    def __init__(self, lang: str = "en", kind: str = "month"):
        self.lang, self.kind = lang, kind

    def _text(self, d: dt.date, full: bool) -> str:
        return format_date(d, _TICK[self.kind][self.lang][0 if full else 1], locale=self.lang)

    def format_ticks(self, values):
        dates = [mdates.num2date(v).date() for v in values]
        return [self._text(d, i == 0 or d.year != dates[i - 1].year) for i, d in enumerate(dates)]

    def __call__(self, x, pos=None):  # one label alone (the cursor readout): always the full form
        return self._text(mdates.num2date(x).date(), True)


def month_interval(n_months: int, most: int = 12) -> int:
    """Months between ticks so that at most ``most`` ticks fit: 1, 2, 3, 4, 6 or 12 (then whole years)."""
    for k in (1, 2, 3, 4, 6, 12):
        if math.ceil(n_months / k) <= most:
            return k
    return 12 * math.ceil(n_months / (12 * most))


# ---- units ------------------------------------------------------------------------------

_UNITS = {
    "VND": (N_("VND"), ((1e9, N_("billion VND")), (1e6, N_("million VND")))),
    "litres": (N_("litres"), ((1e6, N_("million litres")), (1e3, N_("thousand litres")))),
}


def _scale(values: Iterable[float], unit: str, lang: str = "en") -> tuple[float, str]:
    """A divisor and the unit in ``lang`` that keep axis numbers short: VND in million/billion
    ("tỷ đồng", "triệu đồng"), litres in thousands/millions; the plain unit below those."""
    _ = translator(lang)
    a = np.asarray(list(values), dtype=float)
    top = float(np.nanmax(np.abs(a))) if a.size and np.isfinite(a).any() else 0.0
    base, steps = _UNITS[unit]
    for div, label in steps:
        if top >= div:
            return div, _(label)
    return 1.0, _(base)


def pct_digits(x: float) -> int:
    """Decimals for a percentage (``x`` a share) that keep a small value from reading 0: one from 1% up
    (``4.0%``), two below (``0.42%``, ``0.05%``), three below 0.01% (``0.004%``)."""
    p = abs(100 * float(x))
    if not math.isfinite(p) or p >= 1 or p == 0:
        return 1
    return int(min(3, max(2, -math.floor(math.log10(p)))))


_money, _day, _month = vnd, day, month  # (x, style): as simulator.numbers writes them


def _signed_percent(x: float, style: str) -> str:
    return signed_pct(x, pct_digits(x), style)
