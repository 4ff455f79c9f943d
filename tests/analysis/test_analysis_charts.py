"""The sweep and sensitivity charts (issue 14): paired differences, the fewest-teams marker, plain
names and units in English and Vietnamese, the numbers beside every chart, and the folders read back."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import matplotlib.text
import numpy as np
import pandas as pd
import pytest
from babel.messages.pofile import read_po
from conftest import run_command as cli

import simulator
from simulator.analysis import fewest_teams, per_replication, read_sensitivity, read_sweep, sweep_runs
from simulator.analysis.folders import SweepResult
from simulator.analysis.points import PointRun
from simulator.analysis.sensitivity import one_at_a_time
from simulator.analysis.sweep import summarise_points
from simulator.charts.analysis import (
    DONE,
    PARAMETERS,
    _Ticks,
    kpi_axis,
    parameter_label,
    parameter_value,
    sensitivity_data,
    sensitivity_figure,
    sweep_data,
    sweep_figure,
)
from simulator.i18n import LOCALE_DIR, translator
from simulator.numbers import Numbers, day

RANDOM_DURATIONS = {
    "campaign.minutes_per_pump": {"dist": "triangular", "low": 30, "mode": 45, "high": 90},
    "campaign.travel_hours": {"dist": "triangular", "low": 0.25, "mode": 0.75, "high": 1.5},
    "network.districts": {"A": 30, "B": 20},
}
PARAM = "behaviour.undeclared_share.mean"
VI = translator("vi")
PARAM_VI = VI("{parameter} (mean)").format(parameter=VI("Share of sales undeclared before sealing"))
"""PARAM's label in Vietnamese, from the catalogue (whose wording a reviewer may still change)."""


def tiny_sweep(extra=(15.0, 22.0, 39.0, 41.0, 60.0), scale: float = 1.0):
    """Two points (1 and 2 teams), five replications, hand-picked KPIs: the summary table and the
    per-replication table, as a sweep gives them."""
    ref = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    runs = []
    for teams, tax in ((1, ref), (2, np.asarray(extra))):
        kpis = pd.DataFrame({"replication": range(5), "extra_tax": tax * scale, "cost": [1e6 * teams] * 5,
                             "completion_days": [100.0 / teams] * 5, "completed": [1.0] * 5})
        runs.append(PointRun({"campaign.teams": teams}, kpis))
    return summarise_points(runs), per_replication(runs)


def texts(fig) -> list[str]:
    """Every string drawn on a figure (titles, labels, ticks, legend, caption), after drawing it."""
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def caption(fig) -> str:
    """All the figure's words on one line (the caption wraps where the width says)."""
    return " ".join(texts(fig)).replace("\n", " ")


def english_of_the_catalogue() -> list[str]:
    """The English fragments (between placeholders) of every analysis.po, charts.po and kpis.po message
    whose Vietnamese differs: none of them may appear on a Vietnamese chart."""
    out = []
    for name in ("analysis.po", "charts.po", "kpis.po"):
        with (LOCALE_DIR / "vi" / name).open("rb") as fh:
            for m in read_po(fh, locale="vi"):
                if m.id and m.string and m.string != m.id:
                    out += [f.strip() for f in re.split(r"\{[a-z_]+\}", m.id) if len(f.strip()) >= 3]
    return out


