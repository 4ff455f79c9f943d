"""Enforcement and metrology: seal tampering and deterrence, audits, re-verification,
dispenser errors, operator types, the announcement effect and the decomposition."""

from __future__ import annotations

import numpy as np
import pytest

import simulator

TAMPERING = {
    "network.districts": {"A": 40, "B": 40},
    "behaviour.undeclared_share": 0.2,
    "enforcement.honest_share": 0.0,
    "enforcement.risk_aversion": {"dist": "lognormal", "mean": 1.0, "sd": 1.0},
    "campaign.minutes_per_pump": 0.0,
    "campaign.travel_hours": 0.0,
    "campaign.start": "2017-01-01",
    "campaign.reverification_months": 0,  # audits are the only way a broken seal is found
}


def test_when_nothing_finds_a_broken_seal_tampering_stations_go_back_and_uplift_decays(small):
    """With no audits (or audits that never find a broken seal) every non-honest sealed station
    breaks its seal the month after sealing and declares as before: uplift decays to what the
    honest stations give, (1 − honest share) of it lost."""
    honest = {**TAMPERING, "enforcement.honest_share": 0.5}
    sealed_only = simulator.run(small({**honest, "enforcement.honest_share": 1.0}), replications=2, seed=1).kpis
    for knobs in ({"enforcement.audits_per_year": 0.0, "enforcement.fine": 1e9},
                  {"enforcement.audits_per_year": 4.0, "enforcement.detection_probability": 0.0}):
        res = simulator.run(small({**honest, **knobs}), replications=2, seed=1)
        k = res.kpis
        w = res.monthly[(res.monthly.arm == "with") & (res.monthly.replication == 0)].set_index("month")
        wo = res.monthly[(res.monthly.arm == "without") & (res.monthly.replication == 0)].set_index("month")
        # January (sealed on day one) has the full uplift; from February the tamperers are back
        jan = w.loc["2017-01-01", "tax"] / wo.loc["2017-01-01", "tax"] - 1
        jun = w.loc["2017-06-01", "tax"] / wo.loc["2017-06-01", "tax"] - 1
        assert jan == pytest.approx(0.25, rel=1e-9)
        assert 0.05 < jun < 0.2
        assert (k["seals_broken"] >= 30).all()
        assert (k["uplift"] < sealed_only["uplift"]).all()
        # the tamperers declare exactly as before sealing: uplift of the rest only
        monthly_ratio = (w["tax"] / wo["tax"] - 1).loc["2017-02-01":]
        assert monthly_ratio.max() < 0.25


def test_every_non_honest_station_tampers_when_nothing_deters(small):
    """No audits, no fines: from February every station is declaring as before sealing."""
    res = simulator.run(small({**TAMPERING, "enforcement.audits_per_year": 0.0}), replications=1)
    w = res.monthly[res.monthly.arm == "with"].set_index("month")
    wo = res.monthly[res.monthly.arm == "without"].set_index("month")
    after = w.loc["2017-02-01":, "tax"] / wo.loc["2017-02-01":, "tax"]
    np.testing.assert_allclose(after, 1.0, rtol=1e-12)
    assert res.kpis["seals_broken"].iloc[0] == 80


@pytest.mark.parametrize("knob", ["enforcement.audits_per_year", "enforcement.fine"])
def test_more_audits_or_bigger_fines_never_raise_tampering(small, knob):
    """Seeded grid: raising the audit rate or the fine never raises the mean share of
    station-months with a broken seal."""
    grid = {"enforcement.audits_per_year": [0.0, 0.5, 1, 2, 4, 8],
            "enforcement.fine": [0.0, 5e6, 2e7, 5e7, 1e8, 1e9]}[knob]
    base = {**TAMPERING, "enforcement.audits_per_year": 1.0, "enforcement.fine": 2e7, "enforcement.inspectors": 50}
    shares = []
    for value in grid:
        res = simulator.run(small({**base, knob: value}), replications=4, seed=11)
        w = res.monthly[res.monthly.arm == "with"]
        wo = res.monthly[res.monthly.arm == "without"]
        # share of the compliance gain lost to tampering, 2017 (sealed on day one)
        lost = 1 - (w[w.month >= "2017-01-01"]["tax"].sum() / wo[wo.month >= "2017-01-01"]["tax"].sum() - 1) / 0.25
        shares.append(lost)
    assert all(b <= a + 1e-12 for a, b in zip(shares, shares[1:])), shares
    assert shares[0] > shares[-1]


