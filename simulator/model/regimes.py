"""Tax regimes: what a station pays on what it declares, and the upstream taxes on what it buys.

Three regimes (``[tax]``, ``[operators.NAME].regime``; see :mod:`simulator.scenario.fiscal`):

* **declared_household** — ``rate × declared value`` (+ ``retail_per_litre × declared litres``),
  every month.
* **presumptive** — a lump sum per month, assessed at the start of each assessment period
  (every ``tax.assessment_months`` from ``tax.assessment_start``) as ``rate × seen × E``, where
  ``E`` is the station's expected monthly revenue over the period at the price of the
  assessment day, and ``seen`` the share of it the tax office can see: ``1 − u`` (its
  undeclared share) without a sealed totaliser, ``1 − r`` (its residual share) when the
  totaliser is sealed and intact on the assessment day. A station sealed mid-period pays
  the old lump sum until the next assessment. A month only partly inside the horizon pays
  the matching fraction.
* **enterprise** — VAT by the credit method plus corporate income tax. Retail prices include
  VAT, so with ``V`` the value of the ``L`` litres sold at retail prices, ``D`` the part declared,
  ``h = 1 − D/V`` the hidden share and ``s`` the off-book share of it: on-book purchases cost
  ``P = (1 − s h) × ((1 − margin) V − margin_per_litre × L)``; the declared gross margin is
  ``G = D − P``; ``VAT = vat/(1 + vat) × G`` and
  ``CIT = cit × max(0, G − cost_share × V − cost_per_litre × L) / (1 + vat)``.
  A hidden sale whose fuel was bought on-book still shows up in the purchases (``s = 0``:
  hiding sales lowers the declared margin, not the VAT base of the purchases).

Upstream taxes (``[supply.upstream.FUEL]``: environmental protection tax per litre, and
special consumption tax, import duty and import VAT as a share of the price) are paid on
every litre a station buys on-book: its delivered litres less the off-book part of what it
does not declare, ``litres × (1 − s × hidden share)``. They go to the central budget, and
are reported apart from the stations' own tax.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..scenario import REGIMES, Scenario
from ..timeline import Month, add_months, month_start

DECLARED, PRESUMPTIVE, ENTERPRISE = (REGIMES.index(r) for r in ("declared_household", "presumptive", "enterprise"))
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class EnterpriseRates:
    vat: float
    cit: float
    margin: float  # share of the retail price
    margin_per_litre: float  # VND/L
    cost_share: float
    cost_per_litre: float

    @classmethod
    def of(cls, sc: Scenario) -> EnterpriseRates | None:
        t = sc.tax
        if t.vat_rate is None or t.cit_rate is None or (t.margin is None and t.margin_per_litre is None):
            return None
        return cls(t.vat_rate, t.cit_rate, t.margin or 0.0, t.margin_per_litre or 0.0, t.cost_share, t.cost_per_litre)

    def marginal(self, off_book: np.ndarray, price: float) -> np.ndarray:
        """Tax on one more VND declared (sales held fixed): ``(vat + cit)/(1 + vat) × (1 − (1 − m) s)``, with
        ``m`` the margin as a share of ``price``, while the margin is taxable — the rate a station weighs
        against breaking its seal."""
        m = self.margin + (self.margin_per_litre / price if price > 0 else 0.0)
        return (self.vat + self.cit) / (1 + self.vat) * (1 - (1 - m) * off_book)


def enterprise_tax(value: np.ndarray, declared: np.ndarray, litres: np.ndarray, off_book: np.ndarray,
                   r: EnterpriseRates) -> np.ndarray:
    """VAT and CIT of an enterprise selling ``litres`` worth ``value`` (VND, retail prices) and declaring
    ``declared`` of that value. With ``h = 1 − declared/value`` hidden, it bought ``1 − s h`` of its fuel
    on-book, at the retail value less its margin."""
    hidden = np.divide(value - declared, value, out=np.zeros_like(value), where=value > 0)
    bought = 1.0 - off_book * hidden
    purchases = bought * ((1.0 - r.margin) * value - r.margin_per_litre * litres)
    margin = declared - purchases
    vat = r.vat / (1.0 + r.vat) * margin
    costs = r.cost_share * value + r.cost_per_litre * litres
    cit = r.cit * np.maximum(margin - costs, 0.0) / (1.0 + r.vat)
    return vat + cit


def on_book(litres: np.ndarray, hidden_share: np.ndarray | float, off_book: np.ndarray) -> np.ndarray:
    """Litres bought on-book: all but the off-book part of what is not declared."""
    return litres * (1.0 - off_book * hidden_share)


def month_upstream(profile_volume: np.ndarray, upstream: np.ndarray, month: Month) -> float:
    """Upstream taxes per litre over a month, VND/L, weighted by the month's daily volumes."""
    vol = profile_volume[month.d0:month.d1]
    return float(vol @ upstream[month.d0:month.d1] / vol.sum()) if vol.sum() > 0 else 0.0


class Assessments:
    """The presumptive regime's schedule: which months start an assessment period, and the
    lump sum a station is assessed for it (per month)."""

    def __init__(self, sc: Scenario, months: list[Month], volume: np.ndarray, price: np.ndarray,
                 station_level: np.ndarray, rate: np.ndarray):
        t, start = sc.tax, sc.scenario.start
        every = t.assessment_months or 12
        first = t.assessment_start or dt.date(start.year, 1, 1)
        horizon = len(volume)
        self.rate, self.station_level = rate, station_level
        self.volume, self.price = volume, price
        # the period each month falls in, as (first model day, one past its last day), and
        # whether the month opens a period (the horizon's first month always does)
        self.period: dict[int, tuple[int, int]] = {}
        self.opens: set[int] = set()
        a = first
        while a > month_start(start):  # periods run back from the first assessment too
            a = add_months(a, -every)
        while add_months(a, every) <= month_start(start):
            a = add_months(a, every)
        for m in months:
            while m.first >= add_months(a, every):
                a = add_months(a, every)
            self.period[m.index] = ((a - start).days, (add_months(a, every) - start).days)
            if m.first == a or m.index == 0:
                self.opens.add(m.index)
        self.horizon = horizon

    def expected_revenue(self, month: Month) -> np.ndarray:
        """Per station, the revenue the tax office expects per month of the period: its mean daily
        litres × the period's mean volume multiplier (within the horizon) × the price on the
        assessment day × 365.25/12 days."""
        a, b = self.period[month.index]
        lo, hi = max(a, 0), min(b, self.horizon)
        vol = float(self.volume[lo:hi].mean()) if hi > lo else 0.0
        return self.station_level * vol * float(self.price[lo]) * DAYS_PER_MONTH

    def lump(self, month: Month, seen: np.ndarray) -> np.ndarray:
        """The monthly lump sum assessed at the start of ``month``'s period for stations of whom
        the office sees the share ``seen`` of their revenue."""
        return self.rate * seen * self.expected_revenue(month)


def month_fraction(month: Month) -> float:
    """The share of a calendar month inside the horizon (1 for a whole month)."""
    days = (add_months(month.first, 1) - month.first).days
    return (month.d1 - month.d0) / days