# ---- sweep: paired differences -----------------------------------------------------------------
def test_paired_difference_interval_is_computed_replication_by_replication():
    """Extra tax 10, 20, 30, 40, 50 at 1 team and 15, 22, 39, 41, 60 at 2 teams: the changes are 5, 2, 9,
    1, 10, whose 5% and 95% quantiles (linear) are 1.2 and 9.8 — so the bar runs from 30 + 1.2 to 30 + 9.8,
    much narrower than the 2-team spread across replications (16.4 – 56.2); the figure draws exactly it."""
    table, per_rep = tiny_sweep()
    d = sweep_data(table, per_rep, kpis=["extra_tax"]).set_index("point")
    assert d.loc[2, "diff_mean"] == pytest.approx(5.4)
    assert d.loc[2, ["diff_p05", "diff_p95"]].tolist() == pytest.approx([1.2, 9.8])
    assert d.loc[2, ["bar_low", "bar_high"]].tolist() == pytest.approx([31.2, 39.8])
    assert d.loc[2, ["p05", "p95"]].tolist() == pytest.approx([16.4, 56.2])
    assert d.loc[1, ["diff_p05", "diff_p95"]].tolist() == [0.0, 0.0] and d.loc[2, "reference_point"] == 1
    # against the second setting instead, the first is 5.4 lower on average
    other = sweep_data(table, per_rep, kpis=["extra_tax"], reference=2).set_index("point")
    assert other.loc[1, "diff_mean"] == pytest.approx(-5.4)
    fig = sweep_figure(table, per_rep, kpis=["extra_tax"])
    (bars,) = [c for c in fig.axes[0].collections if len(c.get_segments()) == 2]
    ends = sorted((float(s[:, 1].min()), float(s[:, 1].max())) for s in bars.get_segments())
    assert ends[1] == pytest.approx((31.2, 39.8))


def test_the_reference_is_the_scenarios_own_setting_when_the_grid_holds_it():
    """The scenario plans 2 teams and the grid holds 2: every point is compared with 2 teams (1 team is
    5.4 lower on average: 30 against 35.4), the dotted line is the 2-team mean and the legend and caption
    say "the scenario's setting"; a scenario value outside the grid falls back to the first value, and an
    explicit reference wins over the scenario's."""
    table, per_rep = tiny_sweep()
    own = {"campaign.teams": 2}
    d = sweep_data(table, per_rep, kpis=["extra_tax"], scenario_values=own).set_index("point")
    assert d["reference_point"].tolist() == [2, 2]
    assert d.loc[1, "diff_mean"] == pytest.approx(-5.4) and d.loc[2, "diff_mean"] == 0.0
    assert d.loc[1, ["bar_low", "bar_high"]].tolist() == pytest.approx([35.4 - 9.8, 35.4 - 1.2])
    off_grid = sweep_data(table, per_rep, kpis=["extra_tax"], scenario_values={"campaign.teams": 5})
    assert off_grid["reference_point"].tolist() == [1, 1]
    chosen = sweep_data(table, per_rep, kpis=["extra_tax"], reference=1, scenario_values=own)
    assert chosen["reference_point"].tolist() == [1, 1]
    fig = sweep_figure(table, per_rep, kpis=["extra_tax"], scenario_values=own)
    dotted = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == ":"]
    assert [float(ln.get_ydata()[0]) for ln in dotted] == pytest.approx([35.4])
    words = caption(fig)
    assert "90% of the change from the scenario's setting" in words and "level at the scenario's setting" in words
    assert "the scenario's own setting (Verification teams: 2)" in words
    assert "reference setting" not in words
    assert "the reference setting (Verification teams: 1)" in caption(sweep_figure(table, per_rep, kpis=["extra_tax"]))


