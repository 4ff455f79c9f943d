"""Month arithmetic on calendar dates (the first of a month, n months later)."""

from __future__ import annotations

import datetime as dt


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)
