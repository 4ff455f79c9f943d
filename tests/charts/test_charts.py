"""Charts: every chart builds from a run, says what it shows (title, caption, units), writes
valid PNG and SVG files, draws what the tables say, and survives unusual runs."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import simulator
from simulator import Results, charts
from simulator.i18n import translator

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _wide(monthly: pd.DataFrame, arm: str, value: str) -> pd.DataFrame:
    """Month × replication table of one field of one arm, months in order."""
    m = monthly[monthly["arm"] == arm]
    return m.pivot_table(index="month", columns="replication", values=value, aggfunc="first").sort_index()


def _texts(fig: Figure) -> str:
    return " | ".join(t.get_text() for t in fig.findobj(Text))


def _copy(res: Results, **tables) -> Results:
    """A shallow copy of a run with some tables replaced (the shared fixture stays untouched)."""
    t = {"kpis": res.kpis, "monthly": res.monthly, "districts": res.districts, "visits": res.visits, **tables}
    return Results(t["kpis"], t["monthly"], t["districts"], t["visits"], res.manifest, res.scenario)


@pytest.mark.parametrize(("lang", "read"), [("en", "Read:"), ("vi", "Cách đọc:")])
def test_every_chart_has_a_title_a_caption_and_labelled_axes(hanam_run, lang, read):
    """all_charts gives one Figure per chart in CHARTS; each has a title, a caption starting
    "Read:" ("Cách đọc:" in Vietnamese) and a label on both axes of every panel."""
    figs = charts.all_charts(hanam_run, lang=lang)
    assert list(figs) == list(charts.CHARTS)
    for name, fig in figs.items():
        assert isinstance(fig, Figure), name
        assert fig.get_suptitle(), name
        assert any(t.get_text().startswith(read) for t in fig.texts), name
        for ax in fig.axes:
            assert ax.get_xlabel() or ax.get_shared_x_axes().get_siblings(ax) != [ax], (name, "x")
            assert ax.get_ylabel() or ax.get_shared_y_axes().get_siblings(ax) != [ax], (name, "y")


@pytest.mark.parametrize(("name", "unit"), [
    ("campaign_progress", "%"), ("monthly_tax", "VND"), ("monthly_sales", "litres"),
    ("uplift_distribution", "%"), ("uplift_decomposition", "%"), ("district_breakdown", "VND"),
    ("cost_benefit", "VND"),
])
def test_value_axes_carry_their_unit(hanam_run, name, unit):
    """The value axis of each chart names its unit (litres, VND, %)."""
    fig = charts.chart(hanam_run, name)
    labels = " ".join(ax.get_ylabel() + " " + ax.get_xlabel() for ax in fig.axes)
    assert unit in labels


def test_time_axes_are_dates_or_months(hanam_run):
    """Charts over time label their time axis as a date or a month."""
    for name in ("campaign_progress", "team_schedule", "monthly_tax", "monthly_sales", "cost_benefit"):
        fig = charts.chart(hanam_run, name)
        assert any(w in fig.axes[-1].get_xlabel() for w in ("Date", "Month", "month")), name


def test_write_charts_writes_valid_png_svg_and_csv(hanam_run, tmp_path):
    """write_charts puts <name>.png, <name>.svg and <name>.csv under <folder>/charts, each a valid file;
    data=False leaves the CSVs out."""
    paths = charts.write_charts(hanam_run, tmp_path, formats=("png", "svg"))
    assert sorted(p.name for p in paths) == sorted(f"{n}.{f}" for n in charts.CHARTS for f in ("png", "svg", "csv"))
    for p in paths:
        assert p.parent == tmp_path / "charts"
        if p.suffix == ".png":
            assert p.read_bytes()[:8] == PNG_MAGIC
        elif p.suffix == ".svg":
            assert ET.parse(p).getroot().tag.endswith("svg")
        else:
            assert list(pd.read_csv(p, encoding="utf-8").columns) == list(charts.chart_data(hanam_run, p.stem).columns)
    only = charts.write_charts(hanam_run, tmp_path / "b", data=False, names=["cost_benefit"])
    assert [p.name for p in only] == ["cost_benefit.png"]


def test_charts_drawn_on_two_processes_are_the_same_files_in_the_same_order(hanam_run, tmp_path):
    """``workers=2`` (what ``fuelseal run`` uses when cores are free) shares the charts out one a task; every
    file is byte for byte what one process writes, and the list comes back in report order."""
    one = charts.write_charts(hanam_run, tmp_path / "one", lang="vi")
    two = charts.write_charts(hanam_run, tmp_path / "two", lang="vi", workers=2)
    assert [p.name for p in two] == [p.name for p in one]
    assert [p.stem for p in two if p.suffix == ".png"] == list(charts.CHARTS)
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(one, two, strict=True))


def test_write_charts_rejects_an_unknown_format(hanam_run, tmp_path):
    """A format other than png, svg or pdf is refused by name, before anything is written."""
    with pytest.raises(ValueError, match="formats: .*'gif'"):
        charts.write_charts(hanam_run, tmp_path, formats=("png", "gif"))
    assert not (tmp_path / "charts").exists()


def test_results_plot_returns_one_figure_or_all(hanam_run):
    """Results.plot(name) is one Figure, Results.plot() all of them; an unknown name is refused."""
    assert isinstance(hanam_run.plot("monthly_tax"), Figure)
    assert list(hanam_run.plot()) == list(charts.CHARTS)
    with pytest.raises(ValueError, match="chart: expected one of"):
        hanam_run.plot("pie")


def test_number_styles():
    """en writes 1,234,567.8 and 16.5%; vi writes 1.234.567,8 and 16,5%; an unknown style is refused."""
    assert charts.format_number(1234567.8, 1) == "1,234,567.8"
    assert charts.format_number(1234567.8, 1, "vi") == "1.234.567,8"
    assert charts.format_percent(0.165, 1, "vi") == "16,5%"
    assert charts.format_number(-0.01, 1) == "0.0"
    assert charts.format_number(float("nan")) == "n/a"
    fmt = charts.NumberFormatter("vi")
    assert fmt.format_ticks([0, 0.5, 1.0]) == ["0,0", "0,5", "1,0"]
    assert fmt.format_ticks([1000, 2000, 3000]) == ["1.000", "2.000", "3.000"]
    assert charts.NumberFormatter("en", suffix="%").format_ticks([2.5, 5, 7.5]) == ["2.5%", "5.0%", "7.5%"]


def test_vi_style_reaches_the_chart(hanam_run):
    """number_style="vi" (the older name of lang) changes the numbers a chart prints (here the published
    figure, 16,5%) and its words; an unknown style or language is refused by name."""
    assert "16,5%" in _texts(charts.uplift_distribution(hanam_run, number_style="vi"))
    assert "16.5%" in _texts(charts.uplift_distribution(hanam_run))
    published = translator("vi")("published figure: {value}").format(value="16,5%")
    assert published != "published figure: 16,5%"
    assert published in _texts(charts.uplift_distribution(hanam_run, number_style="vi"))
    with pytest.raises(ValueError, match="number_style"):
        charts.monthly_tax(hanam_run, number_style="fr")
    with pytest.raises(ValueError, match="language: expected one of en, vi, got 'fr'"):
        charts.monthly_tax(hanam_run, lang="fr")


def test_charts_leave_global_matplotlib_state_alone(hanam_run):
    """Building charts changes no rcParams, and importing the module does not import pyplot."""
    before = dict(mpl.rcParams)
    charts.all_charts(hanam_run)
    assert dict(mpl.rcParams) == before
    code = "import sys, simulator.charts; print('matplotlib.pyplot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_uplift_parts_add_up_to_the_before_after_uplift(hanam_run):
    """The decomposition's parts sum to uplift_before_after, with the three-part KPIs and with
    the exact two-part fallback used when they are absent."""
    k = hanam_run.kpis
    for kpis in (k, k.drop(columns=[c for c in charts.DECOMPOSITION_KPIS if c in k])):
        total = sum(p.to_numpy(float) for p in charts.uplift_parts(kpis).values())
        np.testing.assert_allclose(total, kpis["uplift_before_after"], rtol=1e-9)
    assert list(charts.uplift_parts(k.drop(columns=[c for c in charts.DECOMPOSITION_KPIS if c in k]))) == [
        "Trend (no campaign)", "Campaign (sealed totalisers)"]


def test_waterfall_draws_three_parts_when_the_kpis_exist_and_two_otherwise(hanam_run):
    """With uplift_growth/compliance/metrology the waterfall shows a metrology bar; without them,
    a trend bar and a campaign bar (its label wrapped on its own tick)."""
    k = hanam_run.kpis.copy()
    three = _texts(charts.uplift_decomposition(_copy(hanam_run, kpis=k)))
    assert "Metrology" in three and "Compliance" in three
    old = _copy(hanam_run, kpis=k.drop(columns=list(charts.DECOMPOSITION_KPIS)))
    fig = charts.uplift_decomposition(old)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["Trend (no\ncampaign)", "Campaign\n(sealed\ntotalisers)", "Before/after\nuplift"]
    assert "Metrology" not in _texts(fig)
    steps = charts.chart_data(old, "uplift_decomposition")
    assert list(steps.loc[steps["panel"] == "before_after", "item"]) == ["trend", "campaign", "total", "published"]


def test_monthly_tax_lines_are_the_medians_of_the_monthly_table(hanam_run):
    """The 'with' line of the monthly tax chart (lower panel) is the month-by-month median across
    replications; the upper panel's line is the median of the paired difference (with − without, within
    each replication), not the difference of the medians."""
    fig = charts.monthly_tax(hanam_run)
    line = next(ln for ln in fig.axes[1].get_lines() if ln.get_label() == "with the campaign")
    m = hanam_run.monthly
    w = _wide(m, "with", "tax")
    wo = _wide(m, "without", "tax")
    np.testing.assert_allclose(line.get_ydata(), w.median(axis=1).to_numpy())
    extra = next(ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("extra tax"))
    np.testing.assert_allclose(extra.get_ydata(), (w - wo).median(axis=1).to_numpy())
    assert not np.allclose(extra.get_ydata(), w.median(axis=1) - wo.median(axis=1))


def test_progress_reaches_100_percent_and_marks_the_dates(hanam_run):
    """The progress median is a step line that starts at 0 and ends at 100% of dispensers; the legend names
    the start, the days off and the 100% date."""
    fig = charts.campaign_progress(hanam_run)
    ax = fig.axes[0]
    median = next(ln for ln in ax.get_lines() if ln.get_label().startswith("median"))
    assert median.get_drawstyle() == "steps-post"
    assert median.get_ydata()[0] == 0 and median.get_ydata()[-1] == pytest.approx(100.0)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "campaign starts 3 Jan 2017" in legend
    assert "weekend or public holiday (no work)" in legend
    assert any(t.startswith("100% sealed by ") and t.endswith("Feb 2017 (median)") for t in legend)


def test_team_schedule_has_one_row_per_team_and_a_district_legend(hanam_run):
    """The Gantt chart has a row per team and a legend entry for every district visited."""
    fig = charts.team_schedule(hanam_run)
    teams = int(hanam_run.manifest["resolved_scenario"]["campaign"]["teams"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [f"Team {i + 1}" for i in range(teams)]
    legend = {t.get_text() for lg in fig.legends for t in lg.get_texts()}
    assert set(hanam_run.visits["district"]) <= legend
    # the number in each bar counts its stations (numpy integers once read "n/a")
    counts = [t.get_text() for t in fig.axes[0].texts]
    assert counts and all(c.isdigit() for c in counts)
    stints = charts.chart_data(hanam_run, "team_schedule")
    assert set(counts) <= {str(c) for c in stints["stations"]}
    first = hanam_run.visits[hanam_run.visits["replication"] == 0]
    assert stints["stations"].sum() == len(first) and stints["dispensers"].sum() == first["pumps"].sum()
    assert sorted(stints["team"].unique()) == list(range(1, teams + 1))


def test_break_even_is_a_month_of_the_campaign_year(hanam_run):
    """For the built-in scenario the extra tax pays for the campaign within 2017."""
    month = charts.break_even(hanam_run)
    assert isinstance(month, pd.Timestamp) and month.year == 2017


def test_unusual_runs_still_draw_every_chart_and_say_why(edge_run, tmp_path):
    """Campaign disabled, one replication, nothing sealed: every chart draws (to PNG), and the
    charts that cannot show anything say so in words."""
    name, res = edge_run
    figs = charts.all_charts(res)
    for chart_name, fig in figs.items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=40)
        assert buf.getvalue()[:8] == PNG_MAGIC, chart_name
    progress = _texts(figs["campaign_progress"])
    if name == "campaign_disabled":
        assert "Campaign disabled: no dispensers sealed" in progress
        assert "Campaign disabled" in _texts(figs["team_schedule"])
        assert charts.break_even(res) is None
    elif name == "zero_sealed":
        assert "No dispensers sealed" in progress
        assert "No campaign cost" in _texts(figs["cost_benefit"])
    else:
        assert "no band" in _texts(figs["monthly_tax"])
        assert "100% sealed by" in progress and "Every dispenser is sealed by" in progress


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_small_scenario_without_a_published_figure_draws_every_chart(small, tmp_path, lang):
    """A scenario with no published figure and two districts: every chart draws and writes its table;
    nothing mentions a published figure."""
    import simulator

    res = simulator.run(small({"run.replications": 2}))
    assert res.manifest.get("reference_uplift") is None
    paths = charts.write_charts(res, tmp_path, lang=lang)
    assert len(paths) == 2 * len(charts.CHARTS)
    assert not (charts.chart_data(res, "uplift_distribution")["kind"] == "published").any()
    assert "published" not in _texts(charts.uplift_decomposition(res)).lower()


def test_a_name_with_dollar_signs_is_drawn_as_text_not_read_as_tex(tmp_path):
    """Names come from the planner's files: a district "Quận $\\undefined$" must be drawn as written. Read as
    matplotlib's TeX it failed the run after every replication had been computed (an unknown symbol), and
    a deep one exhausted the recursion limit."""
    from conftest import make_scenario

    odd = "Quận $\\undefinedcommand$ " + "{" * 50
    sc = make_scenario(network={"districts": {odd: 6, "B": 4}, "pumps_per_station": 2})
    res = simulator.run(sc, replications=2, progress=False)
    written = charts.write_charts(res, tmp_path, formats=("png", "svg"))
    svg = (tmp_path / "charts" / "district_breakdown.svg").read_text(encoding="utf-8")
    assert len(written) == 3 * len(charts.CHARTS) and "undefinedcommand" in svg
