"""The model pinned to what is known: closed forms, the counterfactual, conservation,
seeds."""

from __future__ import annotations

import numpy as np
import pytest

import simulator
from simulator.model.declarations import FIELDS

INSTANT = {  # every dispenser sealed at the very start of the campaign
    "campaign.minutes_per_pump": 0.0,
    "campaign.travel_hours": 0.0,
}


@pytest.mark.parametrize("u", [0.05, 0.2, 0.5])
@pytest.mark.parametrize("cv", [0.0, 0.4])
def test_all_sealed_at_once_gives_u_over_1_minus_u(small, u, cv):
    """All dispensers sealed on day one, fixed shares, residual 0, no growth:
    tax with / tax without = 1/(1−u), so uplift = u/(1−u) — with or without daily noise."""
    sc = small({**INSTANT, "behaviour.undeclared_share": u, "demand.daily_cv": cv,
                "campaign.start": "2017-01-01"})
    res = simulator.run(sc, replications=2)
    assert res.kpis["pumps_sealed"].eq(res.kpis["pumps"]).all()
    np.testing.assert_allclose(res.kpis["uplift"], u / (1 - u), rtol=1e-12)


def test_all_sealed_at_once_with_residual(small):
    """With a residual share r the closed form becomes (1−r)/(1−u) − 1."""
    sc = small({**INSTANT, "behaviour.undeclared_share": 0.3, "behaviour.residual_share": 0.02,
                "campaign.start": "2017-01-01"})
    res = simulator.run(sc, replications=1)
    assert res.kpis["uplift"].iloc[0] == pytest.approx(0.98 / 0.7 - 1, rel=1e-12)


def test_before_after_is_growth_times_compliance(small):
    """No noise, no seasonality, instant sealing on 1 Jan: before/after uplift equals the
    ratio of 2017's to 2016's total volume (daily compound growth; 2016 is a leap year
    with one day more) times 1/(1−u)."""
    g, u = 0.06, 0.1
    sc = small({**INSTANT, "behaviour.undeclared_share": u, "demand.daily_cv": 0.0,
                "demand.annual_growth": g, "campaign.start": "2017-01-01"})
    res = simulator.run(sc, replications=1)
    days = np.arange(731)
    vol = (1 + g) ** (days / 365.25)
    growth = vol[366:].sum() / vol[:366].sum()  # 2016 has 366 days, 2017 has 365
    assert res.kpis["uplift_before_after"].iloc[0] == pytest.approx(growth / (1 - u) - 1, rel=1e-9)
    parts = res.kpis.iloc[0]
    assert parts["tax_without"] / parts["tax_before"] == pytest.approx(growth, rel=1e-9)


def test_campaign_disabled_gives_exactly_zero_uplift(small):
    """With the campaign disabled both arms are the same world: uplift is exactly 0."""
    sc = small({"campaign.enabled": False, "behaviour.undeclared_share": {"dist": "beta", "mean": 0.2, "sd": 0.1}})
    res = simulator.run(sc, replications=3)
    assert (res.kpis["uplift"] == 0.0).all()
    assert (res.kpis["extra_tax"] == 0.0).all()
    assert (res.kpis["pumps_sealed"] == 0).all()
    w = res.monthly[res.monthly.arm == "with"].reset_index(drop=True)
    wo = res.monthly[res.monthly.arm == "without"].reset_index(drop=True)
    assert (w[list(FIELDS)].to_numpy() == wo[list(FIELDS)].to_numpy()).all()


def test_litres_are_conserved_and_declared_never_exceeds_true(small):
    """Each month, declared litres are at most the true litres; without the campaign a
    station with fixed share u declares exactly (1−u) of its true litres."""
    sc = small({"behaviour.undeclared_share": 0.25, "behaviour.residual_share": 0.01})
    m = simulator.run(sc, replications=2).monthly
    assert (m["declared_litres"] <= m["true_litres"] * (1 + 1e-12)).all()
    wo = m[m.arm == "without"]
    np.testing.assert_allclose(wo["declared_litres"], 0.75 * wo["true_litres"], rtol=1e-12)
    w = m[m.arm == "with"]
    assert (w["declared_litres"] >= 0.75 * w["true_litres"] * (1 - 1e-12)).all()
    # both arms see the same true sales (common random numbers)
    np.testing.assert_array_equal(w["true_litres"].to_numpy(), wo["true_litres"].to_numpy())


def test_tax_is_rate_times_declared_value_plus_retail_per_litre(small):
    """Declared regime: tax = rate × declared value + retail charge per litre × declared litres, every month and arm."""
    sc = small({"tax.rate": 0.01, "tax.retail_per_litre": 50.0})
    m = simulator.run(sc, replications=1).monthly
    np.testing.assert_allclose(m["tax"], 0.01 * m["declared_value"] + 50.0 * m["declared_litres"], rtol=1e-12)


