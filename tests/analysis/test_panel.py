"""Panels with their truth: what a tax office would see (tax by district and month), and the true effect on
the treated from the same worlds without the campaign — pinned to the closed form u/(1 − u), to a world
without a campaign, to the seed, and through `fuelseal panel`."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from simulator.analysis.panel import PANEL_COLUMNS, simulate_panels, treated_from
from simulator.errors import ScenarioError

# ten teams seal every station within days of the start; B starts in April; nothing is hidden after sealing
STAGGERED = {"campaign.teams": 10, "campaign.districts.B.start": dt.date(2017, 4, 3),
             "campaign.districts.B.teams": 10, "behaviour.residual_share": 0.0}


def test_the_panel_is_what_a_tax_office_sees(small):
    p = simulate_panels(small(STAGGERED), 1, 3, workers=1, progress=False)
    panel = p.panel(0)
    assert list(panel.columns) == PANEL_COLUMNS[1:] and len(panel) == 2 * 24  # 2 units × 24 months
    starts = panel.groupby("unit")["treated_from"].first()
    assert starts["A"] == pd.Timestamp("2017-01-01") and starts["B"] == pd.Timestamp("2017-04-01")
    # litres are metered only from a unit's first sealed totaliser on
    b = panel[panel["unit"] == "B"].set_index("month")
    assert b.loc[:"2017-03-01", "litres"].isna().all() and (b.loc["2017-05-01":, "litres"] > 0).all()
    assert (panel["price_index"] == 1.0).all()  # one price throughout


def test_the_true_effect_is_the_closed_form_and_starts_with_each_unit(small):
    """u = 0.2 hidden before, nothing after: tax rises by u/(1 − u) = 25% from the month after sealing;
    before a unit's start the effect is 0."""
    truth = simulate_panels(small(STAGGERED), 2, 3, workers=1, progress=False).truth()
    for rep in truth["replications"]:
        events = {e["event_time"]: e["effect_share"] for e in rep["by_event_time"]}
        assert all(v == 0 for t, v in events.items() if t < 0)
        assert all(v == pytest.approx(0.25, rel=1e-9) for t, v in events.items() if t >= 1)
        assert [c["cohort"] for c in rep["by_cohort"]] == ["2017-01-01", "2017-04-01"]
        assert 0.24 < rep["overall"]["effect_share"] <= 0.25


def test_without_a_campaign_there_is_no_treated_unit(small):
    sc = small({"campaign.enabled": False})
    assert set(treated_from(sc).values()) == {None}
    p = simulate_panels(sc, 1, 3, workers=1, progress=False)
    assert p.panel(0)["treated_from"].isna().all() and p.truth()["replications"][0]["overall"] is None
    assert (p.data["tax"] == p.data["tax_without"]).all()


def test_the_same_seed_gives_the_same_panels_on_any_number_of_workers(small):
    one = simulate_panels(small(STAGGERED), 3, 7, workers=1, progress=False).data
    two = simulate_panels(small(STAGGERED), 3, 7, workers=2, progress=False).data
    pd.testing.assert_frame_equal(one, two)


def test_one_unit_is_not_a_panel(small):
    with pytest.raises(ScenarioError, match="several units"):
        simulate_panels(small({"network.districts": {"A": 5}}), 1, 1, workers=1, progress=False)


def test_the_command_writes_the_panel_and_its_truth_and_replaces_nothing(tmp_path, capsys, small):
    from simulator.cli import main

    scenario = tmp_path / "s.toml"
    scenario.write_text(small(STAGGERED).to_toml(), encoding="utf-8")
    out = tmp_path / "panel"
    assert main(["panel", str(scenario), "--out", str(out), "-n", "2", "--quiet", "--workers", "1"]) == 0
    assert "true effect on the treated" in capsys.readouterr().out
    table = pd.read_csv(out / "panel.csv")
    assert list(table.columns) == PANEL_COLUMNS and sorted(table["replication"].unique()) == [0, 1]
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert len(truth["replications"]) == 2 and truth["replications"][0]["overall"]["effect_share"] > 0.2
    before = (out / "panel.csv").read_bytes()
    assert main(["panel", str(scenario), "--out", str(out), "-n", "1", "--quiet"]) == 2
    assert "--overwrite" in capsys.readouterr().err and (out / "panel.csv").read_bytes() == before
    assert main(["panel", str(scenario), "--out", str(out), "-n", "1", "--json", "--overwrite",
                 "--workers", "1"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["units"] == 2 and j["months"] == 24 and j["replications"] == 1 and np.isfinite(j["effect_share"][0])


GOOD = """unit,month,tax,treated_from
A,2016-11,100,2017-01
B,2016-11,90,
A,2016-12,100,2017-01
B,2016-12,91,
A,2017-01,120,2017-01
B,2017-01,92,
"""


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace("unit,month,tax,treated_from", "unit,month,revenue,treated_from"),
     "missing column 'tax'; expected columns unit, month, tax, treated_from"),
    (GOOD + "A,2017-01,121,2017-01\n", "row 8: unit 'A', month 2017-01: given twice (first on row 6)"),
    (GOOD.replace("A,2016-12,100,2017-01\n", ""), "unit 'A': no row for 2016-12"),
    (GOOD.replace("A,2016-12,100,2017-01", "A,2016-12,100,2017-02"),
     "row 4: treated_from: unit 'A' starts in one month only, but row 2 says 2017-01 and this row 2017-02"),
    (GOOD.replace(",2017-01\n", ",2016-11\n"), "no month before the first unit's start (2016-11)"),
    ("unit,month,tax,treated_from,price_index\nA,2016-11,100,2017-01,1\nA,2016-12,100,2017-01,0\n",
     "row 3: price_index: expected a number > 0 or an empty cell, got '0'"),
    (GOOD.replace("B,2016-12,91,", "B,2016-12,n/a,"), "row 5: tax: expected a number ≥ 0 (VND), got 'n/a'"),
    (GOOD.replace("B,2016-12,91,", "B,Dec 2016,91,"), "row 5: month: expected a month like 2017-01, got 'Dec 2016'"),
])
def test_a_bad_panel_is_refused_in_one_line(tmp_path, text, message):
    from simulator.analysis.panel import read_panel

    path = tmp_path / "panel.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        read_panel(path)
    assert message in str(err.value) and "\n" not in str(err.value) and str(path) in str(err.value)


def test_a_panel_reads_back_as_written_and_one_replication_is_chosen(tmp_path, small):
    from simulator.analysis.panel import read_panel

    p = simulate_panels(small(STAGGERED), 2, 3, workers=1, progress=False)
    p.save(tmp_path)
    back = read_panel(tmp_path / "panel.csv", replication=1)
    mine = p.panel(1).sort_values(["unit", "month"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back[mine.columns], mine, check_dtype=False, rtol=1e-12)
    with pytest.raises(ScenarioError, match="no panel 5 in the file"):
        read_panel(tmp_path / "panel.csv", replication=5)
    assert len(read_panel(tmp_path / "panel.csv")) == 2 * 24  # the first, by default