def test_every_sweep_axis_starts_at_zero_and_the_deadline_line_reads_its_days():
    """A rise from 30 to 35.4 is drawn on an axis from 0, not from 29; the deadline's dashed line on the
    completion panel says its date and the days it allows (3 Jan → 31 Mar 2017: 87 days); the title's
    parameter follows the colon in lower case."""
    from simulator.analysis.sweep import mark_deadline

    table, per_rep = tiny_sweep()
    start, deadline = dt.date(2017, 1, 3), dt.date(2017, 3, 31)
    per_rep = mark_deadline(per_rep, deadline, start)
    for lang, label in (("en", "deadline 31 Mar 2017 = 87 days"),
                        ("vi", VI("deadline {date} = {days} days").format(date="31/03/2017", days="87"))):
        fig = sweep_figure(table, per_rep, deadline=deadline, start=start, lang=lang)
        panels = [ax for ax in fig.axes if ax.axison and ax.get_visible()]
        assert len(panels) == 3
        for ax in panels:
            low, high = ax.get_ylim()
            assert low <= 0 <= high, ax.get_title()
        assert label in texts(fig)
        dashed = [ln for ax in panels for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert [float(ln.get_ydata()[0]) for ln in dashed] == [87.0]
    assert sweep_figure(table, per_rep).get_suptitle() == "Comparing settings: verification teams"


def test_print_size_sweep_and_sensitivity_charts_read_at_8_pt_on_a4():
    """size="print" draws the sweep and both sensitivity charts 6.7 in wide with no text under 8 pt at that
    width (the screen ones, 11 in wide, would print their captions at 6 pt on A4)."""
    from simulator.analysis.sweep import mark_deadline

    table, per_rep = tiny_sweep()
    per_rep = mark_deadline(per_rep, dt.date(2017, 3, 31), dt.date(2017, 1, 3))
    oat = pd.DataFrame({"parameter": [PARAM, "costs.per_visit"], "kpi": "extra_tax", "value_low": [0.05, 0.0],
                        "value_high": [0.3, 200_000.0], "base_value": [0.15, 50_000.0], "base": 3e9,
                        "low": [1.5e9, 3e9], "high": [4.5e9, 3e9], "swing": [3e9, 0.0]})
    for lang in ("en", "vi"):
        for fig in (sweep_figure(table, per_rep, deadline=dt.date(2017, 3, 31), start=dt.date(2017, 1, 3),
                                 lang=lang, size="print"),
                    sensitivity_figure(oat, lang=lang, size="print"),
                    sensitivity_figure(sobol_table(0.7), lang=lang, size="print")):
            assert fig.get_size_inches()[0] == pytest.approx(6.7)
            fig.draw_without_rendering()
            sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()
                     and t.get_visible()]
            assert min(sizes) >= 8.0
    screen = sweep_figure(table, per_rep)
    assert screen.get_size_inches()[0] == 11.0
    assert min(t.get_fontsize() for t in screen.texts) * 6.7 / 11.0 < 8.0
    with pytest.raises(ValueError, match="size: expected one of screen, print"):
        sweep_figure(table, per_rep, size="A4")


def test_a_replication_missing_a_value_drops_out_of_its_pair():
    """An undefined value (NaN) in either point of a pair leaves that replication out of the change."""
    table, per_rep = tiny_sweep(extra=(15.0, np.nan, 39.0, 41.0, 60.0))
    row = sweep_data(table, per_rep, kpis=["extra_tax"]).set_index("point").loc[2]
    assert row["diff_n"] == 4 and row["diff_mean"] == pytest.approx((5 + 9 + 1 + 10) / 4)


def test_the_default_panels_put_money_first_and_stand_in_for_a_missing_kpi():
    """By default: extra tax, cost, net gain, completion — never the before/after figure; a folder
    written before net gain existed shows the causal uplift in its place."""
    table, per_rep = tiny_sweep()
    assert list(dict.fromkeys(sweep_data(table, per_rep)["kpi"])) == ["extra_tax", "cost", "completion_days"]
    per_rep = per_rep.assign(uplift=0.1, uplift_before_after=0.2)
    table = pd.concat([table, table[table["kpi"] == "cost"].assign(kpi="uplift"),
                       table[table["kpi"] == "cost"].assign(kpi="uplift_before_after")], ignore_index=True)
    assert list(dict.fromkeys(sweep_data(table, per_rep)["kpi"])) == ["extra_tax", "cost", "uplift",
                                                                      "completion_days"]


