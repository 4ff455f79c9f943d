"""The cost model: who pays what, booked in the month it falls in."""

import numpy as np
import pytest

import simulator

ONLY = {"costs.per_team_day": 0.0, "costs.per_seal": 0.0, "costs.per_visit": 0.0, "costs.fixed": 0.0,
        "campaign.reverification_months": 0, "enforcement.audits_per_year": 0.0}


@pytest.mark.parametrize("teams", [1, 2, 3])
def test_one_more_team_adds_its_fixed_cost(small, teams):
    """Equipment, standard capacity measures and training cost per_team_fixed for each team, booked in the
    campaign's first month."""
    k = simulator.run(small({**ONLY, "costs.per_team_fixed": 30e6, "costs.fixed": 5e6, "campaign.teams": teams}),
                      replications=1).kpis.iloc[0]
    assert k["cost"] == pytest.approx(5e6 + teams * 30e6, rel=1e-12)
    assert k["cost_government"] == k["cost"] and k["cost_stations"] == 0


def test_the_tax_office_reads_every_sealed_station_every_month(small):
    """per_reading for each station sealed by a month's end, each month from its seal to the horizon's end:
    10 stations sealed in January 2017 → 12 months × 10 readings in the window."""
    res = simulator.run(small({**ONLY, "costs.per_reading": 100_000.0, "campaign.teams": 10}), replications=1)
    m = res.monthly[(res.monthly.arm == "with")].set_index("month")
    assert m.loc["2016-12-01", "cost"] == 0
    np.testing.assert_allclose(m.loc["2017-01-01":, "cost"], 10 * 100_000.0)
    assert res.kpis["cost"].iloc[0] == pytest.approx(12 * 10 * 100_000.0)


def test_audits_cost_per_audit_and_stations_pay_their_verification_fees_apart(small):
    k = simulator.run(small({**ONLY, "enforcement.audits_per_year": 2.0, "costs.per_audit": 1e6,
                             "costs.station_fee_per_dispenser": 200_000.0}), replications=2).kpis
    np.testing.assert_allclose(k["cost"], 1e6 * k["audits"])  # audits from the campaign start (= the window here)
    np.testing.assert_allclose(k["cost_stations"], 200_000.0 * k["pumps_sealed"])
    assert (k["benefit_cost_ratio"] == k["extra_tax"] / k["cost"]).all()  # the government's cost only


def test_net_gain_and_payback_read_the_same_months_as_the_cost_chart(small):
    """net_benefit = extra tax − cost; payback_months counts month ends from the campaign's first month
    until the cumulative extra tax covers the cumulative cost for good, by hand from the monthly table."""
    res = simulator.run(small({**ONLY, "costs.fixed": 20e6}), replications=3, seed=4)
    k = res.kpis.set_index("replication")
    np.testing.assert_array_equal(k["net_benefit"], k["extra_tax"] - k["cost"])
    m = res.monthly.set_index(["replication", "arm", "month"]).sort_index()
    for r in k.index:
        w, wo = m.loc[(r, "with")], m.loc[(r, "without")]
        w, wo = w[w.index >= "2017-01-01"], wo[wo.index >= "2017-01-01"]  # the campaign starts in January 2017
        extra, cost = np.cumsum(w["tax"] - wo["tax"]).to_numpy(), np.cumsum(w["cost"]).to_numpy()
        ok = (extra >= cost) & (extra > 0)
        assert ok[-1]
        first_for_good = len(ok) - np.argmin(ok[::-1]) if not ok.all() else 0  # after the last month not covered
        assert k.loc[r, "payback_months"] == first_for_good + 1
    never = simulator.run(small({**ONLY, "costs.fixed": 1e15}), replications=1).kpis.iloc[0]
    assert np.isnan(never["payback_months"]) and never["net_benefit"] < 0
    off = simulator.run(small({"campaign.enabled": False}), replications=1).kpis.iloc[0]
    assert np.isnan(off["payback_months"]) and np.isnan(off["net_benefit"])
