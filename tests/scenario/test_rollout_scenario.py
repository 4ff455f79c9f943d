"""The national 2016–2017 rollout scenario against what the sources say: 63 provinces, the sourced counts
and starts, and — simulated — the tally reported at the end of March 2017: 46 provinces finished, Đắk
Nông and An Giang sealing, 10 with a decision to start and 5 not started; more than 10,000 stations and
30,000 dispensers sealed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

import simulator
from simulator.model.replication import run_replication

PATH = Path(__file__).resolve().parents[2] / "scenarios" / "vietnam_rollout_2016_2017.toml"
END_OF_MARCH = dt.date(2017, 4, 1)


@pytest.fixture(scope="module")
def rollout():
    return simulator.load_scenario(PATH)


def test_63_provinces_each_with_its_own_start_and_teams(rollout):
    districts = rollout.network.districts
    assert len(districts) == 63 and set(rollout.campaign.schedules) == set(districts)
    stations = {name: q.value for name, q in districts.items()}
    assert sum(stations.values()) == 15_000  # the national total the header derives the rest from
    assert rollout.network.pumps_per_station.value == 3  # >30,000 dispensers at >10,000 stations
    assert rollout.campaign_teams == sum(d.teams for d in rollout.campaign.schedules.values())


def test_the_sourced_counts_and_starts(rollout):
    stations = {name: q.value for name, q in rollout.network.districts.items()}
    own = rollout.campaign.schedules
    assert (stations["Hà Nội"], own["Hà Nội"].start, own["Hà Nội"].teams) == (484, dt.date(2017, 5, 19), 61)
    assert stations["Hồ Chí Minh"] == 532 and own["Hồ Chí Minh"].start.strftime("%Y-%m") == "2017-09"
    assert stations["Lâm Đồng"] == 265 and dt.date(2016, 8, 1) <= own["Lâm Đồng"].start < dt.date(2016, 9, 1)
    assert own["Nghệ An"].start == own["Lâm Đồng"].start == rollout.campaign.start  # the two pilots first
    assert own["Kon Tum"].start.strftime("%Y-%m") == "2016-11"
    assert all(own[p].start < END_OF_MARCH for p in ("Đắk Nông", "An Giang"))  # sealing at the end of March
    # by start date: 46 before the end of January 2017, 12 "under way" or decided, 5 not started by April
    starts = [d.start for d in own.values()]
    assert sum(d <= dt.date(2017, 1, 31) for d in starts) == 46
    assert sum(dt.date(2017, 2, 1) <= d <= dt.date(2017, 4, 30) for d in starts) == 12
    assert sum(d > dt.date(2017, 4, 30) for d in starts) == 5


def test_simulated_the_end_of_march_tally_is_the_ministrys(rollout):
    """One replication: by 31 March 2017, 46 provinces have sealed every station, Đắk Nông and An Giang are
    sealing, the other 15 have not begun; more than 10,000 stations and 30,000 dispensers are sealed; Hà
    Nội (61 teams from 19 May) is done within May."""
    out = run_replication(rollout, 0, 2017, keep_visits=True)
    march = (END_OF_MARCH - rollout.scenario.start).days
    first = defaultdict(list)
    for _team, _station, district, _pumps, begin, end, kind in out.visits:
        if kind == "first":
            first[district].append((begin, end))
    finished = {d for d, v in first.items() if max(e for _, e in v) < march}
    sealing = {d for d, v in first.items() if min(b for b, _ in v) < march} - finished
    assert len(finished) == 46 and sealing == {"Đắk Nông", "An Giang"} and len(first) == 63
    sealed = [(station, pumps) for _t, station, _d, pumps, _b, end, kind in out.visits
              if kind == "first" and end < march]
    assert len(sealed) > 10_000 and sum(p for _, p in sealed) > 30_000
    hanoi_done = max(e for _, e in first["Hà Nội"])
    assert hanoi_done < (dt.date(2017, 6, 1) - rollout.scenario.start).days
    assert out.kpis["completed"] == 1.0 and out.kpis["stations"] == 15_000
