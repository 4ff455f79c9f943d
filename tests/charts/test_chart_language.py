"""Charts in the reader's language: every word through the catalogue, numbers and dates through Babel,
one date convention, a font that has every Vietnamese glyph."""

from __future__ import annotations

import datetime as dt
import io
import re
import string
import warnings

import numpy as np
from babel.messages.pofile import read_po
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.text import Text

from simulator import Results, charts
from simulator.charts.numbers import DateTickFormatter, month_interval, pct_digits
from simulator.i18n import LOCALE_DIR

VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýĩũ")


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _english_fragments() -> list[str]:
    """The English words of every chart message whose Vietnamese differs, cut at the placeholders."""
    with (LOCALE_DIR / "vi" / "charts.po").open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    out = set()
    for m in catalog:
        if not m.id or m.string == m.id:
            continue
        for literal, *_ in string.Formatter().parse(m.id):
            frag = literal.strip(" ;:,.()\n")
            if len(re.findall(r"[A-Za-z]", frag)) >= 3:
                out.add(frag)
    return sorted(out)


def _with_lang(res: Results, lang: str) -> Results:
    sc = res.scenario.model_copy(update={"run": res.scenario.run.model_copy(update={"lang": lang})})
    return Results(res.kpis, res.monthly, res.districts, res.visits, res.manifest, sc)


def test_the_catalogue_fragments_are_found_in_english_charts(hanam_run):
    """The check below can fail: the English charts do show the catalogue's English."""
    text = "\n".join(t for fig in charts.all_charts(hanam_run, lang="en").values() for t in _texts(fig))
    found = [f for f in _english_fragments() if re.search(r"(?<![A-Za-z])" + re.escape(f) + r"(?![A-Za-z])", text)]
    assert len(found) > 40


def _no_english(figs: dict) -> None:
    fragments = _english_fragments()
    for name, fig in figs.items():
        text = "\n".join(_texts(fig))
        left = [f for f in fragments if re.search(r"(?<![A-Za-z])" + re.escape(f) + r"(?![A-Za-z])", text)]
        assert not left, (name, left[:5])
        assert VIETNAMESE & set(fig.get_suptitle().lower()), name
        caption = next(t.get_text() for t in fig.texts if t.get_text().startswith("Cách đọc:"))
        assert VIETNAMESE & set(caption.lower()[len("Cách đọc:"):]), name


def test_vietnamese_charts_hold_no_english_words(hanam_run):
    """In Vietnamese, no title, caption, axis label, tick label, legend entry or note carries a chart
    message's English, and every title and caption has Vietnamese letters."""
    _no_english(charts.all_charts(hanam_run, lang="vi"))


def test_unusual_runs_in_vietnamese_hold_no_english_and_every_glyph(edge_run):
    """The same on the unusual runs (their notes included), and they draw without a missing glyph."""
    figs = charts.all_charts(edge_run[1], lang="vi")
    _no_english(figs)
    for fig in figs.values():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(io.BytesIO(), format="png", dpi=30)


def test_vietnamese_money_axes_say_ty_or_trieu_dong(hanam_run):
    """Money axes name their unit in Vietnamese (tỷ đồng / triệu đồng), litres in lít; no "VND" anywhere."""
    for name in ("monthly_tax", "district_breakdown", "cost_benefit"):
        fig = charts.chart(hanam_run, name, lang="vi")
        labels = " ".join(ax.get_ylabel() + " " + ax.get_xlabel() for ax in fig.axes)
        assert re.search(r"\((tỷ|triệu) đồng\)", labels), name
        assert "VND" not in "\n".join(_texts(fig)), name
    sales = charts.chart(hanam_run, "monthly_sales", lang="vi")
    assert re.search(r"\((triệu|nghìn) lít\)", sales.axes[0].get_ylabel())


def test_every_chart_draws_in_vietnamese_with_every_glyph(hanam_run):
    """Drawing every chart in Vietnamese raises no warning (a missing glyph would), in the house font."""
    assert charts.STYLE["font.family"] == "DejaVu Sans"
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    assert path.endswith("DejaVuSans.ttf")
    for fig in charts.all_charts(hanam_run, lang="vi").values():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(io.BytesIO(), format="png", dpi=40)


