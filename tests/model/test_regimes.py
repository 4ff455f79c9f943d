"""Tax regimes, off-book supply, upstream taxes and dated prices, each pinned to a closed form.

The world is deterministic where it can be: no day-to-day noise, no growth, flat seasonality,
exact dispensers (no meter error), 10 stations of 2 dispensers selling 1,000 L a day each at
17,000 VND/L; one team seals everything in January 2017.
"""

import datetime as dt

import numpy as np
import pytest

import simulator

EXACT = {"demand.daily_cv": 0.0, "demand.annual_growth": 0.0, "behaviour.undeclared_share": 0.2,
         "behaviour.residual_share": 0.0}
STATION_LEVEL = 2 * 1000.0  # litres a day per station
PRICE = 17000.0


def _months(res, arm):
    m = res.monthly
    return m[(m.arm == arm) & (m.replication == 0)].set_index("month")


def test_presumptive_pays_the_old_lump_until_the_next_assessment_then_the_metered_one(small):
    """Assessed every 6 months from January: the lump sum is rate × seen × expected monthly revenue
    (2,000 L/day × 17,000 VND × 365.25/12 days per station). Sealed in January 2017, a station still
    pays on the 80% the office saw until June; from the July assessment on it pays on 100%."""
    sc = small({**EXACT, "tax.regime": "presumptive", "tax.assessment_months": 6})
    res = simulator.run(sc, replications=1)
    w, wo = _months(res, "with"), _months(res, "without")
    revenue = STATION_LEVEL * PRICE * 365.25 / 12
    old, new = 10 * 0.015 * 0.8 * revenue, 10 * 0.015 * 1.0 * revenue
    assert res.kpis["pumps_sealed"].iloc[0] == 20 and w.loc["2017-01-01", "pumps_sealed"] == 20
    for month in ("2016-03-01", "2017-01-01", "2017-06-01"):
        assert w.loc[month, "tax"] == pytest.approx(old, rel=1e-12)
    for month in ("2017-07-01", "2017-12-01"):
        assert w.loc[month, "tax"] == pytest.approx(new, rel=1e-12)
    np.testing.assert_allclose(wo["tax"], old, rtol=1e-12)  # never sealed: never re-assessed upward
    # the lump sum does not follow monthly sales (February is as dear as March)
    assert w.loc["2016-02-01", "tax"] == pytest.approx(w.loc["2016-03-01", "tax"], rel=1e-12)


def test_presumptive_station_moved_onto_declaration_declares_from_the_month_after_its_seal(small):
    sc = small({**EXACT, "tax.regime": "presumptive", "tax.assessment_months": 12,
                "tax.seal_moves_to_declaration": True})
    w = _months(simulator.run(sc, replications=1), "with")
    revenue = STATION_LEVEL * PRICE * 365.25 / 12
    assert w.loc["2017-01-01", "tax"] == pytest.approx(10 * 0.015 * 0.8 * revenue, rel=1e-12)  # the seal month
    for month in ("2017-02-01", "2017-08-01"):
        assert w.loc[month, "tax"] == pytest.approx(0.015 * w.loc[month, "true_value"], rel=1e-12)


ENTERPRISE = {**EXACT, "tax.regime": "enterprise", "tax.vat_rate": 0.1, "tax.cit_rate": 0.2, "tax.margin": 0.06,
              "tax.cost_share": 0.02, "supply.off_book_share": 1.0,
              "supply.upstream": {"all": {"per_litre": 3000.0, "rate": 0.1}}}


def test_enterprise_hiding_off_book_fuel_yields_vat_cit_and_upstream_tax_on_the_hidden_litres(small):
    """All hidden litres bought off-book: the 20% hidden sales H, once sealed, add
    VAT + CIT = (0.1 + 0.2)/1.1 × margin × H, and upstream tax = hidden litres × (3,000 + 10% × 17,000)."""
    res = simulator.run(small(ENTERPRISE), replications=1)
    w, wo = _months(res, "with"), _months(res, "without")
    for month in ("2017-03-01", "2017-11-01"):
        hidden_value = 0.2 * wo.loc[month, "true_value"]
        hidden_litres = 0.2 * wo.loc[month, "delivered_litres"]
        assert w.loc[month, "tax"] - wo.loc[month, "tax"] == pytest.approx((0.1 + 0.2) / 1.1 * 0.06 * hidden_value,
                                                                          rel=1e-9)
        assert w.loc[month, "upstream_tax"] - wo.loc[month, "upstream_tax"] == pytest.approx(
            hidden_litres * (3000.0 + 0.1 * PRICE), rel=1e-9)
    # without the campaign: VAT on the declared margin, CIT on it less costs (net of VAT), by the formula
    v = wo.loc["2016-05-01", "true_value"]
    margin = 0.8 * v - 0.94 * 0.8 * v
    assert wo.loc["2016-05-01", "tax"] == pytest.approx(0.1 / 1.1 * margin + 0.2 * (margin / 1.1 - 0.02 * v), rel=1e-9)
    k = res.kpis.iloc[0]
    assert k["extra_tax_enterprise"] == pytest.approx(k["extra_tax"], rel=1e-12)
    assert k["extra_tax_declared_household"] == 0 and k["extra_tax_presumptive"] == 0


