"""Reporting channels beside the seal: when each station is connected to each instrument, and what it
declares from then on (see :mod:`simulator.scenario.instruments` for the parameters and their sources).

A station connected on day *c* reports through the instrument from the first month that begins on or
after *c* (declarations are monthly). Once connected, the channel reports all but ``r + (u − r)(1 −
coverage)`` of its sales; the tax office sees the most any channel, or the station itself, reports, so
no channel makes a station declare less. ``coverage`` is drawn once per replication. The
connection order (largest first, random, the register's) and the spread over ``rollout_days`` are
drawn from the replication's own ``instruments`` sub-stream, so adding an instrument shifts no other
draw: the world without any policy is the same whatever instruments are compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario
from ..scenario.instruments import KINDS
from ..timeline import Month
from .network import Network


@dataclass(frozen=True)
class Channels:
    """Per instrument and station: the day it was connected, the first day it reports from, and the
    share of sales the station declares through it."""

    names: tuple[str, ...]
    connected: np.ndarray  # instruments × stations: day connected (inf: not within the horizon)
    effective: np.ndarray  # instruments × stations: first day of the month it reports from (inf: never)
    keep: np.ndarray  # instruments × stations: share of sales declared once it reports
    coverage: np.ndarray  # per instrument: this replication's draw
    moves: np.ndarray  # per instrument: whether a connected household moves onto declaration
    reward: np.ndarray  # per instrument: rewards as a share of the tax on the sales buyers ask receipts for

    def moved_at(self, day: float) -> np.ndarray:
        """Per station: connected, by ``day``, to a channel that moves households onto declaration."""
        return ((self.effective <= day) & self.moves[:, None]).any(axis=0)

    def keep_at(self, day: float) -> np.ndarray:
        """Per station, the share declared through the channels reporting on ``day`` (the most any
        reports); NaN for a station no channel reports yet."""
        on = self.effective <= day
        best = np.where(on, self.keep, -np.inf).max(axis=0)
        return np.where(on.any(axis=0), best, np.nan)


def connection_order(order: str, net: Network, rng: np.random.Generator) -> np.ndarray:
    """Stations in the order they are connected."""
    if order == "largest_first":
        return np.argsort(-(net.level * net.pumps), kind="stable")
    if order == "random":
        return rng.permutation(net.n_stations)
    return np.arange(net.n_stations)  # the register's (or the generated network's) order


def build_channels(sc: Scenario, net: Network, undeclared: np.ndarray, residual: np.ndarray, rng: np.random.Generator,
                   months: list[Month], off_book: np.ndarray | None = None) -> Channels | None:
    """The active instruments' channels for one replication (None when there are none). A kind that reaches
    only fuel bought on-book (audits_only) covers ``coverage × (1 − off_book)`` of a station's hidden sales."""
    active = sc.active_instruments
    if not active:
        return None
    n = net.n_stations
    starts = np.array([m.d0 for m in months], dtype=float)
    names, connected, effective, keep, coverage, moves, reward = [], [], [], [], [], [], []
    for name in sorted(active):  # a fixed order: the draws do not depend on how the table was written
        ins = active[name]
        first = (ins.start - sc.scenario.start).days
        order = connection_order(ins.order, net, rng)
        day = np.empty(n)
        day[order] = first + np.floor(np.arange(n) * ins.rollout_days / max(n, 1))
        at = np.searchsorted(starts, day, side="left")  # the month that begins on or after it
        eff = np.where(at < len(starts), starts[np.minimum(at, len(starts) - 1)], np.inf)
        c = float(ins.coverage_of(name).sample(rng, 1)[0])
        reach = c * (1.0 - off_book) if KINDS[ins.kind_of(name)].on_book_only and off_book is not None else c
        # where the channel reaches nothing, exactly what the station hid (no rounding noise in the KPIs)
        hidden = np.where(reach > 0, residual + (undeclared - residual) * (1.0 - reach), undeclared)
        names.append(name)
        connected.append(day)
        effective.append(eff)
        keep.append(1.0 - hidden)
        coverage.append(c)
        moves.append(ins.moves_to_declaration)
        reward.append(ins.reward_share_of_tax * c)  # buyers ask receipts for a share c of sales
    return Channels(tuple(names), np.array(connected), np.array(effective), np.array(keep), np.array(coverage),
                    np.array(moves, dtype=bool), np.array(reward, dtype=float))


def instrument_costs(sc: Scenario, channels: Channels | None, net: Network, months: list[Month], horizon_days: int,
                     rewards: np.ndarray | None = None, until: float = np.inf) -> tuple[np.ndarray, float,
                                                                                         dict[str, float]]:
    """The government's instrument costs per month (booked in the month incurred: one-off costs when a
    station is connected, running costs and audits each month it reports, ``rewards`` — instruments ×
    months, from the ledger — each month they are paid), the stations' own costs, and the government's
    cost of each instrument; the stations' costs of connections before ``until`` (a day) only."""
    col = np.zeros(len(months))
    if channels is None:
        return col, 0.0, {}
    bounds = np.array([m.d1 for m in months])
    starts = np.array([m.d0 for m in months], dtype=float)
    by_name, stations = {}, 0.0
    for i, name in enumerate(channels.names):
        ins = sc.instruments[name]
        day = channels.connected[i]
        inside = day < horizon_days
        one_off = ins.cost_per_station + ins.cost_per_dispenser * net.pumps
        mine = np.zeros(len(months))
        np.add.at(mine, np.searchsorted(bounds, day[inside], side="right"), one_off[inside])
        # running costs: every station reporting from a month's first day, that month
        mine += ins.running_cost * np.searchsorted(np.sort(channels.effective[i]), starts, side="right")
        if rewards is not None:
            mine += rewards[i]
        col += mine
        by_name[name] = float(mine.sum())
        mine_st = (ins.station_cost_per_station + ins.station_cost_per_dispenser * net.pumps)
        stations += float(mine_st[inside & (day < until)].sum())
    return col, stations, by_name