def test_audits_detect_fine_and_are_limited_by_capacity(small):
    """Audits happen at the requested rate unless the inspectors are too few; every detection is fined."""
    base = {**TAMPERING, "enforcement.audits_per_year": 6.0, "enforcement.fine": 1e5, "enforcement.inspectors": 20,
            "enforcement.detection_probability": 1.0, "enforcement.risk_aversion": 0.0,
            "enforcement.planning_months": 1}  # short-sighted and risk-neutral: they break seals anyway
    k = simulator.run(small(base), replications=2).kpis
    assert k["audits"].mean() == pytest.approx(6.0 * 80, rel=0.15)
    # a station found twice is fined twice but counted once; every fine here comes from an audit
    assert (k["detections"] > 0).all() and (0 < k["stations_fined"]).all()
    assert (k["stations_fined"] <= k["detections"]).all() and (k["stations_fined"] < k["detections"]).any()
    assert (k["stations_fined_by_audits"] == k["stations_fined"]).all()
    np.testing.assert_allclose(k["fines"], 1e5 * k["detections"])  # no multiple of the evaded tax by default
    assert (k["back_taxes"] > 0).all()
    few = simulator.run(small({**base, "enforcement.inspectors": 1, "enforcement.audit_hours": 16.0}),
                        replications=2).kpis
    assert (few["audits"] < 0.5 * k["audits"]).all()  # one inspector, two days an audit: ~125 a year at most


def test_zero_audits_and_zero_fine_are_valid(small):
    """enforcement.audits_per_year=0 and enforcement.fine=0 are valid settings."""
    res = simulator.run(small({"enforcement.audits_per_year": 0, "enforcement.fine": 0}), replications=1)
    assert res.kpis["audits"].iloc[0] == 0 and res.kpis["fines"].iloc[0] == 0


def test_no_faulty_dispensers_means_no_consumer_savings(small):
    """With no out-of-tolerance or deliberately set dispenser, nothing is short-delivered and
    consumer savings are 0; the metrology part of the uplift is 0."""
    k = simulator.run(small({"metrology.error_sd": 0.0, "metrology.short_delivery_share": 0.0}), replications=2).kpis
    assert (k["consumer_savings"] == 0).all() and (k["dispensers_failed"] == 0).all()
    assert (k["uplift_metrology"] == 0).all()


def test_short_delivery_is_found_fixed_and_saves_consumers(small):
    """Deliberately set dispensers fail verification, are fined, cost adjusting time, and
    their correction saves consumers money while lowering indicated sales (metrology < 0)."""
    faulty = {"metrology.short_delivery_share": 0.3, "metrology.short_delivery_error": 0.04,
              "metrology.error_sd": 0.001, "enforcement.fine": 1e6, "network.districts": {"A": 30}}
    k = simulator.run(small(faulty), replications=3).kpis
    clean = simulator.run(small({**faulty, "metrology.short_delivery_share": 0.0}), replications=3).kpis
    assert (k["dispensers_failed"] >= k["tampered_dispensers_found"]).all()
    assert (k["tampered_dispensers_found"] > 5).all()
    assert (k["consumer_savings"] > 0).all()
    assert (k["short_delivered_litres_with"] < 0.2 * k["short_delivered_litres_without"]).all()
    assert (k["uplift_metrology"] < 0).all()
    assert (k["team_days"] >= clean["team_days"]).all()  # adjusting takes time


def test_decomposition_adds_up(small):
    """uplift_growth + uplift_compliance + uplift_metrology = uplift_before_after, per replication."""
    sc = small({"demand.annual_growth": 0.05, "metrology.short_delivery_share": 0.1, "metrology.error_sd": 0.003,
                "behaviour.undeclared_share": {"dist": "beta", "mean": 0.15, "sd": 0.05},
                "enforcement.honest_share": 0.5, "enforcement.audits_per_year": 1.0, "enforcement.fine": 1e7})
    k = simulator.run(sc, replications=4).kpis
    total = k["uplift_growth"] + k["uplift_compliance"] + k["uplift_metrology"]
    np.testing.assert_allclose(total, k["uplift_before_after"], rtol=0, atol=1e-12)
    assert (k["uplift_compliance"] > 0).all() and (k["uplift_growth"] > 0).all()


