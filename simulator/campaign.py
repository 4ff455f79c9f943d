"""The campaign: inspection teams visit stations, verify each dispenser and seal it.

Teams are SimPy processes that share one visiting list. A free team takes the next
station, travels to it, verifies its dispensers one after another and seals their
totalisers; all the work is done in working time (see :mod:`simulator.calendar`).
The visiting order is a small strategy chosen by name (``campaign.order``):

* ``route`` — district by district (``campaign.district_order``, else as listed),
  stations in register order within a district;
* ``largest_first`` — stations with the largest expected sales first;
* ``random`` — a random order drawn from the campaign stream.

Every random duration is drawn up front, per station and per dispenser, from the
``campaign`` sub-stream, so a scenario with more teams or another order sees the same
durations (common random numbers across sweep points).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from .calendar import WorkCalendar
from .network import Network
from .scenario import Scenario


def route_order(sc: Scenario, net: Network, rng: np.random.Generator) -> np.ndarray:
    ranks = {name: i for i, name in enumerate(sc.campaign.district_order)}
    key = np.array([ranks.get(net.district_names[d], len(ranks) + d) for d in net.district])
    return np.argsort(key, kind="stable")


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
    return WorkCalendar(sc.scenario.start, c.work_hours_per_day, c.day_start_hour, c.working_weekdays, c.holidays)


@dataclass(frozen=True)
class Visit:
    team: int
    station: int
    start: float  # model days
    end: float  # model days: the station's dispensers are sealed at this moment


class Campaign:
    """The teams' SimPy processes and what they leave: a seal time per station."""

    def __init__(self, env: simpy.Environment, sc: Scenario, net: Network, rng: np.random.Generator):
        self.env = env
        self.calendar = calendar_for(sc)
        self.start_day = float((sc.campaign.start - sc.scenario.start).days)
        n = net.n_stations
        # durations first, in station/dispenser order, then the order: see module docstring
        self.travel_hours = sc.campaign.travel_hours.sample(rng, n)
        minutes = sc.campaign.minutes_per_pump.sample(rng, net.n_dispensers)
        self.work_hours = np.bincount(net.dispenser_station, weights=minutes, minlength=n) / 60.0
        self.order = ORDERS[sc.campaign.order](sc, net, rng)
        self.seal_time = np.full(n, np.inf)
        self.visits: list[Visit] = []
        self.days_worked: list[set[int]] = [set() for _ in range(sc.campaign.teams)]
        self._queue = deque(int(s) for s in self.order)
        for team in range(sc.campaign.teams):
            env.process(self._team(team))

    def _team(self, team: int):
        env, cal, days = self.env, self.calendar, self.days_worked[team]
        yield env.timeout(self.start_day)
        while self._queue:
            s = self._queue.popleft()
            hours = self.travel_hours[s] + self.work_hours[s]
            begin = cal.next_working_time(env.now) if hours > 0 else env.now
            arrive = cal.advance(env.now, self.travel_hours[s], days)
            done = cal.advance(arrive, self.work_hours[s], days)
            yield env.timeout(done - env.now)
            self.seal_time[s] = env.now
            self.visits.append(Visit(team, s, begin, done))

    def team_days(self, horizon_days: int) -> int:
        """Working days on which a team did some work, summed over teams, within the horizon."""
        return sum(sum(1 for d in days if d < horizon_days) for days in self.days_worked)
