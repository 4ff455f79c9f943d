"""Sales by segments against sales day by day: the same model, drawn with fewer numbers.

A dispenser's litres over a month are Σ v_k·noise_k over its days (v_k the day's volume, noise_k a mean-one
gamma of coefficient of variation cv). Their mean is Σ v_k and their variance cv²·Σ v_k²: the default draws
each stretch of days between price changes at once with those two moments (``segment_sums``), the reference
(``run.daily_sales``) draws every day. These tests hold both to the closed form, month by month, and the
KPIs of whole runs to each other within Monte Carlo error.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulator
from simulator.model.sales import DemandProfile, month_sales, segments

N = 40_000  # dispensers: the sample moments' standard errors are about 0.5% of the variance


def profile(cv: float = 0.35) -> DemandProfile:
    """Sixty days: volumes rising 1% a day (so days are unequal), a price change on day 12 and on day 40."""
    days = np.arange(60)
    price = np.where(days < 12, 15_000.0, np.where(days < 40, 16_200.0, 15_500.0))
    return DemandProfile(volume=1.0 + 0.01 * days, price=price, cv=cv)


def moments(sales, level):
    return sales.litres / level, sales.value / level


@pytest.mark.parametrize(("d0", "d1"), [(0, 31), (31, 60), (5, 13)])
def test_segment_and_daily_sums_have_the_daily_models_mean_and_variance(d0, d1):
    """Closed form: E = Σ v_k, Var = cv²·Σ v_k² for the litres; E = Σ v_k·p_k, Var = cv²·Σ (v_k·p_k)² for the
    value. Both paths within 4 standard errors of both, whether a price change falls inside the month or not."""
    p = profile()
    v, val = p.volume[d0:d1], p.value[d0:d1]
    level = np.full(N, 250.0)
    for daily in (True, False):
        litres, value = moments(month_sales(np.random.default_rng(1), level, p, d0, d1, daily=daily), level)
        closed = ((litres, v.sum(), p.cv**2 * (v * v).sum()), (value, val.sum(), p.cv**2 * (val * val).sum()))
        for x, mean, var in closed:
            se_mean = np.sqrt(var / N)
            se_var = var * np.sqrt(2 / (N - 1)) * 1.5  # a gamma's fourth moment is above a normal's
            assert abs(x.mean() - mean) < 4 * se_mean, (daily, "mean")
            assert abs(x.var() - var) < 4 * se_var, (daily, "variance")
        assert np.corrcoef(litres, value)[0, 1] > 0.99  # value follows litres (one price per segment)


def test_segments_are_cut_where_the_price_changes():
    p = profile()
    assert list(segments(p.price, 0, 31)) == [0, 12]
    assert list(segments(p.price, 31, 60)) == [31, 40]
    assert list(segments(p.price, 13, 30)) == [13]


def test_without_noise_segments_and_days_are_the_same_numbers():
    p = profile(cv=0.0)
    level = np.array([1.0, 2.5])
    a = month_sales(np.random.default_rng(0), level, p, 0, 31)
    b = month_sales(np.random.default_rng(0), level, p, 0, 31, daily=True)
    assert np.allclose(a.litres, b.litres, rtol=1e-12) and np.allclose(a.value, b.value, rtol=1e-12)


def test_the_part_after_a_seal_is_the_days_after_it():
    """Sealed at noon on day 20 of a 31-day month: what is sold after is 10.5 days' worth of the month in the
    mean (exactly, without noise; within 4 standard errors with it), never more than the month, and each
    dispenser's after-part is at most its whole month."""
    p = profile()
    n = 20_000
    level, seal = np.ones(n), np.full(n, 20.5)
    s = month_sales(np.random.default_rng(3), level, p, 0, 31, seal_time=seal,
                    split_rng=np.random.default_rng(4))
    v = p.volume[:31]
    share = np.clip(np.arange(1, 32) - 20.5, 0, 1)
    expected = (v * share).sum()
    assert list(s.partial) == list(range(n))
    assert np.all(s.litres_after <= s.litres + 1e-9) and np.all(s.litres_after >= 0)
    assert abs(s.litres_after.mean() - expected) < 4 * s.litres_after.std() / np.sqrt(n)
    exact = month_sales(np.random.default_rng(3), np.ones(2), profile(cv=0.0), 0, 31, seal_time=np.full(2, 20.5))
    assert exact.litres_after == pytest.approx(np.full(2, expected))


def test_when_seals_are_set_does_not_change_the_shared_sales():
    """The sales every policy's worlds share come from one stream whatever is sealed during the month (the
    split after a seal has its own): the no-campaign world of two campaigns is the same world."""
    p = profile()
    level = np.ones(500)
    early = np.full(500, np.inf)
    early[:100] = 10.0
    late = np.full(500, np.inf)
    late[200:] = 25.0
    a = month_sales(np.random.default_rng(9), level, p, 0, 31, seal_time=early, split_rng=np.random.default_rng(1))
    b = month_sales(np.random.default_rng(9), level, p, 0, 31, seal_time=late, split_rng=np.random.default_rng(1))
    c = month_sales(np.random.default_rng(9), level, p, 0, 31)
    assert np.array_equal(a.litres, b.litres) and np.array_equal(a.litres, c.litres)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["hanam", "rollout"])
def test_kpis_by_segments_and_by_days_agree_within_monte_carlo_error(scenario):
    """Whole runs: each headline KPI's mean by segments within 4 standard errors (of the difference of two
    independent means) of its mean day by day — the built-in scenario (60 replications) and a twelfth of the
    national rollout (6 provinces, 20 replications)."""
    if scenario == "hanam":
        sc, n = simulator.load_scenario(), 60
    else:
        from pathlib import Path

        sc = simulator.load_scenario(Path(__file__).parents[2] / "scenarios" / "vietnam_rollout_2016_2017.toml")
        keep = {name: d.value for name, d in list(sc.network.districts.items())[:6]}  # station counts (fixed)
        sc = sc.with_overrides({"network.districts": keep,
                                "campaign.districts": {k: v for k, v in sc.campaign.districts.items() if k in keep}})
        n = 20
    runs = {d: simulator.run(sc.with_overrides({"run.daily_sales": d}), replications=n, seed=5, workers=2).kpis
            for d in (True, False)}
    for kpi in ("uplift", "uplift_before_after", "extra_tax", "tax_with"):
        a, b = runs[True][kpi], runs[False][kpi]
        se = np.sqrt(a.var() / len(a) + b.var() / len(b))
        assert abs(a.mean() - b.mean()) < 4 * se + 1e-12 * abs(a.mean()), kpi
