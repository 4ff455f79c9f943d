"""Sweeps: grids run with common random numbers, the tidy table, the planners' answers
(fewest teams, earliest break-even), the `sweep` command and its bad inputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import run_command as cli

import simulator
from simulator.analysis import earliest_break_even, fewest_teams, plot_sweep, sweep, sweep_runs
from simulator.analysis.sweep import break_even, grid_points
from simulator.cli.analysis import split_values

RANDOM_DURATIONS = {
    "campaign.minutes_per_pump": {"dist": "triangular", "low": 30, "mode": 45, "high": 90},
    "campaign.travel_hours": {"dist": "triangular", "low": 0.25, "mode": 0.75, "high": 1.5},
    "network.districts": {"A": 14, "B": 10},
}



def test_completion_never_rises_as_teams_are_added(small):
    """With the same seed every point sees the same stations and durations, so adding a team
    never delays the last seal: per replication and on average."""
    sc = small(RANDOM_DURATIONS)
    table, runs = sweep_runs(sc, {"campaign.teams": [1, 2, 3, 4, 5]}, replications=6, seed=3)
    days = np.array([r.kpis["completion_days"].to_numpy() for r in runs])  # teams × replications
    assert np.isfinite(days).all()
    assert (np.diff(days, axis=0) <= 1e-9).all()
    means = table[table["kpi"] == "completion_days"].sort_values("campaign.teams")["mean"].to_numpy()
    assert (np.diff(means) <= 1e-9).all() and means[-1] < means[0]


def test_sweep_table_is_tidy_one_row_per_point_and_kpi(small):
    """A 2 × 2 grid gives 4 points, each with every KPI once, its swept values as columns,
    and mean, sd, p05, p50, p95 and n."""
    table = sweep(small(), {"campaign.teams": [1, 2], "campaign.order": ["route", "largest_first"]},
                  replications=3, seed=1)
    kpis = simulator.run(small(), 1, 1).kpis.columns.drop("replication")
    assert list(table.columns) == ["point", "campaign.teams", "campaign.order", "kpi", "mean", "sd", "p05", "p50",
                                   "p95", "n"]
    assert len(table) == 4 * len(kpis) and set(table["point"]) == {1, 2, 3, 4}
    assert table.groupby("point")["kpi"].apply(list).map(len).eq(len(kpis)).all()
    assert list(table.drop_duplicates("point")["campaign.teams"]) == [1, 1, 2, 2]  # first name varies slowest
    q = table.dropna(subset=["p05", "p50", "p95"])  # uplift_upstream is undefined without upstream taxes
    assert set(table["kpi"][table["p50"].isna()]) <= {"uplift_upstream", "uplift_upstream_before_after",
                                                       "calibration_draw"}  # and no draw without [calibration]
    assert (q["p05"] <= q["p50"] + 1e-12).all() and (q["p50"] <= q["p95"] + 1e-12).all()


def test_sweep_points_share_the_seed_and_match_plain_runs(small):
    """Each point equals `simulator.run` of that scenario with the same seed (common random
    numbers), and listed points give the same numbers as the factorial grid."""
    sc = small(RANDOM_DURATIONS)
    grid = sweep(sc, {"campaign.teams": [1, 3]}, replications=4, seed=11, kpis=["completion_days", "uplift"])
    listed = sweep(sc, [{"campaign.teams": 3}, {"campaign.teams": 1}], replications=4, seed=11,
                   kpis=["completion_days", "uplift"])
    direct = simulator.run(sc.with_overrides({"campaign.teams": 3}), 4, 11).summary()
    row = grid[(grid["campaign.teams"] == 3) & (grid["kpi"] == "completion_days")].iloc[0]
    assert row["mean"] == pytest.approx(direct.loc["completion_days", "mean"], rel=1e-12)
    a = grid.sort_values(["campaign.teams", "kpi"])[["mean", "sd", "p95"]].to_numpy()
    b = listed.sort_values(["campaign.teams", "kpi"])[["mean", "sd", "p95"]].to_numpy()
    np.testing.assert_array_equal(a, b)


def test_sweep_numbers_do_not_depend_on_workers(small):
    """Sharing the points between two worker processes gives the same table as one process."""
    sc = small(RANDOM_DURATIONS)
    grid = {"campaign.teams": [1, 2, 3, 4]}
    one = sweep(sc, grid, replications=2, seed=5, kpis=["completion_days", "extra_tax"])
    two = sweep(sc, grid, replications=2, seed=5, kpis=["completion_days", "extra_tax"], workers=2)
    pd.testing.assert_frame_equal(one, two)


def test_fewest_teams_matches_the_sweep(small):
    """The answer is the smallest number of teams whose replications all finish before the
    deadline, as read off a plain sweep; with a tighter probability nothing changes for a
    deterministic campaign, and an impossible deadline gives None."""
    sc = small({**RANDOM_DURATIONS, "network.districts": {"A": 30, "B": 20}})
    table, runs = sweep_runs(sc, {"campaign.teams": [1, 2, 3, 4, 5, 6]}, replications=5, seed=2)
    start = sc.campaign.start
    worst = [float(r.kpis["completion_days"].max()) for r in runs]
    target = 3  # pick a deadline that 3 teams always meet and 2 teams never do
    budget = (worst[target - 1] + float(runs[target - 2].kpis["completion_days"].min())) / 2
    assert worst[target - 1] < budget < float(runs[target - 2].kpis["completion_days"].min())
    deadline = start + pd.Timedelta(days=int(np.ceil(budget))).to_pytimedelta()
    answer = fewest_teams(sc, deadline, probability=0.9, replications=5, seed=2)
    assert answer.teams == target
    assert answer.table.set_index("teams").loc[target, "p_done"] == 1.0
    assert str(target) in str(answer)
    none = fewest_teams(sc, start + pd.Timedelta(days=1).to_pytimedelta(), replications=5, seed=2, max_teams=4)
    assert none.teams is None and "No number of teams" in str(none)


def test_break_even_month_analytic():
    """Cumulative extra tax 30, 80, 120 against a cost of 100 booked in the first month:
    the campaign pays for itself in the third month, and stays paid."""
    months = pd.to_datetime(["2017-01-01", "2017-02-01", "2017-03-01"])
    rows = []
    for m, extra, cost in zip(months, [30.0, 50.0, 40.0], [100.0, 0.0, 0.0], strict=True):
        rows.append({"replication": 0, "arm": "with", "month": m, "tax": 1000 + extra, "cost": cost})
        rows.append({"replication": 0, "arm": "without", "month": m, "tax": 1000.0, "cost": 0.0})
    per_rep, curves = break_even(pd.DataFrame(rows), months[0])
    assert per_rep["month"].iloc[0] == months[2]
    assert list(curves["cumulative_extra_tax"]) == [30.0, 80.0, 120.0]
    assert list(curves["cumulative_cost"]) == [100.0, 100.0, 100.0]


def test_earliest_break_even_compares_every_order(small):
    """Every visiting order gets a row; the chosen order breaks even no later than the others,
    from the campaign's month on."""
    sc = small({**RANDOM_DURATIONS, "costs.fixed": 50_000_000.0})
    answer = earliest_break_even(sc, replications=3, seed=4)
    assert set(answer.table["order"]) == {"route", "largest_first", "random"}
    assert answer.order in set(answer.table["order"])
    months = answer.table["break_even_month"].dropna()
    assert answer.month == months.min() and answer.month >= pd.Timestamp("2017-01-01")
    assert set(answer.curves.columns) == {"order", "month", "cumulative_cost", "cumulative_extra_tax"}


