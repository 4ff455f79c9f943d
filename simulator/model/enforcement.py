"""Enforcement: stations that break seals, the inspectorate's audits, and fines.

A sealed station may break its seal to go back to its old under-declaration (and a
deliberately set dispenser to its old short delivery). At each month end every sealed
station that is not ``honest`` weighs the month's gain against the expected penalty, in
the manner of Allingham and Sandmo (1972): it breaks the seal for the next month when

    gain > (1 + ρ) × p × (fine + licence_loss)

where ρ ≥ 0 is the station's risk-aversion premium (``enforcement.risk_aversion``) and
p the chance of being caught within a month: audits (``audits_per_year`` × the
station's priority) and re-verification visits each find a broken seal with
``detection_probability``.

Audits are a SimPy process: requests arrive at random (Poisson, ``audits_per_year`` per
station per year), choose a station (``selection``: at random, or by risk — the gap
between declared and metered sales, weighted by past detections) and wait for one of
``inspectors`` inspection teams, who work on the teams' calendar for ``audit_hours``.
A detection costs the station the fine, re-seals it and multiplies its audit priority
by ``priority_multiplier``. What an audit changes takes effect from the next month's
declaration.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from ..scenario import Scenario
from .workcalendar import WorkCalendar

EVENT_KINDS = ("audit", "detection", "seal_broken", "fine", "tampered_dispenser_found")


# ---- audit selection: which station an audit visits, chosen by name (``enforcement.selection``) --
def random_selection(priority: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Every station alike, except those with a past detection (``priority_multiplier``)."""
    return priority


def risk_selection(priority: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """In proportion to last month's declared-to-metered gap (plus a floor, so every station can
    be drawn), times the priority of stations with a past detection."""
    return priority * (gap + 0.01)


SELECTIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "random": random_selection,
    "risk": risk_selection,
}
"""Audit-selection rule → a function of (priority, gap) per station giving its relative weight."""


class Enforcement:
    """Tampering state of every station, the inspectorate, and a log of enforcement events."""

    def __init__(self, env: simpy.Environment, sc: Scenario, n_stations: int, rng: np.random.Generator,
                 calendar: WorkCalendar):
        e = sc.enforcement
        self.env, self.params, self.calendar = env, e, calendar
        arrivals, selection, detection, stations = rng.spawn(4)
        self._arrivals_rng, self._selection_rng, self._detection_rng = arrivals, selection, detection
        self.honest = stations.random(n_stations) < e.honest_share
        self.rho = e.risk_aversion.sample(stations, n_stations)
        self.tampering = np.zeros(n_stations, dtype=bool)
        self.priority = np.ones(n_stations)
        self._gap = np.zeros(n_stations)  # last month's 1 − declared/metered, for risk-based selection
        self._cumulative: np.ndarray | None = None
        self.events: list[tuple[float, str, float]] = []  # (day, kind, amount)
        months = sc.campaign.reverification_months
        self._reverify_rate = 1.0 / months if months > 0 and sc.campaign.enabled else 0.0
        self.can_tamper = bool((~self.honest).any()) and sc.campaign.enabled
        rate = e.audits_per_year * n_stations / 365.25  # audit requests per day
        if rate > 0 and e.inspectors > 0 and n_stations > 0:
            self._inspectors = simpy.Resource(env, capacity=e.inspectors)
            env.process(self._requests(rate))

    # ---- audits -------------------------------------------------------------------
    def _requests(self, rate: float):
        while True:
            yield self.env.timeout(self._arrivals_rng.exponential(1.0 / rate))
            self.env.process(self._audit(self._choose()))

    def _choose(self) -> int:
        if self._cumulative is None:  # weights change only on detections and at month ends
            self._cumulative = np.cumsum(SELECTIONS[self.params.selection](self.priority, self.gap))
        cum = self._cumulative
        pick = np.searchsorted(cum, self._selection_rng.random() * cum[-1], side="right")
        return int(min(pick, len(cum) - 1))

    @property
    def gap(self) -> np.ndarray:
        return self._gap

    @gap.setter
    def gap(self, value: np.ndarray) -> None:
        self._gap = value
        self._cumulative = None

    def _audit(self, station: int):
        with self._inspectors.request() as turn:
            yield turn
            done = self.calendar.advance(self.env.now, self.params.audit_hours)
            yield self.env.timeout(done - self.env.now)
        self.events.append((self.env.now, "audit", 1.0))
        self.check(station)

    # ---- detection and decisions --------------------------------------------------
    def check(self, station: int) -> None:
        """An audit or a re-verification looks at ``station``: a broken seal is found with
        ``detection_probability``; the station is fined, re-sealed and watched more."""
        if self.tampering[station] and self._detection_rng.random() < self.params.detection_probability:
            self.tampering[station] = False
            self.priority[station] *= self.params.priority_multiplier
            self._cumulative = None
            self.events.append((self.env.now, "detection", 1.0))
            self.events.append((self.env.now, "fine", self.params.fine))

    def fine_found_at_verification(self, dispensers: int) -> None:
        """Deliberately set dispensers found by a verification team: reported and fined once per station."""
        if dispensers:
            self.events.append((self.env.now, "tampered_dispenser_found", float(dispensers)))
            self.events.append((self.env.now, "fine", self.params.fine))

    def monthly_catch_chance(self) -> np.ndarray:
        """p: chance per station that a broken seal is found within a month."""
        e = self.params
        hazard = e.audits_per_year * self.priority / 12.0 + self._reverify_rate
        return e.detection_probability * -np.expm1(-hazard)

    def decide(self, verified: np.ndarray, gain: np.ndarray) -> None:
        """Month end: each sealed, non-honest station breaks (or keeps broken) its seal for
        next month when its gain exceeds its risk-weighted expected penalty."""
        if not self.can_tamper:
            return
        penalty = (1.0 + self.rho) * self.monthly_catch_chance() * (self.params.fine + self.params.licence_loss)
        new = verified & ~self.honest & (gain > penalty)
        broken = int(np.count_nonzero(new & ~self.tampering))
        if broken:
            self.events.append((self.env.now, "seal_broken", float(broken)))
        self.tampering = new

    def totals(self, first_day: float, last_day: float) -> dict[str, float]:
        """Counts and amounts of enforcement events with first_day ≤ day < last_day."""
        out = dict.fromkeys(EVENT_KINDS, 0.0)
        for day, kind, amount in self.events:
            if first_day <= day < last_day and not math.isnan(amount):
                out[kind] += amount
        return out
