"""A staggered rollout, district by district (``[campaign.districts.NAME]``), and what each district
costs and brings in: its own teams from its own start, the government's cost shared out to the stations
it was spent on (it adds up to the ``cost`` KPI), and each district's extra tax in its own first year."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import simulator
from simulator.errors import ScenarioError
from simulator.model.replication import DISTRICT_COLUMNS, run_replication

COST = DISTRICT_COLUMNS.index("cost")

B_LATER = {"campaign.districts.B.start": dt.date(2017, 3, 1), "campaign.districts.B.teams": 2}
EVERY_COST = {"costs.fixed": 7e6, "costs.per_team_fixed": 3e6, "costs.per_reading": 1e5, "costs.per_audit": 2e6,
              "enforcement.audits_per_year": 2.0}


def _visits(sc, rep=0, seed=5):
    return run_replication(sc, rep, seed, keep_visits=True)


def test_a_scheduled_district_has_its_own_teams_from_its_own_start(small):
    """B's two teams start on 1 March 2017 and visit only B; A keeps the campaign's one team from January."""
    out = _visits(small(B_LATER))
    origin = dt.date(2016, 1, 1)
    b_start = (dt.date(2017, 3, 1) - origin).days
    a_start = (dt.date(2017, 1, 2) - origin).days
    teams = {"A": set(), "B": set()}
    for team, _station, district, _pumps, start, _end, _kind in out.visits:
        teams[district].add(team)
        assert start >= (b_start if district == "B" else a_start)
    assert teams == {"A": {0}, "B": {1, 2}}  # the shared pool's team first, then B's
    assert out.kpis["completed"] == 1.0


def test_without_a_schedule_nothing_changes_and_with_one_the_world_without_is_the_same(small):
    """Common random numbers: scheduling a district changes who visits when, not what the world draws."""
    base, staggered = _visits(small()), _visits(small(B_LATER))
    assert np.array_equal(base.monthly[:, 1], staggered.monthly[:, 1])

    def a_sealed(out):
        return max(end for _t, _s, district, _p, _b, end, kind in out.visits if district == "A" and kind == "first")

    # A, left to the shared team alone, is sealed no later than with B's stations on the same list
    assert a_sealed(staggered) <= a_sealed(base)


def test_a_later_start_seals_later_and_brings_less_in_the_campaign_window(small):
    early = simulator.run(small({**B_LATER, "campaign.districts.B.start": dt.date(2017, 1, 2)}), 3, 4,
                          workers=1, progress=False).districts
    late = simulator.run(small({**B_LATER, "campaign.districts.B.start": dt.date(2017, 6, 1)}), 3, 4,
                         workers=1, progress=False).districts
    b_early, b_late = (d[d.district == "B"].set_index("replication") for d in (early, late))
    assert (b_late["extra_tax"] < b_early["extra_tax"]).all()
    # its own first year moves with it: 12 months from June 2017 end after the horizon (7 months left)
    assert (b_early["own_window_months"] == 12).all() and (b_late["own_window_months"] == 7).all()


@pytest.mark.parametrize("overrides", [{}, B_LATER, {**B_LATER, **EVERY_COST},
                                       {**EVERY_COST, "instruments.einvoice_pos.start": dt.date(2017, 2, 1),
                                        "instruments.einvoice_pos.cost_per_station": 5e6,
                                        "instruments.einvoice_pos.running_cost_per_station_month": 2e5,
                                        "instruments.einvoice_pos.rollout_days": 60},
                                       {**B_LATER, "instruments.lottery.start": dt.date(2016, 6, 1),
                                        "instruments.lottery.reward_share_of_tax": 0.3,
                                        "instruments.audits_only.start": dt.date(2017, 5, 1),
                                        "instruments.audits_only.audits_per_station_year": 1.0,
                                        "instruments.audits_only.cost_per_audit": 2e6}])
def test_the_cost_shared_out_to_districts_adds_up_to_the_cost(small, overrides):
    """Conservation: visits, seals, readings, audits, connections, team-days, team equipment and the fixed
    cost, each given to a district, add up to the government's cost of every replication."""
    res = simulator.run(small(overrides), 3, 2, workers=1, progress=False)
    by_rep = res.districts.groupby("replication")["cost"].sum()
    np.testing.assert_allclose(by_rep.to_numpy(), res.kpis.set_index("replication")["cost"].loc[by_rep.index],
                               rtol=1e-9)
    assert (res.districts["cost"] > 0).all()


