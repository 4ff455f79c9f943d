"""Numbers, money and dates as a planner reads them, in one place, for either number style.

Every figure fuelseal prints — the summary, the charts, the reports, the analysis
tables — is written here. ``style="en"`` writes 1,234,567.8, 16.5%, "2.36 billion VND"
and "3 Jan 2017"; ``style="vi"`` writes 1.234.567,8, 16,5%, "2,36 tỷ đồng" and
"03/01/2017", following the Unicode CLDR data of each locale through Babel (so the
separators, the words for thousand/million/billion and the month names are the
locale's own, not ours). A value that is missing or not finite reads "n/a".

:class:`Numbers` bundles the formatters for one style (``Numbers("vi").vnd(x)``);
the module-level functions take ``style=`` and default to English.

A style is also a language (:mod:`simulator.i18n`): ``Numbers("vi").gettext`` translates the
words around the numbers and :func:`kpi_label` a KPI's label, so one object carries
everything a chart, a table or a report needs to write for its reader.

This module imports only :mod:`simulator.kpis` (for how each kind of KPI reads) and
:mod:`simulator.i18n` (the words).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from babel.dates import format_date
from babel.numbers import format_decimal, format_scientific

from .i18n import translator
from .kpis import KPIS

STYLES = ("en", "vi")
MINUS = "\u2212"  # a true minus sign, not a hyphen
NUMBER_STYLES = STYLES  # the name the charts and the report options use
_LOCALE = {"en": "en", "vi": "vi"}
# money: the largest step that applies, its divisor, decimals and words per style
_MONEY_STEPS = ((1e9, 2, {"en": "billion VND", "vi": "tỷ đồng"}),
                (1e6, 1, {"en": "million VND", "vi": "triệu đồng"}))
_CURRENCY = {"en": "VND", "vi": "đồng"}
_DAY = {"en": "d MMM y", "vi": "dd/MM/y"}
_MONTH = {"en": "MMM y", "vi": "'tháng' M/y"}
_MONTH_LONG = {"en": "MMMM y", "vi": "'tháng' M 'năm' y"}
_DAYS_WORD = {"en": ("days", "months"), "vi": ("ngày", "tháng")}


def _ok(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)) and math.isfinite(x)


def _style(style: str) -> str:
    if style not in _LOCALE:
        raise ValueError(f"number style: expected one of {', '.join(STYLES)}, got {style!r}")
    return style


HUGE = 1e18
"""Numbers from here on are written in powers of ten ("1.2E20"): a count or amount this large is a
degenerate input (a cost of 1e-292 VND makes the extra tax per VND 1e300), not something to spell out."""


def number(x, digits: int = 0, style: str = "en") -> str:
    """``1234567.8`` → ``"1,234,568"`` (en) or ``"1.234.568"`` (vi); ``digits`` decimals, never "-0"."""
    if not _ok(x):
        return "n/a"
    x = float(x)
    if round(x, digits) == 0:
        x = 0.0  # no "-0.0"
    if abs(x) >= HUGE:  # beyond the 28 digits of Babel's decimal arithmetic: say it in powers of ten
        return format_scientific(x, format="0.##E0", locale=_LOCALE[_style(style)]).replace("-", MINUS)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(x, format=pattern, locale=_LOCALE[_style(style)]).replace("-", MINUS)


def plain(x, style: str = "en", significant: int = 6) -> str:
    """A plain value with at most ``significant`` significant digits (never cutting the whole part)
    and no trailing zeros:
    ``16600`` → "16,600", ``0.015`` → "0.015", ``7.5`` → "7,5" (vi)."""
    if not _ok(x):
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= HUGE:
        return number(x, 0, style)
    digits = max(0, significant - 1 - math.floor(math.log10(abs(x))))
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(round(float(x), digits), format=pattern, locale=_LOCALE[_style(style)])


def pct(x, digits: int = 1, style: str = "en") -> str:
    """A share as a percentage: ``0.165`` → ``"16.5%"`` (en) or ``"16,5%"`` (vi)."""
    return number(100 * x, digits, style) + "%" if _ok(x) else "n/a"


def signed_pct(x, digits: int = 1, style: str = "en") -> str:
    """``+7.6%``, ``−0.1%`` (a true minus sign), and ``0.0%`` without a sign when it rounds to nothing."""
    if not _ok(x):
        return "n/a"
    text = pct(abs(x), digits, style)
    return text if text == pct(0.0, digits, style) else ("+" if x > 0 else "−") + text


def vnd(x, style: str = "en", trim: bool = False) -> str:
    """Money to three significant figures, in the largest word that applies: "2.36 billion VND" /
    "2,36 tỷ đồng", "12.7 billion VND", "1.90 billion VND", "354 million VND" / "354 triệu đồng"; decimals
    that are all zeros are dropped ("2 billion VND", never "2.00"); ``trim`` drops any trailing zero (an
    input value: "1.5 million VND"). Below a million, the whole amount ("900,000 VND")."""
    if not _ok(x):
        return "n/a"
    for div, _digits, words in _MONEY_STEPS:
        if abs(x) >= div:
            v = x / div
            digits = max(0, 2 - math.floor(math.log10(abs(v))))
            if div < _MONEY_STEPS[0][0] and abs(round(v, digits)) >= 1000:  # 999.96 million reads 1.00 billion
                return vnd(math.copysign(round(abs(x), -7), x), style)
            text = number(v, digits, style)
            # "220 million", never "220.0"; trim: "1.5", not "1.50"
            if abs(v) < HUGE and (trim or set(text[-digits:]) == {"0"}):
                text = format_decimal(round(v, digits), format="#,##0" + ("." + "#" * digits if digits else ""),
                                      locale=_LOCALE[_style(style)]).replace("-", MINUS)
            return f"{text} {words[_style(style)]}"
    return f"{number(x, 0, style)} {_CURRENCY[_style(style)]}"


def days(x, style: str = "en") -> str:
    """``"152 days (5.0 months)"``: a duration in days and average months (30.44 days)."""
    if not _ok(x):
        return "n/a"
    d, m = _DAYS_WORD[_style(style)]
    return f"{number(x, 0, style)} {d} ({number(x / 30.44, 1, style)} {m})"


def days_short(x, style: str = "en") -> str:
    return f"{number(x, 0, style)} {_DAYS_WORD[_style(style)][0]}" if _ok(x) else "n/a"


def months(x, style: str = "en") -> str:
    """``"2 months"`` / ``"2 tháng"``, ``"1 month"``: a whole number of months (a count of month ends)."""
    if not _ok(x):
        return "n/a"
    word = _DAYS_WORD[_style(style)][1]
    return f"{number(x, 0, style)} {'month' if style == 'en' and round(x) == 1 else word}"


def ratio(x, style: str = "en") -> str:
    """``10.7×``: how many times (extra tax per VND spent); below 0.1, two significant figures (``0.0044×``, not
    a misleading ``0.0×``)."""
    if not _ok(x):
        return "n/a"
    if 0 < abs(x) < 0.1:
        return plain(x, style, significant=2).replace("-", MINUS) + "×"
    return number(x, 1, style) + "×"


def value(x, style: str = "en") -> str:
    """A plain value with four significant figures."""
    if not _ok(x):
        return "n/a"
    text = f"{x:.4g}"
    return text.replace(".", ",") if style == "vi" and "e" not in text else text


def _date(d) -> dt.date:
    return d.date() if isinstance(d, dt.datetime) else d  # pandas Timestamps are datetimes


def day(d, style: str = "en") -> str:
    """``"3 Jan 2017"`` (en) or ``"03/01/2017"`` (vi)."""
    return format_date(_date(d), _DAY[_style(style)], locale=_LOCALE[style])


def month(d, style: str = "en") -> str:
    """``"Jan 2017"`` (en) or ``"tháng 1/2017"`` (vi)."""
    return format_date(_date(d), _MONTH[_style(style)], locale=_LOCALE[style])


def month_long(d, style: str = "en") -> str:
    """``"January 2017"`` (en) or ``"tháng 1 năm 2017"`` (vi)."""
    return format_date(_date(d), _MONTH_LONG[_style(style)], locale=_LOCALE[style])


def slug(text: str, width: int = 40) -> str:
    """A folder-name version of ``text``: "Hà Nam 2017 — …" → "ha-nam-2017-…"."""
    plain = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:width].strip("-") or "run"


def kpi_label(name: str, lang: str = "en") -> str:
    """KPI ``name``'s label in ``lang``, its indent kept ("  of which …" → "  trong đó …"); the name if none."""
    k = KPIS.get(name)
    if k is None or not k.label:
        return name
    text = k.label.strip()
    return k.label[: len(k.label) - len(k.label.lstrip(" "))] + translator(lang)(text)