def test_reverification_visits_appear_in_workload_and_cost(small):
    """A 3-month re-verification cycle adds visits, team-days and cost; 0 switches it off."""
    base = {"scenario.end": "2017-12-31"}
    off = simulator.run(small({**base, "campaign.reverification_months": 0}), replications=2)
    on = simulator.run(small({**base, "campaign.reverification_months": 3}), replications=2)
    assert (off.kpis["reverification_visits"] == 0).all()
    # 10 stations first sealed in the first two weeks of January: due again in April, July, October
    assert (on.kpis["reverification_visits"] == 30).all()
    assert (on.kpis["visits"] == off.kpis["visits"] + 30).all()
    assert (on.kpis["team_days"] > off.kpis["team_days"]).all()
    assert (on.kpis["cost"] > off.kpis["cost"]).all()
    kinds = on.visits["kind"].value_counts()
    assert kinds["first"] == 10 and kinds["reverification"] == 30


def test_reverification_finds_broken_seals(small):
    """Without audits, a monthly re-verification still catches broken seals; fines follow."""
    sc = small({**TAMPERING, "enforcement.audits_per_year": 0.0, "enforcement.fine": 1e4,
                "enforcement.detection_probability": 1.0, "campaign.reverification_months": 1, "campaign.teams": 20})
    k = simulator.run(sc, replications=1).kpis
    assert k["detections"].iloc[0] > 0 and k["fines"].iloc[0] == 1e4 * k["detections"].iloc[0]


def test_operator_types_have_their_own_behaviour_and_tax(small):
    """Operators: shares of generated stations, their own undeclared share and tax rate."""
    ops = {"state": {"share": 0.5, "undeclared_share": 0.0, "tax_rate": 0.02},
           "household": {"share": 0.5, "undeclared_share": 0.4}}
    res = simulator.run(small({"network.districts": {"A": 200}, **INSTANT_START}, operators=ops), replications=1)
    k = res.kpis.iloc[0]
    # uplift lies between 0 (state) and 0.4/0.6 (households), weighted by their tax
    assert 0.1 < k["uplift"] < 0.4 / 0.6


INSTANT_START = {"campaign.minutes_per_pump": 0.0, "campaign.travel_hours": 0.0, "campaign.start": "2017-01-01"}


def test_register_operator_must_be_defined(tmp_path):
    """A register operator that the scenario does not define is a clear error naming the row."""
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\nA,X,state,2,100\nB,X,pirate,1,50\n")
    text = (Path(__file__).parents[1] / "data" / "minimal.toml").read_text()
    text = text.replace("districts = { A = 3, B = 2 }", 'register = "r.csv"') + "\n[operators.state]\nshare = 1\n"
    (tmp_path / "s.toml").write_text(text)
    with pytest.raises(simulator.ScenarioError, match=r"r.csv: row 3: operator: 'pirate' is not defined"):
        simulator.load_scenario(tmp_path / "s.toml")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("enforcement.detection_probability", 1.5, "less than or equal to 1"),
    ("enforcement.fine", -1, "greater than or equal to 0"),
    ("enforcement.inspectors", -2, "greater than or equal to 0"),
    ("enforcement.audits_per_year", -1, "greater than or equal to 0"),
    ("metrology.short_delivery_share", 2, "less than or equal to 1"),
    ("metrology.mpe", 0, "greater than 0"),
])
def test_enforcement_bad_values_name_the_key(small, key, value, message):
    """Probabilities outside [0, 1], negative fines or capacities: one line naming the key."""
    with pytest.raises(simulator.ScenarioError, match=rf"{key}: input should be {message}"):
        small({key: value})


