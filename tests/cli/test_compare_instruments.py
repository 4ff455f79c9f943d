"""`fuelseal compare --instruments`: options on the same stations against one no-policy world, as a table
and as JSON of the promised shape; bad options are one line and exit 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

import simulator
from simulator.analysis.instruments import COMPARED, compare_instruments, option_scenario
from simulator.cli import main

INSTRUMENTS = {"instruments.einvoice_pos.start": "2017-01-02", "instruments.einvoice_pos.enabled": False,
               "instruments.einvoice_pos.station_cost_per_station": 5e6,
               "instruments.einvoice_link.start": "2017-01-02", "instruments.einvoice_link.enabled": False,
               "instruments.einvoice_link.rollout_days": 30}


@pytest.fixture
def scenario_file(small, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(small(INSTRUMENTS).to_toml(), encoding="utf-8")
    return path


def test_the_json_has_the_promised_shape_and_one_no_policy_world(scenario_file, capsys):
    assert main(["compare", str(scenario_file), "--instruments", "seal,einvoice_link,einvoice_pos",
                 "--combine", "seal+einvoice_pos", "-n", "3", "--json", "--workers", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [i["name"] for i in out["instruments"]] == ["seal", "einvoice_link", "einvoice_pos", "seal+einvoice_pos"]
    for entry in out["instruments"]:
        assert set(entry["kpis"]) == set(COMPARED)
        for stats in entry["kpis"].values():
            assert set(stats) == {"mean", "p05", "p50", "p95"}
    assert "difference_from_first" not in out["instruments"][0]
    assert set(out["instruments"][1]["difference_from_first"]) == set(COMPARED)
    assert set(out["baseline"]["kpis"]) == {"tax_without", "tax_upstream_without", "tax_before"}
    assert out["replications"] == 3


def test_each_option_is_the_scenario_with_just_those_instruments(small):
    """The seal option is the campaign as a plain run gives it; the paired difference is the difference of
    the replications; a combination of an option with itself is the option."""
    sc = small(INSTRUMENTS)
    cmp = compare_instruments(sc, ["seal", "einvoice_pos"], ["einvoice_pos+einvoice_pos"], replications=3, seed=5,
                              workers=1, progress=False)
    plain = simulator.run(small(), 3, 5, workers=1, progress=False).kpis
    seal = cmp.kpis[cmp.kpis["option"] == "seal"].reset_index(drop=True)
    assert np.array_equal(seal["extra_tax"].to_numpy(), plain["extra_tax"].to_numpy())
    k = cmp.kpis.set_index(["option", "replication"])
    pos, twice = k.loc["einvoice_pos"], k.loc["einvoice_pos+einvoice_pos"]
    assert np.array_equal(pos["extra_tax"], twice["extra_tax"]) and np.array_equal(pos["cost"], twice["cost"])
    d = cmp.differences().set_index(["option", "kpi"]).loc[("einvoice_pos", "extra_tax"), "mean"]
    assert d == pytest.approx((pos["extra_tax"] - k.loc["seal"]["extra_tax"]).mean())
    assert not option_scenario(sc, "einvoice_pos").campaign.enabled
    assert option_scenario(sc, "seal+einvoice_link").active_instruments.keys() == {"einvoice_link"}


def test_the_table_names_every_option_and_figure(scenario_file, capsys):
    assert main(["compare", str(scenario_file), "--instruments", "seal,einvoice_pos", "-n", "2", "--quiet",
                 "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "[seal]" in text and "[einvoice_pos]" in text and "Cost to the stations" in text
    assert "vs seal:" in text
    assert main(["compare", str(scenario_file), "--instruments", "seal,einvoice_pos", "-n", "2", "--quiet",
                 "--workers", "1", "--lang", "vi"]) == 0
    vi = capsys.readouterr().out
    assert "Chi phí của nhà nước" in vi and "Cost" not in vi


@pytest.mark.parametrize(("argv", "expected"), [
    (["--instruments", "seal,lottery"], "--instruments: unknown instrument 'lottery'"),
    (["--instruments", "seal", "--combine", "seal+einvoice_cam"], "--combine: unknown instrument 'einvoice_cam'"),
    (["--instruments", "seal,seal"], "each option once"),
    (["--instruments", "seal", "--set", "instruments.einvoice_pos.start=2019-01-01"],
     "instruments.einvoice_pos.start: expected a date within the horizon"),
])
def test_bad_options_are_one_line_and_exit_2(scenario_file, capsys, argv, expected):
    assert main(["compare", str(scenario_file), *argv, "-n", "2", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err


def test_run_folders_still_compare_and_say_what_is_missing(capsys, tmp_path):
    assert main(["compare", str(tmp_path)]) == 2
    assert "expected at least two run folders" in capsys.readouterr().err
    assert main(["compare", str(tmp_path), str(tmp_path), "-n", "3"]) == 2
    assert "--replications goes with --instruments" in capsys.readouterr().err


def test_the_report_lists_the_instruments_a_run_used_and_only_those(small):
    from simulator.report.parameters import appendix

    sc = small({**INSTRUMENTS, "instruments.einvoice_pos.enabled": True})
    titles = [title for title, _rows in appendix(sc.resolved())]
    assert "Instrument: einvoice_pos" in titles and "Instrument: einvoice_link" not in titles
    vi = [title for title, _rows in appendix(sc.resolved(), "vi")]
    assert "Công cụ: einvoice_pos" in vi
