"""The planner's headline and printed summary: money first, in English and Vietnamese, with the
numbers as a reader reads them (true minus signs, no meaningless decimals, one unit vocabulary)."""

from __future__ import annotations

import math

import pytest

import simulator
from simulator.numbers import Numbers
from simulator.results.summary import headline, kpi_interval, kpi_range, kpi_value, summary_text

EN, VI = Numbers("en"), Numbers("vi")


@pytest.fixture(scope="module")
def paid_back():
    """The small scenario (20 dispensers, one team) with a fixed cost of 150 million VND, so that the
    campaign pays for itself after a few months, and a published figure of 20%."""
    from conftest import make_scenario

    sc = make_scenario({"costs.fixed": 1.5e8, "scenario.reference_uplift": 0.2})
    return sc, simulator.run(sc, replications=3)


def _m(x: float) -> str:
    """Millions by hand, to three significant figures: 369 (en), 25.4, 4.70."""
    v = x / 1e6
    return f"{v:.{max(0, 2 - math.floor(math.log10(abs(v))))}f}"


def _p(x: float) -> str:
    return f"{100 * x:.1f}%"


def test_the_headline_says_cost_extra_tax_with_its_range_payback_and_net_gain_first(paid_back):
    """Hand-formatted from the summary table: cost "about" (three significant figures), extra tax in the
    window with its 90% interval, the median months to pay back, the net gain; then the uplift against no
    campaign beside the before/after figure and the published one, and why they differ."""
    sc, res = paid_back
    s = res.summary()
    extra, cost, net, pay = (s.loc[k] for k in ("extra_tax", "cost", "net_benefit", "payback_months"))
    assert 1e8 <= cost["mean"] < 1e9 and 1e8 <= extra["p05"] and extra["p95"] < 1e9  # so millions, as written below
    assert pay["n"] == 3 and pay["p50"] > 1 and not math.isnan(net["mean"])
    assert net["mean"] == pytest.approx(extra["mean"] - cost["mean"])
    ba, up = s.loc["uplift_before_after"], s.loc["uplift"]
    days = kpi_value("completion_days", s.loc["completion_days", "mean"], EN)  # how long, beside the money
    assert days.endswith(" days")
    expected = (
        f"Sealing all 20 dispensers with one team takes {days}, costs about {_m(cost['mean'])} million VND and "
        f"brings in "
        f"{_m(extra['mean'])} million VND more tax in 2017 (90%: {_m(extra['p05'])}–{_m(extra['p95'])} million VND), "
        f"paying for itself within {int(pay['p50'])} months (median): a net gain of {_m(net['mean'])} million VND. "
        f"Against no campaign, tax rises by {_p(up['mean'])}"
        + (f" (90%: {_p(up['p05'])[:-1]}–{_p(up['p95'])})" if _p(up["p05"]) != _p(up["p95"]) else "")
        + f"; against the same months before it rises by {_p(ba['mean'])} (90%: {_p(ba['p05'])[:-1]}–"
        f"{_p(ba['p95'])}; published: 20.0%), because a before/after comparison also counts the trend — prices and "
        f"demand — that would have happened anyway.")
    assert headline(s, sc) == expected


def test_the_vietnamese_headline_reads_as_a_provincial_report(paid_back):
    """The same sentence in Vietnamese: "triệu đồng" with comma decimals, "khoảng 90%", "hoàn vốn trong vòng
    N tháng", "lợi ích ròng"; no English word left."""
    sc, res = paid_back
    s = res.summary()
    extra, cost, net, pay = (s.loc[k] for k in ("extra_tax", "cost", "net_benefit", "payback_months"))

    def vi(x):
        return _m(x).replace(".", ",")

    text = headline(s, sc, lang="vi")
    assert text.startswith(
        f"Việc kiểm định và kẹp chì toàn bộ 20 cột đo xăng dầu, do một đoàn kiểm định thực hiện, mất "
        f"{kpi_value('completion_days', s.loc['completion_days', 'mean'], VI)}, có chi phí khoảng "
        f"{vi(cost['mean'])} triệu đồng và mang lại thêm {vi(extra['mean'])} triệu đồng tiền thuế trong năm "
        f"2017 (khoảng 90%: {vi(extra['p05'])}–{vi(extra['p95'])} triệu đồng); chiến dịch hoàn vốn trong vòng "
        f"{int(pay['p50'])} tháng (trung vị), lợi ích ròng đạt {vi(net['mean'])} triệu đồng. "
        f"So với khi không có chiến dịch, "
        f"số thu thuế tăng "), text
    assert "số liệu công bố: 20,0%" in text and "xu hướng chung" in text
    for english in ("VND", "million", "months", "against", "published", "Sealing"):
        assert english not in text
    assert headline(s, sc, "vi") == text  # the older positional style= says the same


