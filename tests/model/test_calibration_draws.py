"""Calibrated scenarios: each replication runs at one row of the ``[calibration]`` draws, so
intervals carry the calibration's uncertainty; a parameter set by hand is no longer drawn."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.scenario.points import with_values

U = "behaviour.undeclared_share"
DRAWS = {"parameters": [U, "campaign.teams"], "draws": [[0.05, 1], [0.3, 2], [0.15, 1]]}


def test_a_replication_runs_at_its_drawn_row_exactly(small):
    """Replication i with draw j gives the same numbers as replication i of the scenario with row j's
    values written in: the draw only chooses the values."""
    sc = small(calibration=DRAWS)
    res = simulator.run(sc, replications=6, seed=3)
    rows = res.kpis["calibration_draw"].astype(int).tolist()
    assert set(rows) <= {0, 1, 2} and len(set(rows)) > 1  # several rows used in six replications
    for i, j in enumerate(rows):
        u, teams = DRAWS["draws"][j]
        alone = simulator.run(with_values(small(), {U: u, "campaign.teams": int(teams)}), replications=i + 1,
                              seed=3).kpis.iloc[i]
        mine = res.kpis.iloc[i]
        for k in ("uplift", "tax_with", "tax_without", "team_days", "cost"):
            assert mine[k] == alone[k], k


def test_draws_spread_the_results_and_use_false_switches_them_off(small):
    """Undeclared shares of 5% and 30% drawn per replication spread the uplift far more than Monte
    Carlo noise at one value; ``use = false`` runs at the scenario's own value."""
    spread = simulator.run(small(calibration={"parameters": [U], "draws": [[0.05], [0.3]]}), 12, seed=1).kpis
    fixed = simulator.run(small(calibration={"parameters": [U], "draws": [[0.05], [0.3]], "use": False}), 12,
                          seed=1).kpis
    plain = simulator.run(small(), 12, seed=1).kpis
    assert spread["uplift"].std() > 5 * plain["uplift"].std()
    assert fixed["calibration_draw"].isna().all()
    np.testing.assert_array_equal(fixed["uplift"], plain["uplift"])


def test_setting_a_calibrated_parameter_by_hand_fixes_it(small):
    """--set of a drawn parameter drops its column (and the section with the last one)."""
    sc = small({U: 0.2}, calibration=DRAWS)
    assert sc.calibration.parameters == ["campaign.teams"] and sc.calibration.draws == [[1], [2], [1]]
    sc2 = with_values(small(calibration=DRAWS), {U: 0.2, "campaign.teams": 3})
    assert sc2.calibration is None
    k = simulator.run(sc2, 3, seed=1).kpis
    assert k["calibration_draw"].isna().all()


@pytest.mark.parametrize("table,key,message", [
    ({"parameters": [U], "draws": [[0.1, 2]]}, "calibration", "row 1 has 2 values, expected 1"),
    ({"parameters": [U, U], "draws": [[0.1, 0.1]]}, "calibration.parameters", "each parameter once"),
    ({"parameters": ["campaign.tems"], "draws": [[1]]}, "campaign.tems", "has no 'tems'"),
    ({"parameters": [U], "draws": [[0.1], [1.5]]}, "calibration.draws", "row 2: value 1.5 is not accepted"),
    ({"parameters": ["scenario.name"], "draws": [[1]]}, "calibration.parameters", "expected a numeric parameter"),
    ({"parameters": [U], "draws": []}, "calibration.draws", "at least 1 item"),
])
def test_a_bad_calibration_table_is_one_line_naming_it(small, table, key, message):
    with pytest.raises(simulator.ScenarioError, match=rf"{key}.*{message}") as err:
        small(calibration=table)
    assert "\n" not in str(err.value)


def test_the_rows_drawn_do_not_depend_on_the_workers(small):
    sc = small(calibration=DRAWS)
    one = simulator.run(sc, 8, seed=5, workers=1).kpis
    two = simulator.run(sc, 8, seed=5, workers=2).kpis
    np.testing.assert_array_equal(one["calibration_draw"], two["calibration_draw"])
    np.testing.assert_array_equal(one["uplift"], two["uplift"])


# ---- the posterior: rejection ABC ------------------------------------------------------------
def _tiny(small):
    return small({"network.districts": {"A": 20, "B": 20}})


