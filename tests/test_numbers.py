"""simulator.numbers: the one place numbers, money and dates are written, in English and Vietnamese."""

import datetime as dt
import math

import pandas as pd
import pytest

from simulator.numbers import Numbers, kpi_formatter, plain

EN, VI = Numbers("en"), Numbers("vi")


@pytest.mark.parametrize(("x", "en", "vi"), [
    (2.364e9, "2.36 billion VND", "2,36 tỷ đồng"),
    (-2.364e9, "−2.36 billion VND", "−2,36 tỷ đồng"),  # a true minus sign
    (12.66e9, "12.7 billion VND", "12,7 tỷ đồng"),  # three significant figures, no more
    (215.23e6, "215 million VND", "215 triệu đồng"),
    (25.26e6, "25.3 million VND", "25,3 triệu đồng"),
    (999.96e6, "1 billion VND", "1 tỷ đồng"),  # rounds up into the next word; all-zero decimals dropped
    (1.9e9, "1.90 billion VND", "1,90 tỷ đồng"),  # three significant figures, as its neighbours in a table
    (950_000, "950,000 VND", "950.000 đồng"),
    (0, "0 VND", "0 đồng"),
])
def test_money_in_the_words_of_each_language(x, en, vi):
    assert (EN.vnd(x), VI.vnd(x)) == (en, vi)


def test_months_in_each_language():
    assert (EN.months(1), EN.months(4), VI.months(1)) == ("1 month", "4 months", "1 tháng")
    assert EN.months(float("nan")) == "n/a"


def test_a_share_that_may_be_small_keeps_two_decimals_only_below_one_percent():
    f = kpi_formatter("share_fine")
    assert (f(-0.0414), f(-0.106), f(-0.0005), f(-0.0019)) == ("−4.1%", "−10.6%", "−0.05%", "−0.19%")


def test_an_input_amount_reads_without_trailing_zeros():
    assert (EN.vnd(1.5e6, trim=True), VI.vnd(1.5e6, trim=True), EN.vnd(1.5e6)) == (
        "1.5 million VND", "1,5 triệu đồng", "1.50 million VND")


def test_numpy_numbers_are_numbers_and_negatives_take_a_true_minus():
    import numpy as np

    assert (EN.number(np.int64(5)), EN.number(np.float32(2.5), 1), EN.number(np.bool_(True))) == ("5", "2.5", "n/a")
    assert (EN.number(-1234.5, 1), VI.number(-1234.5, 1)) == ("−1,234.5", "−1.234,5")


def test_separators_percentages_and_signs():
    assert (EN.number(1234567.85, 1), VI.number(1234567.85, 1)) == ("1,234,567.8", "1.234.567,8")  # half-even
    assert (EN.pct(0.165), VI.pct(0.165), EN.pct(0.0005, 2)) == ("16.5%", "16,5%", "0.05%")
    assert (EN.number(-0.04, 1), EN.signed_pct(-0.0004), EN.signed_pct(0.076)) == ("0.0", "0.0%", "+7.6%")
    assert EN.signed_pct(-0.0012) == "−0.1%"  # a true minus sign
    assert (EN.ratio(10.66), VI.ratio(10.66)) == ("10.7×", "10,7×")
    assert (EN.days(152), VI.days(152)) == ("152 days (5.0 months)", "152 ngày (5,0 tháng)")


def test_plain_values_keep_significant_digits_without_trailing_zeros():
    assert [plain(x) for x in (16600, 0.015, 7.5, 3)] == ["16,600", "0.015", "7.5", "3"]
    assert plain(1234567.891) == "1,234,568"  # the whole part is never cut
    assert [plain(x, "vi") for x in (16600, 0.015)] == ["16.600", "0,015"]


def test_dates_in_each_style_from_dates_or_timestamps():
    d = dt.date(2017, 1, 4)
    assert (EN.day(d), VI.day(d), EN.day(pd.Timestamp(d))) == ("4 Jan 2017", "04/01/2017", "4 Jan 2017")
    assert (EN.month(d), VI.month(d)) == ("Jan 2017", "tháng 1/2017")
    assert EN.label("uplift_growth") == "  of which trend (no campaign)"
    vi = VI.label("uplift_growth")  # the catalogue's words, the registry's indent
    assert vi == "  " + VI.gettext("of which trend (no campaign)") and vi.startswith("  trong đó")
    assert VI.gettext("Campaign cost") == "Chi phí chiến dịch" and VI.label("not_a_kpi") == "not_a_kpi"
    assert (EN.month_long(d), VI.month_long(d)) == ("January 2017", "tháng 1 năm 2017")


@pytest.mark.parametrize("bad", [None, math.nan, math.inf, "12", True])
def test_missing_or_odd_values_read_n_a(bad):
    assert EN.vnd(bad) == EN.pct(bad) == EN.number(bad) == kpi_formatter("money")(bad) == "n/a"


def test_kpi_formatters_follow_the_registry_kind():
    assert VI.kpi("extra_tax")(2.364e9) == "2,36 tỷ đồng" and EN.kpi("uplift")(0.082) == "8.2%"
    assert EN.kpi("not_a_kpi")(1234.5678) == "1235"


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError, match="number style: expected one of en, vi"):
        Numbers("fr")


@pytest.mark.parametrize("style", ["en", "vi"])
def test_degenerate_huge_numbers_are_written_in_powers_of_ten_not_a_crash(style):
    """A cost of 1e-292 VND (found by the fuzz test) makes the extra tax per VND about 1e299: beyond Babel's
    28-digit decimal arithmetic, which raised InvalidOperation. Such numbers read "1.9E299"."""
    from simulator import numbers as n

    assert n.ratio(1.9e299, style) == ("1.9E299×" if style == "en" else "1,9E299×")
    assert n.number(-3e19, 0, style) == "−3E19"
    assert n.plain(1e300, style) == "1E300" and "E291" in n.vnd(1e300, style, trim=True)
    assert n.number(1e17, 0, style).startswith("100")  # below the limit: spelled out as before


def test_a_small_ratio_keeps_two_significant_figures():
    """An e-invoice link that costs the stations 61 billion VND for 269 million VND of tax: 0.0044×, not 0.0×."""
    from simulator import numbers as n

    assert n.ratio(0.0044) == "0.0044×" and n.ratio(0.0044, "vi") == "0,0044×"
    assert n.ratio(6.3) == "6.3×" and n.ratio(0) == "0.0×" and n.ratio(-0.05) == "−0.05×"
