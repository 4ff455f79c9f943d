"""Team schedules against calendars computed by hand.

Each station below takes exactly 4 hours: 1 hour of travel and 3 dispensers × 60 minutes.
Teams work 8 hours from 08:00, Monday to Friday. The campaign starts on Monday
2 January 2017, which is day 366 of a scenario starting 1 January 2016; completion_days
is counted from 00:00 on the campaign's first day.
"""

from __future__ import annotations

import datetime as dt

import pytest

import simulator
from simulator.model.workcalendar import WorkCalendar

FOUR_HOURS = {
    "network.pumps_per_station": 3,
    "campaign.minutes_per_pump": 60.0,
    "campaign.travel_hours": 1.0,
    "campaign.start": "2017-01-02",  # a Monday
}


def _run(small, stations: int, teams: int, **extra):
    sc = small({**FOUR_HOURS, "network.districts": {"A": stations}, "campaign.teams": teams, **extra})
    return simulator.run(sc, replications=1)


@pytest.mark.parametrize(
    ("stations", "teams", "expected_days", "team_days"),
    [
        (10, 1, 4 + 16 / 24, 5),  # 2 stations a day → Mon–Fri, last seal Friday 16:00
        (12, 1, 7 + 16 / 24, 6),  # a sixth day: the weekend is skipped → next Monday 16:00
        (12, 3, 1 + 16 / 24, 6),  # 4 stations per team → Tuesday 16:00
        (5, 2, 1 + 12 / 24, 3),  # 4 stations on Monday, the 5th ends Tuesday 12:00; 2 + 1 team-days
        (1, 4, 0 + 12 / 24, 1),  # idle teams cost nothing
    ],
)
def test_completion_matches_the_hand_computed_calendar(small, stations, teams, expected_days, team_days):
    """Completion time and team-days for fixed 4-hour visits, one or several teams."""
    k = simulator.run(
        small({**FOUR_HOURS, "network.districts": {"A": stations}, "campaign.teams": teams}), replications=1
    ).kpis.iloc[0]
    assert k["completion_days"] == pytest.approx(expected_days, abs=1e-9)
    assert k["team_days"] == team_days


def test_holidays_and_day_start_shift_the_schedule(small):
    """A holiday on Wednesday and a 07:30 start: 10 stations end Monday 15:30 instead of Friday."""
    k = _run(small, 10, 1, **{"campaign.holidays": [dt.date(2017, 1, 4)], "campaign.day_start_hour": 7.5}).kpis
    assert k["completion_days"].iloc[0] == pytest.approx(7 + 15.5 / 24, abs=1e-9)


def test_a_visit_longer_than_what_is_left_of_the_day_resumes_next_morning(small):
    """Three 5-hour visits: 08–13, 13–16 + 08–10 next day, 10–15 → Tuesday 15:00."""
    sc = small({**FOUR_HOURS, "network.districts": {"A": 3}, "network.pumps_per_station": 4})
    res = simulator.run(sc, replications=1)
    assert res.kpis["completion_days"].iloc[0] == pytest.approx(1 + 15 / 24, abs=1e-9)
    v = res.visits.sort_values("end_day")
    assert list(v["start"].dt.strftime("%a %H:%M")) == ["Mon 08:00", "Mon 13:00", "Tue 10:00"]


def test_weekend_work_when_saturday_is_a_working_day():
    """Saturday as a working day: work started Friday 14:00 for 6 hours ends Saturday 12:00."""
    cal = WorkCalendar(dt.date(2017, 1, 2), 8, 8, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"])
    friday_2pm = 4 + 14 / 24
    worked: set[int] = set()
    assert cal.advance(friday_2pm, 6, worked) == pytest.approx(5 + 12 / 24)
    assert worked == {4, 5}
    no_sat = WorkCalendar(dt.date(2017, 1, 2), 8, 8, ["Mon", "Tue", "Wed", "Thu", "Fri"])
    assert no_sat.advance(friday_2pm, 6) == pytest.approx(7 + 12 / 24)


def test_zero_work_takes_no_time():
    """A job of zero hours ends when it starts, even outside working hours."""
    cal = WorkCalendar(dt.date(2017, 1, 7))  # a Saturday
    assert cal.advance(0.25, 0.0) == 0.25
    assert cal.next_working_time(0.25) == pytest.approx(2 + 8 / 24)
