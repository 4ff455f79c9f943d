"""Tax regimes: what a station pays on what it declares, and the upstream taxes on what it buys.

Three regimes (``[tax]``, ``[operators.NAME].regime``; see :mod:`simulator.scenario.fiscal`):

* **declared_household** — ``rate × declared value`` (+ ``retail_per_litre × declared litres``),
  every month.
* **presumptive** — a lump sum per month, assessed at the start of each assessment period
  (every ``tax.assessment_months`` from ``tax.assessment_start``) as ``rate × seen × E``, where
  ``E`` is the station's monthly revenue the assessment is based on (``tax.assessment_base``:
  by default the previous period's, as a household declares last year's revenue), and
  ``seen`` the share of it the tax office can see: ``1 − u`` (its
  undeclared share) without a sealed totaliser, ``1 − r`` (its residual share) when the
  totaliser is sealed and intact on the assessment day. A station sealed mid-period pays
  the old lump sum until the next assessment. A month only partly inside the horizon pays
  the matching fraction.
* **enterprise** — VAT by the credit method plus corporate income tax. Retail prices include
  VAT, so with ``V`` the value of the ``L`` litres sold at retail prices, ``D`` the part declared,
  ``h = 1 − D/V`` the hidden share and ``s`` the off-book share of it: the fuel costs
  ``C = (1 − margin) V' − margin_per_litre × L'`` (``V'``, ``L'``: what the dispensers delivered,
  which is what the station bought), on-book purchases ``P = (1 − s h) C``;
  ``VAT = vat/(1 + vat) × (D − P)`` (credit method), and
  ``CIT = cit × max(0, (D − (1 − h) C)/(1 + vat) − cost_share × V' − cost_per_litre × L')`` — the cost
  of the fuel declared sold, not of all purchases, and operating costs net of VAT. (CIT is
  computed month by month per dispenser; a yearly, per-company base with losses carried
  forward, and VAT credits carried forward, are not modelled.)
  A hidden sale whose fuel was bought on-book still shows up in the purchases (``s = 0``:
  hiding sales lowers the declared margin, not the VAT base of the purchases).

Upstream taxes (``[supply.upstream.FUEL]``: environmental protection tax per litre, and
special consumption tax, import duty and import VAT as a share of the price) are paid on
every litre a station buys on-book: its delivered litres less the off-book part of what it
does not declare, ``litres × (1 − s × hidden share)`` — less still when some off-book fuel
had already paid them (``supply.off_book_taxed_share``: unbilled domestic fuel, not
smuggled). A household on a lump sum hides from its assessment, not from monthly
declarations: its off-book purchases stop when the office can match litres with invoices —
when it moves onto declaration, or at the first assessment after its seal. Upstream taxes
are collected from importers and refineries (central and shared budgets), and are reported
apart from the stations' own tax.
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


def enterprise_tax(value: np.ndarray, declared: np.ndarray, litres: np.ndarray, delivered_value: np.ndarray,
                   delivered_litres: np.ndarray, off_book: np.ndarray, r: EnterpriseRates) -> np.ndarray:
    """VAT and CIT of an enterprise whose dispensers indicate ``litres`` worth ``value`` (VND, retail prices)
    and which declares ``declared`` of that value. It buys what it delivers (``delivered_*``, less than
    indicated where a dispenser short-delivers): with ``h = 1 − declared/value`` hidden, ``1 − s h`` of it
    on-book at the retail value less its margin (VAT credit). Its CIT is on the declared sales less the
    cost of the fuel declared sold, ``(1 − h)`` of its purchases, and its operating costs (net of VAT)."""
    hidden = np.divide(value - declared, value, out=np.zeros_like(value), where=value > 0)
    cost_of_fuel = (1.0 - r.margin) * delivered_value - r.margin_per_litre * delivered_litres
    purchases = (1.0 - off_book * hidden) * cost_of_fuel
    vat = r.vat / (1.0 + r.vat) * (declared - purchases)
    costs = r.cost_share * delivered_value + r.cost_per_litre * delivered_litres  # real costs: what was delivered
    profit = (declared - (1.0 - hidden) * cost_of_fuel) / (1.0 + r.vat) - costs
    return vat + r.cit * np.maximum(profit, 0.0)


def on_book(litres: np.ndarray, hidden_share: np.ndarray | float, off_book: np.ndarray) -> np.ndarray:
    """Litres bought on-book (or, with ``off_book`` less the share of off-book fuel that already paid
    upstream taxes, litres that pay upstream taxes): all but the off-book part of what is not declared."""
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
        self.rate, self.station_level, self.base = rate, station_level, t.assessment_base
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
        """Per station, the revenue per month the lump sum of ``month``'s period is assessed on: its
        mean daily litres × 365.25/12 days × the mean of volume × price over the days of
        ``tax.assessment_base``: the previous period (``prior_period``: the household's declaration
        of last year's revenue — as much of it as lies inside the horizon; the horizon's first
        period, whose previous one lies wholly before it, uses its own), the period itself
        (``period_mean``: an office that foresees volumes and prices), or the period's volumes at the
        price of the assessment day (``assessment_day``)."""
        a, b = self.period[month.index]
        if self.base == "prior_period" and a > 0:  # the previous period, cut at the horizon's start
            a, b = a - (b - a), a
        lo, hi = max(a, 0), min(b, self.horizon)
        if hi <= lo:
            return np.zeros_like(self.station_level)
        if self.base == "assessment_day":
            per_day = float(self.volume[lo:hi].mean()) * float(self.price[max(self.period[month.index][0], 0)])
        else:
            per_day = float((self.volume[lo:hi] * self.price[lo:hi]).mean())
        return self.station_level * per_day * DAYS_PER_MONTH

    def lump(self, month: Month, seen: np.ndarray) -> np.ndarray:
        """The monthly lump sum assessed at the start of ``month``'s period for stations of whom
        the office sees the share ``seen`` of their revenue."""
        return self.rate * seen * self.expected_revenue(month)


def month_fraction(month: Month) -> float:
    """The share of a calendar month inside the horizon (1 for a whole month)."""
    days = (add_months(month.first, 1) - month.first).days
    return (month.d1 - month.d0) / days
