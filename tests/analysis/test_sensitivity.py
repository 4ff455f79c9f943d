"""Sensitivity: Sobol indices that find an ignored parameter and a dominant one, the
one-at-a-time tornado, the default ranges, the `sensitivity` command and its bad inputs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import run_command as cli

import simulator
from simulator.analysis import default_ranges, one_at_a_time, plot_sobol, plot_tornado, sensitivity, sobol_indices
from simulator.analysis.points import check_range

PARAM = "behaviour.undeclared_share.mean"



def test_sobol_ignored_parameter_is_zero_and_undeclared_share_dominates(evasive):
    """On the causal uplift, the cost of a visit (which the model never uses for tax) has
    S1 ≈ ST ≈ 0, and the undeclared share — the only behaviour that sealing changes — takes
    nearly all of the variance; a parameter with a small effect comes out small."""
    ranges = {PARAM: (0.05, 0.3), "costs.per_visit": (0.0, 200_000.0), "behaviour.residual_share": (0.0, 0.01)}
    t = sobol_indices(evasive(), ranges, "uplift", samples=32, replications=2, seed=7).set_index("parameter")
    assert abs(t.loc["costs.per_visit", "S1"]) < 0.02 and abs(t.loc["costs.per_visit", "ST"]) < 0.02
    assert t.loc[PARAM, "S1"] > 0.8 and t.loc[PARAM, "ST"] > 0.8
    assert t.loc[PARAM, "ST"] > 10 * t.loc["behaviour.residual_share", "ST"]
    assert list(t.index)[0] == PARAM  # largest total index first


def test_sobol_on_cost_turns_the_tables(evasive):
    """Explaining the campaign's cost instead, the visit cost matters and the undeclared share
    has no effect at all (indices exactly 0: cost does not depend on it)."""
    ranges = {PARAM: (0.05, 0.3), "costs.per_visit": (0.0, 200_000.0)}
    t = sobol_indices(evasive(), ranges, ["cost"], samples=16, replications=1, seed=7).set_index("parameter")
    assert t.loc["costs.per_visit", "ST"] > 0.9
    assert t.loc[PARAM, "S1"] == 0 and t.loc[PARAM, "ST"] == 0


def test_one_at_a_time_tornado(evasive):
    """Each parameter at its low and high end, the others at base: the undeclared share swings
    the uplift most and in the right direction, the visit cost not at all; whole-number
    parameters stay whole; rows come widest swing first."""
    ranges = {"costs.per_visit": (0.0, 200_000.0), PARAM: (0.05, 0.3), "campaign.teams": (1, 3)}
    t = one_at_a_time(evasive(), ranges, ["uplift", "cost"], replications=3, seed=2)
    up = t[t["kpi"] == "uplift"].set_index("parameter")
    assert list(up.index)[0] == PARAM
    assert up.loc[PARAM, "high"] > up.loc[PARAM, "base"] > up.loc[PARAM, "low"]
    assert up.loc["costs.per_visit", "swing"] == 0
    assert up.loc["campaign.teams", "value_high"] == 3 and up.loc["campaign.teams", "value_low"] == 1
    cost = t[t["kpi"] == "cost"].set_index("parameter")
    assert cost.loc["costs.per_visit", "swing"] > 0 and cost.loc[PARAM, "swing"] == 0
    assert t[["S1", "ST"]].isna().all().all()
    fig = plot_tornado(t, "uplift")
    assert len(fig.axes[0].patches) == 2 * 3  # a low-end and a high-end bar per parameter, on the first axis


def test_default_ranges_cover_the_main_parameters_of_the_builtin_scenario():
    """The defaults name the main behaviour, demand and campaign parameters, each with a
    valid, non-empty range around the scenario's own value."""
    sc = simulator.load_scenario()
    ranges = default_ranges(sc)
    for name in (PARAM, "behaviour.residual_share.mean", "demand.annual_growth.mean",
                 "demand.litres_per_pump_day.mean", "campaign.teams", "campaign.minutes_per_pump.mode"):
        assert name in ranges
    for name, (lo, hi) in ranges.items():
        r = check_range(sc, name, (lo, hi), "test", integer_ok=True)
        assert r.low < r.high and r.low <= r.current <= r.high


