"""The campaign: inspection teams visit stations, verify each dispenser and seal it.

Teams are SimPy processes in pools that share one visiting list: the campaign's teams, or a district's own
from its own start (``[campaign.districts.NAME]``, a staggered rollout). A free team takes its pool's next
station, travels to it, verifies its dispensers one after another and seals their
totalisers; all the work is done in working time (see :mod:`simulator.calendar`).
The visiting order is a small strategy chosen by name (``campaign.order``):

* ``route`` — district by district (``campaign.district_order``, else as listed),
  stations in register order within a district;
* ``largest_first`` — stations with the largest expected sales first;
* ``random`` — a random order drawn from the campaign stream.

Teams take work from one priority queue ordered by due date: first-pass visits are
due at the campaign start in the visiting order; each sealed station comes due again
``campaign.reverification_months`` later (periodic re-verification, 12 months by law in
Vietnam). A dispenser failing verification (see :mod:`simulator.metrology`) takes
``metrology.adjust_minutes`` more; a deliberately set one is corrected and the station reported
(and fined where ``enforcement.fine_at_verification``). A
re-verification also finds a broken seal (see :mod:`simulator.enforcement`).

Every random duration is drawn up front, per station and per dispenser, from the
``campaign`` sub-stream, so a scenario with more teams or another order sees the same
durations (common random numbers across sweep points).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import deque
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import simpy

from ..scenario import Scenario
from ..timeline import months_later
from .enforcement import Enforcement
from .metrology import Dispensers
from .network import Network
from .workcalendar import WorkCalendar


def route_order(sc: Scenario, net: Network, rng: np.random.Generator) -> np.ndarray:
    ranks = {name: i for i, name in enumerate(sc.campaign.district_order)}
    rank_of = np.array([ranks.get(name, len(ranks) + d) for d, name in enumerate(net.district_names)])
    return np.argsort(rank_of[net.district], kind="stable")


def largest_first_order(sc: Scenario, net: Network, rng: np.random.Generator) -> np.ndarray:
    return np.argsort(-(net.pumps * net.level), kind="stable")


def random_order(sc: Scenario, net: Network, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(net.n_stations)


ORDERS: dict[str, Callable[[Scenario, Network, np.random.Generator], np.ndarray]] = {
    "route": route_order,
    "largest_first": largest_first_order,
    "random": random_order,
}


def calendar_for(sc: Scenario) -> WorkCalendar:
    c = sc.campaign
    horizon = (sc.scenario.end - sc.scenario.start).days + 1
    return WorkCalendar(sc.scenario.start, c.work_hours_per_day, c.day_start_hour, c.working_weekdays, c.holidays,
                        limit=horizon)


class Pool(NamedTuple):
    """Teams that share one visiting list: the campaign's (every district without its own schedule) or one
    district's (``campaign.districts``)."""

    start_day: float  # model days
    teams: int
    stations: np.ndarray  # in visiting order


def pools_of(sc: Scenario, net: Network, order: np.ndarray) -> list[Pool]:
    """The campaign's pools: first the shared one (if any district is left to it), then each scheduled
    district's, as listed. Each pool visits its stations in the campaign's order."""
    c, origin = sc.campaign, sc.scenario.start
    own = {name: i for i, name in enumerate(net.district_names) if name in c.schedules}
    district = net.district[order]
    scheduled = np.isin(district, list(own.values()))
    pools = []
    if not scheduled.all():
        pools.append(Pool(float((c.start - origin).days), c.teams, order[~scheduled]))
    for name, d in c.schedules.items():
        if name in own:
            mine = order[district == own[name]]
            pools.append(Pool(float((d.start - origin).days), d.teams if len(mine) else 0, mine))
    return pools


class Visit(NamedTuple):
    team: int
    station: int
    start: float  # model days
    end: float  # model days: the station's dispensers are sealed at this moment
    kind: str  # "first" or "reverification"


@functools.lru_cache(maxsize=64)
def due_days(start: dt.date, n_days: int, months: int) -> np.ndarray:
    """For each day of the horizon, the day ``months`` later (same day of the month, or the month's last):
    a scenario's constant, worked out once per process rather than once per replication (read-only)."""
    due = np.array([(months_later(start + dt.timedelta(days=d), months) - start).days for d in range(n_days)])
    due.flags.writeable = False
    return due