def test_plot_sweep_draws_one_panel_per_main_kpi(small):
    """The chart has a panel for each of extra tax, cost, net gain and completion (money first, no
    before/after figure), one line per other swept value."""
    table = sweep(small(), {"campaign.teams": [1, 2], "campaign.order": ["route", "largest_first"]},
                  replications=2, seed=1)
    fig = plot_sweep(table)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in panels] == [
        "Extra tax in the window", "Campaign cost", "Net gain (extra tax − cost)", "Start to last seal"]
    assert len([line for line in panels[0].get_lines() if line.get_marker() == "o"]) == 2


def test_sweep_cli_json_and_files(small, tmp_path, capsys):
    """`fuelseal sweep --json` prints one JSON object with one row per point and KPI, and
    writes sweep.csv and sweep.png."""
    path = tmp_path / "s.toml"
    path.write_text(small().to_toml(), encoding="utf-8")
    out = tmp_path / "out"
    assert cli(["sweep", str(path), "--set", "campaign.teams=1,2,3", "--set", "campaign.order=route",
                "-n", "2", "--seed", "1", "--out", str(out), "--json", "--kpi", "completion_days",
                "--kpi", "uplift", "--workers", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"rows"} and len(doc["rows"]) == 3 * 2
    row = doc["rows"][0]
    assert {"campaign.teams", "campaign.order", "kpi", "mean", "sd", "p05", "p95"} <= set(row)
    assert row["campaign.teams"] == 1 and row["campaign.order"] == "route"
    assert (out / "sweep.csv").exists() and (out / "sweep.png").stat().st_size > 1000
    assert len(pd.read_csv(out / "sweep.csv")) == 6


def test_split_values_keeps_tables_and_quotes_whole():
    """Commas inside inline tables, lists and quotes do not split values."""
    assert split_values("1,2, 3") == ["1", "2", "3"]
    assert split_values('{ dist = "beta", mean = 0.1, sd = 0.05 },0.2') == [
        '{ dist = "beta", mean = 0.1, sd = 0.05 }', "0.2"]
    assert split_values('"a,b",c') == ['"a,b"', "c"]


@pytest.mark.parametrize(("grid", "match"), [
    ({"campaign.teamz": [1, 2]}, r"sweep: campaign\.teamz: unknown name: campaign has no 'teamz'"),
    ({"behaviour.undeclared_share.mean": [0.1]}, r"behaviour\.undeclared_share is a plain number \(0\.2\), not a "
                                                 r"distribution"),
    ({"campaign.teams": [1, "two"]}, r"sweep: campaign\.teams: expected a number \(currently 1\), got 'two'"),
    ({"campaign.teams": [1, 2.5]}, r"sweep: campaign\.teams: value 2\.5 is not accepted: input should be a valid "
                                   r"integer"),
    ({"campaign.order": ["route", "fastest"]}, r"sweep: campaign\.order: value 'fastest' is not accepted"),
    ({"campaign.start": [3]}, r"sweep: campaign\.start: expected a date"),
    ({"campaign.teams": []}, r"sweep: campaign\.teams: expected at least one value"),
    ([{"campaign.teams": 1}, {"campaign.order": "route"}], r"every listed point must set the same names"),
])
def test_bad_sweep_inputs_are_one_line_errors(small, grid, match):
    """An unknown dotted name or a value of the wrong type fails before anything runs, with a
    one-line ScenarioError naming the name and the value."""
    with pytest.raises(simulator.ScenarioError, match=match) as err:
        sweep(small(), grid, replications=1, seed=1)
    assert "\n" not in str(err.value)


def test_bad_sweep_value_on_the_command_line(small, tmp_path):
    """The CLI reports a wrong-typed value as the same ScenarioError (exit code 2 in main)."""
    path = tmp_path / "s.toml"
    path.write_text(small().to_toml(), encoding="utf-8")
    with pytest.raises(simulator.ScenarioError, match=r"campaign\.teams: expected a number .* got 'x'"):
        cli(["sweep", str(path), "--set", "campaign.teams=1,x", "-n", "1", "--out", str(tmp_path / "o")])
    with pytest.raises(simulator.ScenarioError, match=r"--set: expected at least one"):
        cli(["sweep", str(path), "-n", "1", "--out", str(tmp_path / "o")])


def test_grid_points_single_values_become_columns():
    """A single (non-list) value is a fixed setting, shown as a column of the grid."""
    assert grid_points({"campaign.teams": [1, 2], "campaign.order": "route"}) == [
        {"campaign.teams": 1, "campaign.order": "route"}, {"campaign.teams": 2, "campaign.order": "route"}]


def test_chart_report_and_earliest_break_even_use_one_rule(small):
    """The cost chart's break-even month (what the report states) is the month ``earliest_break_even``
    finds for the same order, seed and replications: one rule, on the mean curves, "for good"."""
    from simulator import charts

    sc = small({**RANDOM_DURATIONS, "costs.fixed": 50_000_000.0, "campaign.order": "route"})
    res = simulator.run(sc, replications=3, seed=4)
    answer = earliest_break_even(sc, ["route"], replications=3, seed=4)
    chart_month = charts.break_even(res)
    assert answer.month is not None and chart_month == answer.month


def test_the_sweep_printout_weighs_money_cost_and_tax_per_vnd(small):
    """Each point's printed block gives the extra tax, the cost, the net gain and then the extra tax per VND
    spent (a planner's first questions), though the chart keeps its four panels; naming KPIs prints just them."""
    from simulator.cli.analysis import sweep_text

    table = sweep(small(), {"campaign.teams": [1, 2]}, replications=2, seed=1)
    block = sweep_text(table).split("[2]")[0]
    labels = [line.split(":")[0].strip() for line in block.splitlines()[1:]]
    assert labels == ["Extra tax in the window", "Campaign cost", "Net gain (extra tax − cost)",
                      "Extra tax per VND spent", "Start to last seal"]
    ratio = table[(table["kpi"] == "benefit_cost_ratio") & (table["point"] == 1)].iloc[0]
    assert f"{ratio['mean']:.2g}" in block.splitlines()[4].replace("×", "")
    assert "per VND" not in sweep_text(table, ["cost"])
