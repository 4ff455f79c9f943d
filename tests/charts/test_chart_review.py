"""The visual review's findings, pinned (issue 14): print-size charts readable on A4, month-end totals,
district means that add up, monthly captions that tell the whole year, sales panels in one unit with
legends off the data, schedule bars with gaps on days off, one bin width on a shared axis, fuel names."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib import dates as mdates
from matplotlib.collections import PolyCollection
from matplotlib.text import Text

from simulator import Results, charts
from simulator.i18n import translator
from simulator.numbers import Numbers

PLACED_PT = 6.7 * 72  # the A4 text width a report places a print-size chart at (2 cm margins: about 482 pt)


def _wide(monthly: pd.DataFrame, arm: str, value: str) -> pd.DataFrame:
    m = monthly[monthly["arm"] == arm]
    return m.pivot_table(index="month", columns="replication", values=value, aggfunc="first").sort_index()


def _num(dates) -> np.ndarray:
    return mdates.date2num(pd.DatetimeIndex(pd.to_datetime(pd.Series(dates))).to_numpy(dtype="datetime64[ns]"))


def _copy(res: Results, **tables) -> Results:
    t = {"kpis": res.kpis, "monthly": res.monthly, "districts": res.districts, "visits": res.visits, **tables}
    return Results(t["kpis"], t["monthly"], t["districts"], t["visits"], res.manifest, res.scenario)


def _caption(fig) -> str:
    return next(t.get_text() for t in fig.texts if t.get_text().startswith(("Read:", "Cách đọc:"))).replace("\n", " ")


def smallest_printed_pt(fig, placed_pt: float = PLACED_PT) -> tuple[float, str]:
    """The smallest text on ``fig`` once drawn (ticks, legends, labels, caption), in points as printed when
    the figure is placed ``placed_pt`` wide: its font size × placed width / figure width."""
    fig.draw_without_rendering()
    scale = placed_pt / (fig.get_size_inches()[0] * 72)
    shown = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    smallest = min(shown, key=lambda t: t.get_fontsize())
    return smallest.get_fontsize() * scale, smallest.get_text()


# ---- print size --------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "vi"])
def test_print_size_charts_read_at_8_pt_on_a4(hanam_run, lang):
    """size="print" draws every chart 6.7 in wide whose smallest text (a tick, a legend entry, a number in
    a bar) is at least 8 pt printed at that width; the same charts on screen are 10 in wide and placed at
    6.7 in would print their legends at 6.7 pt — why the report needs the print size."""
    figs = charts.all_charts(hanam_run, lang=lang, size="print")
    assert list(figs) == list(charts.CHARTS)
    for name, fig in figs.items():
        assert fig.get_size_inches()[0] == pytest.approx(charts.PRINT_WIDTH_IN), name
        size, text = smallest_printed_pt(fig)
        assert size >= charts.MIN_PRINT_PT - 1e-9, (name, text, size)
    screen = charts.chart(hanam_run, "uplift_distribution", lang=lang)
    assert screen.get_size_inches()[0] == 10.0
    assert smallest_printed_pt(screen)[0] < 7.0


def test_unusual_runs_draw_at_print_size_too(edge_run):
    """A disabled campaign, one replication, nothing sealed: every chart still draws at print size, in
    Vietnamese, with no missing glyph (warnings are errors) and no text under 8 pt."""
    name, res = edge_run
    for chart, fig in charts.all_charts(res, lang="vi", size="print").items():
        size, text = smallest_printed_pt(fig)
        assert size >= charts.MIN_PRINT_PT - 1e-9, (name, chart, text, size)


def test_print_size_leaves_the_screen_charts_and_the_style_as_they_were(hanam_run, tmp_path):
    """Drawing at print size changes nothing for the next screen chart (the size lives only inside the
    build), write_charts writes screen charts by default, and an unknown size is refused by name."""
    charts.chart(hanam_run, "cost_benefit", size="print")
    fig = charts.chart(hanam_run, "cost_benefit")
    assert tuple(fig.get_size_inches()) == (10.0, 5.6)
    assert fig.get_suptitle() and fig._suptitle.get_fontsize() == 14
    with pytest.raises(ValueError, match="size: expected one of screen, print, got 'poster'"):
        charts.all_charts(hanam_run, size="poster")
    with pytest.raises(ValueError, match="size: expected one of screen, print"):
        charts.write_charts(hanam_run, tmp_path, size="A4")


def test_a_long_title_wraps_on_a_narrow_page_and_stays_whole(hanam_run):
    """A title longer than the print width wraps when drawn, inside the figure; get_suptitle() stays one
    line for the report's list of figures."""
    fig = charts.uplift_distribution(hanam_run, lang="vi", size="print")
    title = fig._suptitle
    assert "\n" not in fig.get_suptitle()
    fig.draw_without_rendering()
    assert "\n" in title._get_wrapped_text()
    box = title.get_window_extent()
    assert box.x1 <= fig.bbox.x1 + 1


