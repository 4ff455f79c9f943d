"""True sales: what each dispenser's totaliser records, drawn vectorised per month.

A dispenser's litres on day *k* are ``level × season(month) × growth(k) × noise``, with
``noise`` a gamma variate of mean 1 and coefficient of variation ``demand.daily_cv``, independent
from day to day. Sales are never simulated sale by sale, and by default not day by day either:
nothing in the model needs a dispenser's days apart except the day its seal is set, so at each
month end one numpy draw gives each dispenser its sum over each *segment* of the month — the days
between price changes — from the distribution of that sum (:func:`segment_sums`: a gamma with
the daily model's mean and variance, exact when the days' volumes are equal, as they are within a
month but for growth). For a dispenser sealed during the month, the part of a segment sold after
the seal is a draw of how the segment's sum splits over its days (:func:`after_seal`, from its own
stream, so that the sales every policy's worlds share do not depend on when seals are set).
``run.daily_sales = true`` draws every dispenser-day (:func:`daily_sales`), the reference the
segments are tested against. The month's litres and sales value (litres × the day's price of the
fuel mix: ``demand.fuel_mix`` over the ``[prices]`` paths) follow. Both arms of a replication share
these draws (common random numbers).
"""

from __future__ import annotations

import datetime as dt
import functools
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


@functools.lru_cache(maxsize=64)
def month_of_day(start: dt.date, n: int) -> np.ndarray:
    """Each day's calendar month (0 = January) over ``n`` days from ``start``: worked out once per process
    (read-only)."""
    months = np.array([(start + dt.timedelta(days=k)).month for k in range(n)]) - 1
    months.flags.writeable = False
    return months


def demand_profile(sc: Scenario, growth: float, rng: np.random.Generator | None = None) -> DemandProfile:
    """Volumes, the fuel mix's price and its upstream taxes, day by day (``rng``: the price errors)."""
    start, end = sc.scenario.start, sc.scenario.end
    n = (end - start).days + 1
    days = np.arange(n)
    season = np.asarray(sc.demand.seasonality, dtype=float)[month_of_day(start, n)]
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
                seal_time: np.ndarray | None = None, daily: bool = False,
                split_rng: np.random.Generator | None = None) -> MonthSales:
    """Every dispenser's sales over days [d0, d1): by segments (default) or day by day (``daily``).

    A dispenser sealed at time *s* during the month sells the fraction ``clip(k + 1 − s, 0, 1)``
    of day *k* after its seal. By segments, the part after the seal splits each segment's sum over its
    days by draws from ``split_rng`` (:func:`after_seal`), so that ``rng`` — the sales themselves, shared
    by every policy's worlds — draws the same numbers whenever and wherever seals are set."""
    if seal_time is None:
        partial = np.zeros(0, dtype=np.int64)
    else:
        partial = np.flatnonzero((seal_time > d0) & (seal_time < d1))
    if daily:
        return daily_sales(rng, level, profile, d0, d1, seal_time, partial)
    starts = segments(profile.price, d0, d1)
    sums = segment_sums(rng, len(level), profile, starts, d1)
    price = profile.price[starts]
    litres, value = sums.sum(axis=1) * level, (sums @ price) * level
    l_after = v_after = np.zeros(0)
    if partial.size:
        share = after_seal(split_rng if split_rng is not None else rng.spawn(1)[0], profile, starts, d1,
                           seal_time[partial])
        after = sums[partial] * share * level[partial, None]  # partial × segments
        l_after, v_after = after.sum(axis=1), after @ price
    return MonthSales(litres, value, partial, l_after, v_after)


def segments(price: np.ndarray, d0: int, d1: int) -> np.ndarray:
    """The days where the segments of [d0, d1) start: d0 and every day the price changes."""
    return d0 + np.concatenate(([0], np.flatnonzero(np.diff(price[d0:d1]) != 0) + 1))


def segment_sums(rng: np.random.Generator, n: int, profile: DemandProfile, starts: np.ndarray, d1: int
                 ) -> np.ndarray:
    """Litres (for a level of 1) of ``n`` dispensers over each segment (``starts`` … ``d1``): n × segments.

    Over a segment of days with volumes v_k and one price, the daily model's sum Σ v_k·noise_k has
    mean Σ v_k and variance cv²·Σ v_k². It is drawn as a gamma with those two moments — shape
    (Σ v_k)² ÷ (cv²·Σ v_k²), scale Σ v_k ÷ shape: the sum of the days' gammas exactly when the v_k are
    equal."""
    d0 = int(starts[0])
    vol = profile.volume[d0:d1]
    total = np.add.reduceat(vol, starts - d0)  # Σ v_k per segment
    if profile.cv == 0:
        return np.broadcast_to(total, (n, total.size)).copy()
    squares = np.add.reduceat(vol * vol, starts - d0)
    shape = total * total / (profile.cv * profile.cv * squares)
    return rng.standard_gamma(shape, size=(n, shape.size)) * (total / shape)


def after_seal(rng: np.random.Generator, profile: DemandProfile, starts: np.ndarray, d1: int,
               seal_time: np.ndarray) -> np.ndarray:
    """For dispensers sealed at ``seal_time`` during the month, the share of each segment's sum sold after
    the seal (dispensers × segments): the days' gammas of the daily model, given their sum, are a
    Dirichlet split of it, so each day's share is drawn as v_k·g_k ÷ Σ v_k·g_k with g_k the daily gamma."""
    d0 = int(starts[0])
    vol = profile.volume[d0:d1]
    g = daily_noise(rng, seal_time.size, d1 - d0, profile.cv) * vol  # each day's litres, up to a factor
    after = np.clip(np.arange(d0 + 1, d1 + 1)[None, :] - seal_time[:, None], 0.0, 1.0)
    part, whole = np.add.reduceat(g * after, starts - d0, axis=1), np.add.reduceat(g, starts - d0, axis=1)
    return np.divide(part, whole, out=np.zeros_like(part), where=whole > 0)


def daily_sales(rng: np.random.Generator, level: np.ndarray, profile: DemandProfile, d0: int, d1: int,
                seal_time: np.ndarray | None, partial: np.ndarray) -> MonthSales:
    """Draw every dispenser-day of days [d0, d1) and sum them per dispenser (``run.daily_sales``).

    The draws are made ``CHUNK`` dispensers at a time and summed at once, so the time per
    dispenser-day does not grow with the network; the stream of numbers is the same as
    one big draw."""
    n, days = len(level), d1 - d0
    vol, val = profile.volume[d0:d1], profile.value[d0:d1]
    litres, value = np.empty(n), np.empty(n)
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
