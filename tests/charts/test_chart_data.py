"""Each chart's table (``chart_data``, written as ``charts/<name>.csv``) holds exactly what the chart draws,
its arithmetic adds up, and the daily progress is counted as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario
from matplotlib import dates as mdates
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer
from matplotlib.patches import Rectangle

from simulator import Results, charts


def _wide(monthly: pd.DataFrame, arm: str, value: str) -> pd.DataFrame:
    """Month × replication table of one field of one arm, months in order."""
    m = monthly[monthly["arm"] == arm]
    return m.pivot_table(index="month", columns="replication", values=value, aggfunc="first").sort_index()


def _num(dates) -> np.ndarray:
    return mdates.date2num(pd.DatetimeIndex(pd.to_datetime(pd.Series(dates))).to_numpy(dtype="datetime64[ns]"))


def _bars(ax) -> list[Rectangle]:
    return [p for c in ax.containers if isinstance(c, BarContainer) for p in c]


def _copy(res: Results, **tables) -> Results:
    t = {"kpis": res.kpis, "monthly": res.monthly, "districts": res.districts, "visits": res.visits, **tables}
    return Results(t["kpis"], t["monthly"], t["districts"], t["visits"], res.manifest, res.scenario)


def test_csv_on_disk_is_the_chart_table(hanam_run, tmp_path):
    """write_charts writes chart_data(results, name) for every chart, UTF-8, numbers unchanged."""
    written = charts.write_charts(hanam_run, tmp_path, formats=(), lang="vi")
    assert sorted(p.name for p in written) == sorted(f"{n}.csv" for n in charts.CHARTS)
    for name in charts.CHARTS:
        disk = pd.read_csv(tmp_path / "charts" / f"{name}.csv", encoding="utf-8")
        table = charts.chart_data(hanam_run, name)
        assert list(disk.columns) == list(table.columns), name
        assert len(disk) == len(table), name
        for c in table.columns:
            if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c]):
                np.testing.assert_allclose(disk[c].to_numpy(float), table[c].to_numpy(float), rtol=1e-12,
                                           err_msg=f"{name}.{c}")
    # Vietnamese district names survive the round trip
    assert "Phủ Lý" in set(pd.read_csv(tmp_path / "charts" / "district_breakdown.csv")["district"])
    with pytest.raises(ValueError, match="chart: expected one of"):
        charts.chart_data(hanam_run, "pie")


def test_waterfall_bars_are_the_table_and_add_up(hanam_run):
    """The waterfall's bars are the table's steps (bottoms and heights), the steps add up to the total
    bar, the published figure is a marker at its value beside the total, and the bridge adds up: uplift
    against no campaign + base effect = the campaign's part = every step but the trend. Replication by
    replication the base effect is uplift × trend, as the caption says."""
    t = charts.chart_data(hanam_run, "uplift_decomposition")
    fig = charts.uplift_decomposition(hanam_run)
    left, right = fig.axes[0], fig.axes[1]
    steps = t[(t["panel"] == "before_after") & (t["item"] != "published")]
    assert list(steps["item"]) == ["trend", "moved_onto_declaration", "compliance", "metrology", "total"]
    bars = _bars(left)
    np.testing.assert_allclose([b.get_y() for b in bars], steps["start_pct"])
    np.testing.assert_allclose([b.get_height() for b in bars], steps["change_pct"])
    parts = steps[steps["item"] != "total"]
    total = steps[steps["item"] == "total"].iloc[0]
    assert parts["change_pct"].sum() == pytest.approx(total["change_pct"], rel=1e-9)
    assert parts["end_pct"].iloc[-1] == pytest.approx(total["end_pct"], rel=1e-9)
    np.testing.assert_allclose(parts["start_pct"].to_numpy()[1:], parts["end_pct"].to_numpy()[:-1])
    k = hanam_run.kpis
    assert total["change_pct"] == pytest.approx(100 * k["uplift_before_after"].mean(), rel=1e-9)
    published = t[t["item"] == "published"].iloc[0]["end_pct"]
    assert published == pytest.approx(16.5)
    diamond = next(ln for ln in left.get_lines() if ln.get_marker() == "D")
    assert list(diamond.get_ydata()) == [pytest.approx(16.5)]
    assert diamond.get_xdata()[0] > len(steps) - 1 + 0.31  # beside the total bar, not on it
    assert not [ln for ln in left.get_lines() if len(ln.get_xdata()) == 2 and ln.get_xdata()[0] < 0]  # no axhline

    b = t[t["panel"] == "bridge"].set_index("item")
    assert list(b.index) == ["against_no_campaign", "base_effect", "campaign_part"]
    np.testing.assert_allclose([r.get_height() for r in _bars(right)], b["change_pct"])
    assert b.loc["against_no_campaign", "change_pct"] + b.loc["base_effect", "change_pct"] == pytest.approx(
        b.loc["campaign_part", "change_pct"], rel=1e-9)
    assert b.loc["campaign_part", "change_pct"] == pytest.approx(
        parts.loc[parts["item"] != "trend", "change_pct"].sum(), rel=1e-9)
    assert b.loc["against_no_campaign", "change_pct"] == pytest.approx(100 * k["uplift"].mean(), rel=1e-9)
    campaign = k["uplift_compliance"] + k["uplift_metrology"]
    np.testing.assert_allclose(campaign - k["uplift"], k["uplift"] * k["uplift_growth"], rtol=1e-6)


def test_waterfall_labels_each_step_on_its_own_bar_with_enough_digits(hanam_run):
    """Every step's label sits at its bar's x; a small step keeps two significant decimals (−0.05%, not
    −0.0% or 0.0%), a larger one one decimal, with a true minus sign."""
    k = hanam_run.kpis.copy()
    k["uplift_compliance"] = k["uplift_compliance"] + k["uplift_metrology"] + 0.0005
    k["uplift_metrology"] = -0.0005
    k["uplift_before_after"] = k[["uplift_growth", "uplift_compliance", "uplift_metrology"]].sum(axis=1) + (
        k["extra_tax_regime_switch"] * 0)
    res = _copy(hanam_run, kpis=k)
    fig = charts.uplift_decomposition(res)
    ax = fig.axes[0]
    labels = {round(t.get_position()[0], 6): t.get_text() for t in ax.texts}
    assert sorted(labels) == [0, 1, 2, 3, 4]
    assert labels[3] == "−0.05%"
    t = charts.chart_data(res, "uplift_decomposition")
    trend = t.loc[t["item"] == "trend", "change_pct"].iloc[0]
    assert labels[0] == charts.numbers.signed_pct(trend / 100, 1)  # "+2.9%" and the like


def test_progress_line_and_band_are_the_table(hanam_run):
    """The progress step line is the table's median at the table's dates; the band spans its 5th–95th
    percentiles; the table is daily, in percent, never falling."""
    t = charts.chart_data(hanam_run, "campaign_progress")
    assert list(t.columns) == ["date", "share_sealed_pct_p05", "share_sealed_pct_p50", "share_sealed_pct_p95"]
    assert (pd.to_datetime(t["date"]).diff().dropna() == pd.Timedelta(days=1)).all()
    assert pd.Timestamp(t["date"].iloc[0]) == pd.Timestamp("2017-01-02")  # the day before the start: 0
    ax = charts.campaign_progress(hanam_run).axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("median"))
    np.testing.assert_allclose(line.get_xdata(), _num(t["date"]))
    np.testing.assert_allclose(line.get_ydata(), t["share_sealed_pct_p50"])
    band = next(c for c in ax.collections if c.get_label() == "90% of replications")
    ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
    assert ys.min() == pytest.approx(t["share_sealed_pct_p05"].min())
    assert ys.max() == pytest.approx(t["share_sealed_pct_p95"].max())
    for c in t.columns[1:]:
        assert (np.diff(t[c].to_numpy(float)) >= -1e-9).all(), c
    assert (t["share_sealed_pct_p05"] <= t["share_sealed_pct_p50"] + 1e-9).all()


def test_cost_benefit_lines_are_the_table_and_the_table_the_monthly_sums(hanam_run):
    """The cost chart's lines are the table's means; those are the cumulative sums of the monthly table
    from the campaign month; the break-even row is charts.break_even's month, shaded on the chart."""
    t = charts.chart_data(hanam_run, "cost_benefit")
    ax = charts.cost_benefit(hanam_run).axes[0]
    extra = next(ln for ln in ax.get_lines() if ln.get_label().startswith("extra tax"))
    cost = next(ln for ln in ax.get_lines() if ln.get_label().startswith("campaign cost"))
    np.testing.assert_allclose(extra.get_ydata(), t["cumulative_extra_tax_vnd_mean"])
    np.testing.assert_allclose(cost.get_ydata(), t["cumulative_cost_vnd_mean"])
    m = hanam_run.monthly
    m = m[m["month"] >= pd.Timestamp("2017-01-01")]
    w = _wide(m, "with", "tax")
    wo = _wide(m, "without", "tax")
    c = _wide(m, "with", "cost")
    np.testing.assert_allclose(t["cumulative_extra_tax_vnd_mean"], (w - wo).cumsum().mean(axis=1))
    np.testing.assert_allclose(t["cumulative_cost_vnd_p95"], c.cumsum().quantile(0.95, axis=1))
    assert (t["cumulative_cost_vnd_p05"] <= t["cumulative_cost_vnd_mean"] + 1e-6).all()
    month = charts.break_even(hanam_run)
    assert t.loc[t["break_even"], "month"].tolist() == [month.date()]
    span = next(p for p in ax.patches if p.get_label().startswith("pays for itself in "))
    assert span.get_label() == f"pays for itself in {month:%b %Y} (means)"