def test_sensitivity_cli_json_both_methods(evasive, tmp_path, capsys):
    """`fuelseal sensitivity --json` prints {"method", "rows": [{parameter, kpi, low, high,
    S1, ST}]} with nulls where a method says nothing, and writes the table and a chart."""
    src = tmp_path / "s.toml"
    src.write_text(evasive().to_toml(), encoding="utf-8")
    common = [str(src), "--param", f"{PARAM}=0.05:0.3", "--param", "costs.per_visit=0:200000", "-n", "2",
              "--seed", "1", "--json", "--kpi", "uplift", "--workers", "1"]
    assert cli(["sensitivity", *common, "--out", str(tmp_path / "oat")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "oat" and len(doc["rows"]) == 2
    row = doc["rows"][0]
    assert {"parameter", "kpi", "low", "high", "S1", "ST"} <= set(row)
    assert row["parameter"] == PARAM and row["S1"] is None and row["ST"] is None and row["low"] < row["high"]
    assert (tmp_path / "oat" / "sensitivity.csv").exists() and (tmp_path / "oat" / "sensitivity.png").exists()
    assert cli(["sensitivity", *common, "--method", "sobol", "--samples", "8", "--out", str(tmp_path / "sob")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "sobol"
    assert all(r["low"] is None and r["S1"] is not None and r["ST"] is not None for r in doc["rows"])


def test_plot_sobol_has_both_indices(evasive):
    """The Sobol chart draws S1 and ST bars for every parameter."""
    t = sobol_indices(evasive(), {PARAM: (0.05, 0.3), "costs.per_visit": (0.0, 1.0)}, "uplift", samples=8,
                      replications=1, seed=1)
    fig = plot_sobol(t)
    assert len(fig.axes[0].patches) == 2 * 2


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "sobol", "samples": 24}, r"sensitivity: samples: expected a power of 2 .* got 24"),
    ({"method": "morris"}, r"sensitivity: method: expected one of oat, sobol, got 'morris'"),
    ({"kpis": "upliftt"}, r"sensitivity: upliftt: unknown KPI; expected one of uplift,"),
    ({"ranges": {PARAM: (0.3, 0.1)}}, r"behaviour\.undeclared_share\.mean: the range 0\.3:0\.1 is empty"),
    ({"ranges": {PARAM: (0.0, 0.1)}}, r"bound 0 is outside the parameter's domain"),
    ({"ranges": {"campaign.teams": (1, 2.5)}}, r"campaign\.teams: expected whole-number bounds"),
    ({"ranges": {"campaign.order": (1, 2)}}, r"campaign\.order: expected a numeric parameter"),
    ({"ranges": {"campaign.tams": (1, 2)}}, r"unknown name: campaign has no 'tams'"),
    ({"ranges": {}}, r"expected at least one parameter"),
])
def test_bad_sensitivity_inputs_are_one_line_errors(evasive, kwargs, match):
    """Bad methods, sample sizes, KPIs, ranges and names fail before anything runs, in one line."""
    kw = {"ranges": {PARAM: (0.05, 0.3)}, "replications": 1, "seed": 1, **kwargs}
    with pytest.raises(simulator.ScenarioError, match=match) as err:
        sensitivity(evasive(), **kw)
    assert "\n" not in str(err.value)


def test_undefined_kpi_is_reported(evasive):
    """A KPI that is undefined at some point (no completion time when the campaign does not
    finish in the horizon) is a clear error rather than NaN indices."""
    sc = evasive({"campaign.start": dt.date(2017, 12, 29), "run.evaluation_months": 1,
                  "campaign.minutes_per_pump": 600.0})
    with pytest.raises(simulator.ScenarioError, match=r"completion_days: the KPI is undefined"):
        one_at_a_time(sc, {"campaign.teams": (1, 2)}, "completion_days", replications=1, seed=1)
