"""The inspection teams' working calendar.

Model time is measured in **days** (floats) from 00:00 on ``scenario.start``. Teams
work ``hours_per_day`` hours from ``day_start_hour`` on working weekdays that are not
holidays; a job that does not fit in what is left of a day goes on the next working
day (a verification interrupted at closing time resumes in the morning).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

WEEKDAY_INDEX = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}


class WorkCalendar:
    """Working time of a team: which days it works and during which hours."""

    def __init__(
        self,
        origin: dt.date,
        hours_per_day: float = 8.0,
        day_start_hour: float = 8.0,
        weekdays: Iterable[str] = ("Mon", "Tue", "Wed", "Thu", "Fri"),
        holidays: Iterable[dt.date] = (),
        limit: float = math.inf,
    ):
        self.origin = origin
        self.hours_per_day = float(hours_per_day)
        self._open = day_start_hour / 24.0
        self._close = (day_start_hour + hours_per_day) / 24.0
        self._weekdays = frozenset(WEEKDAY_INDEX[w] for w in weekdays)
        self._holidays = frozenset((h - origin).days for h in holidays)
        self._origin_weekday = origin.weekday()
        self.limit = limit  # work that would end after this time is reported as never ending (inf)
        if not self._weekdays:
            raise ValueError("a calendar needs at least one working weekday")

    def is_working_day(self, day: int) -> bool:
        return (self._origin_weekday + day) % 7 in self._weekdays and day not in self._holidays

    def date(self, t: float) -> dt.date:
        return self.origin + dt.timedelta(days=math.floor(t))

    def next_working_time(self, t: float) -> float:
        """The first moment ≥ t at which a team can work (inf if none before the limit)."""
        if t > self.limit:
            return math.inf
        day = math.floor(t)
        while True:
            if day > self.limit:
                return math.inf
            if self.is_working_day(day):
                start = max(t, day + self._open)
                if start < day + self._close:
                    return start
            day += 1
            t = day

    def advance(self, t: float, hours: float, days_worked: set[int] | None = None) -> float:
        """When ``hours`` of work started at time ``t`` are finished.

        Zero hours take no time (and need no working time). Each day on which some of
        the work is done is added to ``days_worked``. Work that would end after the
        calendar's ``limit`` ends at ``inf`` (it is beyond the simulated horizon).
        """
        if hours <= 0:
            return t
        left = hours / 24.0
        while True:
            t = self.next_working_time(t)
            if t == math.inf:
                return t
            day = math.floor(t)
            if days_worked is not None:
                days_worked.add(day)
            room = day + self._close - t
            if left <= room + 1e-12:
                return t + left
            left -= room
            t = day + 1.0