def test_number_style_is_the_older_name_of_lang_and_run_lang_the_default(hanam_run):
    """number_style="vi" draws what lang="vi" draws; lang wins over number_style; without either, the
    run's run.lang; write_charts and all_charts take both."""
    a = _texts(charts.cost_benefit(hanam_run, number_style="vi"))
    assert a == _texts(charts.cost_benefit(hanam_run, lang="vi"))
    assert _texts(charts.cost_benefit(hanam_run, lang="en", number_style="vi")) == _texts(
        charts.cost_benefit(hanam_run))
    assert "Tháng" in a and "Month" not in a
    vi_run = _with_lang(hanam_run, "vi")
    assert _texts(charts.cost_benefit(vi_run)) == a
    assert _texts(charts.cost_benefit(vi_run, lang="en")) == _texts(charts.cost_benefit(hanam_run))
    figs = charts.all_charts(hanam_run, number_style="vi", names=["uplift_decomposition"])
    assert figs["uplift_decomposition"].get_suptitle().startswith("Mức tăng thu thuế")
    assert charts.resolve_lang(None) == "en"


def test_month_and_day_ticks_follow_one_convention():
    """Month ticks: "Jan 2017", "Feb", … / "1/2017", "2/2017"; day ticks: "3 Jan 2017", "16 Jan" /
    "03/01/2017", "16/01" (the full form on the first tick and where the year changes)."""
    months = mdates.date2num([dt.date(2016, 11, 1), dt.date(2016, 12, 1), dt.date(2017, 1, 1), dt.date(2017, 2, 1)])
    assert DateTickFormatter("en", "month").format_ticks(months) == ["Nov 2016", "Dec", "Jan 2017", "Feb"]
    assert DateTickFormatter("vi", "month").format_ticks(months) == ["11/2016", "12/2016", "1/2017", "2/2017"]
    days = mdates.date2num([dt.date(2017, 1, 3), dt.date(2017, 1, 16), dt.date(2017, 2, 1)])
    assert DateTickFormatter("en", "day").format_ticks(days) == ["3 Jan 2017", "16 Jan", "1 Feb"]
    assert DateTickFormatter("vi", "day").format_ticks(days) == ["03/01/2017", "16/01", "01/02"]
    assert [month_interval(n) for n in (12, 13, 24, 36, 60, 240)] == [1, 2, 2, 3, 6, 24]


def test_every_month_axis_uses_the_month_ticks(hanam_run):
    """The monthly charts and the cost chart label their month ticks the same way, in both languages."""
    pattern = {"en": r"^[A-Z][a-z]{2}( \d{4})?$", "vi": r"^\d{1,2}/\d{4}$"}
    for lang, rx in pattern.items():
        for name in ("monthly_tax", "monthly_sales", "cost_benefit"):
            fig = charts.chart(hanam_run, name, lang=lang)
            fig.canvas.draw()
            ticks = [t.get_text() for t in fig.axes[-1].get_xticklabels() if t.get_text()]
            assert ticks and all(re.match(rx, t) for t in ticks), (lang, name, ticks)


def test_percent_digits_keep_small_steps_from_reading_zero():
    """One decimal from 1% up, two below, three below 0.01%; the label has a true minus sign."""
    assert [pct_digits(x) for x in (0.165, 0.04, 0.01, 0.0042, 0.0005, 0.00004, 0.0)] == [1, 1, 1, 2, 2, 3, 1]
    assert charts.uplift._signed(charts.uplift.Numbers("vi"), -0.05) == "−0,05%"
    assert charts.uplift._signed(charts.uplift.Numbers("en"), 4.04) == "+4.0%"


def test_tick_numbers_have_a_true_minus_sign():
    fmt = charts.NumberFormatter("vi", scale=1e-6)
    assert fmt.format_ticks(np.array([-100e6, 0, 100e6])) == ["−100", "0", "100"]