def test_announcement_makes_unvisited_stations_comply_a_little(small):
    """An announcement effect f cuts unvisited stations' undeclared share by f from the
    announcement date: tax rises before any seal, in the 'with' arm only."""
    base = {"campaign.start": "2017-03-01", "campaign.announcement": "2017-01-01", "run.evaluation_months": 6}
    res = simulator.run(small({**base, "campaign.announcement_effect": 0.5}), replications=1)
    m = res.monthly.set_index(["arm", "month"])
    feb = m.loc[("with", "2017-02-01"), "declared_litres"] / m.loc[("with", "2017-02-01"), "true_litres"]
    assert feb == pytest.approx(1 - 0.2 * 0.5)
    dec = m.loc[("with", "2016-12-01"), "declared_litres"] / m.loc[("with", "2016-12-01"), "true_litres"]
    assert dec == pytest.approx(0.8)


from pathlib import Path  # noqa: E402


def test_risk_based_audits_find_more_broken_seals_than_random_ones(small):
    """Choosing stations by their declared-to-metered gap finds more tampering with the same audits
    (half the stations are honest, so the gap tells tamperers apart)."""
    base = {**TAMPERING, "enforcement.audits_per_year": 2.0, "enforcement.fine": 1e5, "enforcement.inspectors": 50,
            "enforcement.detection_probability": 1.0, "enforcement.honest_share": 0.5}
    risk = simulator.run(small({**base, "enforcement.selection": "risk"}), replications=4, seed=2).kpis
    rand = simulator.run(small({**base, "enforcement.selection": "random"}), replications=4, seed=2).kpis
    assert risk["detections"].sum() > 1.1 * rand["detections"].sum()


def test_strategies_chosen_by_name_match_the_schema():
    """Visiting orders and audit-selection rules are registries; the schema accepts exactly their names."""
    import typing

    from simulator.model import campaign, enforcement
    from simulator.scenario import Campaign, Enforcement

    assert set(typing.get_args(Campaign.model_fields["order"].annotation)) == set(campaign.ORDERS)
    assert set(typing.get_args(Enforcement.model_fields["selection"].annotation)) == set(enforcement.SELECTIONS)
    priority, gap = np.array([1.0, 3.0]), np.array([0.0, 0.5])
    assert list(enforcement.SELECTIONS["random"](priority, gap)) == [1.0, 3.0]
    assert list(enforcement.SELECTIONS["risk"](priority, gap)) == pytest.approx([0.01, 1.53])


def test_a_broken_seal_stays_open_until_something_finds_it(small):
    """Detection probability 0: every seal broken stays broken to the end of the window."""
    k = simulator.run(small({**TAMPERING, "enforcement.audits_per_year": 4.0,
                             "enforcement.detection_probability": 0.0}), replications=2).kpis
    assert (k["seals_broken"] > 0).all()
    np.testing.assert_array_equal(k["seals_broken"], k["broken_seals_open"])
    assert (k["detections"] == 0).all() and (k["back_taxes"] == 0).all()


def _enforcement(small, **over):
    import simpy

    from simulator.model.campaign import calendar_for
    from simulator.model.enforcement import Enforcement

    sc = small({**TAMPERING, **{k if "." in k else f"enforcement.{k}": v for k, v in over.items()}})
    return Enforcement(simpy.Environment(), sc, 3, np.random.default_rng(1), calendar_for(sc))


def test_a_station_never_restores_its_seal_without_a_detection(small):
    """Once broken, the seal stays broken whatever the station's gain later: only a detection mends it."""
    enf = _enforcement(small, audits_per_year=0.0, risk_aversion=0.0)
    sealed = np.ones(3, dtype=bool)
    enf.decide(sealed, gain=np.array([1e6, 0.0, 1e6]))
    assert list(enf.tampering) == [True, False, True]
    for _ in range(3):  # nothing to gain any more, yet the seal stays broken; the evaded tax adds up
        enf.decide(sealed, gain=np.zeros(3), tax_gain=np.array([2e6, 0.0, 0.0]))
    assert list(enf.tampering) == [True, False, True]
    assert enf.evaded[0] == 3 * 2e6 and enf.evaded[1] == 0