def test_an_unfinished_campaign_and_no_campaign_say_so(small):
    """A campaign that cannot finish says in how many replications it does (the CLI's wording), and still
    leads with money; a disabled campaign says there is no cost and names the trend alone."""
    ov = {"network.districts": {"A": 30}, "network.pumps_per_station": 4, "campaign.minutes_per_pump": 600.0,
          "campaign.start": "2017-12-01", "run.evaluation_months": 1}
    sc = small(ov)
    s = simulator.run(sc, replications=2).summary()
    text = headline(s, sc)
    assert text.startswith("With one team the campaign finishes within the horizon in only 0% of replications, "
                           "sealing ") and " costs about " in text and "in the 1 months from Dec 2017" in text
    off = small({"campaign.enabled": False})
    s = simulator.run(off, replications=2).summary()
    assert headline(s, off).startswith("No campaign: the 20 dispensers stay unsealed, so there is no cost and no "
                                       "extra tax; tax in the window is ")
    assert headline(s, off, lang="vi").startswith("Không có chiến dịch: 20 cột đo không được kẹp chì")


def test_a_run_folder_without_the_new_kpis_still_gets_its_money_sentence(paid_back):
    """Without net_benefit and payback_months (run folders from before them) the net gain is extra tax − cost
    (means add up) and the payback clause is left out rather than guessed."""
    sc, res = paid_back
    s = res.summary().drop(index=["net_benefit", "payback_months"])
    text = headline(s, sc)
    net = s.loc["extra_tax", "mean"] - s.loc["cost", "mean"]
    assert f"2017 (90%: {_m(s.loc['extra_tax', 'p05'])}" in text and "paying for itself" not in text
    assert f"VND): a net gain of {_m(net)} million VND." in text


def test_numbers_read_without_meaningless_decimals_and_with_true_minus_signs():
    """Money without ".0", an exact share as 0% or 100%, a collapsed interval as one value, the unit said
    once in a range, negative bounds with a true minus sign, a zero lower bound in the upper's unit."""
    assert kpi_value("cost", 220e6, EN) == "220 million VND" and kpi_value("cost", 220e6, VI) == "220 triệu đồng"
    assert kpi_value("cost", 353.4e6, EN) == "353 million VND" and kpi_value("fines", 25.43e6, VI) == "25,4 triệu đồng"
    assert kpi_value("extra_tax", 2e9, VI) == "2 tỷ đồng" and kpi_value("extra_tax", 1.9e9, EN) == "1.90 billion VND"
    assert kpi_value("tax_with", 16.0e9, EN) == "16 billion VND"
    assert kpi_value("share_sealed", 1.0, EN) == "100%" and kpi_value("share_sealed", 0.0, VI) == "0%"
    assert kpi_value("uplift_metrology", -0.0398, EN) == "−4.0%" and kpi_value("uplift_metrology", -0.0019, EN) == \
        "−0.19%"
    assert kpi_range("share_sealed", 1.0, 1.0, EN) == "100%"
    assert kpi_range("extra_tax", 1.79e9, 2.66e9, EN) == "1.79–2.66 billion VND"
    assert kpi_range("extra_tax", 1.79e9, 2.66e9, VI) == "1,79–2,66 tỷ đồng"
    assert kpi_range("uplift", 0.111, 0.155, VI) == "11,1–15,5%"
    assert kpi_range("uplift_metrology", -0.1052, -0.0019, EN) == "−10.5% to −0.19%"
    assert kpi_range("uplift_metrology", -0.1052, -0.0019, VI) == "−10,5% đến −0,19%"
    assert kpi_range("back_taxes", 0.0, 7.7e6, EN) == "0–7.7 million VND"
    assert kpi_range("fines", 20e6, 43.9e6, EN) == "20–43.9 million VND"  # a round bound without ".0"
    assert kpi_range("cost", 220e6, 350e6, VI) == "220–350 triệu đồng"
    assert kpi_range("consumer_savings", 254.9e6, 10.18e9, EN) == "0.25–10.2 billion VND"
    assert kpi_range("completion_days", 51, 57, VI) == "51–57 ngày"