def test_price_path_is_a_step_function(small):
    """Sales value per litre follows the dated price path."""
    sc = small({"demand.daily_cv": 0.0, "demand.price_path": [{"date": __import__("datetime").date(2016, 7, 1),
                                                               "price": 20000.0}]})
    m = simulator.run(sc, replications=1).monthly
    w = m[m.arm == "without"].set_index("month")
    assert w.loc["2016-06-01", "true_value"] / w.loc["2016-06-01", "true_litres"] == pytest.approx(17000.0)
    assert w.loc["2016-07-01", "true_value"] / w.loc["2016-07-01", "true_litres"] == pytest.approx(20000.0)


def test_same_seed_same_numbers_other_seed_differs(small):
    """The same scenario and seed give identical tables; another seed gives other numbers."""
    sc = small({"behaviour.undeclared_share": {"dist": "beta", "mean": 0.2, "sd": 0.1},
                "campaign.travel_hours": {"dist": "triangular", "low": 0.5, "mode": 1, "high": 2}})
    a = simulator.run(sc, replications=3, seed=7)
    b = simulator.run(sc, replications=3, seed=7)
    c = simulator.run(sc, replications=3, seed=8)
    assert a.kpis.equals(b.kpis) and a.monthly.equals(b.monthly)
    assert not np.allclose(a.kpis["uplift"], c.kpis["uplift"])
    assert not np.allclose(a.kpis["completion_days"], c.kpis["completion_days"])


def test_replication_numbers_do_not_depend_on_the_count_or_workers(small):
    """Replication i is the same whether 2 or 4 replications run, on 1 or 2 workers."""
    sc = small({"behaviour.undeclared_share": {"dist": "beta", "mean": 0.2, "sd": 0.1}})
    two = simulator.run(sc, replications=2, seed=3)
    four = simulator.run(sc, replications=4, seed=3, workers=2)
    assert four.kpis.iloc[:2].reset_index(drop=True).equals(two.kpis)
    assert four.monthly[four.monthly.replication < 2].reset_index(drop=True).equals(two.monthly)


def test_campaign_that_cannot_finish_is_reported_not_an_error(small):
    """A campaign too big for its horizon ends with a share sealed below 1 and no completion time."""
    sc = small({"scenario.end": "2017-03-31", "run.evaluation_months": 3, "campaign.minutes_per_pump": 600.0,
                "network.districts": {"A": 40}})
    res = simulator.run(sc, replications=2)
    k = res.kpis
    assert (k["completed"] == 0).all() and k["completion_days"].isna().all()
    assert ((k["share_sealed"] > 0) & (k["share_sealed"] < 1)).all()


def test_generated_network_follows_its_distributions(small):
    """Station counts per district and pumps per station are drawn as declared."""
    sc = small({"network.districts": {"A": 300, "B": {"dist": "poisson", "mean": 200}},
                "network.pumps_per_station": {"dist": "poisson", "mean": 3.0, "min": 1}})
    k = simulator.run(sc, replications=5).kpis
    assert (k["stations"] > 400).all() and (k["stations"] < 600).all()
    assert (k["pumps"] / k["stations"]).mean() == pytest.approx(3.0, abs=0.15)


def test_more_teams_finish_no_later_and_cost_follows(small):
    """With the same seed, more teams never finish later; cost is team-days × rate + seals + visits."""
    base = {"network.districts": {"A": 30, "B": 20},
            "campaign.travel_hours": {"dist": "triangular", "low": 0.5, "mode": 1, "high": 2}}
    done = [simulator.run(small({**base, "campaign.teams": t}), replications=3, seed=5).kpis for t in (1, 2, 3, 5)]
    for a, b in zip(done, done[1:]):
        assert (b["completion_days"] <= a["completion_days"] + 1e-9).all()
    k = done[1]
    np.testing.assert_allclose(k["cost"], 1e6 * k["team_days"] + 1e4 * k["pumps_sealed"] + 5e4 * k["visits"])


def test_the_kpi_registry_lists_exactly_what_a_replication_reports(small):
    """Every KPI the model fills has one registry entry (unit, kind, label), and nothing else has."""
    from simulator import kpis
    from simulator.numbers import FORMATTERS

    reported = [c for c in simulator.run(small(), replications=1).kpis.columns if c != "replication"]
    assert sorted(reported) == sorted(kpis.KPIS)
    assert all(k.unit and k.kind in FORMATTERS for k in kpis.KPIS.values())
    # the causal figure and its regime-switch part first, then the before/after figure
    assert kpis.SUMMARY[:3] == ("uplift", "uplift_regime_switch", "uplift_before_after")


def test_a_misspelt_kpi_is_refused_without_running_anything(small, monkeypatch):
    """The check reads the registry: it must not run a replication to learn the names."""
    from simulator.analysis import points

    monkeypatch.setattr(points, "run", lambda *a, **k: pytest.fail("ran a replication to check a name"))
    with pytest.raises(simulator.ScenarioError, match="unknown KPI"):
        points.check_kpis(small(), ["uplfit"], "sweep")
    points.check_kpis(small(), ["uplift", "cost"], "sweep")