def test_the_penalty_a_station_weighs_is_the_expected_fine_back_taxes_and_interest(small):
    """Three planning months, a constant chance p = 0.2 of being found each month. Found in month m, a
    station owes the m − 1 months behind it and on average half of month m, with interest on what it owed
    at each month end: expected gain G (1 + 0.8 + 0.8²); expected penalty
    0.2 [F + ½(1 + θ) g] + 0.8 × 0.2 [F + 1½(1 + θ) g] + 0.8² × 0.2 [F + 2½(1 + θ) g + i D g]."""
    from simulator.model.enforcement import DAYS_PER_MONTH

    enf = _enforcement(small, planning_months=3, fine=1e6, licence_loss=0.0, tax_fine_multiple=2.0,
                       late_interest_per_day=0.0003)
    G, g, p = 5e6, 4e6, 0.2
    gain, penalty = enf.expected_values(np.full(3, G), np.full(3, g), np.full((3, 3), p))
    F, th, i, D = 1e6, 2.0, 0.0003, DAYS_PER_MONTH
    np.testing.assert_allclose(gain, G * (1 + (1 - p) + (1 - p) ** 2))
    np.testing.assert_allclose(penalty, p * (F + 0.5 * (1 + th) * g) + (1 - p) * p * (F + 1.5 * (1 + th) * g)
                               + (1 - p) ** 2 * p * (F + 2.5 * (1 + th) * g + i * D * g))


def test_what_a_detected_station_pays_is_what_it_weighed():
    """Applied as weighed: broken at a month end, evading g a month; found 10 days into its third month
    (two month ends behind it): it pays F + θ × evaded and back taxes of evaded + interest, with evaded
    = 2 g + (10 / D) g and interest i D g (on the g owed at the second month end)."""
    import simpy
    from conftest import make_scenario

    from simulator.model.campaign import calendar_for
    from simulator.model.enforcement import DAYS_PER_MONTH, Enforcement
    sc = make_scenario({**TAMPERING, "enforcement.audits_per_year": 0.0, "enforcement.fine": 1e6,
                        "enforcement.tax_fine_multiple": 2.0, "enforcement.late_interest_per_day": 0.0003,
                        "enforcement.detection_probability": 1.0, "enforcement.risk_aversion": 0.0})
    env = simpy.Environment()
    enf = Enforcement(env, sc, 1, np.random.default_rng(1), calendar_for(sc))
    enf.honest[:] = False
    g, D = 4e6, DAYS_PER_MONTH
    sealed = np.ones(1, dtype=bool)
    enf.decide(sealed, gain=np.array([1e12]), tax_gain=np.array([g]))  # breaks now (day 0)
    for end in (D, 2 * D):  # two month ends with the seal broken
        env.run(until=end)
        enf.decide(sealed, gain=np.array([1e12]), tax_gain=np.array([g]))
    env.run(until=2 * D + 10)
    assert enf.check(0)
    evaded = 2 * g + 10 / D * g
    totals = enf.totals(0, 1e9)
    assert totals["fine"] == pytest.approx(1e6 + 2.0 * evaded)
    assert totals["back_taxes"] == pytest.approx(evaded + 0.0003 * D * g)


def test_a_re_verification_falling_due_raises_that_months_chance(small):
    """Audits at 1.2 a year and detection 0.5: p = 0.5 (1 − e^−0.1) a month; in the month the station's
    re-verification falls due, the visit finds a broken seal with 0.5 as well."""
    enf = _enforcement(small, audits_per_year=1.2, detection_probability=0.5, planning_months=3)
    due = np.array([np.inf, 40.0, 70.0])  # none; in the second month; in the third
    chances = enf.detection_chances(due)
    a = 0.5 * -np.expm1(-0.1)
    np.testing.assert_allclose(chances[0], [a, a, a])
    np.testing.assert_allclose(chances[1], [a, 1 - (1 - a) * 0.5, a])
    np.testing.assert_allclose(chances[2], [a, a, 1 - (1 - a) * 0.5])


