"""True sales: what each dispenser's totaliser records, drawn vectorised per month.

A dispenser's litres on day *k* are ``level × season(month) × growth(k) × noise``, with
``noise`` a gamma variate of mean 1 and coefficient of variation ``demand.daily_cv``.
Sales are never simulated sale by sale: at each month end one numpy draw covers every
dispenser-day of the month, and the month's litres and sales value (litres × the day's
price) are summed at once. Both arms of a replication share these draws (common
random numbers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .scenario import Scenario


@dataclass(frozen=True)
class DemandProfile:
    """Deterministic day-by-day multipliers over the horizon (day 0 = scenario.start)."""

    volume: np.ndarray  # seasonality × growth, per day
    price: np.ndarray  # VND per litre, per day
    cv: float

    @property
    def value(self) -> np.ndarray:
        return self.volume * self.price


def demand_profile(sc: Scenario, growth: float) -> DemandProfile:
    start, end = sc.scenario.start, sc.scenario.end
    n = (end - start).days + 1
    days = np.arange(n)
    months = np.array([(start + dt.timedelta(days=int(k))).month for k in range(n)]) - 1
    season = np.asarray(sc.demand.seasonality, dtype=float)[months]
    volume = season * (1.0 + growth) ** (days / 365.25)
    price = np.full(n, sc.demand.price_per_litre, dtype=float)
    for point in sc.demand.price_path:
        k = (point.date - start).days
        price[max(k, 0):] = point.price
    return DemandProfile(volume=volume, price=price, cv=sc.demand.daily_cv)


def daily_noise(rng: np.random.Generator, n_dispensers: int, n_days: int, cv: float) -> np.ndarray:
    """Mean-one multipliers for each dispenser-day (shape dispensers × days)."""
    if cv == 0:
        return np.ones((n_dispensers, n_days))
    shape = 1.0 / (cv * cv)
    out = rng.standard_gamma(shape, size=(n_dispensers, n_days))
    out *= 1.0 / shape
    return out