# ---- cost against benefit: month ends, and the cost's own band ---------------------------------------

def test_cumulative_points_sit_at_the_end_of_their_month(hanam_run):
    """A total to the end of January is drawn at 1 Feb 00:00 (the end of January), not mid-January: every
    point of both lines sits at its month's end; the break-even ring is on the extra tax's month-end point;
    the cost has its own band entry in the legend."""
    t = charts.chart_data(hanam_run, "cost_benefit")
    ax = charts.cost_benefit(hanam_run).axes[0]
    ends = _num(pd.DatetimeIndex(t["month"]) + pd.offsets.MonthBegin(1))
    assert pd.Timestamp(t["month"].iloc[0]) == pd.Timestamp("2017-01-01")
    assert ends[0] == mdates.date2num(np.datetime64("2017-02-01"))
    for label in ("extra tax (with − without), cumulative, mean", "campaign cost, cumulative, mean"):
        line = next(ln for ln in ax.get_lines() if ln.get_label() == label)
        np.testing.assert_allclose(line.get_xdata(), ends)
    ring = next(ln for ln in ax.get_lines() if ln.get_marker() == "o" and ln.get_markerfacecolor() == "none")
    i = int(np.flatnonzero(t["break_even"])[0])
    assert ring.get_xdata()[0] == ends[i]
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "extra tax: 90% of replications" in legend and "campaign cost: 90% of replications" in legend
    assert "90% of replications (both lines)" not in legend


# ---- districts: means that add up --------------------------------------------------------------------

def test_district_bars_add_up_to_the_provinces_extra_tax(hanam_run):
    """The bars are means, so the districts add up to the province's mean extra tax (the KPI); medians would
    not. Merged into an "others" row, its mean per district × the districts in it still adds up."""
    t = charts.chart_data(hanam_run, "district_breakdown")
    total = hanam_run.kpis["extra_tax"].mean()
    assert t["extra_tax_vnd_mean"].sum() == pytest.approx(total, rel=1e-9)
    d = hanam_run.districts
    many = pd.concat([d.assign(district=d["district"] + f" {i}", extra_tax=d["extra_tax"] * (1 + i))
                      for i in range(5)], ignore_index=True)
    m = charts.chart_data(_copy(hanam_run, districts=many), "district_breakdown")
    assert m["district"].iloc[-1] == "others"
    assert (m["extra_tax_vnd_mean"] * m["districts_in_row"]).sum() == pytest.approx(
        many.groupby("replication")["extra_tax"].sum().mean(), rel=1e-9)
    cap = _caption(charts.district_breakdown(hanam_run))
    assert "bars are means of 4 replications" in cap and "add up to the province's extra tax" in cap