def test_short_delivery_by_station_sets_every_dispenser_of_the_cheating_stations(small):
    """short_delivery_stations = 0.3: about 30% of stations cheat, each with all its dispensers set; a
    verification visit fines each of them once."""
    from simulator.model.metrology import draw_dispensers
    from simulator.model.network import build_network

    sc = small({"metrology.short_delivery_stations": 0.3, "network.districts": {"A": 200}})
    net = build_network(sc, np.random.default_rng(3))
    d = draw_dispensers(sc, net.n_dispensers, np.random.default_rng(4), net.dispenser_station)
    per_station = np.bincount(net.dispenser_station, weights=d.deliberate, minlength=net.n_stations)
    cheats = per_station > 0
    assert np.array_equal(per_station[cheats], net.pumps[cheats])  # all or none
    assert 0.2 < cheats.mean() < 0.4
    k = simulator.run(small({"metrology.short_delivery_stations": 0.3, "enforcement.fine": 1e6}), replications=2).kpis
    assert (k["stations_fined"] > 0).all()
    np.testing.assert_allclose(k["fines"], 1e6 * k["stations_fined"])


def test_an_announcement_in_2016_leaves_the_trend_part_unchanged(small):
    """The months before are taken from the no-campaign arm, so an announcement that makes stations declare
    more before their visit moves the campaign's parts, never the trend (same seed)."""
    import datetime as dt

    quiet = simulator.run(small(), replications=3, seed=5).kpis
    told = simulator.run(small({"campaign.announcement": dt.date(2016, 10, 1), "campaign.announcement_effect": 0.5}),
                         replications=3, seed=5).kpis
    np.testing.assert_array_equal(quiet["uplift_growth"], told["uplift_growth"])
    np.testing.assert_array_equal(quiet["tax_before"], told["tax_before"])


def test_shapley_values_add_up_and_do_not_depend_on_the_order():
    """Two factors with an interaction: v(∅) = 0, v(A) = 1, v(B) = 2, v(AB) = 6 → A gets ½(1 + 4) = 2.5 and
    B ½(2 + 5) = 3.5, adding up to 6 whichever factor is named first; three factors likewise."""
    from simulator.model.replication import shapley

    f = frozenset
    v = {f(): 0.0, f("A"): 1.0, f("B"): 2.0, f("AB"): 6.0}
    assert shapley(v, ("A", "B")) == shapley(v, ("B", "A")) == {"A": 2.5, "B": 3.5}
    w = {f(s): float(len(s) ** 2 + ("C" in s)) for s in ("", "A", "B", "C", "AB", "AC", "BC", "ABC")}
    one, two = shapley(w, ("A", "B", "C")), shapley(w, ("C", "A", "B"))
    assert one == pytest.approx(two) and sum(one.values()) == pytest.approx(w[f("ABC")] - w[f()])


def test_the_before_after_parts_add_up_and_split_the_campaign_order_free(small):
    """With dispensers to correct, the trend + compliance + metrology parts add up to the before/after
    uplift, and compliance and metrology are the Shapley values of the campaign's two channels."""
    from simulator.model.replication import shapley

    over = {"metrology.short_delivery_share": 0.2, "metrology.error_sd": 0.002}
    res = simulator.run(small(over), replications=3)
    k = res.kpis
    np.testing.assert_allclose(k["uplift_growth"] + k["uplift_compliance"] + k["uplift_metrology"],
                               k["uplift_before_after"], rtol=1e-9)
    m = res.monthly[(res.monthly.month >= "2017-01-01") & (res.monthly.replication == 0)]
    w, wo = m[m.arm == "with"], m[m.arm == "without"]
    f = frozenset
    v = {f(): wo["tax"].sum(), f({"c"}): w["tax_no_metrology"].sum(), f({"m"}): w["tax_metrology_only"].sum(),
         f({"c", "m"}): w["tax"].sum()}
    parts = shapley(v, ("m", "c"))
    before = k["tax_before"].iloc[0]
    assert k["uplift_compliance"].iloc[0] == pytest.approx(parts["c"] / before, rel=1e-9)
    assert k["uplift_metrology"].iloc[0] == pytest.approx(parts["m"] / before, rel=1e-9)
    assert k["uplift_metrology"].iloc[0] < 0  # correcting over-indicating dispensers lowers indicated sales