def test_distribution_bars_and_markers_are_the_table(hanam_run):
    """The histogram bars are the table's bins (edges and counts, which sum to the replications), the mean
    lines its means, the shaded ranges its 5th–95th percentiles, the published marker its value; the two
    histograms share one bin width (they share the axis), with edges at its multiples, at most 40 bins."""
    t = charts.chart_data(hanam_run, "uplift_distribution")
    fig = charts.uplift_distribution(hanam_run)
    for ax, series, kpi in ((fig.axes[0], "before_after", "uplift_before_after"), (fig.axes[1], "causal", "uplift")):
        b = t[(t["series"] == series) & (t["kind"] == "bin")]
        assert 1 <= len(b) <= 40
        assert b["replications"].sum() == hanam_run.replications
        bars = _bars(ax)
        np.testing.assert_allclose([r.get_x() for r in bars], b["bin_start_pct"])
        np.testing.assert_allclose([r.get_x() + r.get_width() for r in bars], b["bin_end_pct"])
        np.testing.assert_allclose([r.get_height() for r in bars], b["replications"].astype(float))
        value = t[(t["series"] == series)].set_index("kind")["value_pct"]
        assert value["mean"] == pytest.approx(100 * hanam_run.kpis[kpi].mean())
        mean = next(c for c in ax.collections if c.get_label().startswith("mean: "))
        assert mean.get_segments()[0][0][0] == pytest.approx(value["mean"])
        shade = next(p for p in ax.patches if p.get_label().startswith("90% of replications"))
        assert shade.get_x() == pytest.approx(value["p05"])
        assert shade.get_x() + shade.get_width() == pytest.approx(value["p95"])
    bins = t[t["kind"] == "bin"]
    widths = (bins["bin_end_pct"] - bins["bin_start_pct"]).to_numpy(float)
    np.testing.assert_allclose(widths, widths[0])
    np.testing.assert_allclose(bins["bin_start_pct"] / widths[0], np.round(bins["bin_start_pct"] / widths[0]),
                               atol=1e-9)
    marker = next(ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("published figure"))
    assert marker.get_xdata()[0] == pytest.approx(t.loc[t["kind"] == "published", "value_pct"].iloc[0]) == 16.5