def test_the_district_caption_says_when_the_differences_are_within_the_spread(hanam_run):
    """When every district's 90% range overlaps every other's (the highest 5th percentile is below the
    lowest 95th) in both panels, the caption says the differences are within the spread; ranges made
    apart (one district's extra tax and uplift multiplied by ten) take the sentence away."""
    t = charts.chart_data(hanam_run, "district_breakdown")
    both = all(t[f"{c}_p05"].max() <= t[f"{c}_p95"].min() for c in ("extra_tax_vnd", "uplift_pct"))
    sentence = "the differences between districts are within the spread between replications"
    assert (sentence in _caption(charts.district_breakdown(hanam_run))) == both
    d = hanam_run.districts.copy()
    first = d["district"] == d["district"].iloc[0]
    d.loc[first, "extra_tax"] *= 10
    d.loc[first, "tax_with"] = d.loc[first, "tax_without"] + 10 * (d.loc[first, "tax_with"]
                                                                   - d.loc[first, "tax_without"])
    apart = _caption(charts.district_breakdown(_copy(hanam_run, districts=d)))
    assert sentence not in apart and "whiskers all overlap" not in apart


# ---- monthly tax: the year in words ------------------------------------------------------------------

def test_the_monthly_tax_caption_gives_the_range_the_growth_and_the_first_month(hanam_run):
    """Computed here from the monthly table: the median extra tax in the months that start with every
    dispenser sealed, its lowest and highest (to two significant figures, with their months); the growth
    sentence (households moved onto declaration are most of the extra tax and December is well above
    March); January 2017's value below zero with its cause (metrology alone lowers that month's tax)."""
    m = hanam_run.monthly
    extra = (_wide(m, "with", "tax") - _wide(m, "without", "tax")).median(axis=1)
    sealed = _wide(m, "with", "pumps_sealed").median(axis=1)
    full = (sealed >= hanam_run.kpis["pumps"].median()).shift(1, fill_value=False)
    months = extra[full]
    assert months.index[0] == pd.Timestamp("2017-03-01")  # sealing ends in February
    nf = Numbers("en")
    low, high = months.idxmin(), months.idxmax()
    cap = _caption(charts.monthly_tax(hanam_run))
    expected = (f"Once every dispenser is sealed it is between about {nf.vnd(float(f'{months.min():.2g}'))} "
                f"({nf.month(low)}) and about {nf.vnd(float(f'{months.max():.2g}'))} ({nf.month(high)}) a month "
                "(medians).")
    assert expected in cap
    k = hanam_run.kpis
    assert k["extra_tax_regime_switch"].mean() > 0.5 * k["extra_tax"].mean() and months.iloc[-1] > 1.25 * months.iloc[0]
    assert "It grows through the year: households moved from a lump sum onto declaration" in cap
    assert "fixed for 12 months" in cap
    jan = extra[pd.Timestamp("2017-01-01")]
    metrology = (_wide(m, "with", "tax_metrology_only") - _wide(m, "without", "tax_metrology_only")).median(axis=1)
    assert jan < 0 and metrology[pd.Timestamp("2017-01-01")] < 0
    assert f"In Jan 2017 it is below zero ({nf.vnd(float(f'{jan:.2g}'))}): dispensers that short-deliver" in cap
    assert re.search(r"−\d", cap)  # a true minus sign
    vi = _caption(charts.monthly_tax(hanam_run, lang="vi"))
    assert "tháng 1/2017" in vi and "It grows" not in vi


def test_without_the_metrology_columns_a_negative_month_is_only_stated(hanam_run):
    """An older run folder without the metrology-only tax: the first month's value is stated, no cause
    invented; with no regime switch the growth sentence goes."""
    m = hanam_run.monthly.drop(columns=["tax_metrology_only"])
    k = hanam_run.kpis.drop(columns=["extra_tax_regime_switch"])
    cap = _caption(charts.monthly_tax(_copy(hanam_run, monthly=m, kpis=k)))
    assert "In Jan 2017 it is below zero" in cap and "while the sealing has only begun." in cap
    assert "short-deliver" not in cap and "It grows" not in cap


