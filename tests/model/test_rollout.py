"""A staggered rollout, district by district (``[campaign.districts.NAME]``), and what each district
costs and brings in: its own teams from its own start, the government's cost shared out to the stations
it was spent on (it adds up to the ``cost`` KPI), and what "where first" weighs — the team-days to seal
a district and its monthly extra tax once sealed, on months common to every district."""

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
    # the months after every district is sealed: February–December 2017, or July–December
    assert (b_early["steady_months"] == 11).all() and (b_late["steady_months"] == 6).all()


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


def test_the_cost_set_against_the_window_stops_at_its_end(small):
    """Readings only, ten teams sealing every station in January 2017, a 3-month window: the cost set against
    the window's extra tax is 3 monthly readings a station (each district's too); over the horizon, 12."""
    ov = {"campaign.teams": 10, "run.evaluation_months": 3, "costs.per_team_day": 0.0, "costs.per_seal": 0.0,
          "costs.per_visit": 0.0, "costs.per_reading": 1e5}
    res = simulator.run(small(ov), 2, 3, workers=1, progress=False)
    d, k = res.districts, res.kpis
    np.testing.assert_allclose(d["cost"], 3 * 1e5 * d["district"].map({"A": 6, "B": 4}))
    assert (k["cost"] == 3 * 1e5 * 10).all() and (k["cost_horizon"] == 12 * 1e5 * 10).all()
    assert (k["net_benefit"] == k["extra_tax"] - k["cost"]).all()


def test_what_where_first_weighs_per_district(small):
    """Ten teams seal every station in January 2017. Team-days to seal: (1 h travel + 2 dispensers × 60 min) a
    station ÷ 8 h — 6 × 3/8 for A, 4 × 3/8 for B. The monthly extra tax once sealed is measured over the same
    months for both, February–December 2017: the districts' add up to the province's, month by month."""
    res = simulator.run(small({"campaign.teams": 10}), 2, 3, workers=1, progress=False)
    d = res.districts.set_index(["replication", "district"])
    np.testing.assert_allclose(d.xs("A", level=1)["team_days_to_seal"], 6 * 3 / 8)
    np.testing.assert_allclose(d.xs("B", level=1)["team_days_to_seal"], 4 * 3 / 8)
    assert (d["steady_months"] == 11).all()
    m = res.monthly
    steady = m[m.month >= "2017-02-01"].pivot_table(index="replication", columns="arm", values="tax", aggfunc="sum")
    per_month = (steady["with"] - steady["without"]) / 11
    np.testing.assert_allclose(d.groupby(level=0)["extra_tax_per_month_sealed"].sum(), per_month, rtol=1e-9)
    # no lump sums in this world: none of it is a regime switch
    assert (d["regime_switch_per_month_sealed"] == 0).all()


def test_a_district_never_sealed_leaves_no_common_months(small):
    """B starts on the horizon's last Saturday: no working day is left, nothing of B is sealed — so there is
    no month after every district is sealed to compare them on."""
    res = simulator.run(small({**B_LATER, "campaign.districts.B.start": dt.date(2017, 12, 30)}), 1, 3,
                        workers=1, progress=False)
    d = res.districts.set_index("district")
    assert (d["steady_months"] == 0).all() and d["extra_tax_per_month_sealed"].isna().all()
    assert d.loc["B", "pumps_sealed"] == 0 and d.loc["B", "team_days_to_seal"] == 0
    assert d.loc["A", "team_days_to_seal"] > 0


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


def test_a_district_without_stations_puts_no_team_to_work(small):
    """B drawn with no station: its own teams cost nothing (no equipment booked for an empty pool)."""
    ov = {**B_LATER, "network.districts": {"A": 6, "B": 0}, "costs.per_team_fixed": 3e6,
          "costs.per_team_day": 0.0, "costs.per_seal": 0.0, "costs.per_visit": 0.0}
    out = _visits(small(ov))
    assert out.kpis["cost"] == 3e6  # the shared pool's one team only