def test_consumer_savings_net_both_ways(small):
    """Honest dispensers only, errors both ways: correcting the under-reading ones makes their customers
    pay more, so consumer savings are what customers overpaid without the campaign less with it — signed,
    and negative in some replications; the one-sided short delivery figure only ever falls."""
    k = simulator.run(small({"metrology.error_sd": 0.01, "metrology.mpe": 0.003}), replications=10, seed=3).kpis
    assert (k["consumer_savings"] < 0).any() and (k["consumer_savings"] > 0).any()
    assert (k["short_delivered_litres_with"] <= k["short_delivered_litres_without"]).all()
    res = simulator.run(small({"metrology.error_sd": 0.01, "metrology.mpe": 0.003}), replications=1, seed=3)
    m = res.monthly[res.monthly.month >= "2017-01-01"]
    by_arm = m.groupby("arm")["overpaid_value"].sum()
    assert res.kpis["consumer_savings"].iloc[0] == pytest.approx(by_arm["without"] - by_arm["with"], rel=1e-12)


def test_the_benefit_window_covers_an_announcement(small):
    """An announcement in October 2016: what unvisited stations declare more in October–December counts
    in the extra tax (and so in the benefit per VND), while the uplift keeps its 12-month window."""
    import datetime as dt

    res = simulator.run(small({"campaign.announcement": dt.date(2016, 10, 1), "campaign.announcement_effect": 0.5}),
                        replications=2, seed=5)
    k = res.kpis
    m = res.monthly[(res.monthly.month >= "2016-10-01") & (res.monthly.month < "2017-01-01")]
    by_arm = m.groupby(["arm", "replication"])["tax"].sum()
    early = by_arm["with"] - by_arm["without"]
    np.testing.assert_allclose(k["extra_tax_before_campaign"], early.to_numpy(), rtol=1e-9)
    assert (k["extra_tax_before_campaign"] > 0).all()
    np.testing.assert_allclose(k["extra_tax"], k["tax_with"] - k["tax_without"] + k["extra_tax_before_campaign"])
    np.testing.assert_allclose(k["uplift"], (k["tax_with"] - k["tax_without"]) / k["tax_without"])


def test_a_suspension_closes_the_station_for_its_days():
    """Detected on day 10 with 30 days of suspension: open 10 of January's 31 days, and from
    day 40 on in February's 28 (days 31–58)."""
    from simulator.model.enforcement import Enforcement

    enf = Enforcement.__new__(Enforcement)  # only the suspension book-keeping
    enf.suspended = np.full((2, 2), -np.inf)
    assert enf.open_share(0, 31) is None  # nobody suspended: nothing to do
    enf.suspended[1] = (10.0, 40.0)
    np.testing.assert_allclose(enf.open_share(0, 31), [1.0, 10 / 31])
    np.testing.assert_allclose(enf.open_share(31, 59), [1.0, 1 - 9 / 28])
    assert enf.open_share(59, 90) is None


def test_the_penalty_a_station_weighs_includes_the_margin_a_suspension_takes(small):
    """One planning month, chance p: penalty p [F + S/D × margin + ½ (1 + θ) g]; S = 15 days."""
    from simulator.model.enforcement import DAYS_PER_MONTH

    enf = _enforcement(small, planning_months=1, fine=1e6, licence_loss=0.0, tax_fine_multiple=1.0,
                       suspension_days=15, **{"tax.margin_per_litre": 700})
    margin = np.array([0.0, 6e7, 1.2e8])
    _, penalty = enf.expected_values(np.full(3, 5e6), np.full(3, 4e6), np.full((3, 1), 0.1), margin)
    np.testing.assert_allclose(penalty, 0.1 * (1e6 + 15 / DAYS_PER_MONTH * margin + 0.5 * 2 * 4e6))


SUSPENDING = {**TAMPERING, "enforcement.audits_per_year": 6.0, "enforcement.detection_probability": 1.0,
              "enforcement.inspectors": 20, "enforcement.risk_aversion": 0.0, "enforcement.planning_months": 1,
              "enforcement.licence_loss": 0.0, "enforcement.suspension_days": 20, "tax.margin_per_litre": 1.0}


