"""The charts of ``fuelseal evaluate`` (``--out DIR``): the event study, synthetic control against the tax
observed, and the simulation study. Each draws its estimates' own numbers, in either language; a method that
cannot estimate the panel is named as not applicable, never drawn as 0; the command writes its files and
refuses a folder that already holds them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import known_panel
from matplotlib.text import Text

from simulator.analysis.evaluate import Check, evaluate
from simulator.analysis.panel import read_panel
from simulator.charts.evaluation import (
    check_chart,
    check_data,
    event_study_chart,
    event_study_data,
    method_words,
    synthetic_chart,
    synthetic_data,
)
from simulator.i18n import translator


def small_panel(effect: float = 0.1, units: int = 12) -> pd.DataFrame:
    """The estimators' test panel (tests/conftest.py), smaller: 12 units over 30 months, noise 2%."""
    return known_panel(effect, units=units, months=30, seed=2, noise=0.02)


TRUTH = {"replications": [{"replication": 0, "by_event_time": [
    {"event_time": -2, "effect_share": 0.0}, {"event_time": -1, "effect_share": 0.0},
    {"event_time": 0, "effect_share": 0.02}, {"event_time": 1, "effect_share": 0.1},
    {"event_time": 2, "effect_share": None}]}]}


@pytest.fixture(scope="module")
def estimates():
    return evaluate(small_panel())


@pytest.fixture(scope="module")
def without_synth():
    """Four units: too few donors for synthetic control, which says so (estimate None)."""
    return evaluate(small_panel(units=4))


def texts(fig) -> str:
    """Every text the figure shows, lines joined."""
    fig.draw_without_rendering()
    return " | ".join(" ".join(t.get_text().split()) for t in fig.findobj(Text) if t.get_visible() and t.get_text())


def test_the_event_study_table_holds_each_methods_numbers_as_estimated(estimates):
    assert [e.method for e in estimates] == ["did", "synth", "its"] and all(e.estimate is not None for e in estimates)
    data = event_study_data(estimates, TRUTH)
    assert list(data.columns) == ["method", "label", "event_time", "estimate", "low", "high"]
    for e in estimates:
        d = data[data["method"] == e.method]
        assert d["label"].unique().tolist() == [method_words(e.method)]
        assert d["event_time"].tolist() == [r["event_time"] for r in e.by_event_time]
        for col in ("estimate", "low", "high"):
            assert d[col].tolist() == [r[col] for r in e.by_event_time]  # exactly, not rounded
    truth = data[data["method"] == "truth"]
    assert truth["event_time"].tolist() == [-2, -1, 0, 1, 2]
    assert truth["estimate"].tolist()[:4] == [0.0, 0.0, 0.02, 0.1] and np.isnan(truth["estimate"].iloc[4])
    assert truth[["low", "high"]].isna().all().all()
    assert "truth" not in set(event_study_data(estimates)["method"])
    assert method_words("synth") == "synthetic control (synth)"
    assert method_words("synth", "vi") == "đối chứng tổng hợp (synth)"


def test_the_event_study_draws_every_method_its_overall_effect_and_the_truth(estimates):
    fig = event_study_chart(estimates, "en", TRUTH)
    shown = texts(fig)
    assert "Did it work?" in shown and "difference-in-differences (did): " in shown
    assert "interrupted time series (its)" in shown and "synthetic control (synth)" in shown
    assert "true effect of the simulated panel" in shown and "90% interval" in shown
    did = estimates[0]
    assert f"+{100 * did.estimate:.1f}% overall" in shown
    assert "Not applicable" not in shown
    (ax,) = fig.axes
    assert ax.get_ylabel() == "Effect (% of the tax without the campaign)"
    # the estimates are set apart within their month, not on top of each other
    markers = [line for line in ax.get_lines() if line.get_linestyle() == "None"]
    assert len(markers) == 3
    at_zero = [float(line.get_xdata()[list(np.round(line.get_xdata())).index(0)]) for line in markers]
    assert len(set(at_zero)) == 3 and max(at_zero) - min(at_zero) < 1
    # the legend sits below the panel, off the data
    fig.draw_without_rendering()
    legend, panel = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.y1 < panel.y0
    # a level other than 90% is said as such
    assert "80% interval" in texts(event_study_chart(estimates, "en", level=0.8))


def test_a_method_that_cannot_estimate_is_named_not_drawn(without_synth):
    did, synth, its = without_synth
    assert synth.estimate is None and did.estimate is not None and its.estimate is not None
    data = event_study_data(without_synth)
    assert set(data["method"]) == {"did", "its"}
    shown = texts(event_study_chart(without_synth, "en"))
    assert "Not applicable to this panel: synthetic control (synth)" in shown
    assert "synthetic control (synth): " not in shown.replace("Not applicable to this panel: synthetic control "
                                                              "(synth)", "")
    assert synthetic_data(synth).empty
    assert "Synthetic control could not estimate this panel." in texts(synthetic_chart(synth, "en"))