def test_bin_edges_are_freedman_diaconis_bounded_to_10_to_40_bins():
    """numpy's Freedman–Diaconis bins when they number 10–40; else as many equal bins as the bound allows."""
    rng = np.random.default_rng(1)
    d = rng.normal(size=400)
    assert np.array_equal(charts.uplift.bin_edges(d), np.histogram_bin_edges(d, bins="fd"))
    assert len(charts.uplift.bin_edges(np.array([0.0, 1.0, 1.1, 1.2]))) - 1 == 10
    wide = np.concatenate([rng.normal(size=5000), [100.0]])
    assert len(charts.uplift.bin_edges(wide)) - 1 == 40
    np.testing.assert_allclose(charts.uplift.bin_edges(np.array([3.0, 3.0])), [2.95, 3.05])


def test_district_rows_are_sorted_and_the_bars_are_the_table(hanam_run):
    """Districts come largest mean extra tax first; both panels draw the table's means in that order (means,
    so that the districts add up to the province: see test_district_bars_add_up_to_the_provinces_extra_tax);
    the uplift is (tax with − tax without) / tax without, replication by replication."""
    t = charts.chart_data(hanam_run, "district_breakdown")
    assert (np.diff(t["extra_tax_vnd_mean"].to_numpy(float)) <= 0).all()
    assert set(t["district"]) == set(hanam_run.districts["district"])
    fig = charts.district_breakdown(hanam_run)
    np.testing.assert_allclose([r.get_width() for r in _bars(fig.axes[0])], t["extra_tax_vnd_mean"])
    np.testing.assert_allclose([r.get_width() for r in _bars(fig.axes[1])], t["uplift_pct_mean"])
    assert [x.get_text() for x in fig.axes[0].get_yticklabels()] == list(t["district"])
    d = hanam_run.districts
    one = d[d["district"] == t["district"].iloc[0]]
    assert t["uplift_pct_p50"].iloc[0] == pytest.approx(
        (100 * (one["tax_with"] - one["tax_without"]) / one["tax_without"]).median())
    assert t["uplift_pct_mean"].iloc[0] == pytest.approx(
        (100 * (one["tax_with"] - one["tax_without"]) / one["tax_without"]).mean())
    assert (t["dispensers_sealed_pct_p50"] == 100).all()  # every district sealed: no "(…% sealed)" labels