@pytest.mark.parametrize("diverted", [1.0, 0.0])
def test_a_suspended_stations_customers_buy_next_door_or_are_lost(small, diverted):
    """Every detection suspends the station for 20 days. With all its customers diverted to its district,
    the province delivers exactly the litres it would have without the campaign, month by month;
    with none diverted, it delivers less in the months of a suspension and never more."""
    res = simulator.run(small({**SUSPENDING, "enforcement.suspension_diverted_share": diverted}), replications=1)
    k = res.kpis.iloc[0]
    assert k["stations_suspended"] == k["detections"] > 0
    m = res.monthly.pivot_table(index="month", columns="arm", values="delivered_litres")
    if diverted == 1.0:
        np.testing.assert_allclose(m["with"], m["without"], rtol=1e-12)
    else:
        assert (m["with"] <= m["without"] * (1 + 1e-12)).all() and (m["with"] < m["without"] * 0.999).any()


def test_suspension_and_a_flat_licence_loss_are_not_both_given(small):
    with pytest.raises(simulator.ScenarioError, match=r"enforcement.licence_loss: expected either suspension_days"):
        small({"enforcement.licence_loss": 1e6, "enforcement.suspension_days": 10, "tax.margin_per_litre": 700})
    with pytest.raises(simulator.ScenarioError, match=r"enforcement.suspension_days: expected tax.margin"):
        small({"enforcement.licence_loss": 0.0, "enforcement.suspension_days": 10})


def test_audits_find_short_delivery_only_while_it_runs(small):
    """Every station short-delivers and never breaks a seal. Audits before the teams come find and fine
    it; once every dispenser is verified (on the campaign's first working day, 3 January 2017), audits
    find nothing — only the audits of 1–2 January can."""
    base = {"metrology.short_delivery_stations": 1.0, "enforcement.honest_share": 1.0,
            "enforcement.audits_per_year": 6.0, "enforcement.inspectors": 20, "enforcement.detection_probability": 1.0,
            "campaign.minutes_per_pump": 0.0, "campaign.travel_hours": 0.0, "run.evaluation_months": 6}
    early = simulator.run(small({**base, "campaign.start": "2017-01-01"}), 2, seed=1).kpis
    assert (early["short_delivery_found_by_audits"] <= 3).all()  # 6 × 10 audits a year: ~0.3 a day
    assert (early["stations_fined"] == early["stations"]).all()  # the teams fine every station, once each
    # from the first day of the horizon, with one slow team: weeks of audits before each station's visit
    late = simulator.run(small({**base, "campaign.start": "2016-01-04", "run.evaluation_months": 6,
                                "campaign.teams": 1, "campaign.minutes_per_pump": 600.0,
                                "enforcement.audits_per_year": 24.0}), 2, seed=1).kpis
    assert (late["short_delivery_found_by_audits"] > 0).all()
    assert (late["short_delivery_found_by_audits"] <= late["stations"]).all()  # each station's skim fined once
    assert late["short_delivery_found_by_audits"].sum() > early["short_delivery_found_by_audits"].sum()
    assert (late["stations_fined_by_audits"] <= late["stations_fined"]).all()


def test_where_the_verifying_body_only_corrects_the_teams_fine_nobody(small):
    """With ``fine_at_verification = false`` the teams still find and correct every deliberately set
    dispenser (same path, same seed) and report the station, but fines and ``stations_fined`` are the
    inspections' alone — the counterpart of a published "37 inspected, 1 fined"."""
    base = {"metrology.short_delivery_stations": 0.3, "enforcement.fine": 1e6, "enforcement.audits_per_year": 0.0}
    fined = simulator.run(small(base), replications=2, seed=3).kpis
    corrected = simulator.run(small({**base, "enforcement.fine_at_verification": False}), replications=2, seed=3).kpis
    assert (fined["tampered_dispensers_found"] > 0).all()
    np.testing.assert_array_equal(corrected["tampered_dispensers_found"], fined["tampered_dispensers_found"])
    np.testing.assert_array_equal(corrected["consumer_savings"], fined["consumer_savings"])
    assert (fined["stations_fined"] > 0).all() and (corrected["stations_fined"] == 0).all()
    assert (corrected["fines"] == 0).all() and (fined["fines"] == 1e6 * fined["stations_fined"]).all()
