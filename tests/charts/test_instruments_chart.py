"""The instruments chart (``fuelseal compare --instruments --out``): it draws the comparison's own numbers, in
either language, and an option without a figure (no cost, so no ratio; a payback never reached) reads n/a
rather than failing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from simulator.analysis.instruments import BASELINE, COMPARED, InstrumentComparison, compare_instruments
from simulator.charts import instruments_chart, instruments_chart_data
from simulator.charts.instruments import PANELS, option_words
from simulator.i18n import translator

INSTRUMENTS = {"instruments.einvoice_pos.start": "2017-01-02", "instruments.einvoice_pos.enabled": False,
               "instruments.einvoice_pos.station_cost_per_station": 5e6}


@pytest.fixture(scope="module")
def comparison():
    from conftest import make_scenario

    sc = make_scenario(INSTRUMENTS)
    return sc, compare_instruments(sc, ["seal", "einvoice_pos"], ["seal+einvoice_pos"], replications=3, seed=4,
                                   workers=1, progress=False)


def texts(fig) -> str:
    """Every text the figure shows, lines joined (a wrapped name reads as one)."""
    fig.draw_without_rendering()
    return " | ".join(" ".join(t.get_text().split()) for t in fig.findobj(Text) if t.get_visible() and t.get_text())


def test_the_chart_draws_the_comparisons_own_numbers(comparison):
    _sc, cmp = comparison
    data = instruments_chart_data(cmp)
    assert list(data.columns) == ["option", "label", "kpi", "mean", "p05", "p50", "p95", "replications"]
    assert list(dict.fromkeys(data["kpi"])) == [k for k, *_ in PANELS]
    assert list(data["option"][:3]) == cmp.options
    summary = cmp.summary().set_index(["option", "kpi"])
    for row in data.itertuples():
        for stat in ("mean", "p05", "p50", "p95"):
            expected = summary.loc[(row.option, row.kpi), stat]
            assert getattr(row, stat) == pytest.approx(np.nan if expected is None else expected, nan_ok=True)
        values = cmp.kpis.loc[cmp.kpis["option"] == row.option, row.kpi].to_numpy(float)
        assert row.replications == np.isfinite(values).sum()
    # the uplift drawn is the paired one: (tax with − tax without) / tax without, replication by replication
    seal = cmp.kpis[cmp.kpis["option"] == "seal"]
    uplift = data[(data["option"] == "seal") & (data["kpi"] == "uplift")]["mean"].item()
    assert uplift == pytest.approx(((seal["tax_with"] - seal["tax_without"]) / seal["tax_without"]).mean())
    assert data.loc[data["option"] == "seal+einvoice_pos", "label"].iloc[0] == (
        "sealing the totalisers + e-invoices by handheld POS")


@pytest.mark.parametrize("size", ["screen", "print"])
def test_both_languages_draw_with_their_own_words(comparison, size):
    sc, cmp = comparison
    en = texts(instruments_chart(cmp, lang="en", scenario=sc, size=size))
    vi = texts(instruments_chart(cmp, lang="vi", scenario=sc, size=size))
    _ = translator("vi")
    assert "e-invoices by handheld POS" in en and "Cost to the stations" in en and "50 replications" not in en
    assert "3 replications" in en and "common random numbers" in en
    assert _("e-invoices by handheld POS") in vi and _("sealing the totalisers") in vi
    for _kpi, title, _kind, _colour in PANELS:
        assert _(title) != title and _(title) in vi and title not in vi
    assert "Chọn công cụ nào?" in vi and "triệu đồng" in vi and "million VND" not in vi and "VND per VND" not in vi
    assert sc.name in vi  # the scenario's own name, as written


def test_an_option_without_a_figure_reads_n_a():
    """No cost to the government: no extra tax per VND it spends (NaN in every replication) — the dot is left out
    and the row says n/a; a payback reached in some replications only says in how many."""
    rows = []
    for option, cost in (("seal", 1e8), ("einvoice_manual", 0.0)):
        for rep in range(4):
            extra = 1e9 * (1 + rep)
            kpis = {k: 0.0 for k in (*COMPARED, *BASELINE)}
            kpis.update(uplift=0.01 * (rep + 1), extra_tax=extra, cost=cost, net_benefit=extra - cost,
                        benefit_cost_ratio=extra / cost if cost else np.nan,
                        payback_months=np.nan if option == "seal" and rep == 0 else 3.0,
                        tax_without=1e11)
            rows.append({"option": option, "replication": rep, **kpis})
    cmp = InstrumentComparison(["seal", "einvoice_manual"], pd.DataFrame(rows), 4, 1,
                               {"seal": "seal", "einvoice_manual": "einvoice_manual"})
    data = instruments_chart_data(cmp).set_index(["option", "kpi"])
    assert np.isnan(data.loc[("einvoice_manual", "benefit_cost_ratio"), "mean"])
    assert data.loc[("einvoice_manual", "benefit_cost_ratio"), "replications"] == 0
    assert data.loc[("seal", "payback_months"), "replications"] == 3
    for lang, na, partial in (("en", "n/a", "3 (3 of 4)"), ("vi", "không có", "3 (3 trên 4)")):
        shown = texts(instruments_chart(cmp, lang=lang))
        assert f"| {na} |" in shown and partial in shown
        assert translator(lang)("n/a: no replication has a value (nothing spent by the government, or never "
                                "paid back within the horizon).") in shown


def test_options_are_named_in_words_and_an_unknown_kind_by_its_name():
    _ = translator("en")
    both = "sealing the totalisers + e-invoices by handheld POS"
    assert option_words("seal+pos2", {"pos2": "einvoice_pos"}, _) == both
    assert option_words("einvoice_link", None, _) == "e-invoices by automatic dispenser link"
    assert option_words("mystery", {}, _) == "mystery"
    with pytest.raises(ValueError, match="language"):
        instruments_chart_data(InstrumentComparison(["seal"], pd.DataFrame(), 1, 1), lang="fr")


def test_one_replication_draws_dots_without_ranges(comparison):
    _sc, cmp = comparison
    one = InstrumentComparison(cmp.options, cmp.kpis[cmp.kpis["replication"] == 0], 1, cmp.seed, cmp.kinds)
    shown = texts(instruments_chart(one, lang="en"))
    assert "so there are no ranges" in shown and "90%" not in shown
    data = instruments_chart_data(one)
    assert (data["mean"] == data["p05"]).where(data["mean"].notna(), True).all()


def test_rounding_noise_beside_the_panel_reads_zero():
    """An option that changes nothing shows a mean of 1e-7 VND from floating point: its label reads 0, not
    "0.00000000000000011", while a real small figure keeps its digits."""
    rows = []
    for option, extra in (("seal", 2e9), ("audits_only", 1.1e-7)):
        for rep in range(3):
            kpis = {k: 0.0 for k in (*COMPARED, *BASELINE)}
            kpis.update(uplift=extra / 1e11, extra_tax=extra, cost=4e8, net_benefit=extra - 4e8,
                        benefit_cost_ratio=extra / 4e8, payback_months=np.nan, tax_without=1e11)
            rows.append({"option": option, "replication": rep, **kpis})
    cmp = InstrumentComparison(["seal", "audits_only"], pd.DataFrame(rows), 3, 1,
                               {"seal": "seal", "audits_only": "audits_only"})
    shown = texts(instruments_chart(cmp))
    assert "0.00000" not in shown and "| 2 |" in shown and "| 0 |" in shown
