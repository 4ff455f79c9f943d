"""Where first: the rollout list ranks districts by the extra tax per VND spent there, each on its own
first year — pinned to a case whose order is known, with its totals adding up, and through the command."""

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

# B has its own five teams, each costing 200 million VND to equip: far more per station than A's one team
COSTLY_B = {"campaign.districts.B.start": dt.date(2017, 1, 2), "campaign.districts.B.teams": 5,
            "costs.per_team_fixed": 2e8}


@pytest.fixture(scope="module")
def costly_b():
    return simulator.run(make_scenario(COSTLY_B), 6, 2, workers=1, progress=False)


def test_the_district_with_the_costlier_teams_comes_last_in_every_replication(costly_b):
    w = where_first(costly_b)
    t = w.table.set_index("district")
    assert list(w.table["district"]) == ["A", "B"] and list(w.table["order"]) == [1, 2]
    assert t.loc["B", "rank_p05"] == t.loc["B", "rank_p95"] == 2 and t.loc["A", "rank_p95"] == 1
    # the ratio is of the means of the district's own-window figures
    d = costly_b.districts.groupby("district")[["extra_tax_own_window", "cost_own_window"]].mean()
    np.testing.assert_allclose(t["extra_tax_per_vnd"], (d["extra_tax_own_window"] / d["cost_own_window"])[t.index])
    assert t.loc["B", "cost_mean"] > 5 * 2e8  # its equipment is its own
    assert (t["extra_tax_per_vnd_p05"] <= t["extra_tax_per_vnd_p95"]).all()


def test_the_running_shares_add_up_to_the_whole(costly_b):
    t = where_first(costly_b).table
    assert t["cumulative_extra_tax_share"].iloc[-1] == pytest.approx(1.0)
    assert t["cumulative_cost_share"].iloc[-1] == pytest.approx(1.0)
    assert t["cumulative_extra_tax_share"].is_monotonic_increasing
    assert list(t.columns) == COLUMNS


def test_the_list_as_text_and_json(costly_b):
    w = where_first(costly_b)
    text = w.text()
    assert text.splitlines()[2].split()[:2] == ["1", "A"] and "×" in text
    assert "Làm trước ở đâu" in w.text("vi")
    j = w.to_json()
    assert [r["district"] for r in j["districts"]] == ["A", "B"] and j["replications"] == 6
    json.dumps(j, allow_nan=False)  # no NaN in the JSON


def test_one_district_or_an_old_run_is_refused_in_one_line(small, costly_b):
    one = simulator.run(small({"network.districts": {"A": 5}}), 1, 1, workers=1, progress=False)
    with pytest.raises(ScenarioError, match="one district only"):
        where_first(one)
    old = simulator.run(small(), 1, 1, workers=1, progress=False)
    old.districts = old.districts.drop(columns=["cost_own_window"])
    with pytest.raises(ScenarioError, match="run the scenario again"):
        where_first(old)


def test_the_command_ranks_a_scenario_or_a_run_folder(tmp_path, capsys, costly_b):
    from simulator.cli import main

    folder = costly_b.save(tmp_path / "run")
    assert main(["where-first", str(folder), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert [r["district"] for r in j["districts"]] == ["A", "B"]
    out = tmp_path / "list.csv"
    assert main(["where-first", str(folder), "--csv", str(out), "--top", "1", "--lang", "vi"]) == 0
    printed = capsys.readouterr().out
    assert "… và 1 địa bàn khác" in printed
    assert list(pd.read_csv(out)["district"]) == ["A", "B"]
    # the CSV is never replaced; a run folder is ranked as it was run
    assert main(["where-first", str(folder), "--csv", str(out)]) == 2
    assert "never replaced" in capsys.readouterr().err
    assert main(["where-first", str(folder), "--set", "campaign.teams=2"]) == 2
    assert "as it was run" in capsys.readouterr().err
    assert main(["where-first", "-n", "2", "--top", "2", "--quiet"]) == 0  # the built-in scenario
    assert "Where first" in capsys.readouterr().out
