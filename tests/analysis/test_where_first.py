"""Where first: the rollout list orders districts by Smith's rule — extra tax a month once sealed per
team-day of sealing — measured at a common start, so the scenario's own order does not enter; pinned to a
case whose order is known, to one where the districts cannot be told apart, and through the command."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario

import simulator
from simulator.analysis.wherefirst import COLUMNS, where_first
from simulator.errors import ScenarioError


def _busy_and_quiet(tmp_path):
    """Two districts of identical stations (2 dispensers each), except that Busy's sell 4,000 L a day and
    Quiet's 1,000: the same team-days a station, four times the tax a month."""
    rows = ["id,district,operator,pumps,litres_per_day"]
    rows += [f"B{i},Busy,,2,4000" for i in range(4)] + [f"Q{i},Quiet,,2,1000" for i in range(6)]
    path = tmp_path / "stations.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return make_scenario({"campaign.teams": 2}, network={"register": str(path)})


@pytest.fixture(scope="module")
def busy_and_quiet(tmp_path_factory):
    return _busy_and_quiet(tmp_path_factory.mktemp("register"))


def test_the_district_selling_more_a_team_day_comes_first_every_time(busy_and_quiet):
    w = where_first(busy_and_quiet, replications=6, seed=2, workers=1, progress=False)
    t = w.table.set_index("district")
    assert list(w.table["district"]) == ["Busy", "Quiet"]
    assert t.loc["Busy", "rank_p95"] == 1 and t.loc["Quiet", "rank_p05"] == 2 and w.told_apart
    # Smith's rule, by hand from the table: the flow a month per team-day
    np.testing.assert_allclose(t["per_team_day"], t["extra_tax_per_month"] / t["team_days"])
    ratio = t.loc["Busy", "per_team_day"] / t.loc["Quiet", "per_team_day"]
    assert 3 < ratio < 5  # four times the sales on the same work, give or take the day-to-day noise
    assert t["cumulative_extra_tax_share"].iloc[-1] == pytest.approx(1.0)
    assert t["cumulative_team_days_share"].iloc[-1] == pytest.approx(1.0)
    assert list(w.table.columns) == COLUMNS


def test_the_scenario_own_order_does_not_enter_the_list(small):
    """B scheduled from June (or not at all): the list seals every district from the campaign's start."""
    base = where_first(small(), replications=3, seed=5, workers=1, progress=False)
    late = where_first(small({"campaign.districts.B.start": dt.date(2017, 6, 1), "campaign.districts.B.teams": 1}),
                       replications=3, seed=5, workers=1, progress=False)
    pd.testing.assert_frame_equal(base.table.drop(columns="cost"), late.table.drop(columns="cost"))
    assert base.common_start == "2017-01-02"


def test_districts_that_differ_only_in_size_are_said_not_to_be_told_apart(small):
    w = where_first(small(), replications=8, seed=1, workers=1, progress=False)
    assert not w.told_apart
    assert "does not tell these districts apart" in w.text()
    assert "không phân biệt được" in w.text("vi")


def test_the_list_as_text_and_json(busy_and_quiet):
    w = where_first(busy_and_quiet, replications=2, seed=2, workers=1, progress=False)
    assert w.text().splitlines()[2].split()[:2] == ["1", "Busy"]
    j = w.to_json()
    assert [r["district"] for r in j["districts"]] == ["Busy", "Quiet"] and j["replications"] == 2
    assert j["common_start"] == "2017-01-02" and j["told_apart"] is True
    json.dumps(j, allow_nan=False)  # no NaN in the JSON


def test_a_run_that_cannot_be_ranked_says_so_in_one_line(small):
    one = simulator.run(small({"network.districts": {"A": 5}}), 1, 1, workers=1, progress=False)
    with pytest.raises(ScenarioError, match="one district only"):
        where_first(one)
    unfinished = simulator.run(small({"campaign.districts.B.start": dt.date(2017, 12, 30),
                                      "campaign.districts.B.teams": 1}), 1, 1, workers=1, progress=False)
    with pytest.raises(ScenarioError, match="rank the scenario instead"):
        where_first(unfinished)
    old = simulator.run(small(), 1, 1, workers=1, progress=False)
    old.districts = old.districts.drop(columns=["extra_tax_per_month_sealed"])
    with pytest.raises(ScenarioError, match="written before"):
        where_first(old)
    with pytest.raises(ScenarioError, match="disabled"):
        where_first(small({"campaign.enabled": False}))


def test_the_command_ranks_a_scenario_or_a_run_folder(tmp_path, capsys, busy_and_quiet):
    from simulator.cli import main

    folder = simulator.run(busy_and_quiet, 3, 2, workers=1, progress=False).save(tmp_path / "run")
    assert main(["where-first", str(folder), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert [r["district"] for r in j["districts"]] == ["Busy", "Quiet"] and j["common_start"] is None
    out = tmp_path / "list.csv"
    assert main(["where-first", str(folder), "--csv", str(out), "--top", "1", "--lang", "vi"]) == 0
    assert "… và 1 địa bàn khác" in capsys.readouterr().out
    assert list(pd.read_csv(out)["district"]) == ["Busy", "Quiet"]
    # the CSV is never replaced; a run folder is ranked as it was run
    assert main(["where-first", str(folder), "--csv", str(out)]) == 2
    assert "never replaced" in capsys.readouterr().err
    assert main(["where-first", str(folder), "--set", "campaign.teams=2"]) == 2
    assert "as it was run" in capsys.readouterr().err
    assert main(["where-first", "-n", "2", "--top", "2", "--quiet"]) == 0  # the built-in scenario
    assert "Where first" in capsys.readouterr().out