def test_the_synthetic_chart_after_the_start_is_the_estimate(estimates):
    synth = estimates[1]
    data = synthetic_data(synth)
    assert list(data.columns) == ["event_time", "units", "observed_vnd", "synthetic_vnd", "gap_vnd", "effect_share"]
    after = data[data["event_time"] >= 0]
    assert after["observed_vnd"].sum() / after["synthetic_vnd"].sum() - 1 == pytest.approx(synth.estimate, rel=1e-12)
    assert after["effect_share"].tolist() == pytest.approx([r["estimate"] for r in synth.by_event_time], rel=1e-12)
    assert (data["gap_vnd"] == data["observed_vnd"] - data["synthetic_vnd"]).all()
    # before the start, only the months every evaluated unit has: each sum is over the same units
    n = synth.series["unit"].nunique()
    before = data[data["event_time"] < 0]
    assert len(before) and (before["units"] == n).all() and before["event_time"].diff().dropna().eq(1).all()
    assert abs(before["effect_share"]).max() < 0.05 < after["effect_share"].iloc[2:].min()  # fitted before
    fig = synthetic_chart(synth, "en")
    shown = texts(fig)
    assert f"+{100 * synth.estimate:.1f}%" in shown and "billion VND" in shown and "tax observed" in shown
    ax = fig.axes[0]
    synthetic, observed = ax.get_lines()[:2]
    assert observed.get_ydata().tolist() == data["observed_vnd"].tolist()
    assert synthetic.get_ydata().tolist() == data["synthetic_vnd"].tolist()
    assert ax.yaxis.get_major_formatter().scale == pytest.approx(1e-9)  # ticks in billion VND


def _study(panels: int, synth_none: bool = False) -> Check:
    """A hand-built study: did always covers (truth 0.10, interval ±1 point), its covers half the time and is
    biased up by 2 points, synth estimates nothing (``synth_none``) or every other panel."""
    rows = []
    for rep in range(panels):
        rows.append({"replication": rep, "method": "did", "estimate": 0.101, "low": 0.091, "high": 0.111,
                     "truth": 0.10, "reach": 0.6, "note": None})
        est = None if synth_none or rep % 2 else 0.099
        rows.append({"replication": rep, "method": "synth", "estimate": est,
                     "low": None if est is None else 0.09, "high": None if est is None else 0.11,
                     "truth": None if est is None else 0.10, "reach": None if est is None else 0.2,
                     "note": "no donors" if est is None else None})
        rows.append({"replication": rep, "method": "its", "estimate": 0.12, "low": 0.095 if rep % 2 else 0.11,
                     "high": 0.13, "truth": 0.10, "reach": 1.0, "note": None})
    return Check(pd.DataFrame(rows), 0.9, {"did": 1.0, "synth": 1.0, "its": 1.0})


def test_the_study_table_is_the_summary_and_not_applicable_is_not_zero():
    study = _study(20, synth_none=True)
    data = check_data(study)
    assert list(data.columns) == ["method", "label", "measure", "value", "panels", "estimated", "level"]
    s = study.summary().set_index("method")
    for r in data[data["method"] != "synth"].itertuples():
        assert r.value == pytest.approx(s.loc[r.method, r.measure])
    assert data.loc[(data["method"] == "did") & (data["measure"] == "coverage"), "value"].item() == 1.0
    assert data.loc[(data["method"] == "its") & (data["measure"] == "bias"), "value"].item() == pytest.approx(0.02)
    synth = data[data["method"] == "synth"]
    assert len(synth) == 4 and synth["value"].isna().all() and (synth["estimated"] == 0).all()
    shown = texts(check_chart(study, "en"))
    assert shown.count("| not applicable |") == 4
    assert "Verdict: on panels like these, trust difference-in-differences (did)" in shown
    assert "+2.0 pp" in shown and "0.10 pp" in shown  # its' bias; did's RMSE, no finer than 0.01 pp
    assert "Not applicable: the method could estimate none of the panels" in shown


def test_a_study_of_few_panels_says_so_and_a_partial_method_says_how_many():
    study = _study(4)
    shown = texts(check_chart(study, "en"))
    assert "Too few panels to judge coverage" in shown and "Verdict" not in shown
    assert "(2 of 4)" in shown and "not applicable" not in shown
    vi = texts(check_chart(study, "vi"))
    _ = translator("vi")
    assert "Nên tin phương pháp ước lượng nào?" in vi and "khác biệt kép (did)" in vi and "(2 trên 4)" in vi
    assert _("percentage points") in vi and "percentage points" not in vi and "difference-in-differences" not in vi


