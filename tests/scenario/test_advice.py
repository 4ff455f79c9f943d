"""Warnings about scenarios that run but mislead — the slips a new user made writing a province of their own
(Bắc Ninh, ~250 stations): holidays of another year, prices that stop early, tables left out so a result is
zero, a percentage written where a share is expected. One line each, naming the dotted key; never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator
from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "data" / "minimal.toml"


def _keys(sc) -> list[str]:
    return [line.split(":")[0] for line in sc.advice()]


def test_the_shipped_scenarios_have_nothing_to_warn_about():
    for path in (None, ROOT / "scenarios" / "vietnam_national.toml",
                 ROOT / "scenarios" / "vietnam_rollout_2016_2017.toml"):
        assert simulator.load_scenario(path).advice() == []


def test_tables_left_out_that_zero_a_result_are_named():
    """The Bắc Ninh user's minimal file printed "Campaign cost 0 VND" and "Seals broken 0" without a word."""
    lines = simulator.load_scenario(MINIMAL).advice()
    assert [line.split(":")[0] for line in lines] == ["costs", "enforcement"]
    assert "0 VND" in lines[0] and "fuelseal keys costs" in lines[0]
    assert "[enforcement] is left out" in lines[1]
    sc = simulator.load_scenario(MINIMAL, {"costs.per_team_day": 1e6, "enforcement.audits_per_year": 0.2})
    assert sc.advice() == []
    assert _keys(simulator.load_scenario(None, {"behaviour.undeclared_share": 0,
                                                 "operators.private.undeclared_share": 0})) == [
        "behaviour.undeclared_share"]
    assert _keys(simulator.load_scenario(None, {"campaign.enabled": False})) == ["campaign.enabled"]


def test_holidays_copied_from_another_year_are_flagged():
    """Hà Nam's 2017 holidays in a 2018 campaign: every date before the start. A day off just before the
    start in the same year (Hà Nam's observed New Year, 2 January 2017) is not."""
    moved = simulator.load_scenario(None, {"campaign.start": "2018-01-03", "scenario.end": "2018-12-31"})
    (line,) = [x for x in moved.advice() if x.startswith("campaign.holidays")]
    assert "every date (2017-01-02 …) falls outside the campaign (2018-01-03 to 2018-12-31)" in line
    assert "holidays of 2017" in line
    assert not any(x.startswith("campaign.holidays") for x in simulator.load_scenario().advice())


def test_a_price_path_that_stops_early_is_flagged():
    longer = simulator.load_scenario(None, {"scenario.end": "2018-12-31"})
    lines = [x for x in longer.advice() if x.startswith("prices")]
    assert lines == [
        "prices (ron92, e5): the last price is dated 2017-11-20, about 13 months before scenario.end (2018-12-31), "
        "and is held flat after it — add the price reviews after 2017-11-20",
        "prices.diesel: the last price is dated 2017-12-20, about 12 months before scenario.end (2018-12-31), and "
        "is held flat after it — add the price reviews after 2017-12-20"]


@pytest.mark.parametrize(("key", "value", "meant"), [
    ("metrology.mpe", 0.3, "0.003"), ("tax.rate", 1.5 / 10, "0.0015"), ("behaviour.residual_share", 0.5, "0.005"),
    ("enforcement.late_interest_per_day", 0.005, "0.00005"), ("metrology.error_sd", 0.05, "0.0005")])
def test_a_percentage_written_as_a_share_is_flagged(key, value, meant):
    """`mpe = 0.3`, meant as 0.3%, is ±30%: valid, and almost certainly not what was meant."""
    lines = [x for x in simulator.load_scenario(None, {key: value}).advice() if x.startswith(key)]
    assert len(lines) == 1 and f"write {meant}" in lines[0] and f"{value * 100:.4g}%" in lines[0]
    below = {"metrology.mpe": 0.005, "tax.rate": 0.015, "behaviour.residual_share": 0.01,
             "enforcement.late_interest_per_day": 0.0003, "metrology.error_sd": 0.002}[key]
    assert not any(x.startswith(key) for x in simulator.load_scenario(None, {key: below}).advice())


def test_validate_and_run_print_the_warnings_without_failing(tmp_path, capsys):
    assert main(["validate", str(MINIMAL), "--set", "metrology.mpe=0.3"]) == 0
    out, err = capsys.readouterr()
    assert ": ok" in out
    lines = err.splitlines()
    assert lines[0].startswith("fuelseal: warning: metrology.mpe: 0.3 means 30%") and len(lines) == 3
    assert main(["run", str(MINIMAL), "-n", "1", "--out", str(tmp_path / "r"), "--no-charts", "--workers", "1"]) == 0
    assert "fuelseal: warning: costs:" in capsys.readouterr().err
    assert main(["run", str(MINIMAL), "-n", "1", "--out", str(tmp_path / "q"), "--no-charts", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_an_instrument_alone_is_a_policy_and_needs_no_campaign_costs():
    """An e-invoice without a sealing campaign: no warning that nothing happens, none about campaign costs."""
    sc = simulator.load_scenario(MINIMAL, {"campaign.enabled": False, "instruments.einvoice_pos.start": "2017-01-02",
                                           "enforcement.audits_per_year": 0.2})
    assert sc.advice() == []
    alone = simulator.load_scenario(MINIMAL, {"campaign.enabled": False, "enforcement.audits_per_year": 0.2})
    assert [line.split(":")[0] for line in alone.advice()] == ["campaign.enabled"]