# ---- sweep: the fewest teams ---------------------------------------------------------------------
def test_the_fewest_teams_marker_sits_where_fewest_teams_answers(small):
    """A sweep over 1–6 teams marks (with a star, and in its chart numbers) the team count that
    ``fewest_teams`` finds for the same deadline, probability, replications and seed; an impossible
    deadline marks nothing and says so in the caption."""
    sc = small(RANDOM_DURATIONS)
    table, runs = sweep_runs(sc, {"campaign.teams": [1, 2, 3, 4, 5, 6]}, replications=5, seed=2)
    two = float(runs[1].kpis["completion_days"].min())
    three = float(runs[2].kpis["completion_days"].max())
    assert three < two  # a deadline between them: three teams always make it, two never do
    deadline = sc.campaign.start + dt.timedelta(days=int(np.ceil((three + two) / 2)))
    answer = fewest_teams(sc, deadline, probability=0.9, replications=5, seed=2)
    assert answer.teams == 3
    result = SweepResult.from_runs(sc, table, runs, deadline=deadline, probability=0.9)
    data = result.chart_data()
    assert sorted(set(data.loc[data["fewest"], "campaign.teams"])) == [answer.teams]
    done = data[data["kpi"] == DONE].set_index("campaign.teams")["mean"]
    assert done[2] == 0.0 and done[3] == 1.0
    fig = result.figure()
    stars = [line for ax in fig.axes if ax.axison for line in ax.get_lines() if line.get_marker() == "*"]
    assert stars and all(list(s.get_xdata()) == [answer.teams] for s in stars)
    assert "before " + day(deadline) + " in at least 90% of the replications (3)." in caption(fig)
    late = SweepResult.from_runs(sc, table, runs, deadline=sc.campaign.start + dt.timedelta(days=1))
    assert not late.chart_data()["fewest"].any()
    assert "No number of teams in this comparison" in caption(late.figure())


# ---- words, units and numbers --------------------------------------------------------------------
def test_a_vietnamese_sweep_chart_has_no_english_and_no_config_keys(small):
    """On a Vietnamese chart (the scenario's run.lang) no English message of the analysis or KPI catalogue
    remains, no dotted key where a plain label exists, dates read dd/mm/yyyy and amounts in tỷ / triệu đồng."""
    sc = small({**RANDOM_DURATIONS, "run.lang": "vi"})
    table, runs = sweep_runs(sc, {"campaign.teams": [1, 2, 3]}, replications=3, seed=2)
    result = SweepResult.from_runs(sc, table, runs, deadline=dt.date(2017, 3, 1))
    assert result.lang == "vi"
    shown = texts(result.figure())
    joined = "\n".join(shown)
    assert "Số đoàn kiểm định" in shown and "Chi phí chiến dịch" in shown  # the test reads real words
    assert "01/03/2017" in joined and "triệu đồng" in joined
    left = [e for e in english_of_the_catalogue() if e in joined]
    assert not left, left
    assert "campaign.teams" not in joined and not re.search(r"\b[a-z_]+\.[a-z_]+\b", joined)


def test_no_axis_shows_an_offset_and_money_reads_in_billions():
    """Amounts of billions are drawn in "billion VND" with plain ticks — never a "1e9" offset — on the
    sweep and on the tornado, in both languages; negative ticks have a true minus sign."""
    table, per_rep = tiny_sweep(scale=1e8)  # 1–6 billion VND
    oat = pd.DataFrame({"parameter": [PARAM, "costs.per_visit"], "kpi": "extra_tax", "value_low": [0.05, 0.0],
                        "value_high": [0.3, 200_000.0], "base_value": [0.15, 50_000.0], "base": 3e9,
                        "low": [1.5e9, 3e9], "high": [4.5e9, 3e9], "swing": [3e9, 0.0]})
    for lang in ("en", "vi"):
        for fig in (sweep_figure(table, per_rep, lang=lang), sensitivity_figure(oat, lang=lang)):
            shown = texts(fig)
            for ax in fig.axes:
                assert ax.xaxis.get_offset_text().get_text() == ""
                assert ax.yaxis.get_offset_text().get_text() == ""
            assert not [t for t in shown if re.search(r"\de[+-]?\d|1e9", t)]
            assert ("billion VND" if lang == "en" else "tỷ đồng") in "\n".join(shown)
    assert kpi_axis("extra_tax", [2.4e9], "vi") == (1e9, "", "tỷ đồng")
    assert kpi_axis("uplift", [0.16], "en") == (0.01, "%", "%")
    assert _Ticks(Numbers("vi"), 1.0, "%").format_ticks([-1.5, 0.0, 2.0]) == ["−1,5%", "0,0%", "2,0%"]
    assert _Ticks(Numbers("en")).format_ticks([-2e6, 0.0, 2e6]) == ["−2,000,000", "0", "2,000,000"]