@pytest.mark.parametrize("size", ["screen", "print"])
def test_the_charts_write_vietnamese(estimates, size):
    _ = translator("vi")
    es = texts(event_study_chart(estimates, "vi", TRUTH, size=size))
    assert "Chiến dịch có hiệu quả không?" in es and "khác biệt kép (did): tổng thể" in es
    assert _("Months since the unit's start") in es and "Months since" not in es
    assert "Cách đọc:" in es and "tác động thật của bảng số liệu mô phỏng" in es
    assert "," in es.split("tổng thể ")[1][:6]  # +9,7%: a decimal comma
    syn = texts(synthetic_chart(estimates[1], "vi", size=size))
    assert "tỷ đồng" in syn and "billion VND" not in syn and "số thuế thực thu" in syn
    assert "Đối chứng tổng hợp" in syn


def _write_panel(folder, panel: pd.DataFrame, truth: dict | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "panel.csv"
    panel.assign(month=panel["month"].dt.strftime("%Y-%m-%d"),
                 treated_from=panel["treated_from"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    if truth is not None:
        (folder / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return path


def test_the_command_writes_the_estimates_and_charts_and_refuses_an_occupied_folder(tmp_path, capsys):
    from simulator.cli import main

    path = _write_panel(tmp_path / "panel", small_panel(), TRUTH)
    out = tmp_path / "out"
    assert main(["evaluate", str(path), "--out", str(out), "--svg", "--lang", "vi"]) == 0
    printed = capsys.readouterr().out
    assert "event_study.png" in printed and "Tệp JSON" in printed
    assert sorted(p.name for p in out.iterdir()) == ["estimates.json", "event_study.csv", "event_study.png",
                                                     "event_study.svg", "synthetic.csv", "synthetic.png",
                                                     "synthetic.svg"]
    saved = json.loads((out / "estimates.json").read_text(encoding="utf-8"))
    assert saved == [e.to_json() for e in evaluate(read_panel(path))]  # what --json prints
    data = pd.read_csv(out / "event_study.csv")
    assert data[data["method"] == "truth"]["event_time"].tolist() == [-2, -1, 0, 1, 2]  # truth.json beside it
    assert data["label"].iloc[0] == "khác biệt kép (did)"
    before = (out / "event_study.png").read_bytes()
    # an occupied folder is refused before any work, and nothing in it changes
    (out / "mine.txt").write_text("the user's own", encoding="utf-8")
    assert main(["evaluate", str(path), "--out", str(out)]) == 2
    assert "already holds estimates.json" in capsys.readouterr().err
    assert (out / "event_study.png").read_bytes() == before
    for flag in ("--overwrite", "--svg"):
        assert main(["evaluate", str(path), flag]) == 2
        assert "goes with --out DIR" in capsys.readouterr().err
    # --overwrite replaces its own files and leaves the user's
    assert main(["evaluate", str(path), "--out", str(out), "--overwrite", "--method", "did", "--json"]) == 0
    capsys.readouterr()
    assert (out / "mine.txt").read_text(encoding="utf-8") == "the user's own"
    assert [e["method"] for e in json.loads((out / "estimates.json").read_text(encoding="utf-8"))] == ["did"]
    # a file in the way of --out
    assert main(["evaluate", str(path), "--out", str(out / "mine.txt")]) == 2


def test_the_command_without_truth_or_synthetic_control_writes_what_it_has(tmp_path, capsys):
    from simulator.cli import main

    path = _write_panel(tmp_path / "observed", small_panel(units=4))
    out = tmp_path / "out"
    assert main(["evaluate", str(path), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["estimates.json", "event_study.csv", "event_study.png"]
    assert "truth" not in set(pd.read_csv(out / "event_study.csv")["method"])
    assert "n/a" in capsys.readouterr().out


def test_the_study_command_writes_its_table_and_chart(tmp_path, capsys, small):
    import datetime as dt

    from simulator.cli import main

    sc = small({"network.districts": {"A": 3, "B": 3, "C": 3}, "campaign.teams": 5,
                "campaign.districts": {"C": {"start": dt.date(2017, 4, 3), "teams": 5}}})
    scenario = tmp_path / "s.toml"
    scenario.write_text(sc.to_toml(), encoding="utf-8")
    out = tmp_path / "study"
    assert main(["evaluate", "--check", str(scenario), "-n", "2", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "check.png" in printed and "check.csv" in printed
    assert sorted(p.name for p in out.iterdir()) == ["check-chart.csv", "check.csv", "check.json", "check.png"]
    rows = pd.read_csv(out / "check.csv")
    assert len(rows) == 6 and {"replication", "method", "estimate", "low", "high", "truth"} <= set(rows.columns)
    saved = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert {m["method"] for m in saved["methods"]} == {"did", "synth", "its"}
    chart = pd.read_csv(out / "check-chart.csv")
    assert chart[chart["method"] == "synth"]["value"].isna().all()  # no donors: not applicable, not 0
    assert main(["evaluate", "--check", str(scenario), "-n", "2", "--out", str(out)]) == 2
    assert "already holds check.json" in capsys.readouterr().err