def test_abc_recovers_a_known_undeclared_share(small):
    """Simulated figures at a known share u* = 0.2 are the observation: the posterior's 90% interval holds
    u*, is far narrower than the prior (0–0.5), and its kept simulations bracket the target."""
    sc = _tiny(small)
    observed = simulator.run(with_values(sc, {U: 0.2}), 100, seed=9).kpis["uplift_before_after"].mean()
    post = simulator.posterior(sc, {"uplift_before_after": observed}, {U: (0.0, 0.5)}, draws=400, seed=1)
    s = post.summary()
    assert s.loc[U, "low"] < 0.2 < s.loc[U, "high"]
    assert s.loc[U, "high"] - s.loc[U, "low"] < 0.5 / 5
    assert s.loc["uplift_before_after", "low"] < observed < s.loc["uplift_before_after", "high"]
    acc = post.accepted
    assert len(acc) == 39 and acc["weight"].sum() == pytest.approx(1.0)  # 10% of 400, the farthest at weight 0
    assert (acc["distance"].max() <= post.simulations.loc[post.simulations["weight"] == 0, "distance"].min())


def test_abc_writes_draws_that_later_runs_use(small):
    """The calibrated scenario carries ``keep`` rows from the kept simulations, its section values at the
    posterior mean; a run of it draws its replications' values from those rows."""
    sc = _tiny(small)
    post = simulator.posterior(sc, {"uplift_before_after": 0.2}, {U: (0.0, 0.5)}, draws=200, keep=50, seed=2)
    cal = post.scenario.calibration
    assert cal.parameters == [U] and len(cal.draws) == 50 and "abc-rejection" in cal.method
    kept = set(post.accepted[U].round(12))
    assert {round(r[0], 12) for r in cal.draws} <= kept
    assert post.scenario.behaviour.undeclared_share.value == pytest.approx(post.summary().loc[U, "mean"])
    res = simulator.run(post.scenario, 5, seed=3)
    assert res.kpis["calibration_draw"].notna().all()
    text = simulator.scenario.dumps_toml(post.scenario.raw)
    again = simulator.scenario_from_dict(tomllib.loads(text), source="<again>")
    assert again.calibration == cal


def test_abc_is_the_same_on_one_worker_or_two(small):
    sc = _tiny(small)
    kw = dict(draws=60, seed=4)
    one = simulator.posterior(sc, {"uplift_before_after": 0.2}, {U: (0.0, 0.5)}, workers=1, **kw)
    two = simulator.posterior(sc, {"uplift_before_after": 0.2}, {U: (0.0, 0.5)}, workers=2, **kw)
    pd.testing.assert_frame_equal(one.simulations, two.simulations)


@pytest.mark.parametrize("kw,key", [
    ({"draws": 5}, "draws"), ({"keep": 0}, "keep"), ({"accept": 0.0}, "accept"), ({"accept": 2}, "accept"),
    ({"target": {"upliftt": 0.1}}, "upliftt"), ({"target": {}}, "calibrate"),
    ({"parameters": {"behaviour.undeclared_share": (0.5, 0.1)}}, U),
])
def test_abc_bad_settings_are_one_line(small, kw, key):
    args = {"target": {"uplift_before_after": 0.2}, "parameters": {U: (0.0, 0.5)}, **kw}
    with pytest.raises(simulator.ScenarioError, match=key):
        simulator.posterior(_tiny(small), args.pop("target"), args.pop("parameters"), **args)


def test_a_run_at_the_posterior_re_runs_the_kept_worlds_exactly(small):
    """Replication i of a calibrated scenario re-runs row i in the world it was kept in: its figures are
    the kept simulation's, to the last digit, whatever seed the run is given; with same_worlds = false
    the rows run in new worlds (the posterior predictive check, which the posterior also reports)."""
    sc = _tiny(small)
    post = simulator.posterior(sc, {"uplift_before_after": 0.2}, {U: (0.0, 0.5)}, draws=100, keep=12, seed=2)
    cal = post.scenario.calibration
    assert len(cal.worlds) == 12 and cal.seed == 2
    k = simulator.run(post.scenario, 12, seed=99).kpis
    kept = post.simulations.loc[cal.worlds, "uplift_before_after"].to_numpy()
    np.testing.assert_array_equal(k["uplift_before_after"].to_numpy(), kept)
    assert (post.simulations.loc[cal.worlds, "weight"] > 0).all()
    new = simulator.run(post.scenario.with_overrides({"calibration.same_worlds": False}), 12, seed=99).kpis
    assert not np.array_equal(new["uplift_before_after"].to_numpy(), kept)
    assert len(post.predictive) == 12 and set(post.check().index) == {"uplift_before_after"}


def test_a_count_target_is_matched_exactly(small):
    """1 station fined is a count: every kept simulation fined exactly 1 station."""
    sc = _tiny(small).with_overrides({"metrology.short_delivery_stations": 0.05})
    post = simulator.posterior(sc, {"stations_fined": 1, "uplift_before_after": 0.2},
                               {"metrology.short_delivery_stations": (0.0, 0.2), U: (0.0, 0.5)}, draws=200, seed=3)
    assert len(post.accepted) > 0 and (post.accepted["stations_fined"] == 1).all()
    check = post.check()
    assert 0 <= check.loc["stations_fined", "p_equal"] <= 1
    assert np.isnan(check.loc["uplift_before_after", "p_equal"])