class Campaign:
    """The teams' SimPy processes and what they leave: a first seal time per station."""

    def __init__(self, env: simpy.Environment, sc: Scenario, net: Network, rng: np.random.Generator,
                 dispensers: Dispensers, enforcement: Enforcement):
        self.env, self.sc, self.net, self.enforcement = env, sc, net, enforcement
        self.calendar = calendar_for(sc)
        self.start_day = float((sc.campaign.start - sc.scenario.start).days)
        n = net.n_stations
        # durations first, in station/dispenser order, then the order: see module docstring
        self.travel_hours = sc.campaign.travel_hours.sample(rng, n)
        minutes = sc.campaign.minutes_per_pump.sample(rng, net.n_dispensers)
        ds = net.dispenser_station
        self.work_hours = np.bincount(ds, weights=minutes, minlength=n) / 60.0
        self.failed = np.bincount(ds, weights=dispensers.failed, minlength=n).astype(np.int64)
        self.deliberate = np.bincount(ds, weights=dispensers.deliberate, minlength=n).astype(np.int64)
        self.adjust_hours = self.failed * sc.metrology.adjust_minutes / 60.0
        self.order = ORDERS[sc.campaign.order](sc, net, rng)
        self.seal_time = np.full(n, np.inf)  # first seal
        self.next_due = np.full(n, np.inf)  # the day each station's next re-verification falls due
        # plain Python lists, shared by the teams: read once per visit
        self._per_visit = (self.travel_hours.tolist(), self.work_hours.tolist(), self.adjust_hours.tolist(),
                           self.deliberate.tolist(), set())
        self.visits: list[Visit] = []
        self.pools = pools_of(sc, net, self.order)
        self.pool_of_station = np.zeros(n, dtype=np.int64)
        for p, pool in enumerate(self.pools):
            self.pool_of_station[pool.stations] = p
        self.team_pool = [p for p, pool in enumerate(self.pools) for _ in range(pool.teams)]
        self.days_worked: list[set[int]] = [set() for _ in self.team_pool]
        # first visits are all due at the pool's start, before any re-verification: a plain list serves
        # them; re-verifications wait in a store ordered by due date, one per pool
        self._first = [deque(pool.stations.tolist()) for pool in self.pools]
        self._due = [simpy.PriorityStore(env) for _ in self.pools]
        self._seq = 0
        months = sc.campaign.reverification_months
        start, n_days = sc.scenario.start, (sc.scenario.end - sc.scenario.start).days + 1
        self._due_day = due_days(start, n_days, months) if months > 0 else np.zeros(0)
        for team, p in enumerate(self.team_pool):
            env.process(self._team(team, p))

    def visit_hours(self, station: int, first: bool) -> float:
        """The working hours a visit to ``station`` takes: travel, verifying, and adjusting failed dispensers
        on the first visit."""
        return self.travel_hours[station] + self.work_hours[station] + (self.adjust_hours[station] if first else 0.0)

    @property
    def teams(self) -> int:
        """Teams at work, every pool's (a pool without stations has none)."""
        return len(self.team_pool)

    def _put(self, due: float, station: int) -> None:
        self._seq += 1
        self._due[self.pool_of_station[station]].put(simpy.PriorityItem((due, self._seq), station))

    def _team(self, team: int, pool: int):
        env, cal, days = self.env, self.calendar, self.days_worked[team]
        travel, work_h, adjust, deliberate, sealed = self._per_visit
        first_visits, due = self._first[pool], self._due[pool]
        yield env.timeout(self.pools[pool].start_day)
        while True:
            s = first_visits.popleft() if first_visits else (yield due.get()).item
            first = s not in sealed
            work = work_h[s] + (adjust[s] if first else 0.0)
            hours = travel[s] + work
            begin = cal.next_working_time(env.now) if hours > 0 else env.now
            arrive = cal.advance(env.now, travel[s], days)
            done = cal.advance(arrive, work, days)
            yield env.timeout(done - env.now)
            if first:
                sealed.add(s)
                self.seal_time[s] = env.now
                if deliberate[s]:
                    self.enforcement.found_at_verification(s, deliberate[s])
            else:
                self.enforcement.check(s)
            self.visits.append(Visit(team, s, begin, done, "first" if first else "reverification"))
            if self.sc.campaign.reverification_months > 0:
                self._due_again(s, done)

    def _due_again(self, station: int, done: float) -> None:
        """Put the station back in the queue on the same day ``reverification_months`` later."""
        day = int(done)
        if day >= len(self._due_day):  # after the horizon: never due within it
            return
        due = float(self._due_day[day])
        self.next_due[station] = due
        self.env.timeout(max(due - self.env.now, 0.0)).callbacks.append(lambda _: self._put(due, station))

    def team_days(self, horizon_days: int) -> int:
        """Working days on which a team did some work, summed over teams, within the horizon."""
        return sum(sum(1 for d in days if d < horizon_days) for days in self.days_worked)
