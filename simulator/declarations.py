"""Monthly declarations to the tax office, and the tax they bring, in both arms.

At each month end every station declares its month's sales. Before its pumps are
sealed a station declares its true sales less its undeclared share *u*; once sealed,
the tax office reads the sealed totaliser, so the station declares the metered litres
less only its residual share *r*. A dispenser sealed part-way through a day counts the
rest of that day as sealed. Tax = declared sales value × ``tax.rate`` + declared litres
× ``tax.per_litre``.

The whole province is declared in one numpy pass per month, for both arms at once:
``with`` (the campaign as simulated) and ``without`` (no seals), from the same draws.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .network import Network
from .sales import DemandProfile, daily_noise
from .scenario import Scenario, add_months, month_start

ARMS = ("with", "without")
FIELDS = ("true_litres", "true_value", "declared_litres", "declared_value", "tax", "pumps_sealed", "cost")
DISTRICT_FIELDS = ("tax_with", "tax_without", "declared_litres_with", "declared_litres_without", "true_litres")


@dataclass(frozen=True)
class Month:
    index: int
    first: dt.date  # first day of the calendar month
    d0: int  # first model day inside the horizon
    d1: int  # one past the last model day inside the horizon
    full: bool  # the whole calendar month lies inside the horizon


def months_of(sc: Scenario) -> list[Month]:
    start, end = sc.scenario.start, sc.scenario.end
    out, first = [], month_start(start)
    while first <= end:
        nxt = add_months(first, 1)
        d0 = max((first - start).days, 0)
        d1 = min((nxt - start).days, (end - start).days + 1)
        out.append(Month(len(out), first, d0, d1, first >= start and nxt - dt.timedelta(days=1) <= end))
        first = nxt
    return out


@dataclass(frozen=True)
class Windows:
    """Month indices of the evaluation window and of the same length just before it."""

    evaluation: range
    before: range | None  # None when the horizon does not hold it in full


def windows_of(sc: Scenario, months: list[Month]) -> Windows:
    first = month_start(sc.campaign.start)
    e0 = next(m.index for m in months if m.first == first)
    n = sc.run.evaluation_months
    before = range(e0 - n, e0) if e0 - n >= 0 and months[e0 - n].full else None
    return Windows(range(e0, e0 + n), before)


class Ledger:
    """Accumulates the monthly declarations of one replication for both arms."""

    def __init__(self, sc: Scenario, net: Network, profile: DemandProfile, undeclared: np.ndarray,
                 residual: np.ndarray, rng: np.random.Generator, months: list[Month], windows: Windows):
        ds = net.dispenser_station
        self.rng, self.profile, self.months, self.windows = rng, profile, months, windows
        self.level = net.level[ds]
        self.keep_before = 1.0 - undeclared[ds]  # share declared before sealing
        self.keep_after = 1.0 - residual[ds]  # share declared after sealing
        self.district = net.district[ds]
        self.n_districts = len(net.district_names)
        self.rate, self.per_litre = sc.tax.rate, sc.tax.per_litre
        self.campaign = sc.campaign.enabled
        self.table = np.zeros((len(months), len(ARMS), len(FIELDS)))
        self.by_district = np.zeros((self.n_districts, len(DISTRICT_FIELDS)))
        self._eval = set(windows.evaluation)

    def close_month(self, month: Month, seal_time: np.ndarray) -> None:
        """Declare ``month`` for every dispenser; ``seal_time`` is per dispenser (days, inf = unsealed)."""
        d0, d1 = month.d0, month.d1
        noise = daily_noise(self.rng, len(self.level), d1 - d0, self.profile.cv)
        vol, val = self.profile.volume[d0:d1], self.profile.value[d0:d1]
        litres = self.level * (noise @ vol)
        value = self.level * (noise @ val)
        tax_wo = self._tax(self.keep_before * litres, self.keep_before * value)
        row = self.table[month.index]
        row[1] = (litres.sum(), value.sum(), (self.keep_before * litres).sum(), (self.keep_before * value).sum(),
                  tax_wo.sum(), 0.0, 0.0)
        if self.campaign:
            full = seal_time <= d0
            sealed_l = np.where(full, litres, 0.0)
            sealed_v = np.where(full, value, 0.0)
            part = np.flatnonzero((seal_time > d0) & (seal_time < d1))
            if part.size:
                after = np.clip(np.arange(d0 + 1, d1 + 1)[None, :] - seal_time[part, None], 0.0, 1.0)
                weighted = noise[part] * after
                sealed_l[part] = self.level[part] * (weighted @ vol)
                sealed_v[part] = self.level[part] * (weighted @ val)
            decl_l = self.keep_before * (litres - sealed_l) + self.keep_after * sealed_l
            decl_v = self.keep_before * (value - sealed_v) + self.keep_after * sealed_v
            tax_w = self._tax(decl_l, decl_v)
            row[0] = (row[1, 0], row[1, 1], decl_l.sum(), decl_v.sum(), tax_w.sum(),
                      np.count_nonzero(seal_time <= d1), 0.0)
        else:
            decl_l, tax_w = self.keep_before * litres, tax_wo
            row[0] = row[1]
        if month.index in self._eval:
            nd = self.n_districts
            self.by_district += np.column_stack([
                np.bincount(self.district, weights=tax_w, minlength=nd),
                np.bincount(self.district, weights=tax_wo, minlength=nd),
                np.bincount(self.district, weights=decl_l, minlength=nd),
                np.bincount(self.district, weights=self.keep_before * litres, minlength=nd),
                np.bincount(self.district, weights=litres, minlength=nd),
            ])

    def _tax(self, declared_litres: np.ndarray, declared_value: np.ndarray) -> np.ndarray:
        return self.rate * declared_value + self.per_litre * declared_litres

    def window_sum(self, months: range | None, arm: str, field: str) -> float:
        if months is None:
            return float("nan")
        return float(self.table[months.start:months.stop, ARMS.index(arm), FIELDS.index(field)].sum())
