"""True sales: what each dispenser's totaliser records, drawn vectorised per month.

A dispenser's litres on day *k* are ``level × season(month) × growth(k) × noise``, with
``noise`` a gamma variate of mean 1 and coefficient of variation ``demand.daily_cv``.
Sales are never simulated sale by sale: at each month end one numpy draw covers every
dispenser-day of the month, and the month's litres and sales value (litres × the day's
price of the fuel mix: ``demand.fuel_mix`` over the ``[prices]`` paths) are summed at
once. Both arms of a replication share these draws (common random numbers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario


@dataclass(frozen=True)
class DemandProfile:
    """Deterministic day-by-day multipliers over the horizon (day 0 = scenario.start)."""

    volume: np.ndarray  # seasonality × growth, per day
    price: np.ndarray  # VND per litre of the fuel mix, per day
    cv: float
    upstream: np.ndarray | None = None  # upstream taxes, VND per litre of the fuel mix, per day

    @property
    def value(self) -> np.ndarray:
        return self.volume * self.price


def fuel_prices(sc: Scenario, rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """Each fuel's retail price per day of the horizon, VND/L: a step function of its dated
    path (``[prices]``), or ``demand.price_per_litre`` then ``demand.price_path`` as the fuel
    ``all``. A point with ``sd`` > 0 is multiplied by ``1 + ε``, ε ~ normal(0, sd) drawn once per
    replication from ``rng`` (in path order, fuel by fuel), so calibration can weigh what a
    price is not known to better than."""
    start, end = sc.scenario.start, sc.scenario.end
    n = (end - start).days + 1
    if sc.prices is None:
        price = np.full(n, sc.demand.price_per_litre, dtype=float)
        for point in sc.demand.price_path:
            k = (point.date - start).days
            price[max(k, 0):] = point.price
        return {"all": price}
    out = {}
    for fuel, path in sc.prices.items():
        price = np.empty(n)
        for point in path:
            err = 1.0
            if point.sd > 0 and rng is not None:
                err = max(1.0 + point.sd * float(rng.standard_normal()), 0.05)  # a price never turns negative
            price[max((point.date - start).days, 0):] = point.price * err
        out[fuel] = price
    return out


def demand_profile(sc: Scenario, growth: float, rng: np.random.Generator | None = None) -> DemandProfile:
    """Volumes, the fuel mix's price and its upstream taxes, day by day (``rng``: the price errors)."""
    start, end = sc.scenario.start, sc.scenario.end
    n = (end - start).days + 1
    days = np.arange(n)
    months = np.array([(start + dt.timedelta(days=int(k))).month for k in range(n)]) - 1
    season = np.asarray(sc.demand.seasonality, dtype=float)[months]
    volume = season * (1.0 + growth) ** (days / 365.25)
    prices, mix = fuel_prices(sc, rng), sc.fuel_mix
    if len(prices) == 1:
        price = next(iter(prices.values()))  # one fuel: its path as it is (bit for bit)
    else:
        price = sum(mix[f] * p for f, p in prices.items())
    upstream = None
    if sc.supply.upstream:
        upstream = np.zeros(n)
        for fuel, tax in sc.supply.upstream.items():
            upstream += mix[fuel] * (tax.per_litre + tax.rate * prices[fuel])
    return DemandProfile(volume=volume, price=price, cv=sc.demand.daily_cv, upstream=upstream)


CHUNK = 2048  # dispensers per draw: a month of them stays in the processor's cache


@dataclass(frozen=True)
class MonthSales:
    """One month of every dispenser's sales (delivered litres and their value, VND), and
    for dispensers sealed during the month, the part sold after the seal."""

    litres: np.ndarray
    value: np.ndarray
    partial: np.ndarray  # indices of dispensers sealed during the month
    litres_after: np.ndarray  # their litres after the seal
    value_after: np.ndarray


def month_sales(rng: np.random.Generator, level: np.ndarray, profile: DemandProfile, d0: int, d1: int,
                seal_time: np.ndarray | None = None) -> MonthSales:
    """Draw every dispenser-day of days [d0, d1) and sum them per dispenser.

    The draws are made ``CHUNK`` dispensers at a time and summed at once, so the time per
    dispenser-day does not grow with the network; the stream of numbers is the same as
    one big draw. A dispenser sealed at time *s* during the month sells the fraction
    ``clip(k + 1 − s, 0, 1)`` of day *k* after its seal.
    """
    n, days = len(level), d1 - d0
    vol, val = profile.volume[d0:d1], profile.value[d0:d1]
    litres, value = np.empty(n), np.empty(n)
    if seal_time is None:
        partial = np.zeros(0, dtype=np.int64)
    else:
        partial = np.flatnonzero((seal_time > d0) & (seal_time < d1))
    l_after, v_after = np.empty(partial.size), np.empty(partial.size)
    ends = np.arange(d0 + 1, d1 + 1)
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        noise = daily_noise(rng, b - a, days, profile.cv)
        litres[a:b] = noise @ vol
        value[a:b] = noise @ val
        lo, hi = np.searchsorted(partial, (a, b))
        if hi > lo:
            idx = partial[lo:hi]
            weighted = noise[idx - a] * np.clip(ends[None, :] - seal_time[idx, None], 0.0, 1.0)
            l_after[lo:hi] = weighted @ vol
            v_after[lo:hi] = weighted @ val
    litres *= level
    value *= level
    return MonthSales(litres, value, partial, l_after * level[partial], v_after * level[partial])


def daily_noise(rng: np.random.Generator, n_dispensers: int, n_days: int, cv: float) -> np.ndarray:
    """Mean-one multipliers for each dispenser-day (shape dispensers × days)."""
    if cv == 0:
        return np.ones((n_dispensers, n_days))
    shape = 1.0 / (cv * cv)
    out = rng.standard_gamma(shape, size=(n_dispensers, n_days))
    out *= 1.0 / shape
    return out