# ---- monthly sales: one unit, a scale that shows the gap, legends off the data -----------------------

def _spans(ax, x, series) -> list[tuple[float, float, float]]:
    """(display x, lowest, highest display y) of each series at each x (a line: one value; a band: two)."""
    out = []
    for s in series:
        lo, hi = (s, s) if not isinstance(s, tuple) else s
        for xi, a, b in zip(x, lo, hi, strict=True):
            if np.isfinite(a) and np.isfinite(b):
                (px, ya), (_px, yb) = ax.transData.transform([(xi, a), (xi, b)])
                out.append((px, min(ya, yb), max(ya, yb)))
    return out


def _covers(legend, spans) -> list:
    box = legend.get_window_extent()
    return [s for s in spans if box.x0 <= s[0] <= box.x1 and s[1] <= box.y1 and s[2] >= box.y0]


@pytest.mark.parametrize(("lang", "size"), [("en", "screen"), ("vi", "print")])
def test_monthly_sales_panels_share_a_unit_and_their_legends_cover_no_data(hanam_run, lang, size):
    """Both panels count litres in the same unit; the upper one does not start at zero (the sold/declared
    gap is a few percent) and says so; neither legend covers a line's point or a band at any month."""
    fig = charts.monthly_sales(hanam_run, lang=lang, size=size)
    ax, bx = fig.axes
    unit = re.search(r"\(([^)]*)\)\s*$", ax.get_ylabel()).group(1)
    assert bx.get_ylabel().replace("\n", " ").endswith(f"({unit})")
    assert ax.get_ylim()[0] > 0
    _ = translator(lang)
    assert _("The upper scale does not start at zero, so that the gap between sold and declared shows.") in \
        _caption(fig)
    t = charts.chart_data(hanam_run, "monthly_sales")
    x = (_num(t["month"]) + _num(pd.DatetimeIndex(t["month"]) + pd.offsets.MonthBegin(1))) / 2
    fig.draw_without_rendering()
    top = _spans(ax, x, [t[c].to_numpy(float) for c in ("true_sales_litres_p50", "declared_with_litres_p50",
                                                         "declared_without_litres_p50")])
    assert not _covers(ax.get_legend(), top)
    bands = [tuple(t[f"undeclared_{arm}_litres_{q}"].to_numpy(float) for q in ("p05", "p95"))
             for arm in ("with", "without")]
    assert not _covers(bx.get_legend(), _spans(bx, x, bands))


def test_overlapping_bands_show_the_one_on_top_not_a_grey_mixture(hanam_run):
    """In the lower panels of monthly tax and monthly sales the two arms' bands are opaque tints (alpha 1):
    where they overlap the blue one shows, not a grey blend of blue and orange."""
    for name in ("monthly_tax", "monthly_sales"):
        bx = charts.chart(hanam_run, name).axes[1]
        bands = [c for c in bx.collections if isinstance(c, PolyCollection)]
        assert len(bands) == 2, name
        for band in bands:
            rgba = band.get_facecolor()[0]
            assert rgba[3] == 1.0 and min(rgba[:3]) > 0.6, name  # light, and not see-through


# ---- campaign progress and team schedule -------------------------------------------------------------

def test_the_progress_caption_counts_the_days_to_its_own_date(hanam_run):
    """"by 24 Feb 2017, 52 days after the campaign starts": the day count is the date's distance from the
    start (3 Jan 2017 + 52 days = 24 Feb 2017), one statistic for both."""
    cap = _caption(charts.campaign_progress(hanam_run))
    found = re.search(r"by (\d+ \w+ \d{4}), (\d+) days after the campaign starts", cap)
    assert found
    date = pd.Timestamp(found.group(1))
    assert (date - pd.Timestamp("2017-01-03")).days == int(found.group(2))
    t = charts.chart_data(hanam_run, "campaign_progress")
    assert pd.Timestamp(t.loc[t["share_sealed_pct_p50"] >= 100 - 1e-9, "date"].iloc[0]) == date