def test_district_table_merges_the_smallest_into_one_last_row(hanam_run):
    """Beyond 24 districts the 23 largest stay, sorted, and the rest become one last row ``others``."""
    d = hanam_run.districts
    many = pd.concat([d.assign(district=d["district"] + f" {i}", extra_tax=d["extra_tax"] * (1 + i))
                      for i in range(5)], ignore_index=True)
    t = charts.chart_data(_copy(hanam_run, districts=many), "district_breakdown")
    assert len(t) == 24 and t["district"].iloc[-1] == "others" and t["districts_in_row"].iloc[-1] == 30 - 23
    assert (np.diff(t["extra_tax_vnd_mean"].to_numpy(float)[:-1]) <= 0).all()
    fig = charts.district_breakdown(_copy(hanam_run, districts=many))
    assert fig.axes[0].get_yticklabels()[-1].get_text() == "average of 7 others"


def test_old_run_folders_without_new_columns_still_draw(hanam_run):
    """A run without payback_months or the districts' tax columns: the charts draw and say less."""
    k = hanam_run.kpis.drop(columns=[c for c in ("payback_months", "net_benefit") if c in hanam_run.kpis])
    d = hanam_run.districts.drop(columns=["tax_with", "tax_without"])
    res = _copy(hanam_run, kpis=k, districts=d)
    assert "pays for itself within" not in " ".join(t.get_text() for t in charts.cost_benefit(res).texts)
    assert charts.chart_data(res, "district_breakdown")["uplift_pct_p50"].isna().all()
    charts.district_breakdown(res)