# how each kind of KPI number reads (see simulator.kpis), as functions of (x, style)
def pct_fine(x, style: str = "en") -> str:
    """A share that may be small: one decimal from 1% up ("−4.1%"), two below ("−0.05%"), so a small part
    never reads "0.0%" and a large one carries no false precision."""
    return pct(x, 1 if _ok(x) and abs(round(100 * x, 1)) >= 1 else 2, style)


_KIND = {"share": pct, "share_fine": pct_fine, "money": vnd,
         "days": days_short, "months": months, "count": number, "ratio": ratio, "value": value}


def kpi_formatter(kind: str, style: str = "en"):
    """The formatter of one kind of KPI number, in ``style``: ``kpi_formatter("money", "vi")(2.36e9)``."""
    f, s = _KIND[kind], _style(style)
    return lambda x: f(x, style=s)


FORMATTERS = {kind: kpi_formatter(kind) for kind in _KIND}
"""Kind → English formatter (as before; :func:`kpi_formatter` for another style)."""

KPI_DISPLAY = {k.name: (k.label, FORMATTERS[k.kind]) for k in KPIS.values() if k.label}
"""KPI name → (label, English formatter) for tables printed to planners, in the summary's order."""


@dataclass(frozen=True)
class Numbers:
    """The formatters of one number style: ``nf = Numbers("vi"); nf.vnd(2.36e9)`` → "2,36 tỷ đồng"."""

    style: str = "en"

    def __post_init__(self):
        _style(self.style)

    def number(self, x, digits: int = 0) -> str:
        return number(x, digits, self.style)

    def plain(self, x, significant: int = 6) -> str:
        return plain(x, self.style, significant)

    def pct(self, x, digits: int = 1) -> str:
        return pct(x, digits, self.style)

    def signed_pct(self, x, digits: int = 1) -> str:
        return signed_pct(x, digits, self.style)

    def vnd(self, x, trim: bool = False) -> str:
        return vnd(x, self.style, trim)

    def days(self, x) -> str:
        return days(x, self.style)

    def ratio(self, x) -> str:
        return ratio(x, self.style)

    def months(self, x) -> str:
        return months(x, self.style)

    def day(self, d) -> str:
        return day(d, self.style)

    def month(self, d) -> str:
        return month(d, self.style)

    def month_long(self, d) -> str:
        return month_long(d, self.style)

    @property
    def gettext(self):
        """``_`` for this style's language: ``Numbers("vi").gettext("Campaign cost")`` → "Chi phí chiến dịch"."""
        return translator(self.style)

    def label(self, name: str) -> str:
        """KPI ``name``'s label in this style's language (see :func:`kpi_label`)."""
        return kpi_label(name, self.style)

    def kpi(self, name: str):
        """The formatter of KPI ``name`` (a plain value for a name the registry does not know)."""
        k = KPIS.get(name)
        return kpi_formatter(k.kind if k else "value", self.style)