def test_schedule_bars_leave_a_gap_on_every_day_off_and_name_the_first_replication(hanam_run):
    """No piece of a team's bar covers a weekend or a holiday (the bar has a gap there, so no colour is
    faded into another's); every stint's working days are drawn; the title says "first replication", not
    "replication 0"; every number sits on its own bar."""
    fig = charts.team_schedule(hanam_run)
    ax = fig.axes[0]
    assert fig.get_suptitle() == "Team schedule: where each team works (first replication)"
    assert translator("vi")("Team schedule: where each team works (first replication)") in \
        charts.team_schedule(hanam_run, lang="vi").get_suptitle()
    pieces = [p.vertices for c in ax.collections if isinstance(c, PolyCollection) for p in c.get_paths()]
    days = pd.date_range("2017-01-01", "2017-03-31", freq="D")
    work = charts.campaign.working_days(hanam_run, days)
    off = _num(days[~work])
    for v in pieces:
        a, b = float(v[:, 0].min()), float(v[:, 0].max())
        assert not [d for d in off if d < b - 1e-9 and d + 1 > a + 1e-9], (a, b)
    stints = charts.chart_data(hanam_run, "team_schedule")
    drawn = sum(float(v[:, 0].max() - v[:, 0].min()) for v in pieces)
    starts, ends = _num(stints["start"]), _num(stints["end"])
    on_work = sum(sum(min(e, d + 1) - max(s, d) for d in _num(days[work]) if d < e and d + 1 > s)
                  for s, e in zip(starts, ends, strict=True))
    assert drawn == pytest.approx(on_work)
    for label in (t for t in ax.texts if t.get_text().isdigit()):
        x, y = label.get_position()
        assert any(v[:, 0].min() <= x <= v[:, 0].max() and v[:, 1].min() <= y <= v[:, 1].max() for v in pieces)


# ---- uplift histograms: one bin width -----------------------------------------------------------------

def test_histograms_on_a_shared_axis_share_one_round_bin_width():
    """Freedman–Diaconis widths of about 0.2 and 0.75 (ten bins over ranges of 2 and 7.5 points) give one
    width for both, the round number nearest their geometric mean (0.39 → 0.5), with edges at its
    multiples; a width that would need more than 40 bins for the wider series is widened."""
    uplift = charts.uplift
    narrow = np.linspace(15.6, 17.6, 41)
    wide = np.linspace(9.0, 16.5, 41)
    w = uplift.shared_bin_width([narrow, wide])
    assert w == 0.5
    np.testing.assert_allclose(uplift.aligned_edges(narrow, w), [15.5, 16.0, 16.5, 17.0, 17.5, 18.0])
    assert uplift.aligned_edges(wide, w)[0] == 9.0 and uplift.aligned_edges(wide, w)[-1] == 16.5
    assert uplift.shared_bin_width([np.array([3.0, 3.0])]) is None
    huge = np.concatenate([np.linspace(0, 1, 200), [100.0]])
    assert (100.0 / uplift.shared_bin_width([huge, narrow])) <= 40
    assert [uplift._nice(x) for x in (0.39, 0.3, 0.14, 7.0)] == [0.5, 0.25, 0.1, 5.0]


# ---- fuel names ----------------------------------------------------------------------------------------

def test_fuels_read_by_their_plain_names():
    """A fuel key reads as its name in either language; an unknown key stays itself; case, hyphens and
    underscores do not matter."""
    assert [charts.fuel_name(k) for k in ("ron92", "e5", "diesel")] == ["RON 92 petrol", "E5 petrol", "diesel"]
    assert [charts.fuel_name(k, "vi") for k in ("ron92", "E5", "Diesel")] == ["xăng RON 92", "xăng E5", "dầu diesel"]
    assert charts.fuel_name("RON-92", "vi") == "xăng RON 92"
    assert charts.fuel_name("kerosene", "vi") == "kerosene"