def test_monthly_tax_table_is_paired(hanam_run):
    """monthly_tax's extra tax is the quantile of the per-replication difference, month by month."""
    t = charts.chart_data(hanam_run, "monthly_tax")
    m = hanam_run.monthly
    w = _wide(m, "with", "tax")
    wo = _wide(m, "without", "tax")
    np.testing.assert_allclose(t["extra_tax_vnd_p05"], (w - wo).quantile(0.05, axis=1))
    np.testing.assert_allclose(t["tax_without_vnd_p95"], wo.quantile(0.95, axis=1))
    assert [str(x) for x in t["month"][:2]] == ["2016-01-01", "2016-02-01"]
    s = charts.chart_data(hanam_run, "monthly_sales")
    tl = _wide(m, "with", "true_litres")
    dl = _wide(m, "without", "declared_litres")
    np.testing.assert_allclose(s["undeclared_without_litres_p50"], (tl - dl).median(axis=1))


# ---- daily progress: visit by visit, or spread over working days ---------------------------------

SLOW = {"campaign.start": "2017-01-23", "campaign.minutes_per_pump": 240.0, "campaign.holidays": ["2017-01-27",
                                                                                                   "2017-01-30"],
        "run.replications": 2}


def _slow(visit_log: str) -> Results:
    import datetime as dt

    import simulator

    sc = make_scenario({**SLOW, "run.visit_log": visit_log,
                        "campaign.holidays": [dt.date.fromisoformat(d) for d in SLOW["campaign.holidays"]]})
    return simulator.run(sc)


def test_progress_counts_every_visit_when_every_replication_is_logged():
    """With run.visit_log = "all", the share by the end of each day is the dispensers of the visits that
    ended before that midnight, over all dispensers, replication by replication."""
    res = _slow("all")
    t = charts.chart_data(res, "campaign_progress")
    assert t.attrs["from_visits"]
    v = res.visits
    per_rep = []
    for r in range(res.replications):
        vr = v[(v["replication"] == r) & (v["kind"] == "first")]
        per_rep.append([100 * vr.loc[vr["end"] < pd.Timestamp(d) + pd.Timedelta(days=1), "pumps"].sum() / 20
                        for d in t["date"]])
    np.testing.assert_allclose(t["share_sealed_pct_p50"], np.median(per_rep, axis=0))
    np.testing.assert_allclose(t["share_sealed_pct_p05"], np.quantile(per_rep, 0.05, axis=0))


def test_progress_spreads_month_end_counts_over_working_days_without_a_log():
    """Without visit logs, each replication's count meets its month-end count exactly, stays flat over
    weekends and holidays, and reaches every dispenser on the day of the last seal."""
    res = _slow("none")
    t = charts.chart_data(res, "campaign_progress").set_index("date")
    assert not t.attrs["from_visits"]
    one = _copy(res, kpis=res.kpis[res.kpis["replication"] == 0],
                monthly=res.monthly[res.monthly["replication"] == 0])
    s = charts.chart_data(one, "campaign_progress").set_index("date")["share_sealed_pct_p50"]
    s.index = pd.to_datetime(s.index)
    m = res.monthly
    jan = m[(m["arm"] == "with") & (m["replication"] == 0) & (m["month"] == pd.Timestamp("2017-01-01"))]
    assert 0 < s["2017-01-31"] < 100
    assert s["2017-01-31"] == pytest.approx(100 * jan["pumps_sealed"].iloc[0] / 20)
    # Friday 27 Jan holiday, weekend, Monday 30 Jan holiday: no work from the 27th to the 30th
    assert s["2017-01-26"] == s["2017-01-27"] == s["2017-01-28"] == s["2017-01-29"] == s["2017-01-30"]
    assert s["2017-01-31"] > s["2017-01-30"]
    done = pd.Timestamp("2017-01-23") + pd.Timedelta(days=float(res.kpis["completion_days"].iloc[0]))
    assert s[done.normalize()] == 100 and s[done.normalize() - pd.Timedelta(days=1)] < 100
    assert s.iloc[0] == 0
    # the chart draws only the table
    ax = charts.campaign_progress(one).axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "1 replication, so no band")
    np.testing.assert_allclose(line.get_ydata(), s.to_numpy())
    assert not [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_label() == "90% of replications"]
