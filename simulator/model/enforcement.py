"""Enforcement: stations that break seals, the inspectorate's audits, and fines.

A sealed station may break its seal to go back to its old under-declaration (and a
deliberately set dispenser to its old short delivery). A broken seal carries the verifying
body's stamp, so it cannot be restored unseen: it **stays broken until an audit or a
re-verification visit finds it**. At each month end every sealed, intact station that is
not ``honest`` weighs breaking it, in the manner of Allingham and Sandmo (1972) with
Yitzhaki's (1974) penalty on the evaded tax, over the next ``planning_months`` H:

    Σₘ Sₘ₋₁ G  >  (1 + ρ) Σₘ Sₘ₋₁ pₘ [F + (1 + θ) g (m − ½) + i D g (m − 1)(m − 2)/2]

with G the month's gain (the tax it would evade, g, plus any short delivery); found in month m,
a station owes the tax of the m − 1 months behind it and, on average, half of the month it is
found in, with interest on what was owed at each month end; pₘ the chance
of being found in month m — audits at the station's priority (``audits_per_year``) and, in
the month its re-verification falls due, the visit — each finding a broken seal with
``detection_probability``; Sₘ = Π (1 − pₖ) the chance of not being found by month m; F the
fine plus the margin the station would lose while its licence is suspended
(``suspension_days`` × its daily margin; or, in older files, a flat ``licence_loss``); θ
``tax_fine_multiple``; i ``late_interest_per_day``; D the days in a month; ρ ≥ 0 the
station's risk-aversion premium (``enforcement.risk_aversion``). A detection collects the
fine and θ × the tax evaded since the break (``fines``), the back taxes with late-payment
interest (``back_taxes``), re-seals the station, suspends it (it sells nothing for
``suspension_days``; its customers buy at the other stations of its district,
``suspension_diverted_share`` of them); a station once fined is audited
``priority_multiplier`` times as often from then on. A suspended station cannot break its seal again while suspended.

Audits are a SimPy process: requests arrive at random (Poisson, ``audits_per_year`` per
station per year), choose a station (``selection``: at random, or by risk — the gap
between declared and metered sales, weighted by past detections) and wait for one of
``inspectors`` inspection teams, who work on the teams' calendar for ``audit_hours``.
A verification team that finds deliberately set dispensers corrects them and reports the
station (watched more from then on); it is fined only if ``fine_at_verification`` (a verifying
body adjusts; fines are an inspection's). An audit also tests the station's dispensers:
deliberate short delivery still running (before the team's visit, or after a broken seal) is
found with ``detection_probability`` and fined (the teams' visit corrects the dispensers; an
audit does not). What an audit changes takes
effect from the next month's declaration.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from ..scenario import Scenario
from .workcalendar import WorkCalendar

EVENT_KINDS = ("audit", "detection", "seal_broken", "fine", "tampered_dispenser_found", "back_taxes", "suspension",
               "short_delivery_found_by_audit")
DAYS_PER_MONTH = 365.25 / 12


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
        self.evaded = np.zeros(n_stations)  # tax evaded since the seal was broken
        self.interest = np.zeros(n_stations)  # late-payment interest on it
        self.priority = np.ones(n_stations)
        self.suspended = np.full((n_stations, 2), -np.inf)  # [from, to) day of each station's last suspension
        self.fined: list[tuple[float, int, bool]] = []  # (day, station, by an audit)
        self.deliberate = np.zeros(n_stations, dtype=bool)  # stations with deliberately set dispensers
        self.seal_time: np.ndarray | None = None  # the campaign's first seal per station (inf: not yet)
        self._tax_gain = np.zeros(n_stations)  # last month's tax a broken seal evades, per station
        self._month_start = 0.0
        self._skim_fined = np.zeros(n_stations, dtype=bool)  # short delivery already fined by an audit
        self._gap = np.zeros(n_stations)  # last month's 1 − declared/metered, for risk-based selection
        self._cumulative: np.ndarray | None = None
        self.events: list[tuple[float, str, float]] = []  # (day, kind, amount)
        self.audited: list[tuple[float, int]] = []  # (day, station) of each audit
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
        self.audited.append((self.env.now, station))
        fined = self.check(station, by_audit=True)
        running = self.deliberate[station] and (self.seal_time is None or not self.seal_time[station] <= self.env.now
                                                or self.tampering[station])
        # the same short delivery is fined once: the finding stands until the teams' visit corrects it
        if not fined and running and not self._skim_fined[station] \
                and self._detection_rng.random() < self.params.detection_probability:
            self._skim_fined[station] = True
            self.events.append((self.env.now, "short_delivery_found_by_audit", 1.0))
            self.events.append((self.env.now, "fine", self.params.fine))
            self._fine(station, by_audit=True)

    # ---- detection and decisions --------------------------------------------------
    def _fine(self, station: int, by_audit: bool) -> None:
        self.fined.append((self.env.now, station, by_audit))
        self._watch(station)

    def _watch(self, station: int) -> None:
        self.priority[station] = self.params.priority_multiplier  # from now on, this many times as often
        self._cumulative = None

    def check(self, station: int, by_audit: bool = False) -> bool:
        """An audit or a re-verification looks at ``station``: a broken seal is found with
        ``detection_probability``; the station pays the fine and θ × the tax it evaded (``fine``), the
        back taxes with interest (``back_taxes``), is re-sealed, suspended and watched more. True if found."""
        if self.tampering[station] and self._detection_rng.random() < self.params.detection_probability:
            e = self.params
            # this month's evasion so far, pro rata, on top of the months already behind it
            elapsed = min(max((self.env.now - self._month_start) / DAYS_PER_MONTH, 0.0), 1.0)
            evaded = float(self.evaded[station]) + elapsed * float(self._tax_gain[station])
            self.tampering[station] = False
            self._fine(station, by_audit)
            self.events.append((self.env.now, "detection", 1.0))
            self.events.append((self.env.now, "fine", e.fine + e.tax_fine_multiple * evaded))
            self.events.append((self.env.now, "back_taxes", evaded + float(self.interest[station])))
            self.evaded[station] = self.interest[station] = 0.0
            if e.suspension_days:
                self.suspended[station] = (self.env.now, self.env.now + e.suspension_days)
                self.events.append((self.env.now, "suspension", 1.0))
            return True
        return False

    def open_share(self, d0: float, d1: float) -> np.ndarray | None:
        """Per station, the share of days [d0, d1) it was allowed to sell (None: every station, all month)."""
        start, stop = self.suspended[:, 0], self.suspended[:, 1]
        if not (stop > d0).any():
            return None
        closed = np.clip(np.minimum(stop, d1) - np.maximum(start, d0), 0.0, None)
        return 1.0 - closed / (d1 - d0)

    def fine_found_at_verification(self, dispensers: int) -> None:
        """Deliberately set dispensers found by a verification team: reported, and fined once per station
        where the verifying body's findings are fined (``fine_at_verification``)."""
        if dispensers:
            self.events.append((self.env.now, "tampered_dispenser_found", float(dispensers)))
            if self.params.fine_at_verification:
                self.events.append((self.env.now, "fine", self.params.fine))

    def found_at_verification(self, station: int, dispensers: int) -> None:
        """A verification team found ``dispensers`` deliberately set at ``station``: the team corrects them
        and reports the station, which is watched more from then on; it is fined (and counted in
        ``stations_fined``) only where ``fine_at_verification`` holds — otherwise fines are the inspections'."""
        if dispensers:
            self.fine_found_at_verification(dispensers)
            if self.params.fine_at_verification:
                self._fine(station, by_audit=False)
            else:
                self._watch(station)

    def detection_chances(self, next_due: np.ndarray | None) -> np.ndarray:
        """pₘ for the next ``planning_months`` (stations × months): audits at each station's priority,
        and the re-verification visit in the month it falls due (``next_due``: model day, inf = none)."""
        e = self.params
        months = np.arange(1, e.planning_months + 1)
        audit = -np.expm1(-e.audits_per_year * self.priority / 12.0)
        found = np.repeat((e.detection_probability * audit)[:, None], len(months), axis=1)
        if next_due is not None:
            due_month = np.ceil((next_due - self.env.now) / DAYS_PER_MONTH)  # 1 = within the coming month
            visit = due_month[:, None] == months[None, :]
            found = np.where(visit, 1.0 - (1.0 - found) * (1.0 - e.detection_probability), found)
        return found

    def expected_values(self, gain: np.ndarray, tax_gain: np.ndarray, chances: np.ndarray,
                        margin: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Expected gain and expected penalty of breaking a seal now, over the planning months (see the
        module docstring), per station; ``margin`` is each station's gross margin in a month (VND), of
        which a suspension takes ``suspension_days`` / D months."""
        e = self.params
        loss = e.licence_loss
        if e.suspension_days and margin is not None:
            loss = (e.suspension_days / DAYS_PER_MONTH * margin)[:, None]
        m = np.arange(1, chances.shape[1] + 1)[None, :]
        survive = np.cumprod(1.0 - chances, axis=1)
        before = np.hstack([np.ones((chances.shape[0], 1)), survive[:, :-1]])  # Sₘ₋₁
        g = tax_gain[:, None]
        owed = (e.fine + loss + (1.0 + e.tax_fine_multiple) * g * (m - 0.5)
                + e.late_interest_per_day * DAYS_PER_MONTH * g * (m - 1) * (m - 2) / 2.0)
        return gain * before.sum(axis=1), (before * chances * owed).sum(axis=1)

    def decide(self, verified: np.ndarray, gain: np.ndarray, tax_gain: np.ndarray | None = None,
               next_due: np.ndarray | None = None, margin: np.ndarray | None = None) -> None:
        """Month end. Stations whose seal was broken this month add the month's evaded tax (``tax_gain``)
        to what they will owe; sealed, intact, non-honest stations break their seal when the expected gain
        exceeds the risk-weighted expected penalty. A broken seal stays broken until it is found."""
        if not self.can_tamper:
            return
        tax_gain = gain if tax_gain is None else tax_gain
        e = self.params
        self._tax_gain, self._month_start = tax_gain, self.env.now
        if self.tampering.any():
            t = self.tampering
            self.interest[t] += e.late_interest_per_day * DAYS_PER_MONTH * self.evaded[t]
            self.evaded[t] += tax_gain[t]
        candidates = verified & ~self.honest & ~self.tampering & ~(self.suspended[:, 1] > self.env.now)
        if not candidates.any():
            return
        exp_gain, exp_penalty = self.expected_values(gain, tax_gain, self.detection_chances(next_due), margin)
        new = candidates & (exp_gain > (1.0 + self.rho) * exp_penalty)
        broken = int(np.count_nonzero(new))
        if broken:
            self.events.append((self.env.now, "seal_broken", float(broken)))
            self.tampering = self.tampering | new

    def totals(self, first_day: float, last_day: float) -> dict[str, float]:
        """Counts and amounts of enforcement events with first_day ≤ day < last_day, and how many distinct
        stations were fined (``stations_fined``; by audits: ``stations_fined_by_audits``)."""
        out = dict.fromkeys(EVENT_KINDS, 0.0)
        for day, kind, amount in self.events:
            if first_day <= day < last_day and not math.isnan(amount):
                out[kind] += amount
        inside = [(s, audit) for day, s, audit in self.fined if first_day <= day < last_day]
        out["stations_fined"] = float(len({s for s, _ in inside}))
        out["stations_fined_by_audits"] = float(len({s for s, audit in inside if audit}))
        return out