def test_a_district_pays_for_its_own_teams(small):
    """With only team costs, B's two teams' equipment and days are B's alone: A's cost is its one team's
    equipment, and each district's team-days come in whole days (a shared pool would split days by hours)."""
    ov = {**B_LATER, "costs.per_seal": 0.0, "costs.per_visit": 0.0, "campaign.reverification_months": 0}
    equipment = _visits(small({**ov, "costs.per_team_day": 0.0, "costs.per_team_fixed": 3e6}))
    assert dict(zip(equipment.district_names, equipment.districts[:, COST])) == {"A": 3e6, "B": 6e6}
    days = _visits(small({**ov, "costs.per_team_day": 1e6}))
    d = days.districts[:, COST] / 1e6
    assert np.array_equal(d, np.round(d)) and (d > 0).all() and d.sum() == days.kpis["team_days"]


def test_each_district_own_window_is_the_campaign_window_when_it_is_sealed_in_the_first_month(small):
    """Every district sealed in January 2017 (ten teams): its own first year is the campaign's window, so
    its extra tax there is its share of the extra tax, and they add up to the KPI."""
    res = simulator.run(small({"campaign.teams": 10}), 2, 3, workers=1, progress=False)
    d = res.districts
    assert (d["own_window_months"] == 12).all()
    np.testing.assert_allclose(d["extra_tax_own_window"], d["extra_tax"], rtol=1e-12)


def test_the_cost_of_a_district_own_window_stops_at_its_end(small):
    """Readings only, ten teams sealing every station in January 2017, a 3-month window: each district's
    cost in its own window is its stations × 3 monthly readings; over the horizon, × 12."""
    ov = {"campaign.teams": 10, "run.evaluation_months": 3, "costs.per_team_day": 0.0, "costs.per_seal": 0.0,
          "costs.per_visit": 0.0, "costs.per_reading": 1e5}
    d = simulator.run(small(ov), 2, 3, workers=1, progress=False).districts
    stations = d["district"].map({"A": 6, "B": 4})
    np.testing.assert_allclose(d["cost_own_window"], 3 * 1e5 * stations)
    np.testing.assert_allclose(d["cost"], 12 * 1e5 * stations)


def test_a_district_never_sealed_has_no_own_window(small):
    """B starts on the horizon's last Saturday: no working day is left, nothing of B is sealed."""
    res = simulator.run(small({**B_LATER, "campaign.districts.B.start": dt.date(2017, 12, 30)}), 1, 3,
                        workers=1, progress=False)
    b = res.districts.set_index("district").loc["B"]
    assert b["own_window_months"] == 0 and np.isnan(b["extra_tax_own_window"]) and b["pumps_sealed"] == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"campaign.districts.C.start": dt.date(2017, 3, 1), "campaign.districts.C.teams": 1},
     "campaign.districts.C: unknown district 'C'"),
    ({"campaign.districts.B.start": dt.date(2016, 12, 1), "campaign.districts.B.teams": 1},
     "campaign.districts.B.start: expected a date from campaign.start"),
    ({"campaign.districts.B.start": dt.date(2018, 3, 1), "campaign.districts.B.teams": 1},
     "campaign.districts.B.start: expected a date from campaign.start"),
    ({"campaign.districts.B.start": dt.date(2017, 3, 1), "campaign.districts.B.teams": 0},
     "campaign.districts.B.teams"),
])
def test_a_bad_schedule_is_refused_by_name(small, overrides, message):
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.").replace("(", r"\(")):
        small(overrides)


def test_a_schedule_for_a_district_the_register_does_not_have_is_refused():
    from pathlib import Path

    path = Path(__file__).parents[1] / "data" / "with_register.toml"
    with pytest.raises(ScenarioError, match=r"campaign\.districts\.Nowhere.*unknown district 'Nowhere'"):
        simulator.load_scenario(path, overrides={"campaign.districts.Nowhere.start": "2017-03-01",
                                                 "campaign.districts.Nowhere.teams": 1})


def test_a_scenario_without_a_schedule_keeps_its_digest(small):
    """The schedule is absent by default, not empty: run folders written before it still verify."""
    assert "districts" not in small().resolved()["campaign"]
