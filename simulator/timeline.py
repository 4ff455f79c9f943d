"""Calendar arithmetic, in one place: months, the months of a horizon, evaluation windows.

Used by the scenario checks (does the evaluation window fit the horizon?), the model
(which model days belong to which calendar month; when a re-verification falls due) and
the analysis (break-even months). Plain dates in, plain dates and day indices out; a
"model day" is the number of days since the horizon's first day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


def month_start(d: dt.date) -> dt.date:
    """The first day of ``d``'s month."""
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``d``'s (``n`` may be negative)."""
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


def months_later(d: dt.date, n: int) -> dt.date:
    """The same day ``n`` months later, or the month's last day if it is shorter (31 Jan + 1 → 28/29 Feb)."""
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Month:
    """One calendar month of a horizon, as model days."""

    index: int
    first: dt.date  # first day of the calendar month
    d0: int  # first model day inside the horizon
    d1: int  # one past the last model day inside the horizon
    full: bool  # the whole calendar month lies inside the horizon


def months_between(start: dt.date, end: dt.date) -> list[Month]:
    """Every calendar month that meets the horizon ``start`` – ``end`` (both included);
    the first and last may be partial (``full`` False)."""
    out, first = [], month_start(start)
    while first <= end:
        nxt = add_months(first, 1)
        d0 = max((first - start).days, 0)
        d1 = min((nxt - start).days, (end - start).days + 1)
        out.append(Month(len(out), first, d0, d1, first >= start and nxt - dt.timedelta(days=1) <= end))
        first = nxt
    return out


@dataclass(frozen=True)
class Windows:
    """Month indices of the evaluation window and of the same length just before it."""

    evaluation: range
    before: range | None  # None when the horizon does not hold it in full


def windows(months: list[Month], campaign_start: dt.date, evaluation_months: int) -> Windows:
    """The ``evaluation_months`` months from the campaign's first month, and as many just before
    (the before/after comparison), as indices into ``months``."""
    first = month_start(campaign_start)
    e0 = next(m.index for m in months if m.first == first)
    n = evaluation_months
    before = range(e0 - n, e0) if e0 - n >= 0 and months[e0 - n].full else None
    return Windows(range(e0, e0 + n), before)