def test_parameter_labels_are_plain_and_their_keys_real():
    """Every curated label names a real field of the scenario schema; a distribution's number takes
    its parameter's label with a qualifier; a key without a label stays the key; values read with units."""
    from simulator.scenario.schema import Scenario

    for key in PARAMETERS:
        section, name = key.split(".", 1)
        model = Scenario.model_fields[section].annotation
        assert name in model.model_fields, key
    assert parameter_label(PARAM) == "Share of sales undeclared before sealing (mean)"
    assert parameter_label(PARAM, "vi") == PARAM_VI != parameter_label(PARAM)
    assert PARAM_VI.endswith("(trung bình)")
    # no short chart label: the scenario's own label; the dotted key only when nothing knows it
    assert parameter_label("campaign.day_start_hour", "vi") == Numbers("vi").gettext("Working day starts at")
    assert parameter_label("no.such.key", "vi") == "no.such.key"
    assert parameter_value(PARAM, 0.0279, "vi") == "2,79%"
    assert parameter_value("costs.per_team_day", 1.5e6, "en") == "1.5 million VND"
    assert parameter_value("campaign.minutes_per_pump.mode", 37.5, "vi") == "37,5 phút"
    assert parameter_value("campaign.start", dt.date(2017, 1, 3), "vi") == "03/01/2017"
    assert parameter_value("campaign.order", "largest_first", "vi") == "cửa hàng lớn trước"


# ---- sensitivity ---------------------------------------------------------------------------------
def sobol_table(s1_first: float) -> pd.DataFrame:
    return pd.DataFrame({"parameter": [PARAM, "campaign.teams", "costs.per_visit"], "kpi": "uplift",
                         "value_low": [0.05, 1, 0.0], "value_high": [0.3, 3, 200_000.0], "base_value": [0.15, 2, 5e4],
                         "S1": [s1_first, 0.2, 0.004], "S1_conf": [0.1, 0.05, 0.01], "ST": [0.6, 0.25, 0.0],
                         "ST_conf": [0.1, 0.05, 0.001]})


def test_sobol_bars_are_sorted_in_percent_and_a_first_order_above_total_is_flagged():
    """Bars come largest total first with their intervals; a first-order index above the total one
    (by more than half a point) is starred and explained as estimation error; 0.4% over 0 is not."""
    d = sensitivity_data(sobol_table(0.7), lang="vi")
    assert list(d["parameter"]) == [PARAM, "campaign.teams", "costs.per_visit"]
    assert d.loc[0, ["S1_low", "S1_high"]].tolist() == pytest.approx([0.6, 0.8])
    assert list(d["first_above_total"]) == [True, False, False]
    shown = texts(sensitivity_figure(sobol_table(0.7), lang="vi"))
    joined = "\n".join(shown)
    assert f"{PARAM_VI}*\n5% – 30%" in shown
    assert "sai số ước lượng" in joined and "100%" in joined
    assert not [e for e in english_of_the_catalogue() if e in joined]
    calm = "\n".join(texts(sensitivity_figure(sobol_table(0.5), lang="en")))
    assert "*" not in calm and "estimation error" not in calm


def test_tornado_bars_are_the_chart_numbers(evasive):
    """The tornado's bars run from the base to the KPI at each end of each parameter's range, widest on
    top, in percent; they are the rows of its numbers table."""
    t = one_at_a_time(evasive(), {PARAM: (0.05, 0.3), "costs.per_visit": (0.0, 200_000.0)}, "uplift",
                      replications=2, seed=1)
    d = sensitivity_data(t)
    assert list(d["parameter"]) == [PARAM, "costs.per_visit"] and d.loc[1, "swing"] == 0
    ax = sensitivity_figure(t).axes[0]
    widths = sorted(round(p.get_width(), 9) for p in ax.patches)
    expected = sorted(round(v, 9) for v in np.r_[(d["low"] - d["base"]) / 0.01, (d["high"] - d["base"]) / 0.01])
    assert widths == expected