def test_enterprise_hiding_sales_of_on_book_fuel_pays_vat_on_its_purchases_anyway(small):
    """Off-book share 0: hidden sales were bought on-book, so its VAT return shows purchases above
    sales (0.8 V − 0.94 V < 0: a VAT credit), while CIT counts only the cost of the fuel declared sold,
    0.8 × 0.94 V. Revealing the hidden sales adds the full VAT on them (their purchases' VAT was
    already credited) and CIT on their margin."""
    res = simulator.run(small({**ENTERPRISE, "supply.off_book_share": 0.0}), replications=1)
    w, wo = _months(res, "with"), _months(res, "without")
    v = wo.loc["2017-05-01", "true_value"]
    cit_without = 0.2 * (0.8 * 0.06 * v / 1.1 - 0.02 * v)
    assert wo.loc["2017-05-01", "tax"] == pytest.approx(0.1 / 1.1 * (0.8 - 0.94) * v + cit_without, rel=1e-9)
    extra = w.loc["2017-05-01", "tax"] - wo.loc["2017-05-01", "tax"]
    assert extra == pytest.approx(0.1 / 1.1 * 0.2 * v + 0.2 * 0.2 * 0.06 * v / 1.1, rel=1e-9)
    assert (res.kpis["extra_tax_upstream"] == 0).all()


@pytest.mark.parametrize("regime", ["declared_household", "enterprise", "presumptive"])
def test_nothing_bought_off_book_means_no_extra_upstream_tax(small, regime):
    over = {**ENTERPRISE, "supply.off_book_share": 0.0, "tax.regime": regime, "tax.assessment_months": 12,
            "demand.daily_cv": 0.3, "behaviour.undeclared_share": {"dist": "beta", "mean": 0.2, "sd": 0.1}}
    k = simulator.run(small(over), replications=3).kpis
    assert (k["extra_tax_upstream"] == 0).all() and (k["uplift_upstream"] == 0).all()
    assert (k["tax_upstream_without"] > 0).all()


def test_upstream_uplift_is_the_off_book_share_of_what_was_hidden(small):
    """Household stations hiding 20%, half of it bought off-book: on-book litres rise from 90% to 100%
    of sales once sealed, so upstream tax rises by 1/0.9 − 1 = 11.1% (all sealed for the whole window
    after January; the window is 2017)."""
    over = {**EXACT, "supply.off_book_share": 0.5, "supply.upstream": {"all": {"per_litre": 3000.0}}}
    res = simulator.run(small(over), replications=1)
    w, wo = _months(res, "with"), _months(res, "without")
    assert w.loc["2017-06-01", "upstream_tax"] / wo.loc["2017-06-01", "upstream_tax"] - 1 == pytest.approx(1 / 0.9 - 1)
    assert 0 < res.kpis["uplift_upstream"].iloc[0] < 1 / 0.9 - 1  # January is partly unsealed


def test_flat_prices_and_no_growth_leave_only_the_calendar_in_the_growth_part(small):
    """No growth, flat price, flat seasonality, no noise: tax without the campaign in 2017 over 2016
    is 365/366 (2016 is a leap year) — uplift_growth is exactly that; with day-to-day noise it stays
    within noise of it."""
    k = simulator.run(small(EXACT), replications=1).kpis.iloc[0]
    assert k["uplift_growth"] == pytest.approx(365 / 366 - 1, abs=1e-12)
    noisy = simulator.run(small({**EXACT, "demand.daily_cv": 0.3}), replications=20).kpis
    assert abs(noisy["uplift_growth"].mean() - (365 / 366 - 1)) < 0.002


PRICES = {"ron92": [{"date": dt.date(2016, 1, 1), "price": 16000.0}, {"date": dt.date(2017, 1, 4), "price": 18000.0}],
          "diesel": [{"date": dt.date(2015, 6, 1), "price": 12000.0}]}