def test_kpi_interval_collapses_and_says_90_percent():
    import pandas as pd

    s = pd.DataFrame({"mean": [0.5, 1.0], "p05": [0.4, 1.0], "p95": [0.6, 1.0], "n": [5, 5]},
                     index=["uplift", "share_sealed"])
    assert kpi_interval(s, "uplift", EN) == "50.0% (90%: 40.0–60.0%)"
    assert kpi_interval(s, "uplift", VI) == "50,0% (khoảng 90%: 40,0–60,0%)"
    assert kpi_interval(s, "share_sealed", EN) == "100%"
    assert kpi_interval(s, "cost", EN) == "n/a"


def test_the_printed_summary_in_vietnamese(paid_back):
    """summary_text(lang="vi"): the Vietnamese headline, grouped table (money first) with Vietnamese labels and
    header, the months as "tháng 1/2017"; English by default (the scenario's run.lang) and with lang="en"."""
    sc, res = paid_back
    text = summary_text(res, sc, lang="vi")
    lines = text.splitlines()
    assert lines[1] == "3 lần mô phỏng, số khởi tạo ngẫu nhiên 1; kỳ đánh giá: 12 tháng kể từ tháng 1/2017"
    assert "Trung bình" not in lines[1] and "Khoảng 90%" in text and "Tài chính và thời gian hoàn vốn" in text
    money = text.index("Tài chính và thời gian hoàn vốn")
    assert money < text.index("Mức tăng thu thuế\n") and money < text.index("Chi phí chiến dịch")
    assert "Số liệu công bố (so sánh trước–sau): 20,0%" in text
    for english in ("mean", "90% interval", "Money and payback", "replications", "Published"):
        assert english not in text
    en = summary_text(res, sc)
    assert en == summary_text(res, sc, lang="en") and "Money and payback" in en and "90% interval" in en
    assert summary_text(res, sc.with_overrides({"run.lang": "vi"})) == text  # the scenario's language by default


def test_small_money_reads_to_two_significant_figures():
    """Below ten million đồng the third figure is noise beside a campaign of hundreds of millions: "2.3 million
    VND", not "2.28"; "0–7.7 million VND", not "7.70"; ten million and more keep three ("25.4 million VND")."""
    assert kpi_value("back_taxes", 2.276e6, EN) == "2.3 million VND" and kpi_value("back_taxes", 2.276e6, VI) == \
        "2,3 triệu đồng"
    assert kpi_value("back_taxes", 7.7e6, EN) == "7.7 million VND" and kpi_value("back_taxes", 9.96e6, EN) == \
        "10 million VND"
    assert kpi_value("back_taxes", -2.28e6, EN) == "−2.3 million VND"
    assert kpi_value("fines", 843_600, EN) == "840,000 VND" and kpi_value("fines", 0.0, EN) == "0 VND"
    assert kpi_value("fines", 25.43e6, EN) == "25.4 million VND"
    assert kpi_range("fines", 5e6, 25.4e6, EN) == "5–25.4 million VND"  # not "5.00–25.4"
    assert kpi_value("back_taxes", 2.276e6, EN, trim=False) == "2.28 million VND"


def _summary(pumps_sd: float, **more):
    """A summary table by hand: a finished campaign of 452.18 dispensers on average (sd as given)."""
    import pandas as pd

    rows = {"pumps": (452.18, pumps_sd, 430, 479), "extra_tax": (2.25e9, 0, 1.79e9, 2.66e9),
            "cost": (353.4e6, 0, 342e6, 366e6), "net_benefit": (1.9e9, 0, 1.44e9, 2.29e9),
            "completed": (1.0, 0, 1.0, 1.0), **more}
    s = pd.DataFrame({k: {"mean": m, "sd": sd, "p05": lo, "p50": m, "p95": hi, "n": 100}
                      for k, (m, sd, lo, hi) in rows.items()}).T
    return s.astype(float)


def _view(enabled: bool = True):
    import datetime as dt
    from types import SimpleNamespace

    return SimpleNamespace(campaign=SimpleNamespace(enabled=enabled, teams=2, start=dt.date(2017, 1, 3)),
                           run=SimpleNamespace(evaluation_months=12), scenario=SimpleNamespace(reference_uplift=None))