# ---- the commands: files beside every chart, folders read back, --lang ------------------------------
@pytest.fixture
def scenario_file(small, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(small(RANDOM_DURATIONS).to_toml(), encoding="utf-8")
    return path


def test_sweep_command_writes_the_chart_numbers_and_the_folder_reads_back(small, scenario_file, tmp_path, capsys):
    """`fuelseal sweep --lang vi` prints Vietnamese, writes sweep.png with sweep-chart.csv beside it (the
    numbers drawn), keeps sweep.csv's machine columns, and `read_sweep` gives back the sweep's tables
    (equal to a sweep run in memory), its deadline and language."""
    out = tmp_path / "sw"
    assert cli(["sweep", str(scenario_file), "--set", "campaign.teams=1,2,3", "-n", "3", "--seed", "4", "--out",
                str(out), "--quiet", "--workers", "1", "--lang", "vi", "--deadline", "2017-04-02"]) == 0
    printed = capsys.readouterr().out
    assert "Thuế thu thêm trong kỳ đánh giá" in printed and "Bảng số liệu:" in printed
    assert (out / "sweep.png").stat().st_size > 10_000
    assert list(pd.read_csv(out / "sweep.csv").columns) == ["point", "campaign.teams", "kpi", "mean", "sd", "p05",
                                                             "p50", "p95", "n"]
    sc = small(RANDOM_DURATIONS)
    table, runs = sweep_runs(sc, {"campaign.teams": [1, 2, 3]}, replications=3, seed=4)
    back = read_sweep(out)
    pd.testing.assert_frame_equal(back.table, table)
    pd.testing.assert_frame_equal(back.per_rep.drop(columns=DONE), per_replication(runs))
    assert back.deadline == dt.date(2017, 4, 2) and back.lang == "vi" and back.probability == 0.9
    written = pd.read_csv(out / "sweep-chart.csv")
    again = back.chart_data()
    assert list(written.columns) == list(again.columns) and set(written["label"]) >= {"Chi phí chiến dịch"}
    for col in ("mean", "bar_low", "bar_high", "diff_p05", "diff_p95"):
        np.testing.assert_allclose(written[col].to_numpy(float), again[col].to_numpy(float), rtol=1e-12)
    # the chart draws those numbers: each panel's line is the mean, in the panel's unit
    fig = back.figure()
    for ax in fig.axes[:4]:
        rows = written[written["label"] == ax.get_title(loc="left")]
        div = kpi_axis(rows["kpi"].iloc[0], rows[["mean", "bar_low", "bar_high"]].to_numpy(float).ravel())[0]
        (line,) = [x for x in ax.get_lines() if x.get_marker() == "o"]
        np.testing.assert_allclose(line.get_ydata(), rows["mean"].to_numpy(float) / div)
    spec = json.loads((out / "sweep.json").read_text())
    assert spec["deadline"] == "2017-04-02" and spec["lang"] == "vi"
    # a resumed sweep (nothing left to run) redraws the same chart numbers
    assert cli(["sweep", "--resume", str(out), "--quiet", "--workers", "1"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep-chart.csv"), written)


def test_the_deadline_is_the_plans_own_or_none(small):
    """A sweep marks the fewest teams against the scenario's campaign.deadline; with none, nothing is invented;
    a deadline before the campaign starts is refused where the scenario is read."""
    import datetime as dt

    from simulator.analysis.sweep import default_deadline

    assert default_deadline(small()) is None
    assert default_deadline(small({"campaign.deadline": "2017-03-31"})) == dt.date(2017, 3, 31)
    with pytest.raises(simulator.ScenarioError, match=r"campaign.deadline: expected a date after campaign.start"):
        small({"campaign.deadline": "2016-06-30"})


def test_sweep_deadline_needs_teams_swept(scenario_file, tmp_path):
    """--deadline marks the fewest teams: refused (one line) when campaign.teams is not swept, or when
    the date is outside the campaign."""
    with pytest.raises(simulator.ScenarioError, match=r"--deadline: marks the fewest teams"):
        cli(["sweep", str(scenario_file), "--set", "campaign.order=route,random", "-n", "1", "--deadline",
             "2017-03-01", "--out", str(tmp_path / "a"), "--quiet"])
    with pytest.raises(simulator.ScenarioError, match=r"--deadline: deadline: expected a date after"):
        cli(["sweep", str(scenario_file), "--set", "campaign.teams=1,2", "-n", "1", "--deadline", "2016-03-01",
             "--out", str(tmp_path / "b"), "--quiet"])


def test_sensitivity_command_writes_its_record_and_reads_back(evasive, tmp_path, capsys):
    """`fuelseal sensitivity --lang vi` writes the table (machine columns), a chart per KPI with its
    numbers beside it and sensitivity.json (method, KPIs, replications, seed, ranges, language);
    `read_sensitivity` gives them back, and a folder without the record still loads."""
    src = tmp_path / "s.toml"
    src.write_text(evasive().to_toml(), encoding="utf-8")
    out = tmp_path / "se"
    assert cli(["sensitivity", str(src), "--param", f"{PARAM}=0.05:0.3", "--param", "costs.per_visit=0:200000",
                "-n", "2", "--seed", "1", "--kpi", "uplift", "--kpi", "cost", "--out", str(out), "--workers", "1",
                "--quiet", "--lang", "vi"]) == 0
    printed = capsys.readouterr().out
    assert "Mức tăng thu thuế so với không có chiến dịch" in printed and "Biểu đồ:" in printed
    for name in ("sensitivity-uplift.png", "sensitivity-cost.png", "sensitivity-uplift-chart.csv",
                 "sensitivity-cost-chart.csv", "sensitivity.json"):
        assert (out / name).is_file(), name
    back = read_sensitivity(out)
    direct = one_at_a_time(evasive(), {PARAM: (0.05, 0.3), "costs.per_visit": (0.0, 200_000.0)}, ["uplift", "cost"],
                           replications=2, seed=1)
    pd.testing.assert_frame_equal(back.table, direct, check_dtype=False)
    assert back.method == "oat" and back.kpis == ["uplift", "cost"] and back.lang == "vi"
    assert back.meta["replications"] == 2 and back.meta["seed"] == 1
    assert back.meta["ranges"] == {PARAM: [0.05, 0.3], "costs.per_visit": [0.0, 200000.0]}
    chart = pd.read_csv(out / "sensitivity-uplift-chart.csv")
    assert list(chart["label"]) == list(back.chart_data("uplift")["label"])
    assert chart.loc[0, "label"] == PARAM_VI
    (out / "sensitivity.json").unlink()
    old = read_sensitivity(out)
    assert old.method == "oat" and old.kpis == ["uplift", "cost"] and old.lang == "en"
    assert old.figure("cost").axes[0].get_xlabel().startswith("Campaign cost")


def test_the_folder_loaders_refuse_what_is_not_theirs(tmp_path):
    """A folder that is not a sweep's or a sensitivity study's is a one-line error."""
    with pytest.raises(simulator.ScenarioError, match="not a sweep folder"):
        read_sweep(tmp_path)
    with pytest.raises(simulator.ScenarioError, match="not a sensitivity folder"):
        read_sensitivity(tmp_path)


def test_a_sweep_is_compared_with_the_scenario_s_own_setting(small, tmp_path):
    """The plan (2 teams in the scenario) is the reference of a sweep over 1–3 teams, in memory and when the
    folder is read back: its rows carry no change, the others their change from it."""
    sc = small({"campaign.teams": 2})
    table, runs = sweep_runs(sc, {"campaign.teams": [1, 2, 3]}, replications=2, seed=1)
    result = SweepResult.from_runs(sc, table, runs)
    assert result.scenario_values == {"campaign.teams": 2}
    data = result.chart_data()
    two = int(table.loc[table["campaign.teams"] == 2, "point"].iloc[0])
    assert set(data["reference_point"].dropna()) == {two}
    rows = data[(data.kpi == "cost") & (data.point == two)]
    assert (rows["diff_mean"] == 0).all()
    out = tmp_path / "sw"
    src = tmp_path / "s.toml"
    src.write_text(sc.to_toml(), encoding="utf-8")
    assert cli(["sweep", str(src), "--set", "campaign.teams=1,2,3", "-n", "2", "--seed", "1", "--out", str(out),
                "--quiet", "--workers", "1"]) == 0
    back = read_sweep(out)
    assert back.scenario_values == {"campaign.teams": 2}
    assert set(back.chart_data()["reference_point"].dropna()) == {two}