def test_sales_value_uses_each_fuels_price_of_the_day_weighted_by_the_mix(small):
    sc = small({**EXACT, "demand.price_per_litre": None, "demand.fuel_mix": {"ron92": 0.4, "diesel": 0.6}},
               prices=PRICES)
    wo = _months(simulator.run(sc, replications=1), "without")
    per_litre = wo["true_value"] / wo["true_litres"]
    assert per_litre["2016-06-01"] == pytest.approx(0.4 * 16000 + 0.6 * 12000, rel=1e-12)
    assert per_litre["2017-02-01"] == pytest.approx(0.4 * 18000 + 0.6 * 12000, rel=1e-12)
    # January 2017: 3 days at the old price, 28 at the new
    assert per_litre["2017-01-01"] == pytest.approx((3 * 13600 + 28 * 14400) / 31, rel=1e-12)


def test_uncertain_prices_are_drawn_once_per_replication_and_reproducibly(small):
    prices = {"all": [{"date": dt.date(2016, 1, 1), "price": 16600.0, "sd": 0.05},
                      {"date": dt.date(2017, 1, 4), "price": 17594.0}]}
    sc = small({**EXACT, "demand.price_per_litre": None}, prices=prices)
    a, b = simulator.run(sc, replications=30, seed=3), simulator.run(sc, replications=30, seed=3)
    m = a.monthly[(a.monthly.arm == "without") & (a.monthly.month == "2016-05-01")]
    p2016 = (m["true_value"] / m["true_litres"]).to_numpy()
    assert np.array_equal(a.kpis.to_numpy(), b.kpis.to_numpy(), equal_nan=True)
    assert 0.02 < p2016.std() / 16600 < 0.09 and abs(p2016.mean() / 16600 - 1) < 0.04
    m17 = a.monthly[(a.monthly.arm == "without") & (a.monthly.month == "2017-05-01")]
    np.testing.assert_allclose(m17["true_value"] / m17["true_litres"], 17594.0, rtol=1e-12)  # sd 0: exact


def test_a_margin_per_litre_does_not_follow_the_price(small):
    """A commission of 700 VND/L and costs of 400 VND/L (net of VAT): without hiding (u = 0) the
    enterprise pays VAT 0.1/1.1 × 700 × L and CIT 0.2 × (700/1.1 − 400) × L whatever the price."""
    over = {**ENTERPRISE, "tax.margin": None, "tax.margin_per_litre": 700.0, "tax.cost_share": 0.0,
            "tax.cost_per_litre": 400.0, "behaviour.undeclared_share": 0.0,
            "demand.price_path": [{"date": dt.date(2016, 7, 1), "price": 20000.0}]}
    wo = _months(simulator.run(small(over), replications=1), "without")
    for month in ("2016-03-01", "2016-09-01"):
        litres = wo.loc[month, "true_litres"]
        assert wo.loc[month, "tax"] == pytest.approx((0.1 * 700 / 1.1 + 0.2 * (700 / 1.1 - 400)) * litres, rel=1e-9)


def test_an_enterprise_pays_vat_and_cit_on_what_its_dispensers_over_indicate(small):
    """Every dispenser set to over-indicate by 3% (no hidden sales): the station buys what it delivers
    and sells what it indicates, so the skim is margin, taxed at (vat + cit)/(1 + vat); correcting the
    dispensers takes that away — the metrology effect, once sealed."""
    over = {**ENTERPRISE, "behaviour.undeclared_share": 0.0, "metrology.short_delivery_share": 1.0,
            "metrology.short_delivery_error": 0.03}
    res = simulator.run(small(over), replications=1)
    w, wo = _months(res, "with"), _months(res, "without")
    lost = wo.loc["2017-05-01", "true_value"] - w.loc["2017-05-01", "true_value"]
    assert lost > 0
    assert wo.loc["2017-05-01", "tax"] - w.loc["2017-05-01", "tax"] == pytest.approx(0.3 / 1.1 * lost, rel=1e-9)


def test_a_household_on_a_lump_sum_stops_buying_off_book_at_its_first_assessment_after_the_seal(small):
    """Households assessed every 6 months, not moved onto declaration, half their hidden 20% bought
    off-book: sealed in January 2017, they keep buying off-book until the July assessment sees their
    metered sales, then buy everything on-book."""
    over = {**EXACT, "tax.regime": "presumptive", "tax.assessment_months": 6, "supply.off_book_share": 0.5,
            "supply.upstream": {"all": {"per_litre": 3000.0}}}
    res = simulator.run(small(over), replications=1)
    w, wo = _months(res, "with"), _months(res, "without")
    assert w.loc["2017-03-01", "upstream_tax"] == pytest.approx(wo.loc["2017-03-01", "upstream_tax"], rel=1e-12)
    assert w.loc["2017-09-01", "upstream_tax"] == pytest.approx(3000.0 * wo.loc["2017-09-01", "delivered_litres"],
                                                                rel=1e-12)
    assert wo.loc["2017-09-01", "upstream_tax"] == pytest.approx(0.9 * w.loc["2017-09-01", "upstream_tax"], rel=1e-12)