def test_other_instruments_and_the_stations_own_costs_are_in_the_headline():
    """With sealing off and e-invoices on, the headline said "no cost and no extra tax" above a table of both; and
    the stations' own equipment (61 billion VND for a dispenser link in Hà Nam) never reached it."""
    s = _summary(12.0, cost_stations=(6.0e8, 0, 5.5e8, 6.5e8), net_benefit_all_costs=(1.3e9, 0, 0.8e9, 1.7e9),
                 completion_days=(52.4, 0, 50, 55))
    from types import SimpleNamespace

    view = _view()
    view.active_instruments = {"pos": SimpleNamespace(kind="einvoice_pos")}
    text = headline(s, view)
    assert text.startswith("Sealing every dispenser (about 450) with 2 teams, together with e-invoices by handheld "
                           "POS, takes 52 days, costs about 353 million VND")
    assert "The stations pay 600 million VND themselves (fees, own equipment); counting that, a net gain of " \
           "1.30 billion VND." in text
    off = _view(enabled=False)
    off.active_instruments = view.active_instruments
    text = headline(s, off)
    assert text.startswith("Without sealing, e-invoices by handheld POS cost the government about 353 million VND and "
                           "bring in 2.25 billion VND more tax in 2017 (90%: 1.79–2.66 billion VND)")
    assert "no extra tax" not in text
    assert headline(s, off, lang="vi").startswith("Không kẹp chì, riêng hóa đơn điện tử qua máy POS cầm tay tốn của "
                                                  "nhà nước khoảng 353 triệu đồng")


def test_a_count_that_varies_between_replications_reads_about():
    """452.18 dispensers on average (430–479 across replications) reads "about 450", never "all 452"; a count
    every replication shares reads exactly."""
    s = _summary(12.0)
    assert headline(s, _view()).startswith("Sealing every dispenser (about 450) with 2 teams costs about 353 "
                                           "million VND and brings in 2.25 billion VND more tax in 2017 (90%: "
                                           "1.79–2.66 billion VND): a net gain of 1.90 billion VND.")
    assert headline(s, _view(), lang="vi").startswith(
        "Việc kiểm định và kẹp chì toàn bộ cột đo xăng dầu (khoảng 450 cột), do 2 đoàn kiểm định thực hiện,")
    exact = _summary(0.0)
    exact.loc["pumps", ["mean", "p05", "p95"]] = 452.0
    assert headline(exact, _view()).startswith("Sealing all 452 dispensers with 2 teams costs about 353 million VND")
    assert headline(s, _view(enabled=False)) == ("No campaign: none of the dispensers (about 450) is sealed, so "
                                                 "there is no cost and no extra tax.")
    assert headline(s, _view(enabled=False), lang="vi") == (
        "Không có chiến dịch: khoảng 450 cột đo không được kẹp chì, nên không phát sinh chi phí và không có thuế "
        "thu thêm.")


def test_how_calibrated_values_were_estimated_reads_in_words():
    """The method fuelseal calibrate records ("abc-rejection, 8000 simulations, 200 kept") in plain words; another
    method as written."""
    from simulator.results.summary import method_words

    assert method_words("abc-rejection, 8000 simulations, 200 kept", EN) == (
        "8,000 trial simulations with values drawn at random; the 200 closest to the published figures kept")
    assert method_words("abc-rejection, 8000 simulations, 200 kept", VI) == (
        "8.000 lần mô phỏng thử với các giá trị lấy ngẫu nhiên; giữ lại 200 lần có kết quả gần nhất với số liệu "
        "công bố")
    assert method_words("by hand, from the 2016 audit", EN) == "by hand, from the 2016 audit"
    assert method_words("", EN) == ""


def test_a_campaign_that_spends_after_the_window_says_both_costs(small):
    """A 3-month window with monthly readings to the end of 2017: the cost set against the window's extra
    tax is 3 months of readings, and the headline says what is spent in all."""
    from simulator.results.summary import headline

    sc = small({"campaign.teams": 10, "run.evaluation_months": 3, "costs.per_reading": 1e6})
    res = simulator.run(sc, 2, 1, workers=1, progress=False)
    text = headline(res.summary(), sc)
    assert "to the window's end (" in text and "in all)" in text
    plain = simulator.run(small({"campaign.teams": 10}), 2, 1, workers=1, progress=False)
    assert "in all" not in headline(plain.summary(), small())
