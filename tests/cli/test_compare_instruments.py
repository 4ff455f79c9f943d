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


OUT_FILES = {"instruments.png", "instruments-chart.csv", "instruments.csv", "instruments.json"}


def test_out_writes_the_chart_its_numbers_the_table_and_the_json(scenario_file, tmp_path, capsys):
    """The JSON file is exactly what --json prints; the table holds the summary, the paired differences and the
    no-policy world, the same numbers as the JSON; the chart's numbers are the comparison's."""
    import pandas as pd

    out = tmp_path / "cmp"
    argv = ["compare", str(scenario_file), "--instruments", "seal,einvoice_pos", "--combine", "seal+einvoice_pos",
            "-n", "2", "--workers", "1", "--out", str(out)]
    assert main([*argv, "--json"]) == 0
    printed = capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == OUT_FILES
    assert (out / "instruments.json").read_text(encoding="utf-8") == printed
    js = json.loads(printed)
    table = pd.read_csv(out / "instruments.csv", keep_default_na=False, na_values=[""])
    assert set(table["figure"]) == {"value", "difference_from_first", "no_policy"}
    for entry in js["instruments"]:
        for figure, key in (("value", "kpis"), ("difference_from_first", "difference_from_first")):
            rows = table[(table["option"] == entry["name"]) & (table["figure"] == figure)].set_index("kpi")
            assert len(rows) == (len(COMPARED) if key in entry else 0)
            for kpi, stats in entry.get(key, {}).items():
                for stat, value in stats.items():
                    assert rows.loc[kpi, stat] == pytest.approx(np.nan if value is None else value, nan_ok=True)
    base = table[table["figure"] == "no_policy"].set_index("kpi")
    assert base.loc["tax_without", "mean"] == pytest.approx(js["baseline"]["kpis"]["tax_without"]["mean"])
    chart = pd.read_csv(out / "instruments-chart.csv")
    assert list(chart.columns) == ["option", "label", "kpi", "mean", "p05", "p50", "p95", "replications"]
    seal = chart[(chart["option"] == "seal") & (chart["kpi"] == "extra_tax")]
    assert seal["mean"].item() == pytest.approx(js["instruments"][0]["kpis"]["extra_tax"]["mean"])
    assert (out / "instruments.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_out_never_replaces_files_without_overwrite(scenario_file, tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", str(scenario_file), "--instruments", "seal,einvoice_pos", "-n", "2", "--workers", "1",
            "--quiet", "--out", str(out), "--lang", "vi"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Bảng số liệu: " in text and "Biểu đồ: " in text and str(out / "instruments.png") in text
    assert "kẹp chì" in (out / "instruments-chart.csv").read_text(encoding="utf-8")  # the labels in --lang
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main([*argv, "-n", "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already holds" in err and "--overwrite" in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main([*argv, "-n", "3", "--overwrite", "--svg"]) == 0
    assert {p.name for p in out.iterdir()} == OUT_FILES | {"instruments.svg"}
    assert json.loads((out / "instruments.json").read_text(encoding="utf-8"))["replications"] == 3
    assert main([*argv, "-n", "2", "--overwrite"]) == 0  # the SVG of the 3-replication numbers goes
    assert {p.name for p in out.iterdir()} == OUT_FILES


def test_without_out_nothing_is_written(scenario_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", str(scenario_file), "--instruments", "seal", "-n", "2", "--workers", "1", "--quiet"]) == 0
    assert "[seal]" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["s.toml"]


@pytest.mark.parametrize(("argv", "expected"), [
    (["--overwrite"], "--overwrite goes with --instruments"),
    (["--svg"], "--svg goes with --instruments"),
    (["--instruments", "seal", "-n", "2", "--svg"], "--svg: goes with --out DIR"),
    (["--instruments", "seal", "-n", "2", "--overwrite"], "--overwrite: goes with --out DIR"),
    (["--instruments", "seal", "--labels", "a"], "--labels: goes with run folders"),
    (["--instruments", "seal", "--format", "pdf"], "--format: goes with run folders"),
    (["--instruments", "seal", "--trust"], "--trust: goes with run folders"),
])
def test_out_only_flags_are_one_line_and_exit_2(scenario_file, tmp_path, capsys, argv, expected):
    """--out itself also names the run folders' comparison folder, so only what an instruments comparison alone
    writes is refused without --instruments (or without --out)."""
    assert main(["compare", str(scenario_file), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err


def test_a_payback_some_replications_never_reach_says_in_how_many(small):
    """The table's payback is of the replications that pay back: it says in how many."""
    from simulator.analysis.instruments import InstrumentComparison, instruments_text

    cmp = compare_instruments(small(INSTRUMENTS), ["seal"], replications=3, seed=5, workers=1, progress=False)
    kpis = cmp.kpis.copy()
    kpis.loc[kpis["replication"] == 0, "payback_months"] = np.nan
    text = instruments_text(InstrumentComparison(cmp.options, kpis, 3, 5, cmp.kinds))
    line = next(x for x in text.splitlines() if "Pays for itself" in x)
    assert line.endswith(", in 2 of 3 replications"), line
    assert "[seal] sealing the totalisers" in text  # named from the comparison's own record of kinds