def test_off_book_fuel_that_had_paid_upstream_taxes_adds_none_when_it_comes_on_book(small):
    over = {**EXACT, "supply.off_book_share": 0.5, "supply.off_book_taxed_share": 1.0,
            "supply.upstream": {"all": {"per_litre": 3000.0}}}
    k = simulator.run(small(over), replications=1).kpis.iloc[0]
    assert k["extra_tax_upstream"] == 0 and k["tax_upstream_without"] > 0


@pytest.mark.parametrize(("base", "assessed_price"), [("prior_period", 17000.0), ("period_mean", 20000.0),
                                                      ("assessment_day", 20000.0)])
def test_the_lump_sum_is_assessed_on_the_chosen_base(small, base, assessed_price):
    """The price rises from 17,000 to 20,000 on 1 Jan 2017; yearly assessments. The 2017 lump sum is
    assessed on 2016's revenue (prior_period), on 2017's (period_mean), or on 2017's volumes at the
    1 January price (assessment_day). The horizon's first year has no prior year: it uses its own."""
    over = {**EXACT, "tax.regime": "presumptive", "tax.assessment_months": 12, "tax.assessment_base": base,
            "demand.price_path": [{"date": dt.date(2017, 1, 1), "price": 20000.0}]}
    wo = _months(simulator.run(small(over), replications=1), "without")
    revenue = STATION_LEVEL * 365.25 / 12
    assert wo.loc["2016-06-01", "tax"] == pytest.approx(10 * 0.015 * 0.8 * revenue * PRICE, rel=1e-12)
    assert wo.loc["2017-06-01", "tax"] == pytest.approx(10 * 0.015 * 0.8 * revenue * assessed_price, rel=1e-12)


def test_a_prior_year_cut_by_the_horizon_still_sets_the_next_lump_sum(small):
    """The horizon starts on 1 Jul 2015 at 15,000 VND/L; the price is 17,000 from 1 Jan 2016. 2016's lump
    sum (prior_period) is assessed on the half of 2015 inside the horizon — 15,000 VND/L — not on 2016's
    own revenue (perfect foresight); the first period (2015) has no prior year inside it and uses its own."""
    over = {**EXACT, "scenario.start": dt.date(2015, 7, 1), "tax.regime": "presumptive",
            "tax.assessment_months": 12, "tax.assessment_start": dt.date(2015, 1, 1),
            "tax.assessment_base": "prior_period", "demand.price_per_litre": 15000.0,
            "demand.price_path": [{"date": dt.date(2016, 1, 1), "price": PRICE}]}
    wo = _months(simulator.run(small(over), replications=1), "without")
    revenue = STATION_LEVEL * 365.25 / 12
    assert wo.loc["2015-09-01", "tax"] == pytest.approx(10 * 0.015 * 0.8 * revenue * 15000.0, rel=1e-12)
    assert wo.loc["2016-06-01", "tax"] == pytest.approx(10 * 0.015 * 0.8 * revenue * 15000.0, rel=1e-12)
    assert wo.loc["2017-06-01", "tax"] == pytest.approx(10 * 0.015 * 0.8 * revenue * PRICE, rel=1e-12)


def test_moving_households_onto_declaration_is_split_from_compliance(small):
    """No evasion at all (u = r = 0) and prices up 20% on 1 Jan 2017: a household moved onto declaration
    pays on this year's revenue instead of a lump sum on last year's — all of its extra tax is the
    regime switch, none is compliance."""
    over = {**EXACT, "behaviour.undeclared_share": 0.0, "tax.regime": "presumptive", "tax.assessment_months": 12,
            "tax.seal_moves_to_declaration": True,
            "demand.price_path": [{"date": dt.date(2017, 1, 1), "price": 20000.0}]}
    k = simulator.run(small(over), replications=1).kpis.iloc[0]
    assert k["extra_tax"] > 0
    assert k["extra_tax_regime_switch"] == pytest.approx(k["extra_tax"], rel=1e-9)
    with_evasion = simulator.run(small({**over, "behaviour.undeclared_share": 0.2}), replications=1).kpis.iloc[0]
    assert 0 < with_evasion["extra_tax_regime_switch"] < with_evasion["extra_tax"]
