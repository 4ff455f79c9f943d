"""Calendar arithmetic (simulator.timeline) and the one break-even rule (simulator.kpis),
each against cases worked by hand."""

import datetime as dt

import numpy as np
import pytest

from simulator.kpis import break_even_index
from simulator.timeline import add_months, month_start, months_between, months_later, windows

D = dt.date


@pytest.mark.parametrize(("day", "n", "expected"), [
    (D(2017, 1, 31), 1, D(2017, 2, 28)),    # a shorter month: its last day
    (D(2016, 1, 31), 1, D(2016, 2, 29)),    # leap year
    (D(2017, 3, 15), 12, D(2018, 3, 15)),   # the yearly re-verification: same day next year
    (D(2017, 11, 30), 3, D(2018, 2, 28)),   # across a year end
    (D(2017, 5, 10), 0, D(2017, 5, 10)),
])
def test_months_later_keeps_the_day_or_takes_the_months_last(day, n, expected):
    assert months_later(day, n) == expected


def test_add_months_gives_first_days_either_way():
    assert add_months(D(2017, 6, 21), 1) == D(2017, 7, 1)
    assert add_months(D(2017, 1, 5), -1) == D(2016, 12, 1)
    assert add_months(D(2017, 1, 5), -13) == D(2015, 12, 1)
    assert month_start(D(2017, 2, 28)) == D(2017, 2, 1)


def test_months_between_counts_model_days_and_marks_partial_months():
    """15 Jan – 10 Mar 2017: January from model day 0 (partial), February days 17–44 (full, 28 days),
    March days 45–54 (partial); every day belongs to exactly one month."""
    ms = months_between(D(2017, 1, 15), D(2017, 3, 10))
    assert [(m.first, m.d0, m.d1, m.full) for m in ms] == [
        (D(2017, 1, 1), 0, 17, False), (D(2017, 2, 1), 17, 45, True), (D(2017, 3, 1), 45, 55, False)]
    assert sum(m.d1 - m.d0 for m in ms) == (D(2017, 3, 10) - D(2017, 1, 15)).days + 1


def test_windows_before_needs_a_whole_window_inside_the_horizon():
    ms = months_between(D(2016, 1, 1), D(2017, 12, 31))
    w = windows(ms, D(2017, 1, 4), 12)
    assert w.evaluation == range(12, 24) and w.before == range(0, 12)
    assert windows(ms, D(2016, 6, 1), 3).before == range(2, 5)
    short = months_between(D(2016, 1, 15), D(2017, 12, 31))  # January 2016 is partial
    assert windows(short, D(2017, 1, 4), 12).before is None


@pytest.mark.parametrize(("extra", "cost", "expected"), [
    ([30, 80, 120], [100, 100, 100], 2),          # covered from the third month on
    ([0, 120, 90, 150], [100, 100, 100, 100], 3),  # crosses, falls back, covers for good at the fourth
    ([10, 20, 30], [100, 100, 100], None),         # never
    ([50, 60, 70], [100, 100, 60], 2),             # a refund lowers the cost at the end
    ([5, 6, 7], [0, 0, 0], 0),                     # nothing spent: covered from the start
    ([0, 0, 0], [0, 0, 0], None),                  # nothing spent, nothing gained: no break-even
    ([-5, 10, 20], [0, 0, 0], 1),                  # a loss first
])
def test_break_even_is_the_first_month_covered_for_good(extra, cost, expected):
    assert break_even_index(np.array(extra, float), np.array(cost, float)) == expected
